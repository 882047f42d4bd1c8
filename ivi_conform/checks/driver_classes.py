"""Section "IVI-Python Driver Classes": the root class, importable from the package top.

The spec's own examples (``from rssiggen42 import RSSigGen42``) show how a
client reaches the root class, so the rule asks for exactly that import. The
root class is the one :func:`ivi_conform.static.driver.find_driver` locates; whether
its name is spelled like the package is judged by ``ident-consistent``, and
whether it provides the complete API by the API rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


@check("class-root")
def root_class(context: AuditContext) -> Finding:
    """A root class ``<DriverClassName>`` exists and ``from <package> import <Class>`` works."""
    shape = context.driver
    if shape.package is None:
        return Finding.failed(
            "no driver package in the distribution, so no root class "
            "(a top-level folder with __init__.py is needed, see package-init)"
        )
    top = Evidence(f"{shape.package}/__init__.py", None, f"package {shape.package}")
    root = shape.root
    if root is None:
        return Finding.failed(
            f"no class exported by {shape.package} carries the ivi_utility reference property "
            f"or begins the package name", (top,),
        )
    exported = context.source.exported_classes(shape.package)
    statement = f"from {shape.package} import {root.name}"
    if exported.get(root.name) is not root:
        aliases = sorted(name for name, info in exported.items() if info is root)
        also = f" (it is exported as {', '.join(aliases)})" if aliases else ""
        return Finding.failed(
            f"root class {root.qualname} is not importable as `{statement}`{also}",
            (root.evidence(f"class {root.name}"), top),
        )
    return Finding.passed(
        f"`{statement}` gives the root class, defined at "
        f"{root.module.path}:{root.node.lineno}"
    )
