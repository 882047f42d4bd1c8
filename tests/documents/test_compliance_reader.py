"""The compliance-document reader: the Core's example, rst, tables, items, versions, search."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.documents.compliance import (
    find_compliance_document,
    find_readme,
    normalize_name,
    parse_compliance,
    parse_file_version,
    split_list,
)

#: The Core's own example compliance document (ExampleComplianceDocument.md), verbatim.
CORE_EXAMPLE = """\
# Example IVI Driver Compliance Document

This is the IVI Compliance document for the fictional Keysight Technologies Q12120A instrument.

## IVI Compliance Category

This IVI.NET Instrument Driver complies with:

- Ivi Driver Core Specification (Version 1.0)
- Ivi Driver .NET Language Specification (Version 1.0)

## Driver Identification

Driver Version: 1.1.0

Driver Vendor: Keysight Technologies

Driver Identifier: KtQ1212x

Description:  IVI.NET instrument driver for the Keysight Q1212x series of
Function/Arbitrary Waveform Generators

Driver Bitness: 32-bit/64-bit

Source Code: The source code for this driver is available on the Keysight Technologies web site.

## Hardware Information

Instrument Manufacturer: Keysight Technologies

Supported Instrument Models: Q12120A, Q12121A

Supported Bus Interfaces: USB, LAN, GPIB

## Software Prerequisites Information

Supported Operating Systems:

- 64-bit Windows 10 (all supported versions)
- Windows 11 (all supported versions)

Driver Dependencies (Version):

- .NET Runtime (6.0 or higher)
- VISA.NET for IVI.NET Drivers (7.4 or higher)

## Unit Testing

### Test Setup 1

Instrument Model (Firmware Version): Keysight Q12120A (2.1, 2.21)

Bus Interface: GPIB

Operating System (Version): 64-bit Windows 10 (21H2), Windows 11 (23H2)

Driver Bitness: 32-bit, 64-bit

VISA Vendor (Version): Keysight IO Libraries 2024 (21.0.47)

IVI.NET Core Driver Shared Components Version: 1.0.0

### Test Setup 2

Instrument Model (Firmware Version): Keysight Q12121A (1.13)

Bus Interface: USB, LAN

Operating System (Version): Windows 11 (23H2)

Driver Bitness: 64-bit

VISA Vendor (Version): Keysight IO Libraries 2024 (21.0.47)

IVI.NET Core Driver Shared Components Version: 1.0.0

## Driver Installation Testing

Operating System (Version): 64-bit Windows 10 (21H2), Windows 11 (23H2)

## Driver Buildability

Operating System (Version): Windows 11 (23H2)

## Driver Test Failures

> Known Issues: None
"""

RST_DOCUMENT = """\
=====================================
IVI Compliance Document for XyDriver
=====================================

Compliance Category
===================

* IVI Driver Core Specification (Version 1.0)
* IVI-Python Specification 1.0

Driver Identification
=====================

:Driver Version: 2.0.1
:Driver Vendor: Xy Instruments
:Driver Bitness: 64-bit
:Source Code: included

Hardware Information
====================

================================  ==================
Item                              Value
================================  ==================
Instrument Manufacturer           Xy Instruments
Supported Instrument Models       XY100, XY200
Supported Bus Interfaces          USB
================================  ==================

Software Prerequisites
======================

Supported Operating Systems for 64-bit Drivers:
    - Windows 11 (24H2)
    - Ubuntu 24.04

Driver Dependencies: pyvisa (1.14)

Unit Testing
============

Test Setup 1
------------

+-------------------------------------+---------------+
| Instrument Model (Firmware Version) | XY100 (1.2)   |
+-------------------------------------+---------------+
| Bus Interface                       | USB           |
+-------------------------------------+---------------+
| Operating System                    | Windows 11    |
|                                     | (24H2)        |
+-------------------------------------+---------------+

Driver Test Failures
====================

**Known Issues**: None
"""

TABLE_DOCUMENT = """\
**Compliance Category**

- IVI Driver Core Specification
- IVI Driver Python Specification

Driver Identification
---------------------

| Item | Value |
|------|-------|
| Driver Version | 1.0.0 |
| **Driver Vendor** | Acme |
| Driver Bitness | 32-bit/64-bit |

## Unit Testing

**Test Setup 1**

