"""Finding the driver in a distribution: package, root class, utility class."""

from __future__ import annotations

from ivi_conform.static.driver import find_driver
from ivi_conform.static.source import SourceIndex


def test_the_root_class_of_a_mixed_case_package_is_found() -> None:
    # R&S generated drivers: package RsFsw, class RsFsw, re-exported from a submodule
    index = SourceIndex({
        "RsFoo/__init__.py": b"from RsFoo.RsFoo import RsFoo\n",
        "RsFoo/RsFoo.py": b"class RsFoo:\n    pass\n",
    })
    shape = find_driver(index, "RsFoo")
    assert shape.package == "RsFoo"
    assert shape.root is not None and shape.root.name == "RsFoo"
