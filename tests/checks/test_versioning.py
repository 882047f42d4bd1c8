"""IVI-Python Package Versioning: semver in its PEP 440 rendering."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.checks import versioning as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome


@pytest.mark.parametrize(
    "version",
    ["1.0.0", "0.1.0", "10.20.30", "1.0.0rc1", "1.0.0a2", "1.0.0b0", "2.1.3+build.5",
     "1.0.0-rc.1", "v1.2.3"],
)
def test_semver_versions(version: str) -> None:
    assert checks.semver_problems(version) == []


@pytest.mark.parametrize(
    ("version", "problem"),
    [("1.0", "2 release number(s)"), ("1.0.0.0", "4 release number(s)"),
     ("1", "1 release number(s)"), ("01.2.3", "leading zero"), ("1.02.3", "leading zero"),
     ("1.0.00", "leading zero"), ("1!1.0.0", "epoch 1!"), ("1.0.0.post1", "post-release"),
     ("1.0.0.dev3", "development release"), ("one", "not a valid version")],
)
def test_not_semver(version: str, problem: str) -> None:
    assert any(problem in text for text in checks.semver_problems(version))


def wheel(tmp_path: Path, version: str) -> AuditContext:
    """A wheel of that version."""
    path = tmp_path / f"ktdmm-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("ktdmm/__init__.py", "")
        zipped.writestr(f"ktdmm-{version}.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: ktdmm\nVersion: {version}\n\n")
    return AuditContext(load(str(path), work_dir=tmp_path / "w"), AuditConfig(), tmp_path / "w")


def test_the_check_reports_the_version(tmp_path: Path) -> None:
    assert checks.semantic_version(wheel(tmp_path, "1.0.0")).outcome is Outcome.PASS
    finding = checks.semantic_version(wheel(tmp_path, "1.0"))
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("version 1.0 is not semantic versioning")
    assert finding.evidence[0].detail == "Version: 1.0"
