"""IVI-Python Package Type-Hinting: py.typed, complete hints, mypy on the hints."""

from __future__ import annotations

import os
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.checks import type_hinting as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.judges import mypy as mypy_run
from ivi_conform.model import Outcome
from ivi_conform.static.source import FACT_KINDS

DRIVER = '''\
class XyDmm:
    """A tiny typed driver."""

    def __init__(self, resource_name: str) -> None:
        self._resource_name = resource_name

    @property
    def ivi_utility(self) -> "Utility":
        return Utility()

    def measure(self, count: int = 1) -> list[float]:
        return [0.0] * count


class Utility:
    @property
    def driver_version(self) -> str:
        return "1.0.0"
'''


def wheel(tmp_path: Path, files: dict[str, str], name: str = "xydmm") -> AuditContext:
    """Write ``files`` as the wheel of distribution ``name`` and open a static audit of it."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, text in files.items():
            zipped.writestr(member, textwrap.dedent(text))
        zipped.writestr(f"{name}-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0.0\n\n")
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return AuditContext(load(str(path), work_dir=work), AuditConfig(static_only=True), work)


@pytest.fixture(autouse=True)
def _mypy_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """One mypy cache per test process, in a temporary folder."""
    monkeypatch.setenv("IVI_CONFORM_MYPY_CACHE", str(tmp_path_factory.getbasetemp() / "mypy"))


@pytest.mark.parametrize("content", ["", "\n", "  \n\n"])
def test_an_empty_py_typed_passes(tmp_path: Path, content: str) -> None:
    finding = checks.py_typed(wheel(tmp_path, {"xydmm/__init__.py": DRIVER,
                                               "xydmm/py.typed": content}))
    assert finding.outcome is Outcome.PASS, finding.message


def test_partial_is_not_complete_hints(tmp_path: Path) -> None:
    finding = checks.py_typed(wheel(tmp_path, {"xydmm/__init__.py": DRIVER,
                                               "xydmm/py.typed": "partial\n"}))
    assert finding.outcome is Outcome.FAIL
    assert "partial" in finding.message
    assert str(finding.evidence[0]) == "xydmm/py.typed:1: must be empty"


def test_other_content_fails(tmp_path: Path) -> None:
    finding = checks.py_typed(wheel(tmp_path, {"xydmm/__init__.py": DRIVER,
                                               "xydmm/py.typed": "# typed\n"}))
    assert finding.outcome is Outcome.FAIL
    assert "'# typed'" in str(finding.evidence[0])


def test_missing_or_misplaced_py_typed_fails(tmp_path: Path) -> None:
    missing = checks.py_typed(wheel(tmp_path / "a", {"xydmm/__init__.py": DRIVER}))
    assert missing.outcome is Outcome.FAIL
    assert missing.message == "the wheel has no xydmm/py.typed"
    misplaced = checks.py_typed(wheel(tmp_path / "b", {"xydmm/__init__.py": DRIVER,
                                                       "xydmm/sub/__init__.py": "",
                                                       "xydmm/sub/py.typed": ""}))
    assert misplaced.outcome is Outcome.FAIL
    assert "xydmm/sub/py.typed" in misplaced.message


def test_a_py_typed_the_build_leaves_out_is_named(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "xydmm").mkdir(parents=True)
    (source / "pyproject.toml").write_text(textwrap.dedent('''\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        [project]
        name = "xydmm"
        version = "1.0.0"
        [tool.hatch.build.targets.wheel]
        exclude = ["*.typed"]
    '''), encoding="utf-8")
    (source / "xydmm" / "__init__.py").write_text(DRIVER, encoding="utf-8")
    (source / "xydmm" / "py.typed").write_text("", encoding="utf-8")
    dist = load(str(source), work_dir=tmp_path / "work")
    finding = checks.py_typed(AuditContext(dist, AuditConfig(static_only=True), tmp_path))
    assert finding.outcome is Outcome.FAIL
    assert "in the source tree but the build leaves it out" in finding.message


def test_complete_hints_pass_with_the_figure(tmp_path: Path) -> None:
    finding = checks.complete_hints(wheel(tmp_path, {"xydmm/__init__.py": DRIVER}))
    assert finding.outcome is Outcome.PASS
    assert finding.message.startswith("100.0 % of 4 public symbols fully annotated")


def test_incomplete_hints_name_each_gap(tmp_path: Path) -> None:
    finding = checks.complete_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER.replace("count: int = 1", "count=1"),
    }))
    assert finding.outcome is Outcome.FAIL
    assert finding.message == "75.0 % of 4 public symbols fully annotated: 1 symbol(s) lack hints"
    assert str(finding.evidence[0]).startswith("xydmm/__init__.py:11: xydmm.XyDmm.measure: "
                                               "no annotation for parameter 'count'")


def test_a_module_that_does_not_parse_cannot_be_measured(tmp_path: Path) -> None:
    finding = checks.complete_hints(wheel(tmp_path, {"xydmm/__init__.py": DRIVER,
                                                     "xydmm/broken.py": "def (:\n"}))
    assert finding.outcome is Outcome.FAIL
    assert "not valid Python" in str(finding.evidence[0])


def test_mypy_passes_consistent_hints_and_reports_its_time(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": DRIVER, "xydmm/py.typed": ""})
    finding = checks.consistent_hints(context)
    assert finding.outcome is Outcome.PASS, finding.message
    assert "s of mypy" in finding.message
    ran = mypy_run.mypy_of(context)
    assert ran is not None and ran.seconds > 0 and ran.files == 1
    assert "--config-file" in ran.command and "--no-site-packages" not in ran.command


def test_mypy_errors_are_evidence_with_file_and_line(tmp_path: Path) -> None:
    finding = checks.consistent_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER,
        "xydmm/core.py": "def read() -> int:\n    return 'x'\n",
    }))
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("mypy reports 1 error(s) in the hints of xydmm")
    evidence = finding.evidence[0]
    assert (evidence.file, evidence.line) == ("xydmm/core.py", 2)
    assert "[return-value]" in evidence.detail


def test_mypy_runs_once_per_audit(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": DRIVER})
    checks.consistent_hints(context)
    first = mypy_run.mypy_of(context)
    checks.consistent_hints(context)
    assert mypy_run.mypy_of(context) is first


def test_the_candidates_mypy_configuration_is_never_read(tmp_path: Path) -> None:
    """A plugin named in the candidate's configuration would be code run by the audit."""
    evil = "[mypy]\nplugins = xydmm_evil_plugin\n"
    finding = checks.consistent_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER,
        "mypy.ini": evil,
        "setup.cfg": evil,
        "pyproject.toml": '[tool.mypy]\nplugins = ["xydmm_evil_plugin"]\n',
    }))
    assert finding.outcome is Outcome.PASS, finding.message


