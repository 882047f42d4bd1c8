"""The vendor table: VPP-9, the reference instrument's entry, the user's additions."""

from __future__ import annotations

import pytest

from ivi_conform.static.vendors import (
    REFERENCE_VENDOR,
    Registration,
    Vendor,
    VendorTable,
    company_key,
    parse_vpp9,
    same_company,
    vendor_table,
    vpp9,
)


def test_vpp9_is_revision_4_35_with_its_duplicates() -> None:
    rows = vpp9()
    assert len(rows) == 103
    assert all(row.registration is Registration.VPP9 and len(row.code) == 2 for row in rows)
    table = vendor_table()
    assert {vendor.company for vendor in table.by_abbreviation("AU")} == {
        "Anritsu Company", "Serendipity Systems, Inc."}
    assert len(table.by_abbreviation("at")) == 2


def test_the_reference_instrument_is_in_the_table_and_marked() -> None:
    table = vendor_table()
    assert table.by_abbreviation("SK") == [REFERENCE_VENDOR]
    assert table.by_abbreviation("skylight") == [REFERENCE_VENDOR]
    assert REFERENCE_VENDOR.describe("Sk") == (
        "Sk = Skylight Test Systems (the reference instrument's, not in VPP-9)")


def test_user_abbreviations_are_codes_or_long_forms_and_unregistered() -> None:
    table = vendor_table({"XY": "Xy Instruments", "Xylo": "Xy Instruments"})
    (code,) = table.by_abbreviation("xy")
    (long_form,) = table.by_abbreviation("XYLO")
    assert (code.code, code.long_form) == ("XY", "")
    assert (long_form.code, long_form.long_form) == ("", "Xylo")
    assert long_form.abbreviations == ("Xylo",)
    assert code.registration is Registration.USER
    assert "not registered" in code.describe("XY")
    assert vendor_table().by_abbreviation("XY") == []


def test_a_filled_long_form_column_is_read() -> None:
    rows = parse_vpp9("two_char,long_form,company\nBI,Bask,Bask Instruments\nKT,,Keysight\n")
    assert rows[0].abbreviations == ("BI", "Bask")
    assert rows[1].abbreviations == ("KT",)
    table = VendorTable(rows)
    assert table.by_abbreviation("bask") == [rows[0]]
    assert [abbr for abbr, _ in table.abbreviations()][0] == "Bask"


@pytest.mark.parametrize(
    ("name", "code"),
    [("ROHDE&SCHWARZ", "RS"), ("Rohde & Schwarz GmbH & Co. KG", "RS"), ("Keysight", "KT"),
     ("keysight technologies, inc.", "KT"), ("Tektronix", "TK"), ("National Instruments", "NI"),
     ("Skylight", "SK"), ("Skylight Test Systems", "SK")],
)
def test_company_names_match_loosely(name: str, code: str) -> None:
    assert {vendor.code for vendor in vendor_table().by_company(name)} == {code}


@pytest.mark.parametrize("name", ["", "Rigol Technologies", "Instruments", "Inc."])
def test_unknown_or_ambiguous_companies_match_nothing(name: str) -> None:
    assert vendor_table().by_company(name) == []


def test_same_company() -> None:
    table = vendor_table()
    assert same_company("Keysight Technologies", "KEYSIGHT TECHNOLOGIES INC", table)
    assert same_company("ROHDE&SCHWARZ", "Rohde & Schwarz GmbH", table)
    assert not same_company("Keysight Technologies", "Agilent Technologies", table)
    assert same_company("Rigol", "RIGOL", table)  # not in the table, same words


def test_company_key_drops_case_punctuation_and_legal_forms() -> None:
    assert company_key("C&H Technologies, Inc.") == ("c", "and", "h", "technologies")
    assert company_key("The Foo Company Ltd") == ("foo",)


def test_a_vendor_lists_its_abbreviations() -> None:
    vendor = Vendor("Bask Instruments", "BI", "Bask", Registration.VPP9)
    assert vendor.abbreviations == ("BI", "Bask")
