"""compliance.md: the vendor's text kept word for word, what the audit adds, what it never says.

The vendor documents are two corpus drivers' own (written by others, in
their own styles): skroofkit's Markdown ``ComplianceDocument.md`` and
skylightinbuilt's reStructuredText README; each is audited statically once
per process (about a second).
"""

from __future__ import annotations

import copy
import functools
import re
import tempfile
from pathlib import Path

import pytest
from audits import mutate
from conftest import Report
from demo_kit import validate

from ivi_conform.context import AuditConfig
from ivi_conform.engine import audit
from ivi_conform.reports import json_report
from ivi_conform.reports.compliance import render as render_compliance
from ivi_conform.reports.report_types import Run
from ivi_conform.reports.vendor_document import literal_line

SKROOFKIT = mutate.CORPUS / "skroofkit"


@functools.cache
def corpus_report(driver: str) -> Report:
    """The report of a static audit of a corpus driver."""
    work = Path(tempfile.mkdtemp(prefix=f"compliance-{driver}-"))
    result = audit(str(mutate.CORPUS / driver), AuditConfig(static_only=True), work)
    report = json_report.report_of(result, selection=None)
    validate(report)
    return report


def _section(text: str, heading: str) -> str:
    """The text of one ``## heading`` of compliance.md, up to the next ``## ``."""
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_compliance_documents_known_issues_list_the_failed_rules(
    failing: Report, conformant: Report, static: Report,
) -> None:
    failed = render_compliance(failing)
    assert ("Known Issues:\n\n- demo-broken (Package Metadata): the version is 1.2.3, not "
            "9.9.9 (found by the audit)\n") in failed
    assert "Known Issues: None\n" in render_compliance(conformant)
    assert "Known Issues: **[vendor to fill]**" in render_compliance(static)


def test_the_report_carries_each_vendor_section_verbatim() -> None:
    shipped = corpus_report("skroofkit")["compliance_document"]
    assert shipped is not None
    assert shipped["path"].endswith("ComplianceDocument.md") and shipped["markdown"]
    sections = {(part["section"], part["subsection"]): part["text"]
                for part in shipped["sections"]}
    source = (SKROOFKIT / "ComplianceDocument.md").read_text("utf-8")
    assert sections[("Additional Compliance Information", None)] in source
    assert sections[("Additional Compliance Information", None)].startswith(
        "- Simulation is selected at initialization with the option `simulate`\n")
    assert sections[("Unit Testing", "Test Setup 3")].endswith("IVI Shared Components are not "
                                                                "used by this driver.")
    assert sections[("Software Prerequisites", None)].splitlines()[1] == (
        "- Supported Python Versions: 3.10, 3.11, 3.12, 3.13, 3.14")


def test_every_line_the_vendor_wrote_is_in_the_compliance_document() -> None:
    text = render_compliance(corpus_report("skroofkit"))
    source = (SKROOFKIT / "ComplianceDocument.md").read_text("utf-8")
    body = source.split("\n## IVI Compliance Category", 1)[1].split("\n", 1)[1]
    kept = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
    missing = [line for line in kept if line not in text.splitlines()]
    assert missing == []
    additional = _section(text, "Additional Compliance Information")
    vendor_first = additional.index("- Every I/O operation has a time limit")
    assert vendor_first < additional.index("### Automated conformance audit by ivi-conform")
    assert "### Test Setup 3\n" in _section(text, "Unit Testing")
    assert "This document describes the IVI compliance of the SkRoofKit driver" in (
        text.split("\n## ", 1)[0])  # the vendor's introduction, kept


def test_an_item_the_vendor_left_out_is_added_or_marked_for_the_vendor() -> None:
    report = copy.deepcopy(corpus_report("skroofkit"))
    shipped = report["compliance_document"]
    assert shipped is not None
    for part in shipped["sections"]:
        if part["section"] == "Hardware Information":
            part["text"] = "- Instrument Manufacturer: Skylight Test Systems"
    shipped["items"] = [item for item in shipped["items"]
                        if item["section"] != "Hardware Information"
                        or item["item"] == "Instrument Manufacturer"]
    hardware = _section(render_compliance(report), "Hardware Information")
    assert hardware.startswith("\n- Instrument Manufacturer: Skylight Test Systems\n")
    assert "Supported Bus Interfaces: **[vendor to fill]**" in hardware
    assert hardware.count("Instrument Manufacturer") == 1


def test_a_text_documents_file_names_stay_literal() -> None:
    line = "- Driver introduction: ``docs/___Introduction to SkylightInbuilt___.rst``"
    assert literal_line(line) == (
        "- Driver introduction: `docs/___Introduction to SkylightInbuilt___.rst`")
    assert literal_line("  * see ___Introduction to X___.md, *not* <this>") == (
        "  * see \\_\\_\\_Introduction to X\\_\\_\\_.md, \\*not\\* \\<this\\>")
    text = render_compliance(corpus_report("skylightinbuilt"))
    assert "``" not in _section(text, "Hardware Information")
    assert "- LAN, TCP/IP raw socket (`TCPIP::<host>::<port>::SOCKET`)" in text


def test_a_driver_that_is_not_conformant_never_says_it_complies(
    failing: Report, static: Report, conformant: Report,
) -> None:
    for report in (failing, static, corpus_report("skroofkit")):
        category = _section(render_compliance(report), "Compliance Category")
        assert "complies" not in category and "does not comply" in category or (
            "Compliance is not established yet" in category)
        assert "- IVI Driver Core Specification (Version 1.0)" in category
    assert "does not comply yet" in _section(render_compliance(failing), "Compliance Category")
    assert "complies with:" in _section(render_compliance(conformant), "Compliance Category")


