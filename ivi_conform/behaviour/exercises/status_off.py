"""Status checking off: API calls send no status query and leave instrument errors queued."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivi_conform.behaviour.api import (
    STATUS_QUERIES,
    Step,
    Walker,
    api_members,
    commands_of,
    covering_models,
    restore,
)
from ivi_conform.behaviour.exercises import (
    ChargedElsewhereError,
    Harness,
    exercise,
    live_driver,
    sunroof_models,
)
from ivi_conform.sim import ErrorCode

if TYPE_CHECKING:
    from ivi_conform.behaviour.results import Observation

#: The error left in the queue during every call: nothing the walk itself provokes.
MARKER = ErrorCode.OBSTRUCTION_DETECTED


def status_checks(step: Step, panels: int) -> list[str]:
    """The status queries a call sent after an instrument command of its own.

    A call made only of status queries reads the status on purpose
    (``error_query``, an error count): that is its job, not a check. A
    status query after a query that got no reply explains the missing reply
    (the instrument refuses a query by queueing an error instead): allowed.
    """
    found: list[str] = []
    accessed = unanswered = False
    pending: str | None = None
    for entry in step.entries:
        if entry.direction == "out":
            pending = None
            continue
        if pending is not None:
            unanswered = True
        names = commands_of(entry.message, panels)
        status = bool(names) and all(name in STATUS_QUERIES for name in names)
        if status and accessed and not unanswered:
            found.append(entry.message)
        if not status:
            accessed = True
        pending = entry.message if "?" in entry.message else None
    return found


@exercise("run-errors-status-off-silent")
def status_off_silent(harness: Harness, obs: Observation) -> None:
    """With status checking off, every API call leaves the status alone.

    Every property is read and written back and every method called once
    against the live simulator, with one error (201) queued before each call.
    A call that sends an instrument command and then a status query fails;
    so does one that removes the queued error without a status query being
    its whole purpose. A call that raises the queued error is the defect
    ``run-errors-status-checking`` charges.
    """
    models = sunroof_models(harness)
    name = harness.class_name
    model = covering_models(models)[0]
    with harness.simulator(model) as simulator, live_driver(
            harness, simulator, status=False) as driver:
        panels = simulator.instrument.panel_count

        def before() -> None:
            restore(simulator)
            simulator.faults.error_burst(1, MARKER)

        walker = Walker(driver, simulator, before)
        steps = walker.walk(api_members(driver))
        restore(simulator)
    checked = 0
    for step in steps:
        if not step.sent:
            continue
        checked += 1
        names = [n for message in step.sent for n in commands_of(message, panels)]
        reader = bool(names) and all(n in STATUS_QUERIES or n == "*CLS" for n in names)
        queries = status_checks(step, panels)
        raised = not step.call.ok and step.call.exc is not None and (
            str(int(MARKER)) in step.call.exc.message or "obstruction" in
            step.call.exc.message.lower())
        if raised and not reader:
            raise ChargedElsewhereError("run-errors-status-checking", (
                f"with query_instrument_status_enabled False, {name}.{step.shown} raised the "
                f"error queued before it ({step.call.exc}); trace: {step.trace()}"))
        if queries:
            obs.problem(f"{name}.{step.shown}", (
                "with query_instrument_status_enabled False it queried the status after its "
                f"command ({', '.join(queries)}), {_ended(step)}"
                f"{'' if int(MARKER) in step.queued else ' and dropped the queued error'}; "
                f"trace: {step.trace()}"))
    obs.note(name, f"{checked} calls with I/O against a {model}, status checking off")
    obs.ok = (f"with status checking off, {checked} API calls sent no status query and left "
              "the queued error for error_query")
    obs.bad = "{n} API call(s) query the status with status checking off"


def _ended(step: Step) -> str:
    return "returned" if step.call.ok else f"raised {step.call.exc}"
