"""Constructor: the root class's ``__init__`` against the spec's prototype (static part).

``<DriverClassName>(resource_name: str, id_query: bool = True, reset: bool =
False, options: dict | str | None = None)``, then only optional parameters.
What the constructor *does* with them is judged by running the driver, by
the behavioural rules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.checks import check
from ivi_conform.model import Evidence, Finding, Outcome
from ivi_conform.static.api_shape import alias_value, all_members, type_name, union_members
from ivi_conform.static.source import ClassInfo, Module

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: The prototype: name, the type its annotation must admit, its default (``...``: none).
PROTOTYPE: tuple[tuple[str, str, object], ...] = (
    ("resource_name", "str", ...),
    ("id_query", "bool", True),
    ("reset", "bool", False),
    ("options", "None", None),
)
_DICTS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict"})
_ANYTHING = frozenset({"Any", "object"})


@dataclass(frozen=True)
class Constructor:
    """The root class's ``__init__`` and the class that defines it."""

    root: ClassInfo
    owner: ClassInfo
    function: ast.FunctionDef | ast.AsyncFunctionDef

    def evidence(self, detail: str, node: ast.AST | None = None) -> Evidence:
        """A place in the constructor (the ``def`` line unless a node is given)."""
        line = getattr(node, "lineno", None) or self.function.lineno
        return Evidence(self.owner.module.path, line, detail)

    def parameter(self, name: str) -> ast.arg | None:
        """A parameter by name, positional or keyword-only."""
        args = self.function.args
        return next((arg for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]
                     if arg.arg == name), None)


def _constructor(context: AuditContext) -> Constructor | Finding:
    """The root's ``__init__``, or the finding to give when there is none to judge."""
    root = context.driver.root
    assert root is not None  # the rule's need (rules/*.toml)
    found = all_members(context.source, root).get("__init__")
    if found is not None and found[1].function is not None:
        function = found[1].function
        assert function is not None
        return Constructor(root, found[0], function)
    outside = [base for base in root.base_names
               if context.source.resolve(base, root.module) is None and base != "object"]
    if outside:
        return Finding.errored(f"{root.name} inherits its constructor from {', '.join(outside)}, "
                               "outside the distribution: the prototype cannot be read")
    return Finding.failed(f"{root.name} defines no __init__: it takes no resource_name",
                          (root.evidence("no constructor"),))


def _default(function: ast.FunctionDef | ast.AsyncFunctionDef, arg: ast.arg) -> ast.expr | None:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    if arg in positional:
        offset = positional.index(arg) - (len(positional) - len(args.defaults))
        return args.defaults[offset] if offset >= 0 else None
    return args.kw_defaults[args.kwonlyargs.index(arg)]


def _spelled(value: object) -> str:
    return "no default" if value is ... else f"= {value!r}"


def _default_problem(name: str, wanted: object, default: ast.expr | None) -> str | None:
    if wanted is ...:
        return None  # a default on resource_name still lets every prototype call work
    if default is None:
        return f"{name} has no default (the prototype's {_spelled(wanted)})"
    if not (isinstance(default, ast.Constant) and default.value is wanted):
        return f"{name} defaults to {ast.unparse(default)} (the prototype's {_spelled(wanted)})"
    return None


@check("ctor-signature")
def signature(context: AuditContext) -> Finding:
    """Names, order, annotations and defaults of the four parameters; the rest optional."""
    found = _constructor(context)
    if isinstance(found, Finding):
        return found
    function = found.function
    args = function.args
    positional = [*args.posonlyargs, *args.args][1:]
    names = [arg.arg for arg in positional]
    keyword_only = {arg.arg for arg in args.kwonlyargs}
    module = found.owner.module
    problems: list[Evidence] = []
    for position, (name, wanted_type, wanted_default) in enumerate(PROTOTYPE):
        if position >= len(positional) or positional[position].arg != name:
            if name in names:
                detail = (f"{name} is parameter {names.index(name) + 1}, "
                          f"the prototype's {position + 1}")
            elif name in keyword_only:
                detail = f"{name} is keyword-only; the prototype passes it by position"
            else:
                detail = f"lacks the prototype's parameter {position + 1}, {name}"
            problems.append(found.evidence(detail))
            continue
        arg = positional[position]
        if position < len(args.posonlyargs) - 1:
            problems.append(found.evidence(f"{name} is positional-only; the prototype's "
                                           "parameters can be passed by name", arg))
        problems += _annotation_problems(context, found, module, arg, wanted_type)
        problem = _default_problem(name, wanted_default, _default(function, arg))
        if problem:
            problems.append(found.evidence(problem, arg))
    for arg in positional[len(PROTOTYPE):] + list(args.kwonlyargs):
        if _default(function, arg) is None:
            problems.append(found.evidence(f"{arg.arg} is required; parameters after options "
                                           "must be optional", arg))
    shown = ", ".join(names[:4])
    return Finding.judge(
        problems,
        ok=f"{found.root.name}({shown}, ...) follows the prototype",
        bad=f"{found.root.name}.__init__ differs from the prototype in {{n}} way(s)",
    )


