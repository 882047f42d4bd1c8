"""Documentation and Source Code: the README's directions, the Driver Introduction document,
the IVI copyright notice in the help documentation.

IVI-Python lets a driver publish its documentation online, provided the
README says how to get it; the Core adds the Driver Introduction document,
a separate file with fixed section names. The README helpers here (where
the README points at documentation, where it names the introduction file)
are shared with the Core's README rules of :mod:`.package_contents`.
"""

from __future__ import annotations

import ast
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.compliance_doc import (
    Readme,
    find_compliance_document,
    find_readme,
    normalize_name,
    parse_compliance,
)
from ivi_conform.model import Evidence, Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

# --------------------------------------------------------------------------- README locations

#: Words that say a place holds documentation (the directions rule).
DOCUMENTATION_WORDS = re.compile(
    r"\b(?:documentation|docs?|manuals?|help|guides?|reference|handbook|docstrings?|pydoc"
    r"|read\s?the\s?docs)\b", re.IGNORECASE)
#: Words that say a place holds the help documentation (the Core's README rule).
HELP_WORDS = re.compile(
    r"\b(?:help|api\s+(?:reference|documentation|docs)|reference\s+(?:manual|documentation|guide)"
    r"|docstrings?|pydoc)\b", re.IGNORECASE)
#: Mentions of the compliance documentation, which are not directions to the documentation.
_COMPLIANCE_PHRASE = re.compile(r"compliance\s+document(?:ation)?", re.IGNORECASE)

