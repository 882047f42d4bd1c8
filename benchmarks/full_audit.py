"""How long a full audit of the reference driver takes, behaviour included, end to end.

Usage: ``python benchmarks/full_audit.py [--target DIR] [--repeat N]``

Runs :func:`ivi_conform.engine.audit` on the reference driver (or
``--target``) with the whole catalog, static and runtime rules, as the
command line does, and prints the total and its breakdown:

* the wheel build (the candidate's own backend, in child processes);
* the static rules (all of them, together);
* the sandbox's shared stages: unpacking the wheel, starting children,
  importing the driver in them, the simulation probe;
* each group of behavioural exercises (one module of
  ``ivi_conform/behaviour/exercises``), with its slowest rule.

The aim is a total under 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivi_conform.behaviour.exercises import registry  # noqa: E402
from ivi_conform.candidate import load  # noqa: E402
from ivi_conform.context import AuditConfig, AuditContext  # noqa: E402
from ivi_conform.engine import audit, run_audit  # noqa: E402
from ivi_conform.model import Judged  # noqa: E402


def breakdown(target: str) -> None:
    """One audit, timed stage by stage (the same work as audit, split open)."""
    with tempfile.TemporaryDirectory(prefix="ivi-conform-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        dist = load(target, work_dir=work)
        built = time.perf_counter() - started
        context = AuditContext(dist, AuditConfig(), work)
        result = run_audit(context)
        total = time.perf_counter() - started
        static = sum(r.seconds for r in result.results if r.rule.judged is Judged.STATIC)
        runtime = context.runtime
        exercises = registry()
        groups: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for rule_id, seconds in runtime.timings.items():
            module = exercises[rule_id].__module__.rsplit(".", 1)[-1]
            groups[module].append((seconds, rule_id))
        runtime.close()
        print(f"total (load + audit)   {total:6.2f} s   verdict {result.verdict.value}, "
              f"{result.counts()}")
        print(f"  build the wheel      {built:6.2f} s")
        print(f"  static rules         {static:6.2f} s")
        for stage, seconds in runtime.stages.items():
            print(f"  sandbox: {stage:<12}{seconds:6.2f} s")
        for module, rows in sorted(groups.items(), key=lambda item: -sum(s for s, _ in item[1])):
            slowest = max(rows)
            print(f"  exercises {module:<11}{sum(s for s, _ in rows):6.2f} s   "
                  f"({len(rows)} rules; slowest {slowest[1]} {slowest[0]:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=str(ROOT / "fixtures" / "reference"))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="ivi-conform-bench-") as tmp:
            started = time.perf_counter()
            result = audit(args.target, AuditConfig(), Path(tmp))
            seconds = time.perf_counter() - started  # the audit closed its driver's process
        print(f"audit end to end: {seconds:.2f} s ({result.verdict.value})")
    breakdown(args.target)


if __name__ == "__main__":
    main()
