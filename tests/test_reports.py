"""report.json, compliance.md and the console summary, rendered from one report dict.

Also the home of the small kit the faces' tests share (``test_cli``,
``test_plugin`` import it): a tiny driver built once per process, and a demo
catalog of seven rules whose checks end in every outcome, so that the tests
do not depend on the real catalog, which grows while they are written.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from demo_kit import (  # noqa: I001 - a sibling test module
    DEMO_OUTCOMES,
    ROOT,
    tiny_wheel,
    use_demo_catalog,
    validate,
)

from ivi_conform import catalog, engine
from ivi_conform.context import AuditConfig
from ivi_conform.documents import compliance as reader
from ivi_conform.documents.core_format import SECTIONS
from ivi_conform.engine import AuditResult, RuleResult
from ivi_conform.model import Outcome
from ivi_conform.reports import RENDERERS, console, json_report, write_reports
from ivi_conform.reports.compliance import render as render_compliance


@pytest.fixture
def demo_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo catalog, for the length of one test."""
    use_demo_catalog(monkeypatch, tmp_path / "demo-rules")
    yield
    monkeypatch.undo()
    catalog.load_catalog.cache_clear()


# -- report.json ----------------------------------------------------------------------------


@pytest.fixture
def audit(demo_catalog: None, tmp_path: Path) -> AuditResult:
    return engine.audit(str(tiny_wheel()), AuditConfig(), tmp_path / "work")


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_report.schema())
    assert json_report.schema()["properties"]["schema"]["const"] == json_report.SCHEMA_ID


def test_report_is_valid_and_says_what_the_audit_found(audit: AuditResult) -> None:
    report = json_report.report_of(audit, selection=None)
    validate(report)
    assert report["schema"] == "ivi-conform/report/1"
    assert report["tool"]["name"] == "ivi-conform"
    assert report["spec"] == {**engine.SPEC, "core": json_report.CORE_SPEC}
    assert report["driver"] | {"metadata": None} == {
        "distribution": "demodrv", "version": "1.2.3", "import_name": "demodrv",
        "class_name": "Demodrv", "identifier": "demodrv", "metadata": None}
    assert report["driver"]["metadata"]["requires_python"] == ">=3.11"
    assert report["target"]["kind"] == "wheel"
    assert report["target"]["wheel"]["name"] == tiny_wheel().name
    assert {rule["id"]: rule["outcome"] for rule in report["rules"]} == DEMO_OUTCOMES
    assert [rule["id"] for rule in report["rules"]] == list(DEMO_OUTCOMES)
    assert report["summary"] == {"pass": 2, "fail": 1, "warn": 1, "skip": 2, "not-judged": 0,
                                 "error": 1}
    assert report["verdict"] == "non-conformant"
    assert report["decisions"] == [{
        "rule": "demo-broken", "section": "Package Metadata", "title": "The demo rule that fails",
        "decision": "The demo reads the version from the metadata | not from the API."}]
    broken = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    assert broken["evidence"][0] == {"file": "pyproject.toml", "line": 7, "detail": "version 0"}
    assert broken["source"] == "IVI Driver Core 1.0 (L1)" and broken["judged"] == "static"
    (crash,) = report["audit"]["internal_errors"]
    assert crash["rule"] == "demo-crash" and "the demo check is broken" in crash["traceback"]
    assert report["audit"]["runner"] == "cli" and report["audit"]["static_only"] is False


def test_report_carries_the_drivers_own_compliance_items_but_no_placeholders(
    audit: AuditResult,
) -> None:
    shipped = json_report.report_of(audit, selection=None)["compliance_document"]
    assert shipped["path"] == "demodrv/compliance.md"
    items = {(item["subsection"], item["item"]): item["value"] for item in shipped["items"]}
    assert items[(None, "Instrument Manufacturer")] == "Demo Instruments"
    assert items[("Test Setup 1", "Bus Interface")] == "LAN"
    assert (None, "Supported Bus Interfaces") not in items


def test_a_crash_report_is_valid_and_incomplete(demo_catalog: None) -> None:
    rules = catalog.load_catalog()
    results = [RuleResult(rule, Outcome.ERROR, "not judged") for rule in rules]
    report = json_report.build_report(
        context=None, config=AuditConfig(static_only=True), origin="somewhere", results=results,
        started=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), seconds=0.5, selection=None,
        runner="cli", crash=("RuntimeError: boom", "Traceback ...\nRuntimeError: boom\n"))
    validate(report)
    assert report["verdict"] == "incomplete"
    assert report["driver"]["distribution"] is None
    assert report["audit"]["internal_errors"][-1]["where"] == "audit"
    assert "## Driver Identification" in render_compliance(report)


def test_a_rule_result_survives_the_trip_to_json_and_back(audit: AuditResult) -> None:
    for result in audit.results:
        data = json.loads(json.dumps(json_report.result_to_json(result)))
        assert json_report.result_from_json(data, result.rule) == result


