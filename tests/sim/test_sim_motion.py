"""Timing, *OPC?, anti-pinch, overtemperature and concurrency of the live simulator.

Motion runs on the simulator's clock; ``time_scale`` makes it run faster than
the wall clock so the tests see real intermediate positions and still finish
in a fraction of a second.
"""

from __future__ import annotations

import threading
import time

import pytest

NO_ERROR = '0,"No error"'


def test_motion_reads_intermediate_positions_and_moving(start_sim, connect):
    sim = start_sim(time_scale=1.0)
    client = connect(sim)
    client.write("MOT:SPE 10;PAN1:POS 100")
    time.sleep(0.3)
    position, state = client.query("PAN1:POS?;STAT?").split(";")
    assert state == "MOVING"
    assert 1 <= int(position) <= 20
    assert float(client.query("MOT:CURR?")) > 1.0
    time.sleep(0.2)
    assert int(client.query("PAN1:POS?")) > int(position)
    client.write("PAN1:STOP")
    stopped = client.query("PAN1:POS?;STAT?")
    assert stopped.endswith(";STOPPED")
    time.sleep(0.2)
    assert client.query("PAN1:POS?;STAT?") == stopped
    assert client.query("MOT:CURR?") == "0.05"


@pytest.mark.parametrize(("speed", "distance"), [(50, 100), (25, 100), (50, 40)])
def test_opc_answers_when_motion_has_taken_distance_over_speed(
    start_sim, connect, speed, distance
):
    scale = 10.0
    client = connect(start_sim(time_scale=scale))
    client.write(f"MOT:SPE {speed}")
    start = time.monotonic()
    assert client.query(f"PAN1:POS {distance};*OPC?") == "1"
    elapsed = time.monotonic() - start
    expected = distance / speed / scale
    assert expected * 0.9 <= elapsed <= expected + 0.5
    assert client.query("PAN1:POS?;STAT?") == f"{distance};OPEN"


def test_speed_change_applies_to_motion_under_way(start_sim, socket_client):
    sim = start_sim(time_scale=10.0)
    client = socket_client(sim)
    client.write("MOT:SPE 5;PAN1:POS 100")
    time.sleep(0.05)
    client.write("MOT:SPE 50")
    start = time.monotonic()
    assert client.query("*OPC?") == "1"
    assert time.monotonic() - start < 0.5  # 100 % at 5 %/s would take 2 s of wall clock


def test_both_panels_and_the_shade_move_together(start_sim, connect):
    sim = start_sim(time_scale=10.0)
    client = connect(sim)
    client.write("MOT:SPE 50;PAN1:POS 100;PAN2:TILT 100;:SHAD:POS 100")
    assert client.query("PAN1:STAT?;:PAN2:STAT?") == "MOVING;MOVING"
    current = float(client.query("MOT:CURR?"))
    assert current == pytest.approx(0.05 + 3 * (0.8 + 0.06 * 50))
    start = time.monotonic()
    assert client.query("*OPC?") == "1"
    assert time.monotonic() - start < 0.5  # in parallel: 0.2 s, not 0.6 s
    assert client.query("PAN1:STAT?;:PAN2:STAT?;:SHAD:POS?") == "OPEN;VENTED;100"


def test_retarget_while_moving(start_sim, connect):
    client = connect(start_sim(time_scale=1.0))
    client.write("MOT:SPE 50;PAN1:POS 100")
    time.sleep(0.1)
    client.write("PAN1:POS 0")
    assert client.query("*OPC?") == "1"
    assert client.query("PAN1:POS?;STAT?") == "0;CLOSED"


def test_interlock_counts_a_panel_on_its_way_to_tilting(start_sim, connect):
    client = connect(start_sim(time_scale=1.0))
    client.write("MOT:SPE 1;PAN1:TILT 50")
    client.write("PAN1:POS 10")
    assert client.query("SYST:ERR?") == '-221,"Settings conflict"'


