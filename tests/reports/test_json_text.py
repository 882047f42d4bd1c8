"""report.json and report.sarif: indented like ``json.dumps(indent=2)``, a finding per line."""

from __future__ import annotations

import json

import pytest

from ivi_conform.reports import json_text

OUTLINE = {"schema": "x/1", "empty": {}, "none": [], "flags": [True, False, None],
           "numbers": [1, 2.5, -0.0, 1e300], "text": "Zürich \"quoted\" \u2028 \x7f",
           "nested": {"list": [1, {"a": [], "b": {"c": 2}}]}}


def test_without_deep_lists_the_text_is_what_json_dumps_indent_2_writes() -> None:
    assert json_text.dumps(OUTLINE) == json.dumps(OUTLINE, indent=2, ensure_ascii=False)


def test_each_item_of_a_deep_list_is_one_line_of_the_same_json() -> None:
    report = {"rules": [{"id": "a-b", "evidence": [
        {"file": "drv/core.py", "line": 3, "detail": "one\nline"},
        {"file": "drv/ärger.py", "line": None, "detail": ["nested", {"x": 1}]}]}]}
    text = json_text.dumps(report)
    assert json.loads(text) == report
    lines = text.splitlines()
    assert '        {"file": "drv/core.py", "line": 3, "detail": "one\\nline"},' in lines
    assert '        {"file": "drv/ärger.py", "line": null, "detail": ["nested", {"x": 1}]}' \
        in lines


def test_a_key_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match="keys are strings"):
        json_text.dumps({1: "one"})
