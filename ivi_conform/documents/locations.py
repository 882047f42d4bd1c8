"""Where the README points: documentation, help, the Driver Introduction document.

The Documentation rules of IVI-Python and the Core's README rules (Package
Contents) ask the same questions of the README: where does it point at the
documentation, at the help, at ``___Introduction to <DriverIdentifier>___``?
They are answered here, below the checks, so that the two sections read the
README the same way and no check imports another.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.documents.compliance import Readme, find_readme

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
#: Mentions of the Driver Introduction document, a document of its own.
_INTRODUCTION_WORDS = re.compile(r"introduction\s+(?:document|to\b)", re.IGNORECASE)
#: Mentions of the compliance documentation, which are not directions to the documentation.
_COMPLIANCE_PHRASE = re.compile(r"compliance\s+document(?:ation)?", re.IGNORECASE)

URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_MD_TARGET = re.compile(r"\]\(\s*(?:<([^>]*)>|([^)\s]+))")
_MD_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
_RST_TARGET = re.compile(r"`[^`<]*<([^<>`]+)>`__?|^\.\.\s+_[^:]+:\s*(\S+)", re.MULTILINE)
#: A path in a code span: no spaces, or a document file name that has spaces in it
_CODE_PATH = re.compile(r"`([^`\s]*(?:/|\.(?:md|rst|txt|html?|pdf)\b)[^`\s]*"
                        r"|[^`\n]*\.(?:md|rst|txt|html?|pdf))`", re.IGNORECASE)
_BARE_PATH = re.compile(r"(?<![\w/.])[\w./-]+\.(?:md|rst|html?|pdf)\b", re.IGNORECASE)
COMMAND = re.compile(r"\bpydoc\b|\bhelp\(", re.IGNORECASE)
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


#: Images and badges: pictures, not places (a badge's link is its ``:target:`` or outer link).
_RST_IMAGE = re.compile(r"^\s*\.\.\s+(?:\|[^|]+\|\s+)?(?:image|figure)::.*$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(?:<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_PICTURE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|ico)$|(?:^|/)badges?(?:/|$)", re.IGNORECASE)
_BADGE_HOSTS = ("shields.io", "badgen.net", "badge.fury.io", "codecov.io/gh", "zenodo.org/badge")


def without_images(text: str) -> str:
    """The text with its images and badges taken out (a badge's link target stays)."""
    for pattern in (_RST_IMAGE, _MD_IMAGE, _HTML_IMAGE):
        text = pattern.sub(" ", text)
    return text


def _picture(place: str) -> bool:
    """A URL of an image or a status badge (never a documentation location)."""
    parsed = urllib.parse.urlsplit(place)
    where = f"{parsed.netloc}{parsed.path}".casefold()
    return bool(_PICTURE.search(parsed.path)) or any(host in where for host in _BADGE_HOSTS)


def locations(text: str) -> list[str]:
    """The places a text points at: URLs, link targets, file paths, pydoc commands.

    Images and badges are not places: ``.. image::``, ``![..](..)``, ``<img>``
    and image or badge URLs are left out (a badge's ``:target:`` or the link
    around it is kept, that is where the badge leads).
    """
    text = without_images(text)
    found = [match[0] for match in URL.finditer(text)]
    found += [match[1] or match[2] for match in _MD_TARGET.finditer(text)]
    found += [match[1] for match in _MD_REFERENCE.finditer(text)]
    found += [match[1] or match[2] for match in _RST_TARGET.finditer(text)]
    found += [match[1] for match in _CODE_PATH.finditer(text)]
    # a bare path inside a code span is that span's path again (or a piece of it)
    found += [match[0] for match in _BARE_PATH.finditer(_CODE_PATH.sub(" ", text))]
    found += [match[0] for match in COMMAND.finditer(text)]
    return [place.strip() for place in found if place and not _PLACEHOLDER.search(place.strip())
            and not _picture(place.strip())]


def words_of(text: str) -> str:
    """The text outside its URLs and images: where a word says what a place is.

    "doc" inside ``https://x.readthedocs.io`` or a badge's address says nothing.
    """
    return URL.sub(" ", without_images(text))


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
        text = _COMPLIANCE_PHRASE.sub(" ", words_of(block.text))
        context = "\n".join(line for line in words_of(block.context).splitlines()
                            if "compliance" not in line.casefold())
        if words.search(text) or words.search(context):
            return block, places[0]
    return None


def documentation_location(readme: Readme) -> tuple[Block, str] | None:
    """A place the README itself calls the documentation ("Documentation: <url>").

    The word must be in the paragraph or item that gives the place (a heading
    "Documentation" over a list of other documents is not enough), and the
    Driver Introduction and compliance documents are documents of their own.
    """
    for block in readme_blocks(readme):
        if _INTRODUCTION_WORDS.search(words_of(block.text)):
            continue
        found = _located_in(block, DOCUMENTATION_WORDS)
        if found is not None:
            return found
    return None


def _located_in(block: Block, words: re.Pattern[str]) -> tuple[Block, str] | None:
    """The block's first place, when the block's own words (outside URLs) include ``words``."""
    places = locations(block.text)
    if places and words.search(_COMPLIANCE_PHRASE.sub(" ", words_of(block.text))):
        return block, places[0]
    return None


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
    """The wheel's introduction document for this driver, and wrongly named ones (a fact)."""
    return context.fact(_shipped_introduction)


def _shipped_introduction(context: AuditContext) -> tuple[str | None, list[str]]:
    package = context.driver.identifier
    right: list[str] = []
    wrong: list[str] = []
    for path in sorted(context.dist.files, key=lambda p: (p.count("/"), p)):
        if ".dist-info/" in path:
            continue
        match = _INTRODUCTION_FILE.match(path.rpartition("/")[2])
        if match:
            (right if identifier_matches(match["id"], package) else wrong).append(path)
    return (right[0] if right else None), wrong


def online_introduction(context: AuditContext) -> str | None:
    """A URL in the README that names this driver's introduction document."""
    readme = find_readme(context)
    if readme is None:
        return None
    for url in URL.findall(readme.text.replace("\\_", "_")):
        match = _INTRODUCTION.search(urllib.parse.unquote(url))
        if match and identifier_matches(match["id"], context.driver.identifier):
            return str(url)
    return None


