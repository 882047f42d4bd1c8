"""Section "Driver Identifier and Driver Class Name": the tokens of the identifier.

The grammar is ``<DriverIdentifier> ::=
<InstrumentManufacturer><InstrumentModel>[[_]<DriverVendor>]`` and
``<DriverClassName> ::= <InstrumentManufacturer><InstrumentModel>``. The
identifier is read where the driver writes it: the import package is
``<driver_identifier>``, the root class is ``<DriverClassName>``, so whatever
follows the lower-cased class name in the package name is the vendor token.
The companies the tokens must name (instrument manufacturer, driver vendor)
are read without running the driver: the compliance document's items, the
literals the utility class returns, the metadata's Author.

Every rule here shares one :class:`Identity`, computed once per audit.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.compliance_doc import DocItem, find_compliance_document
from ivi_conform.literals import static_values
from ivi_conform.model import Evidence, Finding
from ivi_conform.source import ClassInfo
from ivi_conform.vendors import Vendor, VendorTable, same_company, vendor_table

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


_IDENTITIES: weakref.WeakKeyDictionary[AuditContext, Identity] = weakref.WeakKeyDictionary()
def identity(context: AuditContext) -> Identity:
    """The audit's parsed identifier (computed on first use)."""
    found = _IDENTITIES.get(context)
    if found is None:
        found = _IDENTITIES[context] = _identify(context)
    return found


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


def _companies(entries: list[Vendor]) -> str:
    return " or ".join(sorted({entry.company for entry in entries}))


def _describe(token: str, entries: list[Vendor]) -> str:
    return "; ".join(entry.describe(token) for entry in entries)


def _no_root(ident: Identity) -> Finding | None:
    if ident.package is None:
        return Finding.skipped("no driver package found (see package-init)")
    if ident.root is None:
        return Finding.skipped(f"no root class found in {ident.package} (see class-root)")
    return None


# --- the rules ---


@check("ident-manufacturer-token")
def manufacturer_token(context: AuditContext) -> Finding:
    """The first token abbreviates the instrument manufacturer."""
    ident = identity(context)
    missing = _no_root(ident)
    if missing is not None:
        return missing
    assert ident.root is not None
    named = ident.manufacturers
    if named is None:
        return Finding.skipped(
            "the instrument manufacturer is not named statically (no Instrument Manufacturer "
            "item in a compliance document, no literal instrument_manufacturer): the "
            "behavioural rules read it from the API"
        )
    if len(named.names) > 1:
        return Finding.passed(
            f"the driver supports several manufacturers ({', '.join(named.names)}): the first "
            f"token is the driver vendor's choice", (named.where,)
        )
    manufacturer = named.names[0]
    entries = ident.table.by_company(manufacturer)
    if not entries:
        return Finding.passed(
            f"the instrument manufacturer {manufacturer!r} has no vendor abbreviation: the "
            f"first token is the driver vendor's choice (the vendor token is then required)",
            (named.where,),
        )
    companies = {entry.company for entry in entries}
    token = ident.manufacturer_token
    if token and companies & {entry.company for entry in ident.manufacturer_entries}:
        return Finding.passed(
            f"{ident.class_name} begins with {_describe(token, ident.manufacturer_entries)}, "
            f"the instrument manufacturer {manufacturer!r}", (named.where,)
        )
    expected = ", ".join(abbr for entry in entries for abbr in entry.abbreviations)
    begins = (f"begins with {_describe(token, ident.manufacturer_entries)}" if token
              else "does not begin with a vendor abbreviation")
    return Finding.failed(
        f"{ident.class_name} {begins}, not with the abbreviation of the instrument manufacturer "
        f"{manufacturer!r} ({expected})",
        (ident.root.evidence(f"class {ident.class_name}"), named.where),
    )


