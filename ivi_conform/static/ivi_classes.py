"""The driver's IVI classes: the utility class, ErrorQueryResult, the direct I/O class.

Found once per audit (facts of the context) and shared by the rules of the
utility, additional-API, mapping-table and direct-I/O sections, and by the
needs (:mod:`ivi_conform.needs`) that skip a rule whose class is missing.
Direct I/O is required only of drivers "for instruments that have an ASCII
command set such as SCPI": :func:`ascii_sign` tells where the package shows one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ivi_conform.static.api_shape import (
    all_members,
    implementation,
    in_package,
    type_name,
    union_members,
)
from ivi_conform.static.source import ClassInfo

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

def utility_class(context: AuditContext) -> tuple[ClassInfo | None, str]:
    """The driver's utility class and how it was found (the ``ivi_utility`` property first)."""
    return context.fact(_utility_class)


def _utility_class(context: AuditContext) -> tuple[ClassInfo | None, str]:
    return implementation(context.source, context.driver, "IviUtility", context.driver.utility)


def error_result_class(context: AuditContext) -> tuple[ClassInfo | None, str]:
    """``ErrorQueryResult``: what ``error_query`` returns, else the class of that name.

    The second value is the module it is imported from when it lies outside
    the distribution (then it cannot be judged).
    """
    index = context.source
    utility, _ = utility_class(context)
    if utility is not None:
        found = all_members(index, utility).get("error_query")
        if found is not None and found[1].function is not None:
            owner, member = found
            function = member.function
            assert function is not None
            for alternative in union_members(function.returns, index, owner.module):
                name = type_name(alternative)
                if name == "None":
                    continue
                resolved = index.resolve(name, owner.module)
                if resolved is not None:
                    return resolved, ""
                origin = index.imported_name(name, owner.module)
                if origin is not None and origin[0] not in index.modules:
                    return None, origin[0]
    named = [info for info in index.classes_named("ErrorQueryResult")
             if in_package(info, context.driver.package)]
    return (named[0] if named else None), ""


_ASCII_SIGNS = re.compile(
    rb"^\s*(?:import|from)\s+(?:pyvisa|visa|pyvisa_py|socket|serial|vxi11|usbtmc)\b"
    rb"|\*IDN\?|\*RST\b|\*CLS\b|\*OPC\?|SYST(?:em)?:ERR(?:or)?\?",
    re.MULTILINE | re.IGNORECASE,
)
NOT_ASCII = ("no sign of an ASCII command set (no VISA/socket import, no SCPI command, no "
              "direct I/O class): Direct I/O is required only for ASCII instruments")


def ascii_sign(context: AuditContext) -> str | None:
    """Where the driver shows it talks to an ASCII (SCPI) instrument, or None."""
    return context.fact(_ascii_sign)


def _ascii_sign(context: AuditContext) -> str | None:
    package = context.driver.package
    if package is None:
        return None
    for path in sorted(context.dist.files):
        if path.startswith(package + "/") and path.endswith(".py"):
            match = _ASCII_SIGNS.search(context.dist.files[path])
            if match:
                return f"{path}: {match.group(0).decode(errors='replace').strip()}"
    return None


def direct_io_class(context: AuditContext) -> tuple[ClassInfo | None, str]:
    """The driver's direct I/O class and how it was found (``ivi_direct_io`` first)."""
    return implementation(context.source, context.driver, "IviDirectIo", context.driver.direct_io)


