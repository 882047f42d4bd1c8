"""Read IVI compliance documents (and READMEs) tolerantly: Markdown, reStructuredText, text.

The Core fixes the names of the compliance document's sections and items but
not their markup, and real documents differ: the Core's own example writes
``Driver Version: 1.1.0`` paragraphs and ``> Known Issues: None``, drivers
write ``- Item: value`` lists, ``**Item:** value``, tables or rst field lists.
One reader accepts them all, so that every rule (and the metadata and runtime
rules that compare items with the package and the API) sees the same items.

What is read:

- sections by heading: Markdown ``#`` headings and setext underlines, rst
  under- and overlines; a line holding only a Core section name (or
  ``Test Setup N``), bold or not, also opens a section;
- items: ``- Item: value``, ``Item: value``, ``**Item**: value``,
  ``**Item:** value``, ``> Item: value``, ``:Item: value`` (rst field),
  table rows ``| Item | value |`` (Markdown, rst grid) and rst simple tables;
- multi-line values: lines that wrap the value, and the list under an item
  whose value is empty (``Supported Operating Systems:`` then ``- ...``);
- names match case-insensitively, with the Core's accepted spellings
  (:mod:`ivi_conform.documents.core_format`), markup and numbering ignored, and
  the Core's ``for 32-bit drivers`` / ``for 64-bit drivers`` suffix dropped.

Fenced code blocks are skipped. Each item and section keeps its line number.

Where the documents are (decided here, used by every rule):

- the compliance document is the first file of the wheel, outside
  ``*.dist-info/``, whose name contains "compliance" (any case) and ends in
  ``.md``, ``.markdown``, ``.rst`` or ``.txt``; ordered by: inside the driver's
  import package first, then other import packages, then anything else the
  wheel installs (``*.data/``); then shallower paths first; then Markdown,
  reStructuredText, text; then by path. See :func:`find_compliance_document`.
- the README is what the wheel ships as its description (METADATA body,
  Description-Content-Type); for a source target whose README file has that
  same text, evidence names the file. The README's copy of the compliance
  text is :attr:`Readme.doc`. See :func:`find_readme`.

Both are parsed once per audit and kept with the audit context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, TypeVar

from ivi_conform.documents.core_format import SECTIONS, Section, section_named
from ivi_conform.model import Evidence

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

__all__ = [
    "ComplianceDoc",
    "DocItem",
    "DocLine",
    "DocSection",
    "FileVersion",
    "FoundDocument",
    "Readme",
    "find_compliance_document",
    "find_readme",
    "normalize_name",
    "parse_compliance",
    "parse_file_version",
    "split_list",
]

#: Suffixes a compliance document may have, in the order they are preferred.
DOCUMENT_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".rst", ".txt")


# --------------------------------------------------------------------------- names


_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[ivxIVX]+\.)\s+")
_BITNESS_SUFFIX = re.compile(r"\s+for\s+(?:32|64)-?\s?bit\s+drivers?$")
_MARKUP = re.compile(r"[*`\\]|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")


def normalize_name(text: str) -> str:
    """A section or item name as compared: no markup, numbering, colon or case.

    ``**2. Driver Identification:**`` and ``driver identification`` compare
    equal; so do ``Supported Operating Systems for 64-bit Drivers`` and
    ``Supported Operating Systems`` (the Core allows the suffix).
    """
    text = _MARKUP.sub("", text).strip()
    text = _NUMBERING.sub("", text).strip().rstrip(":").strip()
    text = " ".join(text.split()).casefold()
    return _BITNESS_SUFFIX.sub("", text)


def _spellings_of_section(name: str) -> tuple[str, ...]:
    section = section_named(name)
    return section.spellings if section is not None else (name,)


def _spellings_of_item(name: str, spec: Section | None) -> tuple[str, ...]:
    """The accepted spellings of an item: its section's, else any section's, else itself."""
    pools = [spec.items] if spec is not None else []
    pools.append(tuple(item for section in SECTIONS for item in section.items))
    wanted = normalize_name(name)
    for pool in pools:
        for item in pool:
            if any(normalize_name(spelling) == wanted for spelling in item.spellings):
                return item.spellings
    return (name,)


_KNOWN_ITEMS: frozenset[str] = frozenset(
    normalize_name(spelling)
    for section in SECTIONS for item in section.items for spelling in item.spellings
)
_KNOWN_SECTIONS: frozenset[str] = frozenset(
    normalize_name(spelling) for section in SECTIONS for spelling in section.spellings
)
_TEST_SETUP = re.compile(r"^test setup(?:\s+[\w.()#-]+)?(?:\s*[:-]\s*.*)?$")


def split_list(text: str) -> tuple[str, ...]:
    """Split a value written as a list (``a, b; c``) at commas and semicolons outside brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        if char in ",;" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return tuple(part.strip() for part in parts if part.strip())


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DocLine:
    """One line of content (markup of lists, quotes and tables removed)."""

    line: int
    text: str


