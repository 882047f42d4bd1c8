"""The runs of the reference audit in report.json: what the simulators answered, and how.

The audit is the cached reference audit of ``tests/audits.py`` (shared with
the catalog tests), so these tests cost no audit of their own.
"""

from __future__ import annotations

import functools

from audits import audit_of
from demo_kit import validate

from ivi_conform.behaviour.exercises.constructor import FOREIGN_IDENTITIES
from ivi_conform.reports import json_report
from ivi_conform.reports.compliance import render as render_compliance
from ivi_conform.reports.report_types import Report
from ivi_conform.sim import MODELS
from ivi_conform.sim.instrument import DEFAULT_FIRMWARE, DEFAULT_MANUFACTURER, DEFAULT_SERIAL


@functools.cache
def _reference() -> Report:
    report = json_report.report_of(audit_of(None), selection=None)
    validate(report)
    return report


def test_each_model_the_driver_ran_against_is_one_run_with_its_answered_identity() -> None:
    runtime = _reference()["audit"]["runtime"]
    assert runtime is not None
    live = [run for run in runtime["runs"] if not run["simulation"]]
    assert live and len({run["model"] for run in live}) == len(live)
    for run in live:
        assert run["model"] in MODELS
        assert (run["manufacturer"], run["serial"], run["firmware"]) == (
            DEFAULT_MANUFACTURER, DEFAULT_SERIAL, DEFAULT_FIRMWARE)
        assert run["resource"] == "TCPIP0::127.0.0.1::<port>::SOCKET"
        assert run["visa_library"] == "pyvisa-py" and run["visa_version"]
    # the identities offered to test a refusal are no setup the driver was tested on
    foreign = {identity.split(",")[1] for identity in FOREIGN_IDENTITIES}
    assert not foreign & {run["model"] for run in runtime["runs"]}
    assert [run["model"] for run in live] == [one["model"] for one in runtime["instruments"]]
    assert any(run["simulation"] for run in runtime["runs"])


def test_the_notes_hold_no_timings_the_stages_hold_them() -> None:
    runtime = _reference()["audit"]["runtime"]
    assert runtime is not None
    assert not any(note.startswith("timings:") for note in runtime["notes"])
    assert {"install", "probe"} <= set(runtime["stages"])


def test_the_test_setup_names_the_models_as_they_answered() -> None:
    runtime = _reference()["audit"]["runtime"]
    assert runtime is not None
    document = render_compliance(_reference())
    models = ", ".join(f"{run['model']} ({DEFAULT_FIRMWARE})" for run in runtime["runs"]
                       if not run["simulation"])
    assert f"Instrument Model (Firmware Version): {models}, as each answered *IDN?" in document
    assert "the driver's simulation mode" in document


def test_runtime_evidence_carries_its_trace_apart_from_its_text() -> None:
    rules = {rule["id"]: rule for rule in _reference()["rules"]}
    reset = rules["run-constructor-reset"]["evidence"]
    assert reset and all(item["detail"].startswith("reset=") for item in reset)
    assert any("> *RST" in item.get("trace", []) for item in reset)
    assert not any(" | " in item["detail"] for item in reset)


def test_the_runs_of_two_processes_merge_into_those_of_one() -> None:
    runtime = _reference()["audit"]["runtime"]
    assert runtime is not None
    first, second = dict(runtime), dict(runtime)
    first["runs"] = runtime["runs"][::2]
    second["runs"] = [run | {"firmware": "", "serial": "", "manufacturer": ""}
                      for run in runtime["runs"]]  # the same runs, unanswered there
    merged = json_report.merge_runtime([second, first])  # type: ignore[list-item]
    assert merged is not None
    answered = {(run["model"], run["simulation"]) for run in runtime["runs"][::2]
                if run["firmware"]}
    for run in merged["runs"]:
        assert bool(run["firmware"]) == ((run["model"], run["simulation"]) in answered)
    assert [run["model"] for run in merged["runs"]] == [run["model"] for run in runtime["runs"]]
