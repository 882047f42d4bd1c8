"""The late-read fault: one message waits unread, as on a loaded machine, then is served.

A simulator thread that is not scheduled leaves what a client sent unread;
the client may time out meanwhile and find the reply later. The fault holds
one chosen message that way, counted by :meth:`LiveSimulator.unread` until it
is read, so that the exercises' waits treat it as the loaded machine's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ivi_conform.sim import LiveSimulator

LATE_S = 1.0


def _read_when(simulator: LiveSimulator, message: str) -> float:
    """When the trace shows ``message`` read (seconds since the simulator started)."""
    return next(entry.time for entry in simulator.trace
                if entry.direction == "in" and entry.message == message)


def test_the_chosen_message_is_read_late_and_answered_then(
        start_sim: Callable[..., LiveSimulator],
        socket_client: Callable[..., Any]) -> None:
    simulator = start_sim()
    client = socket_client(simulator, timeout=0.1)
    simulator.faults.late_read("mot:spe?", LATE_S, skip=1)
    assert client.query("MOT:SPE?") == "20", "the first one is let through"
    sent = time.monotonic()
    client.write("MOT:SPE?")
    time.sleep(0.05)
    assert simulator.unread() > 0, "held: not read yet"
    assert [entry.message for entry in simulator.trace].count("MOT:SPE?") == 1
    with pytest.raises(TimeoutError):
        client.read()
    client.set_timeout(2.0)
    assert client.read() == "20", "the late reply still comes"
    assert time.monotonic() - sent >= LATE_S
    assert simulator.unread() == 0


def test_later_messages_wait_behind_it_and_it_fires_once(
        start_sim: Callable[..., LiveSimulator],
        socket_client: Callable[..., Any]) -> None:
    simulator = start_sim()
    client = socket_client(simulator, timeout=2.0)
    simulator.faults.late_read("*TST?", LATE_S)
    client.write("*TST?")
    client.write("PAN:COUN?")
    assert (client.read(), client.read()) == ("0", "2")
    assert _read_when(simulator, "PAN:COUN?") >= _read_when(simulator, "*TST?")
    started = time.monotonic()
    assert client.query("*TST?") == "0"
    assert time.monotonic() - started < LATE_S, "only the first one was late"


def test_clear_cancels_it_and_a_negative_delay_is_refused(
        start_sim: Callable[..., LiveSimulator],
        socket_client: Callable[..., Any]) -> None:
    simulator = start_sim()
    client = socket_client(simulator, timeout=2.0)
    simulator.faults.late_read("*TST?", 5.0)
    simulator.faults.clear()
    started = time.monotonic()
    assert client.query("*TST?") == "0"
    assert time.monotonic() - started < 1.0
    with pytest.raises(ValueError):
        simulator.faults.late_read("*TST?", -1.0)
    with pytest.raises(ValueError):
        simulator.faults.late_read("*TST?", 1.0, skip=-1)
