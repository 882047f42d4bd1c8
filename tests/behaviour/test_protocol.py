"""The parent's side of the JSON-lines protocol: everything the child says is checked."""

from __future__ import annotations

import enum
import importlib.util
import json
import types
from pathlib import Path
from typing import NamedTuple

import pytest

from ivi_conform.behaviour import protocol, wire
from ivi_conform.behaviour.protocol import (
    Callback,
    EnumValue,
    ProtocolError,
    Remote,
    Reply,
    Scalar,
    Sequence,
    decode_value,
    encode_value,
    parse_line,
)
from ivi_conform.behaviour.wire import MAX_LINE_BYTES


def line(message: object) -> bytes:
    return json.dumps(message).encode()


def test_tagged_values_decode_to_their_parent_side_forms() -> None:
    assert decode_value({"$bytes": "AAE="}) == b"\x00\x01"
    assert decode_value({"$float": "nan"}) != decode_value({"$float": "nan"})
    assert decode_value({"$obj": 3, "type": "m.Panel", "mro": ["m.Panel"], "repr": "P"}) == \
        Remote(3, "m.Panel", ("m.Panel",), "P")
    assert decode_value({"$enum": "m.State", "name": "OPEN", "value": "OPEN"}).name == "OPEN"
    assert isinstance(decode_value({"$enum": "m.S", "name": "A", "value": 1}), EnumValue)
    assert decode_value({"$seq": [1, 2], "type": "m.Pair", "tuple": True}) == \
        Sequence("m.Pair", (1, 2), True)
    assert decode_value({"$scalar": 5, "type": "m.Percent"}) == Scalar("m.Percent", 5)
    assert decode_value({"pid": 1, "nested": [{"$bytes": ""}]}) == {"pid": 1, "nested": [b""]}


@pytest.mark.parametrize("raw", [{"$what": 1}, {"$obj": "x"}, {"$bytes": "%%%"}, {1, 2}])
def test_malformed_values_are_protocol_errors(raw: object) -> None:
    with pytest.raises(ProtocolError):
        decode_value(raw)


def test_values_sent_to_the_child_are_tagged() -> None:
    assert encode_value((1, b"x", [float("inf")])) == {
        "$tuple": [1, {"$bytes": "eA=="}, [{"$float": "inf"}]]}
    assert encode_value({"simulate": True}) == {"$dict": [["simulate", True]]}
    assert encode_value(Remote(7, "t")) == {"$ref": 7}
    with pytest.raises(TypeError):
        encode_value(object())


def test_a_reply_is_checked_against_the_request_it_answers() -> None:
    ok = parse_line(line({"id": 4, "ok": True, "value": 3, "seconds": 0.5}), 4)
    assert ok == Reply(True, 3, seconds=0.5)
    failed = parse_line(line({"id": 4, "ok": False, "exc": {
        "type": "sk.errors.InstrumentError", "mro": ["sk.errors.InstrumentError"],
        "message": "-221", "traceback": []}}), 4)
    assert isinstance(failed, Reply) and failed.exc is not None
    assert failed.exc.is_a("InstrumentError") and str(failed.exc) == "InstrumentError: -221"
    assert parse_line(line({"cb": "mark", "args": {}}), 4) == Callback("mark", {})
    with pytest.raises(ProtocolError, match="expected 4"):
        parse_line(line({"id": 3, "ok": True}), 4)


@pytest.mark.parametrize("raw", [b"hello", b"[1, 2]", line({"id": 1}), line({"cb": 1, "args": 2})])
def test_anything_else_is_a_protocol_error(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_line(raw, 1)


def test_an_oversized_line_is_refused_before_parsing() -> None:
    with pytest.raises(ProtocolError, match="bytes"):
        parse_line(b" " * (MAX_LINE_BYTES + 1), 1)


def _agent() -> types.ModuleType:
    """The child-side agent, loaded by its path as the child loads it (never imported)."""
    where = Path(protocol.__file__).with_name("agent.py")
    spec = importlib.util.spec_from_file_location("_ivi_conform_agent_under_test", where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Colour(enum.Enum):
    RED = 1


class Pair(NamedTuple):
    low: int
    high: int


class Percent(int):
    pass


def test_every_tag_the_child_sends_reaches_the_parent_intact() -> None:
    agent = _agent()
    sent = {wire.BYTES: b"\x00\xff", wire.FLOAT: float("-inf"), wire.ENUM: Colour.RED,
            wire.SEQ: Pair(1, 2), wire.SCALAR: Percent(5), wire.OBJ: Colour}
    seen: dict[str, object] = {}
    for value in sent.values():
        form = agent.encode(value)
        reply = parse_line(wire.line({"id": 1, "ok": True, "value": form}).encode(), 1)
        assert isinstance(reply, Reply) and reply.ok
        seen[wire.tag_of(form, wire.FROM_CHILD) or "plain"] = reply.value
    assert set(seen) == set(wire.FROM_CHILD)  # a new tag needs a case here
    assert seen[wire.BYTES] == b"\x00\xff" and seen[wire.FLOAT] == float("-inf")
    assert seen[wire.ENUM] == EnumValue(f"{__name__}.Colour", "RED", 1, "<Colour.RED: 1>")
    assert seen[wire.SEQ] == Sequence(f"{__name__}.Pair", (1, 2), True)
    assert seen[wire.SCALAR] == Scalar(f"{__name__}.Percent", 5)
    remote = seen[wire.OBJ]
    assert isinstance(remote, Remote) and remote.type.endswith("EnumType")


def test_every_tag_the_parent_sends_reaches_the_child_intact() -> None:
    agent = _agent()
    handle = agent._register(Colour)
    remote = Remote(handle, "Colour")
    sent = {wire.REF: remote, wire.BYTES: b"\x01", wire.TUPLE: (1, "a"),
            wire.FLOAT: float("inf"), wire.DICT: {"simulate": True},
            wire.ATTR: wire.attr_form(handle, "RED")}
    got: dict[str, object] = {}
    for value in sent.values():
        form = value if isinstance(value, dict) and wire.ATTR in value else encode_value(value)
        assert isinstance(form, dict)
        got[wire.tag_of(form, wire.FROM_PARENT) or "plain"] = agent.decode(
            json.loads(wire.line(form)))
    assert set(got) == set(wire.FROM_PARENT)  # a new tag needs a case here
    assert got[wire.REF] is Colour and got[wire.ATTR] is Colour.RED
    assert got[wire.BYTES] == b"\x01" and got[wire.TUPLE] == (1, "a")
    assert got[wire.FLOAT] == float("inf") and got[wire.DICT] == {"simulate": True}
