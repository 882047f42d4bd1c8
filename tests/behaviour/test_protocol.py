"""The parent's side of the JSON-lines protocol: everything the child says is checked."""

from __future__ import annotations

import json

import pytest

from ivi_conform.behaviour.protocol import (
    MAX_LINE_BYTES,
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
