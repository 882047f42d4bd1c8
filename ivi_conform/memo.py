"""Static findings remembered between audits of the same inputs.

A static rule's finding is a function of what the audit reads and of nothing
else: the distribution (every shipped file's bytes, its metadata, and for a
source folder the tree its wheel is built from), the user's configuration,
the release date the rules judge against, ivi-conform's own code and data
(the catalog, the vendor table), and the judges in ivi-conform's environment
(the Python, ruff, mypy and the distributions mypy resolves the driver's
imports against). The :func:`audit_key` is a digest of all of these, so a
re-audit with the same key gives the same findings as a cold audit without
parsing a file or starting a judge; any change to any of them is a new key,
and every rule is judged again (the per-file caches of ruff and mypy then
spare what they can).

Not remembered: runtime rules (they run the driver), and ``error`` findings
(a time-out or a crash may not happen twice). The driver's names, which the
report shows, are remembered beside the findings, so a report of remembered
findings needs no syntax index either.

The table is one per distribution name in ivi-conform's cache folder
(:mod:`ivi_conform.cache`): entries of the newest key are kept, older keys
fall out. Parallel audits (pytest-xdist workers) merge their entries into
the table, each write atomic.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivi_conform import cache
from ivi_conform.model import Evidence, Finding, Outcome

if TYPE_CHECKING:
    from ivi_conform.candidate import Distribution
    from ivi_conform.context import AuditConfig

#: Bump when what an entry holds changes shape.
FORMAT = 1
#: ivi-conform's own folder (its code, catalog and data).
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DriverNames:
    """The driver's names as the report shows them (the located package and root class)."""

    package: str | None
    class_name: str | None
    identifier: str | None


