"""Repeated capabilities: collection style, the names of collections, items and accessors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from wheelkit import wheel

from ivi_conform.checks import repeated_capabilities as checks
from ivi_conform.context import AuditContext
from ivi_conform.model import Finding, Outcome


def scope(tmp_path: Path, root_body: str, classes: str = "") -> AuditContext:
    """A driver ``xyscope`` whose root class ``XyScope`` has ``root_body``."""
    source = (
        "from __future__ import annotations\n"
        "from collections.abc import Iterator, Mapping, Sequence\n"
        "from typing import Any\n\n"
        "class XyScope:\n"
        "    @property\n"
        "    def ivi_utility(self) -> Any:\n"
        "        return None\n"
        + textwrap.indent(textwrap.dedent(root_body), "    ")
        + textwrap.dedent(classes)
    )
    return wheel(tmp_path, {"xyscope/__init__.py": source}, "xyscope")


CHANNELS = '''
class Channel:
    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

class ChannelCollection(Mapping[str, Channel]):
    def __getitem__(self, key: str) -> Channel:
        return Channel(key)
    def __iter__(self) -> Iterator[str]:
        return iter(())
    def __len__(self) -> int:
        return 0
'''

SPEC_STYLE = '''
    @property
    def channels(self) -> ChannelCollection:
        return ChannelCollection()
    def channels_item(self, name: str) -> Channel:
        return self.channels[name]
'''

ALL = (checks.collection_style, checks.collection_class_name, checks.item_class_name,
       checks.item_name_property, checks.property_plural, checks.item_accessor)


def outcomes(context: AuditContext) -> dict[str, Outcome]:
    return {check.__name__: check(context).outcome for check in ALL}


def test_the_spec_style_passes_every_rule(tmp_path: Path) -> None:
    context = scope(tmp_path, SPEC_STYLE, CHANNELS)
    assert set(outcomes(context).values()) == {Outcome.PASS}
    assert "XyScope.channels_item" in checks.item_accessor(context).message


def test_the_specs_trigger_example_derives_from_dict(tmp_path: Path) -> None:
    context = scope(tmp_path, '''
        @property
        def triggers(self) -> TriggerCollection:
            return TriggerCollection()
    ''', '''
    class Trigger:
        def __init__(self, name: str, value: int) -> None:
            self._name: str = name
        @property
        def name(self) -> str:
            return self._name

    class TriggerCollection(dict[str, Trigger]):
        pass
    ''')
    assert set(outcomes(context).values()) == {Outcome.PASS}


def test_no_repeated_capability_skips(tmp_path: Path) -> None:
    context = scope(tmp_path, '''
        def measure(self) -> float:
            return 0.0
    ''')
    assert set(outcomes(context).values()) == {Outcome.SKIP}


@pytest.mark.parametrize("member", [
    "def select_channel(self, name: str) -> None: ...",
    "def set_active_trace(self, name: str) -> None: ...",
    "@property\ndef active_channel(self) -> str: ...\n@active_channel.setter\n"
    "def active_channel(self, name: str) -> None: ...",
])
def test_selector_style_is_flagged(tmp_path: Path, member: str) -> None:
    finding = checks.collection_style(scope(tmp_path, member))
    assert finding.outcome is Outcome.FAIL
    assert "selector style" in str(finding.evidence[0])


def test_a_read_only_active_property_is_not_a_selector(tmp_path: Path) -> None:
    finding = checks.collection_style(scope(tmp_path, SPEC_STYLE + '''
    @property
    def active_alarms(self) -> int:
        return 0
    ''', CHANNELS))
    assert finding.outcome is Outcome.PASS


def test_a_plain_mapping_is_a_collection_without_a_class_to_name(tmp_path: Path) -> None:
    context = scope(tmp_path, '''
        @property
        def channels(self) -> Mapping[str, Channel]:
            return {}
    ''', CHANNELS)
    assert checks.collection_class_name(context).outcome is Outcome.SKIP
    assert checks.item_name_property(context).outcome is Outcome.PASS
    assert checks.property_plural(context).outcome is Outcome.PASS


def test_nimi_python_style_getitem_on_a_private_class(tmp_path: Path) -> None:
    """nimi-python: ``session.channels['0-3']`` on a _RepeatedCapabilities object."""
    context = scope(tmp_path, '''
        @property
        def channels(self) -> _RepeatedCapabilities:
            return _RepeatedCapabilities()
    ''', '''
    class _SessionBase:
        def __init__(self, repeated_capability: str) -> None:
            self._repeated_capability = repeated_capability

    class _RepeatedCapabilities:
        def __getitem__(self, repeated_capability: str) -> _SessionBase:
            return _SessionBase(repeated_capability)
    ''')
    finding = checks.collection_class_name(context)
    assert finding.outcome is Outcome.FAIL
    assert "expected _SessionBaseCollection" in str(finding.evidence[0])
    assert checks.item_class_name(context).outcome is Outcome.SKIP
    assert checks.item_name_property(context).outcome is Outcome.FAIL


def test_the_item_class_must_be_named_after_the_collection(tmp_path: Path) -> None:
    renamed = CHANNELS.replace("class Channel:", "class Chan:").replace(
        "-> Channel:", "-> Chan:").replace("[str, Channel]", "[str, Chan]").replace(
        "return Channel(", "return Chan(")
    finding = checks.item_class_name(scope(tmp_path, SPEC_STYLE.replace("-> Channel:",
                                                                        "-> Chan:"), renamed))
    assert finding.outcome is Outcome.FAIL
    assert "ChannelCollection[...] returns Chan: expected Channel" in str(finding.evidence[0])


def test_the_name_may_be_an_attribute_or_inherited(tmp_path: Path) -> None:
    attribute = scope(tmp_path / "a", SPEC_STYLE, CHANNELS.replace(
        "    @property\n    def name(self) -> str:\n        return self._name\n", "").replace(
        "self._name = name", "self.name = name"))
    assert checks.item_name_property(attribute).outcome is Outcome.PASS
    inherited = scope(tmp_path / "b", SPEC_STYLE, CHANNELS.replace(
        "class Channel:", "class Named:").replace(
        "class ChannelCollection", "class Channel(Named):\n    pass\n\nclass ChannelCollection"))
    assert checks.item_name_property(inherited).outcome is Outcome.PASS


@pytest.mark.parametrize(("name", "plural"), [
    ("channels", True), ("traces2", True), ("axes", True), ("data", True), ("series", True),
    ("output_channels", True), ("batteries", True), ("channel", False), ("status", False),
    ("bus", False), ("analysis", False), ("class_", False), ("s", False),
])
def test_plural_words(name: str, plural: bool) -> None:
    assert checks.is_plural(name) is plural


def test_a_singular_collection_property_is_flagged(tmp_path: Path) -> None:
    finding = checks.property_plural(scope(tmp_path, SPEC_STYLE.replace(
        "def channels(", "def channel(").replace("self.channels[", "self.channel["), CHANNELS))
    assert finding.outcome is Outcome.FAIL
    assert "XyScope.channel returns a collection" in str(finding.evidence[0])


@pytest.mark.parametrize("accessor", ["channel_item", "get_channel", "channel"])
def test_a_misnamed_accessor_is_flagged(tmp_path: Path, accessor: str) -> None:
    finding = checks.item_accessor(scope(tmp_path, SPEC_STYLE.replace("channels_item", accessor),
                                         CHANNELS))
    assert finding.outcome is Outcome.FAIL
    assert "channels_item" in str(finding.evidence[0])


def test_methods_that_return_no_item_are_not_accessors(tmp_path: Path) -> None:
    finding: Finding = checks.item_accessor(scope(tmp_path, '''
        @property
        def channels(self) -> ChannelCollection:
            return ChannelCollection()
        def add_item(self, name: str) -> None: ...
        def menu_item(self, index: int) -> str:
            return ""
        def find_channel(self, level: float, tolerance: float) -> Channel:
            return Channel("1")
    ''', CHANNELS))
    assert finding.outcome is Outcome.PASS
    assert "no method-like item accessor" in finding.message


def test_collections_below_the_root_are_found(tmp_path: Path) -> None:
    context = scope(tmp_path, '''
        @property
        def acquisition(self) -> Acquisition:
            return Acquisition()
    ''', CHANNELS + '''
    class Acquisition:
        @property
        def channel(self) -> ChannelCollection:
            return ChannelCollection()
    ''')
    finding = checks.property_plural(context)
    assert finding.outcome is Outcome.FAIL
    assert "Acquisition.channel" in str(finding.evidence[0])
