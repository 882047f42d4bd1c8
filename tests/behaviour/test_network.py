"""The ports a child may connect to: reserved for an audit's simulators, read from a resource."""

from __future__ import annotations

import socket

import pytest

from ivi_conform.behaviour.network import HISLIP_PORT, SimulatorPorts, instrument_ports
from ivi_conform.sim import LiveSimulator


@pytest.mark.parametrize(
    ("resource", "ports", "dns"),
    [
        ("TCPIP0::192.168.1.20::5025::SOCKET", (5025,), False),
        ("TCPIP::sunroof.lab.example::5025::SOCKET", (5025,), True),
        ("TCPIP0::localhost::hislip0::INSTR", (HISLIP_PORT,), False),
        ("TCPIP0::10.0.0.1::hislip0,4881::INSTR", (4881,), False),
        ("TCPIP0::10.0.0.1::inst0::INSTR", None, False),  # VXI-11: the portmapper decides
        ("TCPIP::scope.example::INSTR", None, True),
        ("GPIB0::12::INSTR", (), False),
        ("USB0::0x1AB1::0x04CE::DS1ZA1::INSTR", (), False),
        ("", (), False),
    ],
)
def test_a_resource_names_the_ports_it_needs(resource: str, ports: tuple[int, ...] | None,
                                             dns: bool) -> None:
    assert instrument_ports(resource) == (ports, dns)


def test_reserved_ports_are_held_against_others_and_leased_one_simulator_each() -> None:
    reserved = SimulatorPorts(2)
    try:
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", reserved.ports[0]))
        with reserved.lease() as first, reserved.lease() as second:
            assert {first, second} == set(reserved.ports)
            with pytest.raises(RuntimeError, match="more than 2 simulators"), reserved.lease():
                pass
            with LiveSimulator("SR-PN200", port=first) as simulator:
                assert simulator.port == first
                with socket.create_connection(("127.0.0.1", first), timeout=2.0) as client:
                    client.sendall(b"*IDN?\n")
                    assert b"SR-PN200" in client.recv(200)
        with reserved.lease() as again:
            assert again == reserved.ports[0]
    finally:
        reserved.close()
