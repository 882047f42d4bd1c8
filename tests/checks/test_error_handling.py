"""IVI-Python Error Handling: no error information by return value, in drivers of many styles."""

from __future__ import annotations

from pathlib import Path

import pytest
from wheelkit import judged, wheel

from ivi_conform.checks import error_handling as checks
from ivi_conform.model import Finding, Outcome

ROOT = '''\
class XyDmm:
    def __init__(self, resource_name: str) -> None:
        self._io = resource_name
        self._measurement = Measurement(self)

    @property
    def measurement(self) -> "Measurement":
        return self._measurement

{root}

class Measurement:
    def __init__(self, driver: XyDmm) -> None:
        self._driver = driver

{child}
'''


def judge(tmp_path: Path, child: str = "", root: str = "") -> Finding:
    source = ROOT.format(root=root, child=child)
    return checks.no_error_returns(wheel(tmp_path, {"xydmm/__init__.py": source},
                                         dedent=False))


def details(finding: Finding) -> list[str]:
    return [evidence.detail for evidence in finding.evidence]


@pytest.mark.parametrize(("body", "expected"), [
    ('''    def read(self) -> float:
        try:
            return self._driver._io.query_float("READ?")
        except Exception:
            return False
''', "Measurement.read: except Exception: returns False instead of raising"),
    ('''    def read(self):
        try:
            return float(self._driver._io.query("READ?"))
        except IOError as error:
            return str(error)
''', "Measurement.read: except IOError: returns the error (str(error))"),
    ('''    def read(self):
        try:
            return float(self._driver._io.query("READ?"))
        except (IOError, ValueError) as exc:
            return False, f"read failed: {exc}"
''', "returns the error"),
    ('''    def read(self) -> float | None:
        try:
            return float(self._driver._io.query("READ?"))
        except TimeoutError:
            return None
''', "Measurement.read: except TimeoutError: returns None instead of the value"),
    ('''    def configure(self, value: float) -> int:
        if value > 10:
            return -1
        self._driver._io.write(f"CONF {value}")
        return 0
''', "Measurement.configure: returns the code -1 beside its values"),
    ('''    def set_range(self, value: float) -> bool:
        if value > 10:
            return False
        self._driver._io.write(f"RANG {value}")
        return True
''', "Measurement.set_range: returns True on success and False on failure"),
    ('''    def apply(self, value: float) -> tuple[bool, str]:
        if value > 10:
            return False, "value out of range"
        self._driver._io.write(f"APPL {value}")
        return True, ""
''', "Measurement.apply: returns the error tuple (False, 'value out of range')"),
    ('''    def read(self, errors: list[str]) -> float:
        try:
            return float(self._driver._io.query("READ?"))
        except ValueError as exc:
            errors.append(str(exc))
            return 0.0
''', "writes the error into the parameter errors (an out parameter)"),
])
def test_error_information_returned_fails(tmp_path: Path, body: str, expected: str) -> None:
    finding = judge(tmp_path, body)
    assert finding.outcome is Outcome.FAIL, finding.message
    assert any(expected in detail for detail in details(finding)), details(finding)


def test_a_public_method_handing_on_a_private_helpers_flag(tmp_path: Path) -> None:
    body = '''    def apply(self) -> bool:
        return self._try_apply()

    def _try_apply(self) -> bool:
        try:
            self._driver._io.write("APPL")
        except OSError:
            return False
        return True
'''
    finding = judge(tmp_path, body)
    assert finding.outcome is Outcome.FAIL
    assert "Measurement.apply returns _try_apply(), which" in details(finding)[0]


@pytest.mark.parametrize("body", [
    # a bool state, read from the instrument: False is its answer
    '''    @property
    def enabled(self) -> bool:
        return self._driver._io.query("OUTP?") == "1"

    def query_bool(self, command: str) -> bool:
        reply = self._driver._io.query(command)
        if reply in ("1", "ON"):
            return True
        if reply in ("0", "OFF"):
            return False
        raise ValueError(reply)
''',
    # predicates
    '''    def is_connected(self) -> bool:
        try:
            self._driver._io.query("*IDN?")
        except OSError:
            return False
        return True
''',
    # a lookup miss, an optional module
    '''    def channel(self, name: str) -> "Measurement | None":
        try:
            return {"a": self}[name]
        except KeyError:
            return None

    def plotter(self) -> object:
        try:
            import matplotlib
        except ImportError:
            return None
        return matplotlib
''',
    # a method that returns nothing, and the error-reading API
    '''    def close(self) -> None:
        try:
            self._driver._io.close()
        except OSError:
            return

    def error_query(self) -> tuple[int, str]:
        try:
            code, message = self._driver._io.query("SYST:ERR?").split(",", 1)
        except ValueError as exc:
            return -1, str(exc)
        return int(code), message

    def self_test(self) -> tuple[int, str]:
        return -1, "failed"
''',
    # the -1 of a finder, and errors raised from an except
    '''    def find(self, name: str) -> int:
        if name not in ("a", "b"):
            return -1
        return ("a", "b").index(name)

    def read(self) -> float:
        try:
            return float(self._driver._io.query("READ?"))
        except ValueError as exc:
            raise RuntimeError("garbled reply") from exc
''',
])
def test_legitimate_returns_pass(tmp_path: Path, body: str) -> None:
    finding = judge(tmp_path, body)
    assert finding.outcome is Outcome.PASS, details(finding)


def test_only_the_api_is_judged(tmp_path: Path) -> None:
    """A session class the API never returns is not the API; its helpers are not judged."""
    source = ROOT.format(root="", child="") + '''

class Session:
    def read(self):
        try:
            return 1.0
        except Exception:
            return False
'''
    finding = checks.no_error_returns(wheel(tmp_path, {"xydmm/__init__.py": source},
                                            dedent=False))
    assert finding.outcome is Outcome.PASS


def test_generated_style_with_tabs_and_no_hints(tmp_path: Path) -> None:
    """Tabs, no annotations, lazily built children: judged like any other driver."""
    source = (
        "class RsXy:\n"
        "\tdef __init__(self, resource_name, id_query=True, reset=False, options=None):\n"
        "\t\tself._core = resource_name\n\n"
        "\t@property\n"
        "\tdef trigger(self):\n"
        "\t\tif not hasattr(self, '_trigger'):\n"
        "\t\t\tself._trigger = TriggerCls(self._core)\n"
        "\t\treturn self._trigger\n\n\n"
        "class TriggerCls:\n"
        "\tdef __init__(self, core):\n\t\tself._core = core\n\n"
        "\tdef set_level(self, level):\n"
        "\t\ttry:\n\t\t\tself._core.write(f'TRIG:LEV {level}')\n"
        "\t\texcept Exception as e:\n\t\t\treturn e\n"
    )
    finding = checks.no_error_returns(wheel(tmp_path, {"rsxy/__init__.py": source},
                                            name="rsxy", dedent=False))
    assert finding.outcome is Outcome.FAIL
    assert details(finding) == ["TriggerCls.set_level: except Exception: returns the error (e)"]


def test_no_root_skips(tmp_path: Path) -> None:
    finding = judged(wheel(tmp_path, {"xydmm/__init__.py": "X = 1\n"}), "errors-no-return-codes")
    assert finding.outcome is Outcome.SKIP and "class-root charges it" in finding.message
