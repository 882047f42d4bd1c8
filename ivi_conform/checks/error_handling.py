"""IVI-Python Error Handling: errors are raised, never returned.

"Neither return values nor out parameters shall be used to return error
information." The runtime rules provoke errors and watch what comes back;
this rule reads the code for the shapes that return an error instead of
raising it, in the public methods and properties of the driver's API (the
root, its hierarchy, the utility and direct-I/O classes):

* an ``except`` handler that returns the caught exception or something
  made of it (``str(exc)``, ``exc.code``, ``(False, str(exc))``), or that
  writes it into a parameter (an out parameter: ``errors.append(str(exc))``);
* an ``except`` handler that returns a failure marker instead of the value:
  ``False``, a negative number, or ``None`` from a function whose normal
  result is a value;
* an action (``set_*``, ``write*``, ``configure*``, ``move*``, ...) that
  reports success as its result: every return is the constant ``True`` or
  ``False`` (a bool query that parses ``1``/``0`` is left alone);
* ``return -1`` (a negative constant) beside value returns: an error code in
  the value's place; ``return False, "out of range"`` or ``return -1,
  f"..."``: an error tuple.

What is not error information, and is left alone: a bool state (the False
of ``is_*``, ``has_*``, ``can_*`` predicates, even from an ``except``; a
property or a query returning True/False is never a success flag), ``None`` for a
lookup miss (``except KeyError: return None``) or a missing optional
module (``ImportError``), a method that returns nothing (``-> None``; a
swallowed error is the runtime rules' business), ``find``/``index``-style
``-1``, and the API that reads errors (``error_query``, ``*error*``,
``*status*``, ``self_test``), whose result *is* the error information.
A public method that returns a private helper's result directly
(``return self._try_set(value)``) is judged by that helper's returns.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding
from ivi_conform.static.api_shape import all_members, hierarchy_of, is_value_class, setter_of
from ivi_conform.static.source import ClassInfo, Module, SourceIndex, facts_kind, simple_name

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

Function = ast.FunctionDef | ast.AsyncFunctionDef

#: Names of the API whose result is error or status information by design.
_READS_ERRORS = re.compile(r"error|status|self_?test|event|diagnos", re.IGNORECASE)
#: Names of predicates: False is their answer, not an error.
_PREDICATE = re.compile(
    r"^(?:is|has|have|can|could|should|supports?|contains?|exists?|check|test|try|"
    r"matches|equals|in|within|allowed|accepts?|wants?|needs?|uses?)(?:_|$)"
    r"|_(?:ok|available|exists|present|connected|supported|valid|alive|ready|open)$",
    re.IGNORECASE)
#: Names of actions: a True/False result of theirs says whether the action worked.
_ACTION = re.compile(
    r"^(?:set|write|send|configure|apply|start|stop|move|open|close|connect|disconnect|init"
    r"|initiali[sz]e|reset|load|save|store|recall|abort|trigger|calibrate|wait|enable|disable"
    r"|clear|run|execute|do|perform|program|upload|download|arm|fire|home|park|tilt|slide"
    r"|lock|unlock|power|turn|switch|select|activate|deactivate)(?:_|$)", re.IGNORECASE)
#: Names that return -1 for "not found", as str.find does.
_FINDER = re.compile(r"^(?:r?find|r?index|search|lookup|locate|position_of)", re.IGNORECASE)
#: Exceptions whose "None" is a lookup miss or an absent optional module, not an error.
_MISS = frozenset({"KeyError", "IndexError", "LookupError", "StopIteration", "ImportError",
                   "ModuleNotFoundError", "AttributeError"})


#: The facts of each module this rule keeps (:meth:`SourceIndex.module_facts`).
_FACTS = "error-offences"

#: One function as a module's facts keep it: ``[offences, helper]``, its
#: :func:`_offences` as ``[line, detail]`` pairs and the private method it hands
#: its result from (:func:`_delegate`; None when there is none or its name
#: says its result is not error information).
FunctionFacts = list[Any]


def _function_facts(function: Function) -> FunctionFacts:
    """What the rule reads of a public method, property getter or setter."""
    leaf = function.name
    helper = (None if _READS_ERRORS.search(leaf) or _PREDICATE.search(leaf)
              else _delegate(function))
    return [_offences(function, leaf), helper]


@facts_kind(_FACTS)
def _module_offences(module: Module) -> list[list[dict[str, Any]]]:
    """Each class of the module (by position): ``[public, helpers]``, from its tree alone.

    ``public``: each public member with a function → the facts of its getter
    (or method) and its ``@name.setter``, in that order (one function once).
    ``helpers``: each private method that a public one may hand its result
    from (``_name``) → its offences, when it has any. Which classes are the
    API, what they inherit and where a helper is found are for the other
    modules to tell; they are resolved by :func:`no_error_returns`.
    """
    found: list[list[dict[str, Any]]] = []
    for info in module.index.index_classes(module):
        public: dict[str, list[FunctionFacts]] = {}
        helpers: dict[str, list[tuple[int, str]]] = {}
        for name, member in info.built_members().items():
            getter = member.function
            if name.startswith("_"):
                offences = (_offences(getter, getter.name)
                            if getter is not None and not name.startswith("__") else [])
                if offences:
                    helpers[name] = offences
                continue
            functions = [getter] if getter is not None else []
            setter = setter_of(info, name)
            if setter is not None and setter is not getter:
                functions.append(setter)
            if functions:
                public[name] = [_function_facts(function) for function in functions]
        found.append([public, helpers])
    return found


def _class_facts(index: SourceIndex, info: ClassInfo) -> list[dict[str, Any]]:
    """The class's ``[public, helpers]`` (see :func:`_module_offences`)."""
    found: list[dict[str, Any]] = index.class_facts(_FACTS, info)
    return found


