"""ivi-conform holds itself to what it asks of drivers: mypy --strict and a clean lint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False,
        timeout=600,
    )


def test_mypy_strict_finds_nothing_in_ivi_conform(tmp_path: Path) -> None:
    done = _run("mypy", "--cache-dir", str(tmp_path / "mypy"))  # [tool.mypy] is strict
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_finds_nothing_in_the_project() -> None:
    done = _run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr
