"""Target Python Versions: Requires-Python against the dated CPython table."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from ivi_conform.candidate import load
from ivi_conform.checks import python_versions as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome
from ivi_conform.static.pythons import admits, python_table


def wheel(tmp_path: Path, requires: str | None, day: date) -> AuditContext:
    """A one-module driver wheel with that Requires-Python, audited as released on ``day``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "ktdmm-1.0.0-py3-none-any.whl"
    field = f"Requires-Python: {requires}\n" if requires is not None else ""
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("ktdmm/__init__.py", "")
        zipped.writestr("ktdmm-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: ktdmm\nVersion: 1.0.0\n{field}\n")
    work = tmp_path / "work"
    return AuditContext(load(str(path), work_dir=work), AuditConfig(release_date=day), work)


def test_the_table_is_dated_and_complete() -> None:
    table = python_table()
    versions = [minor.version for minor in table.minors]
    assert versions == [f"3.{n}" for n in range(16)]
    assert table.dated <= table.valid_until
    assert "devguide.python.org" in table.source
    by_version = {minor.version: minor for minor in table.minors}
    assert by_version["3.8"].end_of_life == date(2024, 10, 7)
    assert by_version["3.14"].released == date(2025, 10, 7)
    assert by_version["3.15"].end_of_life == date(2031, 10, 31)  # a month: its last day


@pytest.mark.parametrize(
    ("day", "supported"),
    [(date(2026, 10, 8), ["3.10", "3.11", "3.12", "3.13", "3.14"]),
     (date(2026, 10, 9), ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]),
     (date(2026, 11, 1), ["3.11", "3.12", "3.13", "3.14", "3.15"]),
     (date(2024, 10, 7), ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]),
     (date(2024, 10, 8), ["3.9", "3.10", "3.11", "3.12", "3.13"])],
)
def test_supported_minors_by_day(day: date, supported: list[str]) -> None:
    assert [minor.version for minor in python_table().supported_on(day)] == supported


@pytest.mark.parametrize(
    ("specifiers", "minor", "admitted"),
    [(">=3.11", "3.11", True), (">=3.11.4", "3.11", True), ("==3.11.5", "3.11", True),
     ("<3.12.2", "3.12", True), ("!=3.12.*", "3.12", False), ("~=3.10", "3.9", False),
     (">=3.8,<3.10", "3.10", False), ("==3.13.0rc1", "3.13", False), ("", "3.14", True)],
)
def test_a_minor_is_admitted_by_some_final_patch(
    specifiers: str, minor: str, admitted: bool
) -> None:
    assert admits(SpecifierSet(specifiers), minor) is admitted


def test_a_driver_for_current_versions_passes_both(tmp_path: Path) -> None:
    context = wheel(tmp_path, ">=3.11", date(2026, 11, 21))
    assert checks.supports_a_supported_version(context).outcome is Outcome.PASS
    finding = checks.supports_all_active_versions(context)
    assert finding.outcome is Outcome.PASS
    assert "3.11, 3.12, 3.13, 3.14, 3.15" in finding.message


def test_no_requires_python_admits_everything(tmp_path: Path) -> None:
    context = wheel(tmp_path, None, date(2026, 11, 21))
    assert checks.supports_a_supported_version(context).outcome is Outcome.PASS
    assert checks.supports_all_active_versions(context).outcome is Outcome.PASS
    assert "no Requires-Python" in checks.supports_a_supported_version(context).message


def test_only_unsupported_versions_fail(tmp_path: Path) -> None:
    context = wheel(tmp_path, "<3.10", date(2026, 11, 21))
    finding = checks.supports_a_supported_version(context)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].file == "ktdmm-1.0.0.dist-info/METADATA"
    assert finding.evidence[0].line == 4


def test_the_release_date_decides(tmp_path: Path) -> None:
    """A 3.8-only driver was conformant when released in 2023, not in 2025."""
    assert checks.supports_a_supported_version(
        wheel(tmp_path / "a", "==3.8.*", date(2023, 6, 1))).outcome is Outcome.PASS
    assert checks.supports_a_supported_version(
        wheel(tmp_path / "b", "==3.8.*", date(2025, 1, 1))).outcome is Outcome.FAIL


def test_missing_an_active_version_is_reported(tmp_path: Path) -> None:
    finding = checks.supports_all_active_versions(wheel(tmp_path, ">=3.12", date(2026, 11, 21)))
    assert finding.outcome is Outcome.FAIL
    assert "refuses 3.11" in finding.message


def test_an_invalid_requires_python_fails(tmp_path: Path) -> None:
    finding = checks.supports_a_supported_version(wheel(tmp_path, ">=three", date(2026, 1, 1)))
    assert finding.outcome is Outcome.FAIL
    assert "not a valid specifier" in finding.message


def test_a_date_beyond_the_table_is_said(tmp_path: Path) -> None:
    finding = checks.supports_a_supported_version(wheel(tmp_path, ">=3.12", date(2028, 1, 1)))
    assert finding.outcome is Outcome.PASS
    assert "may miss versions" in finding.message
    late = checks.supports_a_supported_version(wheel(tmp_path / "b", ">=3.12", date(2040, 1, 1)))
    assert late.outcome is Outcome.ERROR


def test_a_source_folder_points_at_its_pyproject_line(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    (folder / "ktdmm").mkdir(parents=True)
    (folder / "ktdmm" / "__init__.py").write_text("")
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "ktdmm"\nversion = "1.0.0"\nrequires-python = "<3.9"\n'
    )
    work = tmp_path / "work"
    context = AuditContext(load(str(folder), work_dir=work),
                           AuditConfig(release_date=date(2026, 1, 1)), work)
    finding = checks.supports_a_supported_version(context)
    assert finding.outcome is Outcome.FAIL
    assert (finding.evidence[0].file, finding.evidence[0].line) == ("pyproject.toml", 8)
