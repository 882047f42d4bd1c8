"""Bad targets: each ends in one line naming the file and the problem, exit 2, no traceback.

Every target here is made in the test's folder; nothing is built (the targets
are refused before their backend would run), so each test takes milliseconds.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ivi_conform import candidate
from ivi_conform.cli import main

METADATA = "Metadata-Version: 2.4\nName: xydmm\nVersion: 1.0.0\n"
PYPROJECT = ('[build-system]\nrequires = ["hatchling>=1.25"]\nbuild-backend = "hatchling.build"\n'
             '[project]\nname = "xydmm"\nversion = "1.0.0"\n')


def audit(target: Path, tmp_path: Path) -> tuple[int, str]:
    """``ivi-conform audit TARGET --static`` in this process: exit status and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", str(target), "--static", "--report-dir", str(tmp_path / "reports")],
                out=out, err=err)
    return code, err.getvalue()


def refused(target: Path, tmp_path: Path, *phrases: str) -> str:
    """Audit ``target``; assert exit 2, one line naming it, each phrase, no report; the line."""
    code, err = audit(target, tmp_path)
    assert code == 2, err
    assert err.startswith("ivi-conform: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert str(target) in err, err
    for phrase in phrases:
        assert phrase in err, err
    assert not (tmp_path / "reports").exists()
    return err


def wheel(tmp_path: Path, members: dict[str, bytes | str], name: str = "xydmm") -> Path:
    path = tmp_path / f"{name}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, data in members.items():
            zipped.writestr(member, data)
    return path


def good_wheel(tmp_path: Path, **more: bytes | str) -> Path:
    return wheel(tmp_path, {"xydmm/__init__.py": "", "xydmm-1.0.0.dist-info/METADATA": METADATA,
                            **more})


def sdist(tmp_path: Path, add: Callable[[tarfile.TarFile], None],
          pyproject: str = PYPROJECT) -> Path:
    path = tmp_path / "xydmm-1.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as tarred:
        data = pyproject.encode()
        info = tarfile.TarInfo("xydmm-1.0.0/pyproject.toml")
        info.size = len(data)
        tarred.addfile(info, io.BytesIO(data))
        add(tarred)
    return path


def regular(name: str, data: bytes = b"x") -> Callable[[tarfile.TarFile], None]:
    def add(tarred: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tarred.addfile(info, io.BytesIO(data))
    return add


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE
         ) -> Callable[[tarfile.TarFile], None]:
    def add(tarred: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        tarred.addfile(info)
    return add


# --------------------------------------------------------------------------- corrupt archives


def test_a_wheel_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "xydmm-1.0.0-py3-none-any.whl"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    refused(path, tmp_path, "not a readable wheel")


def test_a_truncated_wheel(tmp_path: Path) -> None:
    path = good_wheel(tmp_path)
    path.write_bytes(path.read_bytes()[:-30])
    refused(path, tmp_path, "not a readable wheel")


def test_a_wheel_with_a_corrupt_member(tmp_path: Path) -> None:
    path = tmp_path / "xydmm-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xydmm-1.0.0.dist-info/METADATA", METADATA * 20)
    data = bytearray(path.read_bytes())
    data[60:70] = b"\xff" * 10  # inside the compressed stream
    path.write_bytes(bytes(data))
    refused(path, tmp_path, "not a readable wheel")


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08garbage", b"not an archive at all"])
def test_an_sdist_that_is_not_a_tar_gz(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "xydmm-1.0.0.tar.gz"
    path.write_bytes(data)
    refused(path, tmp_path, "not a readable sdist")


def test_a_truncated_sdist(tmp_path: Path) -> None:
    path = sdist(tmp_path, regular("xydmm-1.0.0/xydmm/__init__.py", b"x = 1\n" * 5000))
    path.write_bytes(path.read_bytes()[:200])
    refused(path, tmp_path, "not a readable sdist")


def test_a_zip_sdist_that_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "xydmm-1.0.0.zip"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 10)
    refused(path, tmp_path, "not a readable sdist")


# --------------------------------------------------------------------------- escaping members


def _nowhere() -> tuple[str, Path]:
    """A member name climbing out of any scratch folder, and where it would land in /tmp."""
    name = f"escape-{uuid.uuid4().hex}.txt"
    return "../" * 12 + "tmp/" + name, Path("/tmp") / name


def test_a_wheel_member_climbing_out(tmp_path: Path) -> None:
    member, landing = _nowhere()
    path = good_wheel(tmp_path, **{member: "x"})
    refused(path, tmp_path, member, "climbs out with '..'")
    assert not landing.exists()


def test_a_wheel_member_with_an_absolute_name(tmp_path: Path) -> None:
    landing = tmp_path / "absolute" / "evil.py"
    path = good_wheel(tmp_path, **{str(landing): "x"})
    refused(path, tmp_path, str(landing), "an absolute path")
    assert not landing.exists()


def test_a_wheel_member_with_a_windows_absolute_name(tmp_path: Path) -> None:
    refused(good_wheel(tmp_path, **{"C:\\Windows\\evil.py": "x"}), tmp_path, "an absolute path")


def test_an_sdist_member_climbing_out(tmp_path: Path) -> None:
    member, landing = _nowhere()
    path = sdist(tmp_path, regular(member))
    refused(path, tmp_path, member, "climbs out with '..'")
    assert not landing.exists()


def test_an_sdist_member_with_an_absolute_name(tmp_path: Path) -> None:
    landing = tmp_path / "absolute.txt"
    refused(sdist(tmp_path, regular(str(landing))), tmp_path, "an absolute path")
    assert not landing.exists()


def test_a_zip_sdist_member_climbing_out(tmp_path: Path) -> None:
    member, landing = _nowhere()
    path = tmp_path / "xydmm-1.0.0.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("xydmm-1.0.0/pyproject.toml", PYPROJECT)
        zipped.writestr(member, "x")
    refused(path, tmp_path, "climbs out with '..'")
    assert not landing.exists()


def test_an_sdist_member_name_with_control_codes_is_quoted(tmp_path: Path) -> None:
    err = refused(sdist(tmp_path, regular("../\x1b[31mred")), tmp_path, "climbs out")
    assert "\x1b" not in err and "\\x1b" in err


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(("target", "phrase"), [
    ("/etc/passwd", "a link to an absolute path (/etc/passwd)"),
    ("../../../../etc/passwd", "outside the sdist's tree"),
])
def test_an_sdist_symlink_out_of_the_tree(tmp_path: Path, target: str, phrase: str) -> None:
    refused(sdist(tmp_path, link("xydmm-1.0.0/xydmm/secret", target)), tmp_path,
            "xydmm-1.0.0/xydmm/secret", phrase)


def test_an_sdist_hard_link_out_of_the_tree(tmp_path: Path) -> None:
    refused(sdist(tmp_path, link("xydmm-1.0.0/secret", "../../etc/passwd", tarfile.LNKTYPE)),
            tmp_path, "outside the sdist's tree")


def test_an_sdist_hard_link_to_no_member(tmp_path: Path) -> None:
    refused(sdist(tmp_path, link("xydmm-1.0.0/copy", "xydmm-1.0.0/missing", tarfile.LNKTYPE)),
            tmp_path, "xydmm-1.0.0/copy is a hard link to xydmm-1.0.0/missing, which is no file")


def test_an_sdist_symlink_inside_the_tree_is_not_refused_for_it(tmp_path: Path) -> None:
    path = sdist(tmp_path, link("xydmm-1.0.0/docs/README", "../README.md"))
    code, err = audit(path, tmp_path)
    assert "symbolic link" not in err and "link to" not in err


def test_an_sdist_device_member(tmp_path: Path) -> None:
    def fifo(tarred: tarfile.TarFile) -> None:
        info = tarfile.TarInfo("xydmm-1.0.0/pipe")
        info.type = tarfile.FIFOTYPE
        tarred.addfile(info)
    refused(sdist(tmp_path, fifo), tmp_path, "xydmm-1.0.0/pipe", "a device or a FIFO")


def _source(tmp_path: Path) -> Path:
    folder = tmp_path / "src-tree"
    (folder / "xydmm").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (folder / "xydmm" / "__init__.py").write_text("", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("target", "phrase"), [
    ("../../../../../../etc/passwd", "outside the source tree"),
    ("/etc/passwd", "a symbolic link to an absolute path"),
])
def test_a_source_folder_symlink_out_of_the_tree(tmp_path: Path, target: str,
                                                 phrase: str) -> None:
    folder = _source(tmp_path)
    (folder / "xydmm" / "secret").symlink_to(target)
    refused(folder, tmp_path, f"{folder}/xydmm/secret", phrase)


def test_a_source_folder_symlink_loop(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "a").symlink_to("b")
    (folder / "b").symlink_to("a")
    refused(folder, tmp_path, "a loop of symbolic links")


def test_links_in_folders_that_are_never_built_are_ignored(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "python").symlink_to(sys.executable)
    candidate._check_links(folder, str(folder))  # no TargetError


# --------------------------------------------------------------------------- METADATA


def test_a_wheel_without_metadata(tmp_path: Path) -> None:
    refused(wheel(tmp_path, {"xydmm/__init__.py": ""}), tmp_path, "no *.dist-info/METADATA")


def test_a_wheel_with_two_metadata_files(tmp_path: Path) -> None:
    path = good_wheel(tmp_path, **{"other-1.0.dist-info/METADATA": METADATA})
    refused(path, tmp_path, "holds 2")


def test_metadata_that_is_not_utf8(tmp_path: Path) -> None:
    data = METADATA.encode() + "Summary: Caf\u00e9 driver\n".encode("latin-1")
    path = wheel(tmp_path, {"xydmm/__init__.py": "", "xydmm-1.0.0.dist-info/METADATA": data})
    refused(path, tmp_path, "xydmm-1.0.0.dist-info/METADATA", "not UTF-8 (byte 0xe9")


def test_metadata_without_a_name(tmp_path: Path) -> None:
    path = wheel(tmp_path, {"xydmm/__init__.py": "",
                            "xydmm-1.0.0.dist-info/METADATA": "Metadata-Version: 2.4\n"})
    refused(path, tmp_path, "METADATA has no Name")


def test_metadata_that_is_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidate, "MAX_TEXT_BYTES", 1024)
    path = good_wheel(tmp_path, **{"xydmm-1.0.0.dist-info/METADATA":
                                   METADATA + "Summary: " + "x" * 2000 + "\n"})
    refused(path, tmp_path, "METADATA", "over the 0.0 MiB")


