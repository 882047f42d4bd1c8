"""How long the static audit of a real-shaped generated driver takes, beside parsing it.

Vendors' drivers are generated: thousands of small modules, one class each, in
nested ``<Group>/__init__.py`` packages of ``*Cls`` groups reached by lazy,
unannotated getters (``if not hasattr(self, "_x"): from .X import XCls``),
tab-indented, with long lines and unannotated parameters, beside a README and a
compliance document (rsmxo: 5,278 files, 306k lines). This script writes such a
driver (``--modules N``, default 5,000), or takes an existing one (``TARGET``: a
source folder, a wheel, or the name of an installed distribution such as
``rsmxo``), and prints, measured side by side in one run:

* the load (wheel build for a folder) and ``ast.parse`` of the same files;
* the static audit cold (empty caches), warm (the same files again), and
  after one file changed (the central module, a leaf module, and a leaf
  again with mypy's rule left out: ivi-conform's own share, beside mypy's
  floor), each with its ratio to the parse;
* per stage: the syntax index, ruff, mypy (their own child-process times),
  each rule family;
* the process's peak memory (and its children's);
* for a folder (the generated driver is one), the command line end to end:
  ``ivi-conform audit FOLDER --static`` first, again unchanged, and after one
  module's code changed, each in a new process;
* with ``--alternatives``, other type checkers on the same package (dmypy,
  pyrefly, basedpyright) when installed: figures only, the verdict keeps mypy.

No test times anything; this script is run by hand:
``python benchmarks/static_audit.py [TARGET] [--modules N] [--keep DIR] [--no-mypy]``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ivi_conform.candidate import Distribution, load  # noqa: E402
from ivi_conform.catalog import Rule, load_catalog  # noqa: E402
from ivi_conform.context import AuditConfig, AuditContext  # noqa: E402
from ivi_conform.engine import AuditResult, run_audit  # noqa: E402
from ivi_conform.judges import mypy as mypy_judge  # noqa: E402 - the checkout's
from ivi_conform.judges import ruff as ruff_judge  # noqa: E402
from ivi_conform.model import Judged  # noqa: E402

PACKAGE = "skgen"
ROOT_CLASS = "SkGen"
#: Children per generated group; the tree is filled breadth first to --modules.
FANOUT = 9
#: Leaf names, as SCPI subsystems read (a suffix makes them unique among siblings).
STEMS = ("Level", "Mode", "State", "Count", "Offset", "Scale", "Position", "Source",
         "Coupling", "Threshold", "Hysteresis", "Slope", "Frequency", "Format")

IVI_TYPES = '''\
"""The IVI-Python types, as the specification defines them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from typing import Any


class ErrorQueryResult:
    """One instrument error."""

    def __init__(self, code: int, message: str) -> None:
        self._code = code
        self._message = message

    @property
    def code(self) -> int:
        """The error code."""
        return self._code

    @property
    def message(self) -> str:
        """The error message."""
        return self._message


class IviUtility(ABC):
    """The IVI-Python utility interface."""

    @property
    @abstractmethod
    def driver_version(self) -> str: ...

    @property
    @abstractmethod
    def driver_vendor(self) -> str: ...

    @property
    @abstractmethod
    def instrument_manufacturer(self) -> str: ...

    @property
    @abstractmethod
    def instrument_model(self) -> str: ...

    @property
    @abstractmethod
    def query_instrument_status_enabled(self) -> bool: ...

    @query_instrument_status_enabled.setter
    @abstractmethod
    def query_instrument_status_enabled(self, enabled: bool) -> None: ...

    @property
    @abstractmethod
    def simulation_enabled(self) -> bool: ...

    @abstractmethod
    def error_query(self) -> ErrorQueryResult | None: ...

    @abstractmethod
    def error_query_all(self) -> Collection[ErrorQueryResult]: ...

    @abstractmethod
    def raise_on_device_error(self) -> None: ...

    @abstractmethod
    def reset(self) -> None: ...

    @property
    @abstractmethod
    def supported_instrument_models(self) -> tuple[str, ...]: ...


