"""The vendor table: the abbreviations a driver identifier may be built from.

IVI-Python says the manufacturer and vendor tokens of a driver identifier
"shall be a vendor abbreviation from VPP-9", either the 2-character one or the
indefinite-length one. The table is VPP-9 (``data/vpp9.csv``, revision 4.35,
which has no indefinite-length column filled yet), plus the reference
instrument's manufacturer (SK / Skylight, fictitious, so that drivers of the
reference instrument are judged like any other), plus what the user adds
through ``AuditConfig.vendors``. Every entry keeps where it came from, so a
report can say "registered", "the reference instrument's" or "not registered".

Company names are matched loosely (case, punctuation, "&"/"and", legal-form
words such as Inc. or GmbH), because a driver's ``driver_vendor`` string is
free text: RsInstrument returns "ROHDE&SCHWARZ" for VPP-9's "Rohde & Schwarz GmbH".
"""

from __future__ import annotations

import csv
import enum
import functools
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources


class Registration(enum.StrEnum):
    """Where an abbreviation comes from."""

    VPP9 = "registered in VPP-9"
    REFERENCE = "the reference instrument's, not in VPP-9"
    USER = "added by configuration, not registered in VPP-9"


@dataclass(frozen=True)
class Vendor:
    """One row of the table: a company and its abbreviations."""

    company: str
    code: str
    long_form: str
    registration: Registration

    @property
    def abbreviations(self) -> tuple[str, ...]:
        """The 2-character code and, when there is one, the indefinite-length form."""
        return tuple(form for form in (self.code, self.long_form) if form)

    def describe(self, abbreviation: str) -> str:
        """``SK = Skylight Test Systems (the reference instrument's, not in VPP-9)``."""
        return f"{abbreviation} = {self.company} ({self.registration.value})"


#: The reference instrument's manufacturer (sunroof-actuator-scpi.md, "Identity").
REFERENCE_VENDOR = Vendor("Skylight Test Systems", "SK", "Skylight", Registration.REFERENCE)

#: Words that name a legal form, not a company; dropped when company names are compared.
_LEGAL_FORMS = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc",
    "gmbh", "kg", "ag", "bv", "nv", "sa", "sas", "srl", "spa", "plc", "pty", "oy", "ab",
    "as", "kk", "the",
})


def company_key(name: str) -> tuple[str, ...]:
    """A company name reduced to its distinctive words, for loose comparison."""
    words = re.findall(r"[a-z0-9]+", name.casefold().replace("&", " and ").replace("+", " and "))
    return tuple(word for word in words if word not in _LEGAL_FORMS)


class VendorTable:
    """The abbreviations known to one audit, looked up by abbreviation or company."""

    def __init__(self, vendors: Iterable[Vendor]) -> None:
        self.vendors: tuple[Vendor, ...] = tuple(vendors)
        self._by_abbreviation: dict[str, list[Vendor]] = {}
        for vendor in self.vendors:
            for abbreviation in vendor.abbreviations:
                self._by_abbreviation.setdefault(abbreviation.casefold(), []).append(vendor)

    def by_abbreviation(self, token: str) -> list[Vendor]:
        """The companies registered under ``token``, case-insensitively (VPP-9 has duplicates)."""
        return self._by_abbreviation.get(token.casefold(), [])

    def abbreviations(self) -> list[tuple[str, Vendor]]:
        """Every abbreviation with its company, longest first (so "Skylight" beats "SK")."""
        pairs = [(abbr, vendor) for vendor in self.vendors for abbr in vendor.abbreviations]
        return sorted(pairs, key=lambda pair: -len(pair[0]))

    def by_company(self, name: str) -> list[Vendor]:
        """The entries whose company is ``name``, compared loosely.

        Equal distinctive words match; so does a name whose words begin the
        company's (``Keysight`` for "Keysight Technologies") when only one
        company begins so, and the indefinite-length abbreviation itself.
        """
        key = company_key(name)
        if not key:
            return []
        exact = [vendor for vendor in self.vendors if company_key(vendor.company) == key]
        if exact:
            return exact
        by_long_form = [
            vendor for vendor in self.vendors
            if vendor.long_form and vendor.long_form.casefold() == name.strip().casefold()
        ]
        if by_long_form:
            return by_long_form
        prefixed = [
            vendor for vendor in self.vendors
            if _starts(theirs := company_key(vendor.company), key) or _starts(key, theirs)
        ]
        return prefixed if len({vendor.company for vendor in prefixed}) == 1 else []


def _starts(words: tuple[str, ...], prefix: tuple[str, ...]) -> bool:
    return bool(prefix) and words[: len(prefix)] == prefix


def same_company(first: str, second: str, table: VendorTable) -> bool:
    """Whether two company names name the same company (loosely, or by one table entry)."""
    if company_key(first) == company_key(second):
        return True
    ours = {vendor.company for vendor in table.by_company(first)}
    return bool(ours) and ours == {vendor.company for vendor in table.by_company(second)}


def parse_vpp9(text: str) -> list[Vendor]:
    """The rows of a VPP-9 CSV (``two_char,long_form,company``); a filled long_form is kept."""
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        code = (row.get("two_char") or "").strip()
        company = (row.get("company") or "").strip()
        if code and company:
            long_form = (row.get("long_form") or "").strip()
            rows.append(Vendor(company, code, long_form, Registration.VPP9))
    return rows


@functools.cache
def vpp9() -> tuple[Vendor, ...]:
    """VPP-9 as shipped in ``ivi_conform/data/vpp9.csv``."""
    text = (resources.files("ivi_conform") / "data" / "vpp9.csv").read_text(encoding="utf-8")
    return tuple(parse_vpp9(text))


def user_vendors(extra: Mapping[str, str]) -> list[Vendor]:
    """The user's abbreviations: 2 characters are a code, longer ones an indefinite-length form."""
    added = []
    for abbreviation, company in sorted(extra.items()):
        token = abbreviation.strip()
        if len(token) <= 2:
            added.append(Vendor(company, token, "", Registration.USER))
        else:
            added.append(Vendor(company, "", token, Registration.USER))
    return added


def vendor_table(extra: Mapping[str, str] | None = None) -> VendorTable:
    """VPP-9, the reference instrument's entry and the user's additions."""
    return VendorTable([*vpp9(), REFERENCE_VENDOR, *user_vendors(extra or {})])
