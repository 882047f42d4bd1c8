"""``report.json``: the one document an audit produces; everything else renders it.

The report is plain data (``dict``/``list``/``str``/numbers) so that the same
builder serves the command line, which has an :class:`~ivi_conform.engine.AuditResult`,
and the pytest plugin, whose results arrive from xdist workers as JSON. Its
shape is fixed by ``report.schema.json`` beside this module (versioned by the
``schema`` field); the tests validate every report they write against it.
The schema is data for consumers: nothing here imports a validator at run time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import traceback
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from ivi_conform.catalog import Rule
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.documents import compliance as compliance_doc
from ivi_conform.documents.core_format import SECTIONS
from ivi_conform.engine import SPEC, TOOL, AuditResult, RuleResult, verdict_of
from ivi_conform.model import Evidence, Outcome, Verdict

#: The value of the report's ``schema`` field; bumped on any incompatible change.
SCHEMA_ID = "ivi-conform/report/1"
#: The specification the IVI-Python one builds on; its rules are in the catalog too.
CORE_SPEC = {"name": "IVI Driver Core Specification", "version": "1.0"}

#: How a value the vendor must still give is written (in compliance.md; not taken back).
PLACEHOLDER = "[vendor to fill]"

Report = dict[str, Any]


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the report, as shipped in the package."""
    text = (resources.files("ivi_conform.reports") / "report.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def render(report: Mapping[str, Any]) -> str:
    """The report as ``report.json`` holds it: indented, UTF-8, ending in a newline."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# -- one rule's result, across processes ------------------------------------------------


def result_to_json(result: RuleResult) -> dict[str, Any]:
    """A rule's result as JSON, without loss: what a pytest worker sends its controller."""
    return {
        "id": result.rule.id,
        "outcome": result.outcome.value,
        "message": result.message,
        "evidence": [evidence.to_json() for evidence in result.evidence],
        "seconds": result.seconds,
        "internal_error": result.internal_error,
    }


def result_from_json(data: Mapping[str, Any], rule: Rule) -> RuleResult:
    """The inverse of :func:`result_to_json`, given the catalog's entry for the rule."""
    evidence = tuple(
        Evidence(str(item["file"]), item.get("line"), str(item.get("detail", "")))
        for item in data.get("evidence", ())
    )
    return RuleResult(
        rule=rule,
        outcome=Outcome(data["outcome"]),
        message=str(data.get("message", "")),
        evidence=evidence,
        seconds=float(data.get("seconds", 0.0)),
        internal_error=str(data.get("internal_error", "")),
    )


def rule_entry(result: RuleResult) -> dict[str, Any]:
    """One element of the report's ``rules``: the catalog entry and how it ended."""
    rule = result.rule
    return {
        "id": rule.id,
        "title": rule.title,
        "section": rule.section,
        "level": rule.level.value,
        "judged": rule.judged.value,
        "source": rule.source,
        "sentence": rule.sentence,
        "decision": rule.decision or None,
        "outcome": result.outcome.value,
        "message": result.message,
        "evidence": [evidence.to_json() for evidence in result.evidence],
        "seconds": round(result.seconds, 6),
    }


# -- the report ---------------------------------------------------------------------------


def add_internal_error(report: Report, where: str, message: str, trace: str,
                       rule: str | None = None) -> None:
    """Record one of ivi-conform's own failures in the report (never the driver's)."""
    report["audit"]["internal_errors"].append(
        {"where": where, "rule": rule, "message": message, "traceback": trace}
    )


def report_of(result: AuditResult, *, selection: Sequence[str] | None,
              runner: str = "cli") -> Report:
    """The report of a finished audit."""
    return build_report(
        context=result.context, config=result.config, origin=result.origin,
        results=result.results, started=result.started, seconds=result.seconds,
        selection=selection, runner=runner, crash=result.crash,
    )


def build_report(
    *,
    context: AuditContext | None,
    config: AuditConfig,
    origin: str,
    results: Sequence[RuleResult],
    started: datetime,
    seconds: float,
    selection: Sequence[str] | None,
    runner: str,
    crash: tuple[str, str] | None = None,
    runtime: dict[str, Any] | None = None,
) -> Report:
    """Assemble the report from its parts.

    ``context`` is ``None`` when the candidate could not even be loaded (an
    internal error); ``crash`` is the message and traceback of an exception
    that escaped the engine: the verdict is then ``incomplete`` whatever the
    results, since the tool did not finish judging. ``selection`` lists the
    rules chosen when they are not the whole catalog.
    """
    report: Report = {
        "schema": SCHEMA_ID,
        "tool": dict(TOOL),
        "spec": {**SPEC, "core": dict(CORE_SPEC)},
        "target": _target(context, origin),
        "driver": _driver_identity(context),
        "verdict": "",
        "summary": _summary(results),
        "audit": {
            "runner": runner,
            "started": started.astimezone(UTC).isoformat(timespec="seconds").replace(
                "+00:00", "Z"),
            "seconds": round(seconds, 3),
            "static_only": config.static_only,
            "selection": list(selection) if selection is not None else None,
            "options": config.options,
            "release_date": _release_date(context, config),
            "timeout_s": config.timeout_s,
            "vendors": dict(sorted(config.vendors.items())),
            "instrument": {
                "resource": config.instrument_resource,
                "profile": str(config.instrument_profile) if config.instrument_profile else None,
            },
            "runtime": runtime if runtime is not None else runtime_snapshot(context),
            "python": platform.python_version(),
            "judges": _judges(),
            "platform": platform.platform(terse=True),
            "internal_errors": [],
        },
        "rules": [rule_entry(result) for result in results],
        "decisions": _decisions(result.rule for result in results),
        "compliance_document": None,
    }
    if context is not None:
        _fill_driver(report, context)
        report["compliance_document"] = _shipped_compliance(report, context)
    for result in results:
        if result.internal_error:
            add_internal_error(report, f"rule {result.rule.id}", result.message,
                               result.internal_error, rule=result.rule.id)
    if crash is not None:
        add_internal_error(report, "audit", *crash)
    verdict = Verdict.INCOMPLETE if crash is not None else verdict_of(results)
    report["verdict"] = verdict.value
    return report


def _judges() -> dict[str, str | None]:
    """The versions of the tools that judge rules (a new release may judge differently)."""
    found: dict[str, str | None] = {}
    for name in ("ruff", "mypy", "hypothesis", "pyvisa", "pyvisa-py", "pyvisa-sim"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def runtime_snapshot(context: AuditContext | None) -> dict[str, Any] | None:
    """How the driver was run (sandbox, options, stage timings); None when it was not."""
    runtime = context.runtime_started if context is not None else None
    if runtime is None:
        return None
    return {
        "notes": runtime.setup_notes(),
        "stages": {name: round(seconds, 3) for name, seconds in runtime.stages.items()},
        "rule_seconds": {name: round(seconds, 3) for name, seconds in runtime.timings.items()},
    }


def merge_runtime(snapshots: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """One runtime block from several processes' (each ran some of the runtime rules).

    Notes are kept once each, in order; the stages each process paid are added up.
    """
    merged: dict[str, Any] | None = None
    for snapshot in snapshots:
        if merged is None:
            merged = {"notes": [], "stages": {}, "rule_seconds": {}}
        merged["notes"] += [note for note in snapshot["notes"] if note not in merged["notes"]]
        for name, seconds in snapshot["stages"].items():
            merged["stages"][name] = round(merged["stages"].get(name, 0.0) + seconds, 3)
        merged["rule_seconds"].update(snapshot["rule_seconds"])
    return merged


def _target(context: AuditContext | None, origin: str) -> dict[str, Any]:
    if context is None:
        return {"origin": origin, "kind": None, "wheel": None}
    dist = context.dist
    wheel = None
    if dist.wheel is not None and dist.wheel.is_file():
        digest = hashlib.sha256(dist.wheel.read_bytes()).hexdigest()
        wheel = {"name": dist.wheel.name, "sha256": digest}
    return {"origin": dist.origin, "kind": dist.kind, "wheel": wheel}


def _driver_identity(context: AuditContext | None) -> dict[str, Any]:
    dist = context.dist if context is not None else None
    return {
        "distribution": (dist.name or None) if dist else None,
        "version": (dist.version or None) if dist else None,
        "import_name": None,
        "class_name": None,
        "identifier": None,
        "metadata": _metadata(context),
    }


def _fill_driver(report: Report, context: AuditContext) -> None:
    """The located driver's names; a crash in locating it is our bug, recorded."""
    try:
        shape = context.driver
    except Exception as exc:  # noqa: BLE001 - the report must survive our own bugs
        add_internal_error(report, "locating the driver", f"{type(exc).__name__}: {exc}",
                           traceback.format_exc())
        return
    driver = report["driver"]
    driver["import_name"] = shape.package
    driver["class_name"] = shape.root.name if shape.root is not None else None
    driver["identifier"] = shape.identifier


def _metadata(context: AuditContext | None) -> dict[str, Any]:
    """The core-metadata fields the compliance document and a reviewer use."""
    raw: Mapping[str, Any] = context.dist.metadata if context is not None else {}

    def text(*keys: str) -> str | None:
        for key in keys:
            value = raw.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    return {
        "summary": text("summary"),
        "license": text("license_expression", "license"),
        "author": text("author"),
        "author_email": text("author_email"),
        "maintainer": text("maintainer"),
        "maintainer_email": text("maintainer_email"),
        "requires_python": text("requires_python"),
        "requires_dist": [str(item) for item in raw.get("requires_dist", ()) or ()],
        "project_urls": {str(k): str(v) for k, v in (raw.get("project_urls") or {}).items()},
        "home_page": text("home_page"),
    }


def _release_date(context: AuditContext | None, config: AuditConfig) -> str | None:
    if context is not None:
        return context.release_date.isoformat()
    return config.release_date.isoformat() if config.release_date else None


def _summary(results: Iterable[RuleResult]) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    return counts


def _decisions(rules: Iterable[Rule]) -> list[dict[str, str]]:
    """The catalog's decisions where the spec is ambiguous, for the rules audited."""
    return [
        {"rule": rule.id, "section": rule.section, "title": rule.title, "decision": rule.decision}
        for rule in rules
        if rule.decision
    ]


def _shipped_compliance(report: Report, context: AuditContext) -> dict[str, Any] | None:
    """What the driver's own compliance document says, for the compliance.md writer.

    The document is the one :mod:`ivi_conform.documents.compliance` finds (the rules
    read the same one), else the README's copy of it. A crash in reading it is
    recorded as ivi-conform's own error.
    """
    try:
        found = compliance_doc.find_compliance_document(context)
        if found is not None:
            return _document_json(found.where, found.doc)
        readme = compliance_doc.find_readme(context)
        if readme is not None:
            shipped = _document_json(readme.where, readme.doc)
            return shipped if shipped["items"] else None
        return None
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the report
        add_internal_error(report, "reading the driver's compliance document",
                           f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return None


def _document_json(path: str, doc: compliance_doc.ComplianceDoc) -> dict[str, Any]:
    """The Core items a document fills, under the Core's names; placeholders left out."""
    items: list[dict[str, Any]] = []

    def add(section: str, part: compliance_doc.DocSection | None, item: str,
            subsection: str | None) -> None:
        found = part.item(item) if part is not None else None
        if found is None or found.is_empty or PLACEHOLDER in found.text:
            return
        items.append({"section": section, "subsection": subsection, "item": item,
                      "value": found.text})

    for section in SECTIONS:
        if section.subsection:
            for part in doc.subsections(section.name):
                title = " ".join(part.title.replace("*", "").split()).rstrip(":")
                for item in section.items:
                    add(section.name, part, item.name, title)
        else:
            for item in section.items:
                add(section.name, doc.section(section.name), item.name, None)
    return {"path": path, "items": items}
