"""Sections "Style Guide" and "IVI-Python Naming": PEP 8, checked by ruff.

One ruff run per audit, in a child process, over every Python file the wheel
installs (copied into the audit's working folder), selects pycodestyle (E, W)
and pep8-naming (N); the Style Guide rule reports E and W, the Naming rule N.

How PEP 8 is read (the catalog entries record the same):

- ``--isolated``: the candidate's own ruff/flake8 configuration is ignored,
  so every driver is held to the same reading of PEP 8;
- line length 99, the upper bound PEP 8 itself allows "for code maintained
  exclusively or primarily by a team that can reach agreement";
- ``--preview`` for the pycodestyle rules ruff still marks preview
  (indentation, whitespace, blank lines);
- what pycodestyle leaves out by default because PEP 8 allows it is left out
  too (E226 around arithmetic operators, E241/E242 alignment after commas),
  and W191: PEP 8 prefers spaces but allows tabs in code indented with tabs
  (E101, mixing them, stays);
- N818 (exception names end in "Error") is left out: PEP 8 asks for the
  suffix only "if the exception actually is an error", which a linter
  cannot tell;
- a ``# noqa: CODE`` comment naming the code is honoured, as the vendor's
  recorded use of PEP 8's "A Foolish Consistency" clause; a bare ``# noqa``
  and file-wide exemptions (``# ruff: noqa``, ``# flake8: noqa``) are not;
- generated files get no exemption: they are the driver the user imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.judges.ruff import lint
from ivi_conform.model import Evidence, Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


def _judge(context: AuditContext, prefixes: tuple[str, ...], what: str) -> Finding:
    run = lint(context)
    if run.error:
        return Finding.errored(run.error)
    if not run.files:
        return Finding.skipped("the distribution ships no Python file")
    mine = [v for v in run.violations if v.code.startswith(prefixes)]
    problems = [
        Evidence(context.dist.where(v.path), v.line, f"{v.code} {v.message}") for v in mine
    ]
    codes = sorted({v.code for v in mine})
    return Finding.judge(
        problems,
        ok=f"{run.files} Python file(s) follow {what}",
        bad=f"{{n}} departure(s) from {what} ({', '.join(codes[:12])}"
            f"{', ...' if len(codes) > 12 else ''})",
    )


@check("style-pep8")
def pep8_style(context: AuditContext) -> Finding:
    """The shipped Python files follow PEP 8 (pycodestyle's E and W rules)."""
    return _judge(context, ("E", "W", "syntax"), "PEP 8 (pycodestyle E, W)")


@check("naming-pep8")
def pep8_naming(context: AuditContext) -> Finding:
    """The shipped Python files follow PEP 8's naming conventions (pep8-naming's N rules)."""
    return _judge(context, ("N",), "PEP 8 naming (pep8-naming N)")
