"""mypy's incremental cache, shared by audits, never takes a changed module as unchanged.

mypy skips reading a module whose size and whole-second time stamp match
its cache. Two variants of one package audited in a row, each module
rewritten at the same size within the same second, once made the second
audit report the first variant's errors. The extracted files are stamped
with a time made from their bytes: the shortcut then compares contents.
The package's folder in the cache is shared by its audits, one at a time.
The tests use the session's cache (the standard library analysed once),
each with a package of its own name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ivi_conform.judges import mypy as mypy_judge

#: One module whose return annotation decides mypy's verdict: int holds, str does not.
_MODULE = "def answer() -> {kind}:\n    return 42\n"


@pytest.fixture
def package(request: pytest.FixtureRequest) -> str:
    """A package name of the test's own, so that tests sharing the cache never meet."""
    name: str = request.node.name
    return "flip_" + name.removeprefix("test_")[:40]


@pytest.fixture
def shared_cache() -> Path:
    """mypy's cache shared by the audits of the session (tests/conftest.py places it)."""
    folder = mypy_judge.cache_dir()
    assert folder is not None
    return folder


def _files(package: str, kind: str, **more: bytes) -> dict[str, bytes]:
    return {f"{package}/__init__.py": b"", f"{package}/py.typed": b"",
            f"{package}/answer.py": _MODULE.format(kind=kind).encode(),
            **{f"{package}/{name}.py": data for name, data in more.items()}}


def test_a_same_size_rewrite_in_the_same_second_is_checked_again(
        tmp_path: Path, package: str, shared_cache: Path) -> None:
    good, bad = _files(package, "int"), _files(package, "str")
    assert len(good[f"{package}/answer.py"]) == len(bad[f"{package}/answer.py"])

    first = mypy_judge.run(good, package, tmp_path / "first")
    assert not first.problem and not first.errors
    assert list(shared_cache.rglob(f"{package}/answer.meta.*")), "mypy cached the module"
    second = mypy_judge.run(bad, package, tmp_path / "second")
    assert [(error.file, error.line) for error in second.errors] == [(f"{package}/answer.py", 2)]
    third = mypy_judge.run(good, package, tmp_path / "third")
    assert not third.problem and not third.errors, "and back, served from the cache"


def test_the_stamp_is_a_function_of_the_bytes_in_whole_seconds(
        tmp_path: Path, package: str) -> None:
    stamps = {}
    for name, kind in (("good", "int"), ("bad", "str"), ("again", "int")):
        mypy_judge._extract(_files(package, kind), package, tmp_path / name)
        stamps[name] = os.stat(tmp_path / name / package / "answer.py").st_mtime_ns
    assert stamps["good"] == stamps["again"], "the same bytes, the same stamp"
    assert stamps["good"] // 10**9 != stamps["bad"] // 10**9, "another second for other bytes"
    assert all(stamp % 10**9 == 0 for stamp in stamps.values())


def test_a_stamp_blind_to_the_bytes_would_let_mypy_keep_the_old_verdict(
        tmp_path: Path, package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure the stamps prevent: one second's time of writing for both variants."""
    one_second = mypy_judge.content_mtime(b"")
    monkeypatch.setattr(mypy_judge, "content_mtime", lambda data: one_second)
    mypy_judge.run(_files(package, "int"), package, tmp_path / "first")
    stale = mypy_judge.run(_files(package, "str"), package, tmp_path / "second")
    assert not stale.problem and not stale.errors, "mypy took the rewrite as unchanged"


def test_the_package_folder_keeps_unchanged_files_and_drops_the_ones_not_shipped(
        tmp_path: Path, package: str, shared_cache: Path) -> None:
    with_extra = _files(package, "int", extra=b"broken: int = 'text'\n")
    first = mypy_judge.run(with_extra, package, tmp_path / "first")
    assert [error.file for error in first.errors] == [f"{package}/extra.py"]
    folder = shared_cache / "sources" / package / "src" / package
    kept = os.stat(folder / "__init__.py").st_ctime_ns

    second = mypy_judge.run(_files(package, "str"), package, tmp_path / "second")
    assert [error.file for error in second.errors] == [f"{package}/answer.py"], "extra.py gone"
    assert not (folder / "extra.py").exists()
    assert os.stat(folder / "__init__.py").st_ctime_ns == kept, "an unchanged file stays"


def test_an_audit_finding_the_package_folder_in_use_extracts_to_its_own(
        tmp_path: Path, package: str, shared_cache: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    folder = shared_cache / "sources" / package
    folder.mkdir(parents=True)
    with open(folder / ".lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another audit's mypy run
        ran = mypy_judge.run(_files(package, "str"), package, tmp_path / "own")
    assert [error.file for error in ran.errors] == [f"{package}/answer.py"]
    assert (tmp_path / "own" / "src" / package / "answer.py").is_file()
    assert not (folder / "src").exists()
