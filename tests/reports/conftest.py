"""Reports of real demo audits for the output tests: failing, conformant, static, crashed.

Every output is rendered from report.json, so each test renders a report the
engine really produced, from the demo catalog and tiny driver of
``tests/demo_kit.py`` (shared with ``test_reports``, ``test_cli`` and
``test_plugin``; this folder is a sibling of it, hence the path entry).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import demo_kit  # noqa: E402 - needs the path entry above

from ivi_conform import catalog, engine  # noqa: E402
from ivi_conform.context import AuditConfig  # noqa: E402
from ivi_conform.engine import RuleResult  # noqa: E402
from ivi_conform.model import Finding, Outcome  # noqa: E402
from ivi_conform.reports import json_report  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
from ivi_conform.reports.report_types import Report  # noqa: E402


def _all_hold(context: Any) -> Finding:
    return Finding.passed("holds")


@pytest.fixture
def demo_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo catalog, for the length of one test."""
    demo_kit.use_demo_catalog(monkeypatch, tmp_path / "demo-rules")
    yield
    monkeypatch.undo()
    catalog.load_catalog.cache_clear()


@pytest.fixture
def make_report(demo_catalog: None, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Callable[..., Report]:
    """``make_report(conformant=False, **config)``: audit the tiny wheel, return its report."""
    counter = iter(range(1000))

    def make(*, conformant: bool = False, **config: Any) -> Report:
        checks = ({name: _all_hold for name in demo_kit.DEMO_CHECKS} if conformant
                  else demo_kit.DEMO_CHECKS)
        monkeypatch.setattr(engine, "registry", lambda: checks)
        result = engine.audit(str(demo_kit.tiny_wheel()), AuditConfig(**config),
                              tmp_path / f"work{next(counter)}")
        selection = [r.rule.id for r in result.results] if result.config.select else None
        report = json_report.report_of(result, selection=selection)
        demo_kit.validate(report)
        return report

    return make


@pytest.fixture
def failing(make_report: Callable[..., Report]) -> Report:
    """The demo audit: one fail, one warn, one error, skips and passes."""
    return make_report()


@pytest.fixture
def conformant(make_report: Callable[..., Report]) -> Report:
    """The demo audit with every check holding: conformant."""
    report = make_report(conformant=True)
    assert report["verdict"] == "conformant"
    return report


@pytest.fixture
def static(make_report: Callable[..., Report]) -> Report:
    """A static audit where every check holds: the runtime rule is not judged."""
    report = make_report(conformant=True, static_only=True)
    assert report["verdict"] == "incomplete"
    return report


@pytest.fixture
def crashed(demo_catalog: None) -> Report:
    """The report of an audit that crashed before the candidate loaded."""
    results = [RuleResult(rule, Outcome.ERROR, "not judged") for rule in catalog.load_catalog()]
    report = json_report.build_report(
        context=None, config=AuditConfig(), origin="somewhere", results=results,
        started=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), seconds=0.5, selection=None,
        runner="cli", crash=("RuntimeError: boom", "Traceback ...\nRuntimeError: boom\n"))
    demo_kit.validate(report)
    return report
