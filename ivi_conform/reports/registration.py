"""``registration.txt``: the IVI driver-registration form's fields, prefilled.

A conformant driver is registered with the IVI Foundation, which asks for a
few fields besides the compliance document. They are the ones compliance.md
lists at its end (the same function fills both, so they never disagree),
written here as plain ``Field: value`` lines a vendor copies into the form
or an e-mail. The form still offers only IVI.NET, IVI-COM and IVI-C as the
driver type; the file says IVI-Python 1.0 and notes the gap rather than pick
a wrong type. A driver the audit does not find conformant gets the file too
(the vendor prepares the registration while fixing), headed by a warning.
"""

from __future__ import annotations

from ivi_conform.reports import standing
from ivi_conform.reports.compliance import registration_fields
from ivi_conform.reports.report_types import Report

#: How a field only the vendor can fill is written.
TO_FILL = "[vendor to fill]"


def render(report: Report) -> str:
    """The registration fields as plain text."""
    driver = report["driver"]
    name = driver["distribution"] or report["target"]["origin"]
    shown = standing.claim(report)
    lines = [
        f"IVI driver registration: {name} {driver['version'] or ''}".rstrip(),
        f"Prefilled by {report['tool']['name']} {report['tool']['version']} from its audit "
        f"of {report['audit']['started']}; attach compliance.md.",
        "",
    ]
    if shown != "conformant":
        lines += [f"WARNING: the audit finds this driver {shown} ({standing.headline(report)});"
                  " register it only once it is conformant.", ""]
    fields = registration_fields(report)
    width = max(len(field) for field, _ in fields) + 1
    for field, value in fields:
        text = " ".join(value.split()) if value else TO_FILL
        if field == "Driver Type":
            text = f"IVI-Python {report['spec']['version']}"
        lines.append(f"{field + ':':<{width}} {text}")
    lines += [
        "",
        "Note: the registration form lists only IVI.NET, IVI-COM and IVI-C as driver types.",
        "IVI-Python 1.0 is not among them yet: give \"IVI-Python 1.0\" where the form asks for",
        "the type (or in the message to the Foundation), and attach compliance.md, which names",
        "the IVI Driver Core 1.0 and IVI-Python 1.0 specifications the driver complies with.",
    ]
    return "\n".join(lines) + "\n"