@dataclass(frozen=True)
class DocItem:
    """One ``Name: value`` item.

    ``value`` is the text on the item's line with the lines that wrap it;
    ``entries`` the list written under the item (``Supported Operating
    Systems:`` followed by ``- ...`` lines), one entry per list item.
    """

    name: str
    value: str
    entries: tuple[str, ...]
    line: int

    @property
    def is_empty(self) -> bool:
        """Whether the item gives no information at all."""
        return not self.value and not self.entries

    @property
    def text(self) -> str:
        """The whole value on one line: the value and the entries, comma-separated."""
        return ", ".join(part for part in (self.value, *self.entries) if part)

    def listed(self) -> tuple[str, ...]:
        """The value as a list: the entries and the value, each split at ``,`` and ``;``."""
        return tuple(part for piece in (self.value, *self.entries) for part in split_list(piece))


@dataclass(frozen=True)
class DocSection:
    """A section: its heading, own items and lines, and the sections below it.

    ``spec`` is the Core section the heading names (for a ``Test Setup``,
    the Unit Testing section), so that item names are matched with that
    section's accepted spellings.
    """

    title: str
    level: int
    line: int
    items: tuple[DocItem, ...]
    lines: tuple[DocLine, ...]
    children: tuple[DocSection, ...] = ()
    spec: Section | None = None

    def items_named(self, name: str) -> tuple[DocItem, ...]:
        """Every item of this section of that name (any accepted spelling)."""
        spellings = {normalize_name(spelling) for spelling in _spellings_of_item(name, self.spec)}
        return tuple(item for item in self.items if normalize_name(item.name) in spellings)

    def item(self, name: str) -> DocItem | None:
        """The first item of that name (any accepted spelling), if any."""
        found = self.items_named(name)
        return found[0] if found else None

    def matches(self, name: str) -> bool:
        """Whether the heading names that section (any accepted spelling)."""
        title = normalize_name(self.title)
        return any(normalize_name(spelling) == title for spelling in _spellings_of_section(name))


@dataclass(frozen=True)
class ComplianceDoc:
    """A parsed document: every section in document order, and where it came from.

    ``path`` is how evidence names the file. ``preamble`` holds the items and
    lines before the first heading.
    """

    path: str
    sections: tuple[DocSection, ...]
    preamble: DocSection = field(default_factory=lambda: DocSection("", 0, 1, (), ()))

    def section(self, name: str) -> DocSection | None:
        """The first section whose heading names ``name`` (a Core name or any heading)."""
        return next((section for section in self.sections if section.matches(name)), None)

    def item(self, section: str, item: str) -> DocItem | None:
        """An item of a section: ``item("Hardware Information", "Instrument Manufacturer")``."""
        found = self.section(section)
        return found.item(item) if found is not None else None

    def subsections(self, name: str) -> tuple[DocSection, ...]:
        """The repeated subsections of a Core section: the Unit Testing's ``Test Setup`` sections.

        Subsections are the sections after the named one, at any heading
        level, up to the next Core section, whose heading begins with the
        subsection name (``Test Setup``, ``Test Setup 2``, ``Test Setup: GPIB``).
        """
        parent = self.section(name)
        spec = section_named(name)
        if parent is None or spec is None or not spec.subsection:
            return ()
        prefix = normalize_name(spec.subsection)
        start = self.sections.index(parent) + 1
        found: list[DocSection] = []
        for section in self.sections[start:]:
            title = normalize_name(section.title)
            if title in _KNOWN_SECTIONS:
                break
            if title == prefix or title.startswith(prefix + " ") or title.startswith(prefix + ":"):
                found.append(section)
        return tuple(found)

    @property
    def test_setups(self) -> tuple[DocSection, ...]:
        """The Unit Testing section's Test Setup sections."""
        return self.subsections("Unit Testing")

    def evidence(self, where: DocItem | DocSection | int | None, detail: str = "") -> Evidence:
        """Evidence pointing at an item, a section heading or a line of this document."""
        line = where if isinstance(where, int) or where is None else where.line
        return Evidence(self.path, line, detail)


