"""A small driver written as a wheel in a test's folder, opened for a static audit.

The check tests judge drivers of a few lines each; writing them straight into
a wheel (no build backend) keeps each test at a few milliseconds.
"""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import RuleResult, judge


def wheel(tmp_path: Path, files: dict[str, str], name: str = "xydmm", *,
          dedent: bool = True, headers: str = "", readme: str = "") -> AuditContext:
    """Write ``files`` as the wheel of distribution ``name`` and open a static audit of it.

    ``headers`` are more METADATA header lines, ``readme`` its description (the README).
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, text in files.items():
            zipped.writestr(member, textwrap.dedent(text) if dedent else text)
        zipped.writestr(f"{name}-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0.0\n{headers}\n"
                        f"{readme}")
    work = tmp_path / "work"
    return AuditContext(load(str(path), work_dir=work), AuditConfig(static_only=True), work)


def judged(context: AuditContext, rule_id: str) -> RuleResult:
    """The rule as the engine judges it: its catalog needs first, then its check."""
    rule = next(rule for rule in load_catalog() if rule.id == rule_id)
    return judge(rule, context)
