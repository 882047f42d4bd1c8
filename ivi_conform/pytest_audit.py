"""The audit as pytest items, for ``pytest --ivi-driver=TARGET`` (see :mod:`ivi_conform.plugin`).

A second face of the engine, beside the command line: every catalog rule
becomes one item, ``ivi-conform::<section-slug>::<rule-id>``, so the tools a
pytest user already has work on an audit: ``-k`` and ``-m`` select rules,
``-x`` stops at the first failure, ``--junitxml`` records them and
pytest-xdist spreads them over workers. Each process builds the candidate
and its lazy :class:`~ivi_conform.engine.AuditContext` once, and pays only
for what its own rules read.

How the outcomes map (a rule is judged in the item's setup):

- ``pass``: passed;
- ``fail``: failed, with the message and evidence and no traceback;
- ``warn`` (a *should* not met): passed, with an :class:`IviShouldWarning`
  pointing at the evidence, which pytest's warnings summary lists;
- ``skip``: skipped with the reason;
- ``not-judged``: skipped, the reason starting "NOT JUDGED"; the verdict in the
  terminal summary is then incomplete;
- ``error``: a pytest *error* (not a failure): ivi-conform could not judge
  the rule, which says nothing against the driver.

With ``--ivi-expectations=FILE`` (:mod:`ivi_conform.reports.expectations`) a
listed rule that fails or warns is an *xfail*; one that passes is stale (a
warning, a failure with ``--ivi-strict-expectations``); an expired entry
fails its item and the session (also when its rule was not judged); an entry
naming no rule of the catalog fails the session with the strict option.

Each item's result travels in its report's ``user_properties`` (JSON), so
that the controller of an xdist run, or the single process, gathers them and
writes ``report.json`` and the other outputs at the end of the session when
``--ivi-report-dir`` is given: the same files the command line writes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import warnings
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ivi_conform import __version__
from ivi_conform.candidate import TargetError, built_form, load, load_built
from ivi_conform.catalog import SPEC_NAME, SPEC_VERSION, CatalogError, Rule, load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import RuleResult, judge
from ivi_conform.model import Judged, Outcome
from ivi_conform.options import section_slug
from ivi_conform.plugin import IviShouldWarning
from ivi_conform.reports import console, expectations, write_reports
from ivi_conform.reports.json_report import (
    build_report,
    merge_runtime,
    result_from_json,
    result_to_json,
    runtime_snapshot,
)
from ivi_conform.reports.report_types import Report, Runtime

#: The name of the user property that carries a rule's result (JSON).
RESULT_PROPERTY = "ivi-conform"
#: The name of the user property that carries how a process ran the driver (JSON).
RUNTIME_PROPERTY = "ivi-conform-runtime"
#: The key of the xdist worker input that carries the controller's built candidate.
BUILT_INPUT = "ivi_conform_built"
#: The first part of every audit item's node id.
ROOT = "ivi-conform"
#: Evidence lines a failure or warning shows; report.json has them all.
EVIDENCE_SHOWN = 10


@dataclass(eq=False)  # a plugin object: hashed by identity
class _Audit:
    """One process's audit, registered as a plugin of its own when ``--ivi-driver`` is given.

    It resolves the options once, loads the candidate once, gathers each
    rule's result from the item reports (its own or, on an xdist controller,
    the workers') and writes the outputs at the end of the session.
    """

    target: str
    config: AuditConfig
    report_dir: Path | None
    rules: tuple[Rule, ...]
    work_dir: Path
    worker: bool
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    clock: float = field(default_factory=time.perf_counter)
    context: AuditContext | None = None
    load_error: str = ""
    #: Results gathered from the items' reports, by rule id (JSON, as the workers send them).
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: How each process ran the driver (its latest snapshot), by process name.
    runtimes: dict[str, Runtime] = field(default_factory=dict)
    #: This process's name: the xdist worker id, or "main".
    process: str = "main"
    #: On an xdist worker: the candidate as the controller built it (see ``load_built``).
    built: dict[str, str | None] | None = None
    #: The rules collected after deselection, in catalog order; None until known.
    selected: list[str] | None = None
    report: Report | None = None
    written: list[Path] = field(default_factory=list)
    write_error: str = ""
    #: ``--ivi-expectations``: the failures accepted for now, by rule id.
    expected: dict[str, expectations.Expectation] = field(default_factory=dict)
    strict_expectations: bool = False
    expectation_lines: list[str] = field(default_factory=list)

    def load(self) -> AuditContext:
        """The audit context, the candidate loaded (and built) on first use."""
        if self.context is None:
            if self.load_error:
                raise pytest.UsageError(self.load_error)
            try:
                if self.built is not None:  # an xdist worker: the controller built it
                    dist = load_built(self.built, self.config.release_date)
                else:
                    dist = load(self.target, work_dir=self.work_dir,
                                release_date=self.config.release_date)
            except TargetError as exc:
                self.load_error = f"--ivi-driver: {exc}"
                raise pytest.UsageError(self.load_error) from None
            self.context = AuditContext(dist, self.config, self.work_dir)
        return self.context

    # -- the session

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Load the candidate before anything runs, so that a bad target is one usage error.

        Workers load it lazily instead, on their first item: the controller
        has already proved the target readable.
        """
        if not self.worker:
            self.load()

    def pytest_report_header(self) -> list[str]:
        """What a reader of the run needs: the tool, the spec and the driver audited."""
        lines = [f"ivi-conform {__version__}: {SPEC_NAME} {SPEC_VERSION}"]
        if self.context is not None:
            dist = self.context.dist
            lines.append(f"ivi-conform driver: {dist.name} {dist.version} "
                         f"({dist.kind} {dist.origin})")
        else:
            lines.append(f"ivi-conform driver: {self.target}")
        if self.config.static_only:
            lines.append("ivi-conform: static audit, the driver is not run")
        return lines

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session,
                                      items: list[pytest.Item]) -> None:
        """Add the audit's items, first, so that ``-k``, ``-m`` and ``--deselect`` see them."""
        root = IviAudit.from_parent(session, name=ROOT, nodeid=ROOT, rules=self.rules)
        items.extend(session.genitems(root))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Remember which rules survived deselection (in a process that collects)."""
        self.selected = [item.rule.id for item in session.items if isinstance(item, IviRule)]

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Hand each xdist worker the wheel built here, so that no worker builds it again."""
        node.workerinput[BUILT_INPUT] = json.dumps(built_form(self.load().dist))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        """An xdist controller never collects: it learns the selected rules from a worker."""
        if self.selected is None:
            chosen = {nodeid.rsplit("::", 1)[-1] for nodeid in ids
                      if nodeid.startswith(f"{ROOT}::")}
            self.selected = [rule.id for rule in self.rules if rule.id in chosen]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Name a skipped rule by its node id, not by the line of this plugin that skipped it."""
        report = yield
        if isinstance(item, IviRule) and report.skipped and isinstance(report.longrepr, tuple):
            # pytest's short summary prints "path: reason" when the line is None
            report.longrepr = (item.nodeid, None, report.longrepr[2])  # type: ignore[assignment]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather a rule's result, from this process's item or from an xdist worker's."""
        for name, value in report.user_properties:
            if name == RESULT_PROPERTY:
                data = json.loads(str(value))
                self.results[str(data["id"])] = data
            elif name == RUNTIME_PROPERTY:
                data = json.loads(str(value))
                self.runtimes[str(data["process"])] = data["runtime"]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the report and its renderings (not on a worker: its controller does).

        Every process (worker or not) keeps the static findings it judged for
        the next session with the same inputs.
        """
        if self.context is not None:
            self.context.remember()
        if self.worker or self.context is None:
            return
        self.report = self.build_report()
        if self.expected:
            judgement = expectations.judge(self.report, self.expected, date.today())
            self.expectation_lines = judgement.lines(strict=self.strict_expectations)
            if judgement.expired or (self.strict_expectations and judgement.unknown):
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.report_dir is None:
            return
        try:
            self.written = write_reports(self.report, self.report_dir)
        except OSError as exc:
            self.write_error = (f"cannot write the reports into {self.report_dir}: "
                                f"{exc.strerror or exc}")
            session.exitstatus = pytest.ExitCode.USAGE_ERROR

    def build_report(self) -> Report:
        """The report of the rules selected, as judged by whichever process ran them.

        A selected rule without a result (the session stopped first, ``-x``
        or Ctrl-C) ends as ``error``: it was not judged, so the audit cannot
        be called conformant.
        """
        assert self.context is not None
        chosen = set(self.selected if self.selected is not None else self.results)
        results = []
        for rule in self.rules:
            if rule.id not in chosen:
                continue
            data = self.results.get(rule.id)
            if data is None:
                results.append(RuleResult(rule, Outcome.ERROR, "not judged: the pytest session "
                                          "stopped before this rule ran"))
            else:
                results.append(result_from_json(data, rule))
        selection = None if len(results) == len(self.rules) else [r.rule.id for r in results]
        return build_report(
            context=self.context, config=self.config, origin=self.target, results=results,
            started=self.started, seconds=time.perf_counter() - self.clock,
            selection=selection, runner="pytest",
            runtime=merge_runtime(self.runtimes[name] for name in sorted(self.runtimes)),
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The audit's verdict and the files written, after pytest's own summary."""
        if self.report is None:
            return
        terminalreporter.section("ivi-conform", sep="-", bold=True)
        text = console.render(self.report, self.written, each_rule=False,
                              colour=bool(getattr(terminalreporter, "hasmarkup", False)))
        for line in text.splitlines():
            terminalreporter.line(line)
        for line in self.expectation_lines:
            terminalreporter.line(line)
        if self.write_error:
            terminalreporter.line(f"ivi-conform: error: {self.write_error}", red=True)

    def pytest_unconfigure(self) -> None:
        """Remove this process's working folder (the built wheel, the behavioural run)."""
        shutil.rmtree(self.work_dir, ignore_errors=True)


