"""The vocabulary every part of ivi-conform shares: outcomes, findings, verdicts.

A check says only what it saw (``pass``, ``fail``, ``skip``, ``not-judged`` or
``error``); the engine turns a failed *should* into ``warn``. Keeping that
mapping out of the checks means a rule's level lives in one place, its catalog
entry.

``skip`` and ``not-judged`` differ on purpose: a skipped rule does not apply to
this driver (or cannot be judged because of a defect another rule already
charges), while a rule that was not judged might still be broken: ivi-conform
could not provide what it needs (an instrument, enough time, the option that
switches simulation on). Only the second leaves the verdict incomplete.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Level(enum.StrEnum):
    """How binding a rule is: the spec's "shall" or "should"."""

    SHALL = "shall"
    SHOULD = "should"


class Judged(enum.StrEnum):
    """How a rule is judged: from files alone, by running the driver, or not at all."""

    STATIC = "static"
    RUNTIME = "runtime"
    MANUAL = "manual"


class Outcome(enum.StrEnum):
    """The end of one rule in one audit."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    NOT_JUDGED = "not-judged"
    ERROR = "error"


class Verdict(enum.StrEnum):
    """The audit's answer: conformant, non-conformant or incomplete."""

    CONFORMANT = "conformant"
    NON_CONFORMANT = "non-conformant"
    INCOMPLETE = "incomplete"

    @property
    def exit_code(self) -> int:
        """The command line's exit status for this verdict."""
        return {"conformant": 0, "non-conformant": 1, "incomplete": 3}[self.value]


@dataclass(frozen=True)
class Evidence:
    """One place that supports a finding: a file and line, and what is there.

    A behavioural rule adds what went over the wire (``trace``: one exchange a
    line, ``> sent`` or ``< reply``) and the hypothesis reproducer of a fuzzed
    failure (``reproducer``) as fields of their own, so that each rendering
    shows them as it likes (a block, a property, a quoted line) without
    reading them back out of the sentence.
    """

    file: str
    line: int | None = None
    detail: str = ""
    trace: tuple[str, ...] = ()
    reproducer: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.detail}" if self.detail else where


@dataclass(frozen=True)
class Finding:
    """What a check saw: an outcome, a one-line message and its evidence."""

    outcome: Outcome
    message: str
    evidence: tuple[Evidence, ...] = field(default=())

    @classmethod
    def passed(cls, message: str, evidence: tuple[Evidence, ...] = ()) -> Finding:
        """The rule holds."""
        return cls(Outcome.PASS, message, evidence)

    @classmethod
    def failed(cls, message: str, evidence: tuple[Evidence, ...] = ()) -> Finding:
        """The rule is broken; the evidence says where."""
        return cls(Outcome.FAIL, message, evidence)

    @classmethod
    def skipped(cls, reason: str) -> Finding:
        """The rule does not apply to this driver; the reason says why."""
        return cls(Outcome.SKIP, reason)

    @classmethod
    def not_judged(cls, reason: str) -> Finding:
        """ivi-conform could not provide what the rule needs; the reason says what would."""
        return cls(Outcome.NOT_JUDGED, reason)

    @classmethod
    def errored(cls, message: str) -> Finding:
        """ivi-conform could not judge the rule; never counted against the driver."""
        return cls(Outcome.ERROR, message)

    @classmethod
    def judge(cls, problems: list[Evidence], ok: str, bad: str) -> Finding:
        """Pass with ``ok`` when ``problems`` is empty, else fail with ``bad`` and them.

        ``bad`` may hold ``{n}``, the number of problems. Every problem is kept
        as evidence (the report is the full record); the console abbreviates.
        """
        if not problems:
            return cls.passed(ok)
        return cls.failed(bad.format(n=len(problems)), tuple(problems))
