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
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from ivi_conform.checks import check
from ivi_conform.documents.compliance import find_compliance_document
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.identity import Identity, compliance_item, identity
from ivi_conform.static.vendors import Vendor, same_company

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


def _companies(entries: list[Vendor]) -> str:
    return " or ".join(sorted({entry.company for entry in entries}))


def _describe(token: str, entries: list[Vendor]) -> str:
    return "; ".join(entry.describe(token) for entry in entries)


# --- the rules ---


def _unnamed_manufacturer(context: AuditContext) -> str:
    """Why the instrument manufacturer is not known statically, and which rule charges that.

    No behavioural rule compares the identifier's tokens with the running
    driver's ``instrument_manufacturer`` (run-utility-identity judges that
    value against the instrument's identity, not the identifier), so the skip
    names the static rule whose defect leaves the manufacturer unnamed.
    """
    unnamed = ("the instrument manufacturer is not named statically (instrument_manufacturer "
               "returns no literal)")
    if find_compliance_document(context) is None:
        return (f"{unnamed} and there is no compliance document, whose Instrument Manufacturer "
                "item would name it; contents-compliance-document charges the missing document "
                "(no behavioural rule compares the token with the running driver)")
    return (f"{unnamed} and the compliance document's Instrument Manufacturer item is missing or "
            "empty; compliance-sections-items judges the item (no behavioural rule compares "
            "the token with the running driver)")


@check("ident-manufacturer-token")
def manufacturer_token(context: AuditContext) -> Finding:
    """The first token abbreviates the instrument manufacturer."""
    ident = identity(context)
    assert ident.root is not None  # the rule's need (rules/*.toml)
    named = ident.manufacturers
    if named is None:
        return Finding.skipped(_unnamed_manufacturer(context))
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
    assert ident.root is not None  # the rule's need (rules/*.toml)
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
    assert ident.root is not None  # the rule's need (rules/*.toml)
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
    assert ident.root is not None  # the rule's need (rules/*.toml)
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
    assert ident.root is not None and ident.package is not None  # the rule's need
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
    assert ident.package is not None  # the rule's need (rules/*.toml)
    name = context.dist.name
    if ident.package != ident.package.lower():
        if name != name.lower() and canonicalize_name(name) == canonicalize_name(ident.package):
            return Finding.skipped(
                f"import package {ident.package} is the distribution name {name!r}, which is "
                "not in lower case either: one name, one defect; distname-lowercase charges "
                "it, so this rule is not judged separately")
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
    assert ident.root is not None  # the rule's need (rules/*.toml)
    problems = _pascal_problems(ident)
    if problems:
        return Finding.failed(
            f"{ident.class_name} is not in Pascal case: {'; '.join(problems)}",
            (ident.root.evidence(f"class {ident.class_name}"),),
        )
    return Finding.passed(f"{ident.class_name} is in Pascal case")
