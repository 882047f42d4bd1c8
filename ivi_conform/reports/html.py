"""``report.html``: the audit as one page a reviewer opens in a browser.

One self-contained file: the style is inline and nothing is loaded from the
network (a CI artifact is often opened offline, and a page that fetches
nothing leaks nothing). It shows the verdict as
:mod:`~ivi_conform.reports.standing` lets an output claim it, the counts, a
table per spec section, and for every rule that needs attention its
evidence, the spec sentence and ivi-conform's reading where the spec is
ambiguous. Every text from the report is escaped: messages quote what a
driver returned, which may be anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from ivi_conform.options import section_slug
from ivi_conform.reports import standing
from ivi_conform.reports.console import OUTCOME_ORDER, counts_line
from ivi_conform.reports.report_types import Evidence, Report, Run

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
.verdict{display:inline-block;padding:.3em .8em;border-radius:4px;color:#fff;font-weight:bold}
.conformant{background:#2e7d32}.non-conformant{background:#c62828}.incomplete{background:#757575}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f4f4f4}
.o-pass{color:#2e7d32}.o-fail{color:#c62828;font-weight:bold}.o-warn{color:#ef6c00;font-weight:bold}
.o-skip{color:#757575}.o-not-judged{color:#6a1b9a;font-weight:bold}.o-error{color:#ad1457}
code{background:#f4f4f4;padding:0 .2em}blockquote{color:#555;border-left:3px solid #ccc;
margin:.5em 0;padding-left:1em}details{margin:.4em 0}
pre{background:#f4f4f4;padding:.4em .6em;margin:.3em 0;white-space:pre-wrap}
"""
_ATTENTION = ("fail", "warn", "not-judged", "error")
#: The rule that measures how much of the instrument's command set the API sends.
_COVERAGE_RULE = "run-coverage-commands"
#: How that rule's evidence introduces the commands no member sends.
_MISSING = "no API member sends "


