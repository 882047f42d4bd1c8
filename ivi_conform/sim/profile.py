"""The embedded simulation: a pyvisa-sim profile of every model, shipped as YAML.

A driver that cannot be pointed at a TCP port can still be audited through
pyvisa-sim (``ResourceManager("<profile>@sim")``, or ``PYVISA_LIBRARY`` for a
driver that builds its own resource manager). The YAML is rendered from the
model table (:data:`~ivi_conform.sim.instrument.MODELS`) and shipped as
``ivi_conform/data/sunroof.yaml``; a test checks that the shipped file is the
rendering, and :func:`write_shipped_profile` rewrites it after the table
changes.

pyvisa-sim keeps one library, with its devices' state, per profile path for the
life of the process, whatever the resource manager. :func:`profile_path`
therefore hands every caller its own copy, so one audit never sees settings
left by another.

Resource names: ``TCPIP0::sr-ib100.sim::5025::SOCKET`` and so on, one per
model, the model in lower case as host name (see :func:`profile_resource_name`).
Both terminations are ``\\n``.

Limits of pyvisa-sim, where the profile cannot follow the live instrument (the
contract names the first; the others follow from pyvisa-sim's design):

- Only the canonical spellings match; every refused message (unknown, out of
  range, wrong type, a feature the model lacks) queues ``-100,"Command error"``,
  sets ``*ESR?`` bit 5 and sends no reply. No interlocks, no queue limit, no
  201/202.
- Settings take effect at once and nothing moves, so ``PANn:STAT?`` always
  reads ``CLOSED``, ``*OPC?`` reads 1, ``*OPC`` and ``*WAI`` do nothing,
  ``*STB?`` reads 0 (pyvisa-sim keeps no status byte), ``PINC:EVEN?`` reads 0, ``MOT:CURR?`` and
  ``MOT:TEMP?`` read the live simulator's values at rest (0.05 A, 25.0 C).
- pyvisa-sim cannot count or clear its queue, nor reset properties, so
  ``SYST:ERR:COUN?`` always reads 0 (drain with ``SYST:ERR?`` until ``0``),
  ``*CLS`` clears nothing and ``*RST`` leaves the settings as they are.
- Several messages in one line (``;``) give one reply line each.
"""

from __future__ import annotations

import atexit
import itertools
import json
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ivi_conform.sim.instrument import (
    AMBIENT_TEMPERATURE,
    DEFAULT_FIRMWARE,
    DEFAULT_MANUFACTURER,
    DEFAULT_SERIAL,
    IDLE_CURRENT,
    MODELS,
    OPENING_RANGE,
    RESET_SPEED,
    RESET_THRESHOLD,
    SOLAR_POWER,
    SPEED_RANGE,
    THRESHOLD_RANGE,
    ErrorCode,
    ModelSpec,
)
from ivi_conform.sim.scpi import format_current, format_solar_power, format_temperature

__all__ = [
    "COMMAND_ERROR",
    "profile_path",
    "profile_resource_name",
    "render_profile",
    "shipped_profile",
    "write_shipped_profile",
]

#: What the profile's ``SYST:ERR?`` gives for every refused message.
COMMAND_ERROR = '-100,"Command error"'

_PLAIN_KEY = re.compile(r"[a-z][a-z0-9_]*")
_copies_lock = threading.Lock()
_copies_dir: Path | None = None
_copy_numbers = itertools.count(1)


def shipped_profile() -> Path:
    """The YAML file inside the installed package (never pass it to an audit)."""
    return Path(__file__).resolve().parent.parent / "data" / "sunroof.yaml"


def profile_path() -> Path:
    """A fresh private copy of the profile, for one audit.

    pyvisa-sim keeps device state per file path for the whole process, so each
    caller gets a new path and therefore instruments at their power-on state.
    The copies live in one temporary directory removed when the process exits.
    """
    global _copies_dir
    with _copies_lock:
        if _copies_dir is None:
            _copies_dir = Path(tempfile.mkdtemp(prefix="ivi-conform-sim-"))
            atexit.register(shutil.rmtree, _copies_dir, ignore_errors=True)
        copy = _copies_dir / f"sunroof-{next(_copy_numbers)}.yaml"
    shutil.copyfile(shipped_profile(), copy)
    return copy


