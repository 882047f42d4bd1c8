"""How ivi-conform carries options between their two forms and recognises their names."""

from __future__ import annotations

import pytest

from ivi_conform.behaviour.harness import _SIMULATE, _STATUS, Facts, Harness


def harness(keys: dict[str, str] | None = None) -> Harness:
    """A harness with only what ``other_form`` reads: the driver's option keys."""
    made = object.__new__(Harness)
    made._facts = Facts(option_keys=keys or {})
    return made


@pytest.mark.parametrize(("given", "other"), [
    ({"simulate": True}, "Simulate=True"),
    ({"query_instr_status": False}, "QueryInstrStatus=False"),
    ({"simulation_mode": True, "range_check": True}, "SimulationMode=True, RangeCheck=True"),
    ("Simulate=True", {"simulate": True}),
    ("SimulationMode=1; CheckStatus=false", {"simulation_mode": True, "check_status": False}),
])
def test_each_form_gives_the_other(given: object, other: object) -> None:
    assert harness().other_form(given) == other


def test_a_string_name_becomes_the_drivers_own_key() -> None:
    assert harness({"sim_mode": "bool"}).other_form("SIMMODE=true") == {"sim_mode": True}


def test_a_value_without_an_other_form() -> None:
    assert harness().other_form("Simulate") is None
    assert harness().other_form({"simulate": [1]}) is None


@pytest.mark.parametrize("name", ["simulate", "Simulate", "simulation_mode", "sim", "SimMode",
                                  "is_sim", "Simulation"])
def test_names_of_simulation(name: str) -> None:
    assert _SIMULATE.search(name)


@pytest.mark.parametrize("name", ["similar", "simple", "range_check", "QueryInstrStatus"])
def test_names_not_of_simulation(name: str) -> None:
    assert not _SIMULATE.search(name)


@pytest.mark.parametrize("name", ["QueryInstrStatus", "query_instrument_status", "check_status",
                                  "StatusCheck"])
def test_names_of_status_checking(name: str) -> None:
    assert _STATUS.search(name)
