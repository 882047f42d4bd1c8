"""Type completeness, measured per public symbol from the syntax trees."""

from __future__ import annotations

import textwrap

from ivi_conform.static.source import SourceIndex
from ivi_conform.static.typing_completeness import Completeness, Gap, measure


def measured(files: dict[str, str], package: str = "xydmm") -> Completeness:
    """Measure ``package`` in the given source files."""
    encoded = {path: textwrap.dedent(text).encode() for path, text in files.items()}
    return measure(SourceIndex(encoded), package, encoded)


def gaps(files: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Qualified name → what it lacks."""
    return {gap.name: gap.missing for gap in measured(files).gaps}


def test_functions_need_every_parameter_and_the_return() -> None:
    found = gaps({"xydmm/__init__.py": """
        def full(a: int, *args: str, b: int = 1, **kwargs: float) -> None: ...
        def bare(a, *args, b=1, **kwargs): ...
        def no_return(a: int): ...
    """})
    assert "xydmm.full" not in found
    assert found["xydmm.bare"] == ("parameter 'a'", "parameter 'b'", "*args", "**kwargs",
                                   "return")
    assert found["xydmm.no_return"] == ("return",)


def test_methods_skip_self_and_cls_but_not_a_static_first_parameter() -> None:
    found = gaps({"xydmm/__init__.py": """
        class Dmm:
            def __init__(self, resource: str): ...
            def method(self) -> None: ...
            @classmethod
            def create(cls) -> "Dmm": ...
            @staticmethod
            def helper(value) -> int: ...
    """})
    assert found == {"xydmm.Dmm.helper": ("parameter 'value'",)}


def test_init_may_omit_its_return_even_without_parameters() -> None:
    assert gaps({"xydmm/__init__.py": """
        class Dmm:
            def __init__(self): ...
    """}) == {}


def test_a_property_is_one_symbol_with_getter_and_setter() -> None:
    result = measured({"xydmm/__init__.py": """
        class Dmm:
            @property
            def range(self) -> float: ...
            @range.setter
            def range(self, value) -> None: ...
    """})
    assert result.symbols == 1
    assert result.gaps[0].missing == ("parameter 'value'",)


def test_overloads_are_judged_by_their_signatures_not_the_implementation() -> None:
    assert gaps({"xydmm/__init__.py": """
        from typing import overload
        @overload
        def read(count: int) -> list[float]: ...
        @overload
        def read(count: None = None) -> float: ...
        def read(count=None):
            return 0.0
    """}) == {}


def test_module_variables_literals_aliases_and_dunders() -> None:
    found = gaps({"xydmm/__init__.py": """
        from typing import TypeVar, Union
        __all__ = ["Dmm"]
        __version__ = "1.0.0"
        TIMEOUT = 2000
        NAME = "dmm"
        NEGATIVE = -1
        T = TypeVar("T")
        Options = Union[dict[str, str], str]
        Reading = float | None
        Alias = TIMEOUT
        MODELS: tuple[str, ...] = ("A", "B")
        UNKNOWN = None
        TABLE = {"a": 1}
        computed = len(NAME)
    """})
    assert found == {"xydmm.UNKNOWN": ("its type",), "xydmm.TABLE": ("its type",),
                     "xydmm.computed": ("its type",)}


def test_class_and_instance_variables() -> None:
    found = gaps({"xydmm/__init__.py": """
        class Dmm:
            __slots__ = ("_io", "count", "label", "cache", "declared")
            limit = 10
            declared: int
            def __init__(self) -> None:
                self._io = None
                self.count = 0
                self.label: str = "x"
                self.cache = None
                self.declared = 3
                if self.count:
                    self.extra = []
                def inner() -> None:
                    self.hidden = None
    """})
    assert found == {"xydmm.Dmm.cache": ("its type",), "xydmm.Dmm.extra": ("its type",)}


def test_setting_a_property_is_not_an_attribute() -> None:
    assert gaps({"xydmm/__init__.py": """
        class Base:
            @property
            def level(self) -> float: ...
            @level.setter
            def level(self, value: float) -> None: ...
        class Dmm(Base):
            def reset(self) -> None:
                self.level = None
    """}) == {}


def test_attributes_the_builtin_exceptions_declare_are_not_new_symbols() -> None:
    """``self.args = ...`` in an exception: typeshed declares args; a new name still counts."""
    assert gaps({"xydmm/__init__.py": """
        class InstrumentError(Exception):
            def __init__(self, code: int, message: str) -> None:
                super().__init__(code, message)
                self.args = (f"{code}: {message}",)
                self.detail = None
        class ManyErrors(InstrumentError):
            def __init__(self) -> None:
                self.args = ("many",)
        class IoFailure(OSError):
            def __init__(self) -> None:
                self.errno = 5
                self.strerror = None
        class Plain:
            def __init__(self) -> None:
                self.args = None
    """}) == {"xydmm.InstrumentError.detail": ("its type",),
              "xydmm.Plain.args": ("its type",)}


def test_a_property_call_is_typed_by_its_accessors() -> None:
    """``x = property(_get_x, _set_x)``: the hints can only be the accessors'."""
    assert gaps({"xydmm/__init__.py": """
        class Panel:
            def _get_position(self) -> int:
                return 0
            def _set_position(self, value: int) -> None: ...
            position = property(_get_position, _set_position, doc="The position.")
            def _get_tilt(self):
                return 0
            tilt = property(fget=_get_tilt)
            def _set_speed(self, value) -> None: ...
            speed = property(_get_position, _set_speed)
    """}) == {"xydmm.Panel.tilt": ("the getter's return",),
              "xydmm.Panel.speed": ("the setter's value",)}


def test_enum_members_need_no_annotation_even_through_a_base_elsewhere() -> None:
    assert gaps({
        "xydmm/__init__.py": """
            from xydmm.base import MyEnum
            class Function(MyEnum):
                DC_VOLTS = "VOLT:DC"
                AC_VOLTS = "VOLT:AC"
                TABLE = {"a": 1}
        """,
        "xydmm/base.py": """
            import enum
            class MyEnum(enum.Enum):
                pass
        """,
    }) == {}


def test_private_modules_count_only_for_what_public_modules_reexport() -> None:
    found = gaps({
        "xydmm/__init__.py": "from xydmm._driver import Dmm\n",
        "xydmm/helpers.py": "from xydmm._driver import Helper\n__all__ = []\n",
        "xydmm/_driver.py": """
            class Dmm:
                def measure(self): ...
            class Helper:
                def run(self): ...
            def _private(x): ...
        """,
        "xydmm/_internal/tools.py": "def tool(x): ...\n",
    })
    assert found == {"xydmm._driver.Dmm.measure": ("return",)}


def test_explicit_reexport_and_dunder_all() -> None:
    found = gaps({
        "xydmm/__init__.py": "",
        "xydmm/api.py": "from xydmm._a import A as A\nfrom xydmm._a import Z\n",
        "xydmm/more.py": "from xydmm._b import B, C\n__all__ = ['B']\n",
        "xydmm/_a.py": "def A(x): ...\ndef Z(x): ...\n",
        "xydmm/_b.py": "def B(x): ...\ndef C(x): ...\n",
    })
    assert set(found) == {"xydmm._a.A", "xydmm._b.B"}


def test_a_stub_beside_the_module_is_judged_instead() -> None:
    result = measured({
        "xydmm/__init__.py": "def measure(x): ...\n",
        "xydmm/__init__.pyi": "def measure(x: int) -> float: ...\n",
    })
    assert result.gaps == ()
    assert result.symbols == 1


def test_nested_classes_count_nested_functions_do_not() -> None:
    found = gaps({"xydmm/__init__.py": """
        class Dmm:
            class Trigger:
                def fire(self, delay): ...
            def measure(self) -> float:
                def helper(x): ...
                return 0.0
    """})
    assert found == {"xydmm.Dmm.Trigger.fire": ("parameter 'delay'", "return")}


def test_conditional_definitions_are_one_symbol() -> None:
    result = measured({"xydmm/__init__.py": """
        import sys
        if sys.version_info >= (3, 12):
            def now() -> float: ...
        else:
            def now(): ...
        try:
            import fast
        except ImportError:
            class Dmm:
                def read(self) -> float: ...
    """})
    assert result.symbols == 2
    assert [gap.name for gap in result.gaps] == ["xydmm.now"]


def test_the_summary_gives_the_figure_and_never_rounds_a_gap_away() -> None:
    many = Completeness(1234, tuple(Gap("f.py", 1, "x", ("return",)) for _ in range(16)), 3)
    assert many.summary() == "98.7 % of 1,234 public symbols fully annotated"
    one_in_a_million = Completeness(1_000_000, (Gap("f.py", 1, "x", ("return",)),), 1)
    assert one_in_a_million.summary().startswith("99.9 % of 1,000,000")
    assert Completeness(0, (), 0).summary() == "100.0 % of 0 public symbols fully annotated"


def test_gaps_name_file_line_and_what_is_missing() -> None:
    result = measured({"xydmm/core.py": "\n\ndef read(count):\n    return count\n",
                       "xydmm/__init__.py": ""})
    assert str(result.gaps[0].evidence()) == (
        "xydmm/core.py:3: xydmm.core.read: no annotation for parameter 'count', return")


def test_a_generated_driver_is_measured_symbol_by_symbol() -> None:
    body = "\n".join(
        f"class Sub{n}:\n"
        f"    def __init__(self) -> None:\n        self.label: str = 'x'\n"
        f"    @property\n    def level(self) -> float: ...\n"
        f"    def configure(self, value{'' if n % 50 else ': int'}) -> None: ...\n"
        for n in range(500))
    result = measured({"xydmm/__init__.py": "", "xydmm/gen.py": body})
    assert result.symbols == 500 * 4
    assert len(result.gaps) == 490