def profile_resource_name(model: str) -> str:
    """The VISA resource name under which the profile serves ``model``."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; models: {', '.join(MODELS)}")
    return f"TCPIP0::{model.lower()}.sim::5025::SOCKET"


def _setting(query: str, default: int, bounds: tuple[int, int]) -> dict[str, Any]:
    return {
        "default": str(default),
        "getter": {"q": f"{query}?", "r": "{:d}"},
        "setter": {"q": f"{query} {{:d}}"},
        "specs": {"min": str(bounds[0]), "max": str(bounds[1]), "type": "int"},
    }


def _device(spec: ModelSpec) -> dict[str, Any]:
    identity = f"{DEFAULT_MANUFACTURER},{spec.name},{DEFAULT_SERIAL},{DEFAULT_FIRMWARE}"
    dialogues: list[dict[str, str]] = [
        {"q": "*IDN?", "r": identity},
        {"q": "*RST"},
        {"q": "*CLS"},
        {"q": "*OPC?", "r": "1"},
        {"q": "*OPC"},
        {"q": "*WAI"},
        {"q": "*STB?", "r": "0"},
        {"q": "*OPT?", "r": "0"},
        {"q": "*TST?", "r": "0"},
        {"q": "SYST:ERR:COUN?", "r": "0"},
        {"q": "PAN:COUN?", "r": str(spec.panels)},
    ]
    properties: dict[str, Any] = {}
    for n in range(1, spec.panels + 1):
        dialogues += [{"q": f"PAN{n}:STAT?", "r": "CLOSED"}, {"q": f"PAN{n}:STOP"}]
        if spec.slide:
            properties[f"panel{n}_position"] = _setting(f"PAN{n}:POS", 0, OPENING_RANGE)
        else:
            dialogues.append({"q": f"PAN{n}:POS?", "r": "0"})
        if spec.tilt:
            properties[f"panel{n}_tilt"] = _setting(f"PAN{n}:TILT", 0, OPENING_RANGE)
        else:
            dialogues.append({"q": f"PAN{n}:TILT?", "r": "0"})
    if spec.shade:
        properties["shade_position"] = _setting("SHAD:POS", 0, OPENING_RANGE)
    properties["motor_speed"] = _setting("MOT:SPE", RESET_SPEED, SPEED_RANGE)
    properties["pinch_state"] = _setting("PINC:STAT", 1, (0, 1))
    properties["pinch_threshold"] = _setting("PINC:THR", RESET_THRESHOLD, THRESHOLD_RANGE)
    properties["event_status_enable"] = _setting("*ESE", 0, (0, 255))
    properties["service_request_enable"] = _setting("*SRE", 0, (0, 255))
    dialogues += [
        {"q": "MOT:CURR?", "r": format_current(IDLE_CURRENT)},
        {"q": "MOT:TEMP?", "r": format_temperature(AMBIENT_TEMPERATURE)},
        {"q": "PINC:EVEN?", "r": "0"},
    ]
    if spec.solar:
        dialogues.append({"q": "SOL:POW?", "r": format_solar_power(SOLAR_POWER)})
    return {
        "eom": {"TCPIP SOCKET": {"q": "\n", "r": "\n"}},
        "error": {
            "error_queue": [
                {
                    "q": "SYST:ERR?",
                    "default": f'{ErrorCode.NO_ERROR.value},"{ErrorCode.NO_ERROR.message}"',
                    "command_error": COMMAND_ERROR,
                }
            ],
            "status_register": [{"q": "*ESR?", "command_error": "32"}],
        },
        "dialogues": dialogues,
        "properties": properties,
    }


def _key(name: str) -> str:
    return name if _PLAIN_KEY.fullmatch(name) else json.dumps(name)


def _emit(value: Any, indent: int) -> Iterator[str]:
    """Block-style YAML with JSON-quoted strings, which YAML reads unchanged."""
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                yield f"{pad}{_key(key)}:"
                yield from _emit(item, indent + 1)
            else:
                yield f"{pad}{_key(key)}: {json.dumps(item)}"
    else:
        for item in value:
            lines = list(_emit(item, indent + 1))
            yield f"{pad}- {lines[0].lstrip()}"
            yield from lines[1:]


def render_profile() -> str:
    """The profile's YAML text, generated from the model table."""
    document = {
        "spec": "1.1",
        "devices": {spec.name: _device(spec) for spec in MODELS.values()},
        "resources": {profile_resource_name(name): {"device": name} for name in MODELS},
    }
    header = [
        "# pyvisa-sim profile of the ivi-conform reference instrument, the sunroof",
        "# actuator (shared/spec/sunroof-actuator-scpi.md). Generated from the model",
        "# table by ivi_conform.sim.profile.write_shipped_profile(): do not edit.",
        "# Resources:",
        *(f"#   {profile_resource_name(name)}  ({name})" for name in MODELS),
    ]
    return "\n".join([*header, *_emit(document, 0)]) + "\n"


def write_shipped_profile() -> Path:
    """Rewrite the shipped profile from the model table (a maintainer's step)."""
    shipped_profile().write_text(render_profile(), encoding="utf-8")
    return shipped_profile()
