"""Offline replay: connections that would leave the machine are refused, for clients vcrpy does not patch."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import NetworkBlockedError


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def block_network(allowed_hosts: Sequence[str], describe: str) -> Iterator[None]:
    """Refuse socket connections that would leave the machine, for clients vcrpy does not patch.

    Loopback and ``allowed_hosts`` stay reachable (local databases, the emulator); the error is not
    an OSError, so HTTP clients do not retry it as a connection problem.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    allowed = set(allowed_hosts)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        if not _is_loopback(host) and host not in allowed:
            raise NetworkBlockedError(
                f"convreplay: network access to {host} is blocked while replaying {describe}; "
                "record with --convreplay-record-mode=once, or list the host in the allowed_hosts option",
                host=host,
            )

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return original_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
