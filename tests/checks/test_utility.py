"""IVI-Python Utility Interface, the mapping table's names and the Additional Driver API."""

from __future__ import annotations

from pathlib import Path

import pytest
from wheelkit import judged, wheel

from ivi_conform.checks import additional_api, api_mapping
from ivi_conform.checks import utility as checks
from ivi_conform.context import AuditContext
from ivi_conform.model import Outcome

#: The spec's ErrorQueryResult and IviUtility, as a driver copies them.
IVI_TYPES = '''
from abc import ABC, abstractmethod
from typing import Collection, Tuple

class ErrorQueryResult:
    def __init__(self, code: int, message: str) -> None:
        self._code = code
        self._message = message
    @property
    def code(self) -> int:
        return self._code
    @property
    def message(self) -> str:
        return self._message

class IviUtility(ABC):
    @property
    @abstractmethod
    def driver_version(self) -> str: pass
    @property
    @abstractmethod
    def driver_vendor(self) -> str: pass
    @property
    @abstractmethod
    def instrument_manufacturer(self) -> str: pass
    @property
    @abstractmethod
    def instrument_model(self) -> str: pass
    @property
    @abstractmethod
    def query_instrument_status_enabled(self) -> bool: pass
    @query_instrument_status_enabled.setter
    @abstractmethod
    def query_instrument_status_enabled(self, enabled: bool) -> None: pass
    @property
    @abstractmethod
    def simulation_enabled(self) -> bool: pass
    @abstractmethod
    def error_query(self) -> ErrorQueryResult | None: pass
    @abstractmethod
    def error_query_all(self) -> Collection[ErrorQueryResult]:
        return []
    @abstractmethod
    def raise_on_device_error(self) -> None: pass
    @abstractmethod
    def reset(self) -> None: pass
    @property
    @abstractmethod
    def supported_instrument_models(self) -> Tuple[str, ...]: pass
'''

#: A utility class implementing the ABC; ``{base}`` is its base list.
UTILITY = '''
from typing import List, Optional, Tuple
from xydmm.ivi_types import ErrorQueryResult, IviUtility

class XyDmmUtility{base}:
    def __init__(self) -> None:
        self._qis = False
    @property
    def driver_version(self) -> str:
        return "1.0.0"
    @property
    def driver_vendor(self) -> str:
        return "XY"
    @property
    def instrument_manufacturer(self) -> str:
        return "XY"
    @property
    def instrument_model(self) -> str:
        return "DMM1"
    @property
    def query_instrument_status_enabled(self) -> bool:
        return self._qis
    @query_instrument_status_enabled.setter
    def query_instrument_status_enabled(self, enabled: bool) -> None:
        self._qis = enabled
    @property
    def simulation_enabled(self) -> bool:
        return True
    def error_query(self) -> Optional[ErrorQueryResult]:
        return None
    def error_query_all(self) -> List[ErrorQueryResult]:
        return []
    def raise_on_device_error(self) -> None:
        if self.error_query_all():
            raise RuntimeError("device error")
    def reset(self) -> None:
        self._qis = False
    @property
    def supported_instrument_models(self) -> Tuple[str, ...]:
        return ("DMM1",)
'''

ROOT = '''
from xydmm.utility import XyDmmUtility
from xydmm.ivi_types import IviUtility

class XyDmm:
    def __init__(self, resource_name: str) -> None:
        self._utility = XyDmmUtility()
    @property
    def ivi_utility(self) -> {returns}:
        return self._utility
'''


def driver(tmp_path: Path, *, base: str = "(IviUtility)", returns: str = "XyDmmUtility",
           change: tuple[str, str] = ("", ""), root: str = ROOT,
           types: str = IVI_TYPES) -> AuditContext:
    """The utility driver, with one text change made to the utility class."""
    utility = UTILITY.format(base=base)
    if change[0]:
        assert change[0] in utility, change[0]
        utility = utility.replace(*change)
    return wheel(tmp_path, {
        "xydmm/__init__.py": "from xydmm.driver import XyDmm\n",
        "xydmm/driver.py": root.replace("{returns}", returns),
        "xydmm/utility.py": utility,
        "xydmm/ivi_types.py": types,
    })


