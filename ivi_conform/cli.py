"""The ``ivi-conform`` command: audit a driver, list the rules, run the simulator.

A thin face over the engine: it turns arguments into an
:class:`~ivi_conform.engine.AuditConfig`, runs the audit, writes the outputs
rendered from the report and maps the verdict to the exit status
(0 conformant, 1 non-conformant, 3 incomplete, 2 usage error or unreadable
target). Bad input ends in one line, ``ivi-conform: error: <message>``,
never a traceback; an exception escaping the engine is ivi-conform's own bug,
so the report is still written, with the traceback in it, and the exit
status is 3 (the tool could not judge).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from packaging.utils import canonicalize_name

from ivi_conform import __version__
from ivi_conform.catalog import SPEC_NAME, SPEC_SECTIONS, SPEC_VERSION, CatalogError, Rule
from ivi_conform.context import AuditConfig
from ivi_conform.options import date_value, seconds_value, section_slug, vendor_value

if TYPE_CHECKING:
    from ivi_conform.reports.report_types import Report

PROG = "ivi-conform"
#: The exit status of a usage error or an unreadable target.
EXIT_USAGE = 2
#: The exit status when ivi-conform could not judge (its verdict "incomplete", or its own bug).
EXIT_INCOMPLETE = 3


# -- the parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ivi-conform`` and its commands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Conformance suite for IVI-Python instrument drivers.",
    )
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {__version__} ({SPEC_NAME} {SPEC_VERSION})")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    audit = commands.add_parser(
        "audit", help="audit a driver and write report.json and compliance.md",
        description="Audit TARGET (a source folder, a wheel, an sdist or the name of an "
                    "installed distribution) against every catalog rule. Exit status: 0 "
                    "conformant, 1 non-conformant, 3 incomplete, 2 usage error or unreadable "
                    "target. Several TARGETs (or a folder of wheels) are audited in parallel "
                    "processes, each into DIR/<name>/, with DIR/dashboard.html beside them; "
                    "the exit status is then the worst: 2, 1, 3, 0.")
    audit.add_argument("targets", metavar="TARGET", nargs="+")
    audit.add_argument("--report-dir", metavar="DIR", type=Path,
                       help="where to write the reports (default: reports/<distribution>/; "
                            "for several drivers reports/)")
    audit.add_argument("--jobs", metavar="N", type=_jobs_value, default=os.cpu_count() or 1,
                       help="several drivers: how many are audited at once (default: the "
                            "number of CPUs)")
    audit.add_argument("--static", action="store_true",
                       help="do not run the driver: the behavioural rules are not judged, so the "
                            "verdict is at best incomplete")
    audit.add_argument("--rule", metavar="ID", action="append", dest="rules",
                       help="audit only this rule (repeatable)")
    audit.add_argument("--vendor", metavar="ABBR=Company", action="append", type=vendor_value,
                       dest="vendors", help="a vendor abbreviation not in VPP-9 (repeatable)")
    audit.add_argument("--release-date", metavar="YYYY-MM-DD", type=date_value,
                       help="the driver's release date (default: from the metadata, else today)")
    audit.add_argument("--ivi-options", metavar="STR", dest="options",
                       help="the option string that switches the driver's simulation on")
    audit.add_argument("--timeout", metavar="S", type=seconds_value,
                       help="time limit of the behavioural run, in seconds")
    audit.add_argument("--instrument-resource", metavar="NAME",
                       help="a driver for another instrument: the VISA resource name of it "
                            "(the generic behavioural rules run against it)")
    audit.add_argument("--instrument-profile", metavar="YAML", type=Path,
                       help="with --instrument-resource: a pyvisa-sim profile that simulates it")
    audit.add_argument("--format", choices=("text", "json"), default="text",
                       help="what to print: the summary (text) or report.json (json)")
    audit.add_argument("--formats", metavar="LIST", type=_formats_value,
                       help="write only these outputs besides report.json, comma-separated: "
                            "compliance, sarif, junit, badge, summary, registration, html "
                            "(default: all)")
    audit.add_argument("--expectations", metavar="FILE", type=Path,
                       help="a TOML file of failures accepted for now: listed failures do not "
                            "fail the exit status; expired entries do")
    audit.add_argument("--strict-expectations", action="store_true",
                       help="with --expectations: a listed rule that now passes fails the run")
    audit.add_argument("--write-expectations", metavar="FILE", type=Path,
                       help="write an expectations file accepting this audit's failures")
    audit.add_argument("--quiet", action="store_true",
                       help="no progress line (it is drawn on stderr only when that is a "
                            "terminal)")
    audit.add_argument("--verbose", action="store_true",
                       help="show the build backend's and installer's output (its warnings) "
                            "on stderr")

    diff = commands.add_parser(
        "diff", help="the rules whose outcome changed between two report.json files",
        description="Compare two reports: new failures first, then rules no longer judged, "
                    "fixes and other changes. Exit status 1 when NEW has a failure or "
                    "warning OLD had not, else 0; 2 when a file is not a report.")
    diff.add_argument("old", metavar="OLD", type=Path)
    diff.add_argument("new", metavar="NEW", type=Path)
    diff.add_argument("--format", choices=("text", "json"), default="text")

    rules = commands.add_parser("rules", help="list the rule catalog",
                                description="List the rules ivi-conform enforces.")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--section", metavar="S",
                       help="only the rules of this spec section (its heading)")

    # The simulator owns its options; they are added only when it is asked for,
    # so that a missing or broken simulator never stops the other commands.
    sim = commands.add_parser("sim", help="run the simulated sunroof actuator",
                              add_help=False, prefix_chars="\0")
    sim.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


# -- the commands ---------------------------------------------------------------------------


def _error(message: str, err: TextIO) -> int:
    print(f"{PROG}: error: {message}", file=err)
    return EXIT_USAGE


def _bug(message: str, err: TextIO, where: str = "") -> int:
    suffix = f"; the traceback is in {where}" if where else ""
    print(f"{PROG}: internal error (a bug in ivi-conform, not in the driver): {message}{suffix}",
          file=err)
    return EXIT_INCOMPLETE


def _formats_value(text: str) -> list[str]:
    """``--formats sarif,junit``: the names, checked against the outputs there are."""
    from ivi_conform.reports import files_of

    names = [name.strip() for name in text.split(",") if name.strip()]
    try:
        files_of(names)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return names


def _jobs_value(text: str) -> int:
    """``--jobs N``: a positive whole number."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ivi_conform.fleet import expand

    targets = expand(args.targets)
    if len(targets) > 1:
        if args.write_expectations is not None or args.format == "json":
            return _error("--write-expectations and --format json take a single TARGET", err)
        return _audit_several(targets, args, out)
    return _audit_one(targets[0], args, out, err)


