"""The coverage-hole rules on a driver unlike the reference, and their helpers.

``tinyroof`` is a small sunroof driver written in another style than the
reference: one model only (SR-PN200), panels in an int-keyed ``dict``, moves
through selector-style methods (``move(panel, position)``), raw sockets
instead of pyvisa, and its own simulation. Each variant changes one thing
that one rule must catch; the plain driver passes those rules (and fails the
command coverage, which it does not implement in full).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ivi_conform.behaviour.api import (
    Member,
    Step,
    commands_of,
    covering_models,
)
from ivi_conform.behaviour.exercises.base_api import status_checks
from ivi_conform.behaviour.exercises.hierarchy import available, implemented
from ivi_conform.behaviour.exercises.utility import agrees
from ivi_conform.behaviour.harness import Call
from ivi_conform.candidate import load
from ivi_conform.catalog import load_catalog
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.engine import AuditResult, run_audit
from ivi_conform.model import Outcome
from ivi_conform.sim import MODELS, TraceEntry

ID_QUERY_OFF = "run-constructor-id-query-off"
RESET = "run-utility-reset-state"
STATUS_OFF = "run-errors-status-off-silent"
RETURN_CODES = "run-errors-no-return-codes"
SWITCH = "run-simulation-switch"
COVERAGE = "run-coverage-commands"
RULES = (ID_QUERY_OFF, RESET, STATUS_OFF, RETURN_CODES, SWITCH, COVERAGE)

DRIVER = '''
"""A tiny sunroof driver: int-keyed panels, selector-style moves, one model, raw sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

MODEL = "SR-PN200"
IDENTITY = "Skylight Test Systems,SR-PN200,SN000001,1.0.0"


class TinyError(Exception):
    """An instrument error."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code},{message}")
        self.code = code


class _Socket:
    def __init__(self, resource: str) -> None:
        parts = resource.split("::")
        self._sock = socket.create_connection((parts[1], int(parts[2])), timeout=1.0)
        self._buffer = b""

    def write(self, message: str) -> None:
        self._sock.sendall(message.encode("ascii") + b"\\n")

    def read(self) -> str:
        while b"\\n" not in self._buffer:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\\n")
        return line.decode("ascii")

    def close(self) -> None:
        self._sock.close()


class _Simulated:
    """No I/O: settings are remembered and queries answered from them."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._reply = ""

    def write(self, message: str) -> None:
        head, _, value = message.partition(" ")
        if head == "*IDN?":
            self._reply = IDENTITY
        elif head.startswith("SYST:ERR"):
            self._reply = '0,"No error"'
        elif head.endswith("?"):
            self._reply = self._values.get(head[:-1], "0")
        elif value:
            self._values[head] = value

    def read(self) -> str:
        return self._reply

    def close(self) -> None:
        pass


class ErrorQueryResult:
    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message


class TinyUtility:
    def __init__(self, root: TinyRoof) -> None:
        self._root = root

    @property
    def driver_version(self) -> str:
        return "1.0.0"

    @property
    def driver_vendor(self) -> str:
        return "Tiny Drivers"

    @property
    def instrument_manufacturer(self) -> str:
        return self._root.identity.split(",")[0]

    @property
    def instrument_model(self) -> str:
        return (self._root.identity.split(",") + [""])[1]

    @property
    def query_instrument_status_enabled(self) -> bool:
        return self._root.status

    @query_instrument_status_enabled.setter
    def query_instrument_status_enabled(self, enabled: bool) -> None:
        self._root.status = enabled

    @property
    def simulation_enabled(self) -> bool:
        return self._root.simulate
{SWITCH}
    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return (MODEL,)

    def error_query(self) -> ErrorQueryResult | None:
        code, _, message = self._root.query("SYST:ERR?").partition(",")
        return None if int(code) == 0 else ErrorQueryResult(int(code), message.strip('"'))

    def error_query_all(self) -> list[ErrorQueryResult]:
        found: list[ErrorQueryResult] = []
        while (error := self.error_query()) is not None and len(found) < 20:
            found.append(error)
        return found

    def raise_on_device_error(self) -> None:
        found = self.error_query_all()
        if found:
            raise TinyError(found[0].code, found[0].message)

    def reset(self) -> None:
        self._root.send("{RESET}")


class Panel:
    def __init__(self, root: TinyRoof, number: int) -> None:
        self._root = root
        self._number = number

    @property
    def name(self) -> str:
        return str(self._number)

    @property
    def position(self) -> int:
        return int(self._root.ask(f"PAN{self._number}:POS?"))

    @property
    def tilt(self) -> int:
        return int(self._root.ask(f"PAN{self._number}:TILT?"))

    @property
    def state(self) -> str:
        return self._root.ask(f"PAN{self._number}:STAT?")


class PanelList:
    """The panels as a sequence numbered from 1 (no mapping)."""

    def __init__(self, panels: list[Panel]) -> None:
        self._panels = panels

    def __getitem__(self, number: int) -> Panel:
        if not 1 <= number <= len(self._panels):
            raise IndexError(number)
        return self._panels[number - 1]

    def __len__(self) -> int:
        return len(self._panels)

    def __iter__(self) -> Iterator[Panel]:
        return iter(self._panels)


