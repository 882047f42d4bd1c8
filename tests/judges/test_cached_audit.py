"""A re-audit served from the cache gives the report a cold audit gives.

The per-file results (ruff's findings) are cached by content in the user
cache folder, here a temporary one, with mypy's incremental cache below it;
a cold audit starts from an empty folder.
The driver is the reference one plus generated modules (tabs, long lines,
unannotated members), enough files for ruff and mypy to start ahead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from ivi_conform import cache
from ivi_conform.context import JUDGES_AHEAD_FROM, AuditConfig
from ivi_conform.engine import AuditResult, audit
from ivi_conform.reports.json_report import rule_entry

#: typing-consistent's message says how long mypy took: the one part that may differ.
REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
_TIMING = re.compile(r"\(\d+(?:\.\d+)? s of mypy")

_MODULE = (
    "from sksunroof.driver import SkSunroof\n\n\n"
    "class Group{n}Cls:\n"
    "\tdef __init__(self, core, parent):\n"
    "\t\tself._core = core\n\n"
    "\t@property\n"
    "\tdef child(self):\n"
    "\t\tif not hasattr(self, '_child'):\n"
    "\t\t\tself._child = Group{n}Cls(self._core, self)\n"
    "\t\treturn self._child\n\n"
    "\tdef set(self, value, channel = 1) -> None:\n"
    "\t\tself._core.write(f'SOURce{{channel}}:LEVel{n} {{value}} and a long tail of text that "
    "runs past the line length')\n\n"
    "\tdef get(self) -> float:\n"
    "\t\treturn float(self._core.query('LEV{n}?'))\n"
)


def _driver(folder: Path) -> Path:
    leftovers = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    driver = Path(shutil.copytree(REFERENCE, folder, ignore=leftovers))
    generated = driver / "sksunroof" / "generated"
    generated.mkdir()
    (generated / "__init__.py").write_text("", encoding="utf-8")
    for number in range(JUDGES_AHEAD_FROM):
        (generated / f"Group{number}.py").write_text(_MODULE.format(n=number), encoding="utf-8")
    return driver


def _rules(result: AuditResult) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for entry in map(dict, map(rule_entry, result.results)):
        del entry["seconds"]
        entry["message"] = _TIMING.sub("(N s of mypy", str(entry["message"]))
        entries.append(entry)
    return entries


def _outcome(result: AuditResult, rule_id: str) -> str:
    return next(entry.outcome.value for entry in result.results if entry.rule.id == rule_id)


def _audit(target: Path, work: Path) -> AuditResult:
    return audit(str(target), AuditConfig(static_only=True), work)


@pytest.fixture
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))  # mypy's cache below it
    monkeypatch.delenv("IVI_CONFORM_MYPY_CACHE", raising=False)
    return tmp_path / "cache"


def test_a_cached_re_audit_gives_the_cold_report(tmp_path: Path, caches: Path) -> None:
    driver = _driver(tmp_path / "driver")
    cold = _audit(driver, tmp_path / "cold")
    assert list(caches.rglob("*.json")), "the cold audit wrote the cache"
    assert (tmp_path / "cold" / "pep8-lint").is_dir(), "the cold audit ran ruff on the files"

    warm = _audit(driver, tmp_path / "warm")
    assert not (tmp_path / "warm" / "pep8-lint").exists(), "every file came from the cache"
    assert _rules(warm) == _rules(cold)
    assert not [entry["id"] for entry in _rules(cold) if entry["outcome"] == "error"]
    style = {entry["id"]: entry for entry in _rules(warm)}["style-pep8"]
    assert style["outcome"] == "fail" and style["evidence"]


def test_a_re_audit_after_one_change_gives_the_cold_report_of_the_changed_driver(
        tmp_path: Path, caches: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    driver = _driver(tmp_path / "driver")
    first = _audit(driver, tmp_path / "first")
    changed = driver / "sksunroof" / "generated" / "Group3.py"
    changed.write_text(changed.read_text(encoding="utf-8")
                       + "x=1 # a new departure\ny: int = 'and a new mypy error'\n",
                       encoding="utf-8")
    cached = _audit(driver, tmp_path / "again")
    assert _outcome(first, "typing-consistent") == "pass"
    assert _outcome(cached, "typing-consistent") == "fail", "mypy saw the change"
    linted = [path.relative_to(tmp_path / "again" / "pep8-lint").as_posix()
              for path in (tmp_path / "again" / "pep8-lint").rglob("*.py")
              if path.name != "__init__.py"]  # the package markers go beside it
    assert linted == ["sksunroof/generated/Group3.py"], "only the changed file went to ruff"

    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "empty-cache"))  # ruff's and mypy's
    cold = _audit(driver, tmp_path / "cold")
    assert _rules(cached) == _rules(cold)


def test_a_table_is_replaced_whole_and_an_unreadable_one_is_empty(caches: Path) -> None:
    table = cache.Table("probe", "settings", "scope")
    table.put("a1", [1, "E501", "message"])
    table.save()
    assert table.path is not None and json.loads((table.path / "a1.json").read_bytes()) == {
        "a1": [1, "E501", "message"]}
    assert not [path for path in table.path.iterdir() if path.suffix == ".tmp"]
    assert cache.Table("probe", "settings", "scope").get("a1") == [1, "E501", "message"]
    (table.path / "a1.json").write_bytes(b"{not json")
    assert cache.Table("probe", "settings", "scope").get("a1") is None


def test_only_the_shards_whose_entries_changed_are_written(caches: Path) -> None:
    """A re-audit after a one-module change rewrites the shard of that module's key alone."""
    table = cache.Table("probe", "settings", "shards")
    table.put("a1x", 1)
    table.put("b1x", 2)
    table.save()
    assert table.path is not None
    written = {path.name: path.stat().st_mtime_ns for path in table.path.iterdir()}
    assert sorted(written) == ["a1.json", "b1.json"]
    again = cache.Table("probe", "settings", "shards")
    assert again.get("a1x") == 1
    again.put("b1y", 3)  # b1x not used: it falls out of shard b1
    again.save()
    assert {path.name: path.stat().st_mtime_ns for path in table.path.iterdir()}["a1.json"] \
        == written["a1.json"], "shard a1 unchanged: not rewritten"
    assert json.loads((table.path / "b1.json").read_bytes()) == {"b1y": 3}


