"""``compliance.md``: the IVI compliance document, drafted from the report.

The IVI Driver Core requires every driver to ship a compliance document with
fixed section and item names (Core L483-619), and the IVI-Python driver
registration asks for it (IVI-Python, "IVI-Python Driver Conformance"). This
module writes that document in the Core's format, sections and items in the
Core's order and spelling (:mod:`ivi_conform.documents.core_format`), filled
with what the audit established: the package metadata, the located driver
and the driver's own compliance document when it ships one. What only the
vendor can know (the operating systems and bus interfaces supported, the
test setups with their firmware, installation and rebuild testing) is left
visibly marked, never guessed. Then comes the audit itself, rule by rule,
so that the document a vendor submits carries its evidence.

Everything is read from the report dict, so the document and ``report.json``
cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from packaging.requirements import InvalidRequirement, Requirement

from ivi_conform.documents.core_format import SECTIONS, Item, Section
from ivi_conform.reports import standing
from ivi_conform.reports.console import counts_line
from ivi_conform.reports.json_report import PLACEHOLDER
from ivi_conform.reports.report_types import (
    Decision,
    Driver,
    InternalError,
    Metadata,
    Report,
    RuleEntry,
    Run,
)
from ivi_conform.reports.vendor_document import VendorDocument

TO_FILL = f"**{PLACEHOLDER}**"
#: How many evidence lines per rule the document shows; report.json has them all.
EVIDENCE_SHOWN = 10
#: How many lines of an evidence's I/O trace the document quotes; report.json has them all.
TRACE_QUOTED = 3
#: The Python counterpart of the Core's language-specific driver types.
DRIVER_TYPE = "IVI-Python"
#: IVI Generation 2026 is the Core 1.0 plus a released language-specific specification.
GENERATION = "IVI Generation 2026"

#: What the vendor must give, where the Core prescribes a form (Core L490-492, L512-513).
_HINTS: dict[str, str] = {
    "Driver Bitness": "32-bit, 64-bit or 32-bit/64-bit",
    "Supported Operating Systems": "each with its version, bitness first, e.g. "
                                   "64-bit Windows 11 (24H2), Ubuntu 24.04",
    "Operating System": "name (version), e.g. Windows 11 (24H2)",
    "Instrument Model (Firmware Version)": "model (firmware version)",
    "VISA Vendor and Version": "omit if the driver does not use VISA",
    "IVI Shared Components Version": "omit unless IVI shared components are used",
    "Known Issues": "every unfixed test failure, or None",
}

#: Project-URL labels that say where to get the driver, the most direct first.
_DOWNLOAD_LABELS = ("download", "homepage", "home", "source", "repository")

_OUTCOME_WORDS = {
    "pass": "pass",
    "fail": "**fail**",
    "warn": "**warn**",
    "skip": "skip",
    "not-judged": "**not judged**",
    "error": "**error**",
}


_V = TypeVar("_V")
#: A line of a Markdown or text list.
_LIST_ENTRY = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
#: ``Programming Language :: Python :: 3.12``: a Python version the package declares.
_PYTHON_VERSION = re.compile(r"^Programming Language :: Python :: \d+\.\d+$")


class _Values:
    """The value of each Core item, and where it came from (listed for the reviewer)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.driver: Driver = report["driver"]
        self.metadata: Metadata = self.driver["metadata"]
        shipped = report["compliance_document"]
        self.shipped_path: str | None = shipped["path"] if shipped else None
        self.shipped: dict[tuple[str, str | None, str], str] = {
            (entry["section"], entry["subsection"], entry["item"]): entry["value"]
            for entry in (shipped["items"] if shipped else ())
        }
        self.sources: dict[str, str] = {}

    def shipped_value(self, section: str, item: str, subsection: str | None = None) -> str | None:
        value = self.shipped.get((section, subsection, item))
        if value is not None:
            self.sources[item if subsection is None else f"{subsection}: {item}"] = (
                f"the driver's compliance document ({self.shipped_path})")
        return value

    def established(self, item: str, value: _V, source: str) -> _V:
        if value:
            self.sources[item] = source
        return value

    def value(self, section: Section, item: Item) -> str | list[str] | None:
        """The item's value; ``None`` when only the vendor can give it."""
        name = item.name
        metadata = self.metadata
        computed: str | list[str] | None = None
        if name == "Driver Version":
            computed = self.established(name, self.driver["version"],
                                        "the package metadata (Version)")
        elif name == "Driver Identifier":
            computed = self.established(name, _pascal_identifier(self.driver),
                                        "the driver's import package and root class")
        if computed:
            return computed
        if name == "Known Issues":
            return self.known_issues(section)
        shipped = self.shipped_value(section.name, name)
        if shipped is not None:
            return shipped
        if name == "Driver Dependencies":
            return self.established(name, _dependencies(metadata), "the package metadata "
                                    "(Requires-Python, Requires-Dist)")
        if name == "Driver Vendor":
            vendor = metadata["author"] or _email_name(metadata["author_email"])
            return self.established(name, vendor, "the package metadata (Author)")
        if name == "Description":
            summary: str | None = metadata["summary"]
            return self.established(name, summary, "the package metadata (Summary)")
        if name == "Source Code":
            return self.established(name, _source_code(self.driver, self.report),
                                    "the distribution's files and license")
        return None


    def known_issues(self, section: Section) -> str | list[str] | None:
        """The vendor's known issues plus every rule the audit found broken.

        The Core asks for every unfixed test failure; a failed rule is one, so
        it is listed even when the vendor wrote "None" (the audit adds, and a
        "None" it contradicts is dropped). ``None`` (to fill) only when neither
        the vendor nor a complete audit says anything.
        """
        shipped = self.shipped_value(section.name, "Known Issues")
        failed = [f"{rule['id']} ({rule['section']}): {_one_line(rule['message'])} (found by "
                  f"the audit)" for rule in self.report["rules"] if rule["outcome"] == "fail"]
        if not failed:
            if shipped is None and standing.claim(self.report) == "conformant":
                return self.established("Known Issues", "None", "the audit (no rule failed)")
            return shipped
        kept = [] if shipped is None or shipped.strip().rstrip(".").lower() == "none" else [
            shipped]
        source = self.sources.pop("Known Issues", "")
        self.sources["Known Issues"] = "the audit's failed rules" + (
            f" and {source}" if kept else "")
        return kept + failed