@check("ident-model-token")
def model_token(context: AuditContext) -> Finding:
    """The model token is present and holds no underscore."""
    ident = identity(context)
    missing = _no_root(ident)
    if missing is not None:
        return missing
    assert ident.root is not None
    name = ident.class_name
    if "_" in name:
        return Finding.failed(
            f"{name} holds an underscore: <DriverClassName> is <InstrumentManufacturer>"
            f"<InstrumentModel> and the model token shall not include '_'",
            (ident.root.evidence(f"class {name}"),),
        )
    if ident.manufacturer_token and not ident.model:
        return Finding.failed(
            f"{name} is only the manufacturer abbreviation: the second token shall identify "
            f"the instrument models", (ident.root.evidence(f"class {name}"),),
        )
    model = ident.model or name
    return Finding.passed(f"model token {model!r} of {name} holds no underscore")


@check("ident-vendor-token")
def vendor_token(context: AuditContext) -> Finding:
    """The vendor token is there when it must be, and names the driver vendor."""
    ident = identity(context)
    missing = _no_root(ident)
    if missing is not None:
        return missing
    if ident.separator is None:
        return Finding.skipped(
            f"{ident.package} does not begin with {ident.class_name} in lower case, so its "
            f"vendor token cannot be told (see ident-consistent)"
        )
    token, vendor, named = ident.vendor_token, ident.driver_vendor, ident.manufacturers
    where = ident.package_evidence(f"package {ident.package}")
    evidence = tuple(item.where for item in (vendor, named) if item is not None)
    reasons: list[str] = []
    if named is not None and len(named.names) > 1:
        reasons.append(f"the driver supports several manufacturers ({', '.join(named.names)})")
    elif named is not None and not ident.table.by_company(named.names[0]):
        reasons.append(f"the instrument manufacturer {named.names[0]!r} is not in VPP-9")
    elif named is not None and vendor is not None and isinstance(vendor.value, str):
        if not same_company(vendor.value, named.names[0], ident.table):
            reasons.append(f"the driver vendor {vendor.value!r} is not the instrument "
                           f"manufacturer {named.names[0]!r}")
    if token:
        if vendor is not None and isinstance(vendor.value, str) and ident.vendor_entries:
            ours = {entry.company for entry in ident.table.by_company(vendor.value)}
            if not ours & {entry.company for entry in ident.vendor_entries}:
                return Finding.failed(
                    f"vendor token {token!r} of {ident.package} is "
                    f"{_companies(ident.vendor_entries)}, not the driver vendor {vendor.value!r}",
                    (where, *evidence),
                )
        why = f" ({'; '.join(reasons)})" if reasons else ""
        return Finding.passed(f"{ident.package} ends with the vendor token {token!r}{why}")
    if reasons:
        return Finding.failed(
            f"{ident.package} has no vendor token although {'; '.join(reasons)}",
            (where, *evidence),
        )
    if named is None or vendor is None:
        unknown = "instrument manufacturer" if named is None else "driver vendor"
        return Finding.skipped(
            f"{ident.package} has no vendor token and the {unknown} is not named statically: "
            f"whether one is needed cannot be told"
        )
    return Finding.passed(
        f"no vendor token: the driver vendor {vendor.value!r} is the instrument manufacturer",
        evidence,
    )


@check("ident-vpp9")
def vpp9_tokens(context: AuditContext) -> Finding:
    """The manufacturer and vendor tokens are abbreviations of the vendor table."""
    ident = identity(context)
    missing = _no_root(ident)
    if missing is not None:
        return missing
    assert ident.root is not None
    seen: list[str] = []
    problems: list[Evidence] = []
    # A named, registered manufacturer: ident-manufacturer-token judges the first token.
    # A named manufacturer that is not registered (or several): the vendor's choice.
    # No manufacturer named: the first token must be an abbreviation, unless a vendor
    # token ends the identifier (the first may then be the vendor's choice).
    judged_elsewhere = ident.manufacturers is not None
    if ident.manufacturer_token:
        seen.append(_describe(ident.manufacturer_token, ident.manufacturer_entries))
    elif judged_elsewhere or ident.vendor_token:
        seen.append(f"the first token of {ident.class_name} is the driver vendor's choice "
                    f"or ident-manufacturer-token's to judge")
    else:
        problems.append(ident.root.evidence(
            f"{ident.class_name} does not begin with a vendor abbreviation (2 characters, "
            f"upper or Pascal case, or the indefinite-length form) followed by the model"
        ))
    if ident.vendor_token:
        if ident.vendor_entries:
            seen.append(_describe(ident.vendor_token, ident.vendor_entries))
        else:
            problems.append(ident.package_evidence(
                f"vendor token {ident.vendor_token!r} of {ident.package} is not a vendor "
                f"abbreviation"
            ))
    if problems:
        return Finding.failed(
            "; ".join(problem.detail for problem in problems)
            + " (VPP-9 and the abbreviations added by configuration)", tuple(problems),
        )
    return Finding.passed("; ".join(seen) if seen else "no token to look up")


