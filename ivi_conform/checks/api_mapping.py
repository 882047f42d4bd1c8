"""Required Driver API Mapping Table: the table's names beside the ABC's.

The table names two APIs differently from the IviUtility ABC defined a few
paragraphs later: ``query_instrument_status`` (r/w) and ``simulate`` (r)
versus ``query_instrument_status_enabled`` and ``simulation_enabled``. The
ABC names are required (by ``utility-class``); the table's names are
accepted as aliases beside them. This rule reports which the driver offers
and, where it offers a table name, that it has the table's kind.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import admits, all_members, property_like, returns, settable
from ivi_conform.static.ivi_classes import utility_class

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: Table name → (ABC name, must be settable).
ALIASES: dict[str, tuple[str, bool]] = {
    "query_instrument_status": ("query_instrument_status_enabled", True),
    "simulate": ("simulation_enabled", False),
}


@check("api-mapping-aliases")
def mapping_aliases(context: AuditContext) -> Finding:
    """The table's names, where offered, are bool properties of the table's kind."""
    info, _ = utility_class(context)
    assert info is not None  # the rule's need (rules/*.toml)
    members = all_members(context.source, info)
    problems: list[Evidence] = []
    offered: list[str] = []
    for alias, (abc_name, writable) in ALIASES.items():
        found = members.get(alias)
        if found is None:
            continue
        offered.append(alias)
        owner, member = found
        where = Evidence(owner.module.path, member.line, "")
        access = "r/w" if writable else "r"
        if not property_like(member):
            problems.append(Evidence(where.file, where.line, f"{info.name}.{alias} is a "
                                     f"{member.kind.value}; the table has a property ({access})"))
            continue
        if writable and not settable(member):
            problems.append(Evidence(where.file, where.line,
                                     f"{info.name}.{alias} is read-only; the table's is r/w"))
        annotation = returns(member)
        if annotation is not None and not admits(annotation, frozenset({"bool", "Any"}),
                                                 context.source, owner.module):
            problems.append(Evidence(where.file, where.line, f"{info.name}.{alias} gives "
                                     f"{ast.unparse(annotation)}, not bool "
                                     f"(like {abc_name})"))
    if offered:
        ok = f"{info.name} offers the table's names {', '.join(offered)} beside the ABC's"
    else:
        ok = (f"{info.name} uses the ABC's names (query_instrument_status_enabled, "
              "simulation_enabled); the table's query_instrument_status and simulate are not "
              "offered as aliases (accepted)")
    return Finding.judge(problems, ok=ok,
                         bad="{n} of the table's names offered with another kind than "
                             "the table's")
