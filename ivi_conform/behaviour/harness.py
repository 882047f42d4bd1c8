"""The parent's handle on the driver in the child: construct, get, set, call, with time limits.

:class:`Harness` owns one audit's sandbox: the installation, the current
child (restarted after a crash), what the driver declares about itself
(:class:`Facts`, learned once: whether it imports and constructs, the options
that switch its simulation on, the models it supports, its I/O timeout), and
the memory of constructions that hung or crashed (so that a driver hanging in
``__init__`` costs one time limit, not one per rule, and is charged by one
rule). :class:`DriverRef` is a driver object (or any object) living in the
child; its methods return a :class:`Call`: the value, or the exception the
driver raised. A hang, crash or protocol breach raises
:class:`~ivi_conform.behaviour.sandbox.ChildGoneError` instead.

Everything is derived from the driver, never from the reference: the
simulated models from ``supported_instrument_models`` (else the models the
distribution names), the option names from its options ``TypedDict`` and its
documents (else the IVI defaults, else the user's ``--ivi-options``).

Time limits stay above the driver's own: a call may take the driver's I/O
timeout plus a margin (at least :data:`CALL_FLOOR_S`), so that its own
timeout error comes first. Only a call cut by a limit at least that long is
the driver's hang; one cut sooner, because the user's ``--timeout`` left no
more, ends its rule as not judged ("raise --timeout").
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivi_conform.behaviour.network import SimulatorPorts, instrument_ports
from ivi_conform.behaviour.protocol import (
    Remote,
    RemoteException,
    Reply,
    Scalar,
    Sequence,
    attr_path,
    encode_value,
)
from ivi_conform.behaviour.results import Run, StageObserver, unobserved
from ivi_conform.behaviour.sandbox import (
    CallbackHandler,
    Child,
    ChildGoneError,
    Incident,
    Installation,
    install,
)

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext
    from ivi_conform.sim import LiveSimulator

#: The time limit of one ordinary call (construction, a property, a method), by default.
CALL_TIMEOUT_S = 10.0
#: ``AuditConfig.timeout_s`` is shared out: one call may take this fraction of it.
CALL_SHARE = 1 / 12
#: The shortest limit that judges a hang fairly: a call cut sooner (because the user's
#: ``--timeout`` left no more) is not the driver's hang, and its rule is not judged.
CALL_FLOOR_S = 3.0
#: How much longer than the driver's own I/O timeout ivi-conform waits for its error.
IO_MARGIN_S = 5.0
#: The live simulator's clock runs this much faster than the wall clock (motion ends quickly).
TIME_SCALE = 100.0
#: The rule that charges a driver that cannot be imported or constructed.
INSTANTIATES = "run-driver-instantiates"


class NotApplicableError(Exception):
    """The rule does not apply to this driver; the message says why (the rule is skipped)."""


class NotJudgedError(Exception):
    """ivi-conform cannot provide what the rule needs (an instrument, time, the options that
    switch simulation on); the message says what would let it run. The rule is not judged
    and the verdict is incomplete."""


class ChargedElsewhereError(Exception):
    """A prerequisite is missing because of a defect another rule charges (``rule_id``).

    The rule is skipped and names that rule, so one defect is one failure.
    """

    def __init__(self, rule_id: str, message: str) -> None:
        super().__init__(message)
        self.rule_id = rule_id


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

    def __init__(self, harness: Harness, remote: Remote, label: str,
                 child: Child | None = None) -> None:
        self.harness = harness
        self.remote = remote
        self.label = label
        #: The child the object lives in: its handle means nothing to any other child.
        self.child = child if child is not None else harness.current

    def _request(self, op: str, during: str, timeout: float | None,
                 on_callback: CallbackHandler | None = None, **fields: object) -> Call:
        self.harness.check_handle(self)
        reply = self.harness.ask(op, during, self.harness.limit(timeout), on_callback,
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
        return DriverRef(self.harness, value, label, self.child)

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
        self._import_error = ""
        #: The value the driver's documents use to switch each option name on ("On").
        self._true_values: dict[str, str] = {}
        self._facts: Facts | None = None
        self.incidents: dict[str, Incident] = {}
        #: The rule whose exercise met each remembered incident (it charges it).
        self.charged: dict[str, str] = {}
        #: The rule being exercised now (set by the runner).
        self.rule = ""
        #: The driver's own I/O timeout in seconds, once read (0: not known).
        self.io_timeout_s = 0.0
        self.notes: list[str] = []
        self.timings: dict[str, float] = {}
        #: The instruments the driver was run against, one per (model, simulation).
        self.runs: dict[tuple[str, bool], Run] = {}
        #: Told of each stage as it starts (set by the runner for the rule being judged).
        self.progress: StageObserver = unobserved
        #: The exercise running now (set by the runner), named in the stages it goes through.
        self.exercise = ""
        #: The vendor's own instrument, for a driver of another instrument than the sunroof.
        profile = context.config.instrument_profile
        self.vendor_profile = str(profile) if profile is not None else ""
        self.vendor_resource = context.config.instrument_resource or ""
        #: The child's PYVISA_LIBRARY: pyvisa-py for the live simulator (None: pyvisa's default).
        self.pyvisa_library: str | None = "@py"
        #: Per instrument identity, the members whose reading failed only after waiting (a query
        #: the model refuses, answered by the driver's own timeout): the API map reads each once
        self.slow_failed_reads: dict[str, set[str]] = {}
        #: Loopback ports for this audit's simulators: with the named instrument's, the only
        #: ones its children may connect to.
        self.ports = SimulatorPorts()

    def fair_limit(self) -> float:
        """The shortest limit after which a call that has not returned is the driver's hang.

        At least :data:`CALL_FLOOR_S`, and longer than the driver's own I/O
        timeout: the driver's own timeout error must have the time to come.
        """
        own = self.io_timeout_s + IO_MARGIN_S if self.io_timeout_s else 0.0
        return max(CALL_FLOOR_S, own)

    def limit(self, wanted: float | None = None) -> float:
        """The time limit of one request: ``wanted`` (else the call limit), within the budget.

        The per-call limit is ``AuditConfig.timeout_s`` / 12, at most 10 s, but
        never below :meth:`fair_limit` unless the whole budget is shorter; a
        longer request (the hypothesis exploration) may take up to the whole budget.
        """
        budget = max(self.context.config.timeout_s, 0.001)
        if wanted is None:
            wanted = min(CALL_TIMEOUT_S, budget * CALL_SHARE)
        return min(max(wanted, self.fair_limit()), budget)

    def cut_short(self, incident: Incident) -> bool:
        """Whether a hang was cut by a limit too short to blame the driver for it."""
        return incident.kind == "hang" and incident.limit < self.fair_limit()

    def not_judged(self, incident: Incident) -> NotJudgedError:
        """The end of a rule whose call was cut by a limit the user's --timeout made short."""
        return NotJudgedError(
            f"{incident.message}: cut by ivi-conform's limit of {incident.limit:g} s, shorter "
            f"than the {self.fair_limit():g} s a call needs to be judged (--timeout "
            f"{self.context.config.timeout_s:g} leaves no more): raise --timeout")

    def ask(self, op: str, during: str, timeout: float,
            on_callback: CallbackHandler | None = None, **fields: object) -> Reply:
        """One request to the current child; a hang cut short is not judged, not charged."""
        try:
            return self.current.request(op, during, timeout, on_callback, **fields)
        except ChildGoneError as gone:
            if self.cut_short(gone.incident):
                raise self.not_judged(gone.incident) from None
            raise

    def remembered(self, kind: str) -> None:
        """Raise for a construction (or import) of ``kind`` that hung or crashed before.

        It is not tried again: the rule whose exercise met it charges it, later
        rules are skipped naming that rule (or not judged, if the hang was only
        a limit cut short). An incident the probe met on the side (the live
        construction of a driver that simulates) is charged by the first rule
        that needs that kind of construction.
        """
        first = self.incidents.get(kind)
        if first is None:
            return
        if self.cut_short(first):
            raise self.not_judged(first)
        charged_by = self.charged.setdefault(kind, self.rule or INSTANTIATES)
        if charged_by != self.rule:
            raise ChargedElsewhereError(charged_by, f"{first.message} (met while judging "
                                        f"{charged_by}; not tried again)")
        raise ChildGoneError(first)

    def remember(self, kind: str, incident: Incident) -> None:
        """Keep an incident of ``kind`` (the current rule charges it)."""
        self.incidents.setdefault(kind, incident)
        self.charged.setdefault(kind, self.rule or INSTANTIATES)

    # -- the child -------------------------------------------------------------------------

    @property
    def installation(self) -> Installation:
        if self._installation is None:
            self.stage("installing the driver")
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
        installation = self.installation
        self.stage("starting a child")
        scratch = self.base / f"scratch-{self._children}"
        shutil.rmtree(scratch, ignore_errors=True)
        started = time.perf_counter()
        env = {"PYVISA_LIBRARY": self.pyvisa_library} if self.pyvisa_library else {}
        # a profile simulates the vendor's instrument in the child: no port to reach
        vendor_ports, dns = ((), False) if self.vendor_profile else instrument_ports(
            self.vendor_resource)
        connect = None if vendor_ports is None else (*self.ports.ports, *vendor_ports)
        self._child = Child(installation, scratch, env, connect_ports=connect, datagrams=dns)
        self._root = None
        if self._children == 1:
            self.notes.extend(self._child.confinement())
        self.timings["child starts"] = self.timings.get("child starts", 0.0) + (
            time.perf_counter() - started)
        return self._child

    def stage(self, what: str) -> None:
        """Tell the observer that ``what`` starts, within the current exercise."""
        self.progress(f"{self.exercise}: {what}" if self.exercise else what)

    def record_run(self, simulator: LiveSimulator, simulation: bool) -> None:
        """Keep the instrument a simulator served as one of the runs (see :class:`Run`).

        The identity is what it answered to ``*IDN?``. A live run is kept only
        for a model the driver supports (the exercises that offer a foreign
        identity or an unclaimed model test the driver's refusal, they are not
        setups it was tested on); a run in simulation is kept whatever the
        address served, since the driver's simulation answers in its place.
        """
        answered = _idn_reply(simulator)
        if not simulation and (answered is None or not self._supports(answered[1])):
            return
        manufacturer, model, serial, firmware = answered or ("", "", "", "")
        library, version = _visa_library(self.pyvisa_library)
        talked = bool(simulator.trace)
        run = Run(model=model, manufacturer=manufacturer, firmware=firmware, serial=serial,
                  resource=_PORT.sub("::<port>::", simulator.resource_name),
                  bus=_SIMULATOR_BUS if talked else "none (the driver performed no I/O)",
                  visa_library=library, visa_version=version, simulation=simulation)
        known = self.runs.get((model, simulation))
        if known is None or (not known.firmware and run.firmware):
            self.runs[(model, simulation)] = run

    def _supports(self, model: str) -> bool:
        """Whether ``model`` is one the driver declares (at run time, else in its files)."""
        facts = self._facts
        if facts is None:
            return False
        declared = facts.models if facts.models_from else facts.static_models
        return _folded(model) in {_folded(one) for one in declared}

    def close_child(self) -> None:
        """Close the current child and note what it wrote outside the protocol."""
        child, self._child = self._child, None
        self._root = None  # a handle of this child: the next child imports the class again
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

    def check_handle(self, ref: DriverRef) -> None:
        """Refuse a handle of a child that is gone: no other child knows it.

        After a hang or crash the driver's own incident is raised again (the
        object died with it); after a child ivi-conform ended itself (a switch
        of instrument, an idle child) it is ivi-conform's error, never the driver's.
        """
        if ref.child is self._child and ref.child.alive:
            return
        if ref.child.gone is not None and ref.child.gone.kind != "parent":
            raise ChildGoneError(ref.child.gone)
        raise RuntimeError(f"ivi-conform used a handle on {ref.label} after its child ended")

    def _use_library(self, library: str | None, note: str) -> None:
        """The children's PYVISA_LIBRARY: a change ends the current child (and its handles)."""
        if library != self.pyvisa_library:
            self.pyvisa_library = library
            self.close_child()
            if note not in self.notes:
                self.notes.append(note)

    def use_vendor_instrument(self) -> str:
        """Switch the children to the vendor's instrument; its resource name.

        ``AuditConfig.instrument_resource`` names it; with ``instrument_profile``
        (a pyvisa-sim YAML) the children open it with ``<profile>@sim``, without
        it with pyvisa's default library (a real instrument).
        """
        wanted = f"{self.vendor_profile}@sim" if self.vendor_profile else None
        self._use_library(wanted, f"generic exercises ran against {self.vendor_resource!r} "
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
        """The driver's root class, imported in the current child.

        :class:`NotRunnableError` when the import raised, hung or crashed (the
        first time; later calls repeat it without trying again).
        """
        shape = self.context.driver
        name = self.class_name
        self.remembered("import")
        if self._import_error:
            raise NotRunnableError(self._import_error)
        child = self.current  # a fresh child forgets the class: import it there again
        if self._root is None:
            started = time.perf_counter()
            try:
                reply = child.request("import", f"import {shape.package}", self.limit(),
                                      module=shape.package, attr=name)
            except ChildGoneError as gone:
                self.remember("import", gone.incident)
                if self.cut_short(gone.incident):
                    raise self.not_judged(gone.incident) from None
                raise NotRunnableError(f"importing {shape.package}: {gone.incident}") from None
            self.timings["imports"] = self.timings.get("imports", 0.0) + (
                time.perf_counter() - started)
            value = reply.value
            if reply.by_agent:
                raise NotRunnableError(f"ivi-conform's agent refused to import "
                                       f"{shape.package}: {reply.exc}", driver_fault=False)
            if not reply.ok:
                self._import_error = f"import {shape.package} raised {reply.exc}"
            elif not isinstance(value, dict) or not isinstance(value.get("value"), Remote):
                self._import_error = f"{shape.package}.{name} is not a class"
            if self._import_error:
                raise NotRunnableError(self._import_error)
            assert isinstance(value, dict)
            self._root = value["value"]
            where = value.get("file")
            if isinstance(where, str) and self.installation.paths and not where.startswith(
                    self.installation.paths[0]):
                self.notes.append(f"warning: {shape.package} was imported from {where}, not "
                                  "from the unpacked wheel")
        assert self._root is not None
        return DriverRef(self, self._root, name, child)

    def construct(self, resource: str, *, id_query: bool = True, reset: bool = False,
                  options: object = LIVE, kind: str = "live",
                  timeout: float | None = None) -> tuple[Call, DriverRef | None]:
        """``Root(resource, id_query, reset, options)`` in the child.

        ``kind`` ("live", "simulated") keys the memory of constructions that
        hung or crashed: after one, later constructions of that kind are not
        tried again (see :meth:`remembered`).
        """
        self.remembered(kind)
        root = self.root_class()
        if options is LIVE:
            options = self._facts.live if self._facts is not None else None
        args = [resource, id_query, reset, options]
        during = (f"{root.label}.__init__({resource!r}, id_query={id_query}, reset={reset}, "
                  f"options={options!r})")
        self.check_handle(root)
        try:
            reply = self.current.request("call", during, self.limit(timeout),
                                         target=root.remote.handle, path=[],
                                         args=encode_value(args))
        except ChildGoneError as gone:
            self.remember(kind, gone.incident)
            if self.cut_short(gone.incident):
                raise self.not_judged(gone.incident) from None
            raise
        if reply.by_agent:  # a request ivi-conform got wrong: never the driver's failure
            raise RuntimeError(f"ivi-conform's agent refused {during}: {reply.exc}")
        call = Call(reply.ok, reply.value, reply.exc, reply.seconds)
        if not call.ok:
            return call, None
        return call, DriverRef(self, call.value, "driver",  # type: ignore[arg-type]
                               root.child)

    # -- what the driver says about itself ---------------------------------------------------

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

    def facts(self) -> Facts:
        """What the driver declares and whether it can be instantiated, learned once.

        The package is imported in the child; the constructor is tried in
        simulation with each option form the user gave or the driver declares
        (its options ``TypedDict`` keys, the option strings its documentation
        shows), then with the IVI defaults; without simulation, against the
        live simulator. What ``supported_instrument_models`` answers then
        chooses the simulated models.
        """
        if self._facts is None:
            self.stage("probing the driver")
            started = time.perf_counter()
            facts = Facts(static_models=self._static_models())
            rule, self.rule = self.rule, INSTANTIATES  # what goes wrong here, it charges
            try:
                self._learn(facts)
            except NotJudgedError as exc:
                facts.unjudged = str(exc)
            except (NotRunnableError, ChargedElsewhereError) as exc:
                facts.failure = str(exc)
            except ChildGoneError as gone:  # e.g. the live construction hung
                facts.failure = f"{self.class_name}: {gone.incident}"
            finally:
                self.rule = rule
            self._facts = facts
            self.timings["probe"] = time.perf_counter() - started
            if facts.simulate is not None:
                self.notes.append(f"simulation switched on with options={facts.simulate!r}")
            elif not facts.failure and not facts.unjudged:
                self.notes.append("simulation could not be switched on: "
                                  + "; ".join(facts.tried))
        return self._facts

    def prerequisite(self) -> Facts:
        """The facts, for a rule that needs the driver instantiated (every runtime rule).

        :class:`ChargedElsewhereError` naming ``run-driver-instantiates`` when the
        driver cannot be imported or constructed, :class:`NotJudgedError` when
        ivi-conform could not try (a limit cut short, an instrument it lacks).
        """
        facts = self.facts()
        if facts.failure:
            raise ChargedElsewhereError(INSTANTIATES, facts.failure)
        if facts.unjudged:
            raise NotJudgedError(facts.unjudged)
        return facts

    def _static_models(self) -> list[str]:
        """Sunroof models the distribution names (keywords, literals, documents): a fallback."""
        from ivi_conform.sim import MODELS

        dist = self.context.dist
        texts = [str(keyword) for keyword in dist.metadata.get("keywords", []) or []]
        texts += [dist.text(path) for path in dist.files
                  if path.endswith((".py", ".md", ".rst", ".txt"))]
        found = {model for model in MODELS if any(model in text for text in texts)}
        return [model for model in MODELS if model in found]

    def _documented(self) -> tuple[list[str], list[str]]:
        """Option names the driver's files document: (string names, dictionary keys)."""
        dist = self.context.dist
        texts = [dist.text(path) for path in dist.files
                 if path.endswith((".py", ".md", ".rst", ".txt", ".pyi"))]
        texts.append(str(dist.metadata.get("description", "") or ""))
        strings: list[str] = []
        keys: list[str] = []
        for text in texts:
            for match in _DOCUMENTED_STRING.finditer(text):
                if match.group(1) not in strings:
                    strings.append(match.group(1))
                if match.group(2).lower() in _TRUE_WORDS:
                    self._true_values.setdefault(match.group(1), match.group(2))
            for match in _DOCUMENTED_KEY.finditer(text):
                if match.group(1) not in keys:
                    keys.append(match.group(1))
        return strings, keys

    def _learn(self, facts: Facts) -> None:
        from ivi_conform.sim import MODELS

        root = self.root_class()
        described = root.request("options", f"inspecting {root.label}.__init__'s options",
                                 self.limit())
        if described.ok and isinstance(described.value, dict):
            keys = described.value.get("keys")
            if isinstance(keys, dict):
                facts.option_keys = {str(key): str(hint) for key, hint in keys.items()}
            facts.option_hint = str(described.value.get("hint", ""))
        facts.documented_strings, facts.documented_keys = self._documented()
        ours = [model for model in facts.static_models if model in MODELS]
        probe_model = ours[0] if ours else "SR-PN200"
        with self.simulator(probe_model) as simulator:
            for options, declared in self.simulation_candidates(facts):
                try:
                    call, driver = self.construct(simulator.resource_name, options=options,
                                                  kind="simulated")
                except ChildGoneError as gone:
                    facts.failure = (f"{root.label}.__init__ with options={options!r} "
                                     f"(simulation): {gone.incident}")
                    return
                if driver is None:
                    facts.tried.append(f"options={options!r}: {call}")
                    if declared:
                        facts.declared_raised.append(f"options={options!r}: {call}")
                    continue
                enabled = driver.get("ivi_utility.simulation_enabled")
                if enabled.ok and enabled.value is True:
                    facts.simulate = options
                    facts.how = f"constructed in simulation with options={options!r}"
                    self._read_declarations(driver, facts)
                    _close(driver)
                    break
                facts.tried.append(f"options={options!r}: simulation_enabled {enabled}")
                _close(driver)
            if facts.simulate is not None:
                facts.live = self._live_options(simulator, facts.simulate)
                return
            try:
                call, driver = self.construct(simulator.resource_name, id_query=False,
                                              options=None, kind="live")
            except ChildGoneError as gone:
                facts.failure = (f"{root.label}.__init__ against a live {probe_model}: "
                                 f"{gone.incident}")
                return
            if driver is not None:
                facts.how = (f"constructed against a live {probe_model} (simulation could not "
                             "be switched on)")
                self._read_declarations(driver, facts)
                _close(driver)
                if not facts.declared_raised:
                    return
        tried = "; ".join(facts.tried)
        if facts.declared_raised:
            live = "constructs" if driver is not None else str(call)
            facts.failure = (f"{root.label}.__init__ raised in simulation with the options it "
                             f"declares ({'; '.join(facts.declared_raised)}); against a live "
                             f"{probe_model} it {live}")
        elif not ours and not self.vendor_resource:
            facts.unjudged = (f"{root.label} could not be constructed: not in simulation "
                              f"({tried}) nor against a sunroof ({call}), and the driver names "
                              "no sunroof model: ivi-conform cannot provide its instrument (give "
                              "--ivi-options, or --instrument-resource)")
        else:
            facts.failure = (f"{root.label}.__init__ raised with every option tried ({tried}) "
                             f"and against a live {probe_model} ({call})")

    def _read_declarations(self, driver: DriverRef, facts: Facts) -> None:
        """supported_instrument_models and the I/O timeout of a constructed driver."""
        models = driver.get("ivi_utility.supported_instrument_models")
        if models.ok:
            facts.models = _strings(models.value)
            facts.models_from = "supported_instrument_models"
        self.learn_timeout(driver)

    def learn_timeout(self, driver: DriverRef) -> None:
        """Read the driver's own I/O timeout (``ivi_direct_io.io_timeout_ms``), if it has one.

        ivi-conform's limits then stay above it (:meth:`fair_limit`).
        """
        timeout = driver.get("ivi_direct_io.io_timeout_ms")
        value = plain(timeout.value) if timeout.ok else None
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value:
            self.io_timeout_s = max(self.io_timeout_s, min(float(value) / 1000, 600.0))

    def simulation_candidates(self, facts: Facts) -> list[tuple[object, bool]]:
        """Option values that may switch simulation on, and whether the driver/user declared them.

        The user's (and its other form), the driver's options ``TypedDict`` keys
        and documented option strings that name simulation, then the IVI
        defaults ``{"simulate": True}`` and ``"Simulate=True"``.
        """
        found: list[tuple[object, bool]] = []

        def add(options: object, declared: bool) -> None:
            if options is not None and all(options != known for known, _ in found):
                found.append((options, declared))

        user = self.user_options()
        if user is not None:  # the user's word, not the driver's: raising with it is not charged
            add(user, False)
            add(self.other_form(user), False)
        for key, hint in facts.option_keys.items():
            if _SIMULATE.search(key) and "bool" in hint:
                add({key: True}, True)
                add(self.other_form({key: True}), True)
        for name in facts.documented_strings:
            if _SIMULATE.search(name):
                value = self._true_values.get(name, "True")
                add(f"{name}={value}", True)
                add(self.other_form(f"{name}={value}"), True)
        for key in facts.documented_keys:
            if _SIMULATE.search(key):
                add({key: True}, True)
        declared = bool(facts.option_keys) or bool(facts.documented_strings)
        add({"simulate": True}, "simulate" in facts.option_keys)
        add("Simulate=True", any(name.lower() == "simulate"
                                 for name in facts.documented_strings) and declared)
        return found

    def other_form(self, options: object) -> object:
        """The other form of ``options``: a dict as an option string, a string as a dict.

        Names map between ``snake_case`` keys and ``PascalCase`` option names
        (the driver's own ``TypedDict`` key when one matches); None when the
        value cannot be carried over.
        """
        keys = self._facts.option_keys if self._facts is not None else {}
        if isinstance(options, dict):
            parts = []
            for key, value in options.items():
                if not isinstance(value, bool | int | str):
                    return None
                shown = str(value) if not isinstance(value, bool) else ("True" if value
                                                                         else "False")
                parts.append(f"{_pascal(str(key))}={shown}")
            return ", ".join(parts)
        if isinstance(options, str):
            result: dict[str, object] = {}
            for part in re.split(r"[,;]", options):
                name, equals, value = part.partition("=")
                if not equals or not name.strip():
                    return None
                folded = name.strip().replace("_", "").lower()
                key = next((k for k in keys if k.replace("_", "").lower() == folded),
                           _snake(name.strip()))
                text = value.strip()
                result[key] = (text.lower() in ("true", "1", "vi_true")
                               if text.lower() in _BOOLEAN_WORDS else text)
            return result or None
        return None

    def status_options(self, like: object) -> object:
        """Options that switch Query Instrument Status on, in the form of ``like``."""
        facts = self.facts()
        key = next((k for k, hint in facts.option_keys.items()
                    if _STATUS.search(k) and "bool" in hint), None)
        name = next((n for n in facts.documented_strings if _STATUS.search(n)), None)
        if isinstance(like, dict):
            return {key or "query_instr_status": True}
        return f"{name or 'QueryInstrStatus'}=True"

    def _live_options(self, simulator: LiveSimulator, simulated: object) -> object:
        """Options that keep simulation off explicitly (``{"simulate": False}``...), else None.

        The live exercises pass them, so that a driver whose *default* is
        wrong (simulation on) fails the default's rule only, not every rule.
        """
        candidate = off_options(simulated)
        if candidate is None:
            return None
        try:
            call, driver = self.construct(simulator.resource_name, options=candidate,
                                          kind="live")
        except (ChildGoneError, NotJudgedError) as exc:
            # the driver simulates but hangs or crashes live: remembered under "live", it is
            # charged by the first rule that constructs live, not by the probe (the rules
            # judged in simulation still run)
            if "live" not in self.incidents:
                raise
            self.charged.pop("live", None)
            self.notes.append(f"constructing live with options={candidate!r}: {exc}")
            return None
        if driver is None:
            return None
        enabled = driver.get("ivi_utility.simulation_enabled")
        _close(driver)
        if enabled.ok and enabled.value is False:
            self.notes.append(f"live exercises pass options={candidate!r}")
            return candidate
        return None

    def simulation_options(self) -> object:
        """The options that switch simulation on; :class:`NotJudgedError` if none do."""
        facts = self.prerequisite()
        if facts.simulate is None:
            raise NotJudgedError(
                "simulation could not be switched on by any option form the driver declares "
                "or the user gave (" + "; ".join(facts.tried) + "): give the form that does "
                "with --ivi-options")
        return facts.simulate

    def sunroof_models(self) -> list[str]:
        """The sunroof models the driver supports; :class:`NotJudgedError` if none.

        From ``supported_instrument_models`` at run time, else from what the
        distribution names (keywords, literals, documents).
        """
        from ivi_conform.sim import MODELS

        facts = self.prerequisite()
        declared = facts.models if facts.models_from else facts.static_models
        # a model listed in another spelling (case, separators) is still that model: the
        # spelling is run-utility-supported-models' to judge, not a reason to run nothing
        folded = {_folded(model) for model in declared}
        ours = [model for model in MODELS if _folded(model) in folded]
        if not ours:
            raise NotJudgedError(
                f"the driver supports none of the sunroof models (supported_instrument_models: "
                f"{declared!r}): ivi-conform cannot provide that instrument, so this sunroof "
                "exercise was not run")
        return ours

    def model(self, *, panels: int = 1, slide: bool = False, tilt: bool = False) -> str:
        """A supported model with at least ``panels`` panels (and a slide, a tilt) if any.

        Falls back to a supported model with fewer panels, then to the first.
        """
        from ivi_conform.sim import MODELS

        models = self.sunroof_models()

        def fits(model: str, count: int) -> bool:
            spec = MODELS[model]
            return (spec.panels >= count and (spec.slide or not slide)
                    and (spec.tilt or not tilt))

        for count in range(panels, 0, -1):
            for model in models:
                if fits(model, count):
                    return model
        return models[0]

    def has_sunroof(self) -> bool:
        """Whether the driver supports a sunroof model (else only simulation, or the vendor's
        instrument, can run it)."""
        try:
            self.sunroof_models()
        except NotJudgedError:
            return False
        return True

    @contextmanager
    def simulation_address(self) -> Iterator[str]:
        """A resource name for a construction in simulation: a live simulator of a model the
        driver supports (else an SR-PN200), so that a driver that talks anyway gets answers.

        The children's PYVISA_LIBRARY is left as it is: in simulation nothing is opened.
        """
        from ivi_conform.sim import LiveSimulator

        model = self.sunroof_models()[0] if self.has_sunroof() else "SR-PN200"
        self.stage(f"the driver in simulation ({model} simulator at its address)")
        with self.ports.lease() as port, \
                LiveSimulator(model, port=port, time_scale=TIME_SCALE) as simulator:
            try:
                yield simulator.resource_name
            finally:
                self.record_run(simulator, simulation=True)

    @contextmanager
    def simulated(self, options: object = None, kind: str = "simulated"
                  ) -> Iterator[tuple[Call, DriverRef | None]]:
        """The driver constructed in simulation: with ``options``, by default the ones found
        to switch simulation on (:class:`NotJudgedError` if none do); closed afterwards.

        ``kind`` keys the memory of constructions that hung (see :meth:`construct`).
        """
        if options is None:
            options = self.simulation_options()
        with self.simulation_address() as resource:
            call, driver = self.construct(resource, options=options, kind=kind)
            try:
                yield call, driver
            finally:
                if driver is not None:
                    _close(driver)

    def with_status(self, simulate: object) -> object:
        """``simulate`` (the options that switch simulation on) plus the status option on."""
        status = self.status_options(simulate)
        if isinstance(simulate, dict) and isinstance(status, dict):
            return {**simulate, **status}
        return f"{simulate}, {status}"

    @contextmanager
    def simulator(self, model: str = "SR-PN200", manufacturer: str | None = None,
                  time_scale: float = TIME_SCALE) -> Iterator[LiveSimulator]:
        """A live simulator of ``model``, started by the parent for one exercise."""
        from ivi_conform.sim import LiveSimulator

        # the simulator is reached over TCP through pyvisa-py, whatever the vendor's library
        self._use_library("@py", "sunroof exercises ran against the live simulator "
                          "(PYVISA_LIBRARY=@py)")
        kwargs: dict[str, object] = {"time_scale": time_scale}
        if manufacturer is not None:
            kwargs["manufacturer"] = manufacturer
        self.stage(f"{model} simulator")
        with self.ports.lease() as port, \
                LiveSimulator(model, port=port, **kwargs) as simulator:  # type: ignore[arg-type]
            try:
                yield simulator
            finally:
                self.record_run(simulator, simulation=False)


@dataclass
class Facts:
    """What one audit learned once about the driver (see :meth:`Harness.facts`)."""

    static_models: list[str] = field(default_factory=list)
    #: run-driver-instantiates fails with this: the driver cannot be imported or constructed.
    failure: str = ""
    #: ivi-conform could not try (a limit cut short, an instrument it cannot provide).
    unjudged: str = ""
    #: How the driver was instantiated (the evidence of run-driver-instantiates).
    how: str = ""
    simulate: object = None
    live: object = None
    tried: list[str] = field(default_factory=list)
    declared_raised: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    models_from: str = ""
    option_keys: dict[str, str] = field(default_factory=dict)
    #: The constructor's hint of ``options`` ("Options | str | None"), "" when unknown.
    option_hint: str = ""
    documented_strings: list[str] = field(default_factory=list)
    documented_keys: list[str] = field(default_factory=list)


#: An option name about simulation: ``simulate``, ``Simulation``, ``sim``, ``SimMode``...
_SIMULATE = re.compile(r"[Ss]imul|(?:^|_)[Ss]im(?:$|_|[A-Z])")
_STATUS = re.compile(r"(query|check).*status|status.*(query|check)", re.IGNORECASE)
#: ``Name=True`` (any PascalCase name with a Boolean value) in a document or docstring.
_DOCUMENTED_STRING = re.compile(
    r"(?<![\w.])([A-Z][A-Za-z]*)"
    r"\s*=\s*(True|False|true|false|TRUE|FALSE|[01]|VI_TRUE|VI_FALSE|On|Off|ON|OFF|on|off)\b")
#: The documented values that switch an option on.
_TRUE_WORDS = frozenset({"true", "1", "vi_true", "on"})
_DOCUMENTED_KEY = re.compile(r"[\"'](\w*sim\w*)[\"']\s*:\s*True", re.IGNORECASE)
_BOOLEAN_WORDS = frozenset({"true", "false", "1", "0", "vi_true", "vi_false"})


def off_options(simulated: object) -> object:
    """The options ``simulated`` (one option that switches simulation on) switched off, or None."""
    if isinstance(simulated, dict) and len(simulated) == 1:
        return {key: False for key in simulated}
    if isinstance(simulated, str) and re.fullmatch(r"\s*\w+\s*=\s*\w+\s*", simulated):
        return simulated.split("=")[0].strip() + "=False"
    return None


#: The port of a simulator's resource name: leased per audit, so not a fact about the run.
_PORT = re.compile(r"::\d+::")
#: The bus of every simulator: the driver reaches it through pyvisa over TCP.
_SIMULATOR_BUS = "LAN (raw TCP socket on the loopback interface, ivi-conform's simulator)"
#: The package behind each PYVISA_LIBRARY the children are given.
_VISA_PACKAGES = {"@py": "pyvisa-py", "@sim": "pyvisa-sim"}


def _idn_reply(simulator: LiveSimulator) -> tuple[str, str, str, str] | None:
    """(manufacturer, model, serial, firmware) as the simulator first answered ``*IDN?``."""
    trace = simulator.trace
    for asked, answer in zip(trace, trace[1:], strict=False):
        if (asked.direction == "in" and asked.message.strip().upper().startswith("*IDN?")
                and answer.direction == "out"):
            parts = [part.strip() for part in answer.message.split(",")]
            if len(parts) == 4:
                return parts[0], parts[1], parts[2], parts[3]
    return None


def _visa_library(library: str | None) -> tuple[str, str]:
    """The VISA implementation a child's PYVISA_LIBRARY names, and its installed version.

    The children run the parent's interpreter, so the parent's installed
    version is theirs.
    """
    suffix = "@sim" if library is not None and library.endswith("@sim") else library
    package = _VISA_PACKAGES.get(suffix or "", "")
    if not package:
        return "pyvisa's default library", ""
    try:
        return package, importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return package, ""


def _folded(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _pascal(key: str) -> str:
    """``query_instr_status`` -> ``QueryInstrStatus`` (a PascalCase name stays as it is)."""
    if "_" not in key and key[:1].isupper():
        return key
    return "".join(part[:1].upper() + part[1:] for part in key.split("_") if part)


def _snake(name: str) -> str:
    """``QueryInstrStatus`` -> ``query_instr_status``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _close(driver: DriverRef) -> None:
    """Close a driver the harness constructed for itself (best effort) and drop its handle."""
    with contextlib.suppress(Exception):
        driver.call("close", timeout=5.0)
    with contextlib.suppress(Exception):
        driver.harness.check_handle(driver)  # a child that is gone took its handles with it
        driver.harness.current.request("release", "releasing a handle", 5.0,
                                       handles=[driver.remote.handle])


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