# -- the items ------------------------------------------------------------------------------


class IviAudit(pytest.Collector):
    """The audit's root node: one child per spec section, in the spec's order."""

    def __init__(self, *, rules: Sequence[Rule], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rules = tuple(rules)

    def collect(self) -> Iterator[IviSection]:
        sections: dict[str, list[Rule]] = {}
        for rule in self.rules:
            sections.setdefault(rule.section, []).append(rule)
        for title, rules in sections.items():
            yield IviSection.from_parent(self, name=section_slug(title), title=title, rules=rules)


class IviSection(pytest.Collector):
    """One section of the spec: its rules, in catalog order."""

    def __init__(self, *, title: str, rules: Sequence[Rule], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = title
        self.rules = tuple(rules)

    def collect(self) -> Iterator[IviRule]:
        for rule in self.rules:
            yield IviRule.from_parent(self, name=rule.id, rule=rule)


class IviRule(pytest.Item):
    """One rule of the catalog, judged against the candidate."""

    def __init__(self, *, rule: Rule, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.result: RuleResult | None = None
        self.add_marker(pytest.mark.ivi_conform)
        self.extra_keyword_matches.update({rule.level.value, rule.judged.value})

    def setup(self) -> None:
        """Judge the rule; a skip or an error ends the item here."""
        audit = self.config.stash[_AUDIT]
        result = judge(self.rule, audit.load())
        self.result = result
        self.user_properties.append((RESULT_PROPERTY, json.dumps(result_to_json(result))))
        if self.rule.judged is Judged.RUNTIME:
            snapshot = runtime_snapshot(audit.load())
            if snapshot is not None:
                self.user_properties.append((RUNTIME_PROPERTY, json.dumps(
                    {"process": audit.process, "runtime": snapshot})))
        if result.outcome is Outcome.SKIP:
            pytest.skip(result.message)
        if result.outcome is Outcome.NOT_JUDGED:
            pytest.skip(f"NOT JUDGED (the audit is incomplete): {result.message}")
        if result.outcome is Outcome.ERROR:
            text = f"ivi-conform could not judge this rule: {result.message}"
            if result.internal_error:
                text += f"\n\n{result.internal_error}"
            pytest.fail(text, pytrace=False)

    def runtest(self) -> None:
        """Fail a broken *shall*; warn about an unmet *should*."""
        result = self.result
        assert result is not None, "setup judges the rule"
        audit = self.config.stash[_AUDIT]
        entry = audit.expected.get(self.rule.id)
        if entry is not None:
            _expectation(entry, result, strict=audit.strict_expectations)
        if result.outcome is Outcome.FAIL:
            pytest.fail(_describe(result), pytrace=False)
        if result.outcome is Outcome.WARN:
            first = result.evidence[0] if result.evidence else None
            warnings.warn_explicit(
                f"{self.rule.id} (should): {_describe(result)}", IviShouldWarning,
                filename=first.file if first else self.rule.id,
                lineno=(first.line or 0) if first else 0,
            )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.rule.id} ({self.rule.level.value}): {self.rule.title}"


def _describe(result: RuleResult) -> str:
    """A failure or warning as pytest shows it: the message first (pytest's one-line
    summary keeps it), then the evidence and the sentence of the spec."""
    rule = result.rule
    lines = [result.message]
    lines += [f"  {evidence}" for evidence in result.evidence[:EVIDENCE_SHOWN]]
    hidden = len(result.evidence) - EVIDENCE_SHOWN
    if hidden > 0:
        lines.append(f"  ... and {hidden} more")
    lines.append(f"{rule.id} ({rule.level.value}), {rule.source}, {rule.section}: "
                 f"\"{rule.sentence}\"")
    return "\n".join(lines)


def _expectation(entry: expectations.Expectation, result: RuleResult, *, strict: bool) -> None:
    """A listed rule: expired fails, failing or warning xfails, passing is stale."""
    if entry.expired(date.today()):
        pytest.fail(f"the expectation for {entry.rule} ended on {entry.expires}: fix the rule "
                    f"or renew the entry ({entry.reason})\n{_describe(result)}", pytrace=False)
    if result.outcome in (Outcome.FAIL, Outcome.WARN):
        pytest.xfail(f"expected ({entry.reason}): {result.message}")
    if result.outcome is Outcome.PASS:
        stale = f"{entry.rule} is listed as expected but passes: remove the entry"
        if strict:
            pytest.fail(f"[XPASS(strict)] {stale}", pytrace=False)
        warnings.warn(stale, UserWarning, stacklevel=1)


_AUDIT = pytest.StashKey[_Audit]()


def start_audit(config: pytest.Config, target: str) -> None:
    """Resolve the options once and register this process's audit as a plugin."""
    try:
        rules = load_catalog()
    except CatalogError as exc:
        raise pytest.UsageError(f"ivi-conform's rule catalog is broken (a bug in "
                                f"ivi-conform): {exc}") from None
    audit_config = AuditConfig.from_options(
        vendors=config.getoption("ivi_vendor"),
        release_date=config.getoption("ivi_release_date"),
        static_only=config.getoption("ivi_static"),
        options=config.getoption("ivi_options"),
        rules=None,
        timeout_s=config.getoption("ivi_timeout"),
        instrument_resource=config.getoption("ivi_instrument_resource"),
        instrument_profile=config.getoption("ivi_instrument_profile"),
    )
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    audit = _Audit(
        target=str(target), config=audit_config, report_dir=config.getoption("ivi_report_dir"),
        rules=rules, work_dir=Path(tempfile.mkdtemp(prefix="ivi-conform-pytest-")),
        worker=hasattr(config, "workerinput"),
        process=str(workerinput.get("workerid", "main")),
        built=json.loads(workerinput[BUILT_INPUT]) if BUILT_INPUT in workerinput else None,
    )
    path = config.getoption("ivi_expectations")
    if path is not None:
        try:
            audit.expected = expectations.load(path)
        except expectations.ExpectationsError as exc:
            raise pytest.UsageError(f"--ivi-expectations: {exc}") from None
        audit.strict_expectations = config.getoption("ivi_strict_expectations")
    config.stash[_AUDIT] = audit
    config.pluginmanager.register(audit, "ivi-conform-audit")
