"""registration.txt: the registration form's fields, prefilled, with the type gap noted."""

from __future__ import annotations

from conftest import Report

from ivi_conform.reports import registration
from ivi_conform.reports.compliance import render as render_compliance


def _fields(text: str) -> dict[str, str]:
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
            for line in text.splitlines()
            if ":" in line and line.split(":", 1)[0] in FIELDS}


FIELDS = ("Instrument Class", "Instrument Manufacturer", "Supported Instrument Models",
          "Driver Vendor", "Driver Type", "Driver Generation", "Driver Download Link",
          "Driver Owner/Contact email")


def test_the_fields_are_prefilled_from_the_report(conformant: Report) -> None:
    text = registration.render(conformant)
    fields = _fields(text)
    assert list(fields) == list(FIELDS)
    assert fields["Driver Type"] == "IVI-Python 1.0"
    assert fields["Driver Vendor"] == "Demo Instruments"
    assert fields["Instrument Manufacturer"] == "Demo Instruments"
    assert fields["Supported Instrument Models"] == "D-1, D-2"
    assert fields["Driver Download Link"] == "https://demo.example/demodrv"
    assert fields["Driver Owner/Contact email"] == "Demo Instruments <drivers@demo.example>"
    assert fields["Instrument Class"] == "[vendor to fill]"
    assert "lists only IVI.NET, IVI-COM and IVI-C" in text
    assert "WARNING" not in text


def test_the_same_fields_as_the_compliance_document(failing: Report) -> None:
    document = render_compliance(failing)
    for name, value in _fields(registration.render(failing)).items():
        if value != "[vendor to fill]" and name != "Driver Type":
            assert f"- {name}: {value}" in document


def test_a_driver_not_found_conformant_is_warned_about(failing: Report, static: Report) -> None:
    assert "WARNING: the audit finds this driver non-conformant (1 failing)" in \
        registration.render(failing)
    assert "WARNING: the audit finds this driver incomplete" in registration.render(static)