@functools.cache
def code_identity() -> str:
    """A digest of ivi-conform's own files: its code, the catalog, the data tables.

    A development checkout keeps its version string while its code changes;
    this digest does not.
    """
    hasher = hashlib.blake2b(digest_size=20)
    for path in sorted(_PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        hasher.update(path.relative_to(_PACKAGE).as_posix().encode())
        hasher.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
    return hasher.hexdigest()


@functools.cache
def environment_identity() -> str:
    """The judges and what they see: the Python, ruff, and every installed distribution.

    mypy reads the driver's dependencies from ivi-conform's environment, so
    installing, upgrading or removing one there can change its findings. The
    distributions are known by their metadata folders on ``sys.path``
    (``name-version.dist-info``) and when each was written, which a
    reinstall changes; reading every METADATA file took a third of a second.
    (An editable install's source is not read: editing such a dependency in
    place is not seen; reinstall it, or set ``IVI_CONFORM_CACHE=off``.)
    """
    from ivi_conform.judges import ruff  # the judges import this module's peers

    installed: list[str] = []
    for folder in sys.path:
        with contextlib.suppress(OSError), os.scandir(folder or ".") as entries:
            installed.extend(f"{folder}/{entry.name}:{entry.stat().st_mtime_ns}"
                             for entry in entries
                             if entry.name.endswith((".dist-info", ".egg-info", ".pth")))
    executable = ruff.find_ruff()
    return cache.digest(sys.version, sys.executable, *sorted(installed),
                        ruff.settings(executable) if executable else "no ruff")


def _tree_digest(root: Path) -> str:
    """The source tree a folder's rules may read beside its wheel, as its build sees it."""
    from ivi_conform.candidate import TargetError, source_tree
    from ivi_conform.wheel_cache import tree_digest

    try:
        return tree_digest(root, source_tree(root, str(root)))
    except (OSError, TargetError):
        return f"unreadable {os.urandom(16).hex()}"  # matches no earlier audit


def audit_key(dist: Distribution, config: AuditConfig, release_date: str) -> str:
    """Everything a static finding is a function of, as one digest (see the module's text)."""
    files = hashlib.blake2b(digest_size=20)
    for path in sorted(dist.files):
        files.update(path.encode("utf-8", "surrogateescape") + b"\0")
        files.update(dist.digest(path))
    described = json.dumps(
        {"origin": dist.origin, "kind": dist.kind, "metadata": dist.metadata,
         "problems": dist.metadata_problems, "pyproject": dist.pyproject,
         "wheel": dist.wheel.name if dist.wheel is not None else None,
         "source_root": str(dist.source_root) if dist.source_root else None,
         "vendors": config.vendors, "options": config.options,
         "static_only": config.static_only, "resource": config.instrument_resource,
         "profile": str(config.instrument_profile) if config.instrument_profile else None},
        sort_keys=True, default=str)
    tree = _tree_digest(dist.source_root) if dist.source_root is not None else ""
    settings = sorted(f"{name}={value}" for name, value in os.environ.items()
                      if name.startswith("IVI_CONFORM_")  # a judge's time limit, say
                      and name not in ("IVI_CONFORM_CACHE", "IVI_CONFORM_MYPY_CACHE"))
    return cache.digest(str(FORMAT), code_identity(), environment_identity(), described,
                        files.hexdigest(), tree, release_date, *settings)


def rule_tag(rule: object, check: Callable[..., object]) -> str:
    """The rule's catalog entry and its check's name and source file, which an entry must match.

    The audit key holds ivi-conform's files; this also holds a catalog or a
    check put in place at run time (a test's, a plugin's), which no file of
    ivi-conform shows. (A check's compiled code would not do: ``marshal``
    writes the same code differently as reference counts vary.)
    """
    name = f"{getattr(check, '__module__', '')}.{getattr(check, '__qualname__', repr(check))}"
    return cache.digest(repr(rule), name, _source_digest(inspect.getsourcefile(check)
                                                          if inspect.isfunction(check) else None))


@functools.cache
def _source_digest(path: str | None) -> str:
    """A source file's digest, once per process (unreadable or none: a value no file has)."""
    if path is None:
        return "no source"
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return f"unreadable {os.urandom(16).hex()}"


def _evidence_json(evidence: Evidence) -> list[Any]:
    return [evidence.file, evidence.line, evidence.detail, list(evidence.trace),
            evidence.reproducer]


def _evidence(value: Any) -> Evidence:
    file, line, detail, trace, reproducer = value
    return Evidence(str(file), line if isinstance(line, int) else None, str(detail),
                    tuple(str(step) for step in trace), str(reproducer))


class AuditMemo:
    """The remembered findings of one audit key, read once, merged back on :meth:`save`."""

    def __init__(self, key: str, path: Path | None) -> None:
        self.key = key
        self.path = path
        self._old: dict[str, Any] = self._read()
        self._new: dict[str, Any] = {}

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        with contextlib.suppress(OSError, ValueError):
            data = self.path.read_bytes()
            if not data.startswith(b'{"key":' + json.dumps(self.key).encode() + b","):
                return {}  # another key's table (it leads the file): not worth parsing
            table = json.loads(data)
            if isinstance(table, dict) and table.get("key") == self.key:
                entries = table.get("entries")
                return entries if isinstance(entries, dict) else {}
        return {}

    @classmethod
    def of_audit(cls, dist: Distribution, config: AuditConfig, release_date: str) -> AuditMemo:
        """The memo of these inputs (an empty one, never written, when the cache is off)."""
        root = cache.cache_root()
        if root is None:
            return cls("", None)
        scope = dist.name or dist.origin
        return cls(audit_key(dist, config, release_date),
                   root / "audits" / str(FORMAT) / f"{cache.digest(scope)}.json")

    @property
    def remembers_any(self) -> bool:
        """Whether anything is remembered under this key (an unchanged driver's re-audit)."""
        return bool(self._old)

    def finding(self, rule_id: str, tag: str) -> Finding | None:
        """The remembered finding of ``rule_id`` under this key and ``tag``, or None."""
        entry = self._old.get(rule_id)
        if not isinstance(entry, list) or len(entry) != 4 or entry[0] != tag:
            return None
        try:
            _, outcome, message, evidence = entry
            return Finding(Outcome(outcome), str(message),
                           tuple(_evidence(item) for item in evidence))
        except (TypeError, ValueError):
            return None

    def remember(self, rule_id: str, tag: str, finding: Finding) -> None:
        """Keep ``finding`` for the next audit of the same key and tag (never an ``error``)."""
        if finding.outcome is Outcome.ERROR:
            return
        self._new[rule_id] = [tag, finding.outcome.value, finding.message,
                              [_evidence_json(item) for item in finding.evidence]]

    def names(self) -> DriverNames | None:
        """The driver's names remembered under this key, or None."""
        entry = self._old.get("driver")
        if not isinstance(entry, list) or len(entry) != 3:
            return None
        package, class_name, identifier = (item if isinstance(item, str) else None
                                           for item in entry)
        return DriverNames(package, class_name, identifier)

    def remember_names(self, names: DriverNames) -> None:
        """Keep the driver's names for the report of the next audit of the same key."""
        self._new["driver"] = [names.package, names.class_name, names.identifier]

    def save(self) -> None:
        """Merge this audit's new entries into the key's table (atomic; a failure is skipped)."""
        if self.path is None or not self._new:
            return
        merged: Mapping[str, Any] = {**self._read(), **self._old, **self._new}
        with contextlib.suppress(OSError):
            cache.write_atomic(self.path, json.dumps(
                {"key": self.key, "entries": merged}, separators=(",", ":")).encode())
