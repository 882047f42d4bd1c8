"""How long the static audit of a large generated driver takes, beside parsing it.

Generated drivers (R&S, Keysight) hold thousands of classes. This script
writes such a driver (5,000 classes, 50,000 members by default: a hierarchy
of reference properties, repeated-capability collections with ``_item``
accessors, typed properties and methods, and a few deliberate annotation
gaps) as a source folder, builds its wheel, audits it with the whole static
catalog, and prints:

* the wheel build (the candidate's own backend, in child processes);
* ``ast.parse`` of the same files, in the same process: the floor;
* the static audit without mypy (every static rule, completeness included),
  and its ratio to the parse; the aim is at most 5x;
* mypy alone (one child process, shared cache), and the total.

Usage: ``python benchmarks/static_audit.py [--classes N] [--members N]
[--keep DIR] [--no-mypy] [--top N]``. Each run gives the modules a fresh
comment so that mypy analyses the driver again (the standard library stays
cached), which is the cost of auditing a new release.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ivi_conform.candidate import load  # noqa: E402
from ivi_conform.catalog import load_catalog  # noqa: E402
from ivi_conform.context import AuditConfig, AuditContext  # noqa: E402
from ivi_conform.engine import run_audit  # noqa: E402
from ivi_conform.judges import mypy as mypy_run  # noqa: E402 - the checkout, not an installed copy
from ivi_conform.model import Judged  # noqa: E402
from ivi_conform.static.source import SourceIndex  # noqa: E402

PACKAGE = "skgen"
ROOT_CLASS = "SkGen"
CLASSES_PER_MODULE = 50
#: The generated classes' name stems.
KINDS = ("Channel", "Trigger", "Marker", "Limit", "Source", "Sense", "Display")
#: Fixed classes beside the generated ones: root, utility, direct I/O, the ABCs, options.
FIXED_CLASSES = 9

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


class Node:
    """One generated class of the hierarchy (an RC item gets a collection beside it)."""

    def __init__(self, index: int, parent: int | None, repeated: bool) -> None:
        self.index = index
        self.parent = parent
        self.repeated = repeated
        self.children: list[Node] = []

    @property
    def name(self) -> str:
        return f"{KINDS[self.index % len(KINDS)]}{self.index}"

    @property
    def snake(self) -> str:
        return self.name.lower()

    @property
    def module(self) -> str:
        return f"{PACKAGE}.subsystems.m{self.index // CLASSES_PER_MODULE:03d}"


def _plan(classes: int) -> list[Node]:
    """The generated classes: a tree of fan-out 4 where every 6th class is repeated."""
    nodes: list[Node] = []
    count = 0
    while count < classes - FIXED_CLASSES:
        index = len(nodes)
        parent = None if index < 12 else (index - 12) // 4
        repeated = index % 6 == 5
        node = Node(index, parent, repeated)
        nodes.append(node)
        if parent is not None:
            nodes[parent].children.append(node)
        count += 2 if repeated else 1
    return nodes


def _reference(child: Node, owner: str = "self") -> list[str]:
    """The reference property (and accessor) an owner holds for ``child``."""
    if not child.repeated:
        return [
            "    @property",
            f"    def {child.snake}(self) -> {child.name}:",
            f'        """The {child.name} subsystem."""',
            f"        return {owner}._{child.snake}",
            "",
        ]
    return [
        "    @property",
        f"    def {child.snake}s(self) -> {child.name}Collection:",
        f'        """The {child.name} repeated capability."""',
        f"        return {owner}._{child.snake}s",
        "",
        f"    def {child.snake}s_item(self, name: str) -> {child.name}:",
        f'        """One {child.name} by name."""',
        f"        return {owner}._{child.snake}s[name]",
        "",
    ]


def _construct(child: Node) -> str:
    if child.repeated:
        return f"        self._{child.snake}s = {child.name}Collection(io)"
    return f"        self._{child.snake} = {child.name}(io)"


def _own_members(node: Node) -> int:
    """Members a generated class has before its generated ones: __init__, name, references."""
    references = sum(2 if child.repeated else 1 for child in node.children)
    return 1 + (1 if node.repeated else 0) + references


def _class(node: Node, generated: int, gap: bool) -> list[str]:
    """A generated class with ``generated`` properties and methods beside its own members."""
    lines = [
        f"class {node.name}:",
        f'    """The {node.name} subsystem of the instrument."""',
        "",
        "    def __init__(self, io: Io, name: str = \"\") -> None:",
        "        self._io = io",
        "        self._name = name",
        f'        self.label: str = "{node.name}"',
    ]
    lines += [_construct(child) for child in node.children]
    lines.append("")
    if node.repeated:
        lines += [
            "    @property",
            "    def name(self) -> str:",
            '        """The repeated capability identifier."""',
            "        return self._name",
            "",
        ]
    for child in node.children:
        lines += _reference(child)
    header = f"{node.name.upper()[:4]}{node.index}"
    for number in range(generated):
        kind = number % 3
        if kind == 0:
            lines += [
                "    @property",
                f"    def level_{number}(self) -> float:",
                f'        """Level {number}, in volts."""',
                f'        return float(self._io.query(f"{header}{{self._name}}:LEV{number}?"))',
                "",
                f"    @level_{number}.setter",
                f"    def level_{number}(self, value: float) -> None:",
                f'        self._io.write(f"{header}{{self._name}}:LEV{number} {{value}}")',
                "",
            ]
        elif kind == 1:
            params = "self, value, enabled: bool = True" if gap else (
                "self, value: float, enabled: bool = True")
            gap = False
            lines += [
                f"    def configure_{number}({params}) -> None:",
                f'        """Configure setting {number}."""',
                '        state = "ON" if enabled else "OFF"',
                f'        self._io.write(f"{header}{{self._name}}:CONF{number} '
                '{value},{state}")',
                "",
            ]
        else:
            lines += [
                f"    def fetch_{number}(self, count: int = 1) -> list[float]:",
                f'        """Fetch {number}: ``count`` readings."""',
                f'        answer = self._io.query(f"{header}{{self._name}}:FETC{number}? '
                '{count}")',
                '        return [float(value) for value in answer.split(",") if value]',
                "",
            ]
    if node.repeated:
        lines += [
            "",
            f"class {node.name}Collection(dict[str, {node.name}]):",
            f'    """The {node.name} repeated capability: items by name."""',
            "",
            "    def __init__(self, io: Io) -> None:",
            "        super().__init__()",
            "        for name in (\"1\", \"2\"):",
            f"            self[name] = {node.name}(io, name)",
        ]
    while lines[-1] == "":
        lines.pop()
    return [*lines, "", ""]


def _imports(children: list[Node]) -> list[str]:
    """``from module import ...`` lines for the classes (and collections) of ``children``."""
    by_module: dict[str, set[str]] = {}
    for child in children:
        names = by_module.setdefault(child.module, set())
        names.add(child.name)
        if child.repeated:
            names.add(f"{child.name}Collection")
    return [f"from {module} import (\n" + "".join(f"    {name},\n" for name in sorted(names)) + ")"
            for module, names in sorted(by_module.items())]


def _module(nodes: list[Node], generated: dict[int, int], gaps: set[int], nonce: str) -> str:
    here = nodes[0].module
    lines = [f'"""Generated subsystems ({nonce})."""', "",
             "from __future__ import annotations", "", f"from {PACKAGE}._io import Io"]
    lines += _imports([child for node in nodes for child in node.children if child.module != here])
    lines += ["", ""]
    for node in nodes:
        lines += _class(node, generated[node.index], node.index in gaps)
    return "\n".join(lines).rstrip() + "\n"


def _root(tops: list[Node]) -> str:
    lines = [
        '"""The root class."""',
        "",
        "from __future__ import annotations",
        "",
        f"from {PACKAGE}._io import Io",
        f"from {PACKAGE}.options import Options",
        f"from {PACKAGE}.utility import SkGenDirectIo, SkGenUtility",
        *_imports(tops),
    ]
    lines += [
        "",
        "",
        f"class {ROOT_CLASS}:",
        '    """The generated instrument driver."""',
        "",
        "    def __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,",
        "                 options: Options | str | None = None) -> None:",
        "        io = Io()",
        "        self._resource_name = resource_name",
        "        self._utility = SkGenUtility(io)",
        "        self._direct_io = SkGenDirectIo(io)",
    ]
    lines += [_construct(node) for node in tops]
    lines += [
        "        if reset:",
        "            self._utility.reset()",
        "",
        "    @property",
        "    def ivi_utility(self) -> SkGenUtility:",
        '        """The IVI utility interface."""',
        "        return self._utility",
        "",
        "    @property",
        "    def ivi_direct_io(self) -> SkGenDirectIo:",
        '        """Direct I/O to the instrument."""',
        "        return self._direct_io",
        "",
    ]
    for node in tops:
        lines += _reference(node)
    return "\n".join(lines).rstrip() + "\n"


def generate(folder: Path, classes: int = 5000, members: int = 50000) -> tuple[int, int]:
    """Write the generated driver to ``folder``; return its (classes, members) as written."""
    nodes = _plan(classes)
    tops = [node for node in nodes if node.parent is None]
    fixed = SourceIndex({f"{PACKAGE}/{name}.py": text.encode() for name, text in (
        ("ivi_types", IVI_TYPES), ("_io", IO), ("utility", UTILITY), ("options", OPTIONS),
        ("driver", _root(tops)))})
    collections = sum(node.repeated for node in nodes)  # one member each: __init__
    spare = members - sum(len(info.members) for info in fixed.classes) - collections - sum(
        _own_members(node) for node in nodes)
    generated = {node.index: spare // len(nodes) + (node.index < spare % len(nodes))
                 for node in nodes}
    gaps = set(range(97, len(nodes), 997))
    nonce = uuid.uuid4().hex[:12]
    package = folder / PACKAGE
    (package / "subsystems").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "{PACKAGE}"\nversion = "1.0.0"\nrequires-python = ">=3.11"\n'
        'description = "A generated IVI-Python driver (benchmark)"\n'
        'keywords = ["Skylight Test Systems", "GEN-1"]\n', encoding="utf-8")
    (folder / "README.md").write_text("# skgen\n\nA generated driver.\n", encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text(
        f'"""Generated driver."""\n\nfrom {PACKAGE}.driver import {ROOT_CLASS}\n'
        f'from {PACKAGE}.options import Options\n\n__all__ = ["{ROOT_CLASS}", "Options"]\n',
        encoding="utf-8")
    (package / "ivi_types.py").write_text(IVI_TYPES, encoding="utf-8")
    (package / "_io.py").write_text(IO, encoding="utf-8")
    (package / "utility.py").write_text(UTILITY, encoding="utf-8")
    (package / "options.py").write_text(OPTIONS, encoding="utf-8")
    (package / "driver.py").write_text(_root(tops), encoding="utf-8")
    (package / "subsystems" / "__init__.py").write_text('"""Generated subsystems."""\n',
                                                      encoding="utf-8")
    for start in range(0, len(nodes), CLASSES_PER_MODULE):
        chunk = nodes[start:start + CLASSES_PER_MODULE]
        path = package / "subsystems" / f"m{start // CLASSES_PER_MODULE:03d}.py"
        path.write_text(_module(chunk, generated, gaps, nonce), encoding="utf-8")
    written = FIXED_CLASSES + sum(2 if node.repeated else 1 for node in nodes)
    index = SourceIndex({
        str(path.relative_to(folder)): path.read_bytes() for path in package.rglob("*.py")
    })
    return written, sum(len(info.members) for info in index.classes)


def _parse_seconds(files: dict[str, bytes]) -> float:
    started = time.perf_counter()
    for path, data in files.items():
        if path.endswith(".py"):
            ast.parse(data, filename=path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", type=int, default=5000)
    parser.add_argument("--members", type=int, default=50000)
    parser.add_argument("--keep", type=Path, help="write the driver and work files here")
    parser.add_argument("--no-mypy", action="store_true", help="leave the mypy rule out")
    parser.add_argument("--top", type=int, default=8, help="show the N slowest rules")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ivi-conform-bench-") as tmp:
        base = args.keep or Path(tmp)
        source, work = base / "driver", base / "work"
        work.mkdir(parents=True, exist_ok=True)
        classes, members = generate(source, args.classes, args.members)
        print(f"generated driver: {classes:,} classes, {members:,} members in {source}")

        started = time.perf_counter()
        dist = load(str(source), work_dir=work)
        build_s = time.perf_counter() - started
        parse_s = min(_parse_seconds(dict(dist.files)) for _ in range(3))

        static = [rule for rule in load_catalog() if rule.judged is Judged.STATIC]
        without = [rule for rule in static if rule.id != mypy_run.RULE_ID]
        context = AuditContext(dist, AuditConfig(static_only=True), work)
        audit = run_audit(context, without)
        mypy_s = 0.0
        if not args.no_mypy:
            only_mypy = [rule for rule in static if rule.id == mypy_run.RULE_ID]
            mypy_audit = run_audit(context, only_mypy)
            mypy_s = mypy_audit.seconds
            for result in mypy_audit.results:
                print(f"  {result.rule.id}: {result.outcome.value}: {result.message}")
            ran = mypy_run.result_for(context)
            if ran is not None:
                print(f"  mypy's own time (child process): {ran.seconds:.2f} s")

        counts = audit.counts()
        print(f"rules: {len(without)} static rules without mypy: "
              + ", ".join(f"{key} {value}" for key, value in counts.items() if value))
        for result in sorted(audit.results, key=lambda r: r.seconds, reverse=True)[: args.top]:
            print(f"  {result.seconds * 1000:8.1f} ms  {result.rule.id}: {result.outcome.value}"
                  f": {result.message[:90]}")
        print()
        print(f"wheel build (backend, child processes): {build_s:8.2f} s")
        print(f"ast.parse of the same files:            {parse_s:8.2f} s")
        print(f"static audit without mypy:              {audit.seconds:8.2f} s"
              f"  ({audit.seconds / parse_s:.1f}x the parse; aim <= 5x)")
        if not args.no_mypy:
            print(f"mypy alone:                             {mypy_s:8.2f} s")
            print(f"static audit total (with mypy):         {audit.seconds + mypy_s:8.2f} s")


if __name__ == "__main__":
    main()