def _pascal_identifier(driver: Driver) -> str | None:
    """``<DriverIdentifier>``: the root class's spelling when it is the identifier's."""
    identifier, class_name = driver["identifier"], driver["class_name"]
    if identifier and class_name and class_name.lower() == identifier.lower():
        return str(class_name)
    return identifier or None


def _email_name(address: str | None) -> str | None:
    """``Skylight Test Systems`` from ``Skylight Test Systems <x@y>``."""
    if not address or "<" not in address:
        return None
    name = address.split("<", 1)[0].strip().strip('"')
    return name or None


def _dependencies(metadata: Metadata) -> list[str]:
    """The Core's "support libraries ... with minimum versions", from the metadata."""
    listed = []
    if metadata["requires_python"]:
        listed.append(f"Python ({metadata['requires_python']})")
    for text in metadata["requires_dist"]:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            listed.append(text)
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue  # optional extras are not what the driver needs
        entry = requirement.name
        if requirement.specifier:
            entry += f" ({requirement.specifier})"
        if requirement.marker is not None:
            entry += f", when {requirement.marker}"
        listed.append(entry)
    return listed or ["None"]


def _source_code(driver: Driver, report: Report) -> str | None:
    if not driver["distribution"]:
        return None
    wheel = report["target"]["wheel"]
    shipped_as = f"the {wheel['name']} wheel" if wheel else "its distribution"
    license_text = driver["metadata"]["license"]
    conditions = f", under the license {license_text}" if license_text else ""
    return (f"Available: the driver is Python source, shipped in {shipped_as}"
            f"{conditions}.")


def _fill(item: str) -> str:
    hint = _HINTS.get(item)
    return f"{TO_FILL} _({hint})_" if hint else TO_FILL


