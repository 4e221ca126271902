"""Test support: a socket connect that refuses anything but loopback (tests and benches make no outside calls)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

real_connect = socket.socket.connect


def loopback_only(self: socket.socket, address: Any) -> Any:
    """Drop-in for socket.socket.connect that raises on any non-loopback IP address."""
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise RuntimeError(f"no outside network in tests or benches: connect to {address!r}")
    return real_connect(self, address)
