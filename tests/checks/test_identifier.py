"""Driver identifier rules on small drivers the project has never seen.

Each driver is written as a wheel (no build backend: fast) and loaded through
:func:`ivi_conform.candidate.load`, as the engine loads any wheel.
"""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

import pytest
from wheelkit import judged

from ivi_conform.candidate import load
from ivi_conform.checks import identifier as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome
from ivi_conform.static import identity

#: The spec's example companies, added as the user would add them.
SPEC_VENDORS = {
    "BI": "Bar Inc.", "Bar": "Bar Inc.", "FI": "Foo Inc.", "Foo": "Foo Inc.",
    "Bask": "Bask Instruments", "BK2": "unused",
}


def wheel(
    tmp_path: Path, files: dict[str, str], *, name: str, vendors: dict[str, str] | None = None
) -> AuditContext:
    """Write ``files`` as the wheel of distribution ``name`` and open an audit of it."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, text in files.items():
            zipped.writestr(member, textwrap.dedent(text))
        zipped.writestr(f"{name}-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0.0\n\n")
    work = tmp_path / "work"
    return AuditContext(load(str(path), work_dir=work), AuditConfig(vendors=vendors or {}), work)


def driver(
    package: str,
    root: str,
    *,
    vendor: str | None = None,
    manufacturer: str | None = None,
    identifier: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """A minimal driver: package, root class with ivi_utility, optional compliance items."""
    vendor_property = (
        f"\n    @property\n    def driver_vendor(self) -> str:\n        return {vendor!r}\n"
        if vendor is not None else ""
    )
    files = {
        f"{package}/__init__.py": f"from {package}.driver import {root}\n",
        f"{package}/driver.py": (
            f"class Utility:\n    pass{vendor_property}\n\n\n"
            f"class {root}:\n    @property\n    def ivi_utility(self) -> Utility:\n"
            f"        return Utility()\n"
        ),
    }
    items = []
    if identifier is not None:
        items.append(f"## Driver Identification\n\n- Driver Identifier: {identifier}\n")
    if manufacturer is not None:
        items.append(f"## Hardware Information\n\n- Instrument Manufacturer: {manufacturer}\n")
    if items:
        files[f"{package}/ivi_compliance.md"] = "# Compliance\n\n" + "\n".join(items)
    files.update(extra or {})
    return files


RULES = (
    "ident-manufacturer-token", "ident-model-token", "ident-vendor-token", "ident-vpp9",
    "ident-consistent", "ident-package-lowercase", "ident-class-case",
)
CHECKS = {
    "ident-manufacturer-token": checks.manufacturer_token,
    "ident-model-token": checks.model_token,
    "ident-vendor-token": checks.vendor_token,
    "ident-vpp9": checks.vpp9_tokens,
    "ident-consistent": checks.consistent,
    "ident-package-lowercase": checks.package_lowercase,
    "ident-class-case": checks.class_case,
}


def outcomes(context: AuditContext) -> dict[str, Outcome]:
    """Every identifier rule's outcome on one driver."""
    return {rule: judged(context, rule).outcome for rule in RULES}


def test_the_checks_are_registered_under_their_rule_ids() -> None:
    from ivi_conform.checks import registry

    assert all(registry()[rule] is CHECKS[rule] for rule in RULES)


@pytest.mark.parametrize(
    ("package", "root", "vendor", "manufacturer"),
    [
        # The spec's legal pairs, vendor and manufacturer the same.
        ("baskdmm", "BaskDmm", "Bask Instruments", "Bask Instruments"),
        # The spec's legal pairs, vendor Foo, manufacturer Bar.
        ("bartdr123afoo", "BarTdr123A", "Foo Inc.", "Bar Inc."),
        ("bitdr123afi", "BiTdr123A", "Foo Inc.", "Bar Inc."),
        ("bitdr123a_fi", "BiTdr123A", "Foo Inc.", "Bar Inc."),
        ("bitdr123afi", "BITdr123A", "Foo Inc.", "Bar Inc."),
    ],
)
def test_the_spec_examples_pass(
    tmp_path: Path, package: str, root: str, vendor: str, manufacturer: str
) -> None:
    context = wheel(tmp_path, driver(package, root, vendor=vendor, manufacturer=manufacturer),
                    name=package, vendors=SPEC_VENDORS)
    assert outcomes(context) == dict.fromkeys(RULES, Outcome.PASS)


def test_bidmm_with_a_two_character_upper_case_abbreviation_passes(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("bidmm", "BIDmm", vendor="Bar Inc.", manufacturer="Bar Inc."),
                    name="bidmm", vendors=SPEC_VENDORS)
    assert outcomes(context) == dict.fromkeys(RULES, Outcome.PASS)
    assert "not registered in VPP-9" in checks.vpp9_tokens(context).message