def _item_lines(name: str, value: str | list[str] | None) -> list[str]:
    """``Name: value`` as the Core's example writes it; a list goes under its name."""
    if value is None:
        return [f"{name}: {_fill(name)}", ""]
    if isinstance(value, list):
        return [f"{name}:", "", *(f"- {entry}" for entry in value), ""]
    return [f"{name}: {_one_line(value)}", ""]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _plain(text: str) -> str:
    """Checker-written text shown as it is: Markdown's marks escaped, on one line.

    Only the audit part is escaped; the items keep the vendor's own text, since
    a vendor ships this document and the compliance rules read it back.
    """
    return re.sub(r"([\\`*_<>|\[\]])", r"\\\1", _one_line(text))


# -- the document ---------------------------------------------------------------------------


def render(report: Report) -> str:
    """The compliance document for the audited driver, as Markdown."""
    values = _Values(report)
    vendor = VendorDocument(report)
    lines = [*_title(report), ""]
    for text in vendor.introduction():
        lines += _text_lines(text)
    for section in SECTIONS:
        lines += [f"## {section.name}", ""]
        lines += list(_section_body(section, report, values, vendor))
    lines += list(_audit(report, values))
    lines += list(_registration(report))
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _title(report: Report) -> list[str]:
    driver = report["driver"]
    name = driver["distribution"] or report["target"]["origin"]
    version = driver["version"] or "(version unknown)"
    tool = report["tool"]
    started = report["audit"]["started"][:10]
    return [
        f"# IVI Compliance Document: {name} {version}",
        "",
        f"This is the IVI compliance document for the {name} {version} IVI-Python "
        "instrument driver.",
        "",
        f"It was drafted by {tool['name']} {tool['version']} from its audit of the "
        f"distribution on {started}. Items marked {TO_FILL} are what only the driver "
        "vendor can state: the environments the driver supports and the unit, installation "
        "and buildability testing the IVI Driver Core requires of the vendor "
        "(\"Conformance and Verification\"). Fill them in before the document ships with "
        "the driver and is submitted with its registration.",
    ]


def _section_body(section: Section, report: Report, values: _Values,
                  vendor: VendorDocument) -> Iterator[str]:
    if section.is_list:
        yield from _category(report, vendor)
    elif section.subsection:
        yield from _unit_testing(section, report, values, vendor)
    elif section.items:
        yield from _items(section, report, values, vendor)
    else:
        yield from _additional(report, vendor)


def _items(section: Section, report: Report, values: _Values,
           vendor: VendorDocument) -> Iterator[str]:
    """The vendor's text of the section as written, then the Core items it lacks.

    Known Issues is the exception: a vendor's "None" that the audit's failed
    rules contradict is not kept (a document that lists failures cannot say
    there are none); real issues the vendor lists are.
    """
    written = vendor.text(section.name)
    contradicted = written is not None and section.name == "Driver Test Failures" and any(
        rule["outcome"] == "fail" for rule in report["rules"])
    if written is not None and not contradicted:
        yield from _text_lines(written)
    for item in section.items:
        if written is not None and not contradicted and values.shipped_value(
                section.name, item.name) is not None:
            continue  # the vendor's own item, kept above
        value = values.value(section, item)
        if value is None and written is not None and not item.required:
            continue
        yield from _item_lines(item.name, value)
    if section.name == "Software Prerequisites":
        yield from _python_versions(report, values, written)
    if section.name == "Driver Installation Testing":
        yield from _installation_by_audit(report)


def _text_lines(text: str) -> list[str]:
    return [*text.splitlines(), ""] if text else []


def _category(report: Report, vendor: VendorDocument) -> Iterator[str]:
    """The specifications the driver complies with, claimed only for a conformant audit."""
    spec = report["spec"]
    written = vendor.text("Compliance Category")
    listed = [line for line in (written or "").splitlines() if _LIST_ENTRY.match(line)]
    if not listed:
        listed = [f"- {spec['core']['name']} (Version {spec['core']['version']})",
                  f"- {spec['name']} (Version {spec['version']})"]
    shown = standing.claim(report)
    if shown == "conformant":
        if written is not None:
            yield from _text_lines(written)
            return
        yield "This IVI-Python Instrument Driver complies with:"
    elif shown == "non-conformant":
        yield (f"This IVI-Python Instrument Driver does not comply yet: the audit below finds "
               f"it **non-conformant** ({standing.failing(report)} failed rules, listed under "
               "Driver Test Failures). Once they are fixed, it is to comply with:")
    else:
        reason = standing.partial_reason(report) or "some rules could not be judged"
        yield (f"Compliance is not established yet: the audit below is **incomplete** "
               f"({reason}). The driver is to comply with:")
    yield ""
    yield from listed
    yield ""


