"""The parent's handle on the driver in the child: construct, get, set, call, with time limits.

:class:`Harness` owns one audit's sandbox: the installation, the current
child (restarted after a crash), the probe that finds how to switch the
driver's simulation on, and the memory of constructions that hung or crashed
(so that a driver hanging in ``__init__`` costs one time limit, not one per
rule). :class:`DriverRef` is a driver object (or any object) living in the
child; its methods return a :class:`Call`: the value, or the exception the
driver raised. A hang, crash or protocol breach raises
:class:`~ivi_conform.behaviour.sandbox.ChildGoneError` instead.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivi_conform.behaviour.protocol import (
    Remote,
    RemoteException,
    Scalar,
    Sequence,
    attr_path,
    encode_value,
)
from ivi_conform.behaviour.sandbox import (
    CallbackHandler,
    Child,
    ChildGoneError,
    Incident,
    Installation,
    install,
)

if TYPE_CHECKING:
    from ivi_conform.engine import AuditContext
    from ivi_conform.sim import LiveSimulator

#: The time limit of one ordinary call (construction, a property, a method), at most.
CALL_TIMEOUT_S = 10.0
#: ``AuditConfig.timeout_s`` is shared out: one call may take this fraction of it.
CALL_SHARE = 1 / 12
#: The live simulator's clock runs this much faster than the wall clock (motion ends quickly).
TIME_SCALE = 100.0


#: ``construct(options=LIVE)``: the options found to keep simulation off explicitly, else None.
LIVE: object = object()


class NotRunnableError(Exception):
    """The driver cannot be run at all (no root class, import crash): every rule says why."""

    def __init__(self, message: str, driver_fault: bool = True) -> None:
        super().__init__(message)
        self.driver_fault = driver_fault


@dataclass(frozen=True)
class Call:
    """The end of one call into the driver: a value or the driver's exception."""

    ok: bool
    value: object = None
    exc: RemoteException | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"returned {show(self.value)}" if self.ok else f"raised {self.exc}"


def show(value: object) -> str:
    """A short human form of a value the child returned."""
    if isinstance(value, Remote):
        return value.repr or f"<{value.type}>"
    if isinstance(value, Sequence):
        inner = ", ".join(show(item) for item in value.items[:6])
        return f"{value.type.rsplit('.', 1)[-1]}({inner})"
    if isinstance(value, Scalar):
        return repr(value.value)
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def plain(value: object) -> object:
    """A value with the driver's subclasses of int/str/float reduced to the built-ins."""
    if isinstance(value, Scalar):
        return value.value
    return value


class DriverRef:
    """An object in the child (usually the driver), reached by handle."""

    def __init__(self, harness: Harness, remote: Remote, label: str) -> None:
        self.harness = harness
        self.remote = remote
        self.label = label

    def _request(self, op: str, during: str, timeout: float | None,
                 on_callback: CallbackHandler | None = None, **fields: object) -> Call:
        child = self.harness.current
        reply = child.request(op, during, self.harness.limit(timeout), on_callback,
                              target=self.remote.handle, **fields)
        if reply.by_agent:
            raise RuntimeError(f"ivi-conform's agent refused {op} {during}: {reply.exc}")
        return Call(reply.ok, reply.value, reply.exc, reply.seconds)

    def get(self, dotted: str, timeout: float | None = None) -> Call:
        """Read ``self.<dotted>``."""
        return self._request("get", f"{self.label}.{dotted}", timeout, path=attr_path(dotted))

    def set(self, dotted: str, value: object, timeout: float | None = None) -> Call:
        """Write ``self.<dotted> = value``."""
        return self._request("set", f"{self.label}.{dotted} = {value!r}", timeout,
                             path=attr_path(dotted), value=encode_value(value))

    def call(self, dotted: str, *args: object, timeout: float | None = None) -> Call:
        """Call ``self.<dotted>(*args)``."""
        shown = ", ".join(repr(arg) for arg in args)
        return self._request("call", f"{self.label}.{dotted}({shown})", timeout,
                             path=attr_path(dotted), args=encode_value(list(args)))

    def item(self, dotted: str, key: object, timeout: float | None = None) -> Call:
        """Read ``self.<dotted>[key]``."""
        path = [*attr_path(dotted), ["item", encode_value(key)]]
        return self._request("get", f"{self.label}.{dotted}[{key!r}]", timeout, path=path)

    def keys(self, dotted: str) -> Call:
        """What the collection at ``self.<dotted>`` lists (keys, or items and their names)."""
        return self._request("keys", f"iterating {self.label}.{dotted}", None,
                             path=attr_path(dotted))

    def ref(self, value: object, label: str) -> DriverRef:
        """A handle on an object the driver returned."""
        if not isinstance(value, Remote):
            raise TypeError(f"{label} is not an object: {show(value)}")
        return DriverRef(self.harness, value, label)

    def request(self, op: str, during: str, timeout: float,
                on_callback: CallbackHandler | None = None, **fields: object) -> Call:
        """Any agent operation on this object (``describe``, ``fuzz``, ``threads``)."""
        return self._request(op, during, timeout, on_callback, **fields)