_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_MD_TARGET = re.compile(r"\]\(\s*(?:<([^>]*)>|([^)\s]+))")
_MD_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
_RST_TARGET = re.compile(r"`[^`<]*<([^<>`]+)>`__?|^\.\.\s+_[^:]+:\s*(\S+)", re.MULTILINE)
_CODE_PATH = re.compile(r"`([^`\s]*(?:/|\.(?:md|rst|txt|html?|pdf)\b)[^`\s]*)`", re.IGNORECASE)
_BARE_PATH = re.compile(r"(?<![\w/.])[\w./-]+\.(?:md|rst|html?|pdf)\b", re.IGNORECASE)
_COMMAND = re.compile(r"\bpydoc\b|\bhelp\(", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<\*|\*>|link to|^#?$|^\.\.\.$|tbd|todo", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """A paragraph or one list item of the README, and what it sits under.

    ``context`` is the heading above it, the paragraph that introduces its
    list (one ending with a colon) and, for a nested item, its parent item.
    """

    line: int
    text: str
    context: str


_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+")


def readme_blocks(readme: Readme) -> list[Block]:
    """The README cut into paragraphs and list items, each with its context."""
    headings = {section.line: section.title for section in readme.doc.sections}
    blocks: list[Block] = []
    heading = lead = ""
    parents: list[tuple[int, str]] = []
    lines: list[str] = []
    start = indent = 0
    is_item = False

    def close() -> None:
        nonlocal lines, lead
        if not lines:
            return
        text = "\n".join(lines)
        parent = parents[-2][1] if is_item and len(parents) > 1 else ""
        blocks.append(Block(start, text, "\n".join(part for part in (heading, lead, parent)
                                                   if part)))
        if is_item:
            parents[-1] = (indent, text)
        else:
            lead = text if text.rstrip().endswith(":") else ""
        lines = []

    for offset, text in enumerate(readme.text.splitlines()):
        number = readme.first_line + offset
        item = _LIST_ITEM.match(text)
        if number in headings:
            close()
            heading, lead, parents = headings[number], "", []
        elif not text.strip():
            close()
        elif item:
            close()
            indent, is_item, start = len(item[1]), True, number
            while parents and parents[-1][0] >= indent:
                parents.pop()
            parents.append((indent, ""))
            lines = [text]
        elif lines:
            lines.append(text)
        else:
            if is_item and not text.startswith((" ", "\t")):
                lead, parents = "", []
            is_item, start, lines = False, number, [text]
    close()
    return blocks


def locations(text: str) -> list[str]:
    """The places a text points at: URLs, link targets, file paths, pydoc commands."""
    found = [match[0] for match in _URL.finditer(text)]
    found += [match[1] or match[2] for match in _MD_TARGET.finditer(text)]
    found += [match[1] for match in _MD_REFERENCE.finditer(text)]
    found += [match[1] or match[2] for match in _RST_TARGET.finditer(text)]
    found += [match[1] for match in _CODE_PATH.finditer(text)]
    found += [match[0] for match in _BARE_PATH.finditer(text)]
    found += [match[0] for match in _COMMAND.finditer(text)]
    return [place.strip() for place in found if place and not _PLACEHOLDER.search(place.strip())]


def located(readme: Readme, words: re.Pattern[str]) -> tuple[Block, str] | None:
    """The first block that gives a place (link, path, command) near one of ``words``.

    Near means in the same paragraph or list item, or in its context (the
    heading above, the paragraph introducing the list, the parent item).
    Mentions of the compliance documentation do not count, nor does a
    heading that names the compliance documentation, so the README's copy
    of the compliance text never passes for directions.
    """
    for block in readme_blocks(readme):
        places = locations(block.text)
        if not places:
            continue
        text = _COMPLIANCE_PHRASE.sub(" ", block.text)
        context = "\n".join(line for line in block.context.splitlines()
                            if "compliance" not in line.casefold())
        if words.search(text) or words.search(context):
            return block, places[0]
    return None


@check("docs-readme-directions")
def readme_directions(context: AuditContext) -> Finding:
    """The README says where the documentation is (a link, path or command near doc words)."""
    readme = find_readme(context)
    if readme is None:
        return Finding.skipped("the package has no README (rule contents-readme)")
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


# --------------------------------------------------------------------------- introduction

_INTRODUCTION = re.compile(
    r"_{3}\s?Introduction\s+to\s+(?P<id>\S+?)\s?_{3}\.(?P<ext>[A-Za-z0-9]+)", re.IGNORECASE)
_INTRODUCTION_FILE = re.compile(r"^_{3}Introduction to (?P<id>.+)_{3}\.(?P<ext>[^.]+)$",
                                re.IGNORECASE)


def driver_identifier(context: AuditContext) -> str:
    """The ``<DriverIdentifier>`` for messages: the root class's spelling when it is the same."""
    package = context.driver.identifier
    root = context.driver.root
    if package is None:
        return "<DriverIdentifier>"
    return root.name if root is not None and root.name.casefold() == package else package


def introduction_name(identifier: str) -> str:
    """The Core's file name pattern, for messages."""
    return f"___Introduction to {identifier}___.<ext>"


@dataclass(frozen=True)
class Mention:
    """A ``___Introduction to X___.ext`` named in the README: as written, X, and the line."""

    name: str
    identifier: str
    line: int


def readme_introductions(readme: Readme) -> list[Mention]:
    """Every ``___Introduction to X___.ext`` the README names.

    Markdown escapes (``\\_``), URL encoding (``%20``) and line wrapping are undone.
    """
    found: list[Mention] = []
    for block in readme_blocks(readme):
        text = urllib.parse.unquote(block.text.replace("\\_", "_"))
        text = " ".join(text.split())
        found.extend(Mention(match[0], match["id"], block.line)
                     for match in _INTRODUCTION.finditer(text))
    return found


def identifier_matches(written: str, package: str | None) -> bool:
    """The Core's ``<DriverIdentifier>`` is the import package name in Pascal case."""
    return package is not None and written.casefold() == package.casefold()


def shipped_introduction(context: AuditContext) -> tuple[str | None, list[str]]:
    """The wheel's introduction document for this driver, and wrongly named ones."""
    package = context.driver.identifier
    right: list[str] = []
    wrong: list[str] = []
    for path in sorted(context.dist.files, key=lambda p: (p.count("/"), p)):
        if ".dist-info/" in path:
            continue
        match = _INTRODUCTION_FILE.match(PurePosixPath(path).name)
        if match:
            (right if identifier_matches(match["id"], package) else wrong).append(path)
    return (right[0] if right else None), wrong


def online_introduction(context: AuditContext) -> str | None:
    """A URL in the README that names this driver's introduction document."""
    readme = find_readme(context)
    if readme is None:
        return None
    for url in _URL.findall(readme.text.replace("\\_", "_")):
        match = _INTRODUCTION.search(urllib.parse.unquote(url))
        if match and identifier_matches(match["id"], context.driver.identifier):
            return str(url)
    return None


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
    if shipped is None:
        if online_introduction(context) is not None:
            return Finding.skipped("the Driver Introduction document is online only: "
                                   "its sections cannot be read offline")
        return Finding.skipped("no Driver Introduction document (rule docs-introduction-provided)")
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
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                yield docstring


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
        for module in context.source.modules_of(package):
            if any(_holds_notice(text) for text in _docstrings(module.tree)):
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
    if found is not None and _URL.fullmatch(found[1]) and not _COMMAND.search(found[0].text):
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