def test_a_value_put_in_place_of_an_old_one_is_written_and_a_second_save_writes_nothing(
        caches: Path) -> None:
    """The module facts keep every kind of a module in one entry: a kind added to an entry
    changes no key, and its shard is written all the same; what is saved is not saved twice."""
    table = cache.Table("probe", "settings", "in-place")
    table.put("a1x", {"index": 1})
    table.put("c1x", {"index": 2})
    table.save()
    again = cache.Table("probe", "settings", "in-place")
    assert again.get("a1x") == {"index": 1}
    assert again.get("c1x") == {"index": 2}
    again.put("a1x", {"index": 1, "symbols": [3]})
    assert again.get("a1x") == {"index": 1, "symbols": [3]}, "what was put, not what was read"
    again.put("d1x", {"index": 4})  # a new module: a new key
    again.save()
    assert again.path is not None
    written = {path.name: path.stat().st_ino for path in again.path.iterdir()}
    again.save()
    assert {path.name: path.stat().st_ino for path in again.path.iterdir()} == written
    assert cache.Table("probe", "settings", "in-place").get("a1x") == {"index": 1, "symbols": [3]}


def test_tables_under_settings_no_audit_wrote_for_weeks_are_removed(caches: Path) -> None:
    """A new ivi-conform (new settings) removes its kind's stale tables, not recent ones."""
    stale, recent = cache.Table("probe", "v1", "scope"), cache.Table("probe", "v2", "scope")
    for table in (stale, recent):
        table.put("a1", 1)
        table.save()
    assert stale.path is not None and recent.path is not None
    weeks_ago = time.time() - cache.STALE_AFTER_S - 3600
    os.utime(stale.path.parent, (weeks_ago, weeks_ago))
    newer = cache.Table("probe", "v3", "scope")
    assert newer.get("a1") is None
    newer.put("a1", 2)
    newer.save()
    assert not stale.path.parent.exists(), "untouched for weeks: removed"
    assert cache.Table("probe", "v2", "scope").get("a1") == 1, "written recently: kept"
    assert newer.path is not None and cache.Table("probe", "v3", "scope").get("a1") == 2



def test_an_entry_of_a_file_still_there_is_kept_though_this_audit_did_not_ask(
        caches: Path) -> None:
    """An audit of a few rules keeps the facts the other rules remembered for its files."""
    table = cache.Table("probe", "settings", "kept")
    table.put("a1x", 1)
    table.put("b1x", 2)
    table.save()
    again = cache.Table("probe", "settings", "kept")
    again.put("c1x", 3)  # a new file; a1x's and b1x's files are still there, not asked for
    again.save(keep=["a1x", "b1x", "d1x"])
    assert cache.Table("probe", "settings", "kept").get("a1x") == 1
    third = cache.Table("probe", "settings", "kept")
    assert third.get("b1x") == 2 and third.get("c1x") == 3
    third.save(keep=[])  # a1x's file is gone
    assert cache.Table("probe", "settings", "kept").get("a1x") is None
