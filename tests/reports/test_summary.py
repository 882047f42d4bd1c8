"""summary.md: short, the verdict first, the rules that need attention as a table."""

from __future__ import annotations

import copy

from conftest import Report

from ivi_conform.reports import summary


def test_a_failing_audit_lists_what_needs_attention(failing: Report) -> None:
    text = summary.render(failing)
    first = text.splitlines()[0]
    assert first == "### ❌ IVI-Python conformance: demodrv 1.2.3"
    assert "**NON-CONFORMANT** (1 failing)" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert [row.split("|")[1].strip() for row in rows] == ["fail", "error", "warn"]
    assert "| `demo-broken` (shall) | Package Metadata | the version is 1.2.3, not 9.9.9 | " \
           "pyproject.toml:7: version 0 (+11) |" in text
    assert "ivi-conform itself failed 1 time(s)" in text


def test_a_conformant_audit_is_a_few_lines(conformant: Report) -> None:
    text = summary.render(conformant)
    assert "✅" in text and "**CONFORMANT** (conformant)" in text
    assert "|" not in text and len(text.splitlines()) < 8


def test_a_static_audit_says_it_is_incomplete(static: Report) -> None:
    text = summary.render(static)
    assert "**INCOMPLETE**" in text and "static audit: the driver was not run" in text
    assert "| not-judged | `demo-runtime` (shall)" in text


def test_the_summary_stays_short_and_its_cells_safe(failing: Report) -> None:
    report = copy.deepcopy(failing)
    template = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    report["rules"] = [dict(template, id=f"rule-{n}", message="a | b <script>x</script> " * 40)
                       for n in range(200)]
    text = summary.render(report)
    assert len(text.encode("utf-8")) < 16_000
    assert "... and 175 more rules" in text
    assert "<script>" not in text and "a \\| b" in text
