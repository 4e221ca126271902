"""Tests of the test rig itself: a test that reaches outside 127.0.0.1 fails instead of calling out."""

from __future__ import annotations

import socket

import pytest


def test_connect_to_an_outside_address_fails_the_test() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        with pytest.raises(RuntimeError, match="no outside network"):
            sock.connect(("203.0.113.7", 443))


def test_loopback_connections_still_work() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
            conn, _ = server.accept()
            conn.close()
