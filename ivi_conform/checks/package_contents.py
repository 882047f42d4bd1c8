"""Package Contents: the README, the IVI compliance document, and what the Core says of both.

IVI-Python lists the files a driver package shall include and defers their
content to the IVI Driver Core; the Core-derived rules on the compliance
document and the README are judged here too, under this heading. Every rule
reads the documents through :mod:`ivi_conform.documents.compliance`, parsed once
per audit; a rule whose document is missing is skipped (the rule that wants
the document fails instead), so that one missing file is one failure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from ivi_conform.checks import check
from ivi_conform.documents.compliance import (
    ComplianceDoc,
    DocItem,
    DocSection,
    find_compliance_document,
    find_readme,
    parse_file_version,
)
from ivi_conform.documents.core_format import REQUIRED_SPECIFICATIONS, SECTIONS, Section
from ivi_conform.documents.locations import (
    HELP_WORDS,
    documentation_location,
    driver_identifier,
    identifier_matches,
    introduction_name,
    located,
    readme_introductions,
)
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.literals import utility_returns

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: Media types IVI-Python accepts for the README (Markdown first, as recommended).
README_TYPES: dict[str, str] = {"text/markdown": "Markdown", "text/x-rst": "reStructuredText"}
README_SUFFIXES: dict[str, str] = {".md": "Markdown", ".rst": "reStructuredText"}


# --------------------------------------------------------------------------- README


@check("contents-readme")
def readme_format(context: AuditContext) -> Finding:
    """The wheel describes itself with a README in Markdown or reStructuredText."""
    readme = find_readme(context)
    if readme is None:
        return Finding.failed("the package has no README: the METADATA description is empty",
                              (Evidence(_metadata_path(context), None, "no description"),))
    problems: list[Evidence] = []
    if not readme.text.strip() or not context.dist.metadata.get("description"):
        problems.append(Evidence(_metadata_path(context), None, "the wheel ships no "
                                 "description: declare readme in pyproject.toml"))
    if readme.content_type not in README_TYPES:
        declared = readme.content_type or "not declared"
        problems.append(Evidence(_metadata_path(context), None,
                                 f"Description-Content-Type is {declared}, not text/markdown "
                                 "or text/x-rst"))
    if readme.file is not None:
        suffix = "." + readme.file.rsplit(".", 1)[-1].lower() if "." in readme.file else ""
        if suffix not in README_SUFFIXES:
            problems.append(Evidence(readme.file, None, "the README is neither *.md nor *.rst"))
    kind = README_TYPES.get(readme.content_type, "")
    return Finding.judge(problems, ok=f"the README is {kind} ({readme.where})",
                         bad="the README is not Markdown or reStructuredText")


@check("contents-readme-markdown")
def readme_markdown(context: AuditContext) -> Finding:
    """Markdown is the recommended README format."""
    readme = find_readme(context)
    assert readme is not None  # the rule's need (rules/*.toml)
    if readme.content_type == "text/markdown" and (
        readme.file is None or readme.file.lower().endswith(".md")
    ):
        return Finding.passed(f"the README is Markdown ({readme.where})")
    written = readme.content_type or "an undeclared format"
    return Finding.failed(f"the README is {written}, not Markdown",
                          (Evidence(readme.where, None, f"Description-Content-Type: {written}"),))


def _metadata_path(context: AuditContext) -> str:
    return next((path for path in context.dist.files if path.count("/") == 1
                 and path.endswith(".dist-info/METADATA")), "METADATA")


# --------------------------------------------------------------------------- the document


@check("contents-compliance-document")
def compliance_document(context: AuditContext) -> Finding:
    """The wheel ships a file named ``*compliance*.md|.rst|.txt``."""
    found = find_compliance_document(context)
    if found is None:
        package = context.driver.package or "the package"
        return Finding.failed(
            "the package ships no IVI compliance document",
            (Evidence(package, None, "no file named *compliance*.md, .rst or .txt"),),
        )
    return Finding.passed(f"the IVI compliance document is {found.where}")


def _source_included(context: AuditContext) -> bool:
    """Whether the driver ships its source (any Python module): Driver Buildability applies."""
    return any(path.endswith(".py") for path in context.dist.files)


def _item_problems(doc: ComplianceDoc, section: DocSection, spec: Section) -> list[Evidence]:
    problems: list[Evidence] = []
    for item in spec.items:
        found = section.item(item.name)
        if found is None:
            if item.required:
                problems.append(doc.evidence(section, f'"{section.title}" lacks the item '
                                                      f'"{item.name}"'))
        elif found.is_empty:
            problems.append(doc.evidence(found, f'"{item.name}" has no value'))
    return problems


def structure_problems(doc: ComplianceDoc, *, source_included: bool) -> list[Evidence]:
    """Every Core section and item the document lacks (or leaves empty), with where."""
    problems: list[Evidence] = []
    for spec in SECTIONS:
        required = spec.required and (spec.name != "Driver Buildability" or source_included)
        section = doc.section(spec.name)
        if section is None:
            if required:
                problems.append(doc.evidence(None, f'the section "{spec.name}" is missing'))
            continue
        if spec.is_list and not section.lines:
            problems.append(doc.evidence(section, f'"{section.title}" lists nothing'))
        if spec.subsection:
            setups = doc.subsections(spec.name)
            if not setups:
                problems.append(doc.evidence(section, f'"{section.title}" has no '
                                                      f'"{spec.subsection}" section'))
            for setup in setups:
                problems.extend(_item_problems(doc, setup, spec))
        else:
            problems.extend(_item_problems(doc, section, spec))
    return problems


@check("compliance-sections-items")
def sections_and_items(context: AuditContext) -> Finding:
    """The document has the Core's sections and items, named as the Core shows them."""
    found = find_compliance_document(context)
    assert found is not None  # the rule's need (rules/*.toml)
    problems = structure_problems(found.doc, source_included=_source_included(context))
    return Finding.judge(problems, ok=f"{found.where} has every Core section and item",
                         bad="the compliance document lacks {n} Core sections or items")