class IviDirectIo(ABC):
    """The IVI-Python direct I/O interface."""

    @property
    @abstractmethod
    def session(self) -> Any: ...

    @property
    @abstractmethod
    def io_timeout_ms(self) -> int: ...

    @io_timeout_ms.setter
    @abstractmethod
    def io_timeout_ms(self, timeout_ms: int) -> None: ...

    @abstractmethod
    def read_bytes(self) -> bytes: ...

    @abstractmethod
    def read_string(self) -> str: ...

    @abstractmethod
    def write_bytes(self, data: bytes) -> None: ...

    @abstractmethod
    def write_string(self, data: str) -> None: ...
'''

IO = '''\
"""The instrument session the generated classes talk through."""

from __future__ import annotations


class Io:
    """A SCPI session (simulated: it remembers what was written)."""

    def __init__(self) -> None:
        self.timeout_ms: int = 2000
        self.sent: list[str] = []

    def write(self, command: str) -> None:
        """Send one command."""
        self.sent.append(command)

    def query(self, command: str) -> str:
        """Send one query and read the answer."""
        self.sent.append(command)
        return "0"
'''

UTILITY = '''\
"""The utility and direct I/O classes."""

from __future__ import annotations

from skgen._io import Io
from skgen.ivi_types import ErrorQueryResult, IviDirectIo, IviUtility


class SkGenUtility(IviUtility):
    """The driver's utility class."""

    def __init__(self, io: Io) -> None:
        self._io = io
        self._qis = False

    @property
    def driver_version(self) -> str:
        return "1.0.0"

    @property
    def driver_vendor(self) -> str:
        return "Skylight Test Systems"

    @property
    def instrument_manufacturer(self) -> str:
        return "Skylight Test Systems"

    @property
    def instrument_model(self) -> str:
        return "GEN-1"

    @property
    def query_instrument_status_enabled(self) -> bool:
        return self._qis

    @query_instrument_status_enabled.setter
    def query_instrument_status_enabled(self, enabled: bool) -> None:
        self._qis = enabled

    @property
    def simulation_enabled(self) -> bool:
        return True

    def error_query(self) -> ErrorQueryResult | None:
        code, _, message = self._io.query("SYST:ERR?").partition(",")
        return None if int(code) == 0 else ErrorQueryResult(int(code), message)

    def error_query_all(self) -> list[ErrorQueryResult]:
        errors: list[ErrorQueryResult] = []
        while (error := self.error_query()) is not None:
            errors.append(error)
        return errors

    def raise_on_device_error(self) -> None:
        errors = self.error_query_all()
        if errors:
            raise RuntimeError(", ".join(error.message for error in errors))

    def reset(self) -> None:
        self._io.write("*RST")

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return ("GEN-1",)


class SkGenDirectIo(IviDirectIo):
    """Direct I/O to the instrument."""

    def __init__(self, io: Io) -> None:
        self._io = io

    @property
    def session(self) -> Io:
        return self._io

    @property
    def io_timeout_ms(self) -> int:
        return self._io.timeout_ms

    @io_timeout_ms.setter
    def io_timeout_ms(self, timeout_ms: int) -> None:
        self._io.timeout_ms = timeout_ms

    def read_bytes(self) -> bytes:
        return self._io.query("").encode()

    def read_string(self) -> str:
        return self._io.query("")

    def write_bytes(self, data: bytes) -> None:
        self._io.write(data.decode())

    def write_string(self, data: str) -> None:
        self._io.write(data)
'''

OPTIONS = '''\
"""The driver options."""

from __future__ import annotations

from typing import TypedDict


class Options(TypedDict, total=False):
    """The driver's options."""

    simulate: bool
    query_instrument_status: bool
