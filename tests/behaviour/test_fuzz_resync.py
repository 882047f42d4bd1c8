"""A reply the simulator sends late is never judged against the driver (exceptions-only).

The hypothesis exploration of run-errors-exceptions-only sets the driver's
I/O timeout to 500 ms, and on a loaded machine the simulator may read a good
query later than that: the driver raises (allowed), and the reply it then
gets late waits on its connection for the next query. The verdict flipped
with the machine's load. Here one query of the seeded exploration is read
late on purpose (:meth:`~ivi_conform.sim.live.Faults.late_read`, 0.8 s), and
the rule failed before the exploration resynchronised after a step that
raised slowly:

- the reference driver's reading back of ``PINC:STAT 0`` (the second
  ``PINC:STAT?``) timed out: "reading it back raised IoTimeoutError". It is
  now read again once the simulator has caught up.
- skglass (a corpus driver that does not resynchronise by itself) timed out
  on ``self_test()`` (``*TST?``); the replies that came late were then read
  by its next queries, each reading an earlier query's reply, until a status
  check missed an error: "the set returned normally while the instrument
  queued error -221". The late replies are now read off the connection
  (through the driver's Direct I/O) and never judged.

The drain itself is ivi-conform's, best effort: short reads, bounded, the
driver's timeout restored, and a driver without a usable Direct I/O left as
it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ivi_conform.behaviour import explore
from ivi_conform.behaviour.harness import Harness
from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import RuleResult, run_audit
from ivi_conform.model import Outcome
from ivi_conform.sim import LiveSimulator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RULE = next(rule for rule in load_catalog() if rule.id == "run-errors-exceptions-only")

#: Later than the exploration's I/O timeout (500 ms), earlier than the reference's own
#: resynchronisation gives up (1 s more): the driver raises and is in step again.
LATE_S = 0.8


def _audit_with_a_late_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driver: str,
                            command: str, skip: int) -> RuleResult:
    """The rule's result on ``driver``, the simulator reading one query late."""
    simulator_of = Harness.simulator

    @contextlib.contextmanager
    def late(harness: Harness, *args: Any, **kwargs: Any) -> Iterator[LiveSimulator]:
        with simulator_of(harness, *args, **kwargs) as simulator:
            simulator.faults.late_read(command, LATE_S, skip)
            yield simulator

    monkeypatch.setattr(Harness, "simulator", late)
    work = tmp_path / "work"
    work.mkdir()
    context = AuditContext(load(str(FIXTURES / driver), work_dir=work),
                           AuditConfig(timeout_s=120.0), work)
    [result] = run_audit(context, [RULE]).results
    return result


@pytest.mark.parametrize(("driver", "command", "skip", "drained"), [
    ("reference", "PINC:STAT?", 1, False),
    ("corpus/skglass", "*TST?", 0, True),
], ids=["reference-reads-back-late", "skglass-left-a-late-reply"])
def test_a_query_the_simulator_read_late_is_not_charged_to_the_driver(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driver: str, command: str, skip: int,
        drained: bool) -> None:
    result = _audit_with_a_late_read(tmp_path, monkeypatch, driver, command, skip)
    details = [evidence.detail for evidence in result.evidence]
    assert result.outcome is Outcome.PASS, (result.message, details)
    resyncs = [detail for detail in details if "resynchronised" in detail]
    assert resyncs, f"the late read made no step slow: {details}"
    # the reference resynchronises by itself: it leaves nothing for the drain to read
    assert ("resynchronised: 0 late" not in resyncs[0]) is drained, resyncs


class DirectIo:
    """A driver's Direct I/O with ``waiting`` messages on its connection."""

    def __init__(self, *waiting: bytes) -> None:
        self.io_timeout_ms = 5000
        self.waiting = list(waiting)
        #: The I/O timeout each read was made with.
        self.reads: list[int] = []

    def read_bytes(self) -> bytes:
        self.reads.append(self.io_timeout_ms)
        if not self.waiting:
            raise TimeoutError("no reply within the I/O timeout")
        return self.waiting.pop(0)


class Driver:
    """A driver's root, whose Direct I/O the drain reaches by name."""

    def __init__(self, direct: object) -> None:
        self.ivi_direct_io = direct


def test_the_drain_reads_what_waits_with_a_short_timeout_then_restores_it() -> None:
    direct = DirectIo(b"20", b'0,"No error"')
    assert explore.drain(Driver(direct)) == 2
    assert direct.reads == [explore.DRAIN_TIMEOUT_MS] * 3
    assert direct.io_timeout_ms == 5000


def test_the_drain_is_bounded_and_leaves_a_driver_without_direct_io_as_it_is() -> None:
    endless = DirectIo(*[b"1"] * (explore.DRAIN_READS + 5))
    assert explore.drain(Driver(endless)) == explore.DRAIN_READS
    assert endless.io_timeout_ms == 5000
    assert explore.drain(object()) == 0
    assert explore.drain(Driver(object())) == 0


class _Level:
    """A driver of one settable property, its value kept as set."""

    def __init__(self) -> None:
        self._level = 0

    @property
    def level(self) -> int:
        return self._level

    @level.setter
    def level(self, value: int) -> None:
        self._level = value


def _explored(errors_on: set[int], io_timeout_ms: int | None) -> dict[str, Any]:
    """``fuzz`` on :class:`_Level`, the parent seeing a queued error at those observations."""
    observations = iter(range(10_000))

    def ask(name: str, **_: object) -> object:
        if name == "observe":
            queued = next(observations) in errors_on
            return {"errors": [[-222, "Data out of range"]] if queued else [], "sent": []}
        return 0 if name == "mark" else True

    request: dict[str, Any] = {
        "members": [{"path": "level", "kind": "property", "settable": True, "type": "int"}],
        "seed": 20260226, "max_examples": 12, "budget_s": 60.0, "io_timeout_ms": io_timeout_ms}
    return explore.fuzz(_Level(), request, ask, lambda value: value)


def test_a_failure_is_charged_only_if_it_shows_again_on_a_quiet_connection() -> None:
    """An error queued by another step's message, read late by the simulator, showed at one
    observation: made again after a resynchronisation, the step agrees, and nothing is
    charged. A driver that hides every error fails on the replay too."""
    late = _explored({0}, io_timeout_ms=500)
    assert late["failures"] == [] and late["unconfirmed"] == 1
    always = _explored(set(range(10_000)), io_timeout_ms=500)
    assert [failure["member"] for failure in always["failures"]] == ["level"]
    assert always["unconfirmed"] == 0
    unchecked = _explored({0}, io_timeout_ms=None)  # no resynchronisation: charged at once
    assert [failure["member"] for failure in unchecked["failures"]] == ["level"]
