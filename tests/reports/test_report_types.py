"""The report's TypedDicts and report.schema.json describe the same document.

Walked together from the root: every object's keys and required keys, every
value's JSON types, enums and constants, array items and map values, through
``$ref``. A key added to one and not the other, or a type changed in one,
fails here, naming the path.
"""

from __future__ import annotations

import copy
import types
import typing
from typing import Any, Literal, get_args, get_origin

from ivi_conform.reports import report_types
from ivi_conform.reports.json_report import schema

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
               type(None): "null", list: "array", dict: "object"}


def _members(hint: Any) -> list[Any]:
    """The members of a union (``X | None``), or the hint itself."""
    if get_origin(hint) in (typing.Union, types.UnionType):
        return list(get_args(hint))
    return [hint]


def _json_type(hint: Any) -> str:
    if typing.is_typeddict(hint):
        return "object"
    if get_origin(hint) is Literal:
        kinds = {_JSON_TYPES[type(value)] for value in get_args(hint)}
        assert len(kinds) == 1, hint
        return kinds.pop()
    return _JSON_TYPES[get_origin(hint) or hint]


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _literals(hint: Any) -> set[Any] | None:
    """The values a hint allows when it is made of literals (and None) only."""
    values: set[Any] = set()
    for member in _members(hint):
        if member is type(None):
            values.add(None)
        elif get_origin(member) is Literal:
            values.update(get_args(member))
        else:
            return None
    return values


def drift(hint: Any, node: dict[str, Any], root: dict[str, Any],
          path: str = "report") -> list[str]:
    """Where the type ``hint`` and the schema ``node`` disagree (empty: they agree)."""
    node = _resolve(node, root)
    if "oneOf" in node:
        members = _members(hint)
        if len(members) != len(node["oneOf"]):
            return [f"{path}: {len(members)} alternatives in the type, "
                    f"{len(node['oneOf'])} in the schema"]
        problems: list[str] = []
        for alternative in node["oneOf"]:
            alternative = _resolve(alternative, root)
            matching = [m for m in members if _json_type(m) == alternative.get("type")]
            if len(matching) != 1:
                return [f"{path}: no single alternative of the type is {alternative}"]
            problems += drift(matching[0], alternative, root, path)
        return problems
    if "const" in node or "enum" in node:
        allowed = {node["const"]} if "const" in node else set(node["enum"])
        found = _literals(hint)
        if found == allowed:
            return []
        return [f"{path}: the type allows {sorted(found or (), key=str)}, the schema "
                f"{sorted(allowed, key=str)}"]
    wanted = node["type"] if isinstance(node["type"], list) else [node["type"]]
    members = [m for m in _members(hint) if m is not type(None)]
    given = sorted({_json_type(m) for m in _members(hint)})
    if given != sorted(wanted):
        return [f"{path}: the type is {given}, the schema {sorted(wanted)}"]
    value = members[0] if members else None
    if wanted[0] == "array" or "array" in wanted:
        return drift(get_args(value)[0], node["items"], root, f"{path}[]")
    if "object" in wanted:
        if "properties" in node:
            return _object_drift(value, node, root, path)
        if not isinstance(node.get("additionalProperties"), dict):
            return [f"{path}: the schema's map has no value type"]
        if typing.is_typeddict(value):
            return [f"{path}: a map in the schema, a TypedDict in the type"]
        return drift(get_args(value)[1], node["additionalProperties"], root, f"{path}{{}}")
    return []


def _object_drift(hint: Any, node: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    if not typing.is_typeddict(hint):
        return [f"{path}: an object with properties in the schema, {hint} in the type"]
    hints = typing.get_type_hints(hint)
    problems = [f"{path}.{key}: in the schema only" for key in node["properties"]
                if key not in hints]
    problems += [f"{path}.{key}: in the type only" for key in hints
                 if key not in node["properties"]]
    both = set(hints) & set(node["properties"])
    required_type = set(hint.__required_keys__) & both
    required_schema = set(node.get("required", ())) & both
    if required_type != required_schema:
        only_type = sorted(required_type - required_schema)
        only_schema = sorted(required_schema - required_type)
        problems.append(f"{path}: required in the type only {only_type}, in the schema only "
                        f"{only_schema}")
    if node.get("additionalProperties") is not False:
        problems.append(f"{path}: the schema allows other keys, a TypedDict does not")
    for key, value in hints.items():
        if key in node["properties"]:
            problems += drift(value, node["properties"][key], root, f"{path}.{key}")
    return problems


def test_the_typed_report_is_the_schema() -> None:
    root = schema()
    assert drift(report_types.Report, root, root) == []


def test_a_key_missing_from_either_side_is_found() -> None:
    root = copy.deepcopy(schema())
    del root["properties"]["audit"]["properties"]["bitness"]
    root["properties"]["audit"]["required"].remove("bitness")
    assert drift(report_types.Report, root, root) == ["report.audit.bitness: in the type only"]
    root = copy.deepcopy(schema())
    root["properties"]["tool"]["properties"]["url"] = {"type": "string"}
    assert drift(report_types.Report, root, root) == ["report.tool.url: in the schema only"]


def test_a_key_required_on_one_side_only_is_found() -> None:
    root = copy.deepcopy(schema())
    root["properties"]["tool"]["required"] = ["name"]
    assert drift(report_types.Report, root, root) == [
        "report.tool: required in the type only ['version'], in the schema only []"]


def test_a_changed_type_or_enum_is_found() -> None:
    class Evidence(report_types.WireEvidence):
        file: str
        line: str | None  # the schema says an integer
        detail: str

    root = schema()
    assert drift(Evidence, root["$defs"]["evidence"], root, "evidence") == [
        "evidence.line: no single alternative of the type is {'type': 'integer', 'minimum': 0}"]
    changed = copy.deepcopy(root)
    changed["$defs"]["rule"]["properties"]["outcome"]["enum"].append("flaky")
    assert drift(report_types.Report, changed, changed) == [
        "report.rules[].outcome: the type allows ['error', 'fail', 'not-judged', 'pass', "
        "'skip', 'warn'], the schema ['error', 'fail', 'flaky', 'not-judged', 'pass', "
        "'skip', 'warn']"]
