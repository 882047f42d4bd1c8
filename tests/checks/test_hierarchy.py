"""IVI-Python Hierarchy: reference properties from the root, named after their classes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from wheelkit import wheel

from ivi_conform.checks import hierarchy as checks
from ivi_conform.context import AuditContext
from ivi_conform.model import Outcome
from ivi_conform.static.api_shape import hierarchy_of, snake_case

UTILITY = '''
class Utility:
    @property
    def driver_version(self) -> str:
        return "1.0.0"
'''


def driver(tmp_path: Path, root_body: str, extra: str = "") -> AuditContext:
    """A driver ``xydmm`` whose root class ``XyDmm`` has ``root_body`` beside ivi_utility."""
    source = (
        "from __future__ import annotations\n"
        "import dataclasses, enum\n"
        "from typing import Optional\n\n"
        "class XyDmm:\n"
        "    @property\n"
        "    def ivi_utility(self) -> Utility:\n"
        "        return Utility()\n"
        + textwrap.indent(textwrap.dedent(root_body), "    ")
        + UTILITY + textwrap.dedent(extra)
    )
    return wheel(tmp_path, {"xydmm/__init__.py": source})


CHILDREN = '''
class Measurement:
    @property
    def trigger(self) -> Trigger:
        return Trigger()

class Trigger:
    def fire(self) -> None: ...

class AcVoltage:
    pass
'''


def test_reference_properties_from_the_root_pass(tmp_path: Path) -> None:
    context = driver(tmp_path, '''
        @property
        def measurement(self) -> Measurement:
            return Measurement()
        @property
        def ac_voltage(self) -> "Optional[AcVoltage]":
            return AcVoltage()
    ''', CHILDREN)
    finding = checks.root_references(context)
    assert finding.outcome is Outcome.PASS
    assert "measurement → Measurement, ac_voltage → AcVoltage" in finding.message
    assert "5 classes reachable" in finding.message
    assert checks.property_names(context).outcome is Outcome.PASS


def test_a_root_with_only_the_ivi_interfaces_is_flat(tmp_path: Path) -> None:
    finding = checks.root_references(driver(tmp_path, '''
        def measure(self) -> float:
            return 0.0
        @property
        def range(self):
            return 10.0
    '''))
    assert finding.outcome is Outcome.FAIL
    assert "not a hierarchy" in finding.message
    assert ("without a return annotation whose returned class cannot be read: range"
            in finding.message)


def test_value_classes_returned_by_properties_are_not_children(tmp_path: Path) -> None:
    finding = checks.root_references(driver(tmp_path, '''
        @property
        def state(self) -> State:
            return State.IDLE
        @property
        def reading(self) -> Reading:
            return Reading(0.0)
    ''', '''
    class State(enum.Enum):
        IDLE = "idle"

    @dataclasses.dataclass(frozen=True)
    class Reading:
        value: float
    '''))
    assert finding.outcome is Outcome.FAIL


def test_property_names_must_be_the_snake_case_of_the_class(tmp_path: Path) -> None:
    finding = checks.property_names(driver(tmp_path, '''
        @property
        def meas(self) -> Measurement:
            return Measurement()
    ''', CHILDREN))
    assert finding.outcome is Outcome.FAIL
    assert "XyDmm.meas returns Measurement: expected measurement" in str(finding.evidence[0])


def test_a_prefix_of_the_owner_or_root_may_be_left_out(tmp_path: Path) -> None:
    finding = checks.property_names(driver(tmp_path, '''
        @property
        def display(self) -> XyDmmDisplay:
            return XyDmmDisplay()
    ''', '''
    class XyDmmDisplay:
        @property
        def window(self) -> XyDmmDisplayWindow:
            return XyDmmDisplayWindow()

    class XyDmmDisplayWindow:
        @property
        def cls2(self) -> Cls2:
            return Cls2()

    class Cls2:
        pass
    '''))
    assert finding.outcome is Outcome.PASS, [str(e) for e in finding.evidence]
    assert "all 3 reference properties" in finding.message


def test_ivi_interfaces_and_collections_are_exempt(tmp_path: Path) -> None:
    finding = checks.property_names(driver(tmp_path, '''
        @property
        def ivi_direct_io(self) -> Utility:
            return Utility()
        @property
        def channels(self) -> ChannelCollection:
            return ChannelCollection()
    ''', '''
    class Channel:
        pass

    class ChannelCollection(dict[str, Channel]):
        pass
    '''))
    assert finding.outcome is Outcome.SKIP


def test_inherited_reference_properties_are_reported_once(tmp_path: Path) -> None:
    context = driver(tmp_path, '''
        @property
        def first(self) -> First:
            return First()
        @property
        def second(self) -> Second:
            return Second()
    ''', '''
    class Base:
        @property
        def trig(self) -> Trigger:
            return Trigger()

    class First(Base):
        pass

    class Second(Base):
        pass

    class Trigger:
        pass
    ''')
    finding = checks.property_names(context)
    assert finding.outcome is Outcome.FAIL
    assert len(finding.evidence) == 1
    assert "Base.trig returns Trigger" in str(finding.evidence[0])


def test_a_generated_hierarchy_of_many_classes(tmp_path: Path) -> None:
    classes = [f"Node{n}" for n in range(400)]
    body = []
    for number, name in enumerate(classes):
        children = classes[number * 3 + 1: number * 3 + 4]
        body.append(f"class {name}:\n    pass\n" if not children else f"class {name}:\n" + "".join(
            f"    @property\n    def {snake_case(child)}(self) -> {child}:\n"
            f"        return {child}()\n" for child in children))
    context = driver(tmp_path, '''
        @property
        def node0(self) -> Node0:
            return Node0()
    ''', "\n".join(body))
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None and len(hierarchy.classes) == 402
    assert checks.property_names(context).outcome is Outcome.PASS


def test_snake_case() -> None:
    assert snake_case("AntiPinch") == "anti_pinch"
    assert snake_case("IOTimeout") == "io_timeout"
    assert snake_case("Cls2") == "cls2"
    assert snake_case("Channel2Config") == "channel2_config"


def test_classes_under_blocks_are_indexed_but_not_those_inside_functions(tmp_path: Path) -> None:
    context = driver(tmp_path, '''
        @property
        def display(self) -> Display:
            return Display()
        @property
        def window(self) -> Window:
            return make_window()
    ''', '''
    import sys
    if sys.version_info >= (3, 11):
        class Display:
            pass
    else:
        class Display:
            pass

    def make_window() -> object:
        class Window:
            pass
        return Window()
    ''')
    finding = checks.root_references(context)
    assert finding.outcome is Outcome.PASS
    assert "display → Display" in finding.message and "window" not in finding.message


def test_unannotated_references_built_in_init_are_read_from_the_code(tmp_path: Path) -> None:
    """``return self._x`` where ``__init__`` set ``self._x = Child(...)``: a hierarchy."""
    source = (
        "from xydmm.parts import Measurement, Trigger\n"
        "from xydmm import parts\n\n\n"
        "class XyDmm:\n"
        "    def __init__(self, resource):\n"
        "        self._measurement = Measurement(resource)\n"
        "        self._trigger = parts.Trigger()\n"
        "        self._utility = Utility()\n\n"
        "    @property\n"
        "    def measurement(self):\n"
        "        return self._measurement\n\n"
        "    @property\n"
        "    def trigger(self):\n"
        "        return self._trigger\n\n"
        "    @property\n"
        "    def ivi_utility(self):\n"
        "        return self._utility\n\n\n"
        "class Utility:\n"
        "    pass\n"
    )
    parts = ("class Measurement:\n    def __init__(self, resource):\n"
             "        self._resource = resource\n\n\nclass Trigger:\n    pass\n")
    context = wheel(tmp_path, {"xydmm/__init__.py": source, "xydmm/parts.py": parts})
    finding = checks.root_references(context)
    assert finding.outcome is Outcome.PASS, finding.message
    assert "measurement → Measurement, trigger → Trigger" in finding.message


def test_lazy_generated_references_with_local_imports(tmp_path: Path) -> None:
    """The generated style: tabs, no hints, the child class imported inside the getter."""
    root = (
        "class RsXyz:\n"
        "\tdef __init__(self, resource_name, id_query=True, reset=False, options=None):\n"
        "\t\tself._core = object()\n\n"
        "\t@property\n"
        "\tdef applications(self):\n"
        "\t\t\"\"\"applications commands group. 2 Sub-classes, 0 commands.\"\"\"\n"
        "\t\tif not hasattr(self, '_applications'):\n"
        "\t\t\tfrom .Implementations.Applications import ApplicationsCls\n"
        "\t\t\tself._applications = ApplicationsCls(self._core)\n"
        "\t\treturn self._applications\n\n"
        "\t@property\n"
        "\tdef status(self):\n"
        "\t\tif not hasattr(self, '_status'):\n"
        "\t\t\tfrom .Implementations import Status\n"
        "\t\t\tself._status = Status.StatusCls(self._core)\n"
        "\t\treturn self._status\n"
    )
    applications = ("class ApplicationsCls:\n\tdef __init__(self, core):\n"
                    "\t\tself._core = core\n\n"
                    "\t@property\n\tdef k2(self):\n\t\tif not hasattr(self, '_k2'):\n"
                    "\t\t\tfrom .Applications_.K2 import K2Cls\n"
                    "\t\t\tself._k2 = K2Cls(self._core)\n\t\treturn self._k2\n")
    context = wheel(tmp_path, {
        "rsxyz/__init__.py": "from .RsXyz import RsXyz\n",
        "rsxyz/RsXyz.py": root,
        "rsxyz/Implementations/__init__.py": "",
        "rsxyz/Implementations/Applications.py": applications,
        "rsxyz/Implementations/Applications_/__init__.py": "",
        "rsxyz/Implementations/Applications_/K2.py": "class K2Cls:\n\tpass\n",
        "rsxyz/Implementations/Status.py": "class StatusCls:\n\tpass\n",
    }, name="rsxyz", dedent=False)
    finding = checks.root_references(context)
    assert finding.outcome is Outcome.PASS, finding.message
    assert "applications → ApplicationsCls, status → StatusCls" in finding.message
    hierarchy = hierarchy_of(context.source, context.driver)
    assert hierarchy is not None
    assert {info.name for info in hierarchy.classes} >= {"ApplicationsCls", "K2Cls"}


def test_an_unannotated_property_returning_a_value_is_not_a_reference(tmp_path: Path) -> None:
    """Values (a number, a string, a dataclass, whatever two branches disagree on) stay values."""
    source = (
        "import dataclasses\n\n\n"
        "@dataclasses.dataclass\nclass Reading:\n    value: float\n\n\n"
        "class Child:\n    pass\n\n\n"
        "class Other:\n    pass\n\n\n"
        "class XyDmm:\n"
        "    def __init__(self):\n"
        "        self._range = 10.0\n"
        "        self._either = Child() if self._range else Other()\n\n"
        "    @property\n    def range(self):\n        return self._range\n\n"
        "    @property\n    def reading(self):\n        return Reading(1.0)\n\n"
        "    @property\n    def either(self):\n"
        "        if self._range:\n            return Child()\n        return Other()\n"
    )
    finding = checks.root_references(wheel(tmp_path, {"xydmm/__init__.py": source}))
    assert finding.outcome is Outcome.FAIL
    assert "whose returned class cannot be read: either, range, reading" in finding.message


DESCRIPTORS = '''
from typing import Any, Generic, TypeVar, overload

_N = TypeVar("_N")


class Child(Generic[_N]):
    """A reference property written as a descriptor."""

    def __init__(self, doc: str) -> None:
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_" + name

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        return getattr(obj, self.name)


class Motor:
    pass


class Utility:
    pass


class XyDmm:
    ivi_utility: Child[Utility] = Child("IVI utility functions.")
    motor: Child[Motor] = Child("The drive motor.")
    label: str = "xy"

    def __init__(self) -> None:
        self._ivi_utility = Utility()
        self._motor = Motor()
'''


def test_descriptor_typed_class_attributes_are_reference_properties(tmp_path: Path) -> None:
    """``motor: Child[Motor] = Child(...)`` with a ``__get__``: reading it gives a Motor."""
    from ivi_conform.checks import utility

    context = wheel(tmp_path, {"xydmm/__init__.py": DESCRIPTORS})
    finding = checks.root_references(context)
    assert finding.outcome is Outcome.PASS, finding.message
    assert "motor → Motor" in finding.message and "label" not in finding.message
    assert utility.reference(context).outcome is Outcome.PASS


def test_property_calls_are_reference_properties(tmp_path: Path) -> None:
    """``shade = property(_get_shade, doc=...)`` is a property; its getter tells the class."""
    source = (
        "class Shade:\n    pass\n\n\n"
        "class Utility:\n    pass\n\n\n"
        "class XyDmm:\n"
        "    def __init__(self) -> None:\n"
        "        self._shade = Shade()\n"
        "        self._utility = Utility()\n\n"
        "    def _get_ivi_utility(self) -> Utility:\n        return self._utility\n\n"
        "    ivi_utility = property(_get_ivi_utility, doc='IVI utility.')\n\n"
        "    def _get_shade(self):\n        return self._shade\n\n"
        "    shade = property(_get_shade, doc='The sun shade.')\n"
    )
    finding = checks.root_references(wheel(tmp_path, {"xydmm/__init__.py": source}))
    assert finding.outcome is Outcome.PASS, finding.message
    assert "shade → Shade" in finding.message
