"""What the API shape reads from a getter's code: the returns that are its own."""

from __future__ import annotations

import ast
import textwrap

from ivi_conform.static.api_shape import _own_returns

_GETTER = textwrap.dedent('''\
    def getter(self, x):
        if x:
            return 1
        try:
            return 2
        except ValueError:
            return 3
        finally:
            pass
        match x:
            case 1:
                return 4
        with self.lock:
            for item in self.items:
                while item:
                    return 5
                else:
                    return 6
        make = lambda: 0

        def helper():
            return 100

        class Local:
            def method(self):
                return 200
        return 7
''')


def test_every_return_of_the_function_and_none_of_its_inner_functions_or_classes() -> None:
    function = ast.parse(_GETTER).body[0]
    assert isinstance(function, ast.FunctionDef)
    values = sorted(node.value.value for node in _own_returns(function)
                    if isinstance(node.value, ast.Constant) and isinstance(node.value.value, int))
    assert values == [1, 2, 3, 4, 5, 6, 7]
