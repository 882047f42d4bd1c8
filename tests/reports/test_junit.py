"""junit.xml, read back with junitparser (the parser CI plugins use) and ElementTree."""

from __future__ import annotations

import copy
from pathlib import Path
from xml.etree import ElementTree

import junitparser
from conftest import Report

from ivi_conform.reports import junit


def _parse(report: Report, tmp_path: Path) -> junitparser.JUnitXml:
    path = tmp_path / "junit.xml"
    path.write_text(junit.render(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    assert isinstance(xml, junitparser.JUnitXml)
    return xml


def test_one_case_per_rule_grouped_by_section(failing: Report, tmp_path: Path) -> None:
    xml = _parse(failing, tmp_path)
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == list(dict.fromkeys(rule["section"] for rule in failing["rules"]))
    cases = {case.name: (suite.name, case) for suite in xml for case in suite}
    assert set(cases) == {rule["id"] for rule in failing["rules"]}
    section, broken = cases["demo-broken"]
    assert section == "Package Metadata"
    assert broken.classname == "ivi-conform.package-metadata"
    (failure,) = broken.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == "the version is 1.2.3, not 9.9.9"
    assert "pyproject.toml:7: version 11" in (failure.text or "")
    assert "A demo version shall be 9.9.9." in (failure.text or "")
    (error,) = cases["demo-crash"][1].result
    assert isinstance(error, junitparser.Error)
    (skipped,) = cases["demo-absent"][1].result
    assert isinstance(skipped, junitparser.Skipped)
    advice = cases["demo-advice"][1]
    assert advice.is_passed and "WARNING (should)" in (advice.system_out or "")
    assert cases["demo-holds"][1].is_passed
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (7, 1, 1, 2)


def test_the_verdict_is_a_property(failing: Report, conformant: Report, static: Report) -> None:
    for report, verdict in ((failing, "non-conformant"), (conformant, "conformant"),
                            (static, "incomplete")):
        root = ElementTree.fromstring(junit.render(report).encode("utf-8"))
        values = {prop.get("name"): prop.get("value") for prop in root.iter("property")}
        assert values["verdict"] == verdict


def test_a_conformant_audit_has_no_failure(conformant: Report, tmp_path: Path) -> None:
    xml = _parse(conformant, tmp_path)
    assert (xml.failures, xml.errors) == (0, 0)


def test_not_judged_rules_are_skipped_with_the_reason(static: Report, tmp_path: Path) -> None:
    cases = {case.name: case for suite in _parse(static, tmp_path) for case in suite}
    (skipped,) = cases["demo-runtime"].result
    assert isinstance(skipped, junitparser.Skipped)
    assert skipped.message.startswith("NOT JUDGED")


def test_what_the_driver_said_cannot_break_the_xml(failing: Report, tmp_path: Path) -> None:
    report = copy.deepcopy(failing)
    broken = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    broken["message"] = "got \x00\x1b[31m <&> ]]> \"quoted\""
    cases = {case.name: case for suite in _parse(report, tmp_path) for case in suite}
    (failure,) = cases["demo-broken"].result
    assert failure.message == "got \ufffd\ufffd[31m <&> ]]> \"quoted\""


def test_a_crashed_audit_parses(crashed: Report, tmp_path: Path) -> None:
    xml = _parse(crashed, tmp_path)
    assert xml.errors == len(crashed["rules"])