#: How each required specification may be written in the Compliance Category.
_SPECIFICATION_PATTERNS: dict[str, re.Pattern[str]] = {
    REQUIRED_SPECIFICATIONS[0]: re.compile(r"\bivi\b.*\bcore\b.*\bspec(?:ification)?\b"),
    REQUIRED_SPECIFICATIONS[1]: re.compile(r"\bivi\b.*\bpython\b.*\bspec(?:ification)?\b"),
}


@check("compliance-category-specs")
def category_lists_specifications(context: AuditContext) -> Finding:
    """The Compliance Category names the IVI Driver Core and the IVI-Python specifications."""
    found = find_compliance_document(context)
    assert found is not None  # the rule's need (rules/*.toml)
    section = found.doc.section("Compliance Category")
    if section is None:
        return Finding.failed("the compliance document has no Compliance Category section",
                              (found.doc.evidence(None, "no Compliance Category"),))
    lines = [" ".join(re.sub(r"[-_*`]", " ", line.text).split()).casefold()
             for line in section.lines]
    missing = [name for name, pattern in _SPECIFICATION_PATTERNS.items()
               if not any(pattern.search(line) for line in lines)]
    problems = [found.doc.evidence(section, f"does not list the {name}") for name in missing]
    return Finding.judge(problems, ok="the Compliance Category lists the IVI Driver Core and "
                                      "IVI-Python specifications",
                         bad="the Compliance Category lacks {n} required specifications")


# --------------------------------------------------------------------------- identification


def _identification_item(context: AuditContext, section: str, name: str
                         ) -> tuple[ComplianceDoc, DocItem] | Finding:
    found = find_compliance_document(context)
    assert found is not None  # the rule's need (rules/*.toml)
    item = found.doc.item(section, name)
    if item is None or item.is_empty:
        return Finding.skipped(f'the compliance document has no "{name}" '
                               "(rule compliance-sections-items)")
    return found.doc, item


_LEADING_VERSION = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def _version_key(text: str) -> tuple[int, int, int] | None:
    """Major.Minor.Build as numbers (missing fields are 0), the Core's comparison key."""
    found = _LEADING_VERSION.match(text)
    if found is None:
        return None
    numbers = [int(part) for part in found[1].split(".")][:3]
    numbers += [0] * (3 - len(numbers))
    return numbers[0], numbers[1], numbers[2]


