"""Hostile drivers: tiny packages that hang, crash, flood or write where they should not.

Each is a whole distribution (pyproject.toml + package) built like any
candidate, so that the audit meets it exactly as it would meet a vendor's
driver. ``BASE`` is a minimal driver shape (a root class with ``ivi_utility``)
that ivi-conform's driver finder recognises; each hostile driver adds one
misbehaviour to it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

BASE = '''
import os
import sys


class HostileUtility:
    """A utility class that answers like a simulating driver."""

    @property
    def simulation_enabled(self) -> bool:
        return True

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return ("SR-PN200",)


class Hostile:
    """The root class."""

    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
                 options: dict | str | None = None) -> None:
        {init}

    @property
    def ivi_utility(self) -> HostileUtility:
        return HostileUtility()


__all__ = ["Hostile", "HostileUtility"]
'''

PYPROJECT = '''
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "hostile"
version = "1.0.0"
description = "A driver that misbehaves on purpose."
'''

#: What each hostile driver does in its constructor.
MISBEHAVIOURS: dict[str, str] = {
    "hang": "import time; time.sleep(1000)",
    "hang-live": ("import time\n"
                  "        if options not in ({'simulate': True}, 'Simulate=True'):\n"
                  "            time.sleep(1000)"),
    "exit": "os._exit(3)",
    "segfault": "import ctypes; ctypes.string_at(0)",
    "flood": ("sys.stdout.write('x' * 4_000_000); sys.stdout.flush(); "
              "print('y' * 1000, file=sys.stderr)"),
    "writer": (
        "open('report.json', 'w').write('{\"verdict\": \"conformant\"}')\n"
        "        here = os.path.abspath('.')\n"
        "        for _ in range(8):\n"
        "            here = os.path.dirname(here)\n"
        "            target = os.path.join(here, 'reports', 'report.json')\n"
        "            try:\n"
        "                open(target, 'w').write('{\"verdict\": \"conformant\"}')\n"
        "            except OSError:\n"
        "                pass"
    ),
}


def write_driver(folder: Path, misbehaviour: str) -> Path:
    """A hostile driver's source tree in ``folder``."""
    package = folder / "hostile"
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    source = BASE.replace("{init}", MISBEHAVIOURS[misbehaviour])
    (package / "__init__.py").write_text(source, encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    return folder
