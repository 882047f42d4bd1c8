"""badge.svg (anybadge) and badge.json, the shields.io endpoint, checked against the
endpoint's documented fields (https://shields.io/badges/endpoint-badge)."""

from __future__ import annotations

import copy
import json
from xml.etree import ElementTree

import jsonschema  # type: ignore[import-untyped]
import pytest
from conftest import Report

from ivi_conform.reports import badge

#: The endpoint's schema as shields.io documents it: schemaVersion always 1, label
#: required (may be empty), message required and not empty, the rest optional.
ENDPOINT = {
    "type": "object",
    "required": ["schemaVersion", "label", "message"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": 1},
        "label": {"type": "string"},
        "message": {"type": "string", "minLength": 1},
        "color": {"type": "string"},
        "labelColor": {"type": "string"},
        "isError": {"type": "boolean"},
        "namedLogo": {"type": "string"},
        "logoSvg": {"type": "string"},
        "logoColor": {"type": "string"},
        "logoWidth": {"type": "number"},
        "style": {"enum": ["flat", "flat-square", "plastic", "for-the-badge", "social"]},
        "cacheSeconds": {"type": "integer", "minimum": 300},
    },
}
SVG = "{http://www.w3.org/2000/svg}"


def _texts(report: Report) -> list[str]:
    root = ElementTree.fromstring(badge.render_svg(report).encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def _endpoint(report: Report) -> dict[str, object]:
    data: dict[str, object] = json.loads(badge.render_json(report))
    jsonschema.Draft202012Validator(ENDPOINT).validate(data)
    return data


@pytest.mark.parametrize(("which", "message", "colour"), [
    ("conformant", "conformant", "brightgreen"),
    ("failing", "1 failing", "red"),
    ("static", "incomplete", "lightgrey"),
    ("crashed", "incomplete", "lightgrey"),
])
def test_badge_says_the_verdict(which: str, message: str, colour: str,
                                request: pytest.FixtureRequest) -> None:
    report = request.getfixturevalue(which)
    assert _texts(report).count("IVI-Python") == 2 and _texts(report).count(message) == 2
    assert _endpoint(report) == {"schemaVersion": 1, "label": "IVI-Python", "message": message,
                                 "color": colour}
    assert badge.HEX[colour] in badge.render_svg(report)


def test_a_static_or_partial_audit_is_never_conformant(conformant: Report) -> None:
    for change in ({"static_only": True}, {"selection": ["demo-holds"]}):
        report = copy.deepcopy(conformant)
        report["audit"].update(change)
        assert report["verdict"] == "conformant"
        assert _endpoint(report)["message"] == "incomplete"
        assert "conformant" not in _texts(report)


def test_the_svg_is_the_same_for_the_same_report(failing: Report) -> None:
    assert badge.render_svg(failing) == badge.render_svg(failing)
