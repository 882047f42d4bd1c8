"""Section "IVI-Python Package Versioning": semantic versioning, as PEP 440 writes it.

A wheel's version is PEP 440, so semver is judged in its PEP 440 rendering:
exactly MAJOR.MINOR.PATCH, numbers without leading zeros, optionally a
pre-release (``1.0.0rc1``, semver ``1.0.0-rc.1``) and a local label
(``1.0.0+build.5``, semver build metadata). Epochs, post-releases and
development releases have no semver counterpart that sorts the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: The release part as written: no leading zeros ("01.2.3" is not semver).
_RELEASE = re.compile(r"^v?(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))*", re.IGNORECASE)


def semver_problems(text: str) -> list[str]:
    """Why a PEP 440 version string is not semantic versioning (empty when it is)."""
    try:
        version = Version(text)
    except InvalidVersion:
        return [f"{text!r} is not a valid version (PEP 440)"]
    problems = []
    if len(version.release) != 3:
        problems.append(f"{len(version.release)} release number(s), semver has exactly "
                        f"MAJOR.MINOR.PATCH")
    release = text.strip().split("!", 1)[-1]
    match = _RELEASE.match(release)
    if match is None or (match.end() < len(release) and release[match.end()].isdigit()):
        problems.append("a release number has a leading zero")
    if version.epoch:
        problems.append(f"epoch {version.epoch}! has no semver counterpart")
    if version.post is not None:
        problems.append(f"post-release .post{version.post} has no semver counterpart "
                        f"(a semver suffix would sort before the release)")
    if version.dev is not None:
        problems.append(f"development release .dev{version.dev} has no semver counterpart "
                        f"that sorts the same way")
    return problems


def _where(context: AuditContext) -> Evidence:
    source = context.dist.source_root
    if source is not None and (source / "pyproject.toml").is_file():
        for number, line in enumerate(
            (source / "pyproject.toml").read_text(encoding="utf-8").splitlines(), start=1
        ):
            if re.match(r"\s*version\s*=", line):
                return Evidence("pyproject.toml", number, line.strip())
    return Evidence("METADATA", None, f"Version: {context.dist.version}")


@check("version-semver")
def semantic_version(context: AuditContext) -> Finding:
    """The version is MAJOR.MINOR.PATCH with an optional pre-release and local label."""
    text = context.dist.version
    problems = semver_problems(text)
    if problems:
        return Finding.failed(f"version {text} is not semantic versioning: "
                              f"{'; '.join(problems)}", (_where(context),))
    return Finding.passed(f"version {text} is semantic versioning (MAJOR.MINOR.PATCH)")
