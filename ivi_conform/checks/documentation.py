"""Documentation and Source Code: the README's directions, the Driver Introduction document,
the IVI copyright notice in the help documentation.

IVI-Python lets a driver publish its documentation online, provided the
README says how to get it; the Core adds the Driver Introduction document,
a separate file with fixed section names. Where the README points is read
by :mod:`ivi_conform.documents.locations`, shared with the Core's README rules.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.documents.compliance import (
    Readme,
    find_compliance_document,
    find_readme,
    normalize_name,
    parse_compliance,
)
from ivi_conform.documents.locations import (
    COMMAND,
    DOCUMENTATION_WORDS,
    HELP_WORDS,
    URL,
    driver_identifier,
    introduction_name,
    located,
    online_introduction,
    shipped_introduction,
)
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.source import Module, facts_kind, scopes

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

@check("docs-readme-directions")
def readme_directions(context: AuditContext) -> Finding:
    """The README says where the documentation is (a link, path or command near doc words)."""
    readme = find_readme(context)
    assert readme is not None  # the rule's need (rules/*.toml)
    found = located(readme, DOCUMENTATION_WORDS)
    if found is not None:
        block, place = found
        return Finding.passed(f"the README points at the documentation: {place} "
                              f"({readme.where}:{block.line})")
    hint = ""
    urls = context.dist.metadata.get("project_urls") or {}
    if any(label.casefold() in {"documentation", "docs"} for label in urls):
        hint = "; the metadata's Project-URL Documentation is not the README"
    return Finding.failed(
        "the README gives no directions to the documentation",
        (Evidence(readme.where, None, "no link, path or pydoc command near the words "
                                      f"documentation, docs, manual, help or guide{hint}"),),
    )


@check("docs-introduction-provided")
def introduction_provided(context: AuditContext) -> Finding:
    """``___Introduction to <DriverIdentifier>___.<ext>`` is in the wheel or linked online."""
    shipped, wrong = shipped_introduction(context)
    if shipped is not None:
        return Finding.passed(f"the Driver Introduction document is {context.dist.where(shipped)}")
    online = online_introduction(context)
    if online is not None:
        return Finding.passed(f"the Driver Introduction document is online: {online}")
    identifier = driver_identifier(context)
    evidence = [Evidence(context.dist.where(path), None,
                         f"named for another driver identifier than {identifier}")
                for path in wrong]
    evidence = evidence or [Evidence(identifier, None, f"no {introduction_name(identifier)} "
                                                       "in the wheel, nor a link to one")]
    return Finding.failed("the Driver Introduction document is not provided", tuple(evidence))


#: The Core's introduction sections: (name, other spelling accepted), always required.
INTRODUCTION_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Driver Documentation", ()),
    ("Connecting to the Instrument", ()),
    ("Configuring Instrument Settings", ()),
    ("Configuring Driver Settings", ()),
    ("Contacting Support", ("Contact Support",)),
)
_NO_KNOWN_ISSUES = {"", "none", "none.", "n/a", "no known issues", "no known issues."}


def required_introduction_sections(context: AuditContext) -> list[tuple[str, tuple[str, ...]]]:
    """The sections this driver's introduction needs (Core L394-426).

    Source is always supplied (the wheel holds the Python modules), so
    "Driver Source Code and Examples" is required; "Direct I/O" and
    "Instrument Command Coverage" when the driver offers direct I/O (its
    instrument has an ASCII command set); "Known Issues" when the compliance
    document lists some.
    """
    required = list(INTRODUCTION_SECTIONS)
    sources = any(path.endswith(".py") for path in context.dist.files)
    required.insert(1, ("Driver Source Code and Examples", ()) if sources else ("Examples", ()))
    if context.driver.direct_io is not None:
        required.insert(-1, ("Direct I/O", ()))
        required.insert(-1, ("Instrument Command Coverage", ()))
    found = find_compliance_document(context)
    known = found.doc.item("Driver Test Failures", "Known Issues") if found else None
    if known is not None and known.text.strip().casefold() not in _NO_KNOWN_ISSUES:
        required.insert(-1, ("Known Issues", ()))
    return required


@check("docs-introduction-sections")
def introduction_sections(context: AuditContext) -> Finding:
    """The shipped introduction document has the Core's sections, named as shown."""
    shipped, _ = shipped_introduction(context)
    if shipped is None:  # the need "introduction-document" holds: it is online
        return Finding.skipped("the Driver Introduction document is online only: "
                               "its sections cannot be read offline")
    where = context.dist.where(shipped)
    doc = parse_compliance(context.dist.text(shipped), where)
    titles = {normalize_name(section.title) for section in doc.sections}
    problems = [
        Evidence(where, None, f'no section "{name}"')
        for name, aliases in required_introduction_sections(context)
        if not any(normalize_name(spelling) in titles for spelling in (name, *aliases))
    ]
    return Finding.judge(problems, ok=f"{where} has the Core's introduction sections",
                         bad="the Driver Introduction document lacks {n} Core sections")