def _annotation_problems(context: AuditContext, found: Constructor, module: Module,
                         arg: ast.arg, wanted: str) -> list[Evidence]:
    if arg.annotation is None:
        spelled = "dict | str | None" if arg.arg == "options" else wanted
        return [found.evidence(f"{arg.arg} has no annotation (the prototype's {spelled})", arg)]
    alternatives = {type_name(alt)
                    for alt in union_members(arg.annotation, context.source, module)}
    if wanted not in alternatives and not alternatives & _ANYTHING:
        what = "admit None" if wanted == "None" else f"admit {wanted}"
        return [found.evidence(f"{arg.arg}: {ast.unparse(arg.annotation)} does not {what}", arg)]
    return []


@dataclass(frozen=True)
class OptionsType:
    """What the ``options`` annotation admits: dict forms (typed or not), str, anything."""

    dicts: tuple[str, ...]
    typed: tuple[str, ...]
    string: bool
    anything: bool


def _options_type(context: AuditContext, module: Module, annotation: ast.expr) -> OptionsType:
    index = context.source
    dicts: list[str] = []
    typed: list[str] = []
    string = anything = False
    for alternative in union_members(annotation, index, module):
        name = type_name(alternative)
        if name in _ANYTHING:
            anything = True
        elif name == "str":
            string = True
        elif name in _DICTS:
            dicts.append(ast.unparse(alternative))
        else:
            resolved = index.resolve(name, module)
            ancestors = index.ancestors(resolved) if resolved is not None else []
            alias = alias_value(index, name, module)
            functional = (alias is not None and isinstance(alias[0], ast.Call)
                          and type_name(alias[0].func) == "TypedDict")
            if "TypedDict" in ancestors or functional:
                dicts.append(name)
                typed.append(name)
            elif any(base in _DICTS for base in ancestors):
                dicts.append(name)
    return OptionsType(tuple(dicts), tuple(typed), string, anything)


def _options(context: AuditContext) -> tuple[Constructor, ast.arg] | Finding:
    found = _constructor(context)
    if isinstance(found, Finding):
        return found
    arg = found.parameter("options")
    if arg is None:
        return Finding.failed(f"{found.root.name}.__init__ has no options parameter",
                              (found.evidence("no options"),))
    if arg.annotation is None:
        return Finding.skipped("options has no annotation, so its types cannot be read "
                               "(ctor-signature reports it; the behavioural rules judge it)")
    return found, arg


@check("ctor-options")
def options_dict_and_string(context: AuditContext) -> Finding:
    """The ``options`` annotation admits a dict (or Mapping, or TypedDict) and a string."""
    found = _options(context)
    if isinstance(found, Finding):
        return found
    constructor, arg = found
    assert arg.annotation is not None
    admitted = _options_type(context, constructor.owner.module, arg.annotation)
    spelled = ast.unparse(arg.annotation)
    if admitted.anything:
        return Finding.passed(f"options: {spelled} admits anything, so a dict and a string")
    missing = [what for what, ok in (("a dict", admitted.dicts), ("a string", admitted.string))
               if not ok]
    if missing:
        return Finding.failed(
            f"options: {spelled} does not admit {' nor '.join(missing)}",
            (constructor.evidence(f"options: {spelled}; the prototype's dict | str | None", arg),))
    return Finding.passed(f"options: {spelled} admits a dict ({', '.join(admitted.dicts)}) "
                          "and a string")


@check("ctor-options-typeddict")
def options_typeddict(context: AuditContext) -> Finding:
    """The dict form of ``options`` is a ``TypedDict`` of the driver."""
    found = _options(context)
    if isinstance(found, Finding):
        return found if found.outcome is not Outcome.FAIL else Finding.skipped(
            "no options parameter (ctor-signature judges that)")
    constructor, arg = found
    assert arg.annotation is not None
    admitted = _options_type(context, constructor.owner.module, arg.annotation)
    if admitted.typed:
        return Finding.passed(f"options admits the TypedDict {', '.join(admitted.typed)}")
    if not admitted.dicts:
        return Finding.skipped("options admits no dict (ctor-options judges that)")
    return Finding.failed(
        f"options admits {', '.join(admitted.dicts)}, a plain dictionary: a TypedDict of the "
        "driver's option keys is recommended",
        (constructor.evidence(f"options: {ast.unparse(arg.annotation)}", arg),))