'''




CORE = """\
\"\"\"The instrument session the generated classes talk through.\"\"\"

from __future__ import annotations


class Core:
\t\"\"\"A SCPI session (simulated: it remembers what was written).\"\"\"

\tdef __init__(self) -> None:
\t\tself.sent: list[str] = []

\tdef write(self, command: str) -> None:
\t\tself.sent.append(command)

\tdef query(self, command: str) -> str:
\t\tself.sent.append(command)
\t\treturn "0"


class CommandsGroup:
\t\"\"\"A node of the command tree.\"\"\"

\tdef __init__(self, group_name, core, parent):
\t\tself.group_name = group_name
\t\tself.core = core
\t\tself.parent = parent

\tdef get_repcap_cmd_value(self, value, enum_type):
\t\treturn str(value)
"""

REPCAP = """\
\"\"\"Repeated capabilities.\"\"\"

from enum import Enum


class Channel(Enum):
\tDefault = -1
\tNr1 = 1
\tNr2 = 2
\tNr3 = 3
\tNr4 = 4
"""


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def _lazy_getter(child: str, module: str) -> list[str]:
    return [
        "\t@property",
        f"\tdef {_camel(child)}(self):",
        '\t\t"""',
        "\t\t| Commands in total: 2",
        "\t\t| Subgroups: 0",
        '\t\t"""',
        f"\t\tif not hasattr(self, '_{_camel(child)}'):",
        f"\t\t\tfrom .{module} import {child}Cls",
        f"\t\t\tself._{_camel(child)} = {child}Cls(self._core, self._cmd_group)",
        f"\t\treturn self._{_camel(child)}",
        "",
    ]


def _group(name: str, depth: int, children: list[str], command: str) -> str:
    up = "." * (depth + 2)  # the package holding Internal/ and repcap.py: skgen
    lines = [
        f"from {up}Internal.Core import Core, CommandsGroup",
        "",
        "",
        "# noinspection PyPep8Naming,PyAttributeOutsideInit,SpellCheckingInspection",
        f"class {name}Cls:",
        '\t"""',
        f"\t| Commands in total: {2 * len(children)}",
        f"\t| Subgroups: {len(children)}",
        '\t"""',
        "",
        "\tdef __init__(self, core: Core, parent):",
        "\t\tself._core = core",
        f'\t\tself._cmd_group = CommandsGroup("{_camel(name)}", core, parent)',
        "",
    ]
    for child in children:
        lines += _lazy_getter(child, child)
    lines += [
        "\tdef clone(self):",
        '\t\t"""Clones the group by creating new object from it and its whole existing '
        'subgroups. Also copies all the existing default Repeated Capabilities setting, '
        'which you can change independently without affecting the original group."""',
        f"\t\tnew_group = {name}Cls(self._core, self._cmd_group.parent)",
        "\t\treturn new_group",
    ]
    return "\n".join(lines) + "\n"


def _leaf(name: str, depth: int, command: str, gap: bool, mistyped: bool) -> str:
    """A leaf group; ``gap``: a parameter without a hint; ``mistyped``: a getter hinted ``int``
    that returns a float (one mypy error, as real generated drivers have by the thousand)."""
    up = "." * (depth + 2)  # the package holding Internal/ and repcap.py: skgen
    value = "value" if gap else "value: float"
    returned = "int" if mistyped else "float"
    lines = [
        f"from {up}Internal.Core import Core, CommandsGroup",
        f"from {up} import repcap",
        "",
        "",
        "# noinspection PyPep8Naming,PyAttributeOutsideInit,SpellCheckingInspection",
        f"class {name}Cls:",
        '\t"""',
        "\t| Commands in total: 1",
        "\t| Subgroups: 0",
        "\t| Direct child commands: 1",
        '\t"""',
        "",
        "\tdef __init__(self, core: Core, parent):",
        "\t\tself._core = core",
        f'\t\tself._cmd_group = CommandsGroup("{_camel(name)}", core, parent)',
        "",
        f"\tdef set(self, {value}, channel=repcap.Channel.Default) -> None:",
        '\t\t"""',
        f"\t\t``{command}`` \\n",
        f"\t\tSnippet: ``driver.{command.lower().replace(':', '.')}.set(value = 1.0, "
        "channel = repcap.Channel.Default)`` \\n",
        f"\t\tSets the {name.lower()} of the selected channel. The value is kept by the "
        "instrument until the next reset, and is reported by the query form of the same command.",
        "",
        "\t\t:param channel: optional repeated capability selector. Default value: Nr1 "
        "(settable in the interface 'Channel')",
        '\t\t"""',
        "\t\tchannel_cmd_val = self._cmd_group.get_repcap_cmd_value(channel, repcap.Channel)",
        f"\t\tself._core.write(f'{command}{{channel_cmd_val}} {{value}}')",
        "",
        f"\tdef get(self, channel=repcap.Channel.Default) -> {returned}:",
        '\t\t"""',
        f"\t\t``{command}?`` \\n",
        f"\t\tSnippet: ``value: float = driver.{command.lower().replace(':', '.')}.get("
        "channel = repcap.Channel.Default)`` \\n",
        '\t\t"""',
        "\t\tchannel_cmd_val = self._cmd_group.get_repcap_cmd_value(channel, repcap.Channel)",
        f"\t\tresponse = self._core.query(f'{command}{{channel_cmd_val}}?')",
        "\t\treturn float(response)",
    ]
    return "\n".join(lines) + "\n"


def _root(tops: list[str]) -> str:
    lines = [
        '"""The SkGen driver (generated)."""',
        "",
        "from __future__ import annotations",
        "",
        "from .Internal.Core import Core, CommandsGroup",
        "from .utility import SkGenDirectIo, SkGenUtility",
        "from ._io import Io",
        "",
        "",
        f"class {ROOT_CLASS}:",
        '\t"""The driver\'s root class."""',
        "",
        "\tdef __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,",
        "\t\t\t\t options: str = \"\") -> None:",
        "\t\tself._core = Core()",
        "\t\tself._cmd_group = CommandsGroup(\"\", self._core, None)",
        "\t\tio = Io()",
        "\t\tself._utility = SkGenUtility(io)",
        "\t\tself._direct_io = SkGenDirectIo(io)",
        "",
        "\t@property",
        "\tdef ivi_utility(self) -> SkGenUtility:",
        '\t\t"""The IVI utility interface."""',
        "\t\treturn self._utility",
        "",
        "\t@property",
        "\tdef ivi_direct_io(self) -> SkGenDirectIo:",
        '\t\t"""Direct I/O to the instrument."""',
        "\t\treturn self._direct_io",
        "",
    ]
    for top in tops:
        lines += _lazy_getter(top, f"Implementations.{top}")
    return "\n".join(lines).rstrip() + "\n"


def generate(folder: Path, modules: int = 5000) -> int:
    """Write the generated driver to ``folder``; return how many Python files it has."""
    package = folder / PACKAGE
    implementations = package / "Implementations"
    implementations.mkdir(parents=True)
    (package / "Internal").mkdir()
    reference = ROOT / "fixtures" / "reference"
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "{PACKAGE}"\nversion = "1.0.0"\nrequires-python = ">=3.11"\n'
        'description = "A generated IVI-Python driver (benchmark)"\nreadme = "README.md"\n'
        'keywords = ["Skylight Test Systems", "GEN-1"]\n', encoding="utf-8")
    (folder / "README.md").write_text(
        (reference / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    (package / "ivi_compliance.md").write_text(
        (reference / "sksunroof" / "ivi_compliance.md").read_text(encoding="utf-8"),
        encoding="utf-8")
    fixed = {"py.typed": "", "ivi_types.py": IVI_TYPES, "_io.py": IO, "utility.py": UTILITY,
             "options.py": OPTIONS, "repcap.py": REPCAP, "Internal/__init__.py": "",
             "Internal/Core.py": CORE,
             "__init__.py": f'"""Generated driver."""\n\nfrom .{PACKAGE} import {ROOT_CLASS}\n'
                            f'from .options import Options\n\n'
                            f'__all__ = ["{ROOT_CLASS}", "Options"]\n'}
    for name, text in fixed.items():
        (package / name).write_text(text, encoding="utf-8")
    written = len([name for name in fixed if name.endswith(".py")]) + 2
    # Breadth first: (folder, name, depth, SCPI command); a group is a package, a leaf a module.
    tops = [f"Sub{number:02d}" for number in range(min(40, max(1, modules // 50)))]
    pending = [(implementations, top, 1, f"SUB{number:02d}") for number, top in enumerate(tops)]
    (implementations / "__init__.py").write_text("", encoding="utf-8")
    written += 1
    number = 0
    while pending:
        where, name, depth, command = pending.pop(0)
        number += 1
        if written + len(pending) + FANOUT < modules and depth < 6:
            children = [f"{STEMS[(number + k) % len(STEMS)]}{k}" for k in range(FANOUT)]
            (where / name).mkdir()
            (where / name / "__init__.py").write_text(
                _group(name, depth, children, command), encoding="utf-8")
            pending += [(where / name, child, depth + 1, f"{command}:{child.upper()}")
                        for child in children]
        else:
            (where / f"{name}.py").write_text(
                _leaf(name, depth - 1, command, gap=number % 97 == 0, mistyped=number % 4 == 0),
                encoding="utf-8")
        written += 1
    (package / f"{PACKAGE}.py").write_text(_root(tops), encoding="utf-8")
    return written


def _parse_seconds(files: Mapping[str, bytes]) -> float:
    """``ast.parse`` of every Python file: the floor every static audit pays."""
    started = time.perf_counter()
    for path, data in files.items():
        if path.endswith(".py"):
            try:
                ast.parse(data, filename=path)
            except (SyntaxError, ValueError):
                pass
    return time.perf_counter() - started


#: typing-consistent's message says how long mypy took: left out of the comparison.
_TIMING = re.compile(r"\(\d+(?:\.\d+)? s of mypy")


def _reset_peak() -> None:
    """Start measuring the peak resident memory afresh (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def _peak_since_reset() -> float:
    """The peak resident memory (MB) since :func:`_reset_peak`, else the process's peak."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return _peak_mb()


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


class Run:
    """One timed static audit and its stages."""

    def __init__(self, label: str, dist: Distribution, rules: list[Rule], work: Path) -> None:
        self.label = label
        _reset_peak()
        context = AuditContext(dist, AuditConfig(static_only=True), work)
        started = time.perf_counter()
        audit: AuditResult = run_audit(context, rules)  # a new context: only the disk cache
        self.seconds = time.perf_counter() - started
        self.peak_mb = _peak_since_reset()
        judged = "source" in context.__dict__  # else every finding was remembered
        self.remembered = not judged
        self.index_s = context.source.seconds if judged else 0.0
        self.parsed = context.source.parsed if judged else 0
        lint = ruff_judge.lint(context) if judged else None
        self.ruff_s = getattr(lint, "seconds", 0.0)
        self.ruff_findings = len(lint.violations) if lint is not None else 0
        self.ruff_files = lint.files if lint is not None else 0
        ran = mypy_judge.mypy_of(context) if judged and any(
            rule.id == mypy_judge.RULE_ID for rule in rules) else None
        self.mypy_s = ran.seconds if ran is not None else 0.0
        self.mypy_errors = len(ran.errors) if ran is not None else 0
        self.families: dict[str, float] = defaultdict(float)
        self.package = context.driver_names.package
        self.results = audit.results
        self.counts = audit.counts()
        for result in audit.results:
            self.families[result.rule.section] += result.seconds
        self.rules = {result.rule.id: (result.outcome.value,
                                       _TIMING.sub("(N s of mypy", result.message),
                                       tuple(result.evidence))
                      for result in audit.results}

    def line(self, parse_s: float) -> str:
        stages = ("every finding remembered, nothing parsed or run" if self.remembered else
                  f"index {self.index_s:.2f} s, {self.parsed:,} modules parsed, "
                  f"ruff {self.ruff_s:.2f} s, "
                  f"mypy {self.mypy_s:.2f} s")
        return (f"{self.label:<28}{self.seconds:8.2f} s  {self.seconds / parse_s:5.1f}x the parse"
                f"  ({stages}; peak {self.peak_mb:.0f} MB)")


def _edit_one(dist: Distribution, leaf: bool = False) -> Distribution:
    """The same distribution with one module's code changed: a new public function.

    A code change, not a comment: every judge has something new to read (a
    function without hints for the completeness rule, a body for mypy). The
    module is the last with a class in path order (for a generated driver,
    its utility module, which the root class imports), or with ``leaf`` the
    most deeply nested one (one of the thousands of leaf groups, whose only
    importer is its parent group): mypy re-checks what depends on it.
    """
    files = dict(dist.files)
    classes = [p for p in sorted(files, reverse=True)
               if p.endswith(".py") and b"\nclass " in files[p]]
    path = max(classes, key=lambda p: p.count("/")) if leaf else classes[0]
    files[path] = files[path] + b"\n\ndef added_by_the_benchmark(value):\n    return value\n"
    return _with_files(dist, files)


def _with_files(dist: Distribution, files: Mapping[str, bytes]) -> Distribution:
    import dataclasses

    return dataclasses.replace(dist, files=files)


def _command_line(folder: Path, work: Path) -> list[str]:
    """``ivi-conform audit FOLDER --static`` end to end, as a vendor runs it on every commit.

    A new process each time (Python starting, the wheel, the reports), with
    this run's cache: the first audit of a copy of the folder (ruff's and
    mypy's caches are warm from the audits above, its findings are not), the
    same folder again, then after one module's code changed.
    """
    copy = work / "cli-folder"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__", "build"))
    command = [sys.executable, "-m", "ivi_conform", "audit", str(copy), "--static", "--quiet",
               "--report-dir", str(work / "cli-reports")]
    lines = []
    for label in ("first audit of it", "unchanged", "one module changed"):
        if label == "one module changed":
            module = next(path for path in sorted(copy.rglob("*.py"), reverse=True)
                          if "\nclass " in path.read_text(encoding="utf-8"))
            module.write_text(module.read_text(encoding="utf-8")
                              + "\n\ndef added_by_the_benchmark(value):\n    return value\n",
                              encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        lines.append(f"  {label:<22}{seconds:8.2f} s  exit {done.returncode}")
    return lines


def _alternatives(dist: Distribution, package: str, work: Path) -> list[str]:
    """Other type checkers on the same extracted package, when installed: figures only."""
    folder = work / "alternatives"
    shutil.rmtree(folder, ignore_errors=True)
    for path, data in dist.files.items():
        if path.startswith(package + "/"):
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    scripts = Path(sys.executable).parent
    cache = work / "alt-mypy-cache"
    candidates: list[tuple[str, list[str]]] = [
        ("mypy (pinned, cold cache)", [sys.executable, "-m", "mypy", "--cache-dir", str(cache),
                                       "--follow-imports", "silent", package]),
        ("mypy (pinned, warm cache)", [sys.executable, "-m", "mypy", "--cache-dir", str(cache),
                                       "--follow-imports", "silent", package]),
        # dmypy refuses follow-imports=silent; normal reports the same errors in the package
        # (the judge keeps only those), skip would take the dependencies as Any
        ("dmypy (start+check)", [str(scripts / "dmypy"), "--status-file", str(work / "dm.json"),
                                 "run", "--", "--follow-imports", "normal", package]),
        ("dmypy (re-check, 1 file changed)", [str(scripts / "dmypy"), "--status-file",
                                              str(work / "dm.json"), "check", package]),
        ("pyrefly check", [str(scripts / "pyrefly"), "check", package]),
        ("basedpyright --verifytypes", [str(scripts / "basedpyright"), "--verifytypes",
                                        package, "--ignoreexternal"]),
    ]
    lines = []
    for label, command in candidates:
        if not Path(command[0]).exists() and (found := shutil.which(Path(command[0]).name)):
            command = [found, *command[1:]]  # on PATH (another environment's)
        if not Path(command[0]).exists():
            lines.append(f"  {label:<30} not installed")
            continue
        if "1 file changed" in label:
            touched = next(path for path in sorted(folder.rglob("*.py"), reverse=True))
            touched.write_text(touched.read_text(encoding="utf-8") + "\n# touched\n",
                               encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONPATH": str(folder)})
        seconds = time.perf_counter() - started
        output = done.stdout.strip().splitlines() + done.stderr.strip().splitlines()
        summary = [line for line in output if "error" in line.lower() and len(line) < 160]
        tail = (summary or output or ["(no output)"])[-1].strip()[:80]
        lines.append(f"  {label:<30}{seconds:8.2f} s  exit {done.returncode}: {tail}")
    dmypy = scripts / "dmypy"
    if dmypy.exists():
        subprocess.run([str(dmypy), "--status-file", str(work / "dm.json"), "stop"],
                       cwd=folder, capture_output=True, check=False)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", help="a source folder, wheel, sdist or installed "
                        "distribution name (default: generate a driver)")
    parser.add_argument("--modules", type=int, default=5000, help="modules to generate")
    parser.add_argument("--keep", type=Path, help="write the driver and work files here")
    parser.add_argument("--no-mypy", action="store_true", help="leave the mypy rule out")
    parser.add_argument("--alternatives", action="store_true",
                        help="also time dmypy, pyrefly and basedpyright when installed")
    parser.add_argument("--only-alternatives", action="store_true",
                        help="time only the other type checkers (implies --alternatives)")
    parser.add_argument("--top", type=int, default=8, help="show the N slowest rules")
    parser.add_argument("--no-cli", action="store_true",
                        help="leave out the end-to-end command-line timings (a folder target)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ivi-conform-bench-") as tmp:
        base = args.keep or Path(tmp)
        work = base / "work"
        work.mkdir(parents=True, exist_ok=True)
        # Every cache of the audit below this run's folder: the first audit is cold.
        os.environ["XDG_CACHE_HOME"] = str(base / "cache")
        os.environ.pop("IVI_CONFORM_MYPY_CACHE", None)
        os.environ.pop("IVI_CONFORM_CACHE", None)
        target = args.target
        if target is None:
            source = base / "driver"
            count = generate(source, args.modules)
            print(f"generated driver: {count:,} Python files in {source}")
            target = str(source)
        started = time.perf_counter()
        dist = load(target, work_dir=work)
        build_s = time.perf_counter() - started
        python = [path for path in dist.files if path.endswith(".py")]
        lines = sum(dist.files[path].count(b"\n") for path in python)
        print(f"{dist.name} {dist.version}: {len(python):,} Python files, {lines:,} lines")
        parse_s = min(_parse_seconds(dist.files) for _ in range(2))

        if args.only_alternatives:
            context = AuditContext(dist, AuditConfig(static_only=True, select=frozenset({"-"})),
                                   work / "alternatives-only")
            package = context.driver.package
            print("type checkers on the same package (figures only; the verdict uses mypy):")
            for line in _alternatives(dist, package or dist.name, work):
                print(line)
            return
        static = [rule for rule in load_catalog() if rule.judged is Judged.STATIC]
        rules = [rule for rule in static if not (args.no_mypy and rule.id == mypy_judge.RULE_ID)]
        gc.collect()
        cold = Run("static audit, cold", dist, rules, work / "cold")
        gc.collect()
        warm = Run("static audit, warm", dist, rules, work / "warm")
        gc.collect()
        edited = _edit_one(dist)
        touched = Run("re-audit, one file changed", edited, rules, work / "touched")
        gc.collect()
        leaf = Run("  (a leaf module instead)", _edit_one(edited, leaf=True), rules,
                   work / "leaf")
        gc.collect()
        # ivi-conform's own share: the same kind of change, mypy's rule (its floor) left out
        own = Run("  (a leaf, mypy's rule out)", _edit_one(_edit_one(edited, leaf=True),
                                                             leaf=True),
                  [rule for rule in rules if rule.id != mypy_judge.RULE_ID], work / "own")
        os.environ["IVI_CONFORM_CACHE"] = "off"  # the changed driver judged afresh
        fresh = Run("(cold audit of the change)", edited, rules, work / "fresh")
        os.environ.pop("IVI_CONFORM_CACHE")
        same = ("same" if cold.rules == warm.rules else "DIFFERENT") + " as cold; one-file " + (
            "same as a cold audit of the changed driver" if fresh.rules == touched.rules
            else "DIFFERENT from a cold audit of the changed driver")

        counts = cold.counts
        print(f"rules: {len(rules)} static: "
              + ", ".join(f"{key} {value}" for key, value in counts.items() if value)
              + f"; ruff {cold.ruff_findings:,} findings in {cold.ruff_files:,} files, "
              f"mypy {cold.mypy_errors:,} errors; warm report {same}")
        print("slowest rules (cold):")
        for result in sorted(cold.results, key=lambda r: r.seconds,
                             reverse=True)[: args.top]:
            print(f"  {result.seconds * 1000:8.1f} ms  {result.rule.id}: {result.outcome.value}"
                  f": {result.message[:80]}")
        print("per rule family (cold / warm / one file changed), s; a family that waits for "
              "ruff or mypy carries the wait:")
        for family, seconds in sorted(cold.families.items(), key=lambda item: -item[1]):
            if seconds >= 0.005:
                print(f"  {seconds:7.2f} {warm.families[family]:7.2f} "
                      f"{touched.families[family]:7.2f}  {family}")
        print()
        print(f"load (wheel build for a folder):  {build_s:8.2f} s")
        print(f"ast.parse of the same files:      {parse_s:8.2f} s")
        for run in (cold, warm, touched, leaf, own):
            print(run.line(parse_s))
        print(f"peak memory of this process during each audit: cold {cold.peak_mb:.0f} MB, "
              f"warm {warm.peak_mb:.0f} MB, one file changed {touched.peak_mb:.0f} MB "
              f"(the files in memory included); largest child (mypy) "
              f"{_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")
        print("table row: target | files | lines | parse s | cold s (ratio) | warm s (ratio) | "
              "one file s (ratio) | peak MB (self / mypy child)")
        print(f"  {dist.name} | {len(python):,} | {lines:,} | {parse_s:.2f} | "
              + " | ".join(f"{run.seconds:.1f} ({run.seconds / parse_s:.1f}x)"
                           for run in (cold, warm, touched))
              + f" | {max(cold.peak_mb, warm.peak_mb, touched.peak_mb):.0f} / "
              f"{_peak_mb(resource.RUSAGE_CHILDREN):.0f}")
        if dist.kind == "folder" and dist.source_root is not None and not args.no_cli:
            print("the command line, end to end (ivi-conform audit FOLDER --static: a new "
                  "process, the wheel, the reports):")
            for line in _command_line(dist.source_root, work):
                print(line)
        package = cold.package
        if args.alternatives and package:
            print("type checkers on the same package (figures only; the verdict uses mypy):")
            for line in _alternatives(dist, package, work):
                print(line)


if __name__ == "__main__":
    main()
