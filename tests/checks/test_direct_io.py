"""Direct IO Properties and Methods: ivi_direct_io and the IviDirectIo class."""

from __future__ import annotations

from pathlib import Path

import pytest
from wheelkit import judged, wheel

from ivi_conform.checks import direct_io as checks
from ivi_conform.context import AuditContext
from ivi_conform.model import Outcome

IVI_DIRECT_IO = '''
from abc import ABC, abstractmethod
from typing import Any

class IviDirectIo(ABC):
    @property
    @abstractmethod
    def session(self) -> Any: pass
    @property
    @abstractmethod
    def io_timeout_ms(self) -> int: pass
    @io_timeout_ms.setter
    @abstractmethod
    def io_timeout_ms(self, timeout_ms: int) -> None: pass
    @abstractmethod
    def read_bytes(self) -> bytes: pass
    @abstractmethod
    def read_string(self) -> str: pass
    @abstractmethod
    def write_bytes(self, data: bytes) -> None: pass
    @abstractmethod
    def write_string(self, data: str) -> None: pass
'''

DRIVER = '''
import pyvisa
from xydmm.ivi_types import IviDirectIo

class XyDmmDirectIo{base}:
    def __init__(self, resource: pyvisa.resources.MessageBasedResource) -> None:
        self._resource = resource
    @property
    def session(self) -> pyvisa.resources.MessageBasedResource:
        return self._resource
    @property
    def io_timeout_ms(self) -> int:
        return int(self._resource.timeout)
    @io_timeout_ms.setter
    def io_timeout_ms(self, timeout_ms: int) -> None:
        self._resource.timeout = timeout_ms
    def read_bytes(self) -> bytes:
        return self._resource.read_raw()
    def read_string(self) -> str:
        return self._resource.read()
    def write_bytes(self, data: bytes | bytearray) -> None:
        self._resource.write_raw(data)
    def write_string(self, data: str) -> None:
        self._resource.write(data)

class XyDmm:
    def __init__(self, resource_name: str) -> None:
        self._io = XyDmmDirectIo(pyvisa.ResourceManager().open_resource(resource_name))
    @property
    def ivi_utility(self) -> object:
        return object()
    @property
    def ivi_direct_io(self) -> XyDmmDirectIo:
        return self._io
'''


def driver(tmp_path: Path, base: str = "(IviDirectIo)", change: tuple[str, str] = ("", ""),
           ) -> AuditContext:
    source = DRIVER.format(base=base)
    if change[0]:
        assert change[0] in source, change[0]
        source = source.replace(*change)
    return wheel(tmp_path, {"xydmm/__init__.py": source, "xydmm/ivi_types.py": IVI_DIRECT_IO})


def test_a_direct_io_class_inheriting_the_abc_passes(tmp_path: Path) -> None:
    context = driver(tmp_path)
    for check in (checks.reference, checks.direct_io_members, checks.session):
        assert check(context).outcome is Outcome.PASS, check(context).message


def test_rsinstrument_style_without_the_abc_passes_and_says_so(tmp_path: Path) -> None:
    finding = checks.direct_io_members(driver(tmp_path, base=""))
    assert finding.outcome is Outcome.PASS
    assert "does not inherit the IviDirectIo ABC but matches it member for member" in (
        finding.message)


def test_session_is_optional_but_recommended(tmp_path: Path) -> None:
    context = driver(tmp_path, change=("    def session(self)", "    def resource(self)"))
    assert checks.direct_io_members(context).outcome is Outcome.PASS
    finding = checks.session(context)
    assert finding.outcome is Outcome.FAIL
    assert "only declared abstract" in str(finding.evidence[0])


@pytest.mark.parametrize(("change", "problem"), [
    (("    def read_bytes(self) -> bytes:", "    @property\n    def read_bytes(self) -> bytes:"),
     "read_bytes is a property, the ABC has a method"),
    (("    def write_string(self, data: str) -> None:",
      "    def write_string(self, data: bytes) -> None:"),
     "parameter data: bytes does not take the ABC's data"),
    (("    def read_string(self) -> str:", "    def read_string(self) -> bytes:"),
     "read_string gives bytes, the ABC str"),
    (("    @io_timeout_ms.setter\n    def io_timeout_ms(self, timeout_ms: int) -> None:\n"
      "        self._resource.timeout = timeout_ms\n", ""),
     "io_timeout_ms is read-only"),
])
def test_member_differences_fail(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    finding = checks.direct_io_members(driver(tmp_path, base="", change=change))
    assert finding.outcome is Outcome.FAIL
    assert any(problem in str(evidence) for evidence in finding.evidence), \
        [str(evidence) for evidence in finding.evidence]


def test_an_ascii_instrument_without_direct_io_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": '''
        class XyDmm:
            def reset(self) -> None:
                self._write("*RST")
            def _write(self, command: str) -> None: ...
            @property
            def ivi_utility(self) -> object:
                return object()
    '''})
    reference = checks.reference(context)
    assert reference.outcome is Outcome.FAIL
    assert "ASCII instrument (xydmm/__init__.py: *RST)" in reference.message
    assert checks.direct_io_members(context).outcome is Outcome.FAIL
    session = judged(context, "directio-session")
    assert session.outcome is Outcome.SKIP and "directio-class charges it" in session.message


def test_nimi_python_style_a_driver_without_ascii_commands_is_skipped(tmp_path: Path) -> None:
    """nimi-python drivers call a C library: no SCPI, no direct I/O required."""
    context = wheel(tmp_path, {"xydmm/__init__.py": '''
        import ctypes

        class XyDmm:
            def __init__(self, resource_name: str) -> None:
                self._library = ctypes.CDLL("nidmm_64.dll")
            @property
            def ivi_utility(self) -> object:
                return object()
    '''})
    for rule in ("directio-reference", "directio-class", "directio-session"):
        assert judged(context, rule).outcome is Outcome.SKIP
    assert "no sign of an ASCII command set" in judged(context, "directio-session").message
    assert "no sign of an ASCII command set" in checks.reference(context).message


def test_a_direct_io_class_without_the_reference_property(tmp_path: Path) -> None:
    context = driver(tmp_path, change=("def ivi_direct_io(self)", "def direct_io(self)"))
    finding = checks.reference(context)
    assert finding.outcome is Outcome.FAIL
    assert "the direct I/O class XyDmmDirectIo exists" in finding.message
    members = checks.direct_io_members(context)
    assert members.outcome is Outcome.PASS
    assert "the package's only class deriving from IviDirectIo" in members.message