def _unit_testing(section: Section, report: Report, values: _Values,
                  vendor: VendorDocument) -> Iterator[str]:
    """The vendor's test setups as written (or one to fill), then ivi-conform's own runs."""
    written = vendor.text(section.name)
    if written:
        yield from _text_lines(written)
    titles = vendor.subsections(section.name)
    for title in titles:
        yield f"### {title}"
        yield ""
        yield from _text_lines(vendor.text(section.name, title) or "")
        for item in section.items:
            if item.required and values.shipped_value(section.name, item.name, title) is None:
                yield from _item_lines(item.name, None)  # a Core item the vendor left out
    if not titles:
        yield f"### {section.subsection} 1"
        yield ""
        for item in section.items:
            yield from _item_lines(item.name, None)
    after_vendors = max(len(titles), 1) + 1
    for number, (title, items) in enumerate(_setups_by_audit(report), start=after_vendors):
        yield f"### {section.subsection} {number}: {title}"
        yield ""
        for name, value in items:
            yield from _item_lines(name, value)


def _setups_by_audit(report: Report) -> list[tuple[str, list[tuple[str, str]]]]:
    """The test setups of ivi-conform's own run of the driver, from the runs it recorded.

    One for the instruments the driver talked to (each model and firmware as it
    answered ``*IDN?``; the runs of one bus and VISA library share a setup),
    one for the driver's own simulation mode; none for a static audit.
    """
    audit = report["audit"]
    runtime = audit["runtime"]
    if runtime is None:
        return []
    system = [("Operating System", f"{audit['bitness']} {audit['operating_system']}, "
                                   f"CPython {audit['python']}"),
              ("Driver Bitness", audit["bitness"])]
    pyvisa = audit["judges"].get("pyvisa") or "(version unknown)"
    setups: list[tuple[str, list[tuple[str, str]]]] = []
    live: dict[tuple[str, str, str], list[Run]] = {}
    for run in runtime["runs"]:
        if not run["simulation"] and run["firmware"]:
            live.setdefault((run["bus"], run["visa_library"], run["visa_version"]), []).append(run)
    for (bus, library, version), runs in live.items():
        models = ", ".join(f"{run['model']} ({run['firmware']})" for run in runs)
        simulator = audit["instrument"]["resource"] is None
        instrument = f"{models}, as each answered *IDN?" + (
            ", simulated by ivi-conform" if simulator else "")
        visa = f"{library} {version or '(version unknown)'} with pyvisa {pyvisa}"
        setups.append(("ivi-conform's audit, instrument I/O", [
            ("Instrument Model (Firmware Version)", instrument), ("Bus Interface", bus),
            *system, ("VISA Vendor and Version", visa)]))
    if any(run["simulation"] for run in runtime["runs"]):
        setups.append(("ivi-conform's audit, the driver's simulation mode", [
            ("Instrument Model (Firmware Version)", "none: the driver's own simulation"),
            ("Bus Interface", "none (simulation performs no I/O)"), *system]))
    return setups


def _installation_by_audit(report: Report) -> Iterator[str]:
    """ivi-conform installed and instantiated the wheel: one installation test it did."""
    audit = report["audit"]
    wheel = report["target"]["wheel"]
    instantiated = any(rule["id"] == "run-driver-instantiates" and rule["outcome"] == "pass"
                       for rule in report["rules"])
    if audit["runtime"] is None or wheel is None or not instantiated:
        return
    yield (f"Operating System (ivi-conform's audit): {audit['bitness']} "
           f"{audit['operating_system']}, CPython {audit['python']}: the wheel "
           f"`{wheel['name']}` installed into a private folder, its package imported and the "
           "driver instantiated")
    yield ""


