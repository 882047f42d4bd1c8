"""The checks: one function per catalog rule, in the module of its spec section.

A check takes the audit context and returns a :class:`~ivi_conform.model.Finding`.
It registers itself with :func:`check` under its rule id; every module of this
package is imported by :func:`registry`, so adding a rule never edits a list.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from ivi_conform.model import Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

CheckFunction = Callable[["AuditContext"], Finding]

_CHECKS: dict[str, CheckFunction] = {}


def check(rule_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check of ``rule_id``."""

    def register(function: CheckFunction) -> CheckFunction:
        if rule_id in _CHECKS:
            raise RuntimeError(f"two checks for rule {rule_id}: {_CHECKS[rule_id]} and {function}")
        _CHECKS[rule_id] = function
        return function

    return register


def registry() -> dict[str, CheckFunction]:
    """Every registered check, by rule id (imports the check modules on first use)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return _CHECKS