# --------------------------------------------------------------------------- parser


_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+_:.!$%&,/;<>?@\\|])\1{2,}\s*$")
_LIST = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_GRID_BORDER = re.compile(r"^\s*\+(?:[-=]+\+)+\s*$")
_SIMPLE_BORDER = re.compile(r"^\s*=+(?:\s+=+)+\s*$")
_RST_FIELD = re.compile(r"^:([^:`]+):(?:\s+(.*))?$")
_RST_DIRECTIVE = re.compile(r"^\.\.\s")
_BOLD_ITEM = (
    re.compile(r"^(\*\*|__)(?P<name>[^*_][^*]*?)\s*:\s*\1\s*(?P<value>.*)$"),  # **Name:** value
    re.compile(r"^(\*\*|__)(?P<name>[^*_][^*]*?)\1\s*:\s*(?P<value>.*)$"),  # **Name**: value
    re.compile(r"^(\*|_)(?P<name>[^*_][^*_]*?)\s*:\s*\1\s*(?P<value>.*)$"),  # *Name:* value
    re.compile(r"^(\*|_)(?P<name>[^*_][^*_]*?)\1\s*:\s*(?P<value>.*)$"),  # *Name*: value
)
_PLAIN_ITEM = re.compile(r"^(?P<name>[A-Za-z][^:]{0,79}?)\s*:(?:[ \t]+(?P<value>.*)|[ \t]*$)")
_WRAPPED_BOLD = re.compile(r"^(\*\*|__)(.+?)\1:?$")


def _clean_value(text: str) -> str:
    """A value without emphasis, code marks and trailing hard breaks."""
    text = re.sub(r"\*\*|__|`+", "", text.strip())
    text = text.rstrip("\\").strip()
    return " ".join(text.split())


def _match_item(text: str) -> tuple[str, str] | None:
    """``(name, value)`` when the line is written as an item, else None."""
    for pattern in _BOLD_ITEM:
        found = pattern.match(text)
        if found:
            return found["name"].strip(), found["value"] or ""
    found = _PLAIN_ITEM.match(text)
    if found is None:
        return None
    name = found["name"].strip()
    if "](" in name or "<" in name or "|" in name or name.endswith((".", ",")):
        return None
    return name, found["value"] or ""


def _plausible_name(name: str) -> bool:
    """Whether an unknown name looks like an item name rather than a sentence."""
    words = name.split()
    return 0 < len(words) <= 5 and not name.rstrip().endswith((".", ";", "!", "?"))


@dataclass
class _ItemBuilder:
    name: str
    value: str
    line: int
    entries: list[str] = field(default_factory=list)
    takes_list: bool = False
    takes_wrap: bool = True
    from_table: bool = False

    def build(self) -> DocItem:
        return DocItem(self.name, _clean_value(self.value),
                       tuple(_clean_value(entry) for entry in self.entries if entry.strip()),
                       self.line)


@dataclass
class _SectionBuilder:
    title: str
    level: int
    line: int
    spec: Section | None
    items: list[_ItemBuilder] = field(default_factory=list)
    lines: list[DocLine] = field(default_factory=list)
    children: list[_SectionBuilder] = field(default_factory=list)

    def build(self, cache: dict[int, DocSection]) -> DocSection:
        if id(self) not in cache:
            cache[id(self)] = DocSection(
                self.title, self.level, self.line,
                tuple(item.build() for item in self.items), tuple(self.lines),
                tuple(child.build(cache) for child in self.children), self.spec,
            )
        return cache[id(self)]


