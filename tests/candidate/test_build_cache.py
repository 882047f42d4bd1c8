"""The wheel built from a source folder is reused by a re-audit of the same source, never stale.

Each test copies the reference driver into its own folder and points
``IVI_CONFORM_CACHE`` to a folder of its own. Whether the backend ran is
counted by wrapping ``candidate._run_backend`` (the copy and the build): a
hit must not call it, a miss must, and the wheel a miss gives must hold the
change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ivi_conform import candidate, wheel_cache
from ivi_conform.candidate import Distribution

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
MODULE = "sksunroof/errors.py"


@dataclasses.dataclass
class Builds:
    """How often the backend ran, and whether it may run at all."""

    count: int = 0
    allowed: bool = True
    isolated: bool = False


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Builds:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SETUPTOOLS_SCM_PRETEND_VERSION", raising=False)
    counted = Builds()
    real = candidate._run_backend

    def run_backend(folder: Path, source: Path, out: Path) -> candidate._Built:
        assert counted.allowed, "the backend ran on a cache hit"
        counted.count += 1
        built = real(folder, source, out)
        return dataclasses.replace(built, isolated=counted.isolated)

    monkeypatch.setattr(candidate, "_run_backend", run_backend)
    return counted


@pytest.fixture
def driver(tmp_path: Path) -> Path:
    folder = tmp_path / "sksunroof-src"
    shutil.copytree(REFERENCE, folder)
    return folder


def load(folder: Path, work: Path) -> Distribution:
    return candidate.load(str(folder), work_dir=work)


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "wheels").glob("*/*/entry.json"))


def test_a_second_load_of_the_same_folder_reuses_the_wheel(
    builds: Builds, driver: Path, tmp_path: Path,
) -> None:
    first = load(driver, tmp_path / "one")
    builds.allowed = False
    again = load(driver, tmp_path / "two")
    assert builds.count == 1
    assert again.wheel == tmp_path / "two" / "wheel" / "sksunroof-1.0.0-py3-none-any.whl"
    assert again.wheel.read_bytes() == first.wheel.read_bytes()  # type: ignore[union-attr]
    assert not (tmp_path / "two" / "source").exists()  # nothing was copied either


def test_a_cached_wheel_loads_as_the_fresh_build_does(
    builds: Builds, driver: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(driver, tmp_path / "cold")
    builds.allowed = False
    hit = load(driver, tmp_path / "work")
    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    builds.allowed = True
    fresh = load(driver, tmp_path / "work")
    assert builds.count == 2
    assert hit == fresh  # files, metadata, origin, kind, source_root, pyproject, wheel path
    assert (hit.kind, hit.source_root) == ("folder", driver.resolve())


def _edit_module(folder: Path) -> None:
    """One byte changed in place: the size stays."""
    path = folder / MODULE
    path.write_bytes(path.read_bytes().replace(b"Error", b"Errox", 1))


def _add_file(folder: Path) -> None:
    (folder / "sksunroof" / "added.py").write_text('"""Added."""\n', encoding="utf-8")


def _remove_file(folder: Path) -> None:
    (folder / "sksunroof" / "examples" / "quick_start.py").unlink()


def _flip_exec_bit(folder: Path) -> None:
    path = folder / MODULE
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _edit_pyproject(folder: Path) -> None:
    path = folder / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('version = "1.0.0"',
                                                             'version = "1.0.1"'), "utf-8")


def _shipped_exec_bit(dist: Distribution) -> bool:
    assert dist.wheel is not None
    with zipfile.ZipFile(dist.wheel) as wheel:
        return bool(wheel.getinfo(MODULE).external_attr >> 16 & stat.S_IXUSR)


CHANGES: dict[str, tuple[Callable[[Path], None], Callable[[Distribution], bool]]] = {
    "one byte of a module": (_edit_module, lambda d: b"Errox" in d.files[MODULE]),
    "a file added": (_add_file, lambda d: "sksunroof/added.py" in d.files),
    "a file removed": (_remove_file, lambda d: "sksunroof/examples/quick_start.py"
                       not in d.files),
    "an exec bit flipped": (_flip_exec_bit, _shipped_exec_bit),
    "pyproject.toml": (_edit_pyproject, lambda d: d.version == "1.0.1"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_source_is_built_again(
    builds: Builds, driver: Path, tmp_path: Path, change: str,
) -> None:
    edit, shows = CHANGES[change]
    before = load(driver, tmp_path / "before")
    assert not shows(before)
    edit(driver)
    after = load(driver, tmp_path / "after")
    assert builds.count == 2 and shows(after)
    assert len(entries(tmp_path)) == 2


def test_a_pretend_version_variable_is_part_of_the_key(
    builds: Builds, driver: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The version hatchling reads from the variable (as hatch-vcs and setuptools-scm do)."""
    pyproject = driver / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace('version = "1.0.0"', 'dynamic = ["version"]')
        + '\n[tool.hatch.version]\nsource = "env"\nvariable = "SETUPTOOLS_SCM_PRETEND_VERSION"\n',
        encoding="utf-8")
    monkeypatch.setenv("SETUPTOOLS_SCM_PRETEND_VERSION", "1.0.0")
    assert load(driver, tmp_path / "one").version == "1.0.0"
    monkeypatch.setenv("SETUPTOOLS_SCM_PRETEND_VERSION", "2.0.0")
    assert load(driver, tmp_path / "two").version == "2.0.0"
    assert builds.count == 2
    monkeypatch.setenv("SETUPTOOLS_SCM_PRETEND_VERSION", "1.0.0")
    builds.allowed = False
    assert load(driver, tmp_path / "three").version == "1.0.0"


