"""A re-audit after a one-module change reads few trees, and says what a cold audit says.

Every static rule reads the driver through each module's facts
(:meth:`ivi_conform.static.source.SourceIndex.module_facts`), remembered by
path and bytes; only what other modules tell is decided across them. So
after one module changes, the index parses that module and the few a rule
reads for their role (the root class's, the utility's, the version's, those
that name a class whose constructions a rule follows), whatever the size
of the driver, and the report equals a cold audit's (cache off) of the
changed driver. The equality is shown on drivers in different styles (the
reference, a generated one with lazy ``*Cls`` groups and ``get()``/``set()``
methods, a hand-written one); the bound on a 300-module generated driver
shaped like the vendors' (the benchmark's).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from audits import comparable_report

from ivi_conform.context import AuditConfig
from ivi_conform.engine import audit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def _modules(driver: Path) -> list[Path]:
    """The driver's modules with a class, largest last (the one changed)."""
    found = [path for path in driver.rglob("*.py")
             if "class " in path.read_text(encoding="utf-8") and "tests" not in path.parts]
    return sorted(found, key=lambda path: (path.stat().st_size, str(path)))


EDITS = {
    "a new function": "\n\ndef added_by_the_test(value):\n    return value\n",
    "a new subclass": "\n\nclass AddedByTheTest({base}):\n    @property\n"
                      "    def level(self):\n        return 1\n",
}


def _copy(source: Path, folder: Path) -> Path:
    leftovers = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    return Path(shutil.copytree(source, folder, ignore=leftovers))


def _change(driver: Path, edit: str) -> Path:
    """Apply ``edit`` to the largest module with a class; that module."""
    changed = _modules(driver)[-1]
    text = changed.read_text(encoding="utf-8")
    base = re.findall(r"^class (\w+)", text, re.MULTILINE)[0]
    changed.write_text(text + EDITS[edit].format(base=base), encoding="utf-8")
    return changed


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("IVI_CONFORM_MYPY_CACHE", raising=False)
    return tmp_path / "cache"


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("driver", ["reference", "corpus/rssunroofgen", "corpus/skglass"])
def test_a_re_audit_after_one_change_says_what_a_cold_audit_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: Path, driver: str,
        edit: str) -> None:
    copy = _copy(FIXTURES / driver, tmp_path / "driver")
    config = AuditConfig(static_only=True)
    audit(str(copy), config, tmp_path / "first")
    changed = _change(copy, edit)
    again = audit(str(copy), config, tmp_path / "again")
    assert again.context is not None
    index = again.context.source
    assert any(path.endswith(changed.name) for path in index.parsed_paths), "the change was read"
    assert index.parsed < len(index.modules)
    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    cold = audit(str(copy), config, tmp_path / "cold")
    assert comparable_report(again) == comparable_report(cold)


def _generate(folder: Path, modules: int) -> None:
    """The benchmark's generated driver (``benchmarks/static_audit.py``), ``modules`` big."""
    spec = importlib.util.spec_from_file_location(
        "static_audit_benchmark", ROOT / "benchmarks" / "static_audit.py")
    assert spec is not None and spec.loader is not None
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    benchmark.generate(folder, modules)


def test_a_one_module_change_of_a_generated_driver_parses_a_handful_of_modules(
        tmp_path: Path, cached: Path) -> None:
    driver = tmp_path / "driver"
    _generate(driver, 300)
    config = AuditConfig(static_only=True)
    first = audit(str(driver), config, tmp_path / "first")
    assert first.context is not None and first.context.source.parsed >= 250  # (cold)
    _change(driver, "a new function")
    again = audit(str(driver), config, tmp_path / "again")
    assert again.context is not None
    assert again.context.source.parsed <= 5, "the changed module and those read for a role"
