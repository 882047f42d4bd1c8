"""``junit.xml``: the audit as JUnit XML, for the CI systems that show test reports.

pytest's ``--junitxml`` gives this already for the plugin; the command line
writes it too, so that a CI that runs ``ivi-conform audit`` gets the same
test view. One ``testsuite`` per spec section, one ``testcase`` per rule
(classname ``ivi-conform.<section>``, name the rule id), mapped as the
pytest plugin maps the outcomes, so the two JUnit files read alike:

- ``fail``: a ``failure`` with the message, the evidence and the spec sentence;
- ``warn`` (a *should* not met): passes, the warning in ``system-out``;
- ``skip``: ``skipped`` with the reason; ``not-judged``: ``skipped``, the
  message starting "NOT JUDGED" (the verdict is then incomplete);
- ``error`` (ivi-conform's own failure): an ``error``, never a failure.

The root carries the verdict as a property, since a run with no failure can
still be incomplete.
"""

from __future__ import annotations

from xml.etree import ElementTree

from ivi_conform.options import section_slug
from ivi_conform.reports import standing
from ivi_conform.reports.report_types import Report, RuleEntry


def render(report: Report) -> str:
    """The report as a JUnit XML document (``testsuites`` root), UTF-8, ending in a newline."""
    root = ElementTree.Element("testsuites", name="ivi-conform")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for section, rules in standing.by_section(report["rules"]).items():
        suite = ElementTree.SubElement(root, "testsuite", name=section)
        counts = {"tests": len(rules), "failures": 0, "errors": 0, "skipped": 0}
        seconds = 0.0
        for rule in rules:
            kind = _testcase(suite, rule, section)
            if kind:
                counts[kind] += 1
            seconds += float(rule["seconds"])
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{seconds:.3f}")
        suite.set("timestamp", str(report["audit"]["started"]).removesuffix("Z"))
        total_time += seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    properties = ElementTree.Element("properties")
    driver = report["driver"]
    for name, text in (("verdict", standing.claim(report)),
                        ("driver", f"{driver['distribution']} {driver['version']}"),
                        ("spec", f"{report['spec']['name']} {report['spec']['version']}"),
                        ("partial", standing.partial_reason(report) or "")):
        if text:
            ElementTree.SubElement(properties, "property", name=name,
                                   value=standing.xml_safe(text))
    for suite in root:
        suite.insert(0, _copy(properties))
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _copy(element: ElementTree.Element) -> ElementTree.Element:
    return ElementTree.fromstring(ElementTree.tostring(element))


def _testcase(suite: ElementTree.Element, rule: RuleEntry, section: str) -> str | None:
    """Add the rule's test case; return the suite counter it adds to, if any."""
    case = ElementTree.SubElement(
        suite, "testcase", classname=f"ivi-conform.{section_slug(section)}", name=rule["id"],
        time=f"{float(rule['seconds']):.3f}")
    outcome = rule["outcome"]
    message = standing.xml_safe(rule["message"])
    if outcome == "fail":
        element = ElementTree.SubElement(case, "failure", message=message, type=rule["level"])
        element.text = standing.xml_safe(_details(rule))
        return "failures"
    if outcome == "error":
        element = ElementTree.SubElement(case, "error", message=message, type="ivi-conform")
        element.text = f"ivi-conform could not judge this rule (its bug, not the driver's): " \
                       f"{message}"
        return "errors"
    if outcome in ("skip", "not-judged"):
        prefix = "NOT JUDGED (the audit is incomplete): " if outcome == "not-judged" else ""
        ElementTree.SubElement(case, "skipped", message=prefix + message)
        return "skipped"
    if outcome == "warn":
        ElementTree.SubElement(case, "system-out").text = standing.xml_safe(
            f"WARNING (should): {_details(rule)}")
    return None


def _details(rule: RuleEntry) -> str:
    lines = [str(rule["message"])]
    for item in rule["evidence"]:
        lines.append(f"  {standing.evidence_text(item)}")
        lines += [f"    {exchange}" for exchange in item.get("trace", [])]
        if item.get("reproducer"):
            lines.append(f"    reproduce: {item.get('reproducer')}")
    lines.append(f"{rule['id']} ({rule['level']}), {rule['source']}, {rule['section']}: "
                 f"\"{rule['sentence']}\"")
    return "\n".join(lines)
