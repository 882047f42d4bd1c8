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
