"""What the driver says about itself without running: its identifier, its companies, its metadata.

The identifier rules, the metadata rules and the distribution-naming rules
read the same facts: the driver identifier as the package and root class
write it (:class:`Identity`, parsed once per audit), the values the driver
states statically (the compliance document's items, the literals of the
utility class, the metadata's Author), and where a METADATA field is
written (:func:`metadata_evidence`). They live here, below the checks, so
that no check imports another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivi_conform.documents.compliance import DocItem, find_compliance_document
from ivi_conform.model import Evidence
from ivi_conform.static.literals import static_values
from ivi_conform.static.source import ClassInfo
from ivi_conform.static.vendors import Vendor, VendorTable, vendor_table

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


# --- values the driver states without running: literals and the compliance document ---


@dataclass(frozen=True)
class Stated:
    """A value the driver states, and where it states it."""

    value: str | tuple[str, ...]
    where: Evidence

    @property
    def names(self) -> tuple[str, ...]:
        """The value as a tuple of strings."""
        return self.value if isinstance(self.value, tuple) else (self.value,)


def compliance_item(
    context: AuditContext, section: str, name: str
) -> tuple[DocItem, Evidence] | None:
    """A non-empty item of the shipped compliance document, with where it is."""
    found = find_compliance_document(context)
    if found is None:
        return None
    item = found.doc.item(section, name)
    if item is None or item.is_empty:
        return None
    return item, found.doc.evidence(item, f"{name}: {item.text}")


_LEGAL_FORM = re.compile(r"(?i)(inc|corp|ltd|llc|co|gmbh|kg|ag|plc|s\.?a)\.?")


def split_names(value: str) -> tuple[str, ...]:
    """A list item's names: separated by ";" or by "," when no name has a comma inside.

    Company names hold commas ("Tektronix, Inc."), so a comma separates only
    where the text after it is not a legal form.
    """
    parts = [part.strip() for part in value.split(";") if part.strip()]
    names: list[str] = []
    for part in parts:
        pieces = [piece.strip() for piece in part.split(",") if piece.strip()]
        merged: list[str] = []
        for piece in pieces:
            if merged and _LEGAL_FORM.fullmatch(piece):
                merged[-1] = f"{merged[-1]}, {piece}"
            else:
                merged.append(piece)
        names.extend(merged)
    return tuple(names)


# --- the identifier, parsed once per audit ---


@dataclass
class Identity:
    """The driver identifier as the driver writes it, and the companies it should name."""

    table: VendorTable
    package: str | None = None
    root: ClassInfo | None = None
    #: The first token as written in the class name, and the companies it abbreviates.
    manufacturer_token: str = ""
    manufacturer_entries: list[Vendor] = field(default_factory=list)
    model: str = ""
    #: "_" or "" before the vendor token; None when the package does not begin with the class.
    separator: str | None = None
    #: The vendor token (lower case, from the package); "" when there is none.
    vendor_token: str = ""
    vendor_entries: list[Vendor] = field(default_factory=list)
    manufacturers: Stated | None = None
    driver_vendor: Stated | None = None

    @property
    def class_name(self) -> str:
        """``<DriverClassName>`` as the root class spells it."""
        return self.root.name if self.root else ""

    def package_evidence(self, detail: str = "") -> Evidence:
        """The package's ``__init__.py``."""
        return Evidence(f"{self.package}/__init__.py", None, detail)


def _first_token(name: str, table: VendorTable) -> tuple[str, list[Vendor]]:
    """The vendor abbreviation that begins ``name`` at a token boundary, longest first.

    ``SK`` (upper case) ends where it ends; ``Sk`` or ``Skylight`` must be
    followed by an upper-case letter or a digit, so ``SkylightSunroof`` is
    Skylight + Sunroof, never Sk + ylightSunroof.
    """
    for abbreviation, _vendor in table.abbreviations():
        size = len(abbreviation)
        written = name[:size]
        if written.casefold() != abbreviation.casefold():
            continue
        following = name[size:size + 1]
        if (not following or (size == 2 and written.isupper()) or following.isupper()
                or following.isdigit()):
            return written, table.by_abbreviation(written)
    return "", []