def test_an_installed_distribution_with_metadata_not_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = tmp_path / "site"
    info = site / "xydmm_installed-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_bytes(b"Metadata-Version: 2.1\nName: xydmm-installed\n"
                                    b"Version: 1.0\nSummary: caf\xe9\n")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(candidate.TargetError, match=r"installed\)/METADATA: not UTF-8"):
        candidate.load("xydmm-installed", work_dir=tmp_path / "work")


# --------------------------------------------------------------------------- pyproject.toml


@pytest.mark.parametrize("text", ["[project\nname = 'x'\n", "a = " + "[" * 5000,
                                  "project = 'not a table'\n"])
def test_a_pyproject_that_is_not_toml(tmp_path: Path, text: str) -> None:
    folder = _source(tmp_path)
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")
    refused(folder, tmp_path, f"{folder}/pyproject.toml")


def test_a_pyproject_that_is_not_utf8(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "pyproject.toml").write_bytes(b"[project]\nname = '\xff'\n")
    refused(folder, tmp_path, f"{folder}/pyproject.toml", "not UTF-8")


def test_an_sdist_whose_pyproject_is_not_toml(tmp_path: Path) -> None:
    path = sdist(tmp_path, lambda tarred: None, pyproject="[build-system\n")
    err = refused(path, tmp_path, "xydmm-1.0.0/pyproject.toml: invalid TOML")
    assert "/sdist/" not in err  # named inside the sdist, not by the scratch folder


