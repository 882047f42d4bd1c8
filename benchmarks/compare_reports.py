"""Compare the rules (outcome, message, evidence) of static audits before and after a change.

Usage: ``python benchmarks/compare_reports.py snapshot DIR [TARGET ...]`` writes one
JSON of rules per target into DIR; ``python benchmarks/compare_reports.py diff OLD NEW``
prints every rule that differs and exits 1 if any does.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGETS = (
    *sorted(str(p) for p in (ROOT / "fixtures" / "corpus").glob("*") if p.name != "broken"),
    "rsmxo", "RsInstrument", "nidmm", "pymeasure", "qcodes",
)


_TIMING = re.compile(r"\(\d+(?:\.\d+)? s of mypy")


def _slug(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", target.replace(str(ROOT), "")).strip("_")


def snapshot(out: Path, targets: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for target in targets:
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [sys.executable, "-m", "ivi_conform", "audit", target, "--static",
                 "--report-dir", tmp, "--formats", "summary", "--release-date", "2026-12-06"],
                capture_output=True, text=True, check=False, cwd=ROOT)
            report = Path(tmp) / "report.json"
            if not report.exists():
                rules: object = {"error": done.returncode, "stderr": done.stderr[-2000:]}
            else:
                data = json.loads(report.read_text(encoding="utf-8"))
                rules = {rule["id"]: {key: rule.get(key) for key in ("outcome", "message",
                                                                      "evidence")}
                         for rule in data["rules"]}
                for rule in rules.values():  # how long mypy took is no part of the verdict
                    rule["message"] = _TIMING.sub("(N s of mypy", str(rule["message"]))
            (out / f"{_slug(target)}.json").write_text(
                json.dumps(rules, indent=1, sort_keys=True), encoding="utf-8")
            print(f"{target}: exit {done.returncode}", flush=True)


def _normalised(rules: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    for rule in rules.values():  # how long mypy took is no part of the verdict
        if isinstance(rule, dict) and isinstance(rule.get("message"), str):
            rule["message"] = _TIMING.sub("(N s of mypy", str(rule["message"]))
    return rules


def diff(old: Path, new: Path) -> int:
    differing = 0
    for before in sorted(old.glob("*.json")):
        after = new / before.name
        if not after.exists():
            print(f"{before.stem}: missing after")
            differing += 1
            continue
        a = _normalised(json.loads(before.read_text(encoding="utf-8")))
        b = _normalised(json.loads(after.read_text(encoding="utf-8")))
        changed = sorted(rule for rule in set(a) | set(b) if a.get(rule) != b.get(rule))
        evidence = sum(len(found) for r in a.values() if isinstance(r, dict)
                       and isinstance(found := r.get("evidence"), list))
        print(f"{before.stem}: {len(a)} rules, {evidence} evidence items: "
              + ("identical" if not changed else f"{len(changed)} differ: {', '.join(changed)}"))
        differing += bool(changed)
    return 1 if differing else 0


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(Path(sys.argv[2]), sys.argv[3:] or list(DEFAULT_TARGETS))
    else:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