def _python_versions(report: Report, values: _Values, written: str | None) -> Iterator[str]:
    """The Python versions the package declares, unless the vendor's text names them."""
    if written is not None and "python" in written.casefold():
        return
    metadata = report["driver"]["metadata"]
    versions = [classifier.rsplit("::", 1)[1].strip() for classifier in metadata["classifiers"]
                if _PYTHON_VERSION.match(classifier)]
    parts = []
    if versions:
        parts.append(f"{', '.join(versions)} (the package classifiers)")
    if metadata["requires_python"]:
        parts.append(f"Requires-Python {metadata['requires_python']}")
    if parts:
        values.sources["Supported Python Versions"] = "the package metadata"
        yield f"Supported Python Versions: {'; '.join(parts)}"
        yield ""


def _additional(report: Report, vendor: VendorDocument) -> Iterator[str]:
    """The vendor's additional information and other sections, then the audit's summary."""
    written = vendor.text("Additional Compliance Information")
    if written:
        yield from _text_lines(written)
    for heading, text in vendor.others():
        yield f"### {heading}"
        yield ""
        yield from _text_lines(text)
    summary = report["summary"]
    counts = counts_line(summary)
    tool = report["tool"]
    if written or vendor.others():
        yield f"### Automated conformance audit by {tool['name']}"
        yield ""
    yield (f"Automated conformance audit: {tool['name']} {tool['version']} judged the driver "
           f"against the {report['spec']['name']} {report['spec']['version']} and the "
           f"{report['spec']['core']['name']} {report['spec']['core']['version']} rules it "
           "builds on.")
    yield ""
    yield f"Verdict: **{report['verdict']}** ({counts})."
    yield ""
    if report["audit"]["selection"] is not None:
        yield (f"> Partial audit: only {len(report['rules'])} selected rules were judged; "
               "a registration needs the full audit.")
        yield ""
    if report["audit"]["static_only"]:
        yield ("> Static audit: the driver was not run, so the behavioural rules were not "
               "judged; a registration needs the full audit.")
        yield ""


# -- the audit ------------------------------------------------------------------------------


def _audit(report: Report, values: _Values) -> Iterator[str]:
    tool = report["tool"]
    audit = report["audit"]
    target = report["target"]
    yield f"## Audit by {tool['name']} {tool['version']}"
    yield ""
    judged = f"`{target['origin']}`"
    if target["kind"]:
        judged += f" ({target['kind']})"
    if target["wheel"]:
        wheel = target["wheel"]
        judged += f", as the wheel `{wheel['name']}` (sha256 `{wheel['sha256']}`)"
    yield (f"Audited {judged} on {audit['started']} in {audit['seconds']:.1f} s, with Python "
           f"{audit['python']} on {audit['platform']}"
           f"{'; static audit, the driver was not run' if audit['static_only'] else ''}.")
    yield ""
    yield ("Each rule ends as *pass*; *fail* (a *shall* is broken); *warn* (a *should* is not "
           "met); *skip* (the rule does not apply, is the vendor's to judge, or cannot be judged "
           "because of a defect another rule charges; the reason is given); *not judged* "
           "(ivi-conform could not provide what the rule needs; the verdict is then "
           "incomplete); or *error* (ivi-conform failed: never counted against the driver).")
    yield ""
    yield from _rule_tables(report["rules"])
    yield from _decisions(report["decisions"])
    yield from _internal_errors(audit["internal_errors"])
    if values.sources:
        yield "### Where the filled items come from"
        yield ""
        for item, source in values.sources.items():
            yield f"- {item}: {source}"
        yield ""


