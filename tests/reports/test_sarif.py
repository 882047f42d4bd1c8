"""report.sarif, validated against the OASIS SARIF 2.1.0 schema (shipped in data/, offline).

Beyond the schema, the rules code scanning applies on upload: every result has
a physical location with a line, relative URIs, one result per charged rule,
fingerprints that do not move with the line.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from conftest import DATA, Report

from ivi_conform.reports import sarif

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _valid(report: Report) -> dict[str, Any]:
    """The SARIF of ``report``, read back from its text and validated."""
    log: dict[str, Any] = json.loads(sarif.render(report))
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    for result in log["runs"][0]["results"]:
        assert result["locations"], result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        uri = physical["artifactLocation"]["uri"]
        assert uri and not uri.startswith("/") and "://" not in uri
    return log


def test_a_failing_audit_gives_one_result_per_failed_or_warned_rule(failing: Report) -> None:
    log = _valid(failing)
    (run,) = log["runs"]
    results = {result["ruleId"]: result for result in run["results"]}
    assert set(results) == {"demo-broken", "demo-advice"}
    broken, advice = results["demo-broken"], results["demo-advice"]
    assert broken["level"] == "error" and advice["level"] == "warning"
    assert broken["message"]["text"] == "the version is 1.2.3, not 9.9.9"
    location = broken["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 7}
    assert len(broken["relatedLocations"]) == 11
    assert advice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "demodrv/extra.py"
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule["id"] for rule in failing["rules"]]
    assert rules[broken["ruleIndex"]]["id"] == "demo-broken"
    descriptor = rules[broken["ruleIndex"]]
    assert descriptor["fullDescription"]["text"] == "A demo version shall be 9.9.9."
    assert descriptor["properties"]["section"] == "Package Metadata"
    assert descriptor["defaultConfiguration"]["level"] == "error"
    assert "IVI Driver Core 1.0 (L1)" in descriptor["help"]["text"]
    assert "not from the API" in descriptor["help"]["text"]
    assert run["properties"]["verdict"] == "non-conformant"


def test_ivi_conforms_own_errors_are_notifications_not_results(failing: Report) -> None:
    invocation = _valid(failing)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["associatedRule"] == {"id": "demo-crash"}
    assert notification["level"] == "error"


def test_a_conformant_audit_has_no_result(conformant: Report) -> None:
    (run,) = _valid(conformant)["runs"]
    assert run["results"] == [] and run["properties"]["verdict"] == "conformant"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_a_static_audit_is_never_conformant(static: Report) -> None:
    (run,) = _valid(static)["runs"]
    assert run["properties"]["verdict"] == "incomplete"
    assert run["properties"]["partial"].startswith("static audit")


def test_a_crashed_audit_is_valid_sarif(crashed: Report) -> None:
    (run,) = _valid(crashed)["runs"]
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is False


def test_evidence_without_a_file_falls_back_to_the_artifact_line_1(failing: Report) -> None:
    report = copy.deepcopy(failing)
    broken = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    broken["evidence"] = [{"file": "Demodrv.motor.speed", "line": None, "detail": "0 != 1"},
                          {"file": "Demodrv.panels['1']", "line": None, "detail": "x"}]
    advice = next(rule for rule in report["rules"] if rule["id"] == "demo-advice")
    advice["evidence"] = [{"file": "demodrv/extra.py", "line": None, "detail": "no line"}]
    results = {r["ruleId"]: r for r in _valid(report)["runs"][0]["results"]}
    location = results["demo-broken"]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == \
        report["target"]["wheel"]["name"]
    assert location["physicalLocation"]["region"] == {"startLine": 1}
    assert [item["fullyQualifiedName"] for item in location["logicalLocations"]] == [
        "Demodrv.motor.speed", "Demodrv.panels['1']"]
    assert results["demo-advice"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1}


def test_fingerprints_are_stable_across_runs_and_line_moves(
    make_report: Callable[..., Report],
) -> None:
    first, second = make_report(), make_report()
    moved = copy.deepcopy(second)
    for rule in moved["rules"]:
        for item in rule["evidence"]:
            item["line"] = (item["line"] or 0) + 40
        rule["message"] = rule["message"] + " (reworded)"

    def prints(report: Report) -> dict[str, Any]:
        results = _valid(report)["runs"][0]["results"]
        return {result["ruleId"]: result["partialFingerprints"] for result in results}

    assert prints(first) == prints(second) == prints(moved)
    assert len({json.dumps(value) for value in prints(first).values()}) == 2


def test_a_source_folder_maps_evidence_onto_the_repository(
    failing: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = tmp_path / "repo"
    driver = repo / "drivers" / "demo"
    (driver / "src" / "demodrv").mkdir(parents=True)
    (driver / "src" / "demodrv" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    (driver / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(repo)
    report = copy.deepcopy(failing)
    report["target"] = {**report["target"], "kind": "folder", "origin": str(driver)}
    advice = next(rule for rule in report["rules"] if rule["id"] == "demo-advice")
    advice["evidence"].append({"file": "demodrv-1.2.3.dist-info/METADATA", "line": 3,
                               "detail": "metadata"})
    results = {r["ruleId"]: r for r in _valid(report)["runs"][0]["results"]}
    uris = [location["physicalLocation"]["artifactLocation"]["uri"]
            for result in results.values()
            for location in [*result["locations"], *result.get("relatedLocations", [])]]
    assert "drivers/demo/src/demodrv/extra.py" in uris
    assert "drivers/demo/pyproject.toml" in uris
    assert all(uri.startswith("drivers/demo/") for uri in uris)


def test_a_driver_at_the_repository_root_with_a_src_layout(
    failing: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "src" / "demodrv").mkdir(parents=True)
    (tmp_path / "src" / "demodrv" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = copy.deepcopy(failing)
    report["target"] = {**report["target"], "kind": "folder", "origin": "."}
    results = {r["ruleId"]: r for r in _valid(report)["runs"][0]["results"]}
    uri = results["demo-advice"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "src/demodrv/extra.py"
    uri = results["demo-broken"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "pyproject.toml"


def test_an_evidences_trace_and_reproducer_are_result_properties(failing: Report) -> None:
    report = copy.deepcopy(failing)
    runtime = next(rule for rule in report["rules"] if rule["id"] == "demo-runtime")
    runtime["outcome"] = "fail"
    runtime["evidence"] = [{"file": "Demodrv.reset", "line": None, "detail": "no *RST"}]

    def io() -> Any:
        results = _valid(report)["runs"][0]["results"]
        return next(result for result in results if result["ruleId"] == "demo-runtime")[
            "properties"].get("io")

    assert io() is None
    runtime["evidence"].insert(0, {"file": "Demodrv", "line": None, "detail": "x"})
    runtime["evidence"][1] |= {"trace": ["> *IDN?", "< D,1,2,3"], "reproducer": "d.reset()"}
    assert io() == [{"evidence": 1, "trace": ["> *IDN?", "< D,1,2,3"], "reproducer": "d.reset()"}]
