"""What the behavioural exercises observed, rule by rule, for the ``run-*`` checks to judge.

An exercise records an :class:`Observation` per rule: the problems it saw
(each with its evidence: the API member and what happened, often the
simulator's trace), or why the rule could not be judged. The exercises run
lazily, one rule at a time, so that a pytest-xdist worker that judges one
runtime rule pays for that rule's exercise only (and the shared probe).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ivi_conform.model import Evidence, Finding
from ivi_conform.needs import Unmet


@dataclass
class Observation:
    """One rule's exercise: problems seen, or the reason it was not judged."""

    rule: str
    ok: str = ""
    bad: str = "{n} problems"
    problems: list[Evidence] = field(default_factory=list)
    notes: list[Evidence] = field(default_factory=list)
    skip: str | None = None
    error: str | None = None
    fatal: str | None = None  # the driver kept the rule from being judged (hang, crash)
    #: ivi-conform could not provide what the rule needs (an instrument, time, options).
    not_judged: str | None = None
    #: A prerequisite defect that another rule charges: (that rule's id, what happened).
    charged: tuple[str, str] | None = None

    def problem(self, where: str, detail: str, trace: Iterable[str] = (),
                reproducer: str = "") -> None:
        """Record one violation of the rule, with the I/O it saw and how to reproduce it."""
        self.problems.append(Evidence(where, None, detail, tuple(trace), reproducer))

    def note(self, where: str, detail: str, trace: Iterable[str] = ()) -> None:
        """Record evidence that supports a pass (a value seen, the I/O that shows it)."""
        self.notes.append(Evidence(where, None, detail, tuple(trace)))

    def finding(self) -> Finding:
        """The finding a check returns for this observation."""
        if self.error is not None:
            return Finding.errored(self.error)
        if self.not_judged is not None:
            return Finding.not_judged(self.not_judged)
        if self.charged is not None:
            return Unmet(self.charged[1], self.charged[0]).finding()
        if self.fatal is not None:
            return Finding.failed(self.fatal, tuple(self.problems))
        if self.skip is not None:
            return Finding.skipped(self.skip)
        if self.problems:
            return Finding.judge(self.problems, self.ok, self.bad)
        return Finding.passed(self.ok or "held", tuple(self.notes))


#: Told of each stage of the behavioural run as it starts ("exercise reset_on_init", ...).
StageObserver = Callable[[str], None]


def unobserved(stage: str) -> None:
    """The stage observer of a run nobody watches."""


@dataclass(frozen=True)
class Run:
    """One instrument the driver was run against, as the run itself saw it.

    The identity is what the instrument answered to ``*IDN?`` (empty when
    the driver never asked); ``visa_library`` is what the child's pyvisa was
    told to use, ``simulation`` whether the driver's own simulation mode was
    on. The report's test setups are written from these, not from evidence.
    """

    model: str
    manufacturer: str
    firmware: str
    serial: str
    resource: str
    bus: str
    visa_library: str
    visa_version: str
    simulation: bool


class RuntimeResults:
    """The behavioural run of one audit: each rule's observation, computed on first use.

    ``run`` is the runner's function that exercises one rule; it is called at
    most once per rule, under a lock (pytest-xdist uses processes, but a
    caller may share one context between threads).
    """

    def __init__(self, run: Callable[[str, StageObserver], Observation],
                 describe: Callable[[], list[str]], close: Callable[[], None],
                 stages: dict[str, float] | None = None,
                 runs: dict[tuple[str, bool], Run] | None = None) -> None:
        self._run = run
        self._describe = describe
        self._close = close
        #: Seconds spent in the shared stages (install, child starts, imports, probe).
        self.stages: dict[str, float] = stages if stages is not None else {}
        #: The instruments the driver was run against, one per (model, simulation).
        self._runs: dict[tuple[str, bool], Run] = runs if runs is not None else {}
        self._done: dict[str, Observation] = {}
        self._lock = threading.Lock()
        #: Seconds each rule's exercise took (the first also pays the shared stages).
        self.timings: dict[str, float] = {}

    def observe(self, rule_id: str, progress: StageObserver = unobserved) -> Observation:
        """The observation of ``rule_id``, exercising the driver if not yet done.

        ``progress`` is told of each stage of the exercise (the installation, a
        child's start, each simulator): a face shows it, so that a long exercise
        is not one silent stretch.
        """
        with self._lock:
            if rule_id not in self._done:
                started = time.perf_counter()
                self._done[rule_id] = self._run(rule_id, progress)
                self.timings[rule_id] = time.perf_counter() - started
            return self._done[rule_id]

    def finding(self, rule_id: str, progress: StageObserver = unobserved) -> Finding:
        """The finding of ``rule_id`` (what its check returns)."""
        return self.observe(rule_id, progress).finding()

    @property
    def runs(self) -> list[Run]:
        """The instruments the driver was run against so far, by model and simulation."""
        return [self._runs[key] for key in sorted(self._runs)]

    def close(self) -> None:
        """End the child (exercises still to come start a new one)."""
        with self._lock:
            self._close()

    def setup_notes(self) -> list[str]:
        """How the driver was run: installation, interpreter, confinement, simulation options.

        The stage timings are not among them: they are :attr:`stages`, which the
        processes of a pytest-xdist run add up, where a note would be per process.
        """
        return self._describe()
