"""The warm mypy child: mypy imported while the audit hashes and extracts, then one run.

Its verdict must be the one a fresh ``python -m mypy`` gives; a child that
could not start or has ended is replaced by a fresh process, and a child
no run took is ended with the audit (its input closed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ivi_conform.judges import mypy as mypy_judge

#: A module with one error on line 2 and an unresolved import on line 3.
_MODULE = b"def answer() -> str:\n    return 42\nimport not_installed_anywhere\n"


@pytest.fixture
def package(request: pytest.FixtureRequest) -> str:
    """A package name of the test's own (the session shares mypy's cache)."""
    name: str = request.node.name
    return "warm_" + name.removeprefix("test_")[:40]


def _files(package: str) -> dict[str, bytes]:
    return {f"{package}/__init__.py": b"", f"{package}/py.typed": b"",
            f"{package}/answer.py": _MODULE}


def _said(run: mypy_judge.MypyRun) -> tuple[object, ...]:
    return (run.problem, run.errors, dict(run.unresolved), run.files)


def test_the_warm_child_gives_the_fresh_process_s_verdict(tmp_path: Path, package: str) -> None:
    fresh = mypy_judge.run(_files(package), package, tmp_path / "fresh")
    child = mypy_judge.WarmChild()
    warm = mypy_judge.run(_files(package), package, tmp_path / "warm", warm=child)
    assert child.take() is None, "the run took the child"
    assert _said(warm) == _said(fresh)
    assert [(error.file, error.line) for error in warm.errors] == [(f"{package}/answer.py", 2)]
    assert warm.unresolved == {f"{package}/answer.py": frozenset({"not_installed_anywhere"})}


def test_an_ended_child_is_replaced_by_a_fresh_process(tmp_path: Path, package: str) -> None:
    child = mypy_judge.WarmChild()
    assert child._started is not None
    process = child._started.process
    process.kill()
    process.wait()
    run = mypy_judge.run(_files(package), package, tmp_path / "run", warm=child)
    assert not run.problem
    assert [(error.file, error.line) for error in run.errors] == [(f"{package}/answer.py", 2)]


def test_a_child_no_run_took_ends_with_the_audit() -> None:
    child = mypy_judge.WarmChild()
    assert child._started is not None
    process = child._started.process
    assert process.poll() is None
    child.close()
    assert process.poll() is not None, "closed: the child ended"
    assert child.take() is None
