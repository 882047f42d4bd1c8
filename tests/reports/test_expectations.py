"""Expectations: accepted failures, stale and expired entries; the CLI and the plugin."""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from conftest import Report
from demo_kit import ROOT, TESTS, tiny_wheel
from test_plugin import CONFTEST, PLUGIN

from ivi_conform.cli import main
from ivi_conform.reports import expectations
from ivi_conform.reports.expectations import Expectation, ExpectationsError

pytest_plugins = ["pytester"]
TODAY = date(2026, 6, 1)
WHEEL_RULES = ("--rule", "demo-broken", "--rule", "demo-holds", "--rule", "demo-advice")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("[[expected]]\nrule = 'x'\n", "give the reason"),
    ("[[expected]]\nreason = 'r'\n", "rule must be a rule id"),
    ("[[expected]]\nrule = 'x'\nreason = 'r'\nexpires = '2026-01-01'\n", "must be a date"),
    ("[[expected]]\nrule = 'x'\nreason = 'r'\nwhy = 1\n", "the keys are"),
    ("[[expected]]\nrule = 'x'\nreason = 'r'\n[[expected]]\nrule = 'x'\nreason = 's'\n",
     "x is listed twice"),
    ("rule = 'x'\n", "only [[expected]] tables"),
    ("[[expected]\n", "not valid TOML"),
])
def test_a_malformed_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "expect.toml", text)
    with pytest.raises(ExpectationsError, match=re.escape(message)) as raised:
        expectations.load(path)
    assert str(path) in str(raised.value)


def test_listed_failures_are_expected_passes_stale_and_old_entries_expired(
    failing: Report,
) -> None:
    listed = {entry.rule: entry for entry in (
        Expectation("demo-broken", "fixing in 2.0", date(2026, 12, 31)),
        Expectation("demo-advice", "docstrings later"),
        Expectation("demo-holds", "was broken once"),
        Expectation("demo-absent", "no extra"),
        Expectation("demo-gone", "renamed since"),
    )}
    judgement = expectations.judge(failing, listed, TODAY)
    assert [e.rule for e in judgement.expected] == ["demo-broken", "demo-advice"]
    assert [e.rule for e in judgement.stale] == ["demo-holds"]
    assert [e.rule for e in judgement.unknown] == ["demo-gone"]
    assert [e.rule for e in judgement.unused] == ["demo-absent"]
    assert judgement.failing == [] and judgement.incomplete  # demo-crash is an error
    assert judgement.exit_code() == 3 and judgement.exit_code(strict=True) == 1
    lines = judgement.lines(strict=True)
    assert "EXPECTED   demo-broken: fixing in 2.0 (until 2026-12-31)" in lines
    assert any(line.startswith("STALE      demo-holds") and "--strict" in line for line in lines)
    later = expectations.judge(failing, listed, date(2027, 1, 1))
    assert [e.rule for e in later.expired] == ["demo-broken"]
    assert later.failing == ["demo-broken"] and later.exit_code() == 1
    assert expectations.judge(failing, listed, date(2026, 12, 31)).exit_code() == 3


def test_a_complete_audit_with_every_failure_expected_exits_0(failing: Report) -> None:
    report = copy.deepcopy(failing)
    report["rules"] = [rule for rule in report["rules"] if rule["id"] != "demo-crash"]
    report["audit"]["internal_errors"] = []
    judgement = expectations.judge(
        report, {"demo-broken": Expectation("demo-broken", "r")}, TODAY)
    assert judgement.exit_code() == 0


def test_the_written_file_reads_back(failing: Report) -> None:
    report = copy.deepcopy(failing)
    broken = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    broken["message"] = 'quotes " and \\ backslashes \x7f\x01 and ünïcode 😀'
    text = expectations.dump(report, {"demo-advice": "kept"})
    parsed = tomllib.loads(text)
    assert [(e["rule"], e["reason"][:4]) for e in parsed["expected"]] == [
        ("demo-advice", "kept"), ("demo-broken", "TODO")]
    assert "😀" in parsed["expected"][1]["reason"]


def test_the_command_line(demo_catalog: None, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    wheel = str(tiny_wheel())
    out = ("--report-dir", str(tmp_path / "out"))
    written = tmp_path / "written.toml"
    assert main(["audit", wheel, *out, *WHEEL_RULES, "--write-expectations", str(written)]) == 1
    assert str(written) in capsys.readouterr().out
    assert main(["audit", wheel, *out, *WHEEL_RULES, "--expectations", str(written)]) == 0
    printed = capsys.readouterr().out
    assert "EXPECTED   demo-broken: TODO" in printed and "EXPECTED   demo-advice" in printed
    stale = _write(tmp_path / "stale.toml", written.read_text("utf-8")
                   + "\n[[expected]]\nrule = 'demo-holds'\nreason = 'r'\n")
    assert main(["audit", wheel, *out, *WHEEL_RULES, "--expectations", str(stale)]) == 0
    assert main(["audit", wheel, *out, *WHEEL_RULES, "--expectations", str(stale),
                 "--strict-expectations"]) == 1
    assert "STALE      demo-holds" in capsys.readouterr().out
    expired = _write(tmp_path / "expired.toml",
                     "[[expected]]\nrule = 'demo-broken'\nreason = 'r'\nexpires = 2020-01-01\n")
    assert main(["audit", wheel, *out, *WHEEL_RULES, "--expectations", str(expired)]) == 1
    assert "EXPIRED    demo-broken" in capsys.readouterr().out
    bad = _write(tmp_path / "bad.toml", "[[expected]]\nrule = 'x'\n")
    assert main(["audit", wheel, *out, "--expectations", str(bad)]) == 2
    assert "bad.toml" in capsys.readouterr().err


def test_the_pytest_plugin_reads_the_same_file(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.format(root=str(ROOT), tests=str(TESTS)))
    _write(pytester.path / "expect.toml",
           "[[expected]]\nrule = 'demo-broken'\nreason = 'fixing in 2.0'\n"
           "[[expected]]\nrule = 'demo-advice'\nreason = 'later'\n"
           "[[expected]]\nrule = 'demo-holds'\nreason = 'once broken'\n")
    run = pytester.runpytest(*PLUGIN, f"--ivi-driver={tiny_wheel()}",
                             "--ivi-expectations=expect.toml", "--ivi-report-dir=out")
    run.assert_outcomes(passed=2, xfailed=2, skipped=2, errors=1, warnings=1)
    run.stdout.fnmatch_lines(["*EXPECTED   demo-broken: fixing in 2.0*",
                              "*STALE      demo-holds*"])
    assert (pytester.path / "out" / "report.sarif").is_file()
    strict = pytester.runpytest(*PLUGIN, f"--ivi-driver={tiny_wheel()}",
                                "--ivi-expectations=expect.toml", "--ivi-strict-expectations")
    strict.assert_outcomes(passed=1, failed=1, xfailed=2, skipped=2, errors=1)
    _write(pytester.path / "expired.toml", "[[expected]]\nrule = 'demo-absent'\n"
           "reason = 'r'\nexpires = 2020-01-01\n")
    expired = pytester.runpytest(*PLUGIN, f"--ivi-driver={tiny_wheel()}",
                                 "--ivi-expectations=expired.toml", "-k", "demo-absent")
    assert expired.ret == pytest.ExitCode.TESTS_FAILED
    expired.stdout.fnmatch_lines(["*EXPIRED    demo-absent*"])
    bad = pytester.runpytest(*PLUGIN, f"--ivi-driver={tiny_wheel()}",
                             "--ivi-expectations=missing.toml")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
