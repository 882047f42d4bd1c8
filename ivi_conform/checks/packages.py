"""Section "IVI-Python Packages": a package with ``__init__.py``, one driver per distribution.

A driver is recognised by the spec's own mark, a class with the
``ivi_utility`` reference property, and counted by the top-level name it is
installed under. A ``tests`` or ``examples`` package shipped in the wheel
therefore counts only when it holds such a class (a second driver, or a
fake one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.source import ClassInfo, MemberKind

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

_REFERENCE_KINDS = (MemberKind.PROPERTY, MemberKind.ATTRIBUTE)


def driver_holders(context: AuditContext) -> dict[str, list[ClassInfo]]:
    """Top-level package or module name → its classes that declare ``ivi_utility``.

    Only a class's own members are looked at: a subclass lives under the same
    top-level name as its base in every real driver, and one pass over the
    classes stays cheap for generated drivers with thousands of them.
    """
    holders: dict[str, list[ClassInfo]] = {}
    for info in context.source.classes:
        member = info.members.get("ivi_utility")
        if member is not None and member.kind in _REFERENCE_KINDS:
            holders.setdefault(info.module.name.split(".", 1)[0], []).append(info)
    return holders


def _namespace_folders(context: AuditContext, package: str) -> list[str]:
    """Folders of the package that hold Python modules but no ``__init__.py``."""
    folders = {path.rsplit("/", 1)[0] for path in context.dist.files
               if path.startswith(f"{package}/") and path.endswith((".py", ".pyi"))}
    return sorted(folder for folder in folders
                  if f"{folder}/__init__.py" not in context.dist.files
                  and f"{folder}/__init__.pyi" not in context.dist.files)


@check("package-init")
def package_with_init(context: AuditContext) -> Finding:
    """The driver is a regular package: a folder with ``__init__.py``, and so are its folders."""
    package = context.driver.package
    if package is not None:
        missing = _namespace_folders(context, package)
        if missing:
            return Finding.failed(
                f"the package {package} holds {len(missing)} folder(s) of Python modules without "
                f"__init__.py (namespace packages): {', '.join(missing)}",
                tuple(Evidence(f"{folder}/__init__.py", None, f"{folder}/ has no __init__.py")
                      for folder in missing),
            )
        return Finding.passed(f"the driver is the package {package}/ with {package}/__init__.py")
    holders = driver_holders(context)
    problems: list[Evidence] = []
    for top, classes in sorted(holders.items()):
        module = classes[0].module
        if "." not in module.name:
            problems.append(Evidence(module.path, None,
                                     f"the driver {classes[0].name} is a single module, "
                                     f"not a package"))
        else:
            problems.append(Evidence(f"{top}/__init__.py", None,
                                     f"{top}/ holds the driver {classes[0].name} but has no "
                                     f"__init__.py (a namespace package)"))
    if problems:
        return Finding.failed("the driver is not a package with an __init__.py file",
                              tuple(problems))
    folders = sorted({path.split("/", 1)[0] for path in context.dist.files
                      if path.endswith(".py") and "/" in path and ".dist-info/" not in path})
    found = f" (folders without __init__.py: {', '.join(folders)})" if folders else ""
    return Finding.failed(f"the distribution holds no Python package{found}")


@check("package-one-driver")
def one_driver(context: AuditContext) -> Finding:
    """Exactly one driver per distribution: one top-level name holds ``ivi_utility`` classes."""
    holders = driver_holders(context)
    if len(holders) == 1:
        (top, classes), = holders.items()
        return Finding.passed(f"one driver, under {top} ({classes[0].qualname})")
    if not holders:  # the need "root-class" holds: the root lacks the mark drivers are counted by
        root = context.driver.root
        assert root is not None
        return Finding.skipped(
            f"drivers are counted by their ivi_utility reference, and the root class {root.name} "
            "has none; utility-reference charges it, so this rule is not judged separately"
        )
    return Finding.failed(
        f"{len(holders)} drivers in one distribution: {', '.join(sorted(holders))}",
        tuple(classes[0].evidence(f"{classes[0].qualname} has ivi_utility")
              for _top, classes in sorted(holders.items())),
    )