def _functions(context: AuditContext) -> Iterator[tuple[str, FunctionFacts, ClassInfo]]:
    """The public methods and properties of the driver's API, with those they inherit.

    The API is what a client reaches: the root class, the classes of its
    hierarchy (reference properties, collections and their items), the
    utility and direct-I/O classes. Internal classes (a session, a parser)
    are not the API; a public method handing on their result is judged
    through its own return statements. A member inherited by several API
    classes is judged once, where it is defined. Only the facts of the
    modules that define members are read (their trees are parsed only when
    they changed since the last audit).
    """
    index, shape = context.source, context.driver
    hierarchy = hierarchy_of(index, shape)
    classes = [*(hierarchy.classes if hierarchy is not None else ()),
               *(info for info in (shape.utility, shape.direct_io) if info is not None)]
    seen: set[tuple[ClassInfo, str]] = set()
    for info in classes:
        if is_value_class(index, info):
            continue
        for name, (holder, _) in all_members(index, info).items():
            if (holder, name) in seen:
                continue
            seen.add((holder, name))
            for function in _class_facts(index, holder)[0].get(name, ()):
                yield f"{holder.name}.{name}", function, holder


def _is_property(function: Function) -> bool:
    return any(simple_name(d.func if isinstance(d, ast.Call) else d)
               in {"property", "cached_property", "getter"} for d in function.decorator_list)


def _own(function: Function) -> Iterator[ast.AST]:
    """The function's nodes, without those of nested functions and classes."""
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                          | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


#: The fields of a statement that hold statements (or handlers, cases), in ``_fields`` order.
_BLOCK_FIELDS = frozenset({"body", "handlers", "orelse", "finalbody", "cases"})


def _own_statements(function: Function) -> Iterator[ast.AST]:
    """``_own``'s statements and handlers, in its order, without walking the expressions.

    An expression holds no statement, so leaving expressions out changes
    nothing of the order in which statements come; it skips most nodes.
    """
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for name in node._fields:
                if name in _BLOCK_FIELDS:
                    pending.extend(getattr(node, name))


def _returns_nothing(function: Function) -> bool:
    """Declared ``-> None``, or unannotated with no value returned anywhere."""
    if function.returns is not None:
        return isinstance(function.returns, ast.Constant) and function.returns.value is None
    return all(node.value is None or (isinstance(node.value, ast.Constant)
                                      and node.value.value is None)
               for node in _own_statements(function) if isinstance(node, ast.Return))


def _negative(node: ast.expr) -> bool:
    return (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool) and node.operand.value > 0)


def _constant(node: ast.expr | None, value: object) -> bool:
    return (isinstance(node, ast.Constant) and node.value is value)


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(child, ast.Name) and child.id == name for child in ast.walk(node))