def test_write_reports_writes_every_rendering_and_survives_a_broken_renderer(
    audit: AuditResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(report: Mapping[str, Any]) -> str:
        raise ValueError("renderer bug")

    monkeypatch.setattr("ivi_conform.reports.RENDERERS", {"broken.txt": broken, **RENDERERS})
    report = json_report.report_of(audit, selection=None)
    written = write_reports(report, tmp_path / "out")
    assert sorted(path.name for path in written) == sorted(RENDERERS)
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    validate(saved)
    assert saved["audit"]["internal_errors"][-1]["where"] == "writing broken.txt"
    assert not list((tmp_path / "out").glob(".*partial"))


def test_the_json_schema_is_not_needed_at_run_time() -> None:
    code = ("import sys, ivi_conform.cli, ivi_conform.plugin, ivi_conform.reports; "
            "sys.exit('jsonschema' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- compliance.md --------------------------------------------------------------------------


def test_compliance_document_has_the_core_sections_in_order(audit: AuditResult) -> None:
    text = render_compliance(json_report.report_of(audit, selection=None))
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    core = [heading for heading in headings if heading in {s.name for s in SECTIONS}]
    assert core == [section.name for section in SECTIONS]
    for section in SECTIONS:
        for item in section.items:
            assert f"\n{item.name}:" in text or not item.required, item.name


def test_compliance_document_is_filled_with_what_the_audit_established(
    audit: AuditResult,
) -> None:
    text = render_compliance(json_report.report_of(audit, selection=None))
    assert "Driver Version: 1.2.3\n" in text
    assert "Driver Vendor: Demo Instruments\n" in text
    assert "Driver Identifier: Demodrv\n" in text
    assert "Instrument Manufacturer: Demo Instruments\n" in text
    assert "Supported Instrument Models: D-1, D-2\n" in text
    assert "- IVI Driver Core Specification (Version 1.0)\n" in text
    assert "- IVI Driver Python Specification (Version 1.0)\n" in text
    assert "- pyvisa (>=1.14)\n" in text and "pyvisa-py" not in text.split("## Unit")[0]
    for vendor_only in ("Supported Operating Systems", "Supported Bus Interfaces",
                        "Driver Bitness"):
        assert f"{vendor_only}: **[vendor to fill]**" in text, vendor_only
    assert "Bus Interface: LAN\n" in text  # from the driver's own test setup
    assert "Verdict: **non-conformant**" in text
    assert "## Audit by ivi-conform " in text
    assert "### Package Metadata\n" in text
    assert "| `demo-broken` | shall | **fail** | the version is 1.2.3, not 9.9.9 |" in text
    assert "  - `pyproject.toml:7`: version 0" in text
    assert "and 2 more (report.json lists them all)" in text
    assert ("- `demo-broken` (Package Metadata): The demo reads the version from the metadata "
            "\\| not from the API.\n") in text  # the checker's text, Markdown escaped
    assert "- Driver Download Link: https://demo.example/demodrv" in text


def test_compliance_document_reads_back_with_the_compliance_reader(audit: AuditResult) -> None:
    text = render_compliance(json_report.report_of(audit, selection=None))
    doc = reader.parse_compliance(text, "compliance.md")
    for section in SECTIONS:
        assert doc.section(section.name) is not None, section.name
    assert doc.item("Driver Identification", "Driver Version").text == "1.2.3"
    assert len(doc.test_setups) == 1


# -- the console summary ---------------------------------------------------------------------


def test_console_summary_shows_what_needs_attention(audit: AuditResult) -> None:
    report = json_report.report_of(audit, selection=None)
    text = console.render(report, [Path("out/report.json"), Path("out/compliance.md")])
    assert "driver:  demodrv 1.2.3 (demodrv.Demodrv)" in text
    assert "verdict: NON-CONFORMANT  2 pass, 1 fail, 1 warn, 2 skip, 0 not-judged, 1 error" in text
    assert "FAIL       demo-broken (shall)" in text
    assert "pyproject.toml:7: version 2" in text and "version 3" not in text
    assert "... and 9 more" in text
    assert "WARN       demo-advice (should)" in text
    assert "ivi-conform could not judge this rule: internal error" in text
    assert "demo-holds" not in text
    assert "wrote out/report.json\n      out/compliance.md\n" in text
    assert "\033[" not in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_colours_only_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert console.use_colour(_Terminal())
    assert not console.use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not console.use_colour(_Terminal())


def test_console_colours_the_verdict(audit: AuditResult) -> None:
    text = console.render(json_report.report_of(audit, selection=None), colour=True)
    assert "\033[31;1mNON-CONFORMANT\033[0m" in text


def test_rules_not_judged_for_one_reason_read_as_one_line(
    demo_catalog: None, tmp_path: Path
) -> None:
    static = engine.audit(str(tiny_wheel()), AuditConfig(static_only=True), tmp_path / "work")
    report = json_report.report_of(static, selection=None)
    assert report["verdict"] == "non-conformant" and report["summary"]["not-judged"] == 1
    text = console.render(report)
    assert "NOT-JUDGED demo-runtime: static audit: the driver was not run" in text
    assert "static audit: the driver was not run; the behavioural rules were not judged" in text
    rules = [dict(rule, id=f"run-{n}", outcome="not-judged", message="no instrument")
             for n, rule in enumerate([report["rules"][0]] * 8)]
    grouped = console.render({**report, "rules": rules})
    assert grouped.count("no instrument") == 1
    assert "NOT-JUDGED 8 rules: no instrument" in grouped and "... (+2)" in grouped
