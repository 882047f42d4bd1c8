"""The audit engine: one candidate, the catalog, a result per rule, a verdict.

The command line and the pytest plugin are two faces of this module. What a
check needs (the parsed source, the located driver, the behavioural run) is
computed lazily on the :class:`AuditContext` and at most once, so a pytest
worker that runs three rules pays only for what those three rules read.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ivi_conform import __version__
from ivi_conform.candidate import TargetError, load
from ivi_conform.catalog import SPEC_NAME, SPEC_VERSION, Rule, load_catalog
from ivi_conform.checks import registry
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.judges import mypy, ruff
from ivi_conform.memo import rule_tag
from ivi_conform.model import Evidence, Finding, Judged, Level, Outcome, Verdict
from ivi_conform.needs import unmet_need


@dataclass(frozen=True)
class RuleResult:
    """The end of one rule: outcome, message, evidence, and how long it took."""

    rule: Rule
    outcome: Outcome
    message: str
    evidence: tuple[Evidence, ...] = ()
    seconds: float = 0.0
    internal_error: str = ""


def _finding(rule: Rule, context: AuditContext, stages: Callable[[str], None]) -> Finding:
    """What the rule's check (static) or exercise (runtime) saw, after its needs."""
    if rule.judged is Judged.MANUAL:
        return Finding.skipped("judged by the vendor, not from the distribution")
    if rule.judged is Judged.RUNTIME and context.config.static_only:
        return Finding.not_judged("static audit: the driver was not run (audit without "
                                  "--static to judge this rule)")
    if rule.judged is Judged.RUNTIME:
        unmet = unmet_need(rule.needs, context)
        return unmet.finding() if unmet is not None else context.runtime.finding(rule.id, stages)
    check_function = registry().get(rule.id)
    if check_function is None:
        return Finding.errored(f"ivi-conform has no check for rule {rule.id}")
    tag = rule_tag(rule, check_function)
    remembered = context.memo.finding(rule.id, tag)
    if remembered is not None:
        return remembered
    unmet = unmet_need(rule.needs, context)
    finding = unmet.finding() if unmet is not None else check_function(context)
    context.memo.remember(rule.id, tag, finding)
    return finding


def _unwatched(stage: str) -> None:
    """The stages of a rule nobody watches."""


def judge(rule: Rule, context: AuditContext,
          stages: Callable[[str], None] = _unwatched) -> RuleResult:
    """Judge one rule; turn a failed "should" into ``warn``; catch our own bugs.

    An exception out of a check is ivi-conform's fault, never the driver's: the
    rule ends as ``error`` with the traceback kept for the report. ``stages``
    is told of each stage of a runtime rule's exercise as it starts.
    """
    started = time.perf_counter()
    try:
        finding = _finding(rule, context, stages)
    except Exception as exc:  # noqa: BLE001 - any bug of ours becomes an error result
        return RuleResult(
            rule,
            Outcome.ERROR,
            f"internal error in ivi-conform: {type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - started, internal_error=traceback.format_exc(),
        )
    outcome = finding.outcome
    if outcome is Outcome.FAIL and rule.level is Level.SHOULD:
        outcome = Outcome.WARN
    return RuleResult(
        rule, outcome, finding.message, finding.evidence, time.perf_counter() - started
    )


@dataclass(frozen=True)
class Progress:
    """Where a running audit is: what the command line shows while it waits.

    ``rule`` is the rule being judged (None while the candidate is loaded or
    built); ``done`` of ``total`` rules are judged. The engine knows nothing of
    terminals: a face passes an observer and draws what it likes.
    """

    stage: str
    rule: Rule | None
    done: int
    total: int


#: An observer of :class:`Progress`, called before each stage of an audit.
ProgressObserver = Callable[[Progress], None]


def _ignore(progress: Progress) -> None:
    """The observer of an audit nobody watches."""


def _stages(progress: ProgressObserver, rule: Rule, done: int,
            total: int) -> Callable[[str], None]:
    """The observer of one rule's stages, as :class:`Progress` of the audit."""

    def stage(what: str) -> None:
        progress(Progress(f"{rule.judged.value} rules, {what}", rule, done, total))

    return stage


def verdict_of(results: Iterable[RuleResult]) -> Verdict:
    """Conformant when every shall passes; non-conformant when one fails; else incomplete.

    A *shall* that ivi-conform could not judge (``not-judged``, ``error``) keeps
    the verdict from being conformant: a rule nobody checked has not passed.
    """
    shall = [result for result in results if result.rule.level is Level.SHALL]
    if any(result.outcome is Outcome.FAIL for result in shall):
        return Verdict.NON_CONFORMANT
    if any(result.outcome in (Outcome.ERROR, Outcome.NOT_JUDGED) for result in shall):
        return Verdict.INCOMPLETE
    return Verdict.CONFORMANT


