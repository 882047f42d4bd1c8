"""The wire format between ivi-conform and its child: the one definition both sides use.

The child (``agent.py``, run as ``python -I agent.py``) must not import the
ivi_conform package, so it loads this file by its path; the parent
(``protocol.py``) imports it. Hence: standard library only, and nothing here
trusts what it reads (the parent's checks live in ``protocol.py``).

One JSON object per line. The parent writes requests
(``{"id", "op", ...fields}``) and answers to callbacks (``{"cb_reply"}``);
the child writes replies (``{"id", "ok", "value" | "exc", "seconds"}``) and
callbacks (``{"cb", "args"}``).

Values are JSON, with tagged forms (an object whose one ``$`` key names the
form) for what JSON lacks:

======== ============ ===================================================
tag      sent by      meaning
======== ============ ===================================================
$bytes   both         bytes, base64
$float   both         a float JSON cannot spell: ``"nan"``, ``"inf"``...
$enum    child        an enum member: type, ``name``, ``value``, ``repr``
$seq     child        a list or tuple subclass: items, ``type``, ``tuple``
$scalar  child        an int, str or float subclass: plain value, ``type``
$obj     child        an object that stays in the child: handle, ``type``,
                      ``mro``, ``repr``
$ref     parent       the object of a handle
$tuple   parent       a tuple
$dict    parent       a dict, as ``[key, value]`` pairs
$attr    parent       an attribute ``name`` of the object of a handle
======== ============ ===================================================
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable

#: A protocol line longer than this is a violation (a driver cannot flood the parent).
MAX_LINE_BYTES = 8 * 1024 * 1024

BYTES = "$bytes"
FLOAT = "$float"
ENUM = "$enum"
SEQ = "$seq"
SCALAR = "$scalar"
OBJ = "$obj"
REF = "$ref"
TUPLE = "$tuple"
DICT = "$dict"
ATTR = "$attr"

#: The tags the child sends, in the order a reader tries them.
FROM_CHILD = (OBJ, ENUM, BYTES, FLOAT, SEQ, SCALAR)
#: The tags the parent sends, in the order a reader tries them.
FROM_PARENT = (REF, BYTES, TUPLE, FLOAT, DICT, ATTR)


def tag_of(form: dict[str, object], tags: tuple[str, ...]) -> str | None:
    """The first of ``tags`` that ``form`` carries; None for a plain JSON object."""
    for tag in tags:
        if tag in form:
            return tag
    return None


def is_tagged(form: dict[str, object]) -> bool:
    """Whether ``form`` is a tagged value (a ``$`` key), not a plain JSON object."""
    return any(str(key).startswith("$") for key in form)


def float_form(value: float) -> object:
    """A float as JSON carries it: itself if finite, else tagged with its ``repr``."""
    return value if math.isfinite(value) else {FLOAT: repr(value)}


def read_float(text: object) -> float:
    """The float of a ``$float`` form (ValueError if it spells none)."""
    return float(str(text))


def bytes_form(data: bytes) -> dict[str, object]:
    return {BYTES: base64.b64encode(data).decode("ascii")}


def read_bytes(text: object) -> bytes:
    """The bytes of a ``$bytes`` form (binascii.Error if it is not base64)."""
    return base64.b64decode(str(text), validate=True)


def enum_form(kind: str, name: str, value: object, text: str) -> dict[str, object]:
    return {ENUM: kind, "name": name, "value": value, "repr": text}


def seq_form(items: list[object], kind: str, is_tuple: bool) -> dict[str, object]:
    return {SEQ: items, "type": kind, "tuple": is_tuple}


def scalar_form(value: object, kind: str) -> dict[str, object]:
    return {SCALAR: value, "type": kind}


def obj_form(handle: int, kind: str, mro: list[str], text: str) -> dict[str, object]:
    return {OBJ: handle, "type": kind, "mro": mro, "repr": text}


def ref_form(handle: int) -> dict[str, object]:
    return {REF: handle}


def tuple_form(items: list[object]) -> dict[str, object]:
    return {TUPLE: items}


def dict_form(pairs: list[list[object]]) -> dict[str, object]:
    return {DICT: pairs}


def attr_form(handle: int, name: str) -> dict[str, object]:
    return {ATTR: handle, "name": name}


def line(message: dict[str, object], default: Callable[[object], object] | None = None) -> str:
    """One message as the line written (compact JSON, no newline inside).

    ``default`` turns what JSON cannot carry into something it can (the child
    passes a safe ``repr``: a driver's odd value must not break the line).
    """
    return json.dumps(message, separators=(",", ":"), default=default) + "\n"