def test_a_mypy_time_out_is_an_error_not_a_failure(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVI_CONFORM_MYPY_TIMEOUT", "0.001")
    finding = checks.consistent_hints(wheel(tmp_path, {"xydmm/__init__.py": DRIVER}))
    assert finding.outcome is Outcome.ERROR
    assert "limit" in finding.message


def test_a_mypy_crash_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    finding = checks.consistent_hints(wheel(tmp_path, {"xydmm/__init__.py": DRIVER}))
    assert finding.outcome is Outcome.ERROR
    assert "could not start" in finding.message


def test_no_package_means_nothing_to_type_check(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm.py": DRIVER})
    assert checks.consistent_hints(context).outcome is Outcome.SKIP
    assert checks.py_typed(context).outcome is Outcome.FAIL
    assert checks.complete_hints(context).outcome is Outcome.FAIL


def test_a_large_package_is_checked_by_parallel_workers(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """... the first time mypy sees it; a re-audit, mostly from the cache, runs alone."""
    monkeypatch.setenv("IVI_CONFORM_MYPY_CACHE", str(tmp_path / "mypy"))  # a package new to it
    monkeypatch.setattr(mypy_run, "PARALLEL_FROM_FILES", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    context = wheel(tmp_path, {"xydmm/__init__.py": DRIVER,
                               "xydmm/core.py": "def read() -> int:\n    return 'x'\n"})
    finding = checks.consistent_hints(context)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].file == "xydmm/core.py"
    ran = mypy_run.mypy_of(context)
    assert ran is not None and "--num-workers" in ran.command
    again = wheel(tmp_path / "again", {"xydmm/__init__.py": DRIVER,
                                       "xydmm/core.py": "def read() -> int:\n    return 1\n"})
    assert checks.consistent_hints(again).outcome is Outcome.PASS
    ran = mypy_run.mypy_of(again)
    assert ran is not None and "--num-workers" not in ran.command


def test_a_failed_parallel_run_is_retried_alone(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVI_CONFORM_MYPY_CACHE", str(tmp_path / "mypy"))  # a package new to it
    monkeypatch.setattr(mypy_run, "PARALLEL_FROM_FILES", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    invoke = mypy_run._invoke

    def parallel_crashes(command: tuple[str, ...], package: str, count: int,
                         work: Path) -> mypy_run.MypyRun:
        if "--num-workers" in command:
            return mypy_run.MypyRun((), 1.0, count, problem="mypy stopped (exit 2): crash")
        return invoke(command, package, count, work)

    monkeypatch.setattr(mypy_run, "_invoke", parallel_crashes)
    context = wheel(tmp_path, {"xydmm/__init__.py": DRIVER})
    assert checks.consistent_hints(context).outcome is Outcome.PASS
    ran = mypy_run.mypy_of(context)
    assert ran is not None and ran.seconds > 1.0 and "--num-workers" not in ran.command


NUMERIC = '''\
"""Validators written against a numeric library, qcodes style."""
import numpy as np
import {lib} as fast

numbertypes = float | int | fast.integer | fast.floating


def clip(value: numbertypes, low: numbertypes) -> numbertypes:
    return value if value > low else low


def mean(values: np.ndarray) -> float:
    return float(np.mean(values))
'''


def test_a_dependency_installed_beside_ivi_conform_is_seen(tmp_path: Path) -> None:
    """numpy is installed here: mypy reads its hints, and the alias is a valid type."""
    finding = checks.consistent_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER,
        "xydmm/validators.py": NUMERIC.format(lib="numpy"),
    }))
    assert finding.outcome is Outcome.PASS, finding.evidence
    assert "taken as Any" not in finding.message


def test_errors_that_depend_on_a_missing_dependency_are_not_counted(tmp_path: Path) -> None:
    """A hint written against a library that is not installed cannot be judged without it."""
    finding = checks.consistent_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER,
        "xydmm/validators.py": NUMERIC.format(lib="xy_fastmath_not_installed"),
        "xydmm/ranges.py": ("from xydmm.validators import numbertypes\n\n\n"
                            "def top(value: numbertypes) -> numbertypes:\n    return value\n"),
        "xydmm/core.py": "def read() -> int:\n    return 'x'\n",
    }))
    assert finding.outcome is Outcome.FAIL
    assert [(e.file, e.line) for e in finding.evidence] == [("xydmm/core.py", 2)]
    assert "taken as Any: xy_fastmath_not_installed" in finding.message
    assert "module(s) depending on them not counted" in finding.message


