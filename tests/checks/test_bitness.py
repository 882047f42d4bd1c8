"""Bitness: Driver Bitness holds the Core's values, Supported Operating Systems is filled in."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.checks.bitness import compliance_environment
from ivi_conform.engine import AuditConfig, AuditContext
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


@pytest.mark.parametrize("bitness", ["32-bit/64-bit", "64-bit", "32-bit and 64-bit", "64 bit"])
def test_valid_bitness(tmp_path: Path, bitness: str) -> None:
    assert judge(tmp_path, "32-bit, 64-bit", bitness)[0] is Outcome.PASS


@pytest.mark.parametrize("bitness", ["x64", "any", "32/64", "TBD"])
def test_invalid_bitness(tmp_path: Path, bitness: str) -> None:
    outcome, details = judge(tmp_path, "32-bit, 64-bit", bitness)
    assert outcome is Outcome.FAIL and "is not 32-bit and 64-bit" in details[0]


def test_test_setup_bitness_is_judged_too(tmp_path: Path) -> None:
    outcome, details = judge(tmp_path, "- Driver Bitness: 64-bit", "- Driver Bitness: x86")
    assert outcome is Outcome.FAIL and details == ["Driver Bitness x86 is not 32-bit and 64-bit"]


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
    assert compliance_environment(driver(tmp_path, None)).outcome is Outcome.SKIP