def test_opc_does_not_block_other_clients(start_sim, socket_client):
    sim = start_sim(time_scale=1.0)
    waiting = socket_client(sim, timeout=5.0)
    other = socket_client(sim)
    waiting.write("MOT:SPE 50;PAN1:POS 30;*OPC?")  # 0.6 s
    time.sleep(0.05)
    start = time.monotonic()
    assert other.query("PAN1:STAT?") == "MOVING"
    assert other.query("*IDN?").startswith("Skylight Test Systems,")
    assert time.monotonic() - start < 0.2
    assert waiting.read() == "1"
    assert other.query("PAN1:STAT?") == "OPEN"


def test_opc_waits_for_motion_started_by_another_client(start_sim, socket_client):
    sim = start_sim(time_scale=1.0)
    mover, asker = socket_client(sim), socket_client(sim)
    mover.write("MOT:SPE 50;PAN2:POS 20")  # 0.4 s
    assert mover.query("*OPC?") == "1"
    mover.write("PAN2:POS 0")
    time.sleep(0.05)
    start = time.monotonic()
    assert asker.query("*OPC?") == "1"
    assert time.monotonic() - start >= 0.2
    assert asker.query("PAN2:POS?") == "0"


def test_wait_idle_helper(start_sim, socket_client):
    sim = start_sim(time_scale=1.0)
    client = socket_client(sim)
    client.write("MOT:SPE 50;PAN1:POS 20")
    assert client.query("PAN1:STAT?") == "MOVING"
    assert sim.wait_idle(timeout=0.01) is False
    assert sim.wait_idle(timeout=2.0) is True
    assert sim.instrument.position(1) == 20


# --- anti-pinch


@pytest.mark.parametrize(
    ("start", "target", "obstacle", "stop_at"),
    [(100, 0, 40, 50), (0, 100, 40, 30), (30, 0, 5, 15), (60, 100, 100, 90)],
)
def test_anti_pinch_reverses_and_blocks(start_sim, connect, start, target, obstacle, stop_at):
    sim = start_sim()
    client = connect(sim)
    client.write(f"MOT:SPE 50;PAN1:POS {start}")
    assert client.query("*OPC?") == "1"
    sim.faults.obstruction(panel=1, position=obstacle)
    client.write(f"PAN1:POS {target}")
    assert client.query("*OPC?") == "1"
    assert client.query("PAN1:POS?;STAT?") == f"{stop_at};BLOCKED"
    assert client.query("PINC:EVEN?") == "1"
    assert client.query("SYST:ERR?") == '201,"Obstruction detected"'
    assert client.query("SYST:ERR?") == NO_ERROR
    assert client.query("PINC:EVEN?") == "1"  # latched until *CLS
    client.write("*CLS")
    assert client.query("PINC:EVEN?") == "0"


