"""Section "Target Python Versions": Requires-Python against the PSF's supported versions.

What a driver "supports" is read from what it declares to installers, the
Requires-Python of its metadata; no Requires-Python admits every version.
The versions the PSF supported "at the time of the driver's release" come
from the dated table ``data/cpython.toml`` at the audit's release date (given
on the command line, else the distribution's, else today).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ivi_conform.checks import check
from ivi_conform.checks.metadata import metadata_evidence
from ivi_conform.model import Finding
from ivi_conform.pythons import Minor, admits, python_table

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext


def _supported(context: AuditContext) -> tuple[tuple[Minor, ...], str]:
    """The minors supported at the release date, and a note when the table may be stale."""
    table = python_table()
    day = context.release_date
    note = ""
    if day > table.valid_until:
        note = (f" (the CPython table, dated {table.dated.isoformat()}, may miss versions "
                f"released after {table.valid_until.isoformat()})")
    return table.supported_on(day), note


def _admitted(context: AuditContext) -> tuple[SpecifierSet | None, str]:
    """The Requires-Python as a specifier set (None if absent), or why it is unreadable."""
    text = context.dist.metadata.get("requires_python")
    if not text:
        return None, ""
    try:
        return SpecifierSet(text), ""
    except InvalidSpecifier as exc:
        return None, f"Requires-Python {text!r} is not a valid specifier: {exc}"


def _versions(minors: tuple[Minor, ...]) -> str:
    return ", ".join(minor.version for minor in minors) or "none"


@check("python-supported-version")
def supports_a_supported_version(context: AuditContext) -> Finding:
    """Requires-Python admits at least one version the PSF supported at the release date."""
    supported, note = _supported(context)
    day = context.release_date.isoformat()
    if not supported:
        return Finding.errored(f"the CPython table knows no supported version on {day}{note}")
    specifiers, problem = _admitted(context)
    where = metadata_evidence(context, "Requires-Python",
                              context.dist.metadata.get("requires_python") or "")
    if problem:
        return Finding.failed(problem, (where,))
    if specifiers is None:
        return Finding.passed(f"no Requires-Python: every version is admitted, including the "
                              f"supported {_versions(supported)} on {day}{note}")
    admitted = tuple(minor for minor in supported if admits(specifiers, minor.version))
    if admitted:
        return Finding.passed(f"Requires-Python {specifiers} admits {_versions(admitted)}, "
                              f"supported on {day}{note}")
    return Finding.failed(
        f"Requires-Python {specifiers} admits none of the versions the PSF supported on "
        f"{day}: {_versions(supported)}{note}", (where,),
    )


@check("python-all-active-versions")
def supports_all_active_versions(context: AuditContext) -> Finding:
    """Requires-Python admits every version the PSF supported at the release date."""
    supported, note = _supported(context)
    day = context.release_date.isoformat()
    if not supported:
        return Finding.errored(f"the CPython table knows no supported version on {day}{note}")
    specifiers, problem = _admitted(context)
    where = metadata_evidence(context, "Requires-Python",
                              context.dist.metadata.get("requires_python") or "")
    if problem:
        return Finding.failed(problem, (where,))
    if specifiers is None:
        return Finding.passed(f"no Requires-Python: every active version ({_versions(supported)}"
                              f" on {day}) is admitted{note}")
    refused = tuple(minor for minor in supported if not admits(specifiers, minor.version))
    if not refused:
        return Finding.passed(f"Requires-Python {specifiers} admits every active version on "
                              f"{day}: {_versions(supported)}{note}")
    return Finding.failed(
        f"Requires-Python {specifiers} refuses {_versions(refused)}, active on {day}{note}",
        (where,),
    )
