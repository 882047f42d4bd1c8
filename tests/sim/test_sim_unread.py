"""A message the simulator has not read yet keeps an exercise waiting (a loaded machine).

The exercises attribute the simulator's trace to the driver's calls by
waiting for the trace to be still after each call. On a loaded machine the
simulator's thread may not run for longer than that wait, and a message the
driver had written was then recorded during the next call: a conformant
driver was charged with the next call's status query. The wait now also
asks the simulator what has arrived unread (:meth:`LiveSimulator.unread`).
Here the simulator's event loop is held busy while a client writes.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from ivi_conform.behaviour.exercises import quiesce
from ivi_conform.sim import LiveSimulator


def _hold(simulator: LiveSimulator, seconds: float) -> None:
    """Keep the simulator's event loop from running for ``seconds`` (as a busy CPU would)."""
    loop = simulator._loop
    assert loop is not None
    loop.call_soon_threadsafe(time.sleep, seconds)
    time.sleep(0.02)  # the loop has taken the call and sleeps in it


def test_a_message_not_yet_read_is_waited_for(
        start_sim: Callable[..., LiveSimulator]) -> None:
    simulator = start_sim()
    with socket.create_connection(("127.0.0.1", simulator.port), timeout=2.0) as client:
        client.sendall(b"*CLS\n")
        quiesce(simulator)
        assert [entry.message for entry in simulator.trace] == ["*CLS"]
        assert simulator.unread() == 0

        _hold(simulator, 0.3)
        client.sendall(b"MOT:SPE 20\n")
        time.sleep(0.01)
        assert simulator.unread() > 0, "arrived, not read: the loop is held"
        quiesce(simulator)
        assert [entry.message for entry in simulator.trace] == ["*CLS", "MOT:SPE 20"], \
            "the wait lasted until the simulator read it"
        assert simulator.unread() == 0


def test_a_partial_line_does_not_hold_the_wait(
        start_sim: Callable[..., LiveSimulator]) -> None:
    """Half a message waits for the driver, not for the simulator: it is not counted."""
    simulator = start_sim()
    with socket.create_connection(("127.0.0.1", simulator.port), timeout=2.0) as client:
        client.sendall(b"MOT:SP")
        deadline = time.monotonic() + 2.0
        while simulator.unread() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert simulator.unread() == 0
        started = time.monotonic()
        quiesce(simulator)
        assert time.monotonic() - started < 0.4