class _Parser:
    """One pass over the lines: headings open sections, the rest fills the open one."""

    def __init__(self, lines: list[str], markdown: bool, first_line: int) -> None:
        self.lines = lines
        self.first = first_line
        self.markdown = markdown
        self.rst_styles: list[tuple[str, bool]] = []
        self.preamble = _SectionBuilder("", 0, first_line, None)
        self.sections: list[_SectionBuilder] = []
        self.stack: list[_SectionBuilder] = []
        self.item: _ItemBuilder | None = None
        self.blank = True
        self.simple_columns: list[int] | None = None
        self.simple_rows: list[_ItemBuilder] = []
        self.simple_borders = 0

    # ---- headings

    def _rst_level(self, char: str, overline: bool) -> int:
        style = (char, overline)
        if style not in self.rst_styles:
            self.rst_styles.append(style)
        return self.rst_styles.index(style) + 1

    def _is_title_text(self, text: str) -> bool:
        stripped = text.strip()
        if not stripped or _LIST.match(text) or _QUOTE.match(text) or _PIPE_ROW.match(text):
            return False
        if _ADORNMENT.match(stripped) or _ATX.match(text) or _RST_FIELD.match(stripped):
            return False
        item = _match_item(stripped)
        return item is None or normalize_name(item[0]) not in _KNOWN_ITEMS or not item[1]

    def heading_at(self, index: int) -> tuple[str, int, int] | None:
        """``(title, level, lines used)`` when a heading starts at ``index``."""
        text = self.lines[index]
        atx = _ATX.match(text)
        if atx and (atx[2] or "").strip():
            return atx[2].strip(), len(atx[1]), 1
        under = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        after = self.lines[index + 2] if index + 2 < len(self.lines) else ""
        adorn = _ADORNMENT.match(text.strip()) if text == text.lstrip() else None
        if (adorn and self._is_title_text(under) and after.strip() == text.strip()
                and not self.markdown):
            return under.strip(), self._rst_level(adorn[1], True), 3
        adorn_under = _ADORNMENT.match(under.strip()) if under == under.lstrip() else None
        if adorn_under and self.blank and self._is_title_text(text):
            char = adorn_under[1]
            if self.markdown:
                if char in "=-":
                    return text.strip(), 1 if char == "=" else 2, 2
            else:
                return text.strip(), self._rst_level(char, False), 2
        return None

    def pseudo_heading(self, text: str) -> str | None:
        """A line that is only a Core section name or ``Test Setup N`` (bold or not)."""
        stripped = text.strip()
        bold = _WRAPPED_BOLD.match(stripped)
        core = bold[2] if bold else stripped
        name = normalize_name(core)
        if not name or len(name) > 60:
            return None
        if name in _KNOWN_SECTIONS or _TEST_SETUP.match(name):
            item = _match_item(core)
            if item is not None and item[1]:
                return None
            return core.strip().rstrip(":").strip()
        return None

    def open_section(self, title: str, level: int, line: int) -> None:
        self.close_item()
        spec = section_named(normalize_name(title))
        if spec is None and _TEST_SETUP.match(normalize_name(title)):
            spec = section_named("Unit Testing")
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        section = _SectionBuilder(title, level, line, spec)
        if self.stack:
            self.stack[-1].children.append(section)
        self.sections.append(section)
        self.stack.append(section)
        self.blank = True

    @property
    def current(self) -> _SectionBuilder:
        return self.stack[-1] if self.stack else self.preamble

    # ---- items

    def close_item(self) -> None:
        self.item = None

    def add_item(self, name: str, value: str, line: int, *, table: bool = False) -> None:
        item = _ItemBuilder(name.strip().rstrip(":").strip(), value.strip(), line)
        item.takes_list = not item.value and not table
        item.from_table = table
        self.current.items.append(item)
        self.item = item

    def table_row(self, cells: list[str], line: int) -> None:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            return
        if not cells[0] and self.item is not None and self.item.from_table:
            extra = " ".join(cell for cell in cells[1:] if cell)
            self.item.value = f"{self.item.value} {extra}".strip()
            return
        if len(cells) >= 2 and cells[0]:
            name = _WRAPPED_BOLD.match(cells[0])
            value = " ".join(cell for cell in cells[1:] if cell)
            self.add_item(name[2] if name else cells[0], value, line, table=True)

    def content(self, raw: str, line: int) -> None:
        """One non-blank, non-heading line."""
        quoted = _QUOTE.match(raw)
        text = raw[quoted.end():] if quoted else raw
        entry = _LIST.match(text)
        body = entry[2] if entry else text.strip()
        indented = bool(re.match(r"^\s{2,}\S", text)) and not entry
        self.current.lines.append(DocLine(line, body.strip()))
        field_match = _RST_FIELD.match(body.strip())
        if field_match:
            self.add_item(field_match[1], field_match[2] or "", line)
            return
        found = _match_item(body.strip())
        if found is not None:
            name, value = found
            known = normalize_name(name) in _KNOWN_ITEMS
            in_list = entry is not None and self.item is not None and self.item.takes_list
            if known or (_plausible_name(name) and not in_list and not indented):
                self.add_item(name, value, line)
                return
        item = self.item
        if item is not None and item.takes_list and (entry or indented):
            if entry:
                item.entries.append(body)
            elif item.entries:
                item.entries[-1] = f"{item.entries[-1]} {body.strip()}"
            else:
                item.value = f"{item.value} {body.strip()}".strip()
            return
        if item is not None and item.takes_list and not item.value and not item.entries:
            item.value = body.strip()
            return
        if item is not None and item.takes_wrap and not self.blank and not entry:
            item.value = f"{item.value} {body.strip()}".strip()
            return
        self.close_item()

    # ---- the pass

    def run(self) -> tuple[list[_SectionBuilder], _SectionBuilder]:
        index = 0
        fence: str | None = None
        while index < len(self.lines):
            raw = self.lines[index]
            line = self.first + index
            opening = _FENCE.match(raw)
            if fence is not None:
                if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                    fence = None
                index += 1
                continue
            if opening:
                fence = opening[1]
                self.close_item()
                index += 1
                continue
            if not raw.strip():
                self.blank = True
                self.simple_columns = None
                if self.item is not None:
                    self.item.takes_wrap = False
                index += 1
                continue
            if self.simple_columns is None:
                heading = self.heading_at(index)
                if heading is not None:
                    title, level, used = heading
                    self.open_section(title, level, line + (1 if used == 3 else 0))
                    index += used
                    continue
            index += self.body_line(index, raw, line)
        return self.sections, self.preamble

    def body_line(self, index: int, raw: str, line: int) -> int:
        """Handle one line that is not a heading; return how many lines it used."""
        stripped = raw.strip()
        if _SIMPLE_BORDER.match(raw) and not self.markdown:
            following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
            if self.simple_columns is not None and not following.strip():
                self.simple_columns = None
            elif self.simple_columns is not None:
                self.simple_borders += 1
                if self.simple_borders == 2 and len(self.simple_rows) == 1:  # a header row
                    self.current.items.remove(self.simple_rows[0])
            else:
                self.simple_columns = [found.start() for found in re.finditer(r"=+", raw)]
                self.simple_rows = []
                self.simple_borders = 1
            self.close_item()
            self.blank = False
            return 1
        if self.simple_columns is not None:
            starts = self.simple_columns
            cells = [raw[start:end].strip() if start < len(raw) else ""
                     for start, end in zip(starts, [*starts[1:], len(raw) + 1], strict=True)]
            self.current.lines.append(DocLine(line, " ".join(cell for cell in cells if cell)))
            before = self.item
            self.table_row(cells, line)
            if self.item is not None and self.item is not before:
                self.simple_rows.append(self.item)
            return 1
        if _GRID_BORDER.match(raw) or (_PIPE_SEPARATOR.match(raw) and "|" in raw):
            self.blank = False
            return 1
        if _RST_DIRECTIVE.match(stripped):
            self.close_item()
            self.blank = False
            return 1
        row = _PIPE_ROW.match(_QUOTE.sub("", raw, count=1) if _QUOTE.match(raw) else raw)
        if row:
            following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
            cells = row[1].split("|")
            self.current.lines.append(
                DocLine(line, " ".join(cell.strip() for cell in cells if cell.strip())))
            if not _PIPE_SEPARATOR.match(following):  # a header row names columns, not items
                self.table_row(cells, line)
            self.blank = False
            return 1
        pseudo = self.pseudo_heading(raw) if not _LIST.match(raw) else None
        if pseudo is not None:
            if _TEST_SETUP.match(normalize_name(pseudo)):
                parent = next((s for s in reversed(self.stack) if not _TEST_SETUP.match(
                    normalize_name(s.title))), None)
                level = (parent.level if parent else 1) + 1
            else:
                core = [s for s in self.sections if normalize_name(s.title) in _KNOWN_SECTIONS]
                level = core[-1].level if core else 2
            self.open_section(pseudo, level, line)
            return 1
        self.content(raw, line)
        self.blank = False
        return 1