@check("compliance-driver-version-matches")
def driver_version_matches(context: AuditContext) -> Finding:
    """The Driver Version item is what ``driver_version`` returns (Major.Minor.Build compared).

    The Core ties the item to the API's value, not to the package version: a
    driver whose ``driver_version`` is computed (read from an instrument-side
    file, built from parts) cannot be judged from the source, and the
    runtime rule run-compliance-api-values compares the item with the
    running driver instead.
    """
    got = _identification_item(context, "Driver Identification", "Driver Version")
    if isinstance(got, Finding):
        return got
    doc, item = got
    returned = utility_returns(context, "driver_version")
    api = returned[0] if returned is not None else None
    if returned is None or not isinstance(api, str):
        return Finding.skipped("driver_version does not return a value known without running "
                               "the driver: run-compliance-api-values compares the item with "
                               "the running driver")
    where = returned[1]
    api_key = _version_key(api)
    item_key = _version_key(item.value or item.text)
    if api_key is None:
        return Finding.skipped(f"driver_version returns {api!r}, which has no numeric version "
                               "(rule run-utility-driver-version)")
    if item_key == api_key:
        return Finding.passed(f"Driver Version {item.value} is what driver_version returns "
                              f"({api!r}, {where.file}:{where.line})")
    return Finding.failed(
        f"Driver Version {item.text!r} is not {api!r}, what driver_version returns",
        (doc.evidence(item, f"Driver Version {item.text!r}"),
         Evidence(where.file, where.line, f"driver_version returns {api!r}")),
    )


_PRERELEASE_WORDS = re.compile(r"\b(?:alpha|beta|rc\d*|pre-?release|preview|dev)\b", re.I)


@check("compliance-driver-version-format")
def driver_version_format(context: AuditContext) -> Finding:
    """The Driver Version item is a Core FileVersion, optionally followed by a space and text."""
    got = _identification_item(context, "Driver Identification", "Driver Version")
    if isinstance(got, Finding):
        return got
    doc, item = got
    value = item.text
    try:
        prerelease = Version(context.dist.version).is_prerelease
    except InvalidVersion:
        prerelease = False
    prerelease = prerelease or bool(_PRERELEASE_WORDS.search(value))
    try:
        parse_file_version(value, prerelease=prerelease)
    except ValueError as exc:
        return Finding.failed(f"Driver Version {value!r} is not a Core FileVersion: {exc}",
                              (doc.evidence(item, str(exc)),))
    return Finding.passed(f"Driver Version {value!r} is a Core FileVersion")


@check("compliance-driver-vendor-matches")
def driver_vendor_matches(context: AuditContext) -> Finding:
    """The Driver Vendor item is what the utility class's ``driver_vendor`` returns."""
    got = _identification_item(context, "Driver Identification", "Driver Vendor")
    if isinstance(got, Finding):
        return got
    doc, item = got
    returned = utility_returns(context, "driver_vendor")
    api = returned[0] if returned is not None else None
    if not isinstance(api, str):
        return Finding.skipped("driver_vendor does not return a literal string: "
                               "run-compliance-api-values compares the item with the "
                               "running driver")
    if item.text == api.strip():
        return Finding.passed(f"Driver Vendor {item.text!r} is what driver_vendor returns")
    return Finding.failed(f"Driver Vendor {item.text!r} is not {api!r}, what driver_vendor "
                          "returns", (doc.evidence(item, f"driver_vendor returns {api!r}"),))


@check("compliance-models-match")
def models_match(context: AuditContext) -> Finding:
    """Supported Instrument Models is the tuple ``supported_instrument_models`` returns.

    Whether the keywords hold the models is the metadata rule's business
    (``metadata-keyword-models``); it is not judged twice.
    """
    got = _identification_item(context, "Hardware Information", "Supported Instrument Models")
    if isinstance(got, Finding):
        return got
    doc, item = got
    returned = utility_returns(context, "supported_instrument_models")
    api = returned[0] if returned is not None else None
    if not isinstance(api, tuple) or not all(isinstance(model, str) for model in api):
        return Finding.skipped("supported_instrument_models is not spelled as constants: "
                               "run-compliance-api-values compares the item with the "
                               "running driver")
    listed = item.listed()
    problems: list[Evidence] = []
    missing = [model for model in api if model not in listed]
    extra = [model for model in listed if model not in api]
    if missing:
        problems.append(doc.evidence(item, f"lacks {', '.join(missing)}, returned by "
                                           "supported_instrument_models"))
    if extra:
        problems.append(doc.evidence(item, f"lists {', '.join(extra)}, not returned by "
                                           "supported_instrument_models"))
    return Finding.judge(problems, ok="Supported Instrument Models agree with "
                                      "supported_instrument_models",
                         bad="Supported Instrument Models disagree with the API ({n})")


