"""``badge.svg`` and ``badge.json``: the verdict as a README badge.

The label is ``IVI-Python``; the message is ``conformant``, ``N failing`` or
``incomplete``, as :mod:`~ivi_conform.reports.standing` decides, so a static
or partial audit never shows "conformant". ``badge.svg`` is drawn by
anybadge (a small pure-Python library: the badge is made offline, in the
audit, with no badge service to call); ``badge.json`` is the same badge as a
shields.io endpoint (``schemaVersion`` 1, ``label``, ``message``, ``color``),
for a vendor who publishes the file and lets shields.io draw it in its style.
"""

from __future__ import annotations

import json
import re
from typing import Any

import anybadge  # type: ignore[import-untyped]

from ivi_conform.reports import standing
from ivi_conform.reports.report_types import Report

LABEL = "IVI-Python"
#: shields.io named colours, and the hex value shields draws each in (anybadge's names differ).
COLOURS = {"conformant": "brightgreen", "incomplete": "lightgrey"}
FAILING_COLOUR = "red"
HEX = {"brightgreen": "#4c1", "lightgrey": "#9f9f9f", "red": "#e05d44"}


def message_and_colour(report: Report) -> tuple[str, str]:
    """The badge's message and its colour name."""
    message = standing.headline(report)
    return message, COLOURS.get(message, FAILING_COLOUR)


def render_svg(report: Report) -> str:
    """The badge as an SVG document."""
    message, colour = message_and_colour(report)
    badge = anybadge.Badge(label=LABEL, value=message, default_color=HEX[colour])
    # anybadge numbers its mask per badge made in the process; a fixed id keeps the file
    # the same for the same report.
    text = re.sub(r"anybadge_\d+", "ivi_conform_badge", str(badge.badge_svg_text))
    return text if text.endswith("\n") else text + "\n"


def endpoint(report: Report) -> dict[str, Any]:
    """The shields.io endpoint object (https://shields.io/badges/endpoint-badge)."""
    message, colour = message_and_colour(report)
    return {"schemaVersion": 1, "label": LABEL, "message": message, "color": colour}


def render_json(report: Report) -> str:
    """The shields.io endpoint as JSON."""
    return json.dumps(endpoint(report), indent=2) + "\n"