def parse_compliance(
    text: str, path: str, *, first_line: int = 1, markdown: bool | None = None
) -> ComplianceDoc:
    """Parse a compliance document (or any Markdown/rst/text document) into sections and items.

    ``path`` names the document in evidence. ``markdown`` says whether the
    text is Markdown (only ``=``/``-`` underlines are headings) or
    reStructuredText/text (underlines of any punctuation are); by default
    the suffix of ``path`` tells. ``first_line`` is the line number of the
    text's first line, for a text cut out of a larger file (a METADATA
    description).
    """
    if markdown is None:
        markdown = PurePosixPath(path).suffix.lower() in {".md", ".markdown"}
    parser = _Parser(text.splitlines(), markdown, first_line)
    builders, preamble = parser.run()
    cache: dict[int, DocSection] = {}
    sections = tuple(builder.build(cache) for builder in builders)
    return ComplianceDoc(path, sections, preamble.build(cache))


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class FileVersion:
    """A Core FileVersion (``Major.Minor.Build[.Internal]``) and the text after it."""

    fields: tuple[int, ...]
    text: str = ""

    @property
    def key(self) -> tuple[int, int, int]:
        """What the Core compares: Major, Minor and Build, as numbers (Core L681-683)."""
        return self.fields[0], self.fields[1], self.fields[2]


