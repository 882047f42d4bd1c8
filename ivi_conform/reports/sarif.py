"""``report.sarif``: the audit as SARIF 2.1.0, for code scanning and SARIF viewers.

Code scanning (GitHub's, and the viewers that read SARIF) shows each result
on the line it names and tracks it across runs by its fingerprints. So:

- one result per rule that charges the driver (``fail``: level ``error``;
  an unmet *should*, ``warn``: level ``warning``), never one per evidence
  line: one broken rule is one alert, its other evidence related locations;
- every rule audited is in ``tool.driver.rules`` with its spec section,
  level and sentence, so a viewer explains an alert without the spec at hand;
- every result has a physical location, because code scanning rejects one
  without: the first evidence that names a file (line 1 when it gives none),
  else the audited artifact itself (``pyproject.toml`` of a source folder, or
  the wheel), line 1; evidence that names an API path (a behavioural
  finding: ``SkSunroof.motor.speed``) becomes a logical location;
- ``partialFingerprints`` hash the rule id and the file, not the line or the
  message, so that an alert survives an edit above it or a reworded message;
- ivi-conform's own errors are tool execution notifications, never results:
  they are not the driver's defects.

Evidence paths are the wheel's (``sksunroof/driver.py``). For a source-folder
target they are mapped onto the folder as given on the command line (and its
``src/`` layout), so that in CI, where the audit runs at the repository
root, the locations are the repository's files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ivi_conform.reports import json_text, standing
from ivi_conform.reports.report_types import Evidence, InternalError, Report, RuleEntry

#: The SARIF version written and the schema it declares.
VERSION = "2.1.0"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: The base the relative locations resolve against (code scanning: the checkout).
SRCROOT = "%SRCROOT%"
#: The name of the fingerprint; bump the version if what is hashed changes.
FINGERPRINT = "iviConformRuleFile/v1"

#: Related locations per result at most (code scanning keeps few; properties list them all).
RELATED_SHOWN = 100

_LEVEL = {"shall": "error", "should": "warning"}


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 log with one run, indented JSON ending in a newline.

    Each result and each rule is one line (:mod:`~ivi_conform.reports.json_text`).
    """
    return json_text.dumps(sarif_log(report)) + "\n"


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict (what :func:`render` writes)."""
    rules = list(report["rules"])
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    paths = _Paths(report)
    results = [_result(rule, index[rule["id"]], paths) for rule in rules
               if rule["outcome"] in standing.CHARGED]
    errors = report["audit"]["internal_errors"]
    tool = report["tool"]
    driver = report["driver"]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": tool["name"],
            "version": tool["version"],
            "semanticVersion": tool["version"],
            "rules": [_descriptor(rule) for rule in rules],
        }},
        "automationDetails": {"id": f"ivi-conform/{driver['distribution'] or 'unknown'}/"},
        "originalUriBaseIds": {SRCROOT: {
            "description": {"text": "The root of the repository the audit ran in."}}},
        "invocations": [{
            "executionSuccessful": not errors,
            "startTimeUtc": report["audit"]["started"],
            "toolExecutionNotifications": [_notification(error) for error in errors],
        }],
        "results": results,
        "properties": {
            "verdict": standing.claim(report),
            "summary": dict(report["summary"]),
            "driver": {"distribution": driver["distribution"], "version": driver["version"]},
            "spec": f"{report['spec']['name']} {report['spec']['version']}",
        },
    }
    reason = standing.partial_reason(report)
    if reason:
        run["properties"]["partial"] = reason
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": [run]}


def _descriptor(rule: RuleEntry) -> dict[str, Any]:
    """A rule's reportingDescriptor: what a viewer shows beside an alert."""
    help_text = f"{rule['source']}, {rule['section']} ({rule['level']}): \"{rule['sentence']}\""
    if rule.get("decision"):
        help_text += f"\n\nHow ivi-conform reads it: {rule['decision']}"
    return {
        "id": rule["id"],
        "name": "".join(part.capitalize() for part in str(rule["id"]).split("-")),
        "shortDescription": {"text": rule["title"]},
        "fullDescription": {"text": rule["sentence"]},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _LEVEL.get(rule["level"], "warning")},
        "properties": {
            "tags": ["ivi-python", "conformance", rule["level"], rule["judged"]],
            "section": rule["section"],
            "source": rule["source"],
            "level": rule["level"],
            "judged": rule["judged"],
        },
    }


