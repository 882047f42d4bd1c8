"""The syntax index's walks: the statements a search sees, in the order it sees them."""

from __future__ import annotations

import ast
import textwrap

from ivi_conform.static.source import SourceText, _members, walk_statements

_NESTED = textwrap.dedent('''\
    import os


    class Outer:
        x = 1

        def method(self, value):
            if value:
                self.a = 1
            else:
                try:
                    self.b = 2
                except ValueError:
                    self.c = 3
                else:
                    self.d = 4
                finally:
                    self.e = 5
            match value:
                case 1:
                    self.f = lambda: [y for y in range(3)]
                case _:
                    pass
            with open(os.devnull) as stream:
                for line in stream:
                    self.g = line
            while False:
                break

            def inner():
                from .child import ChildCls
                return ChildCls

            class Local:
                z = 3
            return inner
''')


def test_the_statements_come_as_ast_walk_gives_them() -> None:
    tree = ast.parse(_NESTED)
    walked = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    assert len(walked) > 20
    assert list(walk_statements(tree)) == walked
    method = tree.body[1].body[1]  # type: ignore[attr-defined]
    assert list(walk_statements(method)) == [
        node for node in ast.walk(method) if isinstance(node, ast.stmt)]


def test_a_name_imported_for_type_checkers_only_is_resolved() -> None:
    """``if TYPE_CHECKING:`` imports name the classes a driver's annotations use."""
    from ivi_conform.static.source import SourceIndex

    files = {
        "pkg/__init__.py": b"",
        "pkg/position.py": b"class PositionCls:\n    pass\n",
        "pkg/panel.py": textwrap.dedent('''\
            from __future__ import annotations
            import typing
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from .position import PositionCls
            if typing.TYPE_CHECKING:
                from .state import StateCls as State
            from .runtime import Shared
            if TYPE_CHECKING:
                from .elsewhere import Shared
            ''').encode(),
    }
    index = SourceIndex(files)
    near = index.modules["pkg.panel"]
    assert index.imported_name("PositionCls", near) == ("pkg.position", "PositionCls")
    assert index.imported_name("State", near) == ("pkg.state", "StateCls")
    assert index.imported_name("Shared", near) == ("pkg.runtime", "Shared")  # the runtime one


_HELPERS = textwrap.dedent('''\
    class Root:
        def __init__(self, core):
            self.motor = Motor(core)
            if core:
                (self
                 ._build_panels)(core)
            self._named_but_not_called = "_build_solar"

        def _build_panels(self, core):
            self.panels = Panels(core)

        def _build_solar(self, core):
            self.solar = Solar(core)

        def _unused(self):
            self.never = Never()
    ''')


def _instance_names(source: str, with_text: bool) -> set[str]:
    data = source.encode("utf-8")
    node = next(n for n in ast.parse(data).body if isinstance(n, ast.ClassDef))
    text = SourceText(data) if with_text else None
    return {name for name, member in _members(node, text).items() if member.scope is not None}


def test_constructor_helpers_are_followed_with_or_without_the_text() -> None:
    """The text only spares walks that could find nothing: the members are the same."""
    assert _instance_names(_HELPERS, True) == _instance_names(_HELPERS, False) == {
        "motor", "panels"}
    crlf = _HELPERS.replace("\n", "\r\n")
    assert _instance_names(crlf, True) == {"motor", "panels"}
    spelt = _HELPERS.replace("._build_panels", "._\uff42uild_panels")  # NFKC: _build_panels
    assert _instance_names(spelt, True) == _instance_names(spelt, False) == {"motor", "panels"}


def test_an_index_is_freed_with_its_last_reference() -> None:
    """The index's objects are frozen out of the cyclic collector (they are millions): a
    reference cycle among them (a module or member pointing back at its index or class)
    would keep every syntax tree of an audit alive for the rest of the process."""
    import weakref

    from ivi_conform.static.source import SourceIndex

    files = {"acdriver/__init__.py": b"from .core import Core\n",
             "acdriver/core.py": b"class Core:\n    def __init__(self):\n"
                                 b"        self.part = Part()\n    @property\n"
                                 b"    def level(self) -> int:\n        return 1\n\n"
                                 b"class Part:\n    pass\n"}
    index = SourceIndex(files)
    core = index.classes_named("Core")[0]
    assert core.members["level"].function is not None  # a node attached from the tree
    assert core.members["part"].scope is not None
    assert index.resolve("Part", core.module) is index.classes_named("Part")[0]
    gone = weakref.ref(index)
    del index, core
    assert gone() is None, "freed by reference counting alone"


def _many_modules(count: int) -> dict[str, bytes]:
    """A package of ``count`` modules, one class each, with a property and an attribute."""
    files = {"manydrv/__init__.py": b""}
    for number in range(count):
        files[f"manydrv/part{number}.py"] = (
            f"class Part{number}:\n    def __init__(self):\n        self.inner = Inner()\n"
            f"    @property\n    def level(self) -> int:\n        return {number}\n\n"
            f"class Inner:\n    pass\n").encode()
    return files


def test_the_index_keeps_few_trees_and_parses_again_what_a_rule_walks() -> None:
    """A generated driver's trees are let go once their facts are taken (rsmxo's take
    270 MB); a rule that walks one later gets it parsed again, nodes and all."""
    from ivi_conform.static.source import TREES_HELD, SourceIndex

    files = _many_modules(TREES_HELD * 2)
    index = SourceIndex(files)
    assert index.parsed == len(files)
    assert len(index._trees) <= TREES_HELD, "the older trees were let go"
    first = index.classes_named("Part0")[0]
    assert first.module.path not in index._trees
    function = first.members["level"].function
    assert isinstance(function, ast.FunctionDef) and function.name == "level"
    assert first.members["inner"].scope is not None
    assert first.node.name == "Part0" and first.node is index.class_nodes(first.module)[0]
    assert first.module.path in index._trees, "parsed again, and kept"


def test_facts_that_fail_to_compute_fail_the_rule_that_asks_not_the_index() -> None:
    """Every kind of facts is taken when the index parses a module; a kind whose code
    fails there is asked again by its rule, which meets the error as its own."""
    import pytest

    from ivi_conform.static.source import FACT_KINDS, SourceIndex

    def broken(module: object) -> object:
        raise RuntimeError("a bug in one kind of facts")

    FACT_KINDS["broken-for-the-test"] = broken
    try:
        index = SourceIndex(_many_modules(3))
        assert len(index.classes_named("Inner")) == 3
        with pytest.raises(RuntimeError, match="a bug in one kind"):
            index.module_facts("broken-for-the-test", index.modules["manydrv.part0"])
    finally:
        del FACT_KINDS["broken-for-the-test"]
