"""Find the driver inside a distribution: its import package, root class, utility class.

Many rules ask about "the driver's package" or "the root class"; they find it
here, once, the same way, so that two rules never disagree on what the driver
is. The search is by the spec's own marks: the root class is the exported
class whose lower-cased name begins the package name and that carries the
``ivi_utility`` reference property.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.utils import canonicalize_name

from ivi_conform.source import ClassInfo, MemberKind, SourceIndex


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
        info for name, info in exported.items() if package.startswith(name.lower())
    ]
    with_utility = [info for info in prefixed if has_reference(index, info, "ivi_utility")]
    for pool in (with_utility, prefixed):
        if pool:
            return max(pool, key=lambda info: len(info.name))
    anywhere = [info for info in exported.values() if has_reference(index, info, "ivi_utility")]
    return anywhere[0] if len(anywhere) == 1 else None


def _referenced(index: SourceIndex, root: ClassInfo | None, name: str) -> ClassInfo | None:
    if root is None:
        return None
    found = index.find_member(root, name)
    if found is None:
        return None
    owner, member = found
    if member.kind is not MemberKind.PROPERTY:
        return None
    return index.returned_class(member, owner)


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
        utility=_referenced(index, root, "ivi_utility"),
        direct_io=_referenced(index, root, "ivi_direct_io"),
    )