def _result(rule: RuleEntry, index: int, paths: _Paths) -> dict[str, Any]:
    files = [item for item in rule["evidence"] if standing.is_file(str(item["file"]))]
    api = [item for item in rule["evidence"] if not standing.is_file(str(item["file"]))]
    if files:
        primary = paths.location(files[0])
    else:
        primary = paths.location({"file": paths.artifact, "line": 1, "detail": ""})
    logical = list(dict.fromkeys(str(item["file"]) for item in api if item["file"]))
    if logical:
        primary["logicalLocations"] = [
            {"fullyQualifiedName": name, "kind": "member"} for name in logical[:10]]
    text = str(rule["message"]) or str(rule["title"])
    result: dict[str, Any] = {
        "ruleId": rule["id"],
        "ruleIndex": index,
        "level": _LEVEL.get(rule["level"], "warning"),
        "message": {"text": text},
        "locations": [primary],
        "partialFingerprints": {FINGERPRINT: _fingerprint(rule["id"], primary)},
        "properties": {"outcome": rule["outcome"], "section": rule["section"],
                       "evidence": [standing.evidence_text(item) for item in rule["evidence"]]},
    }
    traces = [{"evidence": number, "trace": item.get("trace", []),
               "reproducer": item.get("reproducer", "")}
              for number, item in enumerate(rule["evidence"])
              if item.get("trace") or item.get("reproducer")]
    if traces:  # what went over the wire and how to replay it, by evidence index
        result["properties"]["io"] = traces
    related = [paths.location(item, number)
               for number, item in enumerate(files[1:RELATED_SHOWN + 1], start=1)]
    if related:
        result["relatedLocations"] = related
    return result


def _fingerprint(rule_id: str, location: Mapping[str, Any]) -> str:
    uri = location["physicalLocation"]["artifactLocation"]["uri"]
    return hashlib.sha256(f"{rule_id}\0{uri}".encode()).hexdigest()


def _notification(error: InternalError) -> dict[str, Any]:
    text = f"ivi-conform failed ({error['where']}): {error['message']}"
    notification: dict[str, Any] = {"level": "error", "message": {"text": text}}
    if error.get("rule"):
        notification["associatedRule"] = {"id": error["rule"]}
    return notification


class _Paths:
    """Evidence paths (the wheel's) as URIs relative to the repository root."""

    def __init__(self, report: Report) -> None:
        target = report["target"]
        self.folder: Path | None = None
        if target["kind"] == "folder" and target["origin"]:
            self.folder = _relative_folder(Path(target["origin"]))
        wheel = target["wheel"]
        if target["kind"] in ("folder", "sdist") or not wheel:
            self.artifact = "pyproject.toml"
        else:
            self.artifact = str(wheel["name"])

    def uri(self, name: str) -> str:
        path = PurePosixPath(name.replace("\\", "/").lstrip("/"))
        if self.folder is not None:
            if path.parts and path.parts[0].endswith(".dist-info"):
                path = PurePosixPath("pyproject.toml")  # the metadata is written from it
            elif (self.folder / "src" / path).exists() and not (self.folder / path).exists():
                path = PurePosixPath("src") / path
            if self.folder.parts:
                path = PurePosixPath(self.folder.as_posix()) / path
        return quote(path.as_posix(), safe="/-._~")

    def location(self, evidence: Evidence, number: int | None = None) -> dict[str, Any]:
        line = evidence.get("line")
        start = line if isinstance(line, int) and line >= 1 else 1
        location: dict[str, Any] = {"physicalLocation": {
            "artifactLocation": {"uri": self.uri(str(evidence["file"])), "uriBaseId": SRCROOT},
            "region": {"startLine": start},
        }}
        if number is not None:
            location["id"] = number
        if evidence.get("detail"):
            location["message"] = {"text": str(evidence["detail"])}
        return location


def _relative_folder(origin: Path) -> Path | None:
    """The source folder relative to the working directory, or None when it is elsewhere."""
    if not origin.is_absolute():
        return None if ".." in origin.parts else origin  # "." has no parts: the root itself
    try:
        return origin.relative_to(Path.cwd())
    except ValueError:
        return None