def render(report: Report) -> str:
    """The page, as HTML5."""
    driver = report["driver"]
    name = str(driver["distribution"] or report["target"]["origin"])
    title = f"IVI-Python conformance: {name} {driver['version'] or ''}".strip()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        *_header(report, title),
        *_overview(report),
        *_findings(report),
        *_coverage(report),
        *_sections(report),
        *_errors(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    return escape(standing.xml_safe(text), quote=True)


def _header(report: Report, title: str) -> Iterator[str]:
    shown = standing.claim(report)
    spec = report["spec"]
    tool = report["tool"]
    audit = report["audit"]
    driver = report["driver"]
    yield f"<h1>{_e(title)}</h1>"
    yield (f'<p><span class="verdict {shown}" id="verdict">{_e(shown.upper())}</span> '
           f"{_e(standing.headline(report))}: {_e(counts_line(report['summary']))}</p>")
    reason = standing.partial_reason(report)
    if reason:
        yield f"<blockquote>{_e(reason)}; a conformance claim needs the full audit.</blockquote>"
    where = f"{driver['import_name']}.{driver['class_name']}" if driver["class_name"] else ""
    yield (f"<p>Audited <code>{_e(report['target']['origin'])}</code>"
           f"{f' (<code>{_e(where)}</code>)' if where else ''} against the "
           f"{_e(spec['name'])} {_e(spec['version'])} and the {_e(spec['core']['name'])} "
           f"{_e(spec['core']['version'])} by {_e(tool['name'])} {_e(tool['version'])} on "
           f"{_e(audit['started'])} in {float(audit['seconds']):.1f} s (Python "
           f"{_e(audit['python'])}, {_e(audit['platform'])}).</p>")


def _overview(report: Report) -> Iterator[str]:
    """Sections as rows, outcomes as columns: where the problems are, at a glance."""
    yield "<h2>By section</h2><table><tr><th>section</th>"
    yield "".join(f'<th class="o-{outcome}">{outcome}</th>' for outcome in OUTCOME_ORDER)
    yield "</tr>"
    for section, rules in standing.by_section(report["rules"]).items():
        counts = [sum(1 for rule in rules if rule["outcome"] == outcome)
                  for outcome in OUTCOME_ORDER]
        cells = "".join(f"<td>{count or ''}</td>" for count in counts)
        link = f'<a href="#section-{section_slug(section)}">{_e(section)}</a>'
        yield f"<tr><td>{link}</td>{cells}</tr>"
    yield "</table>"


def _sections(report: Report) -> Iterator[str]:
    for section, rules in standing.by_section(report["rules"]).items():
        yield f'<h2 id="section-{section_slug(section)}">{_e(section)}</h2>'
        yield ("<table><tr><th>rule</th><th>level</th><th>judged</th><th>outcome</th>"
               "<th>message</th></tr>")
        for rule in rules:
            outcome = str(rule["outcome"])
            rule_id = _e(rule["id"])
            shown = (f'<a href="#rule-{rule_id}">{rule_id}</a>' if outcome in _ATTENTION
                     else rule_id)
            yield (f'<tr><td><code>{shown}</code><br>{_e(rule["title"])}</td>'
                   f'<td>{_e(rule["level"])}</td><td>{_e(rule["judged"])}</td>'
                   f'<td class="o-{_e(outcome)}">{_e(outcome)}</td>'
                   f'<td>{_e(rule["message"])}</td></tr>')
        yield "</table>"


def _findings(report: Report) -> Iterator[str]:
    rules = [rule for outcome in _ATTENTION for rule in standing.attention(report["rules"],
                                                                           outcome)]
    if not rules:
        return
    decisions = {item["rule"]: item["decision"] for item in report["decisions"]}
    yield "<h2>Findings</h2>"
    for rule in rules:
        outcome = str(rule["outcome"])
        yield (f'<h3 id="rule-{_e(rule["id"])}"><span class="o-{_e(outcome)}">'
               f"{_e(outcome.upper())}</span> <code>{_e(rule['id'])}</code> "
               f"({_e(rule['level'])}): {_e(rule['title'])}</h3>")
        yield f"<p>{_e(rule['message'])}</p>"
        if rule["evidence"]:
            yield "<details open><summary>evidence</summary><ul>"
            for item in rule["evidence"]:
                yield f"<li>{_evidence(item)}</li>"
            yield "</ul></details>"
        yield (f"<blockquote>{_e(rule['source'])}, {_e(rule['section'])}: "
               f"&ldquo;{_e(rule['sentence'])}&rdquo;</blockquote>")
        if rule["id"] in decisions:
            yield f"<p><em>How ivi-conform reads it:</em> {_e(decisions[rule['id']])}</p>"


def _evidence(item: Evidence) -> str:
    """One piece of evidence: where and what, then its I/O trace one exchange a line, then
    the hypothesis reproducer as code: blocks read better than a sentence holding them."""
    where = str(item["file"]) + (f":{item['line']}" if item["line"] is not None else "")
    shown = f"<code>{_e(where)}</code>" + (f": {_e(item['detail'])}" if item["detail"] else "")
    trace = item.get("trace", [])
    if trace:
        shown += f'<pre class="trace">{_e(chr(10).join(trace))}</pre>'
    reproducer = item.get("reproducer", "")
    if reproducer:
        shown += ('<div>reproduce:</div><pre class="reproducer">'
                  f"<code>{_e(reproducer)}</code></pre>")
    return shown


def _coverage(report: Report) -> Iterator[str]:
    """How much of the instrument's command set the driver's API sends, and what it misses."""
    rule = next((rule for rule in report["rules"] if rule["id"] == _COVERAGE_RULE), None)
    if rule is None or rule["outcome"] in ("skip", "not-judged"):
        return
    yield (f'<h2 id="coverage">Instrument command coverage</h2><p class="o-{_e(rule["outcome"])}">'
           f"{_e(rule['message'])}</p><ul>")
    for item in rule["evidence"]:
        text, _, missing = str(item["detail"]).partition(_MISSING)
        yield f"<li>{_e(text.rstrip('; '))}"
        if missing:
            commands = "".join(f"<li><code>{_e(command.strip())}</code></li>"
                               for command in missing.split(","))
            yield f"<br>sent by no API member:<ul>{commands}</ul>"
        yield "</li>"
    yield "</ul>"


def _runs(runs: list[Run]) -> Iterator[str]:
    """The instruments the driver ran against, as they answered ``*IDN?``, one a row."""
    if not runs:
        return
    yield ('<table id="runs"><tr><th>instrument (as answered)</th><th>firmware</th>'
           "<th>bus</th><th>VISA</th><th>driver's simulation</th></tr>")
    for run in runs:
        answered = " ".join(part for part in (run["manufacturer"], run["model"],
                                              run["serial"]) if part) or "did not ask *IDN?"
        visa = f"{run['visa_library']} {run['visa_version']}".strip()
        yield (f"<tr><td>{_e(answered)}</td><td>{_e(run['firmware'])}</td>"
               f"<td>{_e(run['bus'])}</td><td>{_e(visa)}</td>"
               f"<td>{'on' if run['simulation'] else 'off'}</td></tr>")
    yield "</table>"


def _errors(report: Report) -> Iterator[str]:
    errors = report["audit"]["internal_errors"]
    runtime = report["audit"]["runtime"]
    if runtime and (runtime["notes"] or runtime["runs"]):
        yield "<h2>How the driver was run</h2>"
        yield from _runs(runtime["runs"])
        yield "<ul>"
        for note in runtime["notes"]:
            yield f"<li>{_e(note)}</li>"
        yield "</ul>"
    if not errors:
        return
    yield ("<h2>ivi-conform's own errors</h2><p>Failures of ivi-conform, never counted "
           "against the driver.</p>")
    for error in errors:
        yield (f"<details><summary>{_e(error['where'])}: {_e(error['message'])}</summary>"
               f"<pre>{_e(error['traceback'])}</pre></details>")
