"""Constructor (static part): the root class's __init__ against the prototype."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from wheelkit import wheel

from ivi_conform.checks import constructor as checks
from ivi_conform.context import AuditContext
from ivi_conform.model import Outcome

PROTOTYPE = ("resource_name: str, id_query: bool = True, reset: bool = False, "
             "options: {options} = None")


def driver(tmp_path: Path, parameters: str, header: str = "", extra: dict[str, str] | None = None,
           ) -> AuditContext:
    """A driver whose root class takes ``parameters`` (after self)."""
    source = (
        "from __future__ import annotations\n"
        "from typing import Any, Dict, Mapping, Optional, TypedDict, Union\n"
        + textwrap.dedent(header) + "\n\n"
        "class XyDmm:\n"
        f"    def __init__(self, {parameters}) -> None:\n"
        "        pass\n\n"
        "    @property\n"
        "    def ivi_utility(self) -> Any:\n"
        "        return None\n"
    )
    return wheel(tmp_path, {"xydmm/__init__.py": source, **(extra or {})})


def results(context: AuditContext) -> tuple[Outcome, Outcome, Outcome]:
    return (checks.signature(context).outcome, checks.options_dict_and_string(context).outcome,
            checks.options_typeddict(context).outcome)


OPTIONS = '''
class Options(TypedDict, total=False):
    simulate: bool
'''


@pytest.mark.parametrize(("options", "header", "typed"), [
    ("Options | str | None", OPTIONS, Outcome.PASS),
    ('"Options | str | None"', OPTIONS, Outcome.PASS),
    ("dict | str | None", "", Outcome.FAIL),
    ("dict[str, Any] | str | None", "", Outcome.FAIL),
    ("Optional[Union[dict, str]]", "", Outcome.FAIL),
    ("Optional[Union[Dict[str, Any], str]]", "", Outcome.FAIL),
    ("Union[Mapping[str, object], str, None]", "", Outcome.FAIL),
    ("OptionsArg", "OptionsArg = Union[Options, str, None]\n" + OPTIONS, Outcome.PASS),
    ("Opts | str | None", 'Opts = TypedDict("Opts", {"simulate": bool})', Outcome.PASS),
])
def test_accepted_forms_of_the_prototype(tmp_path: Path, options: str, header: str,
                                         typed: Outcome) -> None:
    context = driver(tmp_path, PROTOTYPE.format(options=options), header)
    assert results(context) == (Outcome.PASS, Outcome.PASS, typed), \
        checks.signature(context).evidence


def test_an_options_alias_imported_from_another_module(tmp_path: Path) -> None:
    context = driver(tmp_path, PROTOTYPE.format(options="OptionsArg"),
                     "from xydmm.options import OptionsArg",
                     {"xydmm/options.py": "from typing import TypedDict, Union\n" + OPTIONS
                      + "OptionsArg = Union[Options, str, None]\n"})
    assert results(context) == (Outcome.PASS, Outcome.PASS, Outcome.PASS)


def test_a_typeddict_deriving_from_another_and_from_typing_extensions(tmp_path: Path) -> None:
    context = driver(tmp_path, PROTOTYPE.format(options="Options | str | None"), '''
        import typing_extensions
        class Base(typing_extensions.TypedDict, total=False):
            simulate: bool
        class Options(Base, total=False):
            driver_setup: str
    ''')
    assert results(context) == (Outcome.PASS, Outcome.PASS, Outcome.PASS)


def test_rsinstrument_style_string_only_options(tmp_path: Path) -> None:
    """RsInstrument: ``options: str | None = None, direct_session=None``."""
    context = driver(tmp_path, "resource_name: str, id_query: bool = True, reset: bool = False, "
                               "options: str | None = None, direct_session: object = None")
    signature, options, typed = results(context)
    assert signature is Outcome.PASS
    assert options is Outcome.FAIL
    assert "does not admit a dict" in checks.options_dict_and_string(context).message
    assert typed is Outcome.SKIP


def test_keyword_only_extras_with_defaults_are_fine(tmp_path: Path) -> None:
    context = driver(tmp_path, PROTOTYPE.format(options="dict | str | None")
                     + ", *args: Any, timeout_ms: int = 2000, **kwargs: Any")
    assert checks.signature(context).outcome is Outcome.PASS


@pytest.mark.parametrize(("parameters", "problem"), [
    ("resource_name: str, reset: bool = False, id_query: bool = True, "
     "options: dict | str | None = None", "reset is parameter 2, the prototype's 3"),
    ("resource_name: str, *, id_query: bool = True, reset: bool = False, "
     "options: dict | str | None = None", "id_query is keyword-only"),
    ("resource_name: str, /, id_query: bool = True, reset: bool = False, "
     "options: dict | str | None = None", "resource_name is positional-only"),
    ("resource_name: str, id_query: bool = False, reset: bool = False, "
     "options: dict | str | None = None", "id_query defaults to False"),
    ("resource_name: str, id_query: int = 1, reset: bool = False, "
     "options: dict | str | None = None", "id_query: int does not admit bool"),
    ("resource_name, id_query: bool = True, reset: bool = False, "
     "options: dict | str | None = None", "resource_name has no annotation"),
    ("resource_name: str, id_query: bool = True, reset: bool = False, "
     "options: dict | str = {}", "options: dict | str does not admit None"),
    ("resource_name: str, id_query: bool = True, reset: bool = False", "lacks the prototype's "
     "parameter 4, options"),
    ("resource_name: str, id_query: bool = True, reset: bool = False, "
     "options: dict | str | None = None, *, channel: str", "channel is required"),
    ("resource_name: str, timeout: int = 0, id_query: bool = True, reset: bool = False, "
     "options: dict | str | None = None", "id_query is parameter 3, the prototype's 2"),
])
def test_departures_from_the_prototype(tmp_path: Path, parameters: str, problem: str) -> None:
    finding = checks.signature(driver(tmp_path, parameters))
    assert finding.outcome is Outcome.FAIL
    assert any(problem in str(evidence) for evidence in finding.evidence), \
        [str(evidence) for evidence in finding.evidence]


def test_a_constructor_inherited_inside_the_distribution(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": f'''
        class Base:
            def __init__(self, {PROTOTYPE.format(options="dict | str | None")}) -> None:
                pass

        class XyDmm(Base):
            @property
            def ivi_utility(self) -> object:
                return object()
    '''})
    assert checks.signature(context).outcome is Outcome.PASS


def test_a_constructor_inherited_from_outside_cannot_be_judged(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": '''
        from rsinstrument import RsInstrument

        class XyDmm(RsInstrument):
            @property
            def ivi_utility(self) -> object:
                return object()
    '''})
    finding = checks.signature(context)
    assert finding.outcome is Outcome.ERROR
    assert "RsInstrument" in finding.message
    assert checks.options_typeddict(context).outcome is Outcome.ERROR


def test_no_constructor_at_all_fails(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": '''
        class XyDmm:
            @property
            def ivi_utility(self) -> object:
                return object()
    '''})
    assert checks.signature(context).outcome is Outcome.FAIL
    assert checks.options_dict_and_string(context).outcome is Outcome.FAIL
    assert checks.options_typeddict(context).outcome is Outcome.SKIP


def test_unannotated_options_leave_the_types_to_the_behavioural_rules(tmp_path: Path) -> None:
    context = driver(tmp_path, "resource_name: str, id_query: bool = True, reset: bool = False, "
                               "options=None")
    assert checks.signature(context).outcome is Outcome.FAIL
    assert checks.options_dict_and_string(context).outcome is Outcome.SKIP
    assert checks.options_typeddict(context).outcome is Outcome.SKIP


def test_any_admits_a_dict_and_a_string(tmp_path: Path) -> None:
    context = driver(tmp_path, PROTOTYPE.format(options="Any"))
    assert checks.options_dict_and_string(context).outcome is Outcome.PASS
    assert checks.options_typeddict(context).outcome is Outcome.SKIP
