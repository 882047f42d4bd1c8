"""A driver for another instrument, audited without one: the generic rules run in simulation.

The driver (a voltmeter, options as a ``TypedDict`` or ``"Simulation=1; QueryStatus=0"``)
supports no sunroof model and no ``--instrument-resource`` is given: every rule that
needs only simulation is judged in simulation, the rules that need instrument I/O are
not judged (ivi-conform cannot provide that instrument), and the sunroof rules say so.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import run_audit
from ivi_conform.model import Outcome

DRIVER = '''
"""Quartz QV-10 voltmeter driver.

Options: {{"simulation": True}} or "Simulation=1; QueryStatus=0".
"""

from __future__ import annotations

import socket
from typing import Any, TypedDict


class QvOptions(TypedDict, total=False):
    simulation: bool
    query_status: bool


class QvError(Exception):
    """A bad option or an instrument error."""


def _options(options: QvOptions | str | None) -> dict[str, bool]:
    found = {{"simulation": False, "query_status": {STATUS_DEFAULT}}}
    if options is None:
        return found
    if isinstance(options, dict):
        for key, value in options.items():
            if key not in found or not isinstance(value, bool):
                raise QvError(f"unknown option {{key}}={{value!r}}")
            found[key] = value
        return found
    names = {{"simulation": "simulation", "querystatus": "query_status"}}
    for part in options.replace(";", ",").split(","):
        name, equals, value = part.strip().partition("=")
        key = names.get(name.strip().lower())
        if not equals or key is None or value.strip() not in ("0", "1", "True", "False"):
            raise QvError(f"bad option {{part!r}}")
        found[key] = value.strip() in ("1", "True")
    return found


class QvUtility:
    def __init__(self, meter: "QuartzQv10") -> None:
        self._meter = meter

    @property
    def driver_version(self) -> str:
        return "2.1.0"

    @property
    def driver_vendor(self) -> str:
        return "Quartz Meters"

    @property
    def instrument_manufacturer(self) -> str:
        return {MANUFACTURER!r} if self._meter.simulating else self._meter.ask("*IDN?")[0]

    @property
    def instrument_model(self) -> str:
        return "QV-10" if self._meter.simulating else self._meter.ask("*IDN?")[1]

    @property
    def simulation_enabled(self) -> bool:
        return self._meter.simulating

    @property
    def query_instrument_status_enabled(self) -> bool:
        return self._meter.status

    @query_instrument_status_enabled.setter
    def query_instrument_status_enabled(self, value: bool) -> None:
        self._meter.status = value

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return ("QV-10",)


class QuartzQv10:
    """The root class."""

    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
                 options: QvOptions | str | None = None) -> None:
        found = _options(options)
        self.simulating = found["simulation"]
        self.status = found["query_status"]
        self._socket: socket.socket | None = None
        if not self.simulating:
            host, port = resource_name.split("::")[1:3]
            self._socket = socket.create_connection((host, int(port)), timeout=2)
        self._utility = QvUtility(self)

    def ask(self, query: str) -> list[str]:
        assert self._socket is not None
        self._socket.sendall(query.encode() + b"\\n")
        return self._socket.recv(4096).decode().strip().split(",")

    @property
    def ivi_utility(self) -> QvUtility:
        return self._utility

    def _only_identity(self) -> None:
        if self.simulating and {ONLY_IDENTITY}:
            raise QvError("not available in simulation")

    @property
    def voltage(self) -> float:
        self._only_identity()
        {VOLTAGE}

    @property
    def last_overload(self) -> Any | None:
        self._only_identity()
        return None

    @property
    def range_name(self) -> str | None:
        self._only_identity()
        return None

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()


__all__ = ["QuartzQv10", "QvError", "QvOptions", "QvUtility"]
'''

PYPROJECT = '''
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "quartzqv10"
version = "2.1.0"
description = "Quartz QV-10 voltmeter driver."
keywords = ["Quartz Meters", "QV-10"]
'''

WELL = {"STATUS_DEFAULT": "False", "MANUFACTURER": "Quartz Meters", "VOLTAGE": "return 1.5",
        "ONLY_IDENTITY": "False"}
#: Judged in simulation (no instrument needed).
SIMULATION = ["run-constructor-status-off", "run-utility-driver-version", "run-simulation-no-io",
              "run-simulation-data", "run-simulation-enabled-truth",
              "run-constructor-options-forms", "run-constructor-bad-options",
              "run-metadata-keywords-api"]
#: Need instrument I/O (or a sunroof): not judged without --instrument-resource.
INSTRUMENT = ["run-constructor-id-query-accepts", "run-constructor-reset",
              "run-constructor-simulate-off", "run-repcap-instance", "run-utility-identity"]


def audit(tmp_path: Path, rules: list[str], **changes: str) -> dict[str, tuple[Outcome, str]]:
    """Build the voltmeter (with ``changes`` to its template) and judge ``rules``: each
    rule's outcome and its message followed by its evidence."""
    source = tmp_path / "src"
    (source / "quartzqv10").mkdir(parents=True)
    fields = {**WELL, **changes}
    (source / "quartzqv10" / "__init__.py").write_text(DRIVER.format(**fields), encoding="utf-8")
    (source / "quartzqv10" / "py.typed").write_text("", encoding="utf-8")
    (source / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    context = AuditContext(load(str(source), work_dir=work), AuditConfig(timeout_s=36.0), work)
    selected = [rule for rule in load_catalog() if rule.id in rules]
    return {r.rule.id: (r.outcome, " | ".join([r.message, *(e.detail for e in r.evidence)]))
            for r in run_audit(context, selected).results}


def test_the_generic_rules_are_judged_in_simulation_and_the_instrument_ones_are_not(
    tmp_path: Path,
) -> None:
    results = audit(tmp_path, SIMULATION + INSTRUMENT)
    for rule_id in SIMULATION:
        assert results[rule_id][0] is Outcome.PASS, (rule_id, results[rule_id])
    assert "live half was not judged" in results["run-simulation-enabled-truth"][1]
    assert "Quartz Meters" in results["run-metadata-keywords-api"][1]
    for rule_id in INSTRUMENT:
        assert results[rule_id][0] is Outcome.NOT_JUDGED, (rule_id, results[rule_id])
        assert "cannot provide" in results[rule_id][1]


def test_status_checking_on_by_default_fails_in_simulation(tmp_path: Path) -> None:
    results = audit(tmp_path, ["run-constructor-status-off"], STATUS_DEFAULT="True")
    outcome, message = results["run-constructor-status-off"]
    assert outcome is Outcome.FAIL, message


def test_a_manufacturer_not_given_in_simulation_is_not_judged_and_said(tmp_path: Path) -> None:
    results = audit(tmp_path, ["run-metadata-keywords-api"],
                    MANUFACTURER="Not available while simulating")
    outcome, message = results["run-metadata-keywords-api"]
    assert outcome is Outcome.PASS, message
    assert "instrument_manufacturer not judged" in message and "QV-10" in message


@pytest.mark.parametrize(("change", "said"), [
    ({"ONLY_IDENTITY": "True"}, "every property of the instrument raised"),
    ({"VOLTAGE": "raise NotImplementedError"}, "the simulation of this property is missing"),
    ({"VOLTAGE": "return None"}, "which is not a float"),
])
def test_a_simulation_without_data_fails(tmp_path: Path, change: dict[str, str],
                                         said: str) -> None:
    """Only the identity answering, a property whose simulation is missing, None for a
    float: no simulated data (None where the type admits it, ``Any | None`` or
    ``str | None``, passes: see the first test)."""
    results = audit(tmp_path, ["run-simulation-data"], **change)
    outcome, message = results["run-simulation-data"]
    assert outcome is Outcome.FAIL and said in message, message


def test_a_refusal_of_one_property_in_simulation_is_recorded_not_failed(
    tmp_path: Path,
) -> None:
    results = audit(tmp_path, ["run-simulation-data"], VOLTAGE="raise QvError('no range')")
    outcome, message = results["run-simulation-data"]
    assert outcome is Outcome.PASS, message