@check("ident-consistent")
def consistent(context: AuditContext) -> Finding:
    """Package, class and documents spell the identifier with the same characters."""
    ident = identity(context)
    missing = _no_root(ident)
    if missing is not None:
        return missing
    assert ident.root is not None and ident.package is not None
    problems: list[Evidence] = []
    uses = [f"package {ident.package}", f"class {ident.class_name}"]
    if ident.separator is None:
        problems.append(ident.root.evidence(
            f"package {ident.package} does not begin with class {ident.class_name} in lower case"
        ))
    item = compliance_item(context, "Driver Identification", "Driver Identifier")
    if item is not None:
        uses.append(f"Driver Identifier {item[0].text}")
        if item[0].text.lower() != ident.package.lower():
            problems.append(Evidence(item[1].file, item[1].line,
                                     f"Driver Identifier {item[0].text}"))
    for path in context.dist.files:
        match = re.fullmatch(r"___Introduction to (.+)___\.\w+", path.rsplit("/", 1)[-1])
        if match is not None:
            uses.append(path.rsplit("/", 1)[-1])
            if match.group(1).lower() != ident.package.lower():
                problems.append(Evidence(context.dist.where(path), None,
                                         f"document name {match.group(0)}"))
    if problems:
        return Finding.failed(
            f"the identifier is spelled otherwise than package {ident.package}: "
            + "; ".join(problem.detail for problem in problems), tuple(problems),
        )
    return Finding.passed(f"the same characters throughout: {', '.join(uses)}")


@check("ident-package-lowercase")
def package_lowercase(context: AuditContext) -> Finding:
    """The import package is ``<driver_identifier>``: the identifier in lower case."""
    ident = identity(context)
    if ident.package is None:
        return Finding.skipped("no driver package found (see package-init)")
    if ident.package != ident.package.lower():
        return Finding.failed(
            f"import package {ident.package} is not in lower case (<driver_identifier> is "
            f"{ident.package.lower()})", (ident.package_evidence(),),
        )
    return Finding.passed(f"import package {ident.package} is in lower case")


def _pascal_problems(ident: Identity) -> list[str]:
    token, name = ident.manufacturer_token, ident.class_name
    problems = []
    if token:
        if len(token) == 2:
            if not (token.isupper() or (token[0].isupper() and token[1].islower())):
                problems.append(f"abbreviation {token!r} is neither upper case nor Pascal case")
        elif not (token[0].isupper() and not token.isupper()):
            problems.append(f"indefinite-length abbreviation {token!r} is not in Pascal case")
    elif not name[:1].isupper():
        problems.append(f"{name} does not begin with an upper-case letter")
    model = ident.model.lstrip("_") if token else ""
    if model and not (model[0].isupper() or model[0].isdigit()):
        problems.append(f"model token {model!r} does not begin with an upper-case letter or "
                        f"a digit")
    return problems


@check("ident-class-case")
def class_case(context: AuditContext) -> Finding:
    """``<DriverClassName>`` is in Pascal case (a 2-character abbreviation may be upper case)."""
    ident = identity(context)
    missing = _no_root(ident)
    if missing is not None:
        return missing
    assert ident.root is not None
    problems = _pascal_problems(ident)
    if problems:
        return Finding.failed(
            f"{ident.class_name} is not in Pascal case: {'; '.join(problems)}",
            (ident.root.evidence(f"class {ident.class_name}"),),
        )
    return Finding.passed(f"{ident.class_name} is in Pascal case")
