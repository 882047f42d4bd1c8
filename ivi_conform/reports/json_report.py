"""``report.json``: the one document an audit produces; everything else renders it.

The report is plain data (``dict``/``list``/``str``/numbers) so that the same
builder serves the command line, which has an :class:`~ivi_conform.engine.AuditResult`,
and the pytest plugin, whose results arrive from xdist workers as JSON. Its
shape is fixed by ``report.schema.json`` beside this module (versioned by the
``schema`` field); the tests validate every report they write against it.
The schema is data for consumers: nothing here imports a validator at run time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import platform
import re
import struct
import traceback
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Literal, cast

from ivi_conform.catalog import Rule
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.documents import compliance as compliance_doc
from ivi_conform.documents.core_format import SECTIONS
from ivi_conform.engine import SPEC, TOOL, AuditResult, RuleResult, verdict_of
from ivi_conform.model import Evidence, Outcome, Verdict
from ivi_conform.reports import json_text
from ivi_conform.reports.report_types import (
    Answered,
    Audit,
    Decision,
    Driver,
    Metadata,
    Report,
    RuleEntry,
    Run,
    Runtime,
    ShippedDocument,
    ShippedItem,
    ShippedSection,
    Summary,
    Target,
    Wheel,
)
from ivi_conform.reports.report_types import (
    Evidence as EvidenceEntry,
)

#: The value of the report's ``schema`` field; bumped on any incompatible change.
SCHEMA_ID = "ivi-conform/report/1"
#: The specification the IVI-Python one builds on; its rules are in the catalog too.
CORE_SPEC = {"name": "IVI Driver Core Specification", "version": "1.0"}

#: How a value the vendor must still give is written (in compliance.md; not taken back).
PLACEHOLDER = "[vendor to fill]"
#: An underline or overline of a setext or reStructuredText heading.
_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+_:.!$%&,/;<>?@\\|])\1{2,}\s*$")


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the report, as shipped in the package."""
    text = (resources.files("ivi_conform.reports") / "report.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def render(report: Report) -> str:
    """The report as ``report.json`` holds it: indented, UTF-8, ending in a newline.

    Each piece of evidence is one line (:mod:`~ivi_conform.reports.json_text`).
    """
    return json_text.dumps(report) + "\n"


# -- one rule's result, across processes ------------------------------------------------


def result_to_json(result: RuleResult) -> dict[str, Any]:
    """A rule's result as JSON, without loss: what a pytest worker sends its controller."""
    return {
        "id": result.rule.id,
        "outcome": result.outcome.value,
        "message": result.message,
        "evidence": [evidence_entry(evidence) for evidence in result.evidence],
        "seconds": result.seconds,
        "internal_error": result.internal_error,
    }


def result_from_json(data: Mapping[str, Any], rule: Rule) -> RuleResult:
    """The inverse of :func:`result_to_json`, given the catalog's entry for the rule."""
    evidence = tuple(
        Evidence(str(item["file"]), item.get("line"), str(item.get("detail", "")),
                 tuple(str(line) for line in item.get("trace", ())),
                 str(item.get("reproducer", "")))
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


def rule_entry(result: RuleResult) -> RuleEntry:
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
        "evidence": [evidence_entry(evidence) for evidence in result.evidence],
        "seconds": round(result.seconds, 6),
    }


def evidence_entry(evidence: Evidence) -> EvidenceEntry:
    """One piece of evidence as the report has it (trace and reproducer only when there are)."""
    entry: EvidenceEntry = {"file": evidence.file, "line": evidence.line,
                            "detail": evidence.detail}
    if evidence.trace:
        entry["trace"] = list(evidence.trace)
    if evidence.reproducer:
        entry["reproducer"] = evidence.reproducer
    return entry


# -- the report ---------------------------------------------------------------------------


def add_internal_error(report: Report, where: str, message: str, trace: str,
                       rule: str | None = None) -> None:
    """Record one of ivi-conform's own failures in the report (never the driver's)."""
    report["audit"]["internal_errors"].append(
        {"where": where, "rule": rule, "message": message, "traceback": trace}
    )


def report_of(result: AuditResult, *, selection: Sequence[str] | None,
              runner: Literal["cli", "pytest"] = "cli") -> Report:
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
    runner: Literal["cli", "pytest"],
    crash: tuple[str, str] | None = None,
    runtime: Runtime | None = None,
) -> Report:
    """Assemble the report from its parts.

    ``context`` is ``None`` when the candidate could not even be loaded (an
    internal error); ``crash`` is the message and traceback of an exception
    that escaped the engine: the verdict is then ``incomplete`` whatever the
    results, since the tool did not finish judging. ``selection`` lists the
    rules chosen when they are not the whole catalog.
    """
    runtime = runtime if runtime is not None else runtime_snapshot(context)
    audit: Audit = {
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
            "runtime": runtime,
            "python": platform.python_version(),
            "bitness": "64-bit" if struct.calcsize("P") == 8 else "32-bit",
            "operating_system": _operating_system(),
            "judges": _judges(),
            "platform": platform.platform(terse=True),
            "internal_errors": [],
    }
    report: Report = {
        "schema": "ivi-conform/report/1",
        "tool": {"name": "ivi-conform", "version": TOOL["version"]},
        "spec": {"name": SPEC["name"], "version": SPEC["version"],
                 "core": {"name": CORE_SPEC["name"], "version": CORE_SPEC["version"]}},
        "target": _target(context, origin),
        "driver": _driver_identity(context),
        "verdict": "incomplete",  # decided below, once the internal errors are known
        "summary": _summary(results),
        "audit": audit,
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


def _operating_system() -> str:
    """The operating system as the Core names one: ``Debian GNU/Linux 12 (bookworm)``."""
    system = platform.system()
    if system == "Linux":
        try:
            return platform.freedesktop_os_release()["PRETTY_NAME"]
        except (OSError, KeyError):
            return f"Linux {platform.release()}"
    if system == "Darwin":
        return f"macOS {platform.mac_ver()[0]}"
    return f"{system} {platform.release()} ({platform.version()})"


def _judges() -> dict[str, str | None]:
    """The versions of the tools that judge rules (a new release may judge differently)."""
    found: dict[str, str | None] = {}
    for name in ("ruff", "mypy", "hypothesis", "pyvisa", "pyvisa-py", "pyvisa-sim"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def runtime_snapshot(context: AuditContext | None) -> Runtime | None:
    """How the driver was run (sandbox, options, stage timings, runs); None when it was not."""
    runtime = context.runtime_started if context is not None else None
    if runtime is None:
        return None
    runs = [cast(Run, dataclasses.asdict(run)) for run in runtime.runs]
    return {
        "notes": runtime.setup_notes(),
        "stages": {name: round(seconds, 3) for name, seconds in runtime.stages.items()},
        "rule_seconds": {name: round(seconds, 3) for name, seconds in runtime.timings.items()},
        "runs": runs,
        "instruments": _instruments(runs),
    }


def merge_runtime(snapshots: Iterable[Runtime]) -> Runtime | None:
    """One runtime block from several processes' (each ran some of the runtime rules).

    Notes are kept once each, in order; the stages each process paid are added
    up; a run is kept once per (model, simulation), the one that answered
    ``*IDN?`` first, so that the runs are those of one process doing it all.
    """
    merged: Runtime | None = None
    runs: dict[tuple[str, bool], Run] = {}
    for snapshot in snapshots:
        if merged is None:
            merged = {"notes": [], "stages": {}, "rule_seconds": {}, "runs": [],
                      "instruments": []}
        merged["notes"] += [note for note in snapshot["notes"] if note not in merged["notes"]]
        for name, seconds in snapshot["stages"].items():
            merged["stages"][name] = round(merged["stages"].get(name, 0.0) + seconds, 3)
        merged["rule_seconds"].update(snapshot["rule_seconds"])
        for run in snapshot["runs"]:
            known = runs.get((run["model"], run["simulation"]))
            if known is None or (not known["firmware"] and run["firmware"]):
                runs[run["model"], run["simulation"]] = run
    if merged is not None:
        merged["runs"] = [runs[key] for key in sorted(runs)]
        merged["instruments"] = _instruments(merged["runs"])
    return merged


def _instruments(runs: Iterable[Run]) -> list[Answered]:
    """The instruments as they answered ``*IDN?`` in the runs not in simulation, once each."""
    seen: dict[tuple[str, ...], Answered] = {}
    for run in runs:
        if not run["simulation"] and run["firmware"]:
            fields = (run["manufacturer"], run["model"], run["serial"], run["firmware"])
            seen.setdefault(fields, {"manufacturer": run["manufacturer"], "model": run["model"],
                                     "serial": run["serial"], "firmware": run["firmware"]})
    return sorted(seen.values(), key=lambda answered: (answered["model"], answered["firmware"]))


def _target(context: AuditContext | None, origin: str) -> Target:
    if context is None:
        return {"origin": origin, "kind": None, "wheel": None}
    dist = context.dist
    wheel: Wheel | None = None
    if dist.wheel is not None and dist.wheel.is_file():
        digest = hashlib.sha256(dist.wheel.read_bytes()).hexdigest()
        wheel = {"name": dist.wheel.name, "sha256": digest}
    return {"origin": dist.origin, "kind": dist.kind, "wheel": wheel}


def _driver_identity(context: AuditContext | None) -> Driver:
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
        names = context.driver_names
    except Exception as exc:  # noqa: BLE001 - the report must survive our own bugs
        add_internal_error(report, "locating the driver", f"{type(exc).__name__}: {exc}",
                           traceback.format_exc())
        return
    driver = report["driver"]
    driver["import_name"] = names.package
    driver["class_name"] = names.class_name
    driver["identifier"] = names.identifier


def _metadata(context: AuditContext | None) -> Metadata:
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
        "classifiers": [str(item) for item in raw.get("classifiers", ()) or ()],
        "project_urls": {str(k): str(v) for k, v in (raw.get("project_urls") or {}).items()},
        "home_page": text("home_page"),
    }


def _release_date(context: AuditContext | None, config: AuditConfig) -> str | None:
    if context is not None:
        return context.release_date.isoformat()
    return config.release_date.isoformat() if config.release_date else None


def _summary(results: Iterable[RuleResult]) -> Summary:
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    return cast(Summary, counts)


def _decisions(rules: Iterable[Rule]) -> list[Decision]:
    """The catalog's decisions where the spec is ambiguous, for the rules audited."""
    return [
        {"rule": rule.id, "section": rule.section, "title": rule.title, "decision": rule.decision}
        for rule in rules
        if rule.decision
    ]


def _shipped_compliance(report: Report, context: AuditContext) -> ShippedDocument | None:
    """What the driver's own compliance document says, for the compliance.md writer.

    The document is the one :mod:`ivi_conform.documents.compliance` finds (the rules
    read the same one), else the README's copy of it (its compliance sections
    only). A crash in reading it is recorded as ivi-conform's own error.
    """
    try:
        found = compliance_doc.find_compliance_document(context)
        if found is not None:
            return _document_json(found.where, found.doc, context.dist.text(found.path), 1,
                                  whole=True)
        readme = compliance_doc.find_readme(context)
        if readme is not None:
            markdown = readme.content_type == "text/markdown" or (
                readme.file is not None and readme.file.lower().endswith((".md", ".markdown")))
            shipped = _document_json(readme.where, readme.doc, readme.text, readme.first_line,
                                     whole=False, markdown=markdown)
            return shipped if shipped["items"] else None
        return None
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the report
        add_internal_error(report, "reading the driver's compliance document",
                           f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return None


def _document_json(path: str, doc: compliance_doc.ComplianceDoc, text: str, first_line: int,
                   *, whole: bool, markdown: bool | None = None) -> ShippedDocument:
    """The Core items a document fills, under the Core's names (placeholders left out),
    and its sections as the vendor wrote them (``whole``: every section, else only
    the Core's and their subsections)."""
    items: list[ShippedItem] = []

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
                for item in section.items:
                    add(section.name, part, item.name, _subsection_title(part))
        else:
            for item in section.items:
                add(section.name, doc.section(section.name), item.name, None)
    if markdown is None:
        markdown = path.lower().endswith((".md", ".markdown"))
    return {"path": path, "markdown": markdown, "items": items,
            "sections": _vendor_sections(doc, text.splitlines(), first_line, whole=whole)}


def _subsection_title(part: compliance_doc.DocSection) -> str:
    """``Test Setup 1`` from ``**Test Setup 1:**``."""
    return " ".join(part.title.replace("*", "").split()).rstrip(":")


def _vendor_sections(doc: compliance_doc.ComplianceDoc, lines: list[str], first_line: int,
                     *, whole: bool) -> list[ShippedSection]:
    """Each section's text below its heading, verbatim: what compliance.md keeps."""
    subsections = {id(part): section.name for section in SECTIONS if section.subsection
                   for part in doc.subsections(section.name)}
    ordered = sorted(doc.sections, key=lambda section: section.line)
    found: list[ShippedSection] = []
    for number, part in enumerate(ordered):
        parent = subsections.get(id(part))
        core = parent or (part.spec.name if part.spec is not None else None)
        if core is None and not whole:
            continue
        start = part.line - first_line + 1
        end = (ordered[number + 1].line - first_line if number + 1 < len(ordered)
               else len(lines))
        body = lines[start:end]
        while body and (not body[0].strip() or _ADORNMENT.match(body[0].strip())):
            body = body[1:]
        while body and (not body[-1].strip() or _ADORNMENT.match(body[-1].strip())):
            body = body[:-1]
        found.append({"heading": part.title, "section": core,
                      "subsection": _subsection_title(part) if parent else None,
                      "text": "\n".join(body)})
    return found
