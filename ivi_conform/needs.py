"""Prerequisites of rules: what a rule needs before it can be judged at all.

A rule that cannot be judged because of a defect another rule already charges
(no root class, say) is not accused a second time: it is skipped and names
that rule, so one missing prerequisite reads as one failure, not thirty. A
need that ivi-conform itself cannot provide ends the rule as ``not-judged``.
Rules declare their needs in the catalog (``needs = ["root-class"]``); the
engine asks this module before it runs the rule's check or exercise. The
facts a need reads (the README, the compliance document, the utility class)
are computed once per audit on the context and shared with the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.documents.compliance import find_compliance_document, find_readme
from ivi_conform.documents.locations import online_introduction, shipped_introduction
from ivi_conform.model import Finding
from ivi_conform.static.api_shape import all_members
from ivi_conform.static.ivi_classes import (
    NOT_ASCII,
    ascii_sign,
    direct_io_class,
    error_result_class,
    utility_class,
)

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


@dataclass(frozen=True)
class Unmet:
    """A need that is not met: why, and the rule that charges the defect (if the driver's).

    ``applies`` is False when the need is missing for a reason that is no
    defect at all (a driver for an instrument without ASCII commands needs no
    direct I/O class): the rule then does not apply and is skipped with the reason.
    """

    reason: str
    charged_by: str | None = None
    applies: bool = True

    def finding(self) -> Finding:
        """The standard end of a rule whose need is not met."""
        if not self.applies:
            return Finding.skipped(self.reason)
        if self.charged_by is None:
            return Finding.not_judged(self.reason)
        return Finding.skipped(f"{self.reason}; {self.charged_by} charges it, so this rule is "
                               "not judged separately")


def _package(context: AuditContext) -> Unmet | None:
    if context.driver.package is None:
        return Unmet("the driver's import package was not found", "package-init")
    return None


def _root_class(context: AuditContext) -> Unmet | None:
    if (unmet := _package(context)) is not None:
        return unmet
    if context.driver.root is None:
        return Unmet(f"the root class of package {context.driver.package} was not found",
                     "class-root")
    return None


def _readme(context: AuditContext) -> Unmet | None:
    if find_readme(context) is None:
        return Unmet("the package has no README", "contents-readme")
    return None


def _compliance_document(context: AuditContext) -> Unmet | None:
    if find_compliance_document(context) is None:
        return Unmet("the package ships no IVI compliance document",
                     "contents-compliance-document")
    return None


def _introduction_document(context: AuditContext) -> Unmet | None:
    shipped, _ = shipped_introduction(context)
    if shipped is None and online_introduction(context) is None:
        return Unmet("the Driver Introduction document is not provided",
                     "docs-introduction-provided")
    return None


def _utility_reference(context: AuditContext) -> Unmet | None:
    """The utility class can be found at all: through ``ivi_utility`` or as the ABC's heir.

    Missing both is the root class's defect (it lacks the reference).
    """
    if (unmet := _root_class(context)) is not None:
        return unmet
    info, _ = utility_class(context)
    root = context.driver.root
    if info is None and root is not None and all_members(context.source, root).get(
            "ivi_utility") is None:
        return Unmet(f"the root class {root.name} has no ivi_utility reference and no class of "
                     "the package derives from IviUtility, so the utility class is not found",
                     "utility-reference")
    return None


def _utility_class(context: AuditContext) -> Unmet | None:
    if (unmet := _utility_reference(context)) is not None:
        return unmet
    if utility_class(context)[0] is None:
        return Unmet("ivi_utility gives no class of the distribution, so the utility class "
                     "is not found", "utility-class")
    return None


def _error_query_result(context: AuditContext) -> Unmet | None:
    """ErrorQueryResult can be looked for: found, or the utility class that returns it exists."""
    info, outside = error_result_class(context)
    if info is not None or outside:
        return None
    return _utility_class(context)


def _direct_io_class(context: AuditContext) -> Unmet | None:
    if (unmet := _root_class(context)) is not None:
        return unmet
    if direct_io_class(context)[0] is not None:
        return None
    if ascii_sign(context) is None:
        return Unmet(NOT_ASCII, applies=False)
    return Unmet("the direct I/O class is not found", "directio-class")


#: Every need a catalog entry may name, and how it is decided.
NEEDS: dict[str, Callable[[AuditContext], Unmet | None]] = {
    "package": _package,
    "root-class": _root_class,
    "readme": _readme,
    "compliance-document": _compliance_document,
    "introduction-document": _introduction_document,
    "utility-reference": _utility_reference,
    "utility-class": _utility_class,
    "error-query-result": _error_query_result,
    "direct-io-class": _direct_io_class,
}


def unmet_need(needs: tuple[str, ...], context: AuditContext) -> Unmet | None:
    """The first of ``needs`` that ``context`` does not meet, or None."""
    for need in needs:
        unmet = NEEDS[need](context)
        if unmet is not None:
            return unmet
    return None
