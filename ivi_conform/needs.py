"""Prerequisites of rules: what a rule needs before it can be judged at all.

A rule that cannot be judged because of a defect another rule already charges
(no root class, say) is not accused a second time: it is skipped and names
that rule, so one missing prerequisite reads as one failure, not thirty. A
need that ivi-conform itself cannot provide ends the rule as ``not-judged``.
Rules declare their needs in the catalog (``needs = ["root-class"]``); the
engine asks this module before it runs the rule's check or exercise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


@dataclass(frozen=True)
class Unmet:
    """A need that is not met: why, and the rule that charges the defect (if the driver's)."""

    reason: str
    charged_by: str | None = None

    def finding(self) -> Finding:
        """The standard end of a rule whose need is not met."""
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


#: Every need a catalog entry may name, and how it is decided.
NEEDS: dict[str, Callable[[AuditContext], Unmet | None]] = {
    "package": _package,
    "root-class": _root_class,
}


def unmet_need(needs: tuple[str, ...], context: AuditContext) -> Unmet | None:
    """The first of ``needs`` that ``context`` does not meet, or None."""
    for need in needs:
        unmet = NEEDS[need](context)
        if unmet is not None:
            return unmet
    return None