def test_a_folder_edited_while_it_is_copied_files_its_wheel_under_the_copys_key(
    builds: Builds, driver: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = (driver / MODULE).read_bytes()
    copy = candidate.build_copy

    def edit_then_copy(folder: Path, entries: list[candidate.SourceEntry],
                       fresh: Path) -> contextlib.AbstractContextManager[Path]:
        _edit_module(folder)  # after the lookup hashed the folder, before the copy
        return copy(folder, entries, fresh)

    monkeypatch.setattr(candidate, "build_copy", edit_then_copy)
    built = load(driver, tmp_path / "one")
    assert b"Errox" in built.files[MODULE]
    monkeypatch.setattr(candidate, "build_copy", copy)
    (driver / MODULE).write_bytes(before)
    assert load(driver, tmp_path / "two").files[MODULE] == before  # not the edited wheel
    assert builds.count == 2


@pytest.mark.parametrize("where", [".git/index", "build/lib/sksunroof/errors.py",
                                   "sksunroof/__pycache__/errors.cpython-311.pyc",
                                   "__pycache__/x.pyc", ".venv/bin/python"])
def test_what_the_build_never_sees_does_not_miss(
    builds: Builds, driver: Path, tmp_path: Path, where: str,
) -> None:
    path = driver / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"one")
    load(driver, tmp_path / "one")
    path.write_bytes(b"two, longer")
    builds.allowed = False
    load(driver, tmp_path / "two")
    assert builds.count == 1


def test_the_cache_switched_off_writes_nothing(
    builds: Builds, driver: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("HOME", str(home))
    load(driver, tmp_path / "one")
    load(driver, tmp_path / "two")
    assert builds.count == 2
    assert not home.exists() and not (tmp_path / "cache").exists()


def _truncate_wheel(entry: Path) -> None:
    wheel = next(entry.parent.glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes()[: wheel.stat().st_size // 2])


def _flip_wheel_byte(entry: Path) -> None:
    wheel = next(entry.parent.glob("*.whl"))
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))


def _garble_entry(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[:20])


def _wrong_requirement(entry: Path) -> None:
    """As after an upgrade of the installed backend since the build."""
    recorded = json.loads(entry.read_bytes())
    recorded["requires"]["hatchling"] = "0.0.1"
    entry.write_text(json.dumps(recorded), encoding="utf-8")


@pytest.mark.parametrize("damage", [_truncate_wheel, _flip_wheel_byte, _garble_entry,
                                    _wrong_requirement])
def test_a_damaged_or_outdated_entry_is_rebuilt_not_an_error(
    builds: Builds, driver: Path, tmp_path: Path, damage: Callable[[Path], None],
) -> None:
    fresh = load(driver, tmp_path / "one")
    [entry] = entries(tmp_path)
    damage(entry)
    again = load(driver, tmp_path / "two")
    assert builds.count == 2 and again.files == fresh.files
    builds.allowed = False  # the rebuild replaced the entry
    assert load(driver, tmp_path / "three").files == fresh.files


def _age(entry: Path, seconds: float) -> None:
    recorded = json.loads(entry.read_bytes())
    recorded["built"] = time.time() - seconds
    entry.write_text(json.dumps(recorded), encoding="utf-8")


def test_an_isolated_build_is_reused_for_a_day_at_most(
    builds: Builds, driver: Path, tmp_path: Path,
) -> None:
    builds.isolated = True
    load(driver, tmp_path / "one")
    [entry] = entries(tmp_path)
    _age(entry, wheel_cache.ISOLATED_TTL_S - 60)
    load(driver, tmp_path / "two")
    assert builds.count == 1
    _age(entry, wheel_cache.ISOLATED_TTL_S + 60)
    load(driver, tmp_path / "three")
    assert builds.count == 2


def test_an_installed_build_does_not_age(builds: Builds, driver: Path, tmp_path: Path) -> None:
    load(driver, tmp_path / "one")
    [entry] = entries(tmp_path)
    _age(entry, 30 * wheel_cache.ISOLATED_TTL_S)
    builds.allowed = False
    load(driver, tmp_path / "two")


def test_verbose_shows_the_reused_builds_output(
    builds: Builds, driver: Path, tmp_path: Path,
) -> None:
    load(driver, tmp_path / "one")
    shown = io.StringIO()
    with candidate.build_output(shown):
        load(driver, tmp_path / "two")
    assert builds.count == 1
    assert "sksunroof-1.0.0-py3-none-any.whl built from the same source" in shown.getvalue()


def test_a_project_keeps_its_most_recently_used_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(wheel_cache, "ENTRIES_PER_PROJECT", 2)
    wheel = tmp_path / "drv-1.0-py3-none-any.whl"
    wheel.write_bytes(b"not read as a zip here")
    keys = [wheel_cache.Key("drv", f"{n:040x}") for n in range(3)]
    folder = tmp_path / "cache" / "wheels" / "drv"
    for number, key in enumerate(keys[:2]):
        wheel_cache.store(key, wheel, isolated=False, requires={}, log="")
        os.utime(folder / key.value / "entry.json", (1_000_000 + number,) * 2)
    assert wheel_cache.lookup(keys[0], tmp_path / "out") is not None  # used: now the newest
    wheel_cache.store(keys[2], wheel, isolated=False, requires={}, log="")
    assert sorted(path.name for path in folder.iterdir()) == [keys[0].value, keys[2].value]
