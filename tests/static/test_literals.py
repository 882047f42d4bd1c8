"""The static evaluator: values a driver spells as constants, computed without running it."""

from __future__ import annotations

import ast
import textwrap

import pytest

from ivi_conform.static.literals import UNKNOWN, StaticValues
from ivi_conform.static.source import SourceIndex


def _index(files: dict[str, str]) -> SourceIndex:
    return SourceIndex({path: textwrap.dedent(text).encode() for path, text in files.items()})


def test_constants_are_followed_through_imports_classes_and_concatenation() -> None:
    index = _index({
        "pkg/__init__.py": "",
        "pkg/models.py": '''\
            PREFIX = "SR-"
            MODELS = {PREFIX + "IB100": 1, "SR-PN200": 2}
            VENDOR: str = "Skylight" + " Test Systems"
        ''',
        "pkg/driver.py": '''\
            from pkg import models
            from pkg.models import MODELS as ALL, VENDOR


            class Base:
                _MANUFACTURER = VENDOR


            class Utility(Base):
                @property
                def supported_instrument_models(self) -> tuple[str, ...]:
                    return tuple(ALL)

                @property
                def driver_vendor(self) -> str:
                    return models.VENDOR

                @property
                def instrument_manufacturer(self) -> str:
                    return self._MANUFACTURER

                @property
                def instrument_model(self) -> str:
                    if self.x:
                        return "A"
                    return "B"
        ''',
    })
    values = StaticValues(index)
    utility = index.classes_named("Utility")[0]

    def returned(name: str) -> object:
        found = values.returned(utility, name)
        return None if found is None else found[0]

    assert returned("supported_instrument_models") == ("SR-IB100", "SR-PN200")
    assert returned("driver_vendor") == "Skylight Test Systems"
    assert returned("instrument_manufacturer") == "Skylight Test Systems"
    assert returned("instrument_model") is None  # two different answers
    call = ast.parse("f(x)", mode="eval").body
    assert values.value(call, index.modules["pkg.driver"]) is UNKNOWN


@pytest.mark.parametrize(("expression", "value"), [
    ('("a", "b")', ("a", "b")),
    ('sorted(["b", "a"])', ("a", "b")),
    ("tuple(TABLE)", ("x", "y")),
    ("tuple(row.name for row in ROWS)", ("r1", "r2")),
    ("[row.size for row in ROWS]", (1, 2)),
    ("NAME", "n"),
    ("self.name", None),
    ("f(1)", None),
])
def test_expressions(expression: str, value: object) -> None:
    index = _index({
        "pkg/__init__.py": f"""\
            from typing import NamedTuple
            from .names import NAME
            TABLE = {{"x": 1, "y": 2}}
            class Row(NamedTuple):
                name: str
                size: int
            ROWS = (Row("r1", 1), Row(name="r2", size=2))
            class Utility:
                @property
                def value(self):
                    return {expression}
        """,
        "pkg/names.py": "NAME = 'n'\n",
    })
    found = StaticValues(index).returned(index.classes_named("Utility")[0], "value")
    assert (None if found is None else found[0]) == value


_BUILT_UNDER_ANOTHER_NAME = {
    "pkg/__init__.py": "from pkg.utility import Utility as Made\n",
    "pkg/utility.py": '''\
        class Utility:
            def __init__(self, vendor):
                self._vendor = vendor

            @property
            def driver_vendor(self):
                return self._vendor
    ''',
    # the one construction names the class only by the alias the package re-exports
    "pkg/driver.py": '''\
        from pkg import Made


        class Driver:
            def __init__(self):
                self.utility = Made("Skylight")
    ''',
}


def test_an_argument_is_followed_to_a_construction_under_a_re_exported_alias() -> None:
    index = _index(_BUILT_UNDER_ANOTHER_NAME)
    utility = index.classes_named("Utility")[0]
    found = StaticValues(index).returned(utility, "driver_vendor")
    assert found is not None and found[0] == "Skylight"


def test_an_argument_given_two_values_by_two_constructions_is_unknown() -> None:
    index = _index({**_BUILT_UNDER_ANOTHER_NAME, "pkg/other.py": '''\
        from pkg.utility import Utility


        def elsewhere():
            return Utility("Someone Else")
    '''})
    utility = index.classes_named("Utility")[0]
    assert StaticValues(index).returned(utility, "driver_vendor") is None
