"""Additional Driver API: ``error_query_all()`` and ``raise_on_device_error()``.

Both are members of the IviUtility ABC, so they are looked for on the
utility class; ``utility-class`` leaves them to these two rules so that a
missing one is reported once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import IVI_UTILITY, Expected, all_members, member_problems
from ivi_conform.static.ivi_classes import utility_class

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


def _expected(name: str) -> Expected:
    return next(expected for expected in IVI_UTILITY if expected.name == name)


def _implemented(context: AuditContext, name: str) -> Finding:
    info, how = utility_class(context)
    expected = _expected(name)
    assert info is not None  # the rule's need "utility-class" (rules/additional-api.toml)
    problems = member_problems(context.source, info, expected)
    root = context.driver.root
    if problems and root is not None and name in all_members(context.source, root):
        problems.append(Evidence(root.module.path, all_members(context.source, root)[name][1].line,
                                 f"{root.name}.{name} exists, but the IviUtility ABC puts it on "
                                 "the utility class"))
    return Finding.judge(problems, ok=f"{info.name}.{name}() is implemented "
                                      f"({expected.described})",
                         bad=f"{info.name} ({how}) does not implement {expected.described}")


@check("api-error-query-all")
def error_query_all(context: AuditContext) -> Finding:
    """``error_query_all()`` returns a collection of ErrorQueryResult."""
    return _implemented(context, "error_query_all")


@check("api-raise-on-device-error")
def raise_on_device_error(context: AuditContext) -> Finding:
    """``raise_on_device_error()`` is implemented (it raises; the behavioural rules run it)."""
    return _implemented(context, "raise_on_device_error")