def _caught(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {simple_name(kind) for kind in types}


def _handler_offences(function: Function, leaf: str, handler: ast.ExceptHandler
                      ) -> Iterator[tuple[int, str]]:
    """What one ``except`` handler returns (or writes out) that is error information."""
    caught = _caught(handler)
    variable = handler.name
    parameters = {arg.arg for arg in (*function.args.posonlyargs, *function.args.args,
                                      *function.args.kwonlyargs)} - {"self", "cls"}
    nodes: list[ast.AST] = []
    pending: list[ast.AST] = list(handler.body)
    while pending:
        node = pending.pop()
        nodes.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                          | ast.Lambda | ast.ExceptHandler):
            pending.extend(ast.iter_child_nodes(node))
    kinds = "/".join(sorted(caught))
    for node in nodes:
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            shown = ast.unparse(value)
            parts = value.elts if isinstance(value, ast.Tuple) else [value]
            if variable is not None and _mentions(value, variable):
                yield node.lineno, f"except {kinds}: returns the error ({shown})"
            elif any(_constant(part, False) for part in parts) and not (
                    _PREDICATE.search(leaf) and _constant(value, False)):
                yield node.lineno, f"except {kinds}: returns {shown} instead of raising"
            elif any(_negative(part) for part in parts):
                yield node.lineno, f"except {kinds}: returns the code {shown} instead of raising"
            elif (_constant(value, None) and not caught <= _MISS
                  and not _returns_nothing(function)):
                yield node.lineno, f"except {kinds}: returns None instead of the value"
        elif variable is not None and isinstance(node, ast.Call):
            target = node.func
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id in parameters
                    and target.attr in {"append", "extend", "update", "add", "insert", "put"}
                    and any(_mentions(arg, variable) for arg in node.args)):
                yield node.lineno, (f"except {kinds}: writes the error into the parameter "
                                    f"{target.value.id} (an out parameter)")
        elif variable is not None and isinstance(node, ast.Assign):
            for target in node.targets:
                if (isinstance(target, ast.Subscript | ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in parameters and _mentions(node.value, variable)):
                    yield node.lineno, (f"except {kinds}: writes the error into the parameter "
                                        f"{target.value.id} (an out parameter)")


def _offences(function: Function, leaf: str) -> list[tuple[int, str]]:
    """Where ``function`` returns error information (line, what)."""
    if _READS_ERRORS.search(leaf) or (leaf.startswith("__") and leaf.endswith("__")):
        return []
    found: list[tuple[int, str]] = []
    own = list(_own_statements(function))  # walked once, read twice
    for node in own:
        if isinstance(node, ast.ExceptHandler):
            found.extend(_handler_offences(function, leaf, node))
    returns = [node for node in own if isinstance(node, ast.Return)]
    values = [node.value for node in returns]
    if (not _is_property(function) and _ACTION.search(leaf) and values
            and all(_constant(value, True) or _constant(value, False) for value in values)
            and any(_constant(value, False) for value in values)
            and any(_constant(value, True) for value in values)
            and any(isinstance(node, ast.Call) for node in _own(function))):
        lines = [node.lineno for node in returns if _constant(node.value, False)]
        found.append((lines[0], "returns True on success and False on failure"))
    for node in returns:
        if _error_tuple(node.value):
            assert node.value is not None
            found.append((node.lineno, f"returns the error tuple {ast.unparse(node.value)}"))
    negatives = [node for node in returns if node.value is not None and _negative(node.value)]
    others = [value for value in values if value is not None and not _negative(value)]
    if negatives and others and not _FINDER.search(leaf):
        flagged = {line for line, _ in found}
        for node in negatives:
            if node.lineno not in flagged:
                assert node.value is not None
                found.append((node.lineno, f"returns the code {ast.unparse(node.value)} "
                                           "beside its values"))
    first: dict[int, str] = {}
    for line, detail in found:
        first.setdefault(line, detail)
    return sorted(first.items())


def _error_tuple(value: ast.expr | None) -> bool:
    """``(False, "message")``, ``(-1, f"... {detail}")``: a failure flag or code with a text."""
    if not isinstance(value, ast.Tuple):
        return False
    flag = any(_constant(part, False) or _negative(part) for part in value.elts)
    text = any(isinstance(part, ast.JoinedStr) or (isinstance(part, ast.Constant)
                                                   and isinstance(part.value, str) and part.value)
               for part in value.elts)
    return flag and text


def _delegate(function: Function) -> str | None:
    """The private method a function hands its result from (``return self._x(...)``)."""
    returns = [node for node in _own_statements(function) if isinstance(node, ast.Return)]
    if len(returns) != 1 or not isinstance(returns[0].value, ast.Call):
        return None
    func = returns[0].value.func
    if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id == "self" and func.attr.startswith("_")
            and not func.attr.startswith("__")):
        return func.attr
    return None


@check("errors-no-return-codes")
def no_error_returns(context: AuditContext) -> Finding:
    """No public method or property returns (or writes out) error information.

    Each module's offences are read from its facts (map); which classes are
    the API, what they inherit and the helper a method hands on are resolved
    here from the index's summaries (reduce), so a re-audit after a
    one-module change parses that module only.
    """
    assert context.driver.root is not None  # the rule's need (rules/*.toml)
    index = context.source
    problems: list[Evidence] = []
    judged = 0
    for name, (offences, helper), owner in _functions(context):
        judged += 1
        for line, detail in offences:
            problems.append(Evidence(owner.module.path, line, f"{name}: {detail}"))
        found = index.find_member(owner, helper) if helper is not None else None
        if found is None:
            continue
        holder = found[0]
        for line, detail in _class_facts(index, holder)[1].get(helper, ()):
            problems.append(Evidence(holder.module.path, line,
                                     f"{name} returns {helper}(), which {detail}"))
    if not judged:
        return Finding.skipped("the driver's API has no public method or property")
    return Finding.judge(
        problems,
        ok=f"none of the API's {judged} public methods and properties returns error "
           "information instead of raising",
        bad="{n} place(s) return error information instead of raising an exception",
    )