class _Setting:
    """A SCPI setting as a descriptor of its own (not a property, no type hints)."""

    def __init__(self, header):
        self.header = header

    def __get__(self, owner, kind=None):
        if owner is None:
            return self
        return int(owner.ask(self.header + "?"))

    def __set__(self, owner, value):
        owner.send(f"{self.header} {value}")


class TinyRoof:
    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
                 options: dict[str, bool] | str | None = None) -> None:
        if isinstance(options, str):
            options = {"simulate": options.replace(" ", "").lower() == "simulate=true"}
        self.simulate = bool((options or {}).get("simulate", False))
        self.status = False
        self.resource = resource_name
        self.link: _Socket | _Simulated = _Simulated() if self.simulate else _Socket(
            resource_name)
        self.identity = self.query("*IDN?")
        model = (self.identity.split(",") + [""])[1]
        if ({ID_QUERY}) and model != MODEL:
            self.link.close()
            raise TinyError(-1, f"unsupported model {model!r}")
        if reset:
            self.send("*RST")
        self._utility = TinyUtility(self)
        self._panels = {PANELS_VALUE}

    @property
    def ivi_utility(self) -> TinyUtility:
        return self._utility

    @property
    def panels(self) -> {PANELS_TYPE}:
        return self._panels

{MOVE}

    def tilt_panel(self, panel: int, tilt: int) -> None:
        self.send(f"PAN{panel}:TILT {tilt}")

    def stop(self, panel: int) -> None:
        self.send(f"PAN{panel}:STOP")

{SPEED}

    def close(self) -> None:
        self.link.close()

    def query(self, message: str) -> str:
        self.link.write(message)
        return self.link.read()

    def ask(self, message: str) -> str:
        reply = self.query(message)
        self.check()
        return reply

    def send(self, message: str) -> None:
        self.link.write(message)
        self.check()

    def check(self) -> None:
{CHECK}


__all__ = ["Any", "ErrorQueryResult", "Panel", "PanelList", "TinyError", "TinyRoof",
           "TinyUtility"]
'''

PLAIN: dict[str, str] = {
    "{SWITCH}": "",
    "{PANELS_VALUE}": "{number: Panel(self, number) for number in (1, 2)}",
    "{PANELS_TYPE}": "dict[int, Panel]",
    "{SPEED}": '''    @property
    def speed(self) -> int:
        return int(self.ask("MOT:SPE?"))

    @speed.setter
    def speed(self, value: int) -> None:
        self.send(f"MOT:SPE {value}")''',
    "{RESET}": "*RST",
    "{ID_QUERY}": "id_query",
    "{MOVE}": '''    def move(self, panel: int, position: int) -> None:
        self.send(f"PAN{panel}:POS {position}")''',
    "{CHECK}": '''        if self.status:
            code, _, text = self.query("SYST:ERR?").partition(",")
            if int(code) != 0:
                raise TinyError(int(code), text)''',
}

#: One change each, and the rule it breaks (None: a change that must keep the rule passing).
VARIANTS: dict[str, tuple[dict[str, str], str]] = {
    "verifies-always": ({"{ID_QUERY}": "True"}, ID_QUERY_OFF),
    "reset-clears": ({"{RESET}": "*CLS"}, RESET),
    "status-always-read": ({"{CHECK}": '''
        code, _, text = self.query("SYST:ERR?").partition(",")
        if self.status and int(code) != 0:
            raise TinyError(int(code), text)'''}, STATUS_OFF),
    "move-returns-bool": ({"{MOVE}": '''    def move(self, panel: int, position: int) -> bool:
        self.link.write(f"PAN{panel}:POS {position}")
        if self.status:
            return int(self.query("SYST:ERR?").partition(",")[0]) == 0
        return True'''}, RETURN_CODES),
    "switch-flag-only": ({"{SWITCH}": '''
    @simulation_enabled.setter
    def simulation_enabled(self, enabled: bool) -> None:
        self._root.simulate = enabled
'''}, SWITCH),
}

#: The same API in other shapes: a 1-based sequence behind ``-> Any``, a descriptor setting.
OTHER_SHAPES = {"{PANELS_VALUE}": "PanelList([Panel(self, 1), Panel(self, 2)])",
                "{PANELS_TYPE}": "Any", "{SPEED}": '    speed = _Setting("MOT:SPE")'}

MANAGED_SWITCH = '''
    @simulation_enabled.setter
    def simulation_enabled(self, enabled: bool) -> None:
        root = self._root
        if enabled == root.simulate:
            return
        root.link.close()
        root.link = _Simulated() if enabled else _Socket(root.resource)
        root.simulate = enabled
