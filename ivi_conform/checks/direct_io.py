"""Direct IO Properties and Methods: ``ivi_direct_io`` and the IviDirectIo class.

Direct I/O is required only of drivers "for instruments that have an ASCII
command set such as SCPI". The syntax cannot tell that for certain, so a
driver is taken to control an ASCII instrument when its package imports a
VISA or socket library or holds an IEEE 488.2 / SCPI command (``*IDN?``,
``*RST``, ``SYST:ERR?``...), or when it offers direct I/O anyway. Without
any of these signs the rules skip, saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import (
    IVI_DIRECT_IO,
    all_members,
    derives_from,
    member_problems,
    reference_like,
)
from ivi_conform.static.ivi_classes import NOT_ASCII, ascii_sign, direct_io_class

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

@check("directio-reference")
def reference(context: AuditContext) -> Finding:
    """The root class has a property named ``ivi_direct_io`` (for an ASCII instrument)."""
    root = context.driver.root
    assert root is not None  # the rule's need (rules/*.toml)
    found = all_members(context.source, root).get("ivi_direct_io")
    if found is not None and reference_like(context.source, found[0], found[1]):
        returned = context.driver.direct_io
        target = f", returning {returned.name}" if returned else ""
        kind = ("an instance attribute the constructor sets (the Core's properties include "
                "attributes)" if found[1].scope is not None else "a reference property")
        return Finding.passed(f"{root.name}.ivi_direct_io is {kind}{target}")
    info, _ = direct_io_class(context)
    sign = ascii_sign(context)
    if found is None and info is None and sign is None:
        return Finding.skipped(NOT_ASCII)
    if found is not None:
        owner, member = found
        return Finding.failed(f"{root.name}.ivi_direct_io is a {member.kind.value}, not a "
                              "property", (Evidence(owner.module.path, member.line, ""),))
    because = f"the direct I/O class {info.name} exists" if info else f"ASCII instrument ({sign})"
    return Finding.failed(f"the root class {root.name} has no ivi_direct_io property ({because})",
                          (root.evidence(f"{root.name} has no ivi_direct_io"),))


@check("directio-class")
def direct_io_members(context: AuditContext) -> Finding:
    """The direct I/O class implements IviDirectIo member for member (session aside)."""
    info, how = direct_io_class(context)
    if info is None:
        sign = ascii_sign(context)
        if sign is None:
            return Finding.skipped(NOT_ASCII)
        return Finding.failed(f"no direct I/O class, though the instrument has an ASCII command "
                              f"set ({sign})")
    problems: list[Evidence] = []
    for expected in IVI_DIRECT_IO:
        if not expected.optional:
            problems += member_problems(context.source, info, expected)
    inherits = derives_from(context.source, info, "IviDirectIo")
    own = " (the driver's own class of that name)" if info.name == "IviDirectIo" else ""
    relation = ("inherits IviDirectIo" if inherits else
                f"does not inherit the IviDirectIo ABC{own} but matches it member for member "
                "(accepted: the spec's Types file makes inheriting the ABC optional)")
    if problems:
        relation = ("inherits IviDirectIo" if inherits
                    else f"does not inherit the IviDirectIo ABC{own}")
    return Finding.judge(
        problems, ok=f"{info.name} ({how}) {relation}",
        bad=f"{info.name} ({how}) {relation}, and {{n}} member(s) differ from the ABC",
    )


@check("directio-session")
def session(context: AuditContext) -> Finding:
    """The direct I/O class offers the optional ``session`` property."""
    info, _ = direct_io_class(context)
    assert info is not None  # the rule's need (rules/*.toml)
    expected = next(item for item in IVI_DIRECT_IO if item.name == "session")
    problems = member_problems(context.source, info, expected)
    return Finding.judge(problems, ok=f"{info.name}.session gives the underlying I/O session",
                         bad=f"{info.name} has no session property (the underlying I/O library)")