_FILE_VERSION = re.compile(r"^(\d+(?:\.\d+)*)(?:( )(.*))?$", re.DOTALL)


def parse_file_version(value: str, *, prerelease: bool = False) -> FileVersion:
    """Parse a Driver Version: a Core FileVersion, optionally followed by ``' '`` and text.

    Raises ValueError naming the first broken rule (Core L278-288, L639-661):
    three or four decimal fields of at most 5 digits and at most 65535, a
    Major of 0 only for a pre-release (``prerelease``), the text separated by
    one space, every character within ``\\x20``-``\\x7E``.
    """
    bad = sorted({char for char in value if not " " <= char <= "~"})
    if bad:
        raise ValueError(f"characters outside \\x20-\\x7E: {''.join(bad)!r}")
    found = _FILE_VERSION.match(value)
    if found is None:
        raise ValueError("does not begin with a FileVersion Major.Minor.Build[.Internal]"
                         " followed by nothing or a space")
    numbers = found[1].split(".")
    if not 3 <= len(numbers) <= 4:
        raise ValueError(f"{len(numbers)} numeric fields (a FileVersion has 3 or 4)")
    for number in numbers:
        if len(number) > 5 or int(number) > 65535:
            raise ValueError(f"field {number} exceeds 5 digits or 65535")
    fields = tuple(int(number) for number in numbers)
    if fields[0] == 0 and not prerelease:
        raise ValueError("Major is 0, allowed only for a pre-release of the initial release")
    return FileVersion(fields, found[3] or "")


# --------------------------------------------------------------------------- locating

_T = TypeVar("_T")
@dataclass(frozen=True)
class FoundDocument:
    """The compliance document found in the wheel: its wheel path, evidence name and content."""

    path: str
    where: str
    doc: ComplianceDoc


