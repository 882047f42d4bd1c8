"""What one audit knows: the user's configuration and the facts its rules share.

The :class:`AuditContext` is the one home of per-audit facts. A fact is a
function of the context (the parsed source, the compliance document, a mypy
run); :meth:`AuditContext.fact` computes it on first use and keeps it for the
rest of the audit, so the rules that read it share one computation and no
module keeps caches of its own. This module sits low in the house: checks,
facts and exercises import it; it imports none of them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ivi_conform.candidate import Distribution
from ivi_conform.judges import mypy, ruff
from ivi_conform.memo import AuditMemo, DriverNames, code_identity
from ivi_conform.static.driver import DriverShape, find_driver
from ivi_conform.static.source import SourceIndex

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import RuntimeResults

_T = TypeVar("_T")

#: Drivers with this many Python files have ruff and mypy started ahead (a generated driver).
JUDGES_AHEAD_FROM = 40


@dataclass(frozen=True)
class AuditConfig:
    """What the user said about this audit (command-line or pytest options).

    ``vendors`` adds abbreviations to the vendor table (``{"XY": "Xyz Inc."}``);
    the report marks them unregistered. ``static_only`` leaves the runtime
    rules out (they end as ``skip``). ``options`` is how to switch the
    driver's simulation on, when the automatic probe does not find it.
    ``instrument_resource`` (and ``instrument_profile``, a pyvisa-sim YAML)
    name the vendor's own instrument, for a driver that is not for the
    sunroof: the generic behavioural rules then run against it.
    """

    vendors: dict[str, str] = field(default_factory=dict)
    release_date: date | None = None
    static_only: bool = False
    options: str | None = None
    select: frozenset[str] = frozenset()
    timeout_s: float = 120.0
    instrument_resource: str | None = None
    instrument_profile: Path | None = None

    @classmethod
    def from_options(cls, *, vendors: Sequence[tuple[str, str]] | None,
                     release_date: date | None, static_only: bool, options: str | None,
                     rules: Sequence[str] | None, timeout_s: float | None,
                     instrument_resource: str | None = None,
                     instrument_profile: Path | None = None) -> AuditConfig:
        """The configuration from option values (the command line's and the plugin's)."""
        return cls(
            vendors=dict(vendors or ()),
            release_date=release_date,
            static_only=static_only,
            options=options,
            select=frozenset(rules or ()),
            timeout_s=timeout_s if timeout_s is not None else cls.timeout_s,
            instrument_resource=instrument_resource,
            instrument_profile=instrument_profile,
        )


class AuditContext:
    """Everything the checks of one audit share, each part computed on first use."""

    def __init__(self, dist: Distribution, config: AuditConfig, work_dir: Path) -> None:
        self.dist = dist
        self.config = config
        self.work_dir = work_dir
        self._facts: dict[Callable[[AuditContext], object], object] = {}
        self._facts_lock = threading.RLock()

    def fact(self, compute: Callable[[AuditContext], _T]) -> _T:
        """``compute(self)``, computed once per audit and shared by every rule that asks.

        ``compute`` is a module-level function of the fact's own module (the
        function is the key), so two rules asking for the same fact share it.
        """
        with self._facts_lock:
            if compute not in self._facts:
                self._facts[compute] = compute(self)
            return self._facts[compute]  # type: ignore[return-value]

    def seed(self, compute: Callable[[AuditContext], _T], value: _T) -> None:
        """Give the fact ``compute`` its value before any rule asks for it.

        For what was started before the audit had a context: mypy's run
        beside the wheel's build (:func:`ivi_conform.judges.mypy.adopt`).
        """
        with self._facts_lock:
            self._facts.setdefault(compute, value)

    def fact_if_computed(self, compute: Callable[[AuditContext], _T]) -> _T | None:
        """The fact if some rule has asked for it, else None (never computes it)."""
        with self._facts_lock:
            return self._facts.get(compute)  # type: ignore[return-value]

    @functools.cached_property
    def source(self) -> SourceIndex:
        """The candidate's Python files, parsed (ruff and mypy start beside the parse).

        mypy first: it is the longest of the three, and ruff's thread, reading
        its cached findings, would share the interpreter with mypy's extraction.
        """
        if self.judges_ahead(frozenset({mypy.RULE_ID})):
            mypy.start_ahead(self)  # on the package the paths show; checked against the index
        if self.judges_ahead(ruff.RULE_IDS):
            ruff.start(self)
        return SourceIndex(self.dist.files, remember_as=(self.dist.name, code_identity()),
                           digest=self.dist.digest)

    @functools.cached_property
    def driver(self) -> DriverShape:
        """The driver's package, root class, utility and direct I/O classes (mypy starts then)."""
        shape = self.__dict__["driver"] = find_driver(self.source, self.dist.name)
        if self.judges_ahead(frozenset({mypy.RULE_ID})):
            mypy.start(self)  # reads the package from the shape kept just above
        return shape

    @functools.cached_property
    def memo(self) -> AuditMemo:
        """The static findings remembered for these very inputs (:mod:`ivi_conform.memo`).

        Nothing remembered for them: mypy's interpreter starts at once, while
        the files are written out for it (:class:`ivi_conform.judges.mypy.WarmChild`).
        """
        memo = AuditMemo.of_audit(self.dist, self.config, self.release_date.isoformat())
        if not memo.remembers_any:
            self.fact(mypy.warm_child)
        return memo

    @property
    def driver_names(self) -> DriverNames:
        """The driver's package, root class and identifier, for the report.

        From the remembered audit when every static finding came from it (no
        syntax index is built for the report alone), else from :attr:`driver`.
        """
        if "driver" not in self.__dict__ and "memo" in self.__dict__:
            remembered = self.memo.names()
            if remembered is not None:
                return remembered
        shape = self.driver
        return DriverNames(shape.package, shape.root.name if shape.root is not None else None,
                           shape.identifier)

    def judges_ahead(self, rules: frozenset[str]) -> bool:
        """Whether to start ruff or mypy before a rule asks: a large driver whose audit has them.

        They run in child processes, so they use the second core while
        ivi-conform indexes and judges; on a small driver, one whose audit
        selects none of their rules, or in a pytest-xdist worker of the plugin
        (the rules are shared out: each worker would run them) they wait until asked.
        """
        if self.config.select and not self.config.select & rules:
            return False
        if os.environ.get("PYTEST_XDIST_WORKER"):
            return False  # the plugin's workers share the rules out: the one judging runs it
        python = sum(path.endswith((".py", ".pyi")) for path in self.dist.files)
        return python >= JUDGES_AHEAD_FROM

    @property
    def release_date(self) -> date:
        """The driver's release date: the one given, else today."""
        return self.config.release_date or self.dist.release_date or date.today()

    @functools.cached_property
    def runtime(self) -> RuntimeResults:
        """The behavioural exercise of the driver, run once in a sandbox."""
        # Imported here: the behaviour layer (sandbox, simulator) loads only when a
        # runtime rule is judged, and it sits above this module in the house.
        from ivi_conform.behaviour.runner import exercise

        return exercise(self)

    @property
    def runtime_started(self) -> RuntimeResults | None:
        """The behavioural run if a rule has started it; never starts it."""
        started: RuntimeResults | None = self.__dict__.get("runtime")
        return started

    def keep_facts(self) -> None:
        """Write the module facts learnt so far (again at the end: only what changed since)."""
        if "source" in self.__dict__:
            self.source.save_facts()

    def remember(self) -> None:
        """Keep the static findings judged in this process for the next audit of these inputs."""
        self.keep_facts()
        if "memo" in self.__dict__:
            if "driver" in self.__dict__:
                self.memo.remember_names(self.driver_names)
            self.memo.save()

    def close(self) -> None:
        """Keep what this audit learnt for the next; end the driver's child process, if any."""
        self.remember()
        mypy.close_warm(self)
        if (runtime := self.runtime_started) is not None:
            runtime.close()
