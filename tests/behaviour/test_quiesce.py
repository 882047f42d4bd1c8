"""Waiting for the simulator to read what the driver wrote, without waiting twice.

A walk waits after each call and again before the next; the second wait
counts the stillness the first one saw (``seen``), unless the trace grew
in between. Timed against a stand-in simulator whose trace the test writes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from ivi_conform.behaviour.exercises import Stillness, quiesce
from ivi_conform.sim import TraceEntry

if TYPE_CHECKING:
    from ivi_conform.sim import LiveSimulator

UNANSWERED_WAIT_S = 0.06


class StandIn:
    """What :func:`quiesce` reads of a simulator: its trace; nothing has arrived unread."""

    def __init__(self, *messages: tuple[str, str]) -> None:
        self.trace = [TraceEntry(0.0, "driver", direction, message)  # type: ignore[arg-type]
                      for direction, message in messages]

    def unread(self) -> int:
        return 0


def _timed(simulator: StandIn, seen: Stillness | None = None) -> tuple[float, Stillness]:
    started = time.monotonic()
    still = quiesce(cast("LiveSimulator", simulator), seen=seen)
    return time.monotonic() - started, still


def test_a_write_without_a_reply_is_waited_for_once() -> None:
    simulator = StandIn(("in", "MOT:SPE 30"))
    first, still = _timed(simulator)
    assert first >= UNANSWERED_WAIT_S and still.count == 1
    again, _ = _timed(simulator, still)
    assert again < UNANSWERED_WAIT_S / 2


def test_without_what_an_earlier_wait_saw_the_wait_starts_over() -> None:
    simulator = StandIn(("in", "MOT:SPE 30"))
    _timed(simulator)
    again, _ = _timed(simulator)
    assert again >= UNANSWERED_WAIT_S


def test_a_message_that_came_since_restarts_the_wait() -> None:
    simulator = StandIn(("in", "MOT:SPE?"), ("out", "30"))
    _, still = _timed(simulator)
    simulator.trace.append(TraceEntry(0.0, "driver", "in", "PAN1:POS 40"))
    again, after = _timed(simulator, still)
    assert again >= UNANSWERED_WAIT_S and after.count == 3

