"""The driver vendor's own compliance document, as compliance.md keeps it: word for word.

compliance.md is drafted for the vendor to ship; what the vendor already
wrote is theirs (their test setups, their notes, their file names) and
ivi-conform only adds to it. report.json carries each section of the
vendor's document verbatim (``compliance_document.sections``); this module
hands it back section by section. A Markdown document is kept as written; a
reStructuredText or text one is made literal Markdown (its ````code```` becomes
```code```, every other Markdown mark is escaped), so that a file name such
as ``___Introduction to X___.md`` never turns into emphasis.
"""

from __future__ import annotations

import re

from ivi_conform.reports.report_types import Report, ShippedSection

#: A list marker and the indentation before it, kept as they are.
_LEAD = re.compile(r"^(\s*(?:[-*+]|\d+[.)])?\s*)(.*)$")
#: Inline code in reStructuredText (````x````) or Markdown (```x```).
_CODE = re.compile(r"``(.+?)``|`([^`]+)`")
_MARKS = re.compile(r"([\\*_<>|\[\]])")


class VendorDocument:
    """The sections of the vendor's document, by the Core's section and subsection names."""

    def __init__(self, report: Report) -> None:
        shipped = report["compliance_document"]
        self.path = shipped["path"] if shipped else None
        self.markdown = shipped["markdown"] if shipped else True
        self.sections: list[ShippedSection] = list(shipped["sections"]) if shipped else []

    def text(self, section: str, subsection: str | None = None) -> str | None:
        """The vendor's text of a Core section (or of one of its subsections); None when
        the vendor did not write the section."""
        for part in self.sections:
            if part["section"] == section and part["subsection"] == subsection:
                return self._markdown(part["text"])
        return None

    def subsections(self, section: str) -> list[str]:
        """The titles of the vendor's subsections of a Core section (``Test Setup 1``...)."""
        return [str(part["subsection"]) for part in self.sections
                if part["section"] == section and part["subsection"] is not None]

    def introduction(self) -> list[str]:
        """The vendor's text before its first Core section (its title section's body)."""
        found: list[str] = []
        for part in self.sections:
            if part["section"] is not None:
                break
            if part["text"]:
                found.append(self._markdown(part["text"]))
        return found

    def others(self) -> list[tuple[str, str]]:
        """The vendor's sections after the first Core one that the Core does not name:
        ``(heading, text)``, kept under Additional Compliance Information."""
        core_seen = False
        found: list[tuple[str, str]] = []
        for part in self.sections:
            core_seen = core_seen or part["section"] is not None
            if core_seen and part["section"] is None:
                found.append((literal(part["heading"]), self._markdown(part["text"])))
        return found

    def _markdown(self, text: str) -> str:
        if self.markdown:
            return text
        return "\n".join(literal_line(line) for line in text.splitlines())


def literal(text: str) -> str:
    """Plain text as Markdown shows it unchanged: inline code kept, other marks escaped."""
    pieces: list[str] = []
    last = 0
    for found in _CODE.finditer(text):
        pieces.append(_MARKS.sub(r"\\\1", text[last:found.start()]))
        pieces.append(f"`{found[1] or found[2]}`")
        last = found.end()
    pieces.append(_MARKS.sub(r"\\\1", text[last:]))
    return "".join(pieces)


def literal_line(line: str) -> str:
    """One line of a text document as literal Markdown, its list marker kept."""
    lead = _LEAD.match(line)
    assert lead is not None  # the pattern matches every line
    return lead[1] + literal(lead[2])
