"""The whole suite's ground: its cache and its worker count.

**Cache.** ivi-conform's cache goes to a temporary folder, never the user's.

Audits cache ruff's findings and mypy's analysis between runs
(``ivi_conform.cache``); left alone, the suite would read and write
``~/.cache/ivi-conform``, so that one run's results could depend on the
last. Each test process (the controller, or each pytest-xdist worker) gets
a cache folder of its own for the session, removed at its end; tests of the
cache itself set their own folder.

**Workers.** The slow tests are audits, and an audit mostly waits
(simulated motion, a driver's own I/O timeouts, child processes starting),
so ``-n auto`` runs two workers per core (at most 16: each holds a child
interpreter and simulators).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

#: The variables that place ivi-conform's caches, and their values before the session.
_CACHE_VARIABLES = ("IVI_CONFORM_CACHE", "IVI_CONFORM_MYPY_CACHE")
_before: dict[str, str | None] = {}
_folders: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Point ivi-conform's caches to a folder of this process's own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = tempfile.mkdtemp(prefix=f"ivi-conform-cache-{worker}-")
    _folders.append(folder)
    for name in _CACHE_VARIABLES:
        _before[name] = os.environ.pop(name, None)
    os.environ["IVI_CONFORM_CACHE"] = folder  # mypy's cache goes below it


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's cache and give the variables back their values."""
    for name, value in _before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for folder in _folders:
        shutil.rmtree(folder, ignore_errors=True)
    _folders.clear()


#: Workers per available core under ``-n auto``, and the most workers.
WORKERS_PER_CORE = 2
MOST_WORKERS = 16


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers per core the process may use: audits wait more than they compute."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MOST_WORKERS, WORKERS_PER_CORE * (cores or 1)))

