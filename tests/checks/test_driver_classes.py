"""IVI-Python Driver Classes: the root class, importable from the package top."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ivi_conform.candidate import load
from ivi_conform.checks import driver_classes as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome

ROOT = '''\
class BiTdr123A:
    @property
    def ivi_utility(self) -> object:
        return object()
'''


def wheel(tmp_path: Path, files: dict[str, str], name: str = "bitdr123a_fi") -> AuditContext:
    """Write ``files`` as the wheel of distribution ``name`` and open an audit of it."""
    path = tmp_path / f"{name}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, text in files.items():
            zipped.writestr(member, text)
        zipped.writestr(f"{name}-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0.0\n\n")
    return AuditContext(load(str(path), work_dir=tmp_path / "w"), AuditConfig(), tmp_path / "w")


def test_the_root_class_re_exported_from_the_top_passes(tmp_path: Path) -> None:
    finding = checks.root_class(wheel(tmp_path, {
        "bitdr123a_fi/__init__.py": "from bitdr123a_fi._driver import BiTdr123A\n",
        "bitdr123a_fi/_driver.py": ROOT,
    }))
    assert finding.outcome is Outcome.PASS
    assert "`from bitdr123a_fi import BiTdr123A`" in finding.message
    assert "bitdr123a_fi/_driver.py:1" in finding.message


def test_the_root_class_defined_at_the_top_passes(tmp_path: Path) -> None:
    finding = checks.root_class(wheel(tmp_path, {"bitdr123a_fi/__init__.py": ROOT}))
    assert finding.outcome is Outcome.PASS


def test_an_alias_is_not_the_driver_class_name(tmp_path: Path) -> None:
    finding = checks.root_class(wheel(tmp_path, {
        "bitdr123a_fi/__init__.py": "from bitdr123a_fi._driver import BiTdr123A as Tdr\n",
        "bitdr123a_fi/_driver.py": ROOT,
    }))
    assert finding.outcome is Outcome.FAIL
    assert "(it is exported as Tdr)" in finding.message
    assert finding.evidence[0].file == "bitdr123a_fi/_driver.py"


def test_a_root_class_left_in_a_submodule_is_not_found(tmp_path: Path) -> None:
    finding = checks.root_class(wheel(tmp_path, {
        "bitdr123a_fi/__init__.py": "",
        "bitdr123a_fi/_driver.py": ROOT,
    }))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].file == "bitdr123a_fi/__init__.py"


def test_no_package_fails(tmp_path: Path) -> None:
    finding = checks.root_class(wheel(tmp_path, {"bitdr123a_fi.py": ROOT}))
    assert finding.outcome is Outcome.FAIL
    assert "no driver package" in finding.message
