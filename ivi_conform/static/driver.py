"""Find the driver inside a distribution: its import package, root class, utility class.

Many rules ask about "the driver's package" or "the root class"; they find it
here, once, the same way, so that two rules never disagree on what the driver
is. The search is by the spec's own marks: the root class is the exported
class whose lower-cased name begins the package name and that carries the
``ivi_utility`` reference property.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from ivi_conform.static.source import (
    ClassInfo,
    MemberKind,
    SourceIndex,
    simple_name,
    walk_statements,
)


@dataclass(frozen=True)
class DriverShape:
    """The driver's landmarks; any of them may be missing in a broken driver."""

    package: str | None
    root: ClassInfo | None
    utility: ClassInfo | None
    direct_io: ClassInfo | None

    @property
    def identifier(self) -> str | None:
        """The ``<driver_identifier>``: the import package's name."""
        return self.package


def has_reference(index: SourceIndex, info: ClassInfo, name: str) -> bool:
    """Whether the class (or a base) has a member of that name."""
    return index.find_member(info, name) is not None


def _root_of(index: SourceIndex, package: str) -> ClassInfo | None:
    exported = index.exported_classes(package)
    prefixed = [
        info for name, info in exported.items() if package.lower().startswith(name.lower())
    ]
    with_utility = [info for info in prefixed if has_reference(index, info, "ivi_utility")]
    for pool in (with_utility, prefixed):
        if pool:
            return max(pool, key=lambda info: len(info.name))
    anywhere = [info for info in exported.values() if has_reference(index, info, "ivi_utility")]
    return anywhere[0] if len(anywhere) == 1 else None


def _referenced(
    index: SourceIndex, root: ClassInfo | None, name: str, package: str | None
) -> ClassInfo | None:
    """The class a reference property of the root gives.

    The IVI Core's "property" covers attributes in object-oriented languages:
    an instance attribute the constructor builds counts as the reference. The
    annotation says it; when it names an abstract class (the driver's
    copy of ``IviUtility``), the one concrete subclass in the package is the
    class that is instantiated. Without an annotation, the property's
    ``return self._x`` is followed to the ``self._x = Class(...)`` that set it.
    """
    if root is None:
        return None
    found = index.find_member(root, name)
    if found is None:
        return None
    owner, member = found
    if member.kind is MemberKind.PROPERTY:
        returned = index.returned_class(member, owner)
        if returned is None and member.function is not None and member.function.returns is None:
            returned = _assigned_class(index, owner, member.function)
    elif member.scope is not None:  # ``self.ivi_utility = Utility(...)`` in the constructor
        returned = index.instance_class(owner, member)
    else:
        return None
    if returned is None or not any(item.abstract for item in returned.members.values()):
        return returned
    concrete = [
        info for info in index.classes
        if info is not returned and package is not None
        and (info.module.name == package or info.module.name.startswith(package + "."))
        and returned.name in index.ancestors(info)
        and not any(item.abstract for item in info.members.values())
    ]
    return concrete[0] if len(concrete) == 1 else returned


def _assigned_class(
    index: SourceIndex, owner: ClassInfo, getter: ast.FunctionDef | ast.AsyncFunctionDef
) -> ClassInfo | None:
    """``return self._x`` → the class of the ``self._x = Class(...)`` in the owner's methods."""
    returned = [
        statement.value.attr for statement in getter.body
        if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Attribute)
        and isinstance(statement.value.value, ast.Name) and statement.value.value.id == "self"
    ]
    if len(returned) != 1:
        return None
    for method in owner.node.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for statement in walk_statements(method):
            if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
                    and any(isinstance(target, ast.Attribute) and target.attr == returned[0]
                            for target in statement.targets)):
                return index.resolve(simple_name(statement.value.func), owner.module)
    return None


def find_driver(index: SourceIndex, distribution_name: str) -> DriverShape:
    """Locate the driver's package and classes in the parsed distribution."""
    packages = index.top_level_packages
    wanted = canonicalize_name(distribution_name) if distribution_name else ""
    ordered = sorted(
        packages,
        key=lambda name: (canonicalize_name(name) != wanted, _root_of(index, name) is None, name),
    )
    package = ordered[0] if ordered else None
    root = _root_of(index, package) if package else None
    return DriverShape(
        package=package,
        root=root,
        utility=_referenced(index, root, "ivi_utility", package),
        direct_io=_referenced(index, root, "ivi_direct_io", package),
    )