# --------------------------------------------------------------------------- copyright notice

#: The Core's notice, sentence by sentence (IVI Driver Core 1.0, "Copyright Notice").
IVI_NOTICE: tuple[str, ...] = (
    "Content from the IVI specifications reproduced with permission from the IVI Foundation.",
    "The IVI Foundation and its member companies make no warranty of any kind with regard to "
    "this material, including, but not limited to, the implied warranties of merchantability "
    "and fitness for a particular purpose.",
    "The IVI Foundation and its member companies shall not be liable for errors contained "
    "herein or for incidental or consequential damages in connection with the furnishing, "
    "performance, or use of this material.",
)
_MARKUP = re.compile(r"[>*_`#|\\]+")
_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".html", ".htm")


def _plain(text: str) -> str:
    """Text without markup, case or line breaks, for finding the notice in any format."""
    return " ".join(_MARKUP.sub(" ", text).split()).casefold()


def _holds_notice(text: str) -> bool:
    plain = _plain(text)
    return all(_plain(sentence) in plain for sentence in IVI_NOTICE)


def _docstrings(tree: ast.Module) -> Iterator[str]:
    """The module's docstrings: its own, and those of its classes and functions."""
    for node in scopes(tree):  # every module, class and function, expressions skipped
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                yield docstring


@facts_kind("ivi-notice")
def _notice_in_module(module: Module) -> bool:
    """Whether a docstring of the module carries the notice (one of the module's facts)."""
    return any(_holds_notice(text) for text in _docstrings(module.tree))


def notice_places(context: AuditContext) -> list[str]:
    """Where the distribution carries the IVI notice: documents, docstrings, the README."""
    places: list[str] = []
    readme = find_readme(context)
    if readme is not None and _holds_notice(readme.text):
        places.append(readme.where)
    for path, data in sorted(context.dist.files.items()):
        if ".dist-info/" in path or not path.lower().endswith(_DOC_SUFFIXES):
            continue
        if _holds_notice(data.decode("utf-8", errors="replace")):
            places.append(context.dist.where(path))
    package = context.driver.package
    if package is not None:
        # A module's docstrings are a function of its bytes: looked for once per content
        # (a generated driver has 25,000 docstrings; a re-audit reads one changed module).
        index = context.source
        for module in index.modules_of(package):
            if index.module_facts("ivi-notice", module):
                places.append(f"{module.path} (docstring)")
    return places


@check("docs-ivi-copyright")
def ivi_copyright(context: AuditContext) -> Finding:
    """The help documentation shipped with the driver carries the IVI copyright notice.

    The notice may be in any document the wheel ships, a docstring of the
    package (what ``help()`` and pydoc show) or the README. When it is
    nowhere in the distribution, the README's help location decides: help
    documentation published only online cannot be read here, so the rule is
    not judged (said so, never passed); help shipped in the package (the
    docstrings, a file) without the notice fails.
    """
    places = notice_places(context)
    if places:
        return Finding.passed(f"the IVI copyright notice is in {', '.join(places[:3])}")
    readme = find_readme(context)
    found = None
    if readme is not None:
        found = located(readme, HELP_WORDS) or located(readme, DOCUMENTATION_WORDS)
    urls = context.dist.metadata.get("project_urls") or {}
    online = next((url for label, url in urls.items()
                   if label.casefold() in {"documentation", "docs", "help"}), None)
    if found is not None and URL.fullmatch(found[1]) and not COMMAND.search(found[0].text):
        online = f"{found[1]}, {readme_where(readme)}:{found[0].line}"
    elif found is not None:
        online = None
    if online is not None:
        return Finding.not_judged(
            f"the help documentation is published online ({online}) and the distribution "
            "does not carry the IVI copyright notice: whether the help documentation does "
            "cannot be judged from the distribution")
    where = (f"the help documentation ({found[1]})" if found is not None
             else "the package's docstrings")
    evidence = (Evidence(readme_where(readme), found[0].line, f"help documentation: {found[1]}")
                if found is not None and readme is not None
                else Evidence(context.driver.package or "the package", None,
                              "no document or docstring holds the notice"))
    return Finding.failed(
        f"the IVI copyright notice (\"{IVI_NOTICE[0]} ...\") is neither in {where} nor in any "
        "document or docstring of the distribution", (evidence,))


def readme_where(readme: Readme | None) -> str:
    """The README's name in evidence."""
    return readme.where if readme is not None else "README"