class Harness:
    """One audit's sandbox: installation, children, probe, remembered incidents."""

    def __init__(self, context: AuditContext) -> None:
        self.context = context
        self.base = context.work_dir / "behaviour"
        self._installation: Installation | None = None
        self._child: Child | None = None
        self._children = 0
        self._root: Remote | None = None
        self._probe: dict[str, object] | None = None
        self.incidents: dict[str, Incident] = {}
        self.notes: list[str] = []
        self.timings: dict[str, float] = {}
        #: The vendor's own instrument, for a driver of another instrument than the sunroof.
        profile = context.config.instrument_profile
        self.vendor_profile = str(profile) if profile is not None else ""
        self.vendor_resource = context.config.instrument_resource or ""
        #: The child's PYVISA_LIBRARY: pyvisa-py for the live simulator (None: pyvisa's default).
        self.pyvisa_library: str | None = "@py"

    def limit(self, wanted: float | None = None) -> float:
        """The time limit of one request: ``wanted`` (else the call limit), within the budget.

        The per-call limit is ``AuditConfig.timeout_s`` / 12, at most 10 s; a
        longer request (the hypothesis exploration) may take up to the whole budget.
        """
        budget = max(self.context.config.timeout_s, 1.0)
        if wanted is None:
            return min(CALL_TIMEOUT_S, budget * CALL_SHARE)
        return min(wanted, budget)

    # -- the child -------------------------------------------------------------------------

    @property
    def installation(self) -> Installation:
        if self._installation is None:
            self._installation = install(self.context.dist, self.context.work_dir)
            self.timings["install"] = self._installation.seconds
            self.notes.append(self._installation.note)
        return self._installation

    @property
    def current(self) -> Child:
        """The running child, started (and the driver class imported) if there is none."""
        if self._child is None or not self._child.alive:
            self.fresh()
        assert self._child is not None
        return self._child

    def fresh(self) -> Child:
        """End the current child, if any, and start a new one."""
        self.close_child()
        self._children += 1
        scratch = self.base / f"scratch-{self._children}"
        shutil.rmtree(scratch, ignore_errors=True)
        started = time.perf_counter()
        env = {"PYVISA_LIBRARY": self.pyvisa_library} if self.pyvisa_library else {}
        self._child = Child(self.installation, scratch, env)
        self._root = None
        if self._children == 1:
            abi = self._child.info.get("landlock")
            self.notes.append(
                f"the child's file writes are confined to its scratch folder by Landlock (ABI "
                f"{abi})" if abi else "Landlock is unavailable: the child's file writes are not "
                "confined (it runs in a scratch folder; the report is written by the parent)")
        self.timings["child starts"] = self.timings.get("child starts", 0.0) + (
            time.perf_counter() - started)
        return self._child

    def close_child(self) -> None:
        """Close the current child and note what it wrote outside the protocol."""
        child, self._child = self._child, None
        if child is None:
            return
        child.close()
        written = [name for name in child.written_files() if not name.startswith("home/.cache")]
        if written:
            shown = ", ".join(written[:8]) + (" ..." if len(written) > 8 else "")
            self.notes.append(f"the driver wrote {len(written)} file(s) in its scratch folder "
                              f"{child.scratch}: {shown}")

    def close(self) -> None:
        """End the child; the simulators belong to the exercises."""
        self.close_child()

    def use_vendor_instrument(self) -> str:
        """Switch the children to the vendor's instrument; its resource name.

        ``AuditConfig.instrument_resource`` names it; with ``instrument_profile``
        (a pyvisa-sim YAML) the children open it with ``<profile>@sim``, without
        it with pyvisa's default library (a real instrument).
        """
        wanted = f"{self.vendor_profile}@sim" if self.vendor_profile else None
        if wanted != self.pyvisa_library:
            self.pyvisa_library = wanted
            self.close_child()
            self.notes.append(f"generic exercises ran against {self.vendor_resource!r} "
                              f"(PYVISA_LIBRARY={wanted or 'pyvisa default'})")
        return self.vendor_resource

    # -- the driver class --------------------------------------------------------------------

    @property
    def class_name(self) -> str:
        shape = self.context.driver
        if shape.package is None or shape.root is None:
            raise NotRunnableError("the driver's package and root class were not found, so the "
                              "driver could not be run")
        return shape.root.name

    def root_class(self) -> DriverRef:
        """The driver's root class, imported in the current child."""
        shape = self.context.driver
        name = self.class_name
        if "import" in self.incidents:
            raise NotRunnableError(f"importing {shape.package} failed earlier: "
                              f"{self.incidents['import']}")
        child = self.current
        if self._root is None:
            started = time.perf_counter()
            try:
                reply = child.request("import", f"import {shape.package}", self.limit(),
                                      module=shape.package, attr=name)
            except ChildGoneError as gone:
                self.incidents["import"] = gone.incident
                raise NotRunnableError(f"importing {shape.package}: {gone.incident}") from None
            self.timings["imports"] = self.timings.get("imports", 0.0) + (
                time.perf_counter() - started)
            if not reply.ok:
                raise NotRunnableError(f"import {shape.package} raised {reply.exc}")
            value = reply.value
            if not isinstance(value, dict) or not isinstance(value.get("value"), Remote):
                raise NotRunnableError(f"{shape.package}.{name} is not a class")
            self._root = value["value"]
            where = value.get("file")
            if isinstance(where, str) and self.installation.paths and not where.startswith(
                    self.installation.paths[0]):
                self.notes.append(f"warning: {shape.package} was imported from {where}, not "
                                  "from the unpacked wheel")
        assert self._root is not None
        return DriverRef(self, self._root, name)

    def construct(self, resource: str, *, id_query: bool = True, reset: bool = False,
                  options: object = LIVE, kind: str = "live",
                  timeout: float | None = None) -> tuple[Call, DriverRef | None]:
        """``Root(resource, id_query, reset, options)`` in the child.

        ``kind`` ("live", "simulated") keys the memory of constructions that
        hung or crashed: after one, later constructions of that kind are not
        tried again and raise :class:`ChildGoneError` with the first incident.
        """
        if kind in self.incidents:
            first = self.incidents[kind]
            raise ChildGoneError(Incident(first.kind, f"{first.message} (an earlier exercise; "
                                     "not tried again)", first.output))
        root = self.root_class()
        if options is LIVE:
            options = self._probe.get("live") if self._probe is not None else None
        args = [resource, id_query, reset, options]
        during = (f"{root.label}.__init__({resource!r}, id_query={id_query}, reset={reset}, "
                  f"options={options!r})")
        try:
            reply = self.current.request("call", during, self.limit(timeout),
                                         target=root.remote.handle, path=[],
                                         args=encode_value(args))
        except ChildGoneError as gone:
            self.incidents[kind] = gone.incident
            raise
        call = Call(reply.ok, reply.value, reply.exc, reply.seconds)
        if not call.ok:
            return call, None
        return call, DriverRef(self, call.value, "driver")  # type: ignore[arg-type]

    # -- simulation --------------------------------------------------------------------------

    def user_options(self) -> object:
        """``AuditConfig.options``: a string, or a dict given as JSON."""
        text = self.context.config.options
        if text is None:
            return None
        stripped = text.strip()
        if stripped.startswith("{"):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                return text
        return text

    def probe(self, simulator: LiveSimulator) -> dict[str, object]:
        """How to switch simulation on, and what the driver says it supports.

        Tries the user's options, then ``{"simulate": True}``, then
        ``"Simulate=True"``, each confirmed by ``ivi_utility.simulation_enabled``.
        """
        if self._probe is not None:
            return self._probe
        if "probe" in self.incidents:
            first = self.incidents["probe"]
            raise ChildGoneError(Incident(first.kind, f"{first.message} (an earlier exercise; "
                                          "not tried again)", first.output))
        try:
            return self._run_probe(simulator)
        except ChildGoneError as gone:
            self.incidents["probe"] = gone.incident
            raise

    def _run_probe(self, simulator: LiveSimulator) -> dict[str, object]:
        started = time.perf_counter()
        candidates: list[object] = []
        user = self.user_options()
        if user is not None:
            candidates.append(user)
        candidates += [{"simulate": True}, "Simulate=True"]
        tried: list[str] = []
        found: dict[str, object] = {"options": None, "tried": tried}
        for options in candidates:
            call, driver = self.construct(simulator.resource_name, options=options,
                                          kind="simulated")
            if driver is None:
                tried.append(f"options={options!r}: {call}")
                continue
            enabled = driver.get("ivi_utility.simulation_enabled")
            if enabled.ok and enabled.value is True:
                found["options"] = options
                models = driver.get("ivi_utility.supported_instrument_models")
                found["models"] = _strings(models.value) if models.ok else []
                driver.call("close")
                break
            tried.append(f"options={options!r}: simulation_enabled {enabled}")
        found["live"] = self._live_options(simulator, found["options"])
        self._probe = found
        self.timings["probe"] = time.perf_counter() - started
        if found["options"] is not None:
            self.notes.append(f"simulation switched on with options={found['options']!r}")
        else:
            self.notes.append("simulation could not be switched on: " + "; ".join(tried))
        return found

    def _live_options(self, simulator: LiveSimulator, simulated: object) -> object:
        """Options that keep simulation off explicitly (``{"simulate": False}``...), else None.

        The live exercises pass them, so that a driver whose *default* is
        wrong (simulation on) fails the default's rule only, not every rule.
        """
        if isinstance(simulated, dict) and "simulate" in simulated:
            candidate: object = {**simulated, "simulate": False}
        elif isinstance(simulated, str) and simulated.strip().lower() == "simulate=true":
            candidate = "Simulate=False"
        else:
            return None
        call, driver = self.construct(simulator.resource_name, options=candidate, kind="live")
        if driver is None:
            return None
        enabled = driver.get("ivi_utility.simulation_enabled")
        driver.call("close")
        if enabled.ok and enabled.value is False:
            self.notes.append(f"live exercises pass options={candidate!r}")
            return candidate
        return None

    def simulation_options(self, simulator: LiveSimulator) -> object:
        """The options that switch simulation on; :class:`NotRunnableError` if none do."""
        found = self.probe(simulator)
        if found["options"] is None:
            raise NotRunnableError("simulation could not be switched on ("
                              + "; ".join(str(t) for t in found["tried"]) + ")")  # type: ignore[attr-defined]
        return found["options"]

    @contextmanager
    def simulator(self, model: str = "SR-PN200", manufacturer: str | None = None,
                  time_scale: float = TIME_SCALE) -> Iterator[LiveSimulator]:
        """A live simulator of ``model``, started by the parent for one exercise."""
        from ivi_conform.sim import LiveSimulator

        kwargs: dict[str, object] = {"time_scale": time_scale}
        if manufacturer is not None:
            kwargs["manufacturer"] = manufacturer
        with LiveSimulator(model, port=0, **kwargs) as simulator:  # type: ignore[arg-type]
            yield simulator


def _strings(value: object) -> list[str]:
    if isinstance(value, Sequence):
        return [str(plain(item)) for item in value.items]
    if isinstance(value, list):
        return [str(plain(item)) for item in value]
    return []


def drain_queue(simulator: LiveSimulator) -> list[int]:
    """Empty the simulator's error queue (not over SCPI); the codes that were in it."""
    codes = [int(code) for code in simulator.instrument.errors]
    simulator.instrument.clear_status()
    return codes
