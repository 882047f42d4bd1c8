"""Audits of the reference driver and of the broken fixtures, built once per test process.

Building a wheel costs about a second, so each broken fixture is built and
audited once per process and the result shared by every test that asks for
it (pytest-xdist runs one process per worker). This is a plain module, not a
conftest, so that ``from audits import audit_of`` is never ambiguous with the
conftest files of the test subfolders.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "fixtures") not in sys.path:
    sys.path.insert(0, str(ROOT / "fixtures"))

import mutate  # noqa: E402 - fixtures/ is not a package; its path is added above

from ivi_conform.context import AuditConfig  # noqa: E402
from ivi_conform.engine import AuditResult, audit  # noqa: E402
from ivi_conform.reports.json_report import report_of  # noqa: E402

__all__ = ["ROOT", "audit_of", "audit_of_corpus", "comparable_report", "mutate"]

_MYPY_TIMING = re.compile(r"\(\d+(?:\.\d+)? s of mypy")


def comparable_report(result: AuditResult) -> dict[str, Any]:
    """The whole JSON report, without what differs between runs: when, how long, where to."""
    report: dict[str, Any] = json.loads(json.dumps(report_of(result, selection=None)))
    report["audit"] = {key: value for key, value in report["audit"].items()
                       if key not in ("started", "seconds", "stages")}
    report["target"].pop("origin", None)  # each test's folder
    for entry in report["rules"]:
        del entry["seconds"]
        entry["message"] = _MYPY_TIMING.sub("(N s of mypy", str(entry["message"]))
    return report

_SCRATCH = Path(tempfile.mkdtemp(prefix="ivi-conform-tests-"))


@functools.cache
def audit_of(rule_id: str | None, static_only: bool = False) -> AuditResult:
    """The audit of the reference driver (``None``) or of the fixture breaking ``rule_id``."""
    name = rule_id or "reference"
    work = Path(tempfile.mkdtemp(prefix=f"{name}-{'static' if static_only else 'full'}-",
                                 dir=_SCRATCH))
    target = mutate.REFERENCE if rule_id is None else mutate.materialize(rule_id, work / "driver")
    return audit(str(target), AuditConfig(static_only=static_only), work / "audit")


@functools.cache
def audit_of_corpus(driver: str, broken: bool = False) -> AuditResult:
    """The audit of the corpus driver ``driver``, or of its broken variant."""
    work = Path(tempfile.mkdtemp(prefix=f"corpus-{driver}-{'broken' if broken else 'full'}-",
                                 dir=_SCRATCH))
    if broken:
        target = mutate.apply(mutate.load_file(mutate.CORPUS / "broken" / f"{driver}.toml"),
                              work / "driver")
    else:
        target = mutate.copy_driver(mutate.CORPUS / driver, work / "driver")
    return audit(str(target), AuditConfig(), work / "audit")
