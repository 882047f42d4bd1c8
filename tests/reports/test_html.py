"""report.html: one self-contained page, parsed back with the standard HTML parser."""

from __future__ import annotations

import copy
from html.parser import HTMLParser

from conftest import Report

from ivi_conform.reports import html

#: Elements HTML does not close.
VOID = {"meta", "br", "link", "img", "input", "hr"}


class _Page(HTMLParser):
    """Checks the nesting and gathers what a self-contained page must not have."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.external: list[str] = []
        self.ids: dict[str, str] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            value = values.get(name) or ""
            if value and not value.startswith("#"):
                self.external.append(value)
        if tag in ("link", "script", "iframe", "img"):
            self.external.append(tag)
        if values.get("id"):
            self.ids[str(values["id"])] = tag
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(report: Report) -> _Page:
    page = _Page()
    page.feed(html.render(report))
    page.close()
    assert page.stack == [] and page.external == []
    return page


def test_a_failing_audit_shows_the_verdict_sections_and_evidence(failing: Report) -> None:
    page = _page(failing)
    text = "".join(page.text)
    assert page.ids["verdict"] == "span" and "NON-CONFORMANT" in text
    for section in {rule["section"] for rule in failing["rules"]}:
        assert section in text
    assert "pyproject.toml:7: version 11" in text
    assert "A demo version shall be 9.9.9." in text
    assert "not from the API" in text
    assert "rule-demo-broken" in page.ids and "rule-demo-holds" not in page.ids
    assert "the demo check is broken" in text  # the traceback of ivi-conform's own error


def test_a_conformant_audit(conformant: Report) -> None:
    text = "".join(_page(conformant).text)
    assert "CONFORMANT" in text and "Findings" not in text


def test_a_static_audit_is_incomplete(static: Report) -> None:
    text = "".join(_page(static).text)
    assert "INCOMPLETE" in text and "static audit" in text


def test_what_the_driver_said_is_escaped(failing: Report) -> None:
    report = copy.deepcopy(failing)
    broken = next(rule for rule in report["rules"] if rule["id"] == "demo-broken")
    broken["message"] = '<script src="http://x/y.js"></script><img src=x> \x00'
    page = _page(report)
    assert '<script src="http://x/y.js"></script>' in "".join(page.text)


def test_a_crashed_audit_renders(crashed: Report) -> None:
    assert "INCOMPLETE" in "".join(_page(crashed).text)


def test_runtime_evidence_shows_its_io_trace_its_reproducer_and_the_command_coverage(
    failing: Report,
) -> None:
    report = copy.deepcopy(failing)
    runtime = next(rule for rule in report["rules"] if rule["id"] == "demo-runtime")
    runtime["outcome"] = "fail"
    runtime["evidence"] = [
        {"file": "Demodrv.__init__", "line": None, "detail": "reset=True",
         "trace": ["> *IDN?", "< Demo,D-1,7,1.0", "> *RST"]},
        {"file": "Demodrv.motor.speed", "line": None,
         "detail": "queued -222 but returned (hypothesis seed 3)",
         "reproducer": "driver.motor.speed = 101"}]
    coverage = copy.deepcopy(runtime) | {
        "id": "run-coverage-commands", "outcome": "fail",
        "message": "the API covers 19/21 of the instrument's commands",
        "evidence": [{"file": "Demodrv", "line": None, "detail": "19/21 of the instrument's "
                      "commands covered; no API member sends SHAD:POS, PINC:THR"}]}
    report["rules"].append(coverage)
    page = _page(report)
    text = "".join(page.text)
    assert "> *IDN?\n< Demo,D-1,7,1.0\n> *RST" in text  # one exchange a line
    assert "(hypothesis seed 3)reproduce:driver.motor.speed = 101" in text
    assert page.ids["coverage"] == "h2"
    assert "sent by no API member:SHAD:POSPINC:THR" in text
    rendered = html.render(report)
    assert '<pre class="trace">' in rendered and '<pre class="reproducer"><code>' in rendered
    assert "Instrument command coverage" not in html.render(failing)


def test_a_trace_is_a_block_only_when_the_evidence_carries_one(failing: Report) -> None:
    report = copy.deepcopy(failing)
    runtime = next(rule for rule in report["rules"] if rule["id"] == "demo-runtime")
    runtime["outcome"] = "fail"
    # a detail that reads like a trace is the driver's text, not a trace: shown as it is
    runtime["evidence"] = [{"file": "Demodrv", "line": None, "detail": "said: > *RST | < 1"}]
    assert '<pre class="trace">' not in html.render(report)
    runtime["evidence"][0]["trace"] = ["> *RST", "< 1"]
    rendered = html.render(report)
    assert '<pre class="trace">&gt; *RST\n&lt; 1</pre>' in rendered
    assert "said: &gt; *RST | &lt; 1" in rendered


def test_the_runs_are_a_table_of_what_each_instrument_answered(conformant: Report) -> None:
    report = copy.deepcopy(conformant)
    assert "runs" not in _page(report).ids
    runtime = report["audit"]["runtime"]
    assert runtime is not None
    runtime["runs"] = [{"model": "D-1", "manufacturer": "Demo", "firmware": "1.0", "serial": "7",
                        "resource": "r", "bus": "LAN", "visa_library": "pyvisa-py",
                        "visa_version": "0.8.1", "simulation": False}]
    page = _page(report)
    assert page.ids["runs"] == "table"
    assert "Demo D-1 71.0LANpyvisa-py 0.8.1off" in "".join(page.text)
