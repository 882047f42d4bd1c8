"""mypy, run once per audit in a child process, on the package the wheel ships.

"Complete type-hinting" has two halves: every public symbol annotated (see
:mod:`ivi_conform.static.typing_completeness`, from the syntax trees) and hints that
hold together, which only a type checker can tell. mypy is run here, never
imported: it gets the driver package as extracted from the wheel, our own
configuration and nothing of the candidate's, because a candidate's
``[tool.mypy] plugins`` would be code run by the audit.

The flags, and why:

* ``--config-file`` pointing to a file we write, holding only ``[mypy]``:
  the candidate's pyproject.toml, setup.cfg or mypy.ini is never read, nor
  the user's own configuration;
* ivi-conform's own environment as site-packages: a dependency of the
  driver installed there (numpy, pyvisa, ...) is seen with its own hints, as
  the driver's users see it; one that is not installed (or ships no hints) is
  taken as ``Any`` and named: mypy's errors in the modules that import it,
  directly or through the package's own modules, are not counted against
  the driver (a hint written against ``numpy`` cannot be judged without
  ``numpy``), and the finding says which modules were left unjudged;
* file-wide suppressions are switched off before mypy reads the package
  (``# mypy: ignore-errors`` and other inline ``# mypy:`` settings, a
  ``# type: ignore`` before the first statement): they would hide the very
  errors the rule looks for; the lines stay, so line numbers hold;
* default strictness, not ``--strict``: the spec asks for complete hints,
  which the completeness rule judges, not for mypy's strict style;
  ``--disallow-untyped-defs`` would count the same gaps twice;
* ``--output json`` so that every error becomes evidence with file and line;
* ``--num-workers`` for a package of 40 modules or more (a generated
  driver) that mypy has not seen before: mypy's parallel mode, retried once
  without it if it fails; a re-audit, where the cache spares most modules,
  runs alone (on a 5,000-module driver with one module changed, 0.9 s alone
  against 1.2-1.3 s with two workers, which must first load the cache);
* a persistent cache (``IVI_CONFORM_MYPY_CACHE``, else ``mypy`` in
  ivi-conform's cache folder, :func:`ivi_conform.cache.cache_root`) shared by
  every audit, so the standard library is analysed once per mypy version
  and a re-audit re-checks only the modules that changed; the file-system
  cache is used (not SQLite) because its writes are atomic renames, safe for
  parallel audits;
* the package extracted to a folder of its own in that cache (under a
  lock; an audit finding it locked, or without locks, extracts to its own
  work folder), where only the files whose bytes changed are rewritten, each
  stamped with a modification time made from a hash of its bytes
  (:func:`content_mtime`): mypy takes a module as unchanged, without reading
  it, when its size and whole-second time stamp match its cache's, so a
  stamp that is a function of the bytes makes that shortcut a comparison
  of contents (a rewrite of the same size within the same second, which
  the time of writing would let through, gets another stamp);
* started in the background, so that it runs beside ivi-conform's own
  analysis: on a large driver before the files are parsed, on the package
  their paths show (:func:`ahead`, taken only if the index names the same
  package), else when the driver's package is known (:func:`start`).

A crash, a time-out or output we cannot read is ivi-conform's failure to
judge (``error``), never the driver's.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from packaging.utils import canonicalize_name

from ivi_conform import cache
from ivi_conform.judges import posix_parts
from ivi_conform.model import Evidence

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext

#: The rule whose check runs mypy (the benchmark leaves it out to time the rest).
RULE_ID = "typing-consistent"
#: mypy taking longer than this is taken to hang (``IVI_CONFORM_MYPY_TIMEOUT`` overrides).
DEFAULT_TIMEOUT_S = 600.0
#: Packages with this many modules are checked by parallel mypy workers (up to MAX_WORKERS).
PARALLEL_FROM_FILES = 40
MAX_WORKERS = 4
#: The files of the package mypy needs.
_TYPED_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class MypyRun:
    """What one mypy run said: its errors in the package, or why it could not judge.

    ``problem`` is set when mypy crashed, timed out or printed nothing we can
    read; ``errors`` then means nothing. ``seconds`` is mypy's wall time in
    its child process (the benchmark reports it as mypy's share).
    """

    errors: tuple[Evidence, ...]
    seconds: float
    files: int
    problem: str = ""
    command: tuple[str, ...] = ()
    #: Imported modules mypy could not read (not installed, or without hints), by importing file.
    unresolved: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: File-wide suppressions switched off for the run: file, line and the comment.
    suppressions: tuple[Evidence, ...] = ()


def cache_dir() -> Path | None:
    """Where mypy keeps its cache between audits (None: ivi-conform's cache is off)."""
    configured = os.environ.get("IVI_CONFORM_MYPY_CACHE")
    if configured:
        return Path(configured)
    root = cache.cache_root()
    return None if root is None else root / "mypy"


def _timeout() -> float:
    try:
        return float(os.environ.get("IVI_CONFORM_MYPY_TIMEOUT", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


#: The warm child's program: mypy imported first (``mypy.api`` alone defers the rest), then
#: one run, whose arguments and folder come on its standard input (``mypy.api.run``, mypy's
#: documented entry point).
#: Standard input closed without a request (the audit did not need mypy): it ends.
_WARM_PROGRAM = """\
import json, os, sys
import mypy.api, mypy.build, mypy.checker, mypy.main, mypy.semanal_main
line = sys.stdin.readline()
if not line:
    sys.exit(0)
request = json.loads(line)
os.chdir(request["cwd"])
out, err, status = mypy.api.run(request["args"])
sys.stdout.write(out)
sys.stderr.write(err)
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)  # as mypy's command line ends: freeing its graph object by object takes long
"""


class WarmChild:
    """A Python child that imports mypy while the audit writes the package out for it.

    Starting Python and importing mypy takes a fifth of a second, most of
    what a re-check of an unchanged generated driver leaves for the rest of
    the audit; the child does it beside the extraction, and waits for its
    run's arguments (:func:`_invoke`). One run at most; an audit that does
    not run mypy closes it (:meth:`close`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: Started | None
        output = _output_file()
        try:
            process = subprocess.Popen(
                (sys.executable, "-P", "-c", _WARM_PROGRAM), env=_environment(),
                stdin=subprocess.PIPE, stdout=output, stderr=subprocess.PIPE,
                text=True, start_new_session=True)
        except OSError:
            output.close()
            self._started = None
        else:
            self._started = Started(process, output)

    def take(self) -> Started | None:
        """The waiting child, once (None if it could not start, ended, or was taken)."""
        with self._lock:
            started, self._started = self._started, None
        if started is not None and started.process.poll() is not None:
            started.output.close()
            return None
        return started

    def close(self) -> None:
        """End the child if no run took it."""
        started = self.take()
        if started is not None:
            _kill(started.process)
            started.output.close()


@dataclass(frozen=True)
class Started:
    """A mypy child process and the file its standard output goes to."""

    process: subprocess.Popen[str]
    output: IO[str]


def _output_file() -> IO[str]:
    """An unnamed file for mypy's standard output.

    Not a pipe: a generated driver's run prints megabytes, and a pipe makes
    mypy wait whenever the thread reading it waits for the interpreter,
    which ivi-conform's own analysis holds meanwhile (mypy took twice as
    long beside the audit as alone). mypy writes at its own pace; the file
    is read once it has ended.
    """
    return tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")


def warm_child(context: AuditContext) -> WarmChild | None:
    """The audit's warm mypy child, started when mypy will be run ahead of its rule (a fact).

    None when the run was started before the build (:func:`adopt`).
    """
    if context.fact_if_computed(ahead) is not None:
        return None
    return WarmChild() if context.judges_ahead(frozenset({RULE_ID})) else None


def close_warm(context: AuditContext) -> None:
    """End the audit's warm child if it was started and not used."""
    child = context.fact_if_computed(warm_child)
    if child is not None:
        child.close()


def _environment() -> dict[str, str]:
    """ivi-conform's environment without mypy's and Python's path settings."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(("MYPY", "PYTHONPATH"))}


def mypy_of(context: AuditContext) -> MypyRun:
    """mypy's judgement of the driver's package in this audit, run at most once (a fact)."""
    return context.fact(_mypy)


def _mypy(context: AuditContext) -> MypyRun:
    return context.fact(started).result()


def start(context: AuditContext) -> None:
    """Start the audit's mypy run in the background, beside ivi-conform's own analysis."""
    context.fact(started)


def start_ahead(context: AuditContext) -> None:
    """Start mypy before the files are parsed, on the package they show (see :func:`ahead`)."""
    context.fact(ahead)


def started(context: AuditContext) -> Future[MypyRun]:
    """The audit's mypy run, in a thread waiting on mypy's child process (a fact).

    The run :func:`ahead` starts is the one taken when it checks the very
    package the driver's shape names; otherwise mypy is started on that package.
    """
    package = context.driver.package
    if package is None:
        future: Future[MypyRun] = Future()
        future.set_result(MypyRun((), 0.0, 0,
                                  problem="the wheel holds no import package to type-check"))
        return future
    if package == _package_by_paths(context):
        return context.fact(ahead)[1]  # started ahead, or now
    return _in_thread(context, package)


def ahead(context: AuditContext) -> tuple[str, Future[MypyRun]]:
    """mypy started on the package the wheel's paths show, before anything is parsed (a fact).

    The driver's package is known only from the syntax index, which takes
    a generated driver a second or two to build; the wheel's paths already
    show it (:func:`_package_by_paths`), so mypy runs beside the parse.
    :func:`started` takes this run only if the index names the same package:
    a wrong guess costs time, never the verdict.
    """
    guess = _package_by_paths(context)
    if guess is None:
        future: Future[MypyRun] = Future()
        future.set_result(MypyRun((), 0.0, 0, problem="no package to start mypy ahead on"))
        return "", future
    return guess, _in_thread(context, guess)


def _package_by_paths(context: AuditContext) -> str | None:
    """The one top-level package with an ``__init__.py``, or the one named like the distribution.

    The driver's shape picks the package named like the distribution first
    (:func:`ivi_conform.static.driver.find_driver`), among the same packages
    when their ``__init__.py`` parses.
    """
    tops = {path.partition("/")[0] for path in context.dist.files
            if path.count("/") == 1 and path.endswith("/__init__.py")}
    return _pick_package(tops, context.dist.name or "")


def _pick_package(tops: set[str], name: str) -> str | None:
    """Of the top-level packages, the one there is, or the one named like the distribution."""
    packages = sorted(top for top in tops if top.isidentifier())
    named = [top for top in packages if canonicalize_name(top) == canonicalize_name(name)]
    return packages[0] if len(packages) == 1 else named[0] if len(named) == 1 else None


def _typed(path: str) -> bool:
    """Whether mypy reads the wheel path (a module or a stub; ``py.typed`` is read as a marker)."""
    parts = posix_parts(path)
    last = parts[-1]
    return ".." not in parts and (last == "py.typed" or (
        last.endswith(_TYPED_SUFFIXES) and last not in _TYPED_SUFFIXES))


def package_files(files: Mapping[str, bytes], package: str) -> dict[str, bytes]:
    """The files of ``package`` mypy is given (:func:`_extract` writes exactly these)."""
    prefix = package + "/"
    return {path: data for path, data in files.items() if path.startswith(prefix) and _typed(path)}


@dataclass(frozen=True)
class EarlyRun:
    """mypy started on the package of the folder a wheel is being built from.

    ``files`` are the package's files as mypy read them (by wheel path), set
    before its run starts. The audit takes the run only if the wheel ships
    these very bytes (:func:`adopt`).
    """

    package: str
    files: Future[dict[str, bytes]]
    run: Future[MypyRun]


def before_build(folder: Path, work_dir: Path) -> EarlyRun | None:
    """Start mypy on the package of ``folder`` while the backend builds its wheel.

    A folder's build takes a second or two of a child process, during which
    the second core is idle; an incremental mypy run takes as long. The
    package is the one top-level package of the folder (or of its ``src/``),
    or the one named like the project; none is started for a small package
    (fewer than ``JUDGES_AHEAD_FROM`` modules: mypy waits for its rule
    there) or when none can be told. The files are read in the run's thread
    (the folder is the build's copy: what the backend builds).
    """
    from ivi_conform.context import JUDGES_AHEAD_FROM  # the house: context imports this module

    tops: dict[str, Path] = {}
    for base in (folder, folder / "src"):
        with contextlib.suppress(OSError):
            for entry in os.scandir(base):
                if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                    tops.setdefault(entry.name, Path(entry.path))
    package = _pick_package(set(tops), _project_name(folder))
    if package is None:
        return None
    paths = _package_paths(tops[package], package)
    if sum(not path.endswith("/py.typed") for path in paths) < JUDGES_AHEAD_FROM:
        return None
    root = tops[package].parent
    files: Future[dict[str, bytes]] = Future()
    future: Future[MypyRun] = Future()

    def run_in_thread() -> None:
        try:
            read = {path: (root / path).read_bytes() for path in paths}
        except OSError as exc:
            files.set_exception(exc)
            future.set_result(MypyRun((), 0.0, 0, problem=f"the package could not be read: "
                                                           f"{exc}"))
            return
        files.set_result(read)
        try:
            future.set_result(run(read, package, work_dir / "mypy-before-build" / package))
        except BaseException as exc:  # noqa: BLE001 - handed to the rule that waits for it
            future.set_exception(exc)

    threading.Thread(target=run_in_thread, name="ivi-conform-mypy-early", daemon=True).start()
    return EarlyRun(package, files, future)


def _project_name(folder: Path) -> str:
    """The project's name in its ``pyproject.toml`` ("" when there is none to read)."""
    try:
        project = tomllib.loads((folder / "pyproject.toml").read_text("utf-8")).get("project")
    except (OSError, ValueError):
        return ""
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) else ""


def _package_paths(location: Path, package: str) -> list[str]:
    """The wheel paths of the package's files mypy reads (:func:`_typed`), below ``location``."""
    found: list[str] = []
    for directory, folders, names in os.walk(location):
        folders[:] = [name for name in folders if name != "__pycache__"]
        relative = os.path.relpath(directory, location)
        prefix = package if relative == "." else f"{package}/{relative.replace(os.sep, '/')}"
        found.extend(path for name in names if _typed(path := f"{prefix}/{name}"))
    return found


def adopt(context: AuditContext, early: EarlyRun) -> None:
    """Take mypy's run started before the build as the audit's run ahead, if it is one.

    It is when it checked the package the wheel's paths show (:func:`ahead`)
    with the very bytes the wheel ships (a backend may add, drop or rewrite
    a module). Otherwise the audit runs mypy itself, once this run has ended
    (:func:`_in_thread`): both would use the package's folder in the cache.
    """
    try:
        read = early.files.result()
    except Exception:  # noqa: BLE001 - unread: not the wheel's files
        read = None
    if (read is not None and early.package == _package_by_paths(context)
            and read == package_files(context.dist.files, early.package)):
        context.seed(ahead, (early.package, early.run))
    else:
        pending: Future[MypyRun] | None = early.run
        context.seed(superseded, pending)


def superseded(context: AuditContext) -> Future[MypyRun] | None:
    """A run started before the build that the audit did not take (a fact; None: none was)."""
    return None


def _in_thread(context: AuditContext, package: str) -> Future[MypyRun]:
    """mypy on ``package`` of the audit's files, run by a thread waiting on its child process.

    Each package gets a work folder of its own: a run started ahead on a
    wrong guess never shares one with the run on the driver's package.
    """
    future: Future[MypyRun] = Future()
    files, work = context.dist.files, context.work_dir / "mypy" / package
    extracted = threading.Event()

    warm = context.fact(warm_child)
    earlier = context.fact(superseded)

    def run_in_thread() -> None:
        try:
            if earlier is not None:  # it holds mypy's folder of the package until it ends
                extracted.set()  # the caller does not wait for it
                earlier.exception()
            future.set_result(run(files, package, work, extracted, warm))
        except BaseException as exc:  # noqa: BLE001 - handed to the rule that waits for it
            future.set_exception(exc)
        finally:
            extracted.set()

    threading.Thread(target=run_in_thread, name="ivi-conform-mypy", daemon=True).start()
    # The caller waits while the package is written out (a few tenths of a second for
    # 5,000 modules): beside the parse, the thread's thousands of file operations each
    # waited for the parsing thread to let go of the interpreter, and extraction took
    # 4 s instead, so mypy started late and the audit waited for it.
    extracted.wait()
    return future


#: A ``# mypy: ...`` inline configuration comment (file-wide settings, ignore-errors among them).
_MYPY_INLINE = re.compile(r"^\s*#\s*mypy\s*:")
#: ``# type: ignore`` (with or without codes), file-wide when before the first statement.
_TYPE_IGNORE = re.compile(r"^\s*#\s*type\s*:\s*ignore\b")
#: Other checkers' file-wide off switches (no effect on mypy, shown beside the errors).
_OTHER_SWITCHES = re.compile(
    r"^\s*#\s*(?:pyright\s*:\s*(?:basic|off|ignore|report\w+\s*=\s*(?:false|none))"
    r"|pyre-ignore-all-errors|pytype\s*:\s*skip-file)", re.IGNORECASE)


#: What every line the three patterns above match contains (a quick test of a whole module).
_ANY_SWITCH = re.compile(r"#\s*(?:mypy|type|pyright|pyre-ignore|pytype)", re.IGNORECASE)


def file_suppressions(path: str, text: str) -> list[Evidence]:
    """The file-wide type-checking suppressions of one module, with their lines.

    ``# mypy: ...`` anywhere (mypy reads inline configuration from any
    comment line), ``# type: ignore`` on a line of its own before the first
    statement (PEP 484's whole-file form), and pyright/pyre/pytype off switches.
    """
    found: list[Evidence] = []
    if not _ANY_SWITCH.search(text):  # most modules: no line below can match
        return found
    unknown = object()
    first: int | None | object = unknown  # parsed only when a comment could be a suppression
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        if _MYPY_INLINE.match(line) or _OTHER_SWITCHES.match(line):
            found.append(Evidence(path, number, f"file-wide suppression {stripped!r}"))
            continue
        if not _TYPE_IGNORE.match(line):
            continue
        if first is unknown:
            first = _first_statement_line(text)
        top = first is None or (isinstance(first, int) and number < first)
        if top:
            found.append(Evidence(path, number, f"file-wide suppression {stripped!r}"))
    return found


def _first_statement_line(text: str) -> int | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return tree.body[0].lineno if tree.body else None


def _switched_off(text: str, suppressions: list[Evidence]) -> str:
    """The module with its mypy suppressions blanked (``#``), line numbers kept."""
    lines = text.splitlines(keepends=True)
    for evidence in suppressions:
        assert evidence.line is not None
        line = lines[evidence.line - 1]
        if _MYPY_INLINE.match(line) or _TYPE_IGNORE.match(line):
            ending = line[len(line.rstrip("\r\n")):]
            lines[evidence.line - 1] = line[: len(line) - len(line.lstrip())] + "#" + ending
    return "".join(lines)


#: The earliest stamp :func:`content_mtime` gives (1980-01-01, the oldest a ZIP can hold).
_STAMP_EPOCH = 315_532_800
#: How many whole seconds the stamps spread over (about 34 years from the epoch above).
_STAMP_SPAN = 2 ** 30


def content_mtime(data: bytes) -> int:
    """A file's modification time (ns) made from its bytes, in whole seconds.

    mypy's cache takes a module of the recorded size and whole-second mtime
    as unchanged without hashing it; stamped this way, two versions of a
    module of the same size share a stamp only if a 30-bit hash of their
    bytes collides (about one in a billion), whenever they were written.
    """
    seconds = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
    return (_STAMP_EPOCH + seconds % _STAMP_SPAN) * 1_000_000_000


def _extract(files: Mapping[str, bytes], package: str, folder: Path
             ) -> tuple[int, tuple[Evidence, ...]]:
    """Make ``folder`` hold the package's typed files (and py.typed), suppressions off.

    Each file is stamped by :func:`content_mtime`, so that mypy's incremental
    cache takes exactly the modules whose bytes it has seen as unchanged. A
    file already there with the size and stamp these bytes give (the folder
    of an earlier audit of the package) is left alone without being read:
    the very test mypy makes before it trusts its cache, so reading the file
    would add nothing (and cost a tenth of a second per 5,000 modules);
    files this wheel does not ship are removed. The folder is listed once
    (one ``stat`` per file) before anything is written, because mypy starts
    only when this is done. Returns how many typed files the package has and
    the suppressions switched off.
    """
    count = 0
    suppressed: list[Evidence] = []
    base = os.fspath(folder)
    present, folders = _present(base)
    wanted: set[str] = set()
    for path, data in package_files(files, package).items():
        parts = posix_parts(path)
        if parts[-1] != "py.typed":
            if _may_switch(data):
                text = data.decode("utf-8", errors="replace")
                found = file_suppressions(path, text)
                if found:
                    suppressed.extend(found)
                    data = _switched_off(text, found).encode("utf-8")
            count += 1
        target = os.path.join(base, *parts)
        wanted.add(target)
        stamp = content_mtime(data)
        if present.get(target) == (len(data), stamp):
            continue
        parent = os.path.dirname(target)
        if parent not in folders:
            os.makedirs(parent, exist_ok=True)
            folders.add(parent)
        with open(target, "wb") as stream:
            stream.write(data)
        os.utime(target, ns=(stamp, stamp))
    for target in present.keys() - wanted:
        with contextlib.suppress(OSError):
            os.unlink(target)
    return count, tuple(suppressed)


#: :data:`_ANY_SWITCH` on bytes, for the ASCII modules (most): no module is decoded for it.
_ANY_SWITCH_BYTES = re.compile(rb"#\s*(?:mypy|type|pyright|pyre-ignore|pytype)", re.IGNORECASE)


def _may_switch(data: bytes) -> bool:
    """Whether a line of the module could be a suppression (:func:`file_suppressions`).

    The bytes are searched when they are ASCII (the same matches as the
    text's); otherwise the text is, whose case-insensitive match also takes
    letters such as the dotless ``ı`` for ``i``.
    """
    if data.isascii():
        return _ANY_SWITCH_BYTES.search(data) is not None
    return _ANY_SWITCH.search(data.decode("utf-8", errors="replace")) is not None


def _present(base: str) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """The files below ``base`` with (size, mtime in ns), and its folders (itself included)."""
    files: dict[str, tuple[int, int]] = {}
    folders: set[str] = set()
    pending = [base]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        folders.add(current)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
                continue
            with contextlib.suppress(OSError):
                found = entry.stat(follow_symlinks=False)
                files[entry.path] = (found.st_size, found.st_mtime_ns)
    return files, folders


@contextlib.contextmanager
def _sources_folder(package: str, work: Path) -> Iterator[Path]:
    """Where to extract the package for mypy: its folder in mypy's cache, else ``work``.

    The folder of the package's last audit holds most of its files already:
    only the changed ones are written (a generated driver's five thousand
    files took a second or two to write at every audit). One audit at a time
    uses it (a lock); another, or one where locks or the cache are not to be
    had, extracts to its own work folder.
    """
    shared = _usable_cache()
    root = None if shared is None else shared / "sources" / (
        package if package.isidentifier() else re.sub(r"\W", "_", package))
    with cache.held(root) as alone:
        yield root if alone and root is not None else work


def _usable_cache() -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def run(files: Mapping[str, bytes], package: str, work: Path,
        extracted: threading.Event | None = None, warm: WarmChild | None = None) -> MypyRun:
    """Extract ``package`` from the wheel's ``files`` and run mypy on it.

    ``extracted`` is set once the package's files are written out.
    """
    work.mkdir(parents=True, exist_ok=True)
    with _sources_folder(package, work) as root:
        return _run(files, package, work, root, extracted, warm)


def _run(files: Mapping[str, bytes], package: str, work: Path, root: Path,
         extracted: threading.Event | None, warm: WarmChild | None = None) -> MypyRun:
    """Extract the package below ``root``/src and run mypy there (configuration in ``work``)."""
    seen_before = (root / "src" / package).is_dir()  # the folder of an earlier audit: warm
    count, suppressions = _extract(files, package, root / "src")
    if extracted is not None:
        extracted.set()
    if count == 0:
        return MypyRun((), 0.0, 0, problem=f"the wheel holds no Python file of {package}/")
    config = (work / "mypy.ini").resolve()  # mypy runs in ``root``
    config.write_text("[mypy]\n", encoding="utf-8")
    cache_folder = (_usable_cache() or work / "cache").resolve()
    command = (
        sys.executable, "-P", "-m", "mypy",
        "--config-file", str(config),
        "--cache-dir", str(cache_folder), "--no-sqlite-cache",
        "--follow-imports", "silent",
        "--output", "json", "--no-error-summary", "--no-pretty", "--no-color-output",
        "--hide-error-context",
        str(PurePosixPath("src", package)),
    )
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if count >= PARALLEL_FROM_FILES and workers > 1 and not seen_before:
        parallel = _invoke((*command[:-1], "--num-workers", str(workers), command[-1]),
                           package, count, root)
        if not parallel.problem or "limit" in parallel.problem:
            return replace(parallel, suppressions=suppressions)
        retried = _invoke(command, package, count, root)  # parallel mode failed: once more alone
        return replace(retried, seconds=parallel.seconds + retried.seconds,
                       suppressions=suppressions)
    child = warm.take() if warm is not None else None
    return replace(_invoke(command, package, count, root, child), suppressions=suppressions)


def _invoke(command: tuple[str, ...], package: str, count: int, work: Path,
            warm: Started | None = None) -> MypyRun:
    """Run one mypy command in its own process group; kill the group if it runs too long.

    ``warm`` is a :class:`WarmChild`'s process, mypy already imported: it is
    handed the command's arguments and folder instead of a new process started.
    """
    limit = _timeout()
    started = time.perf_counter()
    request: str | None = None
    if warm is not None:
        request = json.dumps({"args": list(command[4:]), "cwd": os.fspath(work)}) + "\n"
    else:
        output = _output_file()
        try:
            warm = Started(subprocess.Popen(
                command, cwd=work, env=_environment(), stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.PIPE, text=True, start_new_session=True,
            ), output)
        except OSError as exc:
            output.close()
            return MypyRun((), 0.0, count, problem=f"mypy could not start: {exc}",
                           command=command)
    process = warm.process
    with warm.output:
        try:
            _, stderr = process.communicate(request, timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(process)
            return MypyRun((), time.perf_counter() - started, count,
                           problem=f"mypy ran over its {limit:g} s limit", command=command)
        seconds = time.perf_counter() - started
        warm.output.seek(0)
        stdout = warm.output.read()
    errors, unresolved, unread = _parse(stdout, package)
    if process.returncode == 0 or (process.returncode in (1, 2) and (errors or unresolved)):
        return MypyRun(errors, seconds, count, command=command, unresolved=unresolved)
    lines = [line for line in stderr.splitlines() + unread if line.strip()]
    tail = lines[-1] if lines else "no output"
    return MypyRun((), seconds, count, command=command,
                   problem=f"mypy stopped (exit {process.returncode}) without a verdict: {tail}")


def _kill(process: subprocess.Popen[str]) -> None:
    """End mypy and the workers it started (its process group, which is its own)."""
    killpg = getattr(os, "killpg", None)
    with contextlib.suppress(OSError):
        if killpg is not None:
            killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    process.communicate()


#: mypy's codes for an import it cannot read: not installed, or installed without hints.
_UNRESOLVED_CODES = frozenset({"import-not-found", "import-untyped", "import"})
_QUOTED_MODULE = re.compile(r'"([\w.]+)"')


def _parse(stdout: str, package: str
           ) -> tuple[tuple[Evidence, ...], dict[str, frozenset[str]], list[str]]:
    """mypy's JSON lines → errors inside the package, unresolved imports by file, unread lines."""
    errors: list[Evidence] = []
    unresolved: dict[str, set[str]] = {}
    unread: list[str] = []
    for line, entry in _json_lines(stdout):
        if entry is _NOT_JSON:
            unread.append(line)
            continue
        if not isinstance(entry, dict) or entry.get("severity") != "error":
            continue
        parts = posix_parts(str(entry.get("file", "")).replace(os.sep, "/"))
        if parts[:1] == ["src"]:
            parts = parts[1:]
        if not parts or parts[0] != package:
            continue
        line_number = entry.get("line")
        code = entry.get("code")
        message = str(entry.get("message", ""))
        file = "/".join(parts)
        if code in _UNRESOLVED_CODES:
            named = _QUOTED_MODULE.search(message)
            unresolved.setdefault(file, set()).add(named[1] if named else "?")
            continue
        detail = f"{message} [{code}]" if code else message
        errors.append(Evidence(file, line_number if isinstance(line_number, int)
                               and line_number > 0 else None, detail))
    return (tuple(errors), {file: frozenset(names) for file, names in unresolved.items()},
            unread)


#: What :func:`_json_lines` gives for a line that is not JSON.
_NOT_JSON = object()


def _json_lines(stdout: str) -> list[tuple[str, object]]:
    """Each non-blank line with its JSON value (:data:`_NOT_JSON` when it is not JSON).

    The lines are decoded as one JSON array when they all are JSON (a
    generated driver's run prints ten thousand lines; one decode is a fraction
    of ten thousand), else one by one.
    """
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        values = json.loads("[" + ",".join(lines) + "]")
    except json.JSONDecodeError:
        values = None
    if isinstance(values, list) and len(values) == len(lines):
        return list(zip(lines, values, strict=True))
    decoded: list[tuple[str, object]] = []
    for line in lines:
        try:
            decoded.append((line, json.loads(line)))
        except json.JSONDecodeError:
            decoded.append((line, _NOT_JSON))
    return decoded


@dataclass(frozen=True)
class Verdict:
    """A run's errors split into those counted and those left unjudged.

    ``unjudged`` are errors in modules that import (directly, or through the
    package's own modules) a module mypy could not read, ``missing`` those
    modules; a hint there may be right against the real dependency.
    """

    counted: tuple[Evidence, ...]
    unjudged: tuple[Evidence, ...]
    missing: tuple[str, ...]
    tainted: tuple[str, ...]


def dotted(path: str) -> str:
    """``pkg/sub/mod.py`` or ``.pyi`` → ``pkg.sub.mod``; ``pkg/__init__.py`` → ``pkg``."""
    stem = path.rsplit(".", 1)[0] if path.endswith((".py", ".pyi")) else path
    parts = stem.split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def split_errors(run: MypyRun, imports: Mapping[str, set[str]]) -> Verdict:
    """Split ``run``'s errors by whether their module depends on an unresolved import.

    ``imports`` maps each module of the package (dotted name) to the
    package's own modules it imports; a module importing a tainted module is
    tainted too.
    """
    tainted = {dotted(file) for file in run.unresolved}
    changed = True
    while changed:
        changed = False
        for module, imported in imports.items():
            if module not in tainted and imported & tainted:
                tainted.add(module)
                changed = True
    # sorted: mypy lists errors in an order that depends on its cache's state, and the
    # report must read the same whether the audit was cold or warm
    errors = sorted(run.errors, key=lambda error: (error.file, error.line or 0, error.detail))
    counted = tuple(error for error in errors if dotted(error.file) not in tainted)
    unjudged = tuple(error for error in errors if dotted(error.file) in tainted)
    missing = sorted({name for names in run.unresolved.values() for name in names})
    return Verdict(counted, unjudged, tuple(missing), tuple(sorted(tainted)))
