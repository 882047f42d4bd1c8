"""Which TCP ports a child may connect to: its audit's simulators' and the named instrument's.

Landlock's TCP rules are fixed when the child confines itself, before the
driver is imported, and one child serves many rules, each with simulators
of its own. So the ports come first: :class:`SimulatorPorts` reserves a few
loopback ports for one audit (a socket bound to each, never listening,
holds it against the rest of the system) and every simulator of the audit
listens on one of them (``LiveSimulator(port=...)`` binds with
``SO_REUSEADDR`` beside the reservation). Two audits at once hold different
ports, and a listener the driver was not given is out of its reach.

Landlock names ports, not addresses: a child may connect to any host on an
allowed port. The report says so.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
import weakref
from collections.abc import Iterator

#: Simulators one audit runs at once (a live one beside a simulated construction).
SIMULATORS_AT_ONCE = 3
#: HiSLIP's registered port (IVI-6.1), used when a HiSLIP resource names none.
HISLIP_PORT = 4880

_FLAGS = re.IGNORECASE | re.ASCII
_SOCKET = re.compile(r"^TCPIP\d*::(?P<host>[^:]+)::(?P<port>\d{1,5})::SOCKET$", _FLAGS)
_HISLIP = re.compile(r"^TCPIP\d*::(?P<host>[^:]+)::hislip\d+(?:,(?P<port>\d{1,5}))?::INSTR$",
                     _FLAGS)
_VXI11 = re.compile(r"^TCPIP\d*::(?P<host>[^:]+)(?:::[^:]+)?::INSTR$", _FLAGS)
#: The ports TCP can name.
_PORTS = range(1, 65536)


class SimulatorPorts:
    """Loopback ports reserved for one audit's simulators, leased one simulator at a time."""

    def __init__(self, count: int = SIMULATORS_AT_ONCE) -> None:
        self._holders: list[socket.socket] = []
        for _ in range(count):
            holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", 0))
            self._holders.append(holder)
        self.ports: tuple[int, ...] = tuple(holder.getsockname()[1] for holder in self._holders)
        self._leased: set[int] = set()
        self._lock = threading.Lock()
        self._release = weakref.finalize(self, _close_all, self._holders)

    @contextlib.contextmanager
    def lease(self) -> Iterator[int]:
        """A reserved port no simulator of this audit listens on now."""
        with self._lock:
            free = [port for port in self.ports if port not in self._leased]
            if not free:
                raise RuntimeError(f"more than {len(self.ports)} simulators at once in one audit")
            port = free[0]
            self._leased.add(port)
        try:
            yield port
        finally:
            with self._lock:
                self._leased.discard(port)

    def close(self) -> None:
        """Give the ports back to the system (done anyway when this object is collected)."""
        self._release()


def _close_all(holders: list[socket.socket]) -> None:
    for holder in holders:
        holder.close()


def instrument_ports(resource: str) -> tuple[tuple[int, ...] | None, bool]:
    """The TCP ports a VISA resource name needs, and whether its host needs DNS.

    ``TCPIP::host::port::SOCKET`` needs its port; a HiSLIP ``INSTR`` its port
    (4880 unless named). A VXI-11 ``INSTR`` learns its port from the
    portmapper at run time: no port rule can allow it, so None (TCP cannot
    be confined). Any other resource (GPIB, USB, serial, a malformed name,
    none) needs no port.
    """
    name = resource.strip()
    if not name:
        return (), False
    for pattern in (_SOCKET, _HISLIP):
        found = pattern.match(name)
        if found:
            port = int(found["port"]) if found["port"] else HISLIP_PORT
            return ((port,) if port in _PORTS else ()), _needs_dns(found["host"])
    found = _VXI11.match(name)
    if found:
        return None, _needs_dns(found["host"])
    return (), False


def _needs_dns(host: str) -> bool:
    if host.lower() == "localhost":
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False
