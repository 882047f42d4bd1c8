"""Section "IVI-Python Distribution Package Naming": the name on PyPI.

The spec ends the section with "Existing drivers with different name
compositions are exempt from this rule." Whether a driver "existed" (before
IVI-Python 1.0, 2026-02-26) cannot be read from a wheel, so no driver is
exempted automatically: the two composition rules (same as the import
package, lower case) say in their message that an existing driver may claim
the exemption, and the vendor claims it in the compliance document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import InvalidName, canonicalize_name

from ivi_conform.checks import check
from ivi_conform.model import Finding
from ivi_conform.static.identity import metadata_evidence

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

EXEMPTION = ("drivers that existed before IVI-Python 1.0 with a different name composition "
             "are exempt; claim it in the compliance document")


@check("distname-valid")
def valid_name(context: AuditContext) -> Finding:
    """The distribution name is a valid Python package name (PEP 508 / core metadata)."""
    name = context.dist.name
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        return Finding.failed(
            f"{name!r} is not a valid distribution name: ASCII letters, digits, '.', '-' and "
            f"'_', beginning and ending with a letter or digit",
            (metadata_evidence(context, "Name", name),),
        )
    return Finding.passed(f"{name!r} is a valid distribution name")


@check("distname-normalized")
def normalized_name(context: AuditContext) -> Finding:
    """The distribution name is already normalized: lower case, runs of ``.-_`` as one ``-``."""
    name = context.dist.name
    normal = canonicalize_name(name)
    if name == normal:
        return Finding.passed(f"{name!r} is normalized")
    return Finding.failed(f"{name!r} is not normalized: {normal!r}",
                          (metadata_evidence(context, "Name", name),))


@check("distname-matches-package")
def matches_package(context: AuditContext) -> Finding:
    """The distribution name is the import package's name, separators aside."""
    name = context.dist.name
    package = context.driver.package
    assert package is not None  # the rule's need (rules/*.toml)
    if canonicalize_name(name) == canonicalize_name(package):
        return Finding.passed(f"distribution {name!r} and import package {package} differ at "
                              f"most in separators")
    return Finding.failed(
        f"distribution {name!r} is not import package {package} with other separators "
        f"({EXEMPTION})", (metadata_evidence(context, "Name", name),),
    )


@check("distname-lowercase")
def lowercase_name(context: AuditContext) -> Finding:
    """The distribution name is all lower case."""
    name = context.dist.name
    if name == name.lower():
        return Finding.passed(f"{name!r} is in lower case")
    return Finding.failed(f"{name!r} is not all lower case ({EXEMPTION})",
                          (metadata_evidence(context, "Name", name),))
