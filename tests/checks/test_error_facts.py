"""errors-no-return-codes reads the functions through module facts remembered between audits.

A re-audit after a one-module change must parse that module alone, and its
finding must be the one of an audit that remembers nothing: facts kept for
the module's old bytes would miss the offence the change adds, whether it
is in a method of the API, in a setter, or in a private helper of another
module that a public method hands its result from.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from wheelkit import wheel

from ivi_conform.checks import error_handling as checks
from ivi_conform.model import Evidence, Finding, Outcome
from ivi_conform.static.api_shape import hierarchy_of
from ivi_conform.static.source import FACT_KINDS, Module, SourceIndex

FILES = {
    "xydmm/__init__.py": '''
        from .driver import XyDmm

        __all__ = ["XyDmm"]
    ''',
    "xydmm/driver.py": '''
        from .base import Base
        from .measurement import Measurement
        from .trigger import Trigger

        class XyDmm(Base):
            def __init__(self, resource_name: str) -> None:
                self._io = resource_name
                self._measurement = Measurement(self)
                self._trigger = Trigger(self)

            @property
            def measurement(self) -> Measurement:
                return self._measurement

            @property
            def trigger(self) -> Trigger:
                return self._trigger

            def apply(self) -> bool:
                return self._try_apply()
    ''',
    "xydmm/base.py": '''
        class Base:
            def set_range(self, value: float) -> bool:
                if value > 10:
                    return False
                self._io.write(f"RANG {value}")
                return True

            def _try_apply(self) -> bool:
                self._io.write("APPL")
                return True
    ''',
    "xydmm/measurement.py": '''
        from .base import Base

        class Measurement(Base):
            def __init__(self, driver: object) -> None:
                self._io = driver._io

            def read(self) -> float:
                return float(self._io.query("READ?"))
    ''',
    "xydmm/trigger.py": '''
        from .base import Base

        class Trigger(Base):
            def __init__(self, driver: object) -> None:
                self._io = driver._io

            @property
            def level(self) -> float:
                return float(self._io.query("TRIG:LEV?"))

            @level.setter
            def level(self, value: float) -> None:
                self._io.write(f"TRIG:LEV {value}")
    ''',
}

#: Inherited by all three API classes, defined once: one place, in base.py.
RANGE = Evidence("xydmm/base.py", 5,
                 "Base.set_range: returns True on success and False on failure")

#: One module changed, the text replaced in it, and the evidence the change adds.
CHANGES = [
    pytest.param("xydmm/measurement.py", 'return float(self._io.query("READ?"))',
                 'try:\n'
                 '                    return float(self._io.query("READ?"))\n'
                 '                except ValueError:\n'
                 '                    return False',
                 Evidence("xydmm/measurement.py", 12,
                          "Measurement.read: except ValueError: returns False instead of raising"),
                 id="a method of the API"),
    pytest.param("xydmm/trigger.py", 'self._io.write(f"TRIG:LEV {value}")',
                 'try:\n'
                 '                    self._io.write(f"TRIG:LEV {value}")\n'
                 '                except OSError as exc:\n'
                 '                    return exc',
                 Evidence("xydmm/trigger.py", 17,
                          "Trigger.level: except OSError: returns the error (exc)"),
                 id="a setter"),
    pytest.param("xydmm/base.py", 'self._io.write("APPL")',
                 'try:\n'
                 '                    self._io.write("APPL")\n'
                 '                except OSError:\n'
                 '                    return False',
                 Evidence("xydmm/base.py", 13, "XyDmm.apply returns _try_apply(), which "
                                              "except OSError: returns False instead of raising"),
                 id="a private helper in another module"),
]


def whole(finding: Finding) -> tuple[Outcome, str, tuple[Evidence, ...]]:
    """The finding as compared: outcome, message and every evidence, in order."""
    return finding.outcome, finding.message, finding.evidence


@pytest.mark.parametrize(("path", "old", "new", "added"), CHANGES)
def test_a_re_audit_after_a_one_module_change_parses_that_module_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, old: str, new: str,
        added: Evidence) -> None:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    first = wheel(tmp_path / "first", FILES)
    before = whole(checks.no_error_returns(first))
    first.remember()  # the module facts kept, as at the end of every audit
    assert before[0] is Outcome.FAIL and before[2] == (RANGE,)

    assert old in FILES[path]
    changed = {**FILES, path: FILES[path].replace(old, new)}
    again = wheel(tmp_path / "again", changed)
    parsed: list[str] = []
    computed: list[str] = []
    tree_of, module_offences = SourceIndex.tree_of, FACT_KINDS[checks._FACTS]

    def watched_tree(index: SourceIndex, where: str) -> ast.Module:
        parsed.append(where)
        return tree_of(index, where)

    def watched_facts(module: Module) -> list[list[dict[str, object]]]:
        computed.append(module.path)
        return module_offences(module)

    with monkeypatch.context() as patch:
        patch.setattr(SourceIndex, "tree_of", watched_tree)
        patch.setitem(FACT_KINDS, checks._FACTS, watched_facts)
        hierarchy_of(again.source, again.driver)  # shared with the other rules
        trees = again.source.parsed
        after = whole(checks.no_error_returns(again))
    assert set(parsed) <= {path}
    assert again.source.parsed == trees  # the index parsed the changed module; the rule, none
    assert computed == [path]  # the other modules' facts were remembered

    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    cold = wheel(tmp_path / "cold", changed)
    assert after == whole(checks.no_error_returns(cold))
    assert after[0] is Outcome.FAIL
    assert set(after[2]) == {RANGE, added}


def test_an_unchanged_re_audit_parses_nothing(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    first = wheel(tmp_path / "first", FILES)
    before = whole(checks.no_error_returns(first))
    first.close()  # the module facts kept, as at the end of every audit

    again = wheel(tmp_path / "again", FILES)
    assert again.driver.root is not None  # the rule's need, found before it is judged
    trees = again.source.parsed
    assert whole(checks.no_error_returns(again)) == before
    assert again.source.parsed == trees
