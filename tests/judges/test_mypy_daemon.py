"""mypy's daemon, when asked for, judges as mypy's batch mode does; one that fails is replaced.

A generated driver is one import cycle, which mypy's batch mode checks again
whole after any change (15 to 25 s for 5,000 modules); its daemon checks
what the change reaches. ``IVI_CONFORM_MYPY_DAEMON`` asks for it; its
findings must be those of the batch run on the same files, change after
change, and a daemon that fails must cost time, never the verdict.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivi_conform.judges import mypy as mypy_judge


@pytest.fixture
def package(request: pytest.FixtureRequest) -> Iterator[str]:
    """A package of the test's own name; its daemon, if one was started, is ended after it."""
    name = "daemon_" + request.node.name.removeprefix("test_")[:40]
    yield name
    folder = mypy_judge.cache_dir()
    assert folder is not None
    mypy_judge.stop_daemon(folder / "sources" / name)


def _files(package: str, **modules: str) -> dict[str, bytes]:
    return {f"{package}/__init__.py": b"", f"{package}/py.typed": b"",
            **{f"{package}/{name}.py": text.encode() for name, text in modules.items()}}


#: Three versions of a package, each with errors of its own kind.
VERSIONS = [
    {"core": "def answer() -> int:\n    return 'x'\n",
     "group": "from .core import answer\n\n\ndef twice() -> str:\n    return answer() * 2\n"},
    {"core": "def answer() -> str:\n    return 'x'\n",  # group's error goes, its caller's comes
     "group": "from .core import answer\n\n\ndef twice() -> str:\n    return answer() * 2\n",
     "caller": "from .group import twice\n\nVALUE: int = twice()\n"},
    {"core": "def answer() -> str:\n    return 'x'\n",  # a module gone, an import unresolved
     "caller": "import not_installed_anywhere\nfrom .core import answer\n\nVALUE: int = 3\n"},
]


def _verdict(run: mypy_judge.MypyRun) -> tuple[object, ...]:
    return (run.problem, sorted((e.file, e.line, e.detail) for e in run.errors),
            {file: sorted(names) for file, names in run.unresolved.items()})


def test_the_daemon_judges_as_mypy_does_change_after_change(
        tmp_path: Path, package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for number, version in enumerate(VERSIONS):
        files = _files(package, **version)
        monkeypatch.setenv(mypy_judge.DAEMON_VARIABLE, "600")
        kept = mypy_judge.run(files, package, tmp_path / f"daemon{number}")
        assert "mypy.dmypy" in kept.command, "the daemon judged"
        monkeypatch.delenv(mypy_judge.DAEMON_VARIABLE)
        batch = mypy_judge.run(files, package, tmp_path / f"batch{number}")
        assert "mypy.dmypy" not in batch.command
        assert kept.errors or kept.unresolved, "each version has something to find"
        assert _verdict(kept) == _verdict(batch), f"version {number}"


def test_a_daemon_that_fails_is_stopped_and_mypy_judges(
        tmp_path: Path, package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stopped: list[Path] = []
    monkeypatch.setenv(mypy_judge.DAEMON_VARIABLE, "on")
    monkeypatch.setattr(mypy_judge, "_daemon_command", lambda *_: (
        sys.executable, "-c", "import sys; print('Daemon crashed!'); sys.exit(2)"))
    monkeypatch.setattr(mypy_judge, "stop_daemon", stopped.append)
    files = _files(package, **VERSIONS[0])
    ran = mypy_judge.run(files, package, tmp_path / "work")
    assert not ran.problem and "mypy.dmypy" not in ran.command
    assert sorted(error.file for error in ran.errors) == [f"{package}/core.py",
                                                          f"{package}/group.py"]
    assert [folder.name for folder in stopped] == [package]


@pytest.mark.parametrize(("value", "seconds"), [
    ("", 0), ("0", 0), ("off", 0), ("on", mypy_judge.DEFAULT_DAEMON_IDLE_S),
    ("1", mypy_judge.DEFAULT_DAEMON_IDLE_S), ("120", 120), ("90.5", 90), ("soon", 0)])
def test_the_daemon_is_used_only_when_asked_for(
        value: str, seconds: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mypy_judge.DAEMON_VARIABLE, value)
    assert mypy_judge.daemon_idle_s() == seconds
