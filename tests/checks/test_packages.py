"""IVI-Python Packages: a package with __init__.py, exactly one driver per distribution."""

from __future__ import annotations

import functools
from pathlib import Path

import wheelkit

from ivi_conform.checks import packages as checks
from ivi_conform.model import Outcome

wheel = functools.partial(wheelkit.wheel, name="ktdmm", dedent=False)


ROOT = '''\
class KtDmm:
    @property
    def ivi_utility(self) -> object:
        return object()
'''


def test_a_package_with_one_driver_passes(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/__init__.py": "from ktdmm.driver import KtDmm\n",
                               "ktdmm/driver.py": ROOT,
                               "ktdmm/sub/__init__.py": ROOT.replace("KtDmm", "KtDmmBase")})
    assert checks.package_with_init(context).outcome is Outcome.PASS
    finding = checks.one_driver(context)
    assert finding.outcome is Outcome.PASS
    assert finding.message.startswith("one driver, under ktdmm")


def test_a_single_module_driver_is_not_a_package(tmp_path: Path) -> None:
    finding = checks.package_with_init(wheel(tmp_path, {"ktdmm.py": ROOT}))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].file == "ktdmm.py"
    assert "single module" in finding.evidence[0].detail


def test_a_namespace_package_is_not_enough(tmp_path: Path) -> None:
    finding = checks.package_with_init(wheel(tmp_path, {"ktdmm/driver.py": ROOT}))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].file == "ktdmm/__init__.py"
    assert "namespace package" in finding.evidence[0].detail


def test_no_python_package_at_all(tmp_path: Path) -> None:
    finding = checks.package_with_init(wheel(tmp_path, {"ktdmm/helper.py": "X = 1\n"}))
    assert finding.outcome is Outcome.FAIL
    assert "folders without __init__.py: ktdmm" in finding.message


def test_two_drivers_fail(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/__init__.py": ROOT,
                               "ktdvm/__init__.py": ROOT.replace("KtDmm", "KtDvm")})
    finding = checks.one_driver(context)
    assert finding.outcome is Outcome.FAIL
    assert finding.message == "2 drivers in one distribution: ktdmm, ktdvm"
    assert [e.file for e in finding.evidence] == ["ktdmm/__init__.py", "ktdvm/__init__.py"]


def test_shipped_tests_and_examples_count_only_with_a_driver(tmp_path: Path) -> None:
    harmless = wheel(tmp_path / "a", {
        "ktdmm/__init__.py": ROOT,
        "tests/__init__.py": "",
        "tests/test_dmm.py": "from ktdmm import KtDmm\n\n\ndef test() -> None:\n    KtDmm()\n",
        "examples/demo.py": "import ktdmm\n",
    })
    assert checks.one_driver(harmless).outcome is Outcome.PASS
    fake = wheel(tmp_path / "b", {
        "ktdmm/__init__.py": ROOT,
        "tests/__init__.py": "",
        "tests/fake.py": "class FakeDriver:\n    ivi_utility: object = None\n",
    })
    finding = checks.one_driver(fake)
    assert finding.outcome is Outcome.FAIL
    assert "ktdmm, tests" in finding.message


def test_no_driver_at_all(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/__init__.py": "X = 1\n"})
    finding = wheelkit.judged(context, "package-one-driver")
    assert finding.outcome is Outcome.SKIP  # class-root fails: one defect, one failure
    assert "class-root charges it" in finding.message


def test_a_method_named_ivi_utility_is_not_a_reference_property(tmp_path: Path) -> None:
    source = "class KtDmm:\n    def ivi_utility(self) -> object:\n        return object()\n"
    context = wheel(tmp_path, {"ktdmm/__init__.py": source})
    assert checks.driver_holders(context) == {}


def test_a_folder_of_modules_without_init_inside_the_package_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/__init__.py": ROOT, "ktdmm/examples/demo.py": "",
                               "ktdmm/stubs/api.pyi": "", "ktdmm/stubs/__init__.pyi": "",
                               "ktdmm/data/table.csv": "a,b\n"})
    finding = checks.package_with_init(context)
    assert finding.outcome is Outcome.FAIL
    assert [e.file for e in finding.evidence] == ["ktdmm/examples/__init__.py"]
