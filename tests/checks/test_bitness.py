"""Bitness: Driver Bitness, Supported Operating Systems, OS names, installation testing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from wheelkit import judged

from ivi_conform.candidate import load
from ivi_conform.checks.bitness import compliance_environment, installation_testing, os_naming
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome

DOCUMENT = """\
## Driver Identification

- Driver Bitness: 32-bit, 64-bit

## Software Prerequisites

- Supported Operating Systems: 64-bit Windows 11 (24H2), 64-bit Ubuntu 24.04

## Unit Testing

### Test Setup 1

- Driver Bitness: 64-bit
"""


def driver(tmp_path: Path, document: str | None) -> AuditContext:
    """A wheel of a small driver that ships ``document`` as its compliance document."""
    path = tmp_path / "acdriver-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("acdriver-1.0.0.dist-info/METADATA",
                       "Metadata-Version: 2.4\nName: acdriver\nVersion: 1.0.0\n")
        wheel.writestr("acdriver/__init__.py", "")
        if document is not None:
            wheel.writestr("acdriver/ivi_compliance.md", document)
    return AuditContext(load(str(path), work_dir=tmp_path), AuditConfig(), tmp_path)


def judge(tmp_path: Path, old: str = "", new: str = "") -> tuple[Outcome, list[str]]:
    finding = compliance_environment(driver(tmp_path, DOCUMENT.replace(old, new)))
    return finding.outcome, [evidence.detail for evidence in finding.evidence]


@pytest.mark.parametrize("bitness", [
    "32-bit/64-bit", "64-bit", "32-bit and 64-bit", "64 bit", "64bit", "32-Bit",
    "64-bit (pure Python; runs with the bitness of the Python interpreter)",
    "64-bit only, as the instrument's vendor library exists for 64-bit Windows",
    "32-bit and 64-bit (the same files: no compiled code)",
])
def test_valid_bitness(tmp_path: Path, bitness: str) -> None:
    """Any non-empty list of the Core's values passes, with or without descriptive text."""
    assert judge(tmp_path, "32-bit, 64-bit", bitness)[0] is Outcome.PASS


@pytest.mark.parametrize("bitness", ["x64", "any", "32/64", "TBD", "see the README"])
def test_no_core_bitness(tmp_path: Path, bitness: str) -> None:
    outcome, details = judge(tmp_path, "32-bit, 64-bit", bitness)
    assert outcome is Outcome.FAIL and "names no Core bitness (32-bit or 64-bit)" in details[0]


def test_a_bitness_the_core_does_not_know(tmp_path: Path) -> None:
    outcome, details = judge(tmp_path, "32-bit, 64-bit", "16-bit, 64-bit")
    assert outcome is Outcome.FAIL and "names 16-bit, not a Core bitness" in details[0]


def test_test_setup_bitness_is_judged_too(tmp_path: Path) -> None:
    outcome, details = judge(tmp_path, "- Driver Bitness: 64-bit", "- Driver Bitness: x86")
    assert outcome is Outcome.FAIL
    assert details == ["Driver Bitness 'x86' names no Core bitness (32-bit or 64-bit)"]


@pytest.mark.parametrize("systems", ["TBD", "<list of operating systems>", "N/A", "TODO: fill",
                                     "Windows 11 (TBD)", ""])
def test_placeholder_operating_systems(tmp_path: Path, systems: str) -> None:
    old = "64-bit Windows 11 (24H2), 64-bit Ubuntu 24.04"
    assert judge(tmp_path, old, systems)[0] is Outcome.FAIL


def test_operating_systems_per_bitness_and_as_a_list(tmp_path: Path) -> None:
    old = "- Supported Operating Systems: 64-bit Windows 11 (24H2), 64-bit Ubuntu 24.04"
    new = ("Supported Operating Systems for 64-bit Drivers:\n\n- Windows 11 (24H2)\n\n"
           "Supported Operating Systems for 32-bit Drivers:\n\n- TBD\n")
    outcome, details = judge(tmp_path, old, new)
    assert outcome is Outcome.FAIL
    assert details == ["\"Supported Operating Systems for 32-bit Drivers\" holds the "
                       "placeholder 'TBD'"]


def test_missing_items(tmp_path: Path) -> None:
    outcome, details = judge(tmp_path, "- Driver Bitness: 32-bit, 64-bit\n", "")
    assert outcome is Outcome.FAIL and details == ["no Driver Bitness in Driver Identification"]
    (tmp_path / "a").mkdir()
    finding = compliance_environment(driver(tmp_path / "a", "# Compliance\n"))
    assert [evidence.detail for evidence in finding.evidence] == [
        "no Driver Bitness in Driver Identification", "no Supported Operating Systems"]