def test_a_different_vendor_without_vendor_token_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("bartdr123a", "BarTdr123A", vendor="Foo Inc.",
                                     manufacturer="Bar Inc."), name="bartdr123a",
                    vendors=SPEC_VENDORS)
    finding = checks.vendor_token(context)
    assert finding.outcome is Outcome.FAIL
    assert "'Foo Inc.' is not the instrument manufacturer 'Bar Inc.'" in finding.message
    assert finding.evidence[0].file == "bartdr123a/__init__.py"


def test_a_vendor_token_naming_another_company_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("kt34400ag", "Kt34400", vendor="Keysight Technologies",
                                     manufacturer="Keysight Technologies"), name="kt34400ag")
    finding = checks.vendor_token(context)
    assert finding.outcome is Outcome.FAIL
    assert "Agilent Technologies" in finding.message


def test_an_unregistered_manufacturer_with_a_vendor_token_passes(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("rgdsa815kt", "RgDsa815", vendor="Keysight Technologies",
                                     manufacturer="Rigol Technologies"), name="rgdsa815kt")
    assert outcomes(context) == dict.fromkeys(RULES, Outcome.PASS)
    assert "driver vendor's choice" in checks.manufacturer_token(context).message


def test_an_unregistered_manufacturer_without_a_vendor_token_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("rgdsa815", "RgDsa815", vendor="Rigol Technologies",
                                     manufacturer="Rigol Technologies"), name="rgdsa815")
    results = outcomes(context)
    assert results.pop("ident-vendor-token") is Outcome.FAIL
    assert set(results.values()) == {Outcome.PASS}
    assert "'Rigol Technologies' is not in VPP-9" in checks.vendor_token(context).message


def test_several_manufacturers_require_the_vendor_token(tmp_path: Path) -> None:
    several = "Keysight Technologies; Agilent Technologies"
    bare = wheel(tmp_path / "a", driver("ktdmm", "KtDmm", vendor="Keysight Technologies",
                                        manufacturer=several), name="ktdmm")
    assert checks.manufacturer_token(bare).outcome is Outcome.PASS
    assert checks.vendor_token(bare).outcome is Outcome.FAIL
    tokened = wheel(tmp_path / "b", driver("ktdmm_kt", "KtDmm", vendor="Keysight Technologies",
                                           manufacturer=several), name="ktdmm_kt")
    assert checks.vendor_token(tokened).outcome is Outcome.PASS


def test_the_first_token_of_another_manufacturer_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("ag34400", "Ag34400", vendor="Keysight Technologies",
                                     manufacturer="Keysight Technologies"), name="ag34400")
    finding = checks.manufacturer_token(context)
    assert finding.outcome is Outcome.FAIL
    assert "Agilent Technologies" in finding.message and "KT" in finding.message
    assert finding.evidence[0].file == "ag34400/driver.py"


def test_rsinstrument_shape(tmp_path: Path) -> None:
    """R&S RsInstrument: dist and package RsInstrument, driver_vendor "ROHDE&SCHWARZ"."""
    context = wheel(tmp_path, driver("RsInstrument", "RsInstrument", vendor="ROHDE&SCHWARZ"),
                    name="RsInstrument")
    assert outcomes(context) == {
        "ident-manufacturer-token": Outcome.SKIP,  # no compliance document, no literal
        "ident-model-token": Outcome.PASS,
        "ident-vendor-token": Outcome.SKIP,
        "ident-vpp9": Outcome.PASS,
        "ident-consistent": Outcome.PASS,
        "ident-package-lowercase": Outcome.SKIP,  # one name: distname-lowercase charges it
        "ident-class-case": Outcome.PASS,
    }
    assert "Rohde & Schwarz" in checks.vpp9_tokens(context).message
    assert "distname-lowercase charges it" in judged(context, "ident-package-lowercase").message


def test_the_indefinite_length_form_of_the_reference_instrument(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("skylightsunroof", "SkylightSunroof",
                                     vendor="Skylight Test Systems",
                                     manufacturer="Skylight Test Systems"),
                    name="skylightsunroof")
    assert outcomes(context) == dict.fromkeys(RULES, Outcome.PASS)
    message = checks.vpp9_tokens(context).message
    assert "Skylight = Skylight Test Systems" in message and "reference instrument" in message


def test_an_underscore_in_the_model_token_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("kt34400", "Kt_34400"), name="kt34400")
    assert checks.model_token(context).outcome is Outcome.FAIL
    assert checks.consistent(context).outcome is Outcome.PASS  # reported once


