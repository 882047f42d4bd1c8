"""Behavioural conformance: run a candidate driver in a child process against the simulator.

The candidate's code never runs in ivi-conform's own process. The parent
(:mod:`~ivi_conform.behaviour.sandbox`) starts a child interpreter that runs
:mod:`~ivi_conform.behaviour.agent`, a standalone script that imports the
driver and executes the steps the parent sends over a JSON-lines protocol
(:mod:`~ivi_conform.behaviour.protocol`). The parent starts the simulators,
keeps the time limits and kills the child when the driver hangs, crashes or
misbehaves. :mod:`~ivi_conform.behaviour.runner` drives the exercises and
:mod:`~ivi_conform.behaviour.results` holds what they observed, which the
``run-*`` checks judge.
"""
