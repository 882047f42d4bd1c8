"""The shape of ``report.json`` as Python types: one ``TypedDict`` per object of the schema.

``report.schema.json`` is the contract for the report's consumers (a CI, the
diff, a dashboard); these types are the same contract for the code that
builds and renders it, so that mypy catches a renderer reading a key the
report does not have. They are ``TypedDict``s, not classes: the report stays
plain JSON data that crosses processes (pytest-xdist) and files unchanged.
``tests/reports/test_report_types.py`` holds the two descriptions against each
other, key by key, type by type, so that neither can change alone.
"""

from __future__ import annotations

from typing import Literal, TypedDict

Outcome = Literal["pass", "fail", "warn", "skip", "not-judged", "error"]
VerdictName = Literal["conformant", "non-conformant", "incomplete"]


class Tool(TypedDict):
    """The auditing tool."""

    name: Literal["ivi-conform"]
    version: str


class CoreSpec(TypedDict):
    """The IVI Driver Core the IVI-Python specification builds on."""

    name: str
    version: str


class Spec(TypedDict):
    """The specification audited against."""

    name: str
    version: str
    core: CoreSpec


class Wheel(TypedDict):
    """The wheel judged."""

    name: str
    sha256: str


class Target(TypedDict):
    """What was audited."""

    origin: str
    kind: Literal["folder", "wheel", "sdist", "installed"] | None
    wheel: Wheel | None


class Metadata(TypedDict):
    """The core-metadata fields a reviewer and the compliance document use."""

    summary: str | None
    license: str | None
    author: str | None
    author_email: str | None
    maintainer: str | None
    maintainer_email: str | None
    requires_python: str | None
    requires_dist: list[str]
    classifiers: list[str]
    project_urls: dict[str, str]
    home_page: str | None


class Driver(TypedDict):
    """The candidate as its metadata and source show it."""

    distribution: str | None
    version: str | None
    import_name: str | None
    class_name: str | None
    identifier: str | None
    metadata: Metadata


Summary = TypedDict("Summary", {
    "pass": int, "fail": int, "warn": int, "skip": int, "not-judged": int, "error": int,
})


class InternalError(TypedDict):
    """One failure of ivi-conform's own."""

    where: str
    rule: str | None
    message: str
    traceback: str


class Instrument(TypedDict):
    """The vendor's own instrument, when given."""

    resource: str | None
    profile: str | None


class Answered(TypedDict):
    """An instrument as it identified itself to the driver during the run (``*IDN?``)."""

    manufacturer: str
    model: str
    serial: str
    firmware: str


class Run(TypedDict):
    """One instrument the driver was run against: its identity as answered, and how."""

    model: str
    manufacturer: str
    firmware: str
    serial: str
    resource: str
    bus: str
    visa_library: str
    visa_version: str
    simulation: bool


class Runtime(TypedDict):
    """How the driver was run in its sandbox."""

    notes: list[str]
    stages: dict[str, float]
    rule_seconds: dict[str, float]
    runs: list[Run]
    instruments: list[Answered]


class Audit(TypedDict):
    """How the audit was run."""

    runner: Literal["cli", "pytest"]
    started: str
    seconds: float
    static_only: bool
    selection: list[str] | None
    options: str | None
    release_date: str | None
    timeout_s: float
    vendors: dict[str, str]
    python: str
    bitness: Literal["32-bit", "64-bit"]
    operating_system: str
    platform: str
    internal_errors: list[InternalError]
    instrument: Instrument
    runtime: Runtime | None
    judges: dict[str, str | None]


class WireEvidence(TypedDict, total=False):
    """What a behavioural rule adds to its evidence, when it has it."""

    trace: list[str]
    reproducer: str


class Evidence(WireEvidence):
    """Where a rule's outcome shows: a file and line, or an API member, and what was seen."""

    file: str
    line: int | None
    detail: str


class RuleEntry(TypedDict):
    """One rule audited: its catalog entry and how it ended."""

    id: str
    title: str
    section: str
    level: Literal["shall", "should"]
    judged: Literal["static", "runtime", "manual"]
    source: str
    sentence: str
    decision: str | None
    outcome: Outcome
    message: str
    evidence: list[Evidence]
    seconds: float


class Decision(TypedDict):
    """How ivi-conform reads an ambiguous sentence of the spec."""

    rule: str
    section: str
    title: str
    decision: str


class ShippedItem(TypedDict):
    """One Core item the driver's own compliance document fills."""

    section: str
    subsection: str | None
    item: str
    value: str


class ShippedSection(TypedDict):
    """One section of the driver's own compliance document, as the vendor wrote it."""

    heading: str
    section: str | None
    subsection: str | None
    text: str


class ShippedDocument(TypedDict):
    """The driver's own compliance document."""

    path: str
    markdown: bool
    items: list[ShippedItem]
    sections: list[ShippedSection]


class Report(TypedDict):
    """``report.json``: one audit of one driver."""

    schema: Literal["ivi-conform/report/1"]
    tool: Tool
    spec: Spec
    target: Target
    driver: Driver
    verdict: VerdictName
    summary: Summary
    audit: Audit
    rules: list[RuleEntry]
    decisions: list[Decision]
    compliance_document: ShippedDocument | None