def test_a_utility_class_inheriting_the_abc_passes(tmp_path: Path) -> None:
    context = driver(tmp_path)
    assert checks.reference(context).outcome is Outcome.PASS
    finding = checks.utility_members(context)
    assert finding.outcome is Outcome.PASS
    assert finding.message == ("XyDmmUtility (returned by the reference property) inherits "
                               "IviUtility")
    assert checks.error_query_result(context).outcome is Outcome.PASS
    assert api_mapping.mapping_aliases(context).outcome is Outcome.PASS
    assert additional_api.error_query_all(context).outcome is Outcome.PASS
    assert additional_api.raise_on_device_error(context).outcome is Outcome.PASS


def test_rsinstrument_style_a_class_matching_the_abc_without_inheriting(tmp_path: Path) -> None:
    finding = checks.utility_members(driver(tmp_path, base=""))
    assert finding.outcome is Outcome.PASS
    assert "does not inherit the IviUtility ABC but matches it member for member" in (
        finding.message)


def test_a_property_annotated_with_the_abc_leads_to_its_implementation(tmp_path: Path) -> None:
    context = driver(tmp_path, returns="IviUtility")
    assert context.driver.utility is not None
    assert context.driver.utility.name == "XyDmmUtility"
    assert checks.utility_members(context).outcome is Outcome.PASS


def test_an_unannotated_property_is_followed_to_its_assignment(tmp_path: Path) -> None:
    context = driver(tmp_path, root=ROOT.replace(" -> {returns}", ""))
    assert context.driver.utility is not None
    assert context.driver.utility.name == "XyDmmUtility"


def test_without_ivi_utility_the_class_is_found_by_its_base(tmp_path: Path) -> None:
    context = driver(tmp_path, root=ROOT.replace("def ivi_utility", "def utility"))
    finding = checks.reference(context)
    assert finding.outcome is Outcome.FAIL
    assert finding.message == "the root class XyDmm has no ivi_utility property"
    members = checks.utility_members(context)
    assert members.outcome is Outcome.PASS
    assert "the package's only class deriving from IviUtility" in members.message


def test_ivi_utility_as_a_method_fails(tmp_path: Path) -> None:
    finding = checks.reference(driver(tmp_path, root=ROOT.replace("    @property\n", "")))
    assert finding.outcome is Outcome.FAIL
    assert "is a method, not a property" in finding.message