def _document_rank(
    path: str, package: str | None, packages: set[str]
) -> tuple[int, int, int, str]:
    top = path.split("/", 1)[0]
    if package is not None and top == package:
        place = 0
    elif top in packages:
        place = 1
    else:
        place = 2
    suffix = PurePosixPath(path).suffix.lower()
    return place, path.count("/"), DOCUMENT_SUFFIXES.index(suffix), path


def find_compliance_document(context: AuditContext) -> FoundDocument | None:
    """The IVI compliance document the wheel ships, parsed; None when there is none.

    Candidates are files outside ``*.dist-info/`` whose name contains
    "compliance" (any case) with a suffix of :data:`DOCUMENT_SUFFIXES`. The
    first by: the driver's import package, other import packages, other
    installed files; shallower first; ``.md``, ``.markdown``, ``.rst``,
    ``.txt``; path. The README's copy is :attr:`Readme.doc` of :func:`find_readme`.
    """
    return context.fact(_find_compliance)


def _find_compliance(context: AuditContext) -> FoundDocument | None:
    dist = context.dist
    candidates = [
        path for path in dist.files
        if ".dist-info/" not in path.split("/", 1)[0] + "/"
        and "compliance" in path.rpartition("/")[2].casefold()  # no PurePosixPath per file
        and PurePosixPath(path).suffix.lower() in DOCUMENT_SUFFIXES
    ]
    if not candidates:
        return None
    packages = {path.split("/", 1)[0] for path in dist.files if path.count("/") == 1
                and path.endswith("/__init__.py")}
    package = context.driver_names.package
    path = min(candidates, key=lambda p: _document_rank(p, package, packages))
    where = dist.where(path)
    return FoundDocument(path, where, parse_compliance(dist.text(path), where))


@dataclass(frozen=True)
class Readme:
    """The README as the wheel ships it (the METADATA description).

    ``content_type`` is the Description-Content-Type's media type, lower
    case ("" when not declared); ``file`` is the README file of a source
    target (relative to its root) when there is one; ``where`` names the
    README in evidence: that file when its text is the description, else the
    wheel's METADATA, where the text begins at line ``first_line``. ``doc``
    is the README parsed; its compliance sections are the README's copy of
    the compliance documentation.
    """

    text: str
    content_type: str
    file: str | None
    where: str
    first_line: int
    doc: ComplianceDoc


def find_readme(context: AuditContext) -> Readme | None:
    """The README (description) the wheel ships, parsed; None when it ships none."""
    return context.fact(_find_readme)


def _readme_file(context: AuditContext) -> str | None:
    root = context.dist.source_root
    if root is None:
        return None
    declared = context.dist.pyproject.get("readme")
    if isinstance(declared, dict):
        declared = declared.get("file")
    names = [declared] if isinstance(declared, str) else []
    names += ["README.md", "README.rst", "README.txt", "README"]
    return next((name for name in names if (root / name).is_file()), None)


def _find_readme(context: AuditContext) -> Readme | None:
    dist = context.dist
    description = dist.metadata.get("description") or ""
    content_type = (dist.metadata.get("description_content_type") or "").split(";")[0]
    content_type = content_type.strip().lower()
    file = _readme_file(context)
    file_text = ""
    if file is not None and dist.source_root is not None:
        try:
            file_text = (dist.source_root / file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            file = None
    if not description.strip() and not file_text.strip():
        return None
    if file is not None and (not description.strip()
                             or file_text.strip() == description.strip()):
        text = file_text
        doc = parse_compliance(text, file)
        return Readme(text, content_type, file, file, 1, doc)
    metadata = next((path for path in dist.files if path.count("/") == 1
                     and path.endswith(".dist-info/METADATA")), "METADATA")
    first_line = 1
    if metadata in dist.files:
        head, _, _ = dist.text(metadata).partition("\n\n")
        first_line = head.count("\n") + 3
    doc = parse_compliance(description, metadata, first_line=first_line,
                           markdown=content_type == "text/markdown")
    return Readme(description, content_type, file, metadata, first_line, doc)