def stated_manufacturer(context: AuditContext) -> Stated | None:
    """The instrument manufacturer(s) as the driver states them statically, or None.

    The compliance document's Instrument Manufacturer item (names split),
    else a literal returned by ``instrument_manufacturer``.
    """
    item = compliance_item(context, "Hardware Information", "Instrument Manufacturer")
    if item is not None:
        return Stated(split_names(item[0].text), item[1])
    utility = context.driver.utility
    if utility is not None:
        returned = static_values(context).returned(utility, "instrument_manufacturer")
        if returned is not None and isinstance(returned[0], str):
            return Stated((returned[0],), returned[1])
    return None


def stated_driver_vendor(context: AuditContext) -> Stated | None:
    """The driver vendor: ``driver_vendor``'s literal, the compliance item, or the Author."""
    utility = context.driver.utility
    if utility is not None:
        returned = static_values(context).returned(utility, "driver_vendor")
        if returned is not None and isinstance(returned[0], str):
            return Stated(returned[0], returned[1])
    item = compliance_item(context, "Driver Identification", "Driver Vendor")
    if item is not None:
        return Stated(item[0].text, item[1])
    metadata = context.dist.metadata
    author = metadata.get("author") or metadata.get("maintainer")
    if not author:
        email = metadata.get("author_email") or metadata.get("maintainer_email") or ""
        author = email.split("<", 1)[0].strip().strip('"') if "<" in email else ""
    if author:
        return Stated(author, Evidence("METADATA", None, f"Author: {author}"))
    return None


def identity(context: AuditContext) -> Identity:
    """The audit's parsed identifier, computed once per audit (a fact of the context)."""
    return context.fact(_identify)


def _identify(context: AuditContext) -> Identity:
    table = vendor_table(context.config.vendors)
    shape = context.driver
    ident = Identity(
        table, shape.package, shape.root,
        manufacturers=stated_manufacturer(context),
        driver_vendor=stated_driver_vendor(context),
    )
    if shape.root is None or shape.package is None:
        return ident
    name = shape.root.name
    ident.manufacturer_token, ident.manufacturer_entries = _first_token(name, table)
    ident.model = name[len(ident.manufacturer_token):]
    # An underscore inside the class name is the model token's fault (ident-model-token).
    stem = name.replace("_", "").lower()
    if shape.package.lower().startswith(stem):
        rest = shape.package[len(stem):]
        ident.separator = "_" if rest.startswith("_") else ""
        ident.vendor_token = rest[len(ident.separator):]
        if ident.vendor_token:
            ident.vendor_entries = table.by_abbreviation(ident.vendor_token)
    return ident


#: METADATA field → the pyproject.toml [project] key that writes it.
_PYPROJECT_KEY = {
    "Name": "name", "Version": "version", "Requires-Python": "requires-python",
    "Keywords": "keywords", "Classifier": "classifiers",
}


def metadata_evidence(
    context: AuditContext, field: str, value: str = "", detail: str = ""
) -> Evidence:
    """Where ``field`` (a METADATA field name) is written, at ``value``'s line if given.

    A source folder's pyproject.toml line when its [project] table writes the
    field, else the wheel's METADATA line.
    """
    detail = detail or (f"{field}: {value}" if value else field)
    source = context.dist.source_root
    key = _PYPROJECT_KEY.get(field)
    if source is not None and key is not None and (source / "pyproject.toml").is_file():
        lines = (source / "pyproject.toml").read_text(encoding="utf-8").splitlines()
        start = next((number for number, line in enumerate(lines)
                      if re.match(rf"\s*{re.escape(key)}\s*=", line)), None)
        if start is not None:
            found = start
            if value:
                quoted = (f'"{value}"', f"'{value}'")
                found = next((number for number in range(start, len(lines))
                              if any(text in lines[number] for text in quoted)), start)
            return Evidence("pyproject.toml", found + 1, detail)
    paths = [path for path in context.dist.files
             if path.count("/") == 1 and path.endswith(".dist-info/METADATA")]
    if not paths:
        return Evidence("METADATA", None, detail)
    text = context.dist.text(paths[0])
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            break
        if line.startswith(f"{field}:") and (not value or value in line):
            return Evidence(paths[0], number, detail)
    return Evidence(paths[0], None, detail)


