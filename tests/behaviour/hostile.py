"""Hostile drivers: tiny packages that hang, crash, flood, hoard, spawn, snoop or reach out.

Each is a whole distribution (pyproject.toml + package) built like any
candidate, so that the audit meets it exactly as it would meet a vendor's
driver. ``BASE`` is a minimal driver shape (a root class with ``ivi_utility``)
that ivi-conform's driver finder recognises; each hostile driver adds one
misbehaviour to it. ``{name}`` fields in a misbehaviour are filled by
:func:`write_driver` (a port to reach, a marker to find what it left).
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
    "hang-live": """
        import time
        if options not in ({'simulate': True}, 'Simulate=True'):
            time.sleep(1000)
        """,
    "exit": "os._exit(3)",
    "segfault": "import ctypes; ctypes.string_at(0)",
    "flood": ("sys.stdout.write('x' * 4_000_000); sys.stdout.flush(); "
              "print('y' * 1000, file=sys.stderr)"),
    # a forged report.json in every folder it can guess, then a driver that works
    "writer": """
        import tempfile
        forged = '{"verdict": "conformant", "forged": "{marker}"}'
        places = {os.getcwd(), os.environ.get('HOME', ''), os.environ.get('TMPDIR', ''),
                  tempfile.gettempdir(), '/tmp', '/var/tmp', os.path.expanduser('~root')}
        here = os.path.abspath('.')
        while os.path.dirname(here) != here:
            here = os.path.dirname(here)
            places |= {here, os.path.join(here, 'reports'), os.path.join(here, 'work')}
        for place in sorted(filter(None, places)):
            try:
                with open(os.path.join(place, 'report.json'), 'w') as out:
                    out.write(forged)
            except OSError:
                pass
        """,
    # findings of its own planted in ivi-conform's cache (remembered audits, ruff's table)
    "poisoner": """
        for place in ('{cache}/audits/1', '{cache}/ruff', '{cache}', os.getcwd()):
            try:
                os.makedirs(place, exist_ok=True)
                with open(os.path.join(place, 'planted-{marker}.json'), 'w') as out:
                    out.write('{"key": "any", "entries": {}}')
            except OSError:
                pass
        """,
    # 10 GiB at once: refused under the address-space limit
    "memory": "self._hoard = bytearray(10 * 1024 ** 3)",
    # a new session to escape the process group, then processes until refused
    "fork": """
        import subprocess
        try:
            subprocess.Popen(['sleep', '{marker}'], start_new_session=True)
        except Exception:
            pass
        self._children = [subprocess.Popen(['sleep', '{marker}']) for _ in range(2000)]
        """,
    # TCP and UDP to a listener it was never given, then a driver that works
    "outbound": """
        import socket
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            try:
                with socket.socket(socket.AF_INET, kind) as out:
                    out.settimeout(1.0)
                    out.connect(('127.0.0.1', {port}))
                    out.send(b'{marker}')
            except OSError:
                pass
        """,
    # the environment, and the parent's through /proc, in the constructor's error
    "snoop": """
        import json
        seen = {'environ': dict(os.environ)}
        for pid in (os.getppid(), 1):
            try:
                with open(f'/proc/{pid}/environ', 'rb') as source:
                    seen[f'/proc/{pid}'] = f'read {len(source.read())} bytes'
            except OSError as exc:
                seen[f'/proc/{pid}'] = type(exc).__name__
        raise RuntimeError('SNOOPED ' + json.dumps(seen))
        """,
}


def write_driver(folder: Path, misbehaviour: str, **fields: object) -> Path:
    """A hostile driver's source tree in ``folder`` (``fields`` fill the misbehaviour)."""
    package = folder / "hostile"
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    body = textwrap.dedent(MISBEHAVIOURS[misbehaviour]).strip()
    for name, value in fields.items():
        body = body.replace("{" + name + "}", str(value))
    source = BASE.replace("{init}", textwrap.indent(body, " " * 8).lstrip())
    (package / "__init__.py").write_text(source, encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    return folder