def test_anti_pinch_on_the_rear_panel_only(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.obstruction(panel=2, position=40)
    client.write("MOT:SPE 50;PAN1:POS 100;PAN2:POS 100")
    assert client.query("*OPC?") == "1"
    assert client.query("PAN1:POS?;STAT?;:PAN2:POS?;STAT?") == "100;OPEN;30;BLOCKED"


def test_anti_pinch_on_tilt_of_top_mount(start_sim, connect):
    sim = start_sim("SR-TM500")
    client = connect(sim)
    client.write("MOT:SPE 50;PAN1:TILT 80")
    assert client.query("*OPC?") == "1"
    sim.faults.obstruction(panel=1, position=20)
    client.write("PAN1:TILT 0")
    assert client.query("*OPC?;PAN1:TILT?;STAT?") == "1;30;BLOCKED"


def test_blocked_panel_moves_again_when_commanded(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.obstruction(panel=1, position=40)
    client.write("MOT:SPE 50;PAN1:POS 100")
    assert client.query("*OPC?;PAN1:STAT?") == "1;BLOCKED"
    client.write("PAN1:POS 0")
    assert client.query("*OPC?;PAN1:POS?;STAT?") == "1;0;CLOSED"
    sim.faults.obstruction(panel=1, position=None)
    client.write("PAN1:POS 100")
    assert client.query("*OPC?;PAN1:POS?;STAT?") == "1;100;OPEN"


def test_without_anti_pinch_the_panel_stalls_at_the_obstruction(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    sim.faults.obstruction(panel=1, position=40)
    client.write("PINC:STAT OFF;:MOT:SPE 50;:PAN1:POS 100")
    assert client.query("*OPC?") == "1"
    assert client.query("PAN1:POS?;STAT?") == "40;STOPPED"
    assert client.query("PINC:EVEN?;:SYST:ERR:COUN?") == "0;0"


def test_pinch_trip_happens_while_moving(start_sim, socket_client):
    sim = start_sim(time_scale=1.0)
    client = socket_client(sim)
    sim.faults.obstruction(panel=1, position=10)
    client.write("MOT:SPE 25;PAN1:POS 100")
    time.sleep(0.6)  # reaches 10 after 0.4 s, is back at 0 after 0.8 s
    assert client.query("PINC:EVEN?;:PAN1:STAT?") == "1;MOVING"
    assert sim.wait_idle(2.0)
    assert client.query("PAN1:POS?;STAT?") == "0;BLOCKED"


# --- overtemperature


def test_overtemperature_refuses_motion_until_it_cools(start_sim, connect):
    sim = start_sim()
    client = connect(sim)
    assert float(client.query("MOT:TEMP?")) < 85.0
    sim.faults.overtemperature(True)
    assert float(client.query("MOT:TEMP?")) > 85.0
    for command in ("PAN1:POS 10", "PAN2:TILT 10", "SHAD:POS 10"):
        client.write(command)
        assert client.query("SYST:ERR?") == '202,"Motor overtemperature"'
    client.write("MOT:SPE 50;PINC:THR 50;:PAN1:STOP;POS 0")  # not motion: accepted
    assert client.query("SYST:ERR:COUN?;:MOT:SPE?") == "0;50"
    sim.faults.overtemperature(False)
    assert float(client.query("MOT:TEMP?")) < 85.0
    client.write("PAN1:POS 10")
    assert client.query("*OPC?;PAN1:POS?;:SYST:ERR?") == f"1;10;{NO_ERROR}"


def test_overtemperature_cuts_off_motion_under_way(start_sim, connect):
    sim = start_sim(time_scale=1.0)
    client = connect(sim)
    client.write("MOT:SPE 10;PAN1:POS 100")
    time.sleep(0.1)
    sim.faults.overtemperature(True)
    assert client.query("*OPC?;PAN1:STAT?") == "1;STOPPED"
    assert client.query("SYST:ERR?") == '202,"Motor overtemperature"'
    assert client.query("*ESR?") == "8"


def test_temperature_rises_while_moving(start_sim, socket_client):
    sim = start_sim(time_scale=50.0)
    client = socket_client(sim)
    idle = float(client.query("MOT:TEMP?"))
    assert idle == 25.0
    for _ in range(3):
        client.write("MOT:SPE 50;PAN1:POS 100;PAN2:POS 100")
        assert client.query("*OPC?") == "1"
        client.write("PAN1:POS 0;:PAN2:POS 0")
        assert client.query("*OPC?") == "1"
    warm = float(client.query("MOT:TEMP?"))
    assert 25.0 < warm < 85.0


# --- several clients


def test_several_clients_at_once(start_sim, socket_client):
    sim = start_sim()
    identity = sim.instrument.identity
    clients = [socket_client(sim) for _ in range(8)]
    failures: list[str] = []

    def hammer(client, number):
        for i in range(40):
            panel = 1 + (number + i) % 2
            reply = client.query(f"*IDN?;:PAN{panel}:COUN?;:SYST:ERR:COUN?")
            if reply != f"{identity};2;0":
                failures.append(reply)

    threads = [threading.Thread(target=hammer, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({entry.client for entry in sim.trace}) == 8


def test_settings_are_shared_between_clients(start_sim, connect):
    sim = start_sim()
    first, second = connect(sim), connect(sim)
    first.write("MOT:SPE 42")
    assert second.query("MOT:SPE?") == "42"
    second.write("FOO")
    assert first.query("SYST:ERR?") == '-113,"Undefined header"'