@dataclass(frozen=True)
class AuditResult:
    """A finished audit: the candidate, every rule's result and the verdict.

    ``crash`` is the message and traceback of an exception of ivi-conform's
    own that ended the audit early (``context`` is None when it came before
    the candidate was loaded): every rule is then an error and the verdict
    incomplete, but the result, and so the report, still exists.
    """

    context: AuditContext | None
    results: tuple[RuleResult, ...]
    started: datetime
    seconds: float
    config: AuditConfig
    origin: str
    crash: tuple[str, str] | None = None

    @property
    def verdict(self) -> Verdict:
        """The audit's verdict (incomplete when ivi-conform crashed)."""
        return Verdict.INCOMPLETE if self.crash is not None else verdict_of(self.results)

    @property
    def exit_code(self) -> int:
        """The command line's exit status: the verdict's."""
        return self.verdict.exit_code

    def counts(self) -> dict[str, int]:
        """How many rules ended in each outcome."""
        counts = {outcome.value: 0 for outcome in Outcome}
        for result in self.results:
            counts[result.outcome.value] += 1
        return counts


def selected_rules(config: AuditConfig) -> tuple[Rule, ...]:
    """The catalog, narrowed to ``config.select`` when it names rules."""
    rules = load_catalog()
    if not config.select:
        return rules
    unknown = config.select - {rule.id for rule in rules}
    if unknown:
        raise ValueError(f"unknown rule id(s): {', '.join(sorted(unknown))}")
    return tuple(rule for rule in rules if rule.id in config.select)


def run_audit(context: AuditContext, rules: Sequence[Rule] | None = None,
              progress: ProgressObserver = _ignore) -> AuditResult:
    """Judge every rule (or ``rules``) against the candidate in ``context``."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    chosen = selected_rules(context.config) if rules is None else tuple(rules)
    judged: dict[int, RuleResult] = {}
    waiting = False
    try:
        for position in judging_order(chosen):
            rule = chosen[position]
            if rule.id in WAITING_ON_JUDGES and not waiting:
                waiting = True
                context.keep_facts()  # while ruff and mypy still work, not after them
            progress(Progress(f"{rule.judged.value} rules", rule, len(judged), len(chosen)))
            judged[position] = judge(rule, context, _stages(progress, rule, len(judged),
                                                            len(chosen)))
    finally:
        context.close()
    results = tuple(judged[position] for position in sorted(judged))  # the catalog's order
    return AuditResult(context, results, started, time.perf_counter() - clock,
                       context.config, context.dist.origin)


def _mypy_ahead(rules: Sequence[Rule]) -> bool:
    """Whether mypy may start beside the wheel's build: its rule is judged, by this process.

    Not in a pytest-xdist worker (the rules are shared out there; see
    :meth:`ivi_conform.context.AuditContext.judges_ahead`, which also waits
    for a large package: :func:`ivi_conform.judges.mypy.before_build` does).
    """
    return (any(rule.id == mypy.RULE_ID for rule in rules)
            and not os.environ.get("PYTEST_XDIST_WORKER"))


#: Rules whose checks wait for a judge that works in a child process (ruff, mypy).
WAITING_ON_JUDGES = ruff.RULE_IDS | {mypy.RULE_ID}


def judging_order(rules: Sequence[Rule]) -> list[int]:
    """The positions of ``rules`` in the order they are judged (the report keeps the catalog's).

    First the static rules ivi-conform judges itself, then those waiting on
    ruff and mypy, then the runtime rules. ruff and mypy start in child
    processes when the source is first read: ivi-conform's own rules run on
    one core while they work on the other (on a generated driver after a
    one-module change, mypy's second was otherwise spent waiting), and they
    have finished before the driver is exercised, whose timing against the
    simulated instrument must not share the cores with them.
    """
    return sorted(range(len(rules)), key=lambda position: (
        rules[position].judged is Judged.RUNTIME, rules[position].id in WAITING_ON_JUDGES))


TOOL = {"name": "ivi-conform", "version": __version__}
SPEC = {"name": SPEC_NAME, "version": SPEC_VERSION}


def audit(target: str, config: AuditConfig, work_dir: Path,
          progress: ProgressObserver = _ignore) -> AuditResult:
    """Load ``target`` (folder, wheel, sdist, installed name) and audit it.

    Raises :class:`~ivi_conform.candidate.TargetError` when the target cannot
    be read or built, and ``ValueError`` for an unknown rule id in
    ``config.select``: both are the user's to fix. Every other problem ends
    inside the result, ivi-conform's own crash included, so that there is
    always a report. ``progress`` is told of each stage before it starts.
    """
    rules = selected_rules(config)
    started, clock = datetime.now(UTC), time.perf_counter()
    context = None
    early: list[mypy.EarlyRun] = []

    def before_build(folder: Path) -> None:
        if _mypy_ahead(rules):
            early.extend(filter(None, [mypy.before_build(folder, work_dir)]))

    try:
        progress(Progress("loading the candidate", None, 0, len(rules)))
        dist = load(target, work_dir=work_dir, release_date=config.release_date,
                    before_build=before_build)
        context = AuditContext(dist, config, work_dir)
        for run in early:
            mypy.adopt(context, run)
        return run_audit(context, rules, progress)
    except TargetError:
        raise
    except Exception as exc:  # noqa: BLE001 - our bug: still a result, verdict incomplete
        crash = (f"{type(exc).__name__}: {exc}", traceback.format_exc())
        unjudged = tuple(RuleResult(rule, Outcome.ERROR, "not judged: ivi-conform stopped on an "
                                    "internal error") for rule in rules)
        return AuditResult(context, unjudged, started, time.perf_counter() - clock, config,
                           target, crash)