def test_a_vendors_none_the_audit_contradicts_is_not_kept(failing: Report) -> None:
    report = copy.deepcopy(failing)
    report["compliance_document"] = {
        "path": "demodrv/compliance.md", "markdown": True,
        "items": [{"section": "Driver Test Failures", "subsection": None,
                   "item": "Known Issues", "value": "None"}],
        "sections": [{"heading": "Driver Test Failures", "section": "Driver Test Failures",
                      "subsection": None, "text": "- Known Issues: None"}]}
    failures = _section(render_compliance(report), "Driver Test Failures")
    assert "None" not in failures and "demo-broken" in failures


def test_the_audits_own_runs_are_test_setups_of_their_own(conformant: Report) -> None:
    report = copy.deepcopy(conformant)
    bus = "LAN (raw TCP socket on the loopback interface, ivi-conform's simulator)"
    runs: list[Run] = [
        {"model": model, "manufacturer": "Demo Instruments", "firmware": firmware,
         "serial": serial, "resource": "TCPIP0::127.0.0.1::<port>::SOCKET", "bus": bus,
         "visa_library": "pyvisa-py", "visa_version": "0.8.1", "simulation": False}
        for model, firmware, serial in (("D-1", "1.0", "7"), ("D-2", "2.0", "8"))]
    runs.append(runs[0] | {"model": "", "firmware": "", "serial": "", "manufacturer": "",
                           "bus": "none (the driver performed no I/O)", "simulation": True})
    report["audit"]["runtime"] = {
        "notes": ["simulation switched on with options={'simulate': True}"], "stages": {},
        "rule_seconds": {}, "runs": runs, "instruments": json_report._instruments(runs)}
    report["audit"]["judges"] |= {"pyvisa": "1.16.2", "pyvisa-py": "9.9.9"}  # runs say 0.8.1
    validate(report)
    unit = _section(render_compliance(report), "Unit Testing")
    assert "### Test Setup 1\n" in unit  # the vendor's own, kept
    audited = unit.split("### Test Setup 2: ivi-conform's audit, instrument I/O\n", 1)[1]
    system = report["audit"]["operating_system"]
    assert re.search(
        r"Instrument Model \(Firmware Version\): D-1 \(1\.0\), D-2 \(2\.0\), as each answered "
        r"\*IDN\?, simulated by ivi-conform\n\nBus Interface: LAN \(raw TCP socket", audited)
    assert f"Operating System: {report['audit']['bitness']} {system}, CPython" in audited
    assert "VISA Vendor and Version: pyvisa-py 0.8.1 with pyvisa 1.16.2\n" in audited
    assert "### Test Setup 3: ivi-conform's audit, the driver's simulation mode" in unit
    assert "Test Setup 2" not in _section(render_compliance(conformant), "Unit Testing")


def test_the_instruments_are_the_runs_that_answered_outside_simulation() -> None:
    answered: Run = {"model": "SR-IB100", "manufacturer": "Skylight Test Systems",
                     "firmware": "2.1.0", "serial": "SN100042", "resource": "r", "bus": "b",
                     "visa_library": "pyvisa-py", "visa_version": "1", "simulation": False}
    unasked: Run = answered | {"model": "SR-PN200", "firmware": "", "serial": "",
                               "manufacturer": ""}
    simulated: Run = answered | {"model": "SR-PN400", "simulation": True}
    assert json_report._instruments([answered, answered, unasked, simulated]) == [
        {"manufacturer": "Skylight Test Systems", "model": "SR-IB100", "serial": "SN100042",
         "firmware": "2.1.0"}]


def test_the_python_versions_come_from_the_classifiers_unless_the_vendor_names_them(
    conformant: Report,
) -> None:
    report = copy.deepcopy(conformant)
    report["driver"]["metadata"]["classifiers"] = [
        "Programming Language :: Python :: 3.12", "Programming Language :: Python :: 3.13"]
    prerequisites = _section(render_compliance(report), "Software Prerequisites")
    assert ("Supported Python Versions: 3.12, 3.13 (the package classifiers); "
            "Requires-Python >=3.11\n") in prerequisites
    kit = _section(render_compliance(corpus_report("skroofkit")), "Software Prerequisites")
    assert kit.count("Python Versions") == 1  # the vendor's own item


@pytest.mark.parametrize("driver", ["skroofkit", "skylightinbuilt"])
def test_the_compliance_document_reads_back(driver: str) -> None:
    from ivi_conform.documents.compliance import parse_compliance

    doc = parse_compliance(render_compliance(corpus_report(driver)), "compliance.md")
    identification = doc.item("Driver Identification", "Driver Version")
    assert identification is not None and identification.text == "1.0.0"
    assert doc.test_setups


def test_evidence_quotes_the_first_exchanges_of_its_trace(failing: Report) -> None:
    report = copy.deepcopy(failing)
    runtime = next(rule for rule in report["rules"] if rule["id"] == "demo-runtime")
    runtime["outcome"] = "fail"
    runtime["evidence"] = [{"file": "Demodrv.__init__", "line": None, "detail": "reset=True"}]
    assert "- `Demodrv.__init__`: reset=True\n" in render_compliance(report)
    runtime["evidence"][0]["trace"] = ["> *IDN?", "< D,1,2,3", "> *CLS", "> *RST"]
    assert ("- `Demodrv.__init__`: reset=True (I/O: \\> \\*IDN? \\| \\< D,1,2,3 \\| \\> \\*CLS)\n"
            in render_compliance(report))
