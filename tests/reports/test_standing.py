"""What every output may claim: never "conformant" for a static or partial audit."""

from __future__ import annotations

import copy

import pytest
from conftest import Report
from hypothesis import given, settings
from hypothesis import strategies as st

from ivi_conform.reports import standing


@pytest.mark.parametrize(("name", "is_file"), [
    ("pyproject.toml", True), ("sksunroof/driver.py", True), ("LICENSE", True),
    ("sksunroof-1.0.0.dist-info/METADATA", True), ("README.md", True),
    ("SkSunroof.__init__", False), ("SkSunroof.motor.speed", False),
    ("SkSunroof.panels['1'].tilt", False), ("SkSunroof.ivi_utility.reset()", False), ("", False),
])
def test_evidence_names_a_file_or_an_api_path(name: str, is_file: bool) -> None:
    assert standing.is_file(name) is is_file


def test_the_claim_of_each_kind_of_audit(conformant: Report, failing: Report,
                                         static: Report, crashed: Report) -> None:
    assert [standing.headline(r) for r in (conformant, failing, static, crashed)] == [
        "conformant", "1 failing", "incomplete", "incomplete"]
    selected = copy.deepcopy(conformant)
    selected["audit"]["selection"] = ["demo-holds"]
    assert standing.claim(selected) == "incomplete"
    assert standing.partial_reason(selected) == "partial audit: only 7 selected rules were judged"


def test_xml_safe_keeps_text_and_replaces_what_xml_forbids() -> None:
    assert standing.xml_safe("a\tb\nc ü 😀") == "a\tb\nc ü 😀"
    assert standing.xml_safe("\x00\x1b\ufffe") == "\ufffd\ufffd\ufffd"
    assert standing.xml_safe("\ud800 lone \udfff") == "\ufffd lone \ufffd"
    assert standing.xml_safe("\x7f\x85\ud7ff\ue000\U0010ffff") == "\x7f\x85\ud7ff\ue000\U0010ffff"


def _allowed_by_xml(char: str) -> bool:
    """XML 1.0's Char production, written out code point by code point."""
    point = ord(char)
    return (char in "\t\n\r" or 0x20 <= point <= 0xD7FF or 0xE000 <= point <= 0xFFFD
            or 0x10000 <= point <= 0x10FFFF)


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_xml_safe_is_xml_s_char_production(text: str) -> None:
    assert standing.xml_safe(text) == "".join(
        char if _allowed_by_xml(char) else "\ufffd" for char in text)
