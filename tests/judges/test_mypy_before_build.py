"""mypy started on a folder's package while its wheel is built, taken only for the same bytes.

The build of a folder is a child process of a second or two, during which
the second core is idle; mypy starts there on the package the folder holds.
The audit takes that run only when the wheel ships the very files mypy read:
otherwise it runs mypy on the wheel's, after the early run has ended.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from ivi_conform.candidate import Distribution
from ivi_conform.context import JUDGES_AHEAD_FROM, AuditConfig, AuditContext
from ivi_conform.engine import audit
from ivi_conform.judges import mypy as mypy_judge

MODULES = JUDGES_AHEAD_FROM


class Runs:
    """A stand-in for mypy: each run records its package and files, and says which it was."""

    def __init__(self) -> None:
        self.packages: list[str] = []
        self.files: list[dict[str, bytes]] = []
        #: Set to hold the next run until the test lets it end.
        self.hold: threading.Event | None = None
        self.order: list[str] = []

    def __call__(self, files: Mapping[str, bytes], package: str, work: Path,
                 extracted: object = None, warm: object = None) -> mypy_judge.MypyRun:
        number = len(self.packages)
        self.packages.append(package)
        self.files.append(dict(files))
        hold, self.hold = self.hold, None
        if hold is not None:
            hold.wait(10)
        self.order.append(f"end {number}")
        return mypy_judge.MypyRun((), 0.0, len(files), problem=f"run {number} on {package}")


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    fake = Runs()
    monkeypatch.setattr(mypy_judge, "run", fake)
    return fake


def _write_package(root: Path, package: str, modules: int = MODULES) -> dict[str, bytes]:
    """A package of ``modules`` modules below ``root``; its files by wheel path."""
    files = {f"{package}/__init__.py": b'"""A driver."""\n', f"{package}/py.typed": b""}
    files.update({f"{package}/group/m{number}.py": f"VALUE{number} = {number}\n".encode()
                  for number in range(modules)})
    files[f"{package}/group/__init__.py"] = b""
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return files


def _context(tmp_path: Path, files: Mapping[str, bytes]) -> AuditContext:
    dist = Distribution(origin=str(tmp_path), kind="folder", metadata={"name": "xy-dmm"},
                        metadata_problems=(), files=dict(files))
    return AuditContext(dist, AuditConfig(static_only=True), tmp_path / "work")


def test_the_package_named_like_the_project_is_read_from_src_without_caches_or_other_files(
        tmp_path: Path, runs: Runs) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "Xy.Dmm"\n', encoding="utf-8")
    files = _write_package(tmp_path / "src", "xy_dmm")
    _write_package(tmp_path / "src", "helpers")  # a second package: the name tells
    (tmp_path / "src" / "xy_dmm" / "README.txt").write_text("not for mypy", encoding="utf-8")
    (tmp_path / "src" / "xy_dmm" / "__pycache__").mkdir()
    (tmp_path / "src" / "xy_dmm" / "__pycache__" / "stale.py").write_text("x = (", "utf-8")
    early = mypy_judge.before_build(tmp_path, tmp_path / "work")
    assert early is not None and early.package == "xy_dmm"
    assert early.run.result().problem == "run 0 on xy_dmm"
    assert early.files.result() == files == runs.files[0]


def test_a_small_package_or_none_to_tell_starts_nothing(tmp_path: Path, runs: Runs) -> None:
    _write_package(tmp_path / "small", "tiny", modules=MODULES - 3)
    assert mypy_judge.before_build(tmp_path / "small", tmp_path / "work") is None
    _write_package(tmp_path / "two", "alpha")
    _write_package(tmp_path / "two", "beta")  # two packages, no project name to choose by
    assert mypy_judge.before_build(tmp_path / "two", tmp_path / "work") is None
    assert runs.packages == []


def test_the_run_is_the_audits_when_the_wheel_ships_the_very_bytes(
        tmp_path: Path, runs: Runs) -> None:
    files = _write_package(tmp_path / "folder", "xydmm")
    early = mypy_judge.before_build(tmp_path / "folder", tmp_path / "work")
    assert early is not None
    context = _context(tmp_path, {**files, "xydmm-1.0.dist-info/METADATA": b"Name: xy-dmm\n"})
    mypy_judge.adopt(context, early)
    assert mypy_judge.warm_child(context) is None, "no second mypy interpreter is started"
    assert mypy_judge.mypy_of(context).problem == "run 0 on xydmm"
    assert runs.packages == ["xydmm"], "one run: the one started beside the build"


def test_a_module_the_backend_rewrote_is_judged_from_the_wheel_after_the_early_run_ends(
        tmp_path: Path, runs: Runs) -> None:
    files = _write_package(tmp_path / "folder", "xydmm")
    hold = runs.hold = threading.Event()
    early = mypy_judge.before_build(tmp_path / "folder", tmp_path / "work")
    assert early is not None
    shipped = {**files, "xydmm/group/m3.py": b"VALUE3: str = 3\n"}  # e.g. a build hook's rewrite
    context = _context(tmp_path, shipped)
    mypy_judge.adopt(context, early)
    assert context.fact(mypy_judge.superseded) is early.run
    mypy_judge.start(context)  # the audit's own run waits for the early one, which holds on
    assert runs.order == [], "the early run still holds mypy's folder: nothing else ran"
    hold.set()
    assert mypy_judge.mypy_of(context).problem == "run 1 on xydmm"
    assert runs.order == ["end 0", "end 1"]
    assert runs.files[1] == mypy_judge.package_files(shipped, "xydmm")


def test_an_audit_of_a_folder_takes_the_run_started_beside_its_build(
        tmp_path: Path, runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    folder = tmp_path / "xy-dmm"
    (folder / "src").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "xy-dmm"\nversion = "1.0"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/xydmm"]\n', encoding="utf-8")
    _write_package(folder / "src", "xydmm")
    config = AuditConfig(static_only=True, select=frozenset({mypy_judge.RULE_ID}))
    result = audit(str(folder), config, tmp_path / "work")
    assert result.context is not None
    assert result.context.fact_if_computed(mypy_judge.ahead) is not None
    assert runs.packages == ["xydmm"], "mypy ran once, beside the build"
    assert "run 0 on xydmm" in result.results[0].message
