"""The parent's side of the JSON-lines protocol spoken with the agent.

Everything the child says is untrusted: a line is parsed, checked against the
shapes below and turned into plain values before anything else reads it. A
line that is not valid JSON, is too long or has the wrong shape is a protocol
violation, which the sandbox reports (and ends the child for).

Values travel as JSON with the tagged forms that ``wire.py`` defines for
both sides (bytes, odd floats, enum members, sequences, scalars, and objects
that stay in the child, named by a handle).
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from ivi_conform.behaviour import wire
from ivi_conform.behaviour.wire import MAX_LINE_BYTES


class ProtocolError(Exception):
    """The child said something that is not the protocol."""


@dataclass(frozen=True)
class Remote:
    """An object that lives in the child: its handle, type and ``repr``."""

    handle: int
    type: str
    bases: tuple[str, ...] = ()
    repr: str = ""

    def ref(self) -> dict[str, object]:
        """How a request names this object."""
        return wire.ref_form(self.handle)

    def is_a(self, name: str) -> bool:
        """Whether its class or a base has this simple or qualified name."""
        return any(kind == name or kind.rsplit(".", 1)[-1] == name for kind in self.bases)


@dataclass(frozen=True)
class EnumValue:
    """An enum member returned by the driver."""

    type: str
    name: str
    value: object
    repr: str = ""


@dataclass(frozen=True)
class Sequence:
    """A list or tuple subclass (a named tuple, say) returned by the driver."""

    type: str
    items: tuple[object, ...]
    is_tuple: bool


@dataclass(frozen=True)
class Scalar:
    """An instance of a subclass of int, str or float, with its plain value."""

    type: str
    value: object


@dataclass(frozen=True)
class RemoteException:
    """An exception raised in the child: its class, bases, message and last frames."""

    type: str
    bases: tuple[str, ...]
    message: str
    traceback: tuple[str, ...] = ()

    def is_a(self, name: str) -> bool:
        """Whether the exception's class or a base has this simple or qualified name."""
        return any(kind == name or kind.rsplit(".", 1)[-1] == name for kind in self.bases)

    def __str__(self) -> str:
        short = self.type.rsplit(".", 1)[-1]
        return f"{short}: {self.message}" if self.message else short


@dataclass(frozen=True)
class Reply:
    """The child's answer to one request."""

    ok: bool
    value: object = None
    exc: RemoteException | None = None
    by_agent: bool = False
    seconds: float = 0.0


@dataclass
class Callback:
    """A question the child asks while it works on a request."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


def decode_value(raw: object, depth: int = 0) -> object:
    """The parent's view of a value the child sent (see the module doc)."""
    if depth > 32:
        raise ProtocolError("value nested too deeply")
    if raw is None or isinstance(raw, bool | int | float | str):
        return raw
    if isinstance(raw, list):
        return [decode_value(item, depth + 1) for item in raw]
    if not isinstance(raw, dict):
        raise ProtocolError(f"unexpected value {type(raw).__name__}")
    if not wire.is_tagged(raw):  # a structured reply (setup, keys...)
        return {str(key): decode_value(item, depth + 1) for key, item in raw.items()}
    tag = wire.tag_of(raw, wire.FROM_CHILD)
    try:
        if tag == wire.OBJ:
            mro = raw.get("mro", [])
            if not isinstance(mro, list):
                raise ProtocolError("an object's 'mro' is not a list")
            bases = tuple(str(kind) for kind in mro)
            return Remote(int(raw[wire.OBJ]), str(raw.get("type", "")), bases,
                          str(raw.get("repr", "")))
        if tag == wire.ENUM:
            return EnumValue(str(raw[wire.ENUM]), str(raw["name"]),
                             decode_value(raw.get("value"), depth + 1), str(raw.get("repr", "")))
        if tag == wire.BYTES:
            return wire.read_bytes(raw[wire.BYTES])
        if tag == wire.FLOAT:
            return wire.read_float(raw[wire.FLOAT])
        if tag == wire.SEQ:
            items = tuple(decode_value(item, depth + 1) for item in raw[wire.SEQ])
            return Sequence(str(raw.get("type", "")), items, bool(raw.get("tuple")))
        if tag == wire.SCALAR:
            return Scalar(str(raw.get("type", "")), decode_value(raw[wire.SCALAR], depth + 1))
    except (KeyError, TypeError, ValueError, OverflowError, binascii.Error) as exc:
        raise ProtocolError(f"malformed tagged value: {exc}") from None
    raise ProtocolError(f"unknown tagged value {sorted(raw)[:3]}")