'''

PYPROJECT = '''
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "tinyroof"
version = "1.0.0"
description = "A tiny sunroof driver in another style than the reference."
'''


def audit(tmp_path: Path, changes: dict[str, str], rules: tuple[str, ...]) -> AuditResult:
    """Build tinyroof with ``changes`` and judge ``rules``."""
    source = DRIVER
    for mark, text in {**PLAIN, **changes}.items():
        source = source.replace(mark, text)
    folder = tmp_path / "src"
    package = folder / "tinyroof"
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    (package / "__init__.py").write_text(source, encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    dist = load(str(folder), work_dir=work)
    context = AuditContext(dist, AuditConfig(timeout_s=120.0), work)
    wanted = [rule for rule in load_catalog() if rule.id in rules]
    return run_audit(context, wanted)


def outcomes(result: AuditResult) -> dict[str, tuple[Outcome, str]]:
    return {r.rule.id: (r.outcome, r.message + " " + " ".join(str(e) for e in r.evidence))
            for r in result.results}


def test_the_plain_driver_passes_and_its_command_coverage_is_measured(tmp_path: Path) -> None:
    seen = outcomes(audit(tmp_path, {}, RULES))
    for rule in (ID_QUERY_OFF, RESET, STATUS_OFF, RETURN_CODES, SWITCH):
        assert seen[rule][0] is Outcome.PASS, seen[rule]
    assert "cannot be switched" in seen[SWITCH][1]
    outcome, said = seen[COVERAGE]
    assert outcome is Outcome.FAIL, said
    # one model only: SR-PN200 has no solar cells, so SOL:POW? is not counted
    assert "/20 " in said and "SOL:POW?" not in said, said
    assert "MOT:TEMP?" in said and "PAN:POS?" not in said.split("sends", 1)[-1], said


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_change_fails_its_rule(tmp_path: Path, variant: str) -> None:
    changes, rule = VARIANTS[variant]
    seen = outcomes(audit(tmp_path, changes, (rule,)))
    assert seen[rule][0] is Outcome.FAIL, seen[rule]


def test_members_without_hints_or_properties_are_walked_too(tmp_path: Path) -> None:
    plain = outcomes(audit(tmp_path / "plain", {}, (COVERAGE, STATUS_OFF)))
    other = outcomes(audit(tmp_path / "other", OTHER_SHAPES, (COVERAGE, STATUS_OFF)))
    assert other[STATUS_OFF][0] is Outcome.PASS, other[STATUS_OFF]
    missing = other[COVERAGE][1].split("sends", 1)[-1]
    assert "PAN:POS?" not in missing and "MOT:SPE" not in missing, other[COVERAGE]
    assert plain[COVERAGE][1].split("sends", 1)[-1] == missing


def test_a_well_managed_simulation_switch_passes(tmp_path: Path) -> None:
    seen = outcomes(audit(tmp_path, {"{SWITCH}": MANAGED_SWITCH}, (SWITCH,)))
    assert seen[SWITCH][0] is Outcome.PASS, seen[SWITCH]
    assert "switched on, the driver does no I/O" in seen[SWITCH][1]


# -- the helpers --------------------------------------------------------------------------------


def test_commands_are_named_as_the_simulator_parses_them() -> None:
    assert commands_of("pan2:position 50;TILT?;*rst", 2) == ["PAN:POS", "PAN:TILT?", "*RST"]
    assert commands_of("SYSTem:ERRor:COUNt?", 1) == ["SYST:ERR:COUN?"]
    assert commands_of("NO:SUCH 1;PAN3:POS?", 2) == []


def test_the_command_set_counts_only_the_features_a_model_has() -> None:
    assert len(implemented()) == 21
    assert "SOL:POW?" in available(MODELS["SR-SO300"])
    assert "SOL:POW?" not in available(MODELS["SR-PN200"])
    assert not {"PAN:POS", "PAN:POS?"} & available(MODELS["SR-TM500"])
    assert covering_models(list(MODELS)) == ["SR-PN200", "SR-SO300"]
    assert covering_models(["SR-FD600"]) == ["SR-FD600"]


def _step(*lines: tuple[str, str]) -> Step:
    member = Member("x", (("attr", "x"),), "method")
    entries = [TraceEntry(float(i), "c", direction, message)  # type: ignore[arg-type]
               for i, (direction, message) in enumerate(lines)]
    return Step(member, "call", (), Call(True), entries)


def test_a_status_query_after_a_command_is_a_check_and_a_status_reader_is_not() -> None:
    checked = _step(("in", "MOT:SPE 20"), ("in", "SYST:ERR?"), ("out", '0,"No error"'))
    assert status_checks(checked, 2) == ["SYST:ERR?"]
    reader = _step(("in", "SYST:ERR?"), ("out", '0,"No error"'))
    assert status_checks(reader, 2) == []
    explained = _step(("in", "SOL:POW?"), ("in", "*IDN?"), ("out", "id"), ("in", "SYST:ERR?"),
                      ("out", '-241,"Hardware missing"'))
    assert status_checks(explained, 2) == []


def test_a_read_agrees_with_the_reply_it_got() -> None:
    assert agrees(37, "37")
    assert agrees(True, "1")
    assert not agrees(20, "37")
    assert not agrees(False, "ON")
    assert agrees("CLOSED", "closed")
