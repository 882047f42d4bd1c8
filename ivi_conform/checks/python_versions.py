"""Section "Target Python Versions": Requires-Python against the PSF's supported versions.

What a driver "supports" is read from what it declares to installers, the
Requires-Python of its metadata; no Requires-Python admits every version.
The versions the PSF supported "at the time of the driver's release" come
from the dated table ``data/cpython.toml`` at the audit's release date (given
on the command line, else the distribution's, else today).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.identity import metadata_evidence
from ivi_conform.static.pythons import Minor, admits, python_table

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


@dataclass(frozen=True)
class _Requirement:
    """What both rules compare: the supported minors and the driver's Requires-Python."""

    supported: tuple[Minor, ...]
    day: str
    note: str
    specifiers: SpecifierSet | None
    where: Evidence


def _requirement(context: AuditContext) -> _Requirement | Finding:
    """The comparison's inputs, or the finding that ends the rule before it starts.

    The table may know no supported version on the date (ivi-conform's
    error), or Requires-Python may not parse (the driver's failure).
    """
    table = python_table()
    release = context.release_date
    note = ""
    if release > table.valid_until:
        note = (f" (the CPython table, dated {table.dated.isoformat()}, may miss versions "
                f"released after {table.valid_until.isoformat()})")
    supported, day = table.supported_on(release), release.isoformat()
    if not supported:
        return Finding.errored(f"the CPython table knows no supported version on {day}{note}")
    text = context.dist.metadata.get("requires_python") or ""
    where = metadata_evidence(context, "Requires-Python", text)
    specifiers = None
    if text:
        try:
            specifiers = SpecifierSet(text)
        except InvalidSpecifier as exc:
            return Finding.failed(f"Requires-Python {text!r} is not a valid specifier: {exc}",
                                  (where,))
    return _Requirement(supported, day, note, specifiers, where)


def _versions(minors: tuple[Minor, ...]) -> str:
    return ", ".join(minor.version for minor in minors) or "none"


@check("python-supported-version")
def supports_a_supported_version(context: AuditContext) -> Finding:
    """Requires-Python admits at least one version the PSF supported at the release date."""
    need = _requirement(context)
    if isinstance(need, Finding):
        return need
    supported, day, note, specifiers = need.supported, need.day, need.note, need.specifiers
    if specifiers is None:
        return Finding.passed(f"no Requires-Python: every version is admitted, including the "
                              f"supported {_versions(supported)} on {day}{note}")
    admitted = tuple(minor for minor in supported if admits(specifiers, minor.version))
    if admitted:
        return Finding.passed(f"Requires-Python {specifiers} admits {_versions(admitted)}, "
                              f"supported on {day}{note}")
    return Finding.failed(
        f"Requires-Python {specifiers} admits none of the versions the PSF supported on "
        f"{day}: {_versions(supported)}{note}", (need.where,),
    )


@check("python-all-active-versions")
def supports_all_active_versions(context: AuditContext) -> Finding:
    """Requires-Python admits every version the PSF supported at the release date."""
    need = _requirement(context)
    if isinstance(need, Finding):
        return need
    supported, day, note, specifiers = need.supported, need.day, need.note, need.specifiers
    if specifiers is None:
        return Finding.passed(f"no Requires-Python: every active version ({_versions(supported)}"
                              f" on {day}) is admitted{note}")
    refused = tuple(minor for minor in supported if not admits(specifiers, minor.version))
    if not refused:
        return Finding.passed(f"Requires-Python {specifiers} admits every active version on "
                              f"{day}: {_versions(supported)}{note}")
    return Finding.failed(
        f"Requires-Python {specifiers} refuses {_versions(refused)}, active on {day}{note}",
        (need.where,),
    )