# --------------------------------------------------------------------------- README's copy


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[*`_]", "", text).split()).casefold()


def _compare_items(doc: ComplianceDoc, theirs: DocSection, ours: DocSection | None,
                   spec: Section, readme: ComplianceDoc) -> list[Evidence]:
    problems: list[Evidence] = []
    if ours is None:  # reported as a missing section already
        return problems
    for item in spec.items:
        shipped = theirs.item(item.name)
        if shipped is None:
            continue
        copy = ours.item(item.name)
        if copy is None:
            if not item.required:  # a required one is reported as missing already
                problems.append(readme.evidence(ours, f'lacks "{item.name}" of {doc.path}'))
            continue
        if _normal(copy.text) != _normal(shipped.text):
            problems.append(readme.evidence(copy, f'"{item.name}" is {copy.text!r}; '
                                                  f"{doc.path}:{shipped.line} says "
                                                  f"{shipped.text!r}"))
    return problems


def copy_problems(doc: ComplianceDoc, readme: ComplianceDoc) -> list[Evidence]:
    """Where the README's compliance text says something else than the shipped document."""
    problems: list[Evidence] = []
    for spec in SECTIONS:
        theirs = doc.section(spec.name)
        ours = readme.section(spec.name)
        if theirs is None:
            continue
        if spec.is_list and ours is not None:
            have = {_normal(line.text) for line in ours.lines}
            problems.extend(readme.evidence(ours, f"does not list {line.text!r}")
                            for line in theirs.lines if _normal(line.text) not in have)
        if spec.subsection:
            for index, setup in enumerate(doc.subsections(spec.name)):
                copies = readme.subsections(spec.name)
                copy = copies[index] if index < len(copies) else None
                problems.extend(_compare_items(doc, setup, copy, spec, readme))
        else:
            problems.extend(_compare_items(doc, theirs, ours, spec, readme))
    return problems


@check("readme-compliance-text")
def readme_compliance_text(context: AuditContext) -> Finding:
    """The README holds the compliance text: the Core sections and items, as the document says."""
    readme = find_readme(context)
    assert readme is not None  # the rule's need (rules/*.toml)
    problems = structure_problems(readme.doc, source_included=_source_included(context))
    found = find_compliance_document(context)
    if found is not None:
        problems.extend(copy_problems(found.doc, readme.doc))
    against = f", as {found.where} has it" if found is not None else ""
    return Finding.judge(problems, ok=f"the README holds the compliance text{against}",
                         bad="the README's compliance text is incomplete or differs ({n})")


@check("readme-introduction-location")
def readme_introduction_location(context: AuditContext) -> Finding:
    """The README names ``___Introduction to <DriverIdentifier>___.<ext>`` (where it is)."""
    readme = find_readme(context)
    assert readme is not None  # the rule's need (rules/*.toml)
    identifier = driver_identifier(context)
    named = readme_introductions(readme)
    right = [mention for mention in named
             if identifier_matches(mention.identifier, context.driver.identifier)]
    if right:
        return Finding.passed(f"the README gives the location of {right[0].name} "
                              f"({readme.where}:{right[0].line})")
    evidence = [Evidence(readme.where, mention.line, f"{mention.name} is not named for "
                                                     f"{identifier}") for mention in named]
    evidence = evidence or [Evidence(readme.where, None,
                                     f"{introduction_name(identifier)} is not mentioned")]
    return Finding.failed("the README does not give the location of the Driver Introduction "
                          "document", tuple(evidence))


@check("readme-help-location")
def readme_help_location(context: AuditContext) -> Finding:
    """The README gives the help documentation's location, or the documentation's.

    A place (link, path, pydoc command) near the words help, API reference,
    docstrings or pydoc is the help location. A README that names no separate
    help location but says where "the documentation" is gives the help's
    location too (the help is part of it); so does the package's
    ``Project-URL: Documentation``, shown on the package's page beside the README.
    """
    readme = find_readme(context)
    assert readme is not None  # the rule's need (rules/*.toml)
    found = located(readme, HELP_WORDS)
    if found is not None:
        block, place = found
        return Finding.passed(f"the README gives the help documentation's location: {place} "
                              f"({readme.where}:{block.line})")
    documentation = documentation_location(readme)
    if documentation is not None:
        block, place = documentation
        return Finding.passed(f"the README names no separate help location; it gives the "
                              f"documentation's, {place} ({readme.where}:{block.line})")
    urls = context.dist.metadata.get("project_urls") or {}
    declared = next((url for label, url in urls.items()
                     if label.casefold() in {"documentation", "docs", "help"}), None)
    if declared is not None:
        return Finding.passed(f"the README names no help location; the package's Project-URL "
                              f"Documentation gives it: {declared}")
    return Finding.failed(
        "the README does not give the location of the help documentation",
        (Evidence(readme.where, None, "no link, path or pydoc command near the words help, API "
                                      "reference, docstrings or documentation, and no "
                                      "Project-URL Documentation"),),
    )
