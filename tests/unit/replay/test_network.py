"""Blocking names the host, refuses names before any lookup, and lets allowed hosts through."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from pytest_convreplay.errors import NetworkBlockedError
from pytest_convreplay.replay.network import block_network


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A resolver that answers every name with a documentation address and remembers the names."""
    names: list[str] = []

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        names.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return names


def test_a_name_is_refused_before_it_is_looked_up(looked_up: list[str]) -> None:
    with (
        block_network((), "c.yaml"),
        pytest.raises(NetworkBlockedError, match=r"example\.com:443 .*c\.yaml") as raised,
    ):
        socket.getaddrinfo("example.com", 443)
    assert looked_up == []
    assert raised.value.host == "example.com:443"


def test_an_allowed_name_is_looked_up_and_its_address_may_be_connected_to(
    looked_up: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    connected: list[Any] = []
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: connected.append(address))
    with block_network(["db.example"], "c.yaml"), socket.socket() as sock:
        address = socket.getaddrinfo("db.example", 5432)[0][4]
        sock.connect(address)
        with pytest.raises(NetworkBlockedError, match=r"192\.0\.2\.8:5432"):
            sock.connect(("192.0.2.8", 5432))
    assert (looked_up, connected) == (["db.example"], [("192.0.2.7", 5432)])


def test_an_address_off_the_machine_is_refused_at_connect() -> None:
    with (
        block_network((), "c.yaml"),
        socket.socket() as sock,
        pytest.raises(NetworkBlockedError, match=r"192\.0\.2\.8:80"),
    ):
        sock.connect(("192.0.2.8", 80))


def test_loopback_names_are_never_refused(looked_up: list[str]) -> None:
    with block_network((), "c.yaml"):
        socket.getaddrinfo("localhost", 80)
        socket.getaddrinfo("api.localhost", 80)
    assert looked_up == ["localhost", "api.localhost"]