def _child_arguments(args: argparse.Namespace) -> list[str]:
    """The options of ``ivi-conform audit`` that each driver's own audit repeats."""
    given: list[str] = []
    flags = {"--static": args.static, "--strict-expectations": args.strict_expectations,
             "--verbose": args.verbose}
    given += [flag for flag, on in flags.items() if on]
    for rule in args.rules or ():
        given += ["--rule", rule]
    for abbreviation, company in args.vendors or ():
        given += ["--vendor", f"{abbreviation}={company}"]
    values = {"--release-date": args.release_date, "--ivi-options": args.options,
              "--timeout": args.timeout, "--instrument-resource": args.instrument_resource,
              "--instrument-profile": args.instrument_profile,
              "--expectations": args.expectations,
              "--formats": ",".join(args.formats) if args.formats is not None else None}
    for option, value in values.items():
        if value is not None:
            given += [option, str(value.resolve() if isinstance(value, Path) else value)]
    return given


def _audit_several(targets: list[str], args: argparse.Namespace, out: TextIO) -> int:
    """Each target audited by its own process; the dashboard; the worst exit status."""
    from ivi_conform.fleet import Audited, audit_all, worst_exit, write_dashboard
    from ivi_conform.reports import standing

    report_dir: Path = args.report_dir or Path("reports")

    def done(audited: Audited) -> None:
        report = audited.report()
        shown = (standing.claim(report).upper() if report is not None
                 else f"NOT AUDITED ({audited.problem()})")
        out.write(f"{audited.target}: {shown} ({audited.folder})\n")
        out.flush()

    audits = audit_all(targets, report_dir, _child_arguments(args), args.jobs, done)
    out.write(f"wrote {write_dashboard(audits, report_dir)}\n")
    return worst_exit([audited.exit_code for audited in audits])