def encode_value(value: object) -> object:
    """A request's form of a value the parent passes to the driver."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return wire.float_form(value)
    if isinstance(value, bytes):
        return wire.bytes_form(value)
    if isinstance(value, Remote):
        return value.ref()
    if isinstance(value, tuple):
        return wire.tuple_form([encode_value(item) for item in value])
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        return wire.dict_form([[str(key), encode_value(item)] for key, item in value.items()])
    raise TypeError(f"cannot send a {type(value).__name__} to the child")


def _exception(raw: object) -> RemoteException:
    if not isinstance(raw, dict):
        raise ProtocolError("'exc' is not an object")
    mro, frames = raw.get("mro") or [], raw.get("traceback") or []
    if not isinstance(mro, list) or not isinstance(frames, list):
        raise ProtocolError("'exc' has an 'mro' or 'traceback' that is not a list")
    return RemoteException(
        type=str(raw.get("type", "?"))[:300],
        bases=tuple(str(kind)[:300] for kind in mro)[:40],
        message=str(raw.get("message", ""))[:2000],
        traceback=tuple(str(frame)[:300] for frame in frames)[:10],
    )


def parse_line(line: bytes, expected_id: int) -> Reply | Callback:
    """One line from the child: the reply to request ``expected_id``, or a callback."""
    if len(line) > MAX_LINE_BYTES:
        raise ProtocolError(f"a protocol line of {len(line)} bytes")
    try:
        message = json.loads(line)
    except RecursionError:
        raise ProtocolError(f"JSON nested too deeply: {line[:120]!r}") from None
    except ValueError as exc:  # not JSON, not UTF-8, an integer over the 4300-digit limit
        raise ProtocolError(f"not JSON ({exc.msg if hasattr(exc, 'msg') else exc}): "
                            f"{line[:120]!r}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"not a JSON object: {line[:120]!r}")
    if "cb" in message:
        args = message.get("args", {})
        if not isinstance(args, dict):
            raise ProtocolError("callback arguments are not an object")
        return Callback(str(message["cb"]), args)
    if message.get("id") != expected_id:
        raise ProtocolError(f"reply to request {message.get('id')!r}, expected {expected_id}")
    ok = message.get("ok")
    if not isinstance(ok, bool):
        raise ProtocolError("reply without 'ok'")
    seconds = message.get("seconds", 0.0)
    try:
        seconds = float(seconds) if isinstance(seconds, int | float) else 0.0
    except OverflowError:  # an integer too large for a float
        seconds = 0.0
    if ok:
        return Reply(True, decode_value(message.get("value")), seconds=seconds)
    return Reply(False, exc=_exception(message.get("exc")), by_agent=bool(message.get("agent")),
                 seconds=seconds)


def request_line(ident: int, op: str, **fields: object) -> bytes:
    """One request, as the line the parent writes."""
    return wire.line({"id": ident, "op": op, **fields}).encode()


def callback_reply_line(value: object) -> bytes:
    """The parent's answer to a callback."""
    return wire.line({"cb_reply": value}).encode()


def attr_path(dotted: str) -> list[list[object]]:
    """``"motor.speed"`` as a path of attribute steps."""
    return [["attr", part] for part in dotted.split(".") if part]
