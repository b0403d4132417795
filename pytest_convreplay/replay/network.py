"""Offline replay: connections that would leave the machine are refused, for clients vcrpy does not patch."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from ..errors import NetworkBlockedError


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


API_HOSTS = frozenset({"api.openai.com"})


def _replay_advice(describe: str) -> str:
    return (
        f"while replaying {describe}; record with --convreplay-record-mode=once, or list the host in the "
        "allowed_hosts option"
    )


def refusal_for_test_without_cassette(nodeid: str) -> Callable[[str], str]:
    """How ``--convreplay-block-network`` words a refusal: a call to the API wants a cassette,
    any other host an entry in ``convreplay_allowed_hosts``."""

    def refusal(host: str) -> str:
        where = f"for {nodeid} (--convreplay-block-network)"
        if host.rpartition(":")[0] in API_HOSTS:
            return f"{where}: it uses no cassette; mark it @pytest.mark.convreplay to record and replay it"
        return f"{where}; allow the host with the ini option convreplay_allowed_hosts"

    return refusal


@contextlib.contextmanager
def block_network(
    allowed_hosts: Sequence[str], describe: str, *, refusal: Callable[[str], str] | None = None
) -> Iterator[None]:
    """Refuse connections that would leave the machine, for clients vcrpy does not patch.

    Loopback and ``allowed_hosts`` stay reachable (local databases, the emulator). A host name is
    refused before it is even looked up, so the message names the host (``example.com:443``), not
    the address it resolves to, and no DNS query leaves either. ``refusal(host)`` words the rest of
    the message (default: the replay of cassette ``describe``). The error is not an OSError, so
    HTTP clients do not retry it as a connection problem.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo
    allowed = set(allowed_hosts)
    resolved: set[str] = set()  # the addresses of allowed host names

    def refuse(host: str) -> NoReturn:
        advice = refusal(host) if refusal is not None else _replay_advice(describe)
        raise NetworkBlockedError(f"convreplay: network access to {host} is blocked {advice}", host=host)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        if not _is_loopback(host) and host not in allowed and host not in resolved:
            refuse(f"{host}:{address[1]}" if isinstance(address, tuple) and len(address) > 1 else host)

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return original_connect_ex(self, address)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and name not in allowed and not _is_local_or_address(name):
            refuse(f"{name}:{port}" if port else name)
        results = original_getaddrinfo(host, port, *args, **kwargs)
        if name in allowed:
            resolved.update(str(entry[4][0]) for entry in results)
        return results

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo


def _is_local_or_address(name: str) -> bool:
    """A name that stays on this machine, or an address (which the connection check judges)."""
    if _is_loopback(name) or name.endswith(".localhost") or name == socket.gethostname():
        return True
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True
