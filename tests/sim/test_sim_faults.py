"""Fault injection and the trace of the live simulator, through both transports."""

from __future__ import annotations

import time

import pytest

NO_ERROR = '0,"No error"'


def rot47(text: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if "!" <= c <= "~" else c for c in text)


def test_no_reply_makes_the_client_time_out(start_sim, connect):
    sim = start_sim()
    client = connect(sim, timeout=0.3)
    sim.faults.no_reply(True)
    with pytest.raises(TimeoutError):
        client.query("*IDN?")
    client.write("MOT:SPE 33")  # commands still run
    with pytest.raises(TimeoutError):
        client.query("MOT:SPE?")
    sim.faults.no_reply(False)
    assert client.query("MOT:SPE?") == "33"
    assert [e.message for e in sim.trace if e.direction == "out"] == ["33"]


def test_garbled_reply_arrives_whole_but_unreadable(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.garbled_reply(True)
    identity = sim.instrument.identity
    garbled = client.query("*IDN?")
    assert garbled != identity
    assert garbled == rot47(identity)
    assert not any(c.isdigit() for c in client.query("PAN:COUN?;*TST?;:MOT:SPE?"))
    sim.faults.garbled_reply(False)
    assert client.query("*IDN?") == identity


def test_slow_reply_delays_every_reply(start_sim, connect):
    sim = start_sim()
    client = connect(sim, timeout=2.0)
    sim.faults.slow_reply(0.3)
    start = time.monotonic()
    assert client.query("PAN:COUN?") == "2"
    assert time.monotonic() - start >= 0.3
    client.set_timeout(0.1)
    with pytest.raises(TimeoutError):
        client.query("*TST?")
    client.set_timeout(2.0)
    assert client.read() == "0"  # the late reply still comes
    sim.faults.slow_reply(0)
    start = time.monotonic()
    assert client.query("PAN:COUN?") == "2"
    assert time.monotonic() - start < 0.2


def test_slow_reply_rejects_a_negative_delay(start_sim):
    with pytest.raises(ValueError):
        start_sim().faults.slow_reply(-1)


def test_dropped_connection(start_sim, connect):
    sim = start_sim()
    client = connect(sim, timeout=0.5)
    assert client.query("*TST?") == "0"
    sim.faults.drop_connection()
    with pytest.raises((ConnectionError, TimeoutError)):
        client.query("*IDN?")
        client.query("*IDN?")
    fresh = connect(sim)
    assert fresh.query("*TST?") == "0"


def test_dropped_connection_ends_a_pending_opc(start_sim, socket_client):
    sim = start_sim(time_scale=1.0)
    client = socket_client(sim, timeout=2.0)
    client.write("MOT:SPE 1;PAN1:POS 100;*OPC?")
    time.sleep(0.05)
    sim.faults.drop_connection()
    with pytest.raises(ConnectionError):
        client.read()


@pytest.mark.parametrize(
    ("count", "queued", "last"), [(1, 1, -222), (10, 10, -222), (15, 10, -350)]
)
def test_error_burst(start_sim, connect, count, queued, last):
    sim = start_sim()
    client = connect(sim)
    sim.faults.error_burst(count)
    assert client.query("SYST:ERR:COUN?") == str(queued)
    replies = [client.query("SYST:ERR?") for _ in range(queued)]
    assert replies[-1].startswith(f"{last},")
    assert set(replies[:-1]) <= {'-222,"Data out of range"'}
    assert client.query("SYST:ERR?") == NO_ERROR


def test_error_burst_of_another_code(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.error_burst(2, code=201)
    assert client.query("SYST:ERR?;SYST:ERR?;*ESR?") == (
        '201,"Obstruction detected";201,"Obstruction detected";8'
    )


def test_error_burst_rejects_unknown_codes_and_negative_counts(start_sim):
    sim = start_sim()
    with pytest.raises(ValueError):
        sim.faults.error_burst(1, code=-999)
    with pytest.raises(ValueError):
        sim.faults.error_burst(-1)


def test_obstruction_rejects_impossible_places(start_sim):
    sim = start_sim("SR-FD600")
    with pytest.raises(ValueError):
        sim.faults.obstruction(panel=2, position=40)
    with pytest.raises(ValueError):
        sim.faults.obstruction(panel=1, position=101)
    from ivi_conform.sim import Axis

    with pytest.raises(ValueError):
        sim.faults.obstruction(panel=1, position=40, axis=Axis.TILT)


def test_clear_switches_every_fault_off(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.no_reply(True)
    sim.faults.garbled_reply(True)
    sim.faults.slow_reply(5)
    sim.faults.overtemperature(True)
    sim.faults.obstruction(panel=1, position=10)
    sim.faults.error_burst(1)
    sim.faults.clear()
    assert client.query("SYST:ERR?") == '-222,"Data out of range"'  # queued errors stay
    client.write("MOT:SPE 50;PAN1:POS 50")
    assert client.query("*OPC?;PAN1:POS?;:SYST:ERR?") == f"1;50;{NO_ERROR}"


def test_faults_are_not_reachable_through_scpi(start_sim, connect):
    client = connect(start_sim())
    for message in ("FAULT:NOREPLY ON", "SIM:FAULT:DROP", "FAUL:OVER 1", "DIAG:OBST 1,40"):
        client.write(message)
        assert client.query("SYST:ERR?") == '-113,"Undefined header"'


# --- trace


def test_trace_records_every_message_in_and_out(start_sim, socket_client):
    sim = start_sim()
    client = socket_client(sim)
    client.query("*IDN?")
    client.write("PAN1:POS abc")
    client.write_raw(b"PAN:COUN?\r\n")
    client.read()
    trace = sim.trace
    me = f"127.0.0.1:{client.local_port}"
    assert [(e.client, e.direction, e.message) for e in trace] == [
        (me, "in", "*IDN?"),
        (me, "out", sim.instrument.identity),
        (me, "in", "PAN1:POS abc"),
        (me, "in", "PAN:COUN?"),
        (me, "out", "2"),
    ]
    times = [e.time for e in trace]
    assert times == sorted(times)
    assert 0 <= times[0] < 10
    sim.clear_trace()
    assert sim.trace == []


def test_trace_through_pyvisa_shows_the_garbled_reply(start_sim, live_resource):
    sim = start_sim()
    resource = live_resource(sim)
    sim.faults.garbled_reply(True)
    reply = resource.query("*TST?")
    assert [(e.direction, e.message) for e in sim.trace] == [("in", "*TST?"), ("out", reply)]
    assert reply == rot47("0")


def test_trace_is_a_snapshot(start_sim, socket_client):
    sim = start_sim()
    client = socket_client(sim)
    snapshot = sim.trace
    client.query("*TST?")
    assert snapshot == []
    assert len(sim.trace) == 2


def test_trace_limit_keeps_the_newest_entries(start_sim, socket_client):
    sim = start_sim(trace_limit=3)
    client = socket_client(sim)
    for n in range(3):
        client.query(f"PAN{1 + n % 2}:POS?")
    assert [e.message for e in sim.trace] == ["0", "PAN1:POS?", "0"]