def _rule_tables(rules: Sequence[RuleEntry]) -> Iterator[str]:
    if not rules:
        yield "No rule was audited."
        yield ""
        return
    sections: dict[str, list[RuleEntry]] = {}
    for rule in rules:
        sections.setdefault(rule["section"], []).append(rule)
    for section, members in sections.items():
        yield f"### {section}"
        yield ""
        yield "| Rule | Level | Outcome | Message |"
        yield "|---|---|---|---|"
        for rule in members:
            yield (f"| `{rule['id']}` | {rule['level']} | {_OUTCOME_WORDS[rule['outcome']]} "
                   f"| {_plain(rule['message'])} |")
        yield ""
        with_evidence = [rule for rule in members if rule["evidence"]]
        if with_evidence:
            yield "Evidence:"
            yield ""
            for rule in with_evidence:
                yield from _evidence(rule)
            yield ""


def _evidence(rule: RuleEntry) -> Iterator[str]:
    yield f"- `{rule['id']}`"
    shown = rule["evidence"][:EVIDENCE_SHOWN]
    for evidence in shown:
        where = evidence["file"]
        if evidence["line"] is not None:
            where += f":{evidence['line']}"
        detail = f": {_plain(evidence['detail'])}" if evidence["detail"] else ""
        exchanges = evidence.get("trace", [])[:TRACE_QUOTED]
        quoted = f" (I/O: {_plain(' | '.join(exchanges))})" if exchanges else ""
        yield f"  - `{where}`{detail}{quoted}"
    hidden = len(rule["evidence"]) - len(shown)
    if hidden:
        yield f"  - and {hidden} more (report.json lists them all)"


def _decisions(decisions: Sequence[Decision]) -> Iterator[str]:
    if not decisions:
        return
    yield "### Decisions where the specification is ambiguous or contradicts itself"
    yield ""
    for decision in decisions:
        yield f"- `{decision['rule']}` ({decision['section']}): {_plain(decision['decision'])}"
    yield ""


def _internal_errors(errors: Sequence[InternalError]) -> Iterator[str]:
    if not errors:
        return
    yield "### ivi-conform's own errors"
    yield ""
    yield ("These are failures of ivi-conform, not of the driver; the tracebacks are in "
           "report.json. Please report them.")
    yield ""
    for error in errors:
        yield f"- {_plain(error['where'])}: {_plain(error['message'])}"
    yield ""


# -- the registration -----------------------------------------------------------------------


def registration_fields(report: Report) -> list[tuple[str, str | None]]:
    """The registration form's fields and their values (None: only the vendor knows).

    Shared with ``registration.txt`` so that the two never disagree.
    """
    values = _Values(report)
    driver = report["driver"]
    metadata = driver["metadata"]
    urls: Mapping[str, str] = metadata["project_urls"]
    by_label = {label.lower(): url for label, url in urls.items()}
    download = next((by_label[label] for label in _DOWNLOAD_LABELS if label in by_label),
                    metadata["home_page"])
    contact = metadata["maintainer_email"] or metadata["author_email"]
    hardware = "Hardware Information"

    def shipped(item: str) -> str | None:
        return values.shipped.get((hardware, None, item))

    vendor = values.shipped.get(("Driver Identification", None, "Driver Vendor")) or (
        metadata["author"] or _email_name(metadata["author_email"]))
    return [
        ("Instrument Class", None),
        ("Instrument Manufacturer", shipped("Instrument Manufacturer")),
        ("Supported Instrument Models", shipped("Supported Instrument Models")),
        ("Driver Vendor", vendor),
        ("Driver Type", DRIVER_TYPE),
        ("Driver Generation", GENERATION),
        ("Driver Download Link", download),
        ("Driver Owner/Contact email", contact),
    ]


def _registration(report: Report) -> Iterator[str]:
    """What the IVI driver registration form asks besides this document (notes §A.7)."""
    yield "## For the IVI Driver Registration"
    yield ""
    yield ("Not part of the compliance document. A conformant IVI-Python driver is registered "
           "with the IVI Foundation (ivifoundation.org, Driver Registry; by e-mail to "
           "admin@ivifoundation.org while the web registry is unavailable). The registration "
           "attaches this document and gives:")
    yield ""
    for name, value in registration_fields(report):
        shown = _one_line(value) if value else (
            f"{TO_FILL} _(Custom, or the IVI instrument classes supported)_"
            if name == "Instrument Class" else TO_FILL)
        yield f"- {name}: {shown}"
    yield ""
