"""Handles die with their child: a restart never sends an old handle to a new child.

After ivi-conform ends a child itself (switching to the vendor's instrument) the
root class is imported again in the next one; a handle kept from the old child is
refused in the parent as ivi-conform's error, and after a hang it repeats the
driver's incident. An agent refusing a request is ivi-conform's error, never the
driver's failure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import BASE, PYPROJECT

from ivi_conform.behaviour.harness import Harness
from ivi_conform.behaviour.protocol import Remote
from ivi_conform.behaviour.sandbox import ChildGoneError
from ivi_conform.candidate import load
from ivi_conform.context import AuditConfig, AuditContext

#: A constructor that works, and a method that hangs.
INIT = "self.hangs = lambda: __import__('time').sleep(1000)"


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    source = tmp_path / "src"
    (source / "hostile").mkdir(parents=True)
    (source / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    (source / "hostile" / "__init__.py").write_text(BASE.replace("{init}", INIT),
                                                    encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    config = AuditConfig(timeout_s=12.0, instrument_resource="ASRL7::INSTR")
    harness = Harness(AuditContext(load(str(source), work_dir=work), config, work))
    yield harness
    harness.close()


def test_switching_to_the_vendors_instrument_imports_the_root_class_again(
    harness: Harness,
) -> None:
    old = harness.root_class()
    harness.use_vendor_instrument()  # a new PYVISA_LIBRARY: the child ends
    call, driver = harness.construct("ASRL7::INSTR", options={"simulate": True})
    assert driver is not None, call
    assert driver.get("ivi_utility.simulation_enabled").value is True
    with pytest.raises(RuntimeError, match="after its child ended"):
        old.get("__name__")


def test_a_handle_kept_after_a_hang_repeats_the_hang(harness: Harness) -> None:
    _, driver = harness.construct("ASRL7::INSTR", options={"simulate": True})
    assert driver is not None
    with pytest.raises(ChildGoneError) as hang:
        driver.call("hangs", timeout=3.0)
    with pytest.raises(ChildGoneError) as again:
        driver.get("ivi_utility")
    assert again.value.incident is hang.value.incident
    call, fresh = harness.construct("ASRL7::INSTR", options={"simulate": True})
    assert fresh is not None, call


def test_an_agent_refusal_is_ivi_conforms_error_not_the_drivers(harness: Harness) -> None:
    harness.root_class()
    harness._root = Remote(999, "hostile.Hostile")  # a handle the child never gave
    with pytest.raises(RuntimeError, match="agent refused"):
        harness.construct("ASRL7::INSTR", options={"simulate": True})