def test_no_document_skips(tmp_path: Path) -> None:
    result = judged(driver(tmp_path, None), "bitness-compliance-environment")
    assert result.outcome is Outcome.SKIP and "contents-compliance-document" in result.message


# --------------------------------------------------------------------------- operating systems

FULL = """\
## Driver Identification

- Driver Bitness: 32-bit, 64-bit

## Software Prerequisites

- Supported Operating Systems: 64-bit Windows 11 (24H2), 32-bit Windows 10 (22H2),
  macOS 15 (Sequoia); in general any Linux distribution with CPython 3.11

## Unit Testing

### Test Setup 1

- Operating System: 64-bit Ubuntu 24.04 LTS (Noble Numbat), CPython 3.12 (tested in a
  virtual environment on Linux)

## Driver Installation Testing

- Operating System: Windows 11 (24H2); 32-bit Windows 10 (22H2)

## Driver Buildability

- Operating System: 64-bit Linux (Debian 12)
"""


def systems(tmp_path: Path, old: str = "", new: str = "") -> tuple[Outcome, list[str]]:
    finding = os_naming(driver(tmp_path, FULL.replace(old, new)))
    return finding.outcome, [evidence.detail for evidence in finding.evidence]


def test_core_designations_pass(tmp_path: Path) -> None:
    """Name and version in parentheses, bitness first where needed; free text is left alone."""
    assert systems(tmp_path)[0] is Outcome.PASS


@pytest.mark.parametrize(("old", "new", "detail"), [
    ("macOS 15 (Sequoia)", "macOS 15", '"macOS 15" has no version in parentheses'),
    ("32-bit Windows 10 (22H2)", "Windows 10, version 22H2",
     '"Windows 10" has no version in parentheses'),
    ("32-bit Windows 10 (22H2)", "Windows 10 (22H2)",
     '"Windows 10" exists in 32-bit and 64-bit: the bitness precedes the name'),
    ("64-bit Linux (Debian 12)", "Debian 12", '"Debian 12" has no version in parentheses'),
])
def test_designations_not_in_the_core_form_fail(tmp_path: Path, old: str, new: str,
                                                detail: str) -> None:
    outcome, details = systems(tmp_path, old, new)
    assert outcome is Outcome.FAIL
    assert any(detail in text for text in details), details


def test_a_document_naming_no_known_system_is_skipped(tmp_path: Path) -> None:
    document = "## Software Prerequisites\n\n- Supported Operating Systems: see the README\n"
    assert os_naming(driver(tmp_path, document)).outcome is Outcome.SKIP


def installed(tmp_path: Path, old: str = "", new: str = "") -> tuple[Outcome, list[str]]:
    finding = installation_testing(driver(tmp_path, FULL.replace(old, new)))
    return finding.outcome, [evidence.detail for evidence in finding.evidence]


def test_two_systems_of_both_bitnesses_pass(tmp_path: Path) -> None:
    """Windows 11 exists only as 64-bit: it counts as the 64-bit system."""
    assert installed(tmp_path)[0] is Outcome.PASS


def test_one_installation_system_fails(tmp_path: Path) -> None:
    outcome, details = installed(tmp_path, "Windows 11 (24H2); 32-bit Windows 10 (22H2)",
                                 "32-bit Windows 10 (22H2)")
    assert outcome is Outcome.FAIL
    assert details == [
        "installation tested on 1 operating system(s); the Core asks for at least two unless "
        "only one is supported",
        "Driver Bitness claims 32-bit and 64-bit, but no 64-bit operating system is among "
        "those installation tested"]


def test_both_bitnesses_only_when_both_are_claimed(tmp_path: Path) -> None:
    one_bitness = FULL.replace("- Driver Bitness: 32-bit, 64-bit", "- Driver Bitness: 64-bit")
    two_64 = one_bitness.replace("32-bit Windows 10 (22H2)\n", "64-bit Ubuntu 24.04 (LTS)\n")
    assert installation_testing(driver(tmp_path, two_64)).outcome is Outcome.PASS
    (tmp_path / "b").mkdir()
    both = FULL.replace("32-bit Windows 10 (22H2)\n", "64-bit Ubuntu 24.04 (LTS)\n")
    finding = installation_testing(driver(tmp_path / "b", both))
    assert finding.outcome is Outcome.FAIL
    assert "no 32-bit operating system" in finding.evidence[0].detail


def test_a_driver_for_a_single_system_needs_one(tmp_path: Path) -> None:
    document = """\
## Driver Identification

- Driver Bitness: 64-bit

## Software Prerequisites

- Supported Operating Systems:
  - 64-bit Debian GNU/Linux 12 (bookworm)

## Driver Installation Testing

- Operating System: 64-bit Debian GNU/Linux 12 (bookworm)
"""
    assert installation_testing(driver(tmp_path, document)).outcome is Outcome.PASS