def _audit_one(target: str, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ivi_conform.candidate import TargetError, build_output, scratch_dir
    from ivi_conform.engine import audit
    from ivi_conform.reports import atomic, console, expectations, json_report, write_reports
    from ivi_conform.reports.progress import ProgressLine

    expected: dict[str, expectations.Expectation] = {}
    if args.expectations is not None:
        try:
            expected = expectations.load(args.expectations)
        except expectations.ExpectationsError as exc:
            return _error(str(exc), err)
    config = AuditConfig.from_options(
        vendors=args.vendors, release_date=args.release_date, static_only=args.static,
        options=args.options, rules=args.rules, timeout_s=args.timeout,
        instrument_resource=args.instrument_resource,
        instrument_profile=args.instrument_profile)
    progress = ProgressLine(err, quiet=args.quiet)
    with scratch_dir() as work:
        try:
            with build_output(err if args.verbose else None):
                result = audit(target, config, work, progress)
        except (TargetError, ValueError) as exc:
            return _error(str(exc), err)
        except CatalogError as exc:
            return _bug(str(exc), err)
        finally:
            progress.clear()
        selection = [r.rule.id for r in result.results] if config.select else None
        report = json_report.report_of(result, selection=selection)
        directory = args.report_dir or _default_report_dir(report, target)
        try:
            written = write_reports(report, directory, args.formats)
            if args.write_expectations is not None:
                reasons = {rule: entry.reason for rule, entry in expected.items()}
                atomic.write_text(args.write_expectations, expectations.dump(report, reasons))
                written.append(args.write_expectations)
        except OSError as exc:
            return _error(f"cannot write the reports into {directory}: "
                          f"{exc.strerror or exc}", err)

    if args.format == "json":
        out.write(json_report.render(report))
    else:
        out.write(console.render(report, written, colour=console.use_colour(out)))
    report_json = next((str(path) for path in written if path.name == "report.json"), "")
    status = result.exit_code
    if args.expectations is not None:
        judgement = expectations.judge(report, expected, date.today())
        for line in judgement.lines(strict=args.strict_expectations):
            out.write(f"{line}\n")
        status = judgement.exit_code(strict=args.strict_expectations)
    for error in report["audit"]["internal_errors"]:
        if error["rule"] is None:  # a rule's own error is already its outcome, shown above
            fatal = error["where"] == "audit" or error["where"].startswith("writing ")
            _bug(f"{error['where']}: {error['message']}", err, report_json)
            status = EXIT_INCOMPLETE if fatal else status
    return status


def _default_report_dir(report: Report, target: str) -> Path:
    """``reports/<distribution>/``, or the target's name when the candidate never loaded."""
    name = report["driver"]["distribution"] or Path(target).name or "unknown"
    return Path("reports") / canonicalize_name(name)


def _diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ivi_conform.reports import diff

    try:
        old, new = diff.load_report(args.old), diff.load_report(args.new)
    except diff.ReportError as exc:
        return _error(str(exc), err)
    changes = diff.compare(old, new)
    render = diff.render_json if args.format == "json" else diff.render_text
    out.write(render(old, new, changes))
    return diff.exit_code(changes)


def _matches_section(rule: Rule, wanted: str) -> bool:
    return wanted.casefold() in {rule.section.casefold(), section_slug(rule.section)}


def _rules(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from ivi_conform.catalog import load_catalog

    try:
        rules = load_catalog()
    except CatalogError as exc:
        return _bug(str(exc), err)
    if args.section is not None:
        known = {heading.casefold() for heading in SPEC_SECTIONS}
        known |= {section_slug(heading) for heading in SPEC_SECTIONS}
        if args.section.casefold() not in known:
            return _error(f"{args.section!r} is not a section heading of the {SPEC_NAME}", err)
        rules = tuple(rule for rule in rules if _matches_section(rule, args.section))
    if args.format == "json":
        out.write(json.dumps([rule.to_json() for rule in rules], indent=2,
                             ensure_ascii=False) + "\n")
        return 0
    width = max((len(rule.id) for rule in rules), default=0)
    lines: list[str] = []
    previous = None
    for rule in rules:
        if rule.section != previous:
            lines += ["", rule.section] if lines else [rule.section]
            previous = rule.section
        lines.append(f"  {rule.id:<{width}}  {rule.level.value:<6}  {rule.judged.value:<7}  "
                     f"{rule.title}")
    plural = "" if len(rules) == 1 else "s"
    lines += [*([""] if lines else []), f"{len(rules)} rule{plural} ({SPEC_NAME} {SPEC_VERSION})"]
    out.write("\n".join(lines) + "\n")
    return 0


def _sim(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        sim_cli = importlib.import_module("ivi_conform.sim.cli")
    except ImportError as exc:
        return _error(f"the simulator is not available in this installation ({exc})", err)
    parser = argparse.ArgumentParser(prog=f"{PROG} sim",
                                     description="The simulated sunroof actuator.")
    sim_cli.add_arguments(parser)
    try:
        sim_args = parser.parse_args(args.arguments)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    result: int = sim_cli.run(sim_args)
    return result


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run ``ivi-conform`` with ``argv`` (default: the command line); return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    command = {"audit": _audit, "rules": _rules, "sim": _sim, "diff": _diff}[args.command]
    try:
        return command(args, out, err)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=err)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: our bug, said so, with its trace
        _bug(f"{type(exc).__name__}: {exc}", err)
        traceback.print_exc(file=err)
        return EXIT_INCOMPLETE
