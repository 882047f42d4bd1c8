"""The child side of the sandbox: import the candidate driver and run the parent's steps.

Run as ``python -I agent.py`` in a scratch folder; it imports nothing of
ivi-conform (the child must not need the tool installed). Before the driver
is imported the protocol is moved to private file descriptors: the real
stdin and stdout are duplicated, fd 0 is pointed at ``/dev/null`` and fd 1 at
stderr, so whatever the driver prints or reads never touches the protocol.

Protocol: the parent writes one JSON request per line (``{"id", "op", ...}``),
the child answers one JSON line (``{"id", "ok", "value"|"exc", "seconds"}``).
While it works on a request the child may ask the parent a question
(``{"cb": name, "args": {...}}``) and reads one ``{"cb_reply": ...}`` line
back: the exercises that run inside the child (hypothesis) use it to ask the
parent what the simulator saw. Values are JSON with the tagged forms of
``wire.py`` (loaded by its path: the one definition the parent imports too);
any object JSON cannot carry stays in the child and is named by a handle
that later steps reference.
"""

from __future__ import annotations

import collections.abc
import enum
import faulthandler
import importlib
import importlib.util
import inspect
import json
import os
import sys
import threading
import time
import traceback
import types
import typing
from collections.abc import Callable
from typing import Any, TextIO

MAX_ITEMS = 256
MAX_TEXT = 2000
#: The agent exits when no request comes for this long (a parent that forgot it).
IDLE_EXIT_S = 60.0

_objects: dict[int, object] = {}
_next_handle = [1]
_proto_out: TextIO = sys.__stdout__  # type: ignore[assignment]
_proto_in: TextIO = sys.__stdin__  # type: ignore[assignment]
_write_lock = threading.Lock()