- Bus Interface: USB
"""


def test_core_example_sections_match_core_names() -> None:
    doc = parse_compliance(CORE_EXAMPLE, "ExampleComplianceDocument.md")
    category = doc.section("Compliance Category")
    assert category is not None and category.title == "IVI Compliance Category"
    assert category.line == 5
    assert any("Ivi Driver Core Specification" in line.text for line in category.lines)
    prerequisites = doc.section("Software Prerequisites")
    assert prerequisites is not None
    assert prerequisites.title == "Software Prerequisites Information"


def test_core_example_items_values_and_lines() -> None:
    doc = parse_compliance(CORE_EXAMPLE, "ExampleComplianceDocument.md")
    version = doc.item("Driver Identification", "Driver Version")
    assert version is not None and version.value == "1.1.0" and version.line == 14
    description = doc.item("Driver Identification", "Description")
    assert description is not None
    assert description.value.endswith("series of Function/Arbitrary Waveform Generators")
    models = doc.item("Hardware Information", "Supported Instrument Models")
    assert models is not None and models.listed() == ("Q12120A", "Q12121A")


def test_core_example_lists_under_items_and_alternative_spellings() -> None:
    doc = parse_compliance(CORE_EXAMPLE, "ExampleComplianceDocument.md")
    systems = doc.item("Software Prerequisites", "Supported Operating Systems")
    assert systems is not None and systems.value == ""
    assert systems.entries == ("64-bit Windows 10 (all supported versions)",
                               "Windows 11 (all supported versions)")
    dependencies = doc.item("Software Prerequisites", "Driver Dependencies")
    assert dependencies is not None and dependencies.name == "Driver Dependencies (Version)"
    assert len(dependencies.entries) == 2


def test_core_example_block_quote_and_test_setups() -> None:
    doc = parse_compliance(CORE_EXAMPLE, "ExampleComplianceDocument.md")
    known = doc.item("Driver Test Failures", "Known Issues")
    assert known is not None and known.value == "None"
    setups = doc.test_setups
    assert [setup.title for setup in setups] == ["Test Setup 1", "Test Setup 2"]
    first = setups[0]
    assert first.item("Operating System") is not None
    assert first.item("VISA Vendor and Version") is not None
    shared = first.item("IVI Shared Components Version")
    assert shared is not None and shared.value == "1.0.0"
    bitness = first.item("Driver Bitness")
    assert bitness is not None and bitness.listed() == ("32-bit", "64-bit")


def test_missing_sections_and_items_are_none() -> None:
    doc = parse_compliance("# Doc\n\n## Driver Identification\n\nDriver Vendor: X\n", "c.md")
    assert doc.section("Hardware Information") is None
    assert doc.item("Hardware Information", "Instrument Manufacturer") is None
    assert doc.item("Driver Identification", "Driver Version") is None
    assert doc.test_setups == ()


def test_rst_document() -> None:
    doc = parse_compliance(RST_DOCUMENT, "compliance.rst")
    assert doc.sections[0].title == "IVI Compliance Document for XyDriver"
    assert doc.sections[0].line == 2
    assert doc.item("Driver Identification", "Driver Version") is not None
    hardware = doc.section("Hardware Information")
    assert hardware is not None
    assert [item.name for item in hardware.items] == [
        "Instrument Manufacturer", "Supported Instrument Models", "Supported Bus Interfaces"]
    systems = doc.item("Software Prerequisites", "Supported Operating Systems")
    assert systems is not None and systems.name.endswith("for 64-bit Drivers")
    assert systems.entries == ("Windows 11 (24H2)", "Ubuntu 24.04")
    setup = doc.test_setups[0]
    system = setup.item("Operating System")
    assert system is not None and system.value == "Windows 11 (24H2)"
    known = doc.item("Driver Test Failures", "Known Issues")
    assert known is not None and known.value == "None"


def test_table_document_with_bold_pseudo_headings() -> None:
    doc = parse_compliance(TABLE_DOCUMENT, "compliance.md")
    assert doc.section("Compliance Category") is not None
    identification = doc.section("Driver Identification")
    assert identification is not None
    assert [item.name for item in identification.items] == [
        "Driver Version", "Driver Vendor", "Driver Bitness"]
    vendor = identification.item("driver vendor")
    assert vendor is not None and vendor.value == "Acme" and vendor.line == 12
    assert [setup.title for setup in doc.test_setups] == ["Test Setup 1"]


@pytest.mark.parametrize("line", [
    "**Driver Version:** 1.2.3",
    "**Driver Version**: 1.2.3",
    "*Driver Version*: 1.2.3",
    "- Driver Version: 1.2.3",
    "> Driver Version: 1.2.3",
    "1. Driver Version: `1.2.3`",
    "| Driver Version | 1.2.3 |",
    ":Driver Version: 1.2.3",
])
def test_item_spellings(line: str) -> None:
    doc = parse_compliance(f"## 2. Driver Identification:\n\n{line}\n", "c.md")
    item = doc.item("Driver Identification", "Driver Version")
    assert item is not None and item.value == "1.2.3" and item.line == 3


def test_fenced_code_is_not_read() -> None:
    text = "## Driver Identification\n\n```\n# Hardware Information\nDriver Version: 9\n```\n"
    doc = parse_compliance(text, "c.md")
    assert doc.section("Hardware Information") is None
    assert doc.item("Driver Identification", "Driver Version") is None


def test_plain_text_underlines() -> None:
    text = "Driver Identification\n~~~~~~~~~~~~~~~~~~~~~\n\nDriver Version: 1.0.0\n"
    assert parse_compliance(text, "c.txt").item("Driver Identification", "Driver Version")
    # In Markdown, ~~~ opens a code fence, not an underline: the item is code.
    assert parse_compliance(text, "c.md").item("Driver Identification", "Driver Version") is None


def test_thematic_break_is_not_a_heading() -> None:
    doc = parse_compliance("Intro.\n\n---\n\n# Compliance\n\n## Driver Test Failures\n\n"
                           "- Known Issues: None\n", "README.md")
    assert [section.title for section in doc.sections] == ["Compliance", "Driver Test Failures"]


def test_names_and_lists() -> None:
    assert normalize_name("**2. Driver Identification:**") == "driver identification"
    assert normalize_name("Supported Operating Systems for 32-bit Drivers") == (
        "supported operating systems")
    assert split_list("Windows 10 (21H2, 22H2), Linux; macOS") == (
        "Windows 10 (21H2, 22H2)", "Linux", "macOS")


@pytest.mark.parametrize("value", [
    "1.0.0", "2.00.00", "01.02.03", "4.0.1000.0", "0001.1.1.00005", "65535.65535.65535.65535",
    "02.0001.12345.1 This version adds XYZ capability to the component",
])
def test_file_versions_of_the_core(value: str) -> None:
    parse_file_version(value)


@pytest.mark.parametrize(("value", "reason"), [
    ("1.0", "2 numeric fields"),
    ("1.0.0.0.0", "5 numeric fields"),
    ("1.0.0-rc1", "followed by nothing or a space"),
    ("0.1.0", "Major is 0"),
    ("70000.0.0", "exceeds"),
    ("1.0.000001", "exceeds"),
    ("1.0.0 caf\u00e9", "outside"),
])
def test_file_versions_rejected(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_file_version(value)


def test_file_version_comparison_and_prerelease() -> None:
    assert parse_file_version("5.001.100.001").key == parse_file_version("5.1.00100.1").key
    assert parse_file_version("1.1.1").key == parse_file_version("1.1.1.0").key
    assert parse_file_version("1.1.2").key < parse_file_version("1.1.10").key
    assert parse_file_version("0.9.0 beta", prerelease=True).text == "beta"


def _wheel(tmp_path: Path, files: dict[str, str], description: str = "") -> AuditContext:
    path = tmp_path / "acdriver-1.0.0-py3-none-any.whl"
    metadata = "Metadata-Version: 2.4\nName: acdriver\nVersion: 1.0.0\n"
    if description:
        metadata += f"Description-Content-Type: text/markdown\n\n{description}"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("acdriver-1.0.0.dist-info/METADATA", metadata)
        wheel.writestr("acdriver/__init__.py", "class AcDriver:\n    pass\n")
        for name, text in files.items():
            wheel.writestr(name, text)
    return AuditContext(load(str(path), work_dir=tmp_path), AuditConfig(), tmp_path)


def test_search_order_prefers_the_driver_package(tmp_path: Path) -> None:
    context = _wheel(tmp_path, {
        "other/__init__.py": "",
        "other/compliance.md": "# other",
        "acdriver-1.0.0.data/data/share/compliance.md": "# data",
        "acdriver/docs/IVI_Compliance.md": "# deep",
        "acdriver/compliance.txt": "# text",
        "acdriver/ivi_compliance.rst": "rst\n===\n",
        "acdriver-1.0.0.dist-info/compliance.md": "# metadata",
    })
    found = find_compliance_document(context)
    assert found is not None and found.path == "acdriver/ivi_compliance.rst"
    assert find_compliance_document(context) is found  # parsed once per audit


def test_search_falls_back_outside_the_package(tmp_path: Path) -> None:
    context = _wheel(tmp_path, {"acdriver-1.0.0.data/data/share/Compliance.md": "# data"})
    found = find_compliance_document(context)
    assert found is not None and found.path.endswith("Compliance.md")
    (tmp_path / "x").mkdir()
    assert find_compliance_document(_wheel(tmp_path / "x", {"acdriver/notes.md": ""})) is None


def test_readme_is_the_metadata_description(tmp_path: Path) -> None:
    context = _wheel(tmp_path, {}, description="# Driver\n\n## Driver Test Failures\n\n"
                                               "- Known Issues: None\n")
    readme = find_readme(context)
    assert readme is not None and readme.content_type == "text/markdown"
    assert readme.where == "acdriver-1.0.0.dist-info/METADATA" and readme.file is None
    known = readme.doc.item("Driver Test Failures", "Known Issues")
    assert known is not None
    assert known.line == 10  # of METADATA: 4 header lines and a blank line before the text
    assert find_readme(context) is readme


def test_no_readme(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    assert find_readme(_wheel(tmp_path / "w", {})) is None