def test_a_very_large_pyproject_is_not_read_whole(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidate, "MAX_TEXT_BYTES", 4096)
    folder = _source(tmp_path)
    (folder / "pyproject.toml").write_text(PYPROJECT + "#" * 10_000 + "\n", encoding="utf-8")
    refused(folder, tmp_path, f"{folder}/pyproject.toml", "too large")


# --------------------------------------------------------------------------- size limits


def test_a_very_large_wheel_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidate, "MAX_MEMBER_BYTES", 64 * 1024)
    path = good_wheel(tmp_path, **{"xydmm/firmware.bin": b"\0" * (128 * 1024)})
    refused(path, tmp_path, "member xydmm/firmware.bin is 0.1 MiB",
            "ivi-conform reads of one file")


def test_a_wheel_whose_members_add_up_too_large(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidate, "MAX_TOTAL_BYTES", 64 * 1024)
    blobs = {f"xydmm/blob{n}.bin": b"\0" * (20 * 1024) for n in range(5)}
    refused(good_wheel(tmp_path, **blobs), tmp_path, "add up to more than")


def test_a_wheel_of_too_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidate, "MAX_MEMBERS", 10)
    many = {f"xydmm/m{n}.py": "" for n in range(20)}
    refused(good_wheel(tmp_path, **many), tmp_path, "more than 10 members")


