"""Settings that are methods: the API map reads and writes them as it does properties.

The spec leaves the form of a setting to the vendor (its hierarchy example
ends in a method), so a get()/set() pair on an object (the generated
style), sibling get_x()/set_x(value) methods and a query method of no
argument are members like a property. These tests need no child: the
parent's reading of a walk (``api.readings``, ``api.Access``) and the
child's (``explore``) are plain functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ivi_conform.behaviour import explore
from ivi_conform.behaviour.api import (
    ACCESSORS,
    PAIR,
    PROPERTY,
    QUERY,
    Member,
    judged_nothing,
    readings,
)
from ivi_conform.behaviour.exercises import NotApplicableError, NotJudgedError


def method(label: str, returns: str = "int", *params: tuple[str, str, bool]) -> Member:
    path = tuple(("attr", part) for part in label.split("."))
    return Member(label, path, "method", returns, False, params)


VALUE = ("value", "int", True)


def test_a_get_set_pair_is_one_settable_member_read_by_get() -> None:
    found = readings([method("motor.speed.get"), method("motor.speed.set", "NoneType", VALUE)])
    assert [(access.label, access.form, settable) for access, settable in found] == [
        ("motor.speed", PAIR, True)]
    access = found[0][0]
    assert access.reading() == ([["attr", "motor"], ["attr", "speed"], ["attr", "get"]], True)
    assert access.writing() == [["attr", "motor"], ["attr", "speed"], ["attr", "set"]]
    assert access.read_shown == "motor.speed.get()"
    assert access.write_shown(20) == "motor.speed.set(20)"


def test_sibling_accessors_are_one_settable_member() -> None:
    found = readings([method("motor.get_speed"), method("motor.set_speed", "NoneType", VALUE)])
    access, settable = found[0]
    assert (access.form, settable) == (ACCESSORS, True)
    assert access.writing() == [["attr", "motor"], ["attr", "set_speed"]]
    assert access.write_shown(20) == "motor.set_speed(20)"


def test_a_method_of_no_argument_that_returns_a_value_is_a_query_not_settable() -> None:
    found = readings([method("motor.current.get", "float"), method("panels.stop", "NoneType"),
                      method("motor.move", "NoneType", VALUE), method("ivi_utility.self_test")])
    assert [(access.label, access.form, settable) for access, settable in found] == [
        ("motor.current.get", QUERY, False)]
    assert found[0][0].read_shown == "motor.current.get()"
    assert found[0][0].writing() is None


def test_a_set_that_takes_two_arguments_makes_no_pair() -> None:
    found = readings([method("motor.speed.get"),
                      method("motor.speed.set", "NoneType", VALUE, ("unit", "str", True))])
    assert [(access.form, settable) for access, settable in found] == [(QUERY, False)]


def test_properties_come_first_and_keep_their_form() -> None:
    prop = Member("motor.speed", (("attr", "motor"), ("attr", "speed")), "property", "int", True)
    found = readings([method("motor.temperature.get", "float"), prop])
    assert [access.form for access, _ in found] == [PROPERTY, QUERY]
    assert found[0][0].write_shown(20) == "motor.speed = 20"


def test_a_rule_that_exercised_nothing_is_not_judged_unless_there_is_nothing() -> None:
    assert isinstance(judged_nothing("nothing explored", ["motor.speed.set()"]), NotJudgedError)
    assert isinstance(judged_nothing("nothing explored", []), NotApplicableError)


# -- the child's side -------------------------------------------------------------------------


class SpeedCls:
    def __init__(self) -> None:
        self.value = 20

    def get(self) -> int:
        return self.value

    def set(self, speed: int) -> None:
        self.value = speed


class Panel:
    def __init__(self) -> None:
        self._speed = SpeedCls()
        self._tilt = 0

    @property
    def speed(self) -> SpeedCls:
        return self._speed

    def get_tilt(self) -> int:
        return self._tilt

    def set_tilt(self, tilt: int) -> None:
        self._tilt = tilt


class Panels(Mapping[str, Panel]):
    def __init__(self) -> None:
        self._items = {"Panel1": Panel(), "Panel2": Panel()}

    def __getitem__(self, key: str) -> Panel:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class Root:
    def __init__(self) -> None:
        self._panels = Panels()

    @property
    def panels(self):  # type: ignore[no-untyped-def]  # as untyped as describe sees it
        return self._panels


def test_the_child_reads_and_writes_each_form() -> None:
    panel = Panel()
    explore.write(panel, "speed", 35)
    assert explore.read(panel, "speed") == 35 == panel.speed.value
    assert explore.written(panel, "speed", "panels['Panel1'].speed", 35) == \
        "drv.panels['Panel1'].speed.set(35)"
    explore.write(panel, "get_tilt", 12)
    assert explore.read(panel, "get_tilt") == 12
    assert explore.written(panel, "get_tilt", "panel.get_tilt", 12) == "drv.panel.set_tilt(12)"


def test_the_exploration_reaches_methods_behind_untyped_references() -> None:
    root, package = Root(), Root.__module__
    described = [{"path": "panels", "kind": "property", "type": "None", "settable": False}]
    found = explore.discover(root, described, set(), None, package)
    shown = {(target.label, target.reader) for target in found}
    assert ("panels['Panel1'].speed.set", "get") in shown
    assert ("panels['Panel2'].set_tilt", "get_tilt") in shown
    assert not explore.discover(root, described, set(), None, "elsewhere")