def test_a_class_that_is_only_the_abbreviation_has_no_model(tmp_path: Path) -> None:
    context = wheel(tmp_path, driver("kt", "Kt"), name="kt")
    finding = checks.model_token(context)
    assert finding.outcome is Outcome.FAIL
    assert "only the manufacturer abbreviation" in finding.message
    assert checks.vpp9_tokens(context).outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("root", "outcome"),
    [("KtDmm", Outcome.PASS), ("KTDmm", Outcome.PASS), ("Kt34400", Outcome.PASS),
     ("KTdmm", Outcome.FAIL), ("KtDMM", Outcome.PASS), ("Unknown3000", Outcome.PASS)],
)
def test_pascal_case(tmp_path: Path, root: str, outcome: Outcome) -> None:
    package = root.lower()
    context = wheel(tmp_path, driver(package, root), name=package)
    assert checks.class_case(context).outcome is outcome


def test_an_unknown_first_token_fails_without_a_vendor_token(tmp_path: Path) -> None:
    alone = wheel(tmp_path / "a", driver("zzdmm", "ZzDmm"), name="zzdmm")
    finding = checks.vpp9_tokens(alone)
    assert finding.outcome is Outcome.FAIL
    assert "does not begin with a vendor abbreviation" in finding.message
    with_vendor = wheel(tmp_path / "b", driver("zzdmmkt", "ZzDmm"), name="zzdmmkt")
    assert checks.vpp9_tokens(with_vendor).outcome is Outcome.PASS


def test_an_unknown_vendor_token_fails_and_a_user_added_one_passes(tmp_path: Path) -> None:
    files = driver("ktdmmxy", "KtDmm")
    assert checks.vpp9_tokens(wheel(tmp_path / "a", files, name="ktdmmxy")).outcome is (
        Outcome.FAIL)
    added = wheel(tmp_path / "b", files, name="ktdmmxy", vendors={"XY": "Xy Instruments"})
    finding = checks.vpp9_tokens(added)
    assert finding.outcome is Outcome.PASS
    assert "xy = Xy Instruments (added by configuration, not registered in VPP-9)" in (
        finding.message)


def test_the_identifier_must_be_spelled_alike_everywhere(tmp_path: Path) -> None:
    def document(name: str) -> dict[str, str]:
        return {f"bitdr123a_fi/___Introduction to {name}___.md": "# Introduction\n"}

    same = wheel(tmp_path / "a", driver("bitdr123a_fi", "BiTdr123A", identifier="BiTdr123A_Fi",
                                        extra=document("BiTdr123A_Fi")),
                 name="bitdr123a_fi", vendors=SPEC_VENDORS)
    assert checks.consistent(same).outcome is Outcome.PASS
    other = wheel(tmp_path / "b", driver("bitdr123a_fi", "BiTdr123A", identifier="BiTdr123AFi",
                                         extra=document("BiTdr123A")),
                  name="bitdr123a_fi", vendors=SPEC_VENDORS)
    finding = checks.consistent(other)
    assert finding.outcome is Outcome.FAIL
    assert {evidence.detail for evidence in finding.evidence} == {
        "Driver Identifier BiTdr123AFi", "document name ___Introduction to BiTdr123A___.md"}
    assert finding.evidence[0].line == 5


def test_a_package_that_does_not_begin_with_the_class(tmp_path: Path) -> None:
    files = driver("ktdmm", "Kt34400", extra={"ktdmm/__init__.py":
                                              "from ktdmm.driver import Kt34400\n"})
    context = wheel(tmp_path, files, name="ktdmm")
    assert checks.consistent(context).outcome is Outcome.FAIL
    assert checks.vendor_token(context).outcome is Outcome.SKIP


def test_no_driver_package_skips(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"loose.py": "x = 1\n"}, name="loose")
    assert set(outcomes(context).values()) == {Outcome.SKIP}


def test_the_driver_vendor_falls_back_to_the_author(tmp_path: Path) -> None:
    path = tmp_path / "bartdr123a-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, text in driver("bartdr123a", "BarTdr123A", manufacturer="Bar Inc.").items():
            zipped.writestr(member, text)
        zipped.writestr("bartdr123a-1.0.0.dist-info/METADATA",
                        "Metadata-Version: 2.4\nName: bartdr123a\nVersion: 1.0.0\n"
                        "Author-email: Foo Support <support@foo.example>\n\n")
    context = AuditContext(load(str(path), work_dir=tmp_path / "w"),
                           AuditConfig(vendors=SPEC_VENDORS), tmp_path / "w")
    finding = checks.vendor_token(context)
    assert finding.outcome is Outcome.FAIL
    assert "'Foo Support'" in finding.message


@pytest.mark.parametrize(
    ("text", "names"),
    [("Skylight Test Systems", ("Skylight Test Systems",)),
     ("Tektronix, Inc.", ("Tektronix, Inc.",)),
     ("Keysight Technologies; Tektronix, Inc.", ("Keysight Technologies", "Tektronix, Inc.")),
     ("Chyng Hong Electronic Co., Ltd, Kepco, Inc.",
      ("Chyng Hong Electronic Co., Ltd", "Kepco, Inc."))],
)
def test_manufacturer_names_keep_their_legal_forms(text: str, names: tuple[str, ...]) -> None:
    assert identity.split_names(text) == names