@pytest.mark.parametrize("switch", [
    "# mypy: ignore-errors", "# mypy: ignore_errors=True", "# type: ignore",
    "#!/usr/bin/env python\n# type: ignore[return-value]",
    "# mypy: disable-error-code=\"return-value\"",
])
def test_a_file_wide_suppression_does_not_hide_errors(tmp_path: Path, switch: str) -> None:
    finding = checks.consistent_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER,
        "xydmm/core.py": f"{switch}\n\"\"\"Core.\"\"\"\n\n\ndef read() -> int:\n"
                         "    return 'x'\n",
    }))
    assert finding.outcome is Outcome.FAIL, finding.message
    assert "behind a file-wide suppression" in finding.message
    suppression, error = finding.evidence
    assert suppression.file == "xydmm/core.py" and "file-wide suppression" in suppression.detail
    assert error.file == "xydmm/core.py" and "[return-value]" in error.detail


def test_a_suppression_that_hides_nothing_passes(tmp_path: Path) -> None:
    """A type: ignore after the first statement is a line's, and a clean file hides nothing."""
    finding = checks.consistent_hints(wheel(tmp_path, {
        "xydmm/__init__.py": "# mypy: ignore-errors\n" + DRIVER,
        "xydmm/core.py": "import os  # type: ignore\n\n\ndef read() -> int:\n    return 1\n",
    }))
    assert finding.outcome is Outcome.PASS, finding.evidence
    assert "1 file-wide suppression(s) switched off" in finding.message


def test_other_checkers_switches_are_found() -> None:
    text = "# pyright: basic\n# pyright: reportGeneralTypeIssues=false\nx = 1\n# type: ignore\n"
    found = mypy_run.file_suppressions("xydmm/a.py", text)
    assert [evidence.line for evidence in found] == [1, 2]


def test_a_suppression_does_not_exempt_missing_hints(tmp_path: Path) -> None:
    finding = checks.complete_hints(wheel(tmp_path, {
        "xydmm/__init__.py": DRIVER,
        "xydmm/core.py": "# type: ignore\n# pyright: basic\n\n\ndef read(count):\n"
                         "    return count\n",
    }))
    assert finding.outcome is Outcome.FAIL
    assert "2 file-wide suppression(s) in their modules exempt nothing" in finding.message
    assert [e.line for e in finding.evidence[:2]] == [1, 2]
    assert all(e.file == "xydmm/core.py" for e in finding.evidence)


def test_the_import_graph_is_kept_by_each_module_s_bytes(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-audit walks only the changed modules; the graph is the one a fresh walk gives."""
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    walked: list[str] = []
    imported = FACT_KINDS["imports"]

    def counted(module: object) -> list[str]:
        walked.append(getattr(module, "name", ""))
        return imported(module)  # type: ignore[arg-type]

    monkeypatch.setitem(FACT_KINDS, "imports", counted)
    files = {"xydmm/__init__.py": "from .core import read\n",
             "xydmm/core.py": "import os\nfrom . import units\n",
             "xydmm/units.py": "VOLT = 'V'\n"}
    index = wheel(tmp_path / "a", files).source
    first = checks.package_imports(index, "xydmm")
    index.save_facts()  # as every audit does at its end
    assert first == {"xydmm": {"xydmm.core"}, "xydmm.core": {"xydmm", "xydmm.units"},
                     "xydmm.units": set()}  # a relative import runs the package too
    assert sorted(walked) == ["xydmm", "xydmm.core", "xydmm.units"]
    walked.clear()
    changed = {**files, "xydmm/units.py": "from .core import read\n"}
    second = checks.package_imports(wheel(tmp_path / "b", changed).source, "xydmm")
    assert walked == ["xydmm.units"], "only the changed module was walked"
    assert second == {**first, "xydmm.units": {"xydmm", "xydmm.core"}}