@pytest.mark.parametrize(("change", "problem"), [
    (("    @property\n    def driver_vendor", "    def driver_vendor"),
     "driver_vendor is a method, the ABC has a property"),
    (("    def reset(self) -> None:", "    @property\n    def reset(self) -> None:"),
     "reset is a property, the ABC has a method"),
    (("    @query_instrument_status_enabled.setter\n"
      "    def query_instrument_status_enabled(self, enabled: bool) -> None:\n"
      "        self._qis = enabled\n", ""),
     "is read-only, the ABC's property is read/write"),
    (("def driver_version(self) -> str:", "def driver_version(self) -> int:"),
     "driver_version gives int, the ABC str"),
    (("-> Tuple[str, ...]:", "-> list[str]:"),
     "supported_instrument_models gives list[str], the ABC tuple[str, ...]"),
    (("-> Optional[ErrorQueryResult]:", "-> Optional[str]:"),
     "error_query gives Optional[str], the ABC ErrorQueryResult | None"),
    (("    def reset(self) -> None:", "    def reset(self, hard: bool) -> None:"),
     "reset requires hard, which the ABC's call does not give"),
    (("def query_instrument_status_enabled(self, enabled: bool)",
      "def query_instrument_status_enabled(self, enabled: str)"),
     "parameter enabled: str does not take the ABC's enabled"),
    (("        self._qis = False\n    @property", "        raise NotImplementedError\n"
      "    @property"), "reset is a stub"),
])
def test_member_differences_fail(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    finding = checks.utility_members(driver(tmp_path, change=change))
    assert finding.outcome is Outcome.FAIL
    assert any(problem in str(evidence) for evidence in finding.evidence), \
        [str(evidence) for evidence in finding.evidence]


def test_a_missing_member_fails(tmp_path: Path) -> None:
    finding = checks.utility_members(driver(tmp_path, base="", change=(
        "    def instrument_model(self) -> str:\n        return \"DMM1\"\n", "")))
    assert finding.outcome is Outcome.FAIL
    assert finding.message == ("XyDmmUtility (returned by the reference property) does not "
                               "inherit the IviUtility ABC, and 1 member(s) differ from the ABC")
    assert "XyDmmUtility lacks property (r) instrument_model: str" in str(finding.evidence[0])


def test_a_member_only_declared_abstract_is_not_implemented(tmp_path: Path) -> None:
    finding = checks.utility_members(driver(tmp_path, change=(
        "    def instrument_model(self) -> str:\n        return \"DMM1\"\n", "")))
    assert "instrument_model is only declared abstract in IviUtility" in str(finding.evidence[0])


def test_compatible_narrower_and_wider_types_pass(tmp_path: Path) -> None:
    context = driver(tmp_path, change=("-> List[ErrorQueryResult]:",
                                       "-> tuple[ErrorQueryResult, ...]:"))
    assert checks.utility_members(context).outcome is Outcome.PASS
    assert additional_api.error_query_all(context).outcome is Outcome.PASS
    widened = driver(tmp_path / "w", change=("(self, enabled: bool)", "(self, enabled: int)"))
    assert checks.utility_members(widened).outcome is Outcome.PASS


def test_a_settable_simulation_enabled_is_noted(tmp_path: Path) -> None:
    finding = checks.utility_members(driver(tmp_path, change=(
        "    def simulation_enabled(self) -> bool:\n        return True\n",
        "    def simulation_enabled(self) -> bool:\n        return True\n"
        "    @simulation_enabled.setter\n"
        "    def simulation_enabled(self, value: bool) -> None:\n        pass\n")))
    assert finding.outcome is Outcome.PASS
    assert "simulation_enabled is settable" in finding.message


def test_no_utility_class_at_all(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": '''
        class XyDmm:
            def measure(self) -> float:
                return 0.0
    '''})
    assert judged(context, "utility-reference").outcome is Outcome.FAIL
    for rule in ("utility-class", "api-error-query-all", "api-raise-on-device-error",
                 "api-mapping-aliases", "utility-error-query-result"):
        result = judged(context, rule)
        assert result.outcome is Outcome.SKIP, rule
        assert "utility-reference charges it" in result.message


# -- ErrorQueryResult ---------------------------------------------------------------------------

@pytest.mark.parametrize("definition", [
    "from typing import NamedTuple\nclass ErrorQueryResult(NamedTuple):\n"
    "    code: int\n    message: str\n",
    "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass ErrorQueryResult:\n"
    "    code: int\n    message: str\n",
])
def test_read_only_records_are_accepted(tmp_path: Path, definition: str) -> None:
    types = IVI_TYPES.replace("class ErrorQueryResult:", "class _Old:") + definition
    finding = checks.error_query_result(driver(tmp_path, types=types))
    assert finding.outcome is Outcome.PASS, [str(e) for e in finding.evidence]


@pytest.mark.parametrize(("definition", "problem"), [
    ("class ErrorQueryResult:\n    def __init__(self) -> None:\n        self.code: int = 0\n"
     "    message: str = ''\n", "ErrorQueryResult lacks property (r) code: int"),
    ("class ErrorQueryResult:\n    code: int = 0\n    message: str = ''\n",
     "ErrorQueryResult.code can be set"),
    ("class ErrorQueryResult:\n    @property\n    def code(self) -> str:\n        return ''\n"
     "    @property\n    def message(self) -> str:\n        return ''\n",
     "ErrorQueryResult.code gives str, the ABC int"),
])
def test_error_query_result_problems(tmp_path: Path, definition: str, problem: str) -> None:
    types = IVI_TYPES.replace("class ErrorQueryResult:", "class _Old:") + definition
    finding = checks.error_query_result(driver(tmp_path, types=types))
    assert finding.outcome is Outcome.FAIL
    assert any(problem in str(evidence) for evidence in finding.evidence), \
        [str(evidence) for evidence in finding.evidence]


def test_error_query_result_from_outside_the_distribution_is_skipped(tmp_path: Path) -> None:
    context = driver(tmp_path, types=IVI_TYPES.replace("class ErrorQueryResult:", "class _Old:"),
                     change=("from xydmm.ivi_types import ErrorQueryResult, IviUtility",
                             "from ivi_python_types import ErrorQueryResult\n"
                             "from xydmm.ivi_types import IviUtility"))
    finding = checks.error_query_result(context)
    assert finding.outcome is Outcome.SKIP
    assert "ivi_python_types" in finding.message


# -- the mapping table's names --------------------------------------------------------------------

def test_the_tables_names_as_properties_are_reported_as_aliases(tmp_path: Path) -> None:
    finding = api_mapping.mapping_aliases(driver(tmp_path, change=(
        "    def error_query(self)",
        "    @property\n    def simulate(self) -> bool:\n        return True\n"
        "    @property\n    def query_instrument_status(self) -> bool:\n        return True\n"
        "    @query_instrument_status.setter\n"
        "    def query_instrument_status(self, value: bool) -> None:\n        pass\n"
        "    def error_query(self)")))
    assert finding.outcome is Outcome.PASS
    assert "offers the table's names query_instrument_status, simulate" in finding.message


@pytest.mark.parametrize(("alias", "problem"), [
    ("    def simulate(self) -> bool:\n        return True\n", "simulate is a method"),
    ("    @property\n    def query_instrument_status(self) -> bool:\n        return True\n",
     "query_instrument_status is read-only"),
    ("    @property\n    def simulate(self) -> str:\n        return ''\n", "gives str, not bool"),
])
def test_a_table_name_of_another_kind_fails(tmp_path: Path, alias: str, problem: str) -> None:
    finding = api_mapping.mapping_aliases(driver(tmp_path, change=(
        "    def error_query(self)", alias + "    def error_query(self)")))
    assert finding.outcome is Outcome.FAIL
    assert problem in str(finding.evidence[0])


# -- Additional Driver API ------------------------------------------------------------------------

def test_a_missing_or_stub_additional_method_fails(tmp_path: Path) -> None:
    missing = driver(tmp_path / "a", base="", change=(
        "    def raise_on_device_error(self) -> None:\n        if self.error_query_all():\n"
        "            raise RuntimeError(\"device error\")\n", ""))
    finding = additional_api.raise_on_device_error(missing)
    assert finding.outcome is Outcome.FAIL
    assert "lacks method raise_on_device_error() -> None" in str(finding.evidence[0])
    assert checks.utility_members(missing).outcome is Outcome.PASS
    stub = driver(tmp_path / "b", change=("        return []\n",
                                          "        raise NotImplementedError()\n"))
    assert additional_api.error_query_all(stub).outcome is Outcome.FAIL


def test_an_additional_method_on_the_root_instead_is_named(tmp_path: Path) -> None:
    context = driver(tmp_path, base="", change=(
        "    def error_query_all(self) -> List[ErrorQueryResult]:\n        return []\n", ""),
        root=ROOT + "    def error_query_all(self) -> list[object]:\n        return []\n")
    finding = additional_api.error_query_all(context)
    assert finding.outcome is Outcome.FAIL
    assert "XyDmm.error_query_all exists, but the IviUtility ABC puts it on the utility class" \
        in str(finding.evidence[-1])


def test_error_query_all_must_return_a_collection_of_results(tmp_path: Path) -> None:
    finding = additional_api.error_query_all(driver(tmp_path, change=(
        "-> List[ErrorQueryResult]:", "-> ErrorQueryResult:")))
    assert finding.outcome is Outcome.FAIL
