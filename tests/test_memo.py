"""Remembered static findings: the same inputs give the cold report without judging again.

Each test has a cache folder of its own. "Judged afresh" is shown by the
syntax index: an audit whose findings all came from the memo never builds
it; an audit after any change to what the rules read builds it, and its
report equals a cold audit's (cache off) of the changed driver.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from audits import comparable_report

from ivi_conform import memo
from ivi_conform.checks import registry
from ivi_conform.context import AuditConfig
from ivi_conform.engine import AuditResult, audit
from ivi_conform.model import Finding

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference"


def _driver(folder: Path) -> Path:
    leftovers = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    return Path(shutil.copytree(REFERENCE, folder, ignore=leftovers))


def _audit(target: Path, work: Path, config: AuditConfig | None = None) -> AuditResult:
    return audit(str(target), config or AuditConfig(static_only=True), work)


def _judged(result: AuditResult) -> bool:
    """Whether the audit judged rules afresh (built the syntax index)."""
    assert result.context is not None
    return "source" in result.context.__dict__


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("IVI_CONFORM_MYPY_CACHE", raising=False)
    return tmp_path / "cache"


def _cold(target: Path, work: Path, monkeypatch: pytest.MonkeyPatch,
          config: AuditConfig | None = None) -> AuditResult:
    with monkeypatch.context() as patch:
        patch.setenv("IVI_CONFORM_CACHE", "off")
        return _audit(target, work, config)


def test_an_unchanged_driver_is_not_judged_again(tmp_path: Path, cached: Path) -> None:
    driver = _driver(tmp_path / "driver")
    first = _audit(driver, tmp_path / "first")
    again = _audit(driver, tmp_path / "again")
    assert _judged(first) and not _judged(again)
    assert not (tmp_path / "again" / "mypy").exists(), "no judge ran"
    assert comparable_report(again) == comparable_report(first)
    assert comparable_report(again)["driver"]["class_name"] == "SkSunroof"


def _edit_module(driver: Path) -> None:
    module = driver / "sksunroof" / "driver.py"
    module.write_text(module.read_text(encoding="utf-8")
                      + "\n\ndef helper(value):\n    return value\n", encoding="utf-8")


def _edit_readme(driver: Path) -> None:
    readme = driver / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(
        "## Driver Identification", "## Driver Identity"), encoding="utf-8")


def _edit_metadata(driver: Path) -> None:
    pyproject = driver / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('version = "1.0.0"', 'version = "1.0"', 1),
                         encoding="utf-8")


@pytest.mark.parametrize("edit", [_edit_module, _edit_readme, _edit_metadata],
                         ids=["module", "readme", "metadata"])
def test_a_changed_driver_is_judged_again_as_a_cold_audit_judges_it(
        tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch, edit: Any) -> None:
    driver = _driver(tmp_path / "driver")
    first = _audit(driver, tmp_path / "first")
    edit(driver)
    again = _audit(driver, tmp_path / "again")
    assert _judged(again)
    cold = _cold(driver, tmp_path / "cold", monkeypatch)
    assert comparable_report(again) == comparable_report(cold)
    assert comparable_report(again) != comparable_report(first), "the edit changes some finding"


def test_every_input_of_a_finding_is_in_the_key(tmp_path: Path, cached: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The configuration, release date, settings, our code and the judges each change it."""
    driver = _driver(tmp_path / "driver")
    result = _audit(driver, tmp_path / "first")
    assert result.context is not None
    dist = result.context.dist
    config = AuditConfig(static_only=True)

    def key(config: AuditConfig = config, release: str = "2026-12-01") -> str:
        return memo.audit_key(dist, config, release)

    base = key()
    assert key() == base
    assert key(AuditConfig(static_only=True, vendors={"XY": "Xyz Inc."})) != base
    assert key(AuditConfig(static_only=True, options="Simulate=True")) != base
    assert key(release="2027-01-01") != base
    with monkeypatch.context() as patch:
        patch.setenv("IVI_CONFORM_MYPY_TIMEOUT", "5")
        assert key() != base
    with monkeypatch.context() as patch:
        patch.setattr(memo, "code_identity", lambda: "another ivi-conform")
        assert key() != base
    with monkeypatch.context() as patch:
        patch.setattr(memo, "environment_identity", lambda: "another mypy")
        assert key() != base
    (driver / "notes.txt").write_text("the source tree changed\n", encoding="utf-8")
    assert key() != base, "a file of the source tree the wheel leaves out"
    (driver / "notes.txt").unlink()
    (driver / ".git").mkdir()
    (driver / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    assert key() == base, "what the build never sees is not an input"


def test_the_release_date_decides_between_two_audits(tmp_path: Path, cached: Path) -> None:
    driver = _driver(tmp_path / "driver")
    first = _audit(driver, tmp_path / "first",
                   AuditConfig(static_only=True, release_date=date(2026, 11, 1)))
    later = _audit(driver, tmp_path / "later",
                   AuditConfig(static_only=True, release_date=date(2031, 11, 1)))
    assert _judged(first) and _judged(later)


def test_an_error_is_never_remembered(tmp_path: Path, cached: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    driver = _driver(tmp_path / "driver")

    def broken(context: object) -> Finding:
        raise RuntimeError("a bug of ivi-conform")

    with monkeypatch.context() as patch:
        patch.setitem(registry(), "version-semver", broken)
        first = _audit(driver, tmp_path / "first")
    outcome = {result.rule.id: result.outcome.value for result in first.results}
    assert outcome["version-semver"] == "error"
    again = _audit(driver, tmp_path / "again")  # the other rules remembered, this one judged
    outcome = {result.rule.id: result.outcome.value for result in again.results}
    assert outcome["version-semver"] == "pass"


def test_an_unreadable_table_is_empty_and_the_cache_can_be_off(
        tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    driver = _driver(tmp_path / "driver")
    _audit(driver, tmp_path / "first")
    tables = list((cached / "audits").rglob("*.json"))
    assert len(tables) == 1
    tables[0].write_bytes(b'{"key": "truncated')
    assert _judged(_audit(driver, tmp_path / "again"))
    shutil.rmtree(cached)
    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    assert _judged(_audit(driver, tmp_path / "off"))
    assert _judged(_audit(driver, tmp_path / "off-again"))
    assert not cached.exists(), "nothing written with the cache off"


def test_parallel_audits_merge_their_findings(tmp_path: Path, cached: Path) -> None:
    """Two pytest-xdist workers judge different rules of one audit: both are kept."""
    table = cached / "table.json"
    finding = Finding.passed("holds")
    first, second = memo.AuditMemo("key", table), memo.AuditMemo("key", table)
    first.remember("rule-a", "tag", finding)
    second.remember("rule-b", "tag", Finding.failed("broken"))
    first.save()
    second.save()
    merged = memo.AuditMemo("key", table)
    assert merged.finding("rule-a", "tag") == finding
    assert merged.finding("rule-b", "tag") == Finding.failed("broken")
    assert memo.AuditMemo("another key", table).finding("rule-a", "tag") is None
    assert merged.finding("rule-a", "another check") is None


def test_a_check_replaced_at_run_time_is_judged_again(tmp_path: Path, cached: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A check no file of ivi-conform shows (a test's, a plugin's) has a tag of its own."""
    driver = _driver(tmp_path / "driver")
    _audit(driver, tmp_path / "first")

    def never(context: object) -> Finding:
        return Finding.failed("the replacement fails")

    monkeypatch.setitem(registry(), "version-semver", never)
    again = _audit(driver, tmp_path / "again")
    message = {result.rule.id: result.message for result in again.results}
    assert message["version-semver"] == "the replacement fails"
