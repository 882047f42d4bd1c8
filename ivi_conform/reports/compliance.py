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
from typing import Any, TypeVar

from packaging.requirements import InvalidRequirement, Requirement

from ivi_conform.documents.core_format import SECTIONS, Item, Section
from ivi_conform.reports import standing
from ivi_conform.reports.console import counts_line
from ivi_conform.reports.json_report import PLACEHOLDER

TO_FILL = f"**{PLACEHOLDER}**"
#: How many evidence lines per rule the document shows; report.json has them all.
EVIDENCE_SHOWN = 10
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


class _Values:
    """The value of each Core item, and where it came from (listed for the reviewer)."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        self.report = report
        self.driver: Mapping[str, Any] = report["driver"]
        self.metadata: Mapping[str, Any] = self.driver["metadata"]
        shipped = report.get("compliance_document") or {"path": None, "items": []}
        self.shipped_path: str | None = shipped["path"]
        self.shipped: dict[tuple[str, str | None, str], str] = {
            (entry["section"], entry["subsection"], entry["item"]): entry["value"]
            for entry in shipped["items"]
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


def _pascal_identifier(driver: Mapping[str, Any]) -> str | None:
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


def _dependencies(metadata: Mapping[str, Any]) -> list[str]:
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


def _source_code(driver: Mapping[str, Any], report: Mapping[str, Any]) -> str | None:
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


def render(report: Mapping[str, Any]) -> str:
    """The compliance document for the audited driver, as Markdown."""
    values = _Values(report)
    lines = [*_title(report), ""]
    for section in SECTIONS:
        lines += [f"## {section.name}", ""]
        lines += list(_section_body(section, report, values))
    lines += list(_audit(report, values))
    lines += list(_registration(report))
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _title(report: Mapping[str, Any]) -> list[str]:
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


def _section_body(section: Section, report: Mapping[str, Any],
                  values: _Values) -> Iterator[str]:
    if section.is_list:
        yield from _category(report)
    elif section.subsection:
        yield from _test_setups(section, values)
    elif section.items:
        for item in section.items:
            yield from _item_lines(item.name, values.value(section, item))
    else:
        yield from _additional(report)


def _category(report: Mapping[str, Any]) -> Iterator[str]:
    spec = report["spec"]
    yield "This IVI-Python Instrument Driver complies with:"
    yield ""
    yield f"- {spec['core']['name']} (Version {spec['core']['version']})"
    yield f"- {spec['name']} (Version {spec['version']})"
    yield ""
    if report["verdict"] != "conformant":
        yield (f"> The audit below finds this driver **{report['verdict']}**: the claim above "
               "holds only once every failed rule is fixed and every rule could be judged.")
        yield ""


def _test_setups(section: Section, values: _Values) -> Iterator[str]:
    shipped = list(dict.fromkeys(
        sub for (name, sub, _) in values.shipped if name == section.name and sub))
    for number, subsection in enumerate(shipped or [f"{section.subsection} 1"], start=1):
        title = subsection if shipped else f"{section.subsection} {number}"
        yield f"### {title}"
        yield ""
        for item in section.items:
            value = values.shipped_value(section.name, item.name, subsection) if shipped else None
            if value is None and shipped and not item.required:
                continue  # an optional item the vendor's own test setup leaves out
            yield from _item_lines(item.name, value)


def _additional(report: Mapping[str, Any]) -> Iterator[str]:
    summary = report["summary"]
    counts = counts_line(summary)
    tool = report["tool"]
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


def _audit(report: Mapping[str, Any], values: _Values) -> Iterator[str]:
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


def _rule_tables(rules: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    if not rules:
        yield "No rule was audited."
        yield ""
        return
    sections: dict[str, list[Mapping[str, Any]]] = {}
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


def _evidence(rule: Mapping[str, Any]) -> Iterator[str]:
    yield f"- `{rule['id']}`"
    shown = rule["evidence"][:EVIDENCE_SHOWN]
    for evidence in shown:
        where = evidence["file"]
        if evidence["line"] is not None:
            where += f":{evidence['line']}"
        detail = f": {_plain(evidence['detail'])}" if evidence["detail"] else ""
        yield f"  - `{where}`{detail}"
    hidden = len(rule["evidence"]) - len(shown)
    if hidden:
        yield f"  - and {hidden} more (report.json lists them all)"


def _decisions(decisions: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    if not decisions:
        return
    yield "### Decisions where the specification is ambiguous or contradicts itself"
    yield ""
    for decision in decisions:
        yield f"- `{decision['rule']}` ({decision['section']}): {_plain(decision['decision'])}"
    yield ""


def _internal_errors(errors: Sequence[Mapping[str, Any]]) -> Iterator[str]:
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


def registration_fields(report: Mapping[str, Any]) -> list[tuple[str, str | None]]:
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


def _registration(report: Mapping[str, Any]) -> Iterator[str]:
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