def _beside(stem: str) -> types.ModuleType:
    """The module ``<stem>.py`` beside this script, loaded by its path (once).

    The child runs as ``python -I agent.py`` and must not import the
    ivi_conform package (nor put its folder on ``sys.path``, where the driver
    would see ivi-conform's modules), so its own modules are loaded by name.
    """
    name = f"_ivi_conform_{stem}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    where = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{stem}.py")
    spec = importlib.util.spec_from_file_location(name, where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


wire = _beside("wire")


# --------------------------------------------------------------------------- values


class AgentError(Exception):
    """The request itself is wrong (an unknown handle, a malformed value): our fault."""


def _obj(handle: object) -> object:
    try:
        return _objects[int(handle)]  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        raise AgentError(f"no object with handle {handle!r}") from None


def _qualname(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _safe_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a driver's broken __repr__ is evidence, not a crash
        text = f"<repr raised {type(exc).__name__}>"
    return text[:MAX_TEXT]


def _register(value: object) -> int:
    handle = _next_handle[0]
    _next_handle[0] += 1
    _objects[handle] = value
    return handle


def encode(value: object) -> object:
    """A JSON-able form of ``value``; objects JSON cannot carry become handles."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return wire.enum_form(_qualname(type(value)), value.name, encode(value.value),
                              _safe_repr(value))
    if type(value) is int or type(value) is str:
        return value
    if isinstance(value, float) and type(value) is float:
        return wire.float_form(value)
    if isinstance(value, bytes | bytearray):
        return wire.bytes_form(bytes(value[: 1 << 20]))
    if type(value) is list:
        return [encode(item) for item in value[:MAX_ITEMS]]
    if isinstance(value, tuple | list):
        return wire.seq_form([encode(item) for item in list(value)[:MAX_ITEMS]],
                             _qualname(type(value)), isinstance(value, tuple))
    if isinstance(value, int | str | float):
        return wire.scalar_form(_plain(value), _qualname(type(value)))
    return wire.obj_form(_register(value), _qualname(type(value)),
                         [_qualname(kind) for kind in type(value).__mro__[:-1]],
                         _safe_repr(value))


def _plain(value: int | str | float) -> object:
    """A subclass instance of int, str or float as the plain built-in value."""
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return encode(base(value))
    return None


def decode(value: object) -> object:
    """The Python value a request names (inverse of the parent's ``encode_value``)."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = wire.tag_of(value, wire.FROM_PARENT)
    if tag == wire.REF:
        return _obj(value[wire.REF])
    if tag == wire.BYTES:
        return wire.read_bytes(value[wire.BYTES])
    if tag == wire.TUPLE:
        return tuple(decode(item) for item in value[wire.TUPLE])
    if tag == wire.FLOAT:
        return wire.read_float(value[wire.FLOAT])
    if tag == wire.DICT:
        return {str(key): decode(item) for key, item in value[wire.DICT]}
    if tag == wire.ATTR:  # an attribute of a handle, e.g. an enum member of a class
        return getattr(_obj(value[wire.ATTR]), str(value["name"]))
    raise AgentError(f"unknown tagged value {sorted(value)}")


def _resolve(target: object, path: list[list[object]], stop: int = 0) -> object:
    """Follow ``path`` (``[["attr", name] | ["item", key]]``) from ``target``."""
    obj = target
    steps = path[: len(path) - stop] if stop else path
    for kind, name in steps:
        obj = getattr(obj, str(name)) if kind == "attr" else obj[decode(name)]  # type: ignore[index]
    return obj


def _describe_exception(exc: BaseException) -> dict[str, object]:
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    message = _safe_str(exc)
    limit = _limit_met(exc, frames)
    return {
        "type": _qualname(type(exc)),
        "mro": [_qualname(kind) for kind in type(exc).__mro__[:-1]],
        "message": f"{message} ({limit})" if message and limit else message or limit,
        "traceback": [f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in frames],
    }


def _limit_met(exc: BaseException, frames: list[traceback.FrameSummary]) -> str:
    """Which of ivi-conform's limits an exception shows the driver met ("": none).

    A MemoryError under an address-space limit is that limit; EMFILE the
    limit of open files; a fork or a thread refused for lack of resources
    (EAGAIN) the limit of processes.
    """
    import errno

    try:
        import resource
    except ImportError:  # Windows: no limits were set
        return ""
    if isinstance(exc, MemoryError):
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            return f"the driver exceeded the {soft / 2**30:g} GiB address-space limit"
        return ""
    if isinstance(exc, OSError) and exc.errno == errno.EMFILE:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return f"the driver met the limit of {soft} open files"
    last = frames[-1] if frames else None
    starting = last is not None and (last.name in {"_execute_child", "start"}
                                     or "fork" in (last.line or ""))
    if starting and (getattr(exc, "errno", None) == errno.EAGAIN
                     or "can't start new thread" in _safe_str(exc)):
        return "the driver met the limit on the processes and threads it may start"
    return ""


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:MAX_TEXT]
    except Exception:  # noqa: BLE001 - a broken __str__ of a driver exception
        return f"<{type(exc).__name__}: str() raised>"


# --------------------------------------------------------------------------- callbacks


def _send(message: dict[str, object]) -> None:
    text = wire.line(message, default=_safe_repr)
    with _write_lock:
        _proto_out.write(text)
        _proto_out.flush()


def callback(name: str, **args: object) -> object:
    """Ask the parent ``name`` (what the simulator saw, say) and wait for its answer."""
    _send({"cb": name, "args": args})
    line = _proto_in.readline()
    if not line:
        raise SystemExit(0)
    return json.loads(line).get("cb_reply")


# --------------------------------------------------------------------------- introspection


def _hints(function: object) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:  # noqa: BLE001 - unresolvable annotations: judge without hints
        return {}


def _hint_text(hint: object) -> str:
    if hint is None:
        return "None"
    if isinstance(hint, type):
        return hint.__qualname__
    return str(hint).replace("typing.", "")


def _is_value_type(hint: object) -> bool:
    """Whether a property of this type is a setting (not a reference to a class)."""
    if hint in (int, float, str, bool, bytes, type(None)):
        return True
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return all(_is_value_type(arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return True
    return origin in (tuple, list) and all(
        arg is Ellipsis or _is_value_type(arg) for arg in typing.get_args(hint))


def _item_class(collection: type, hint: object) -> object:
    """The class of a collection's items, from ``__getitem__`` or the generic arguments."""
    getitem = getattr(collection, "__getitem__", None)
    returned = _hints(getitem).get("return") if getitem is not None else None
    if returned is not None and isinstance(returned, type):
        return returned
    for candidate in (hint, *getattr(collection, "__orig_bases__", ())):
        args = typing.get_args(candidate)
        if args:
            last = args[-1]
            return args[0] if last is Ellipsis else last
    return None


def _is_collection(kind: object) -> bool:
    origin = typing.get_origin(kind) or kind
    if not isinstance(origin, type) or origin in (str, bytes):
        return False
    return hasattr(origin, "__getitem__") and hasattr(origin, "__iter__")


def _descriptor_type(kind: type, name: str, member: object) -> object:
    """The value type of a descriptor: the class annotation, else its generic argument.

    ``ivi_utility: Child[Utility] = Child(...)`` gives Utility; ``position =
    ScpiInt(...)`` with ``class ScpiInt(ScpiSetting[int])`` gives int.
    """
    annotated = _hints(kind).get(name)
    for generic in (annotated, getattr(member, "__orig_class__", None),
                    *(base for klass in type(member).__mro__
                      for base in getattr(klass, "__orig_bases__", ()))):
        args = [arg for arg in typing.get_args(generic)
                if not isinstance(arg, typing.TypeVar)]
        if args:
            return args[0]
    return None


def _value_member(kind: type, name: str, member: object) -> tuple[object, bool, object] | None:
    """(type, settable, setter type) of a property or a data descriptor; None otherwise."""
    if isinstance(member, property):
        returned = _hints(member.fget).get("return")
        setter_hint = None
        if member.fset is not None:
            params = [h for key, h in _hints(member.fset).items() if key != "return"]
            setter_hint = params[0] if params else returned
        return returned, member.fset is not None, setter_hint
    descriptor = type(member)
    if (inspect.isroutine(member) or isinstance(member, type | classmethod | staticmethod)
            or not hasattr(descriptor, "__get__")):
        return None
    returned = _descriptor_type(kind, name, member)
    if returned is None:
        returned = Any  # a descriptor whose value type cannot be told: anything goes
    setter = getattr(descriptor, "__set__", None)
    value_hint = _hints(setter).get("value") if setter is not None else None
    settable = setter is not None and value_hint is not typing.NoReturn
    return returned, settable, value_hint if value_hint is not None else returned


def describe_class(kind: type, package: str, prefix: str, depth: int,
                   out: list[dict[str, object]], seen: frozenset[type]) -> None:
    """Append the members of ``kind`` (and of the classes it references) to ``out``."""
    if depth > 6 or kind in seen:
        return
    seen = seen | {kind}
    for name in sorted(dir(kind)):
        if name.startswith("_"):
            continue
        try:
            member = inspect.getattr_static(kind, name)
        except AttributeError:
            continue
        path = f"{prefix}.{name}" if prefix else name
        value_member = _value_member(kind, name, member)
        if value_member is not None:
            returned, settable, setter_hint = value_member
            if returned is not None and not _is_value_type(returned):
                target = typing.get_origin(returned) or returned
                if _is_collection(returned):
                    item = _item_class(target, returned) if isinstance(target, type) else None
                    out.append({"path": path, "kind": "collection",
                                "type": _hint_text(returned), "item": _hint_text(item)})
                    if isinstance(item, type) and item.__module__.split(".")[0] == package:
                        describe_class(item, package, path + "[]", depth + 1, out, seen)
                    continue
                if isinstance(target, type) and target.__module__.split(".")[0] == package:
                    out.append({"path": path, "kind": "reference", "type": _hint_text(returned)})
                    describe_class(target, package, path, depth + 1, out, seen)
                    continue
            out.append({"path": path, "kind": "property", "type": _hint_text(returned),
                        "settable": settable,
                        "set_type": _hint_text(setter_hint) if settable else None})
        elif inspect.isfunction(member):
            try:
                signature = inspect.signature(member)
            except (TypeError, ValueError):
                continue
            hints = _hints(member)
            params = [
                {"name": p.name, "type": _hint_text(hints.get(p.name, p.annotation)),
                 "required": p.default is inspect.Parameter.empty}
                for p in list(signature.parameters.values())[1:]
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            out.append({"path": path, "kind": "method", "params": params,
                        "returns": _hint_text(hints.get("return"))})


# --------------------------------------------------------------------------- operations


def op_setup(request: dict[str, Any]) -> object:
    """Put the driver's folders first on the path and confine this process (``confine.py``).

    ``connect`` lists the TCP ports the driver may reach (absent: TCP is not
    confined); ``datagrams`` allows UDP (a named instrument whose host needs DNS).
    """
    for folder in reversed(request.get("path", [])):
        sys.path.insert(0, str(folder))
    connect = request.get("connect")
    ports = [int(port) for port in connect] if isinstance(connect, list) else None
    facts = _beside("confine").confine(os.getcwd(), ports, bool(request.get("datagrams")))
    return {"pid": os.getpid(), "python": sys.version.split()[0], "executable": sys.executable,
            "cwd": os.getcwd(), **facts}


def op_import(request: dict[str, Any]) -> object:
    module = importlib.import_module(str(request["module"]))
    value = getattr(module, str(request["attr"])) if request.get("attr") else module
    return {"file": getattr(module, "__file__", None), "value": encode(value)}


def op_get(request: dict[str, Any]) -> object:
    return encode(_resolve(_obj(request["target"]), request.get("path", [])))


def op_set(request: dict[str, Any]) -> object:
    path = request["path"]
    owner = _resolve(_obj(request["target"]), path, stop=1)
    setattr(owner, str(path[-1][1]), decode(request["value"]))
    return None


def op_call(request: dict[str, Any]) -> object:
    function = _resolve(_obj(request["target"]), request.get("path", []))
    args = decode(request.get("args", []))
    kwargs = decode(wire.dict_form([list(pair) for pair in request.get("kwargs", {}).items()]))
    if not isinstance(args, list) or not isinstance(kwargs, dict) or not callable(function):
        raise AgentError("call needs a callable, a list of arguments and a dict of keywords")
    return encode(function(*args, **kwargs))


def op_keys(request: dict[str, Any]) -> object:
    """What a collection lists: its keys (a mapping) or its items' ``name`` (a sequence)."""
    collection = _resolve(_obj(request["target"]), request.get("path", []))
    if isinstance(collection, collections.abc.Mapping):
        listed = list(collection.keys())[:MAX_ITEMS]
        return {"mapping": True, "keys": [encode(key) for key in listed],
                "handles": [_register(key) for key in listed]}
    keys = getattr(collection, "keys", None)
    if callable(keys):
        listed = list(keys())[:MAX_ITEMS]
        return {"mapping": True, "keys": [encode(key) for key in listed],
                "handles": [_register(key) for key in listed]}
    items = list(collection)[:MAX_ITEMS]  # type: ignore[call-overload]
    names = [getattr(item, "name", None) for item in items]
    keys = [_key_of(collection, index, item, name)
            for index, (item, name) in enumerate(zip(items, names, strict=True))]
    return {"mapping": False, "items": [encode(item) for item in items],
            "names": [encode(name) for name in names], "keys": [encode(key) for key in keys],
            "handles": [_register(key) for key in keys]}


def _key_of(collection: object, index: int, item: object, name: object) -> object:
    """What indexes a sequence-like collection to give ``item``: found by trying.

    Its ``name``, the number a digit name spells, the position from 0 or
    from 1: the first that gives the item back (the same object, else one of
    the same name) is the key; the name when none does.
    """
    candidates: list[object] = [name]
    if isinstance(name, str) and name.strip().isdigit():
        candidates.append(int(name))
    candidates += [index, index + 1]
    def identical(got: object) -> bool:
        return got is item

    def namesake(got: object) -> bool:
        return bool(getattr(got, "name", None) == name)

    for same in (identical, namesake):
        for candidate in candidates:
            if candidate is None:
                continue
            try:
                if same(collection[candidate]):  # type: ignore[index]
                    return candidate
            except Exception:  # noqa: BLE001, S112 - a candidate that does not index
                continue
    return name


def _flatten(hint: object) -> list[object]:
    """The members of a union (or the hint itself)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [leaf for arg in typing.get_args(hint) for leaf in _flatten(arg)]
    return [hint]


def op_options(request: dict[str, Any]) -> object:
    """The keys (and their types) of the TypedDict the constructor's ``options`` accepts."""
    target = _obj(request["target"])
    try:
        parameters = list(inspect.signature(target).parameters.values())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {"keys": {}}
    named = [p for p in parameters if p.name == "options"] or parameters[3:4]
    if not named:
        return {"keys": {}}
    hints = _hints(getattr(target, "__init__", None))
    hint = hints.get(named[0].name, named[0].annotation)
    keys: dict[str, str] = {}
    for leaf in _flatten(hint):
        if isinstance(leaf, type) and typing.is_typeddict(leaf):
            keys.update({str(key): _hint_text(value) for key, value in _hints(leaf).items()})
    return {"parameter": named[0].name, "hint": _hint_text(hint), "keys": keys}


def op_release(request: dict[str, Any]) -> object:
    for handle in request.get("handles", []):
        _objects.pop(int(handle), None)
    return None


def op_describe(request: dict[str, Any]) -> object:
    target = _obj(request["target"])
    kind = target if isinstance(target, type) else type(target)
    out: list[dict[str, object]] = []
    describe_class(kind, str(request["package"]), "", 0, out, frozenset())
    return out


def op_threads(request: dict[str, Any]) -> object:
    """Several threads call queries on one driver object at once; each reports what it got."""
    target = _obj(request["target"])
    jobs: list[dict[str, Any]] = request["jobs"]
    rounds = int(request.get("rounds", 20))
    results: list[list[object]] = [[] for _ in jobs]
    barrier = threading.Barrier(len(jobs))

    def worker(index: int) -> None:
        job = jobs[index]
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            return
        for _ in range(rounds):
            try:
                obj = _resolve(target, job["path"])
                # a member read by a method call (``speed.get()``) is called, a property is read
                value = obj() if job.get("call") and callable(obj) else obj
                results[index].append({"ok": True, "value": encode(value)})
            except Exception as exc:  # noqa: BLE001 - the driver's exception is the observation
                results[index].append({"ok": False, "exc": _describe_exception(exc)})

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _explorer() -> types.ModuleType:
    """The hypothesis explorer, ``explore.py`` beside this script (heavy: loaded when asked)."""
    return _beside("explore")


def op_fuzz(request: dict[str, Any]) -> object:
    target = _obj(request["target"])
    members: list[dict[str, object]] = []
    describe_class(type(target), str(request["package"]), "", 0, members, frozenset())
    explore = _explorer()
    return explore.fuzz(target, {**request, "members": members, "value_member": _value_member},
                        callback, encode)


def op_machine(request: dict[str, Any]) -> object:
    """The sequence machine over the panels the parent found (owners resolved here)."""
    root = _obj(request["target"])
    panels: list[dict[str, object]] = []
    for spec in request.get("panels", []):
        resolved: dict[str, object] = {"name": spec["name"], "labels": spec.get("labels", {})}
        for key in ("position", "tilt", "state", "stop"):
            steps = spec.get(key)
            resolved[key] = ((_resolve(root, steps, stop=1), str(steps[-1][1]))
                             if steps else None)
        select = spec.get("select")
        resolved["select"] = ((_resolve(root, select[0]), decode(select[1]))
                              if select else None)
        panels.append(resolved)
    return _explorer().machine(root, {**request, "panels": panels}, callback, encode)


OPERATIONS: dict[str, Callable[[dict[str, Any]], object]] = {
    "setup": op_setup, "import": op_import, "get": op_get, "set": op_set, "call": op_call,
    "keys": op_keys, "options": op_options, "release": op_release, "describe": op_describe,
    "threads": op_threads,
    "fuzz": op_fuzz, "machine": op_machine,
}


def serve() -> None:
    """Answer requests until the parent closes stdin or says ``exit``."""
    import select

    while True:
        ready, _, _ = select.select([_proto_in], [], [], IDLE_EXIT_S)
        if not ready:
            return  # idle: the parent is done with this child
        line = _proto_in.readline()
        if not line:
            return
        request = json.loads(line)
        ident = request.get("id")
        operation = request.get("op")
        if operation == "exit":
            _send({"id": ident, "ok": True, "value": None, "seconds": 0.0})
            return
        handler = OPERATIONS.get(str(operation))
        started = time.perf_counter()
        if handler is None:
            _send({"id": ident, "ok": False, "agent": True,
                   "exc": {"type": "agent.UnknownOperation", "mro": [], "message": str(operation),
                           "traceback": []}, "seconds": 0.0})
            continue
        try:
            value = handler(request)
        except AgentError as exc:
            _send({"id": ident, "ok": False, "exc": _describe_exception(exc),
                   "agent": True, "seconds": time.perf_counter() - started})
            continue
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a driver is evidence too
            _send({"id": ident, "ok": False, "exc": _describe_exception(exc), "agent": False,
                   "seconds": time.perf_counter() - started})
            continue
        _send({"id": ident, "ok": True, "value": value, "seconds": time.perf_counter() - started})


def main() -> None:
    """Move the protocol to private descriptors, then serve."""
    global _proto_out, _proto_in
    out_fd, in_fd = os.dup(1), os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    _proto_out = os.fdopen(out_fd, "w", encoding="utf-8")
    _proto_in = os.fdopen(in_fd, "r", encoding="utf-8")
    faulthandler.enable(file=sys.stderr, all_threads=True)
    serve()
    os._exit(0)  # whatever threads the driver left running


if __name__ == "__main__":
    main()
