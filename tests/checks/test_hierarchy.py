"""IVI-Python Hierarchy: reference properties from the root, named after their classes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from wheelkit import wheel

from ivi_conform.api_shape import hierarchy_of, snake_case
from ivi_conform.checks import hierarchy as checks
from ivi_conform.engine import AuditContext
from ivi_conform.model import Outcome

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
    assert "without a return annotation cannot show a child: range" in finding.message


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