def test_an_sdist_member_too_large_is_refused_before_extraction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(candidate, "MAX_MEMBER_BYTES", 64 * 1024)
    path = sdist(tmp_path, regular("xydmm-1.0.0/huge.bin", b"\0" * (128 * 1024)))
    refused(path, tmp_path, "member xydmm-1.0.0/huge.bin is 0.1 MiB")


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(("member", "name"), [("json/__init__.py", "json"),
                                              ("logging.py", "logging"),
                                              ("xydmm-1.0.0.data/purelib/asyncio/x.py",
                                               "asyncio")])
def test_a_package_named_like_a_standard_library_module(tmp_path: Path, member: str,
                                                        name: str) -> None:
    refused(good_wheel(tmp_path, **{member: ""}), tmp_path,
            f"installs the import package {name!r}", "standard-library module")


def test_a_package_named_test_is_not_a_standard_library_clash(tmp_path: Path) -> None:
    dist = candidate.load(str(good_wheel(tmp_path, **{"tests/__init__.py": ""})),
                          work_dir=tmp_path / "work")
    assert "tests/__init__.py" in dist.files


def test_a_target_that_is_neither_a_file_nor_a_folder(tmp_path: Path) -> None:
    fifo = tmp_path / "driver.whl"
    os.mkfifo(fifo)
    refused(fifo, tmp_path, "not a regular file nor a folder")


# --------------------------------------------------------------------------- from a shell


@pytest.mark.parametrize("kind", ["corrupt sdist", "escaping wheel member"])
def test_bad_input_from_a_shell_is_one_line_and_exit_2(tmp_path: Path, kind: str) -> None:
    if kind == "corrupt sdist":
        target = tmp_path / "xydmm-1.0.0.tar.gz"
        target.write_bytes(b"\x1f\x8b\x08garbage")
    else:
        target = good_wheel(tmp_path, **{"../../escape.py": "x"})
    done = subprocess.run([sys.executable, "-m", "ivi_conform", "audit", str(target), "--static",
                           "--report-dir", str(tmp_path / "reports")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("ivi-conform: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and str(target) in done.stderr
