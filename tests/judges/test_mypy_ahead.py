"""mypy started before the parse, on the package the wheel's paths show, is taken only if right.

A generated driver takes a second or two to index; mypy, started on the
package its paths show, runs beside the parse. The run is the audit's only
when the index names the same package: a guess that turns out wrong starts
mypy again on the right one, and the verdict reads that run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from ivi_conform.candidate import Distribution
from ivi_conform.catalog import Rule
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.judges import mypy as mypy_judge


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The packages mypy is run on (a stand-in for mypy: each run names its package)."""
    ran: list[str] = []

    def fake_run(files: Mapping[str, bytes], package: str, work: Path,
                 extracted: object = None, warm: object = None) -> mypy_judge.MypyRun:
        ran.append(package)
        return mypy_judge.MypyRun((), 0.0, 1, problem=f"ran on {package}")

    monkeypatch.setattr(mypy_judge, "run", fake_run)
    return ran


def _context(tmp_path: Path, name: str, files: dict[str, str]) -> AuditContext:
    dist = Distribution(origin=str(tmp_path), kind="wheel", metadata={"name": name},
                        metadata_problems=(), files={p: t.encode() for p, t in files.items()})
    return AuditContext(dist, AuditConfig(static_only=True), tmp_path / "work")


def test_the_run_started_ahead_is_the_audits_when_the_index_names_its_package(
        tmp_path: Path, runs: list[str]) -> None:
    context = _context(tmp_path, "xy-dmm", {
        "xydmm/__init__.py": "class XyDmm:\n    pass\n", "xydmm/core.py": "",
        "tools/helper.py": "",  # a folder without __init__.py is no package
    })
    mypy_judge.start_ahead(context)
    assert mypy_judge.mypy_of(context).problem == "ran on xydmm"
    assert runs == ["xydmm"], "one run, started ahead"


def test_a_wrong_guess_is_run_again_on_the_drivers_package(
        tmp_path: Path, runs: list[str]) -> None:
    context = _context(tmp_path, "gamma", {
        "gamma/__init__.py": "def broken(:\n",  # named like the distribution, but not Python
        "alpha/__init__.py": "class Alpha:\n    pass\n",
    })
    mypy_judge.start_ahead(context)
    assert context.driver.package == "alpha"
    assert mypy_judge.mypy_of(context).problem == "ran on alpha"
    assert sorted(runs) == ["alpha", "gamma"]


def test_without_a_package_in_the_paths_nothing_starts_ahead(
        tmp_path: Path, runs: list[str]) -> None:
    context = _context(tmp_path, "pair", {"one/__init__.py": "", "two/__init__.py": ""})
    mypy_judge.start_ahead(context)
    assert mypy_judge.mypy_of(context).problem == "ran on one"
    assert runs == ["one"]


def test_the_rules_waiting_on_judges_are_judged_last_and_reported_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own rules run while ruff and mypy work, the driver after them; the report keeps
    the catalog's order."""
    from ivi_conform import engine
    from ivi_conform.catalog import load_catalog
    from ivi_conform.model import Finding

    rules = [rule for rule in load_catalog() if rule.judged.value != "manual"]
    asked: list[str] = []

    def judged(rule: Rule, context: AuditContext, stages: object = None) -> engine.RuleResult:
        asked.append(rule.id)
        finding = Finding.passed("holds")
        return engine.RuleResult(rule, finding.outcome, finding.message)

    monkeypatch.setattr(engine, "judge", judged)
    context = _context(tmp_path, "xydmm", {"xydmm/__init__.py": ""})
    result = engine.run_audit(context, rules)
    kinds = {rule.id: ("runtime" if rule.judged.value == "runtime" else
                       "waiting" if rule.id in engine.WAITING_ON_JUDGES else "own")
             for rule in rules}
    order = [kinds[rule_id] for rule_id in asked]
    assert order == sorted(order, key=["own", "waiting", "runtime"].index)
    assert order.count("waiting") == 3 and order.count("runtime") > 30
    assert [entry.rule.id for entry in result.results] == [rule.id for rule in rules]
