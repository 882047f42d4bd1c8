"""The ``ivi-conform`` command: exit statuses, files written, one-line errors.

Most tests call :func:`ivi_conform.cli.main` in-process with the demo catalog
(``test_reports``); a few run ``python -m ivi_conform`` as a user would, with
whatever catalog the checkout has.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_kit import (
    DEMO_OUTCOMES,
    ROOT,
    tiny_driver,
    tiny_wheel,
    use_demo_catalog,
    validate,
)

from ivi_conform import __version__, catalog
from ivi_conform.cli import main
from ivi_conform.documents.core_format import SECTIONS

REFERENCE = ROOT / "fixtures" / "reference"


@pytest.fixture
def demo_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_demo_catalog(monkeypatch, tmp_path / "demo-rules")
    yield
    monkeypatch.undo()
    catalog.load_catalog.cache_clear()


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m ivi_conform ARGS``, importing this checkout, without colour."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "ivi_conform", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _report(directory: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((directory / "report.json").read_text("utf-8"))
    validate(report)
    return report


# -- audit ----------------------------------------------------------------------------------


def test_audit_writes_both_files_prints_the_summary_and_exits_1_when_a_shall_fails(
    demo_catalog: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(out)]) == 1
    report = _report(out)
    assert {rule["id"]: rule["outcome"] for rule in report["rules"]} == DEMO_OUTCOMES
    assert report["verdict"] == "non-conformant" and report["audit"]["selection"] is None
    compliance = (out / "compliance.md").read_text("utf-8")
    assert all(f"\n## {section.name}\n" in compliance for section in SECTIONS)
    printed = capsys.readouterr()
    assert "verdict: NON-CONFORMANT" in printed.out
    assert "FAIL       demo-broken" in printed.out and "pyproject.toml:7: version 0" in printed.out
    assert f"wrote {out / 'compliance.md'}" in printed.out
    assert str(out / "report.json") in printed.out
    assert printed.err == ""


@pytest.mark.parametrize(("rules", "status", "verdict"), [
    (["demo-holds"], 0, "conformant"),
    (["demo-holds", "demo-advice"], 0, "conformant"),  # a should not met only warns
    (["demo-broken"], 1, "non-conformant"),
    (["demo-holds", "demo-crash"], 3, "incomplete"),
    (["demo-crash", "demo-broken"], 1, "non-conformant"),
])
def test_audit_exit_status_follows_the_verdict(
    demo_catalog: None, tmp_path: Path, rules: list[str], status: int, verdict: str,
) -> None:
    selection = [arg for rule in rules for arg in ("--rule", rule)]
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path), *selection]) == status
    report = _report(tmp_path)
    assert report["verdict"] == verdict
    assert report["audit"]["selection"] == [rule for rule in DEMO_OUTCOMES if rule in rules]


def test_audit_options_reach_the_report(demo_catalog: None, tmp_path: Path) -> None:
    status = main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path), "--static",
                   "--vendor", "DM=Demo Instruments", "--release-date", "2026-03-04",
                   "--ivi-options", "Simulate=True", "--timeout", "7.5"])
    assert status == 1
    audit = _report(tmp_path)["audit"]
    assert audit["static_only"] is True
    assert audit["vendors"] == {"DM": "Demo Instruments"}
    assert audit["release_date"] == "2026-03-04"
    assert audit["options"] == "Simulate=True" and audit["timeout_s"] == 7.5
    runtime = next(rule for rule in _report(tmp_path)["rules"] if rule["id"] == "demo-runtime")
    assert runtime["outcome"] == "not-judged"


def test_audit_prints_the_report_as_json(
    demo_catalog: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path),
                 "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == _report(tmp_path)


def test_audit_writes_into_reports_distribution_by_default(
    demo_catalog: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["audit", str(tiny_wheel()), "--rule", "demo-holds"]) == 0
    assert _report(tmp_path / "reports" / "demodrv")["driver"]["distribution"] == "demodrv"


def test_audit_of_a_source_folder_builds_it(demo_catalog: None, tmp_path: Path) -> None:
    assert main(["audit", str(tiny_driver()), "--report-dir", str(tmp_path),
                 "--rule", "demo-holds"]) == 0
    target = _report(tmp_path)["target"]
    assert target["kind"] == "folder" and target["wheel"]["name"].startswith("demodrv-1.2.3-")


def _bad_targets(tmp_path: Path) -> dict[str, Path]:
    text_wheel = tmp_path / "x.whl"
    text_wheel.write_text("not a zip\n", encoding="utf-8")
    invalid = tmp_path / "invalid"
    invalid.mkdir()
    (invalid / "pyproject.toml").write_text("[project\nname = 'x'\n", encoding="utf-8")
    return {
        "missing folder": tmp_path / "no-such-folder",
        "text file named .whl": text_wheel,
        "invalid TOML": invalid,
    }


@pytest.mark.parametrize("kind", ["missing folder", "text file named .whl", "invalid TOML"])
def test_an_unreadable_target_is_one_line_and_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    target = _bad_targets(tmp_path)[kind]
    named = target / "pyproject.toml" if target.is_dir() else target
    assert main(["audit", str(target), "--report-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ivi-conform: error: ") and err.count("\n") == 1
    assert str(named) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["missing folder", "text file named .whl", "invalid TOML"])
def test_an_unreadable_target_is_one_line_and_exit_2_from_a_shell(kind: str,
                                                                  tmp_path: Path) -> None:
    target = _bad_targets(tmp_path)[kind]
    done = _run("audit", str(target), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("ivi-conform: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["--rule", "no-such-rule"], "unknown rule id(s): no-such-rule"),
    (["--vendor", "nocompany"], "'nocompany' is not ABBR=Company"),
    (["--release-date", "2026-13-01"], "'2026-13-01' is not a date YYYY-MM-DD"),
    (["--timeout", "-1"], "'-1' is not a positive number of seconds"),
])
def test_bad_options_are_usage_errors(
    demo_catalog: None, args: list[str], message: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_report_dir_is_a_usage_error(
    demo_catalog: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    occupied = tmp_path / "file"
    occupied.write_text("", encoding="utf-8")
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(occupied)]) == 2
    assert capsys.readouterr().err.startswith(
        f"ivi-conform: error: cannot write the reports into {occupied}")


def test_an_engine_crash_still_writes_the_report_and_exits_3(
    demo_catalog: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the engine is broken")

    monkeypatch.setattr("ivi_conform.engine.run_audit", crash)
    assert main(["audit", str(tiny_wheel()), "--report-dir", str(tmp_path)]) == 3
    report = _report(tmp_path)
    assert report["verdict"] == "incomplete"
    assert {rule["outcome"] for rule in report["rules"]} == {"error"}
    (error,) = report["audit"]["internal_errors"]
    assert error["where"] == "audit" and "RuntimeError: the engine is broken" in error["traceback"]
    assert report["driver"]["distribution"] == "demodrv"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("ivi-conform: internal error (a bug in ivi-conform, not in the driver)")
    assert str(tmp_path / "report.json") in err


# -- rules, sim, --version --------------------------------------------------------------------


def test_rules_lists_the_catalog_as_text_and_json(
    demo_catalog: None, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert "Package Metadata\n  demo-broken " in text
    assert "shall   static   The demo rule that fails" in text
    assert text.rstrip().endswith("7 rules (IVI Driver Python Specification 1.0)")
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [rule.to_json() for rule in catalog.load_catalog()]


@pytest.mark.parametrize("section", ["Package Metadata", "package-metadata", "PACKAGE METADATA"])
def test_rules_of_one_section(
    demo_catalog: None, section: str, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--format", "json", "--section", section]) == 0
    assert [rule["id"] for rule in json.loads(capsys.readouterr().out)] == ["demo-broken"]


def test_rules_of_an_unknown_section_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--section", "Nowhere"]) == 2
    assert "'Nowhere' is not a section heading" in capsys.readouterr().err


def test_the_real_catalog_lists_from_a_shell(tmp_path: Path) -> None:
    done = _run("rules", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [rule["id"] for rule in json.loads(done.stdout)] == [
        rule.id for rule in catalog.load_catalog()]


def test_sim_delegates_to_the_simulators_own_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[argparse.Namespace] = []

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--model")

    def run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    fake = types.SimpleNamespace(add_arguments=add_arguments, run=run)
    monkeypatch.setitem(sys.modules, "ivi_conform.sim.cli", fake)
    assert main(["sim", "--model", "SR-PN200"]) == 7
    assert seen[0].model == "SR-PN200"
    assert main(["sim", "--no-such-option"]) == 2


def test_sim_without_the_simulator_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "ivi_conform.sim.cli", None)
    assert main(["sim", "--profile"]) == 2
    assert capsys.readouterr().err.startswith(
        "ivi-conform: error: the simulator is not available in this installation")


def test_version(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"ivi-conform {__version__} (")
    done = _run("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("ivi-conform ")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: ivi-conform" in capsys.readouterr().err


# -- end to end, with the real catalog ---------------------------------------------------------


def test_a_static_audit_from_a_shell(tmp_path: Path) -> None:
    done = _run("audit", str(tiny_driver()), "--static", "--report-dir", "out", cwd=tmp_path)
    report = _report(tmp_path / "out")
    expected = {"conformant": 0, "non-conformant": 1, "incomplete": 3}[report["verdict"]]
    assert done.returncode == expected, done.stderr
    assert f"verdict: {report['verdict'].upper()}" in done.stdout
    assert "Traceback" not in done.stderr
    compliance = (tmp_path / "out" / "compliance.md").read_text("utf-8")
    assert all(f"\n## {section.name}\n" in compliance for section in SECTIONS)


@pytest.mark.slow
@pytest.mark.skipif(not (REFERENCE / "pyproject.toml").is_file(),
                    reason="the reference driver is not in this checkout yet")
def test_the_reference_driver_is_conformant_end_to_end(tmp_path: Path) -> None:
    done = _run("audit", str(REFERENCE), "--report-dir", "out", cwd=tmp_path)
    report = _report(tmp_path / "out")
    not_passed = {rule["id"]: rule["message"] for rule in report["rules"]
                  if rule["outcome"] not in {"pass", "skip"}}
    assert (done.returncode, report["verdict"], not_passed) == (0, "conformant", {})
    assert report["driver"]["distribution"] == "sksunroof"
    compliance = (tmp_path / "out" / "compliance.md").read_text("utf-8")
    assert "Verdict: **conformant**" in compliance
    assert "Instrument Manufacturer: Skylight Test Systems" in compliance
