"""A source target whose backend needs a newer setuptools than ivi-conform's interpreter has.

It is built as pip builds it: in an isolated environment holding the
backend's declared requirements, installed without network when they can be
found locally. Offline here: the "newer setuptools" is a small PEP 517 backend
published as ``setuptools 999.0`` in a wheelhouse of the test's folder, which
pip finds through ``PIP_FIND_LINKS``; ``PIP_NO_INDEX`` makes sure the index
is never asked. The backend prints a deprecation warning, as setuptools does:
it stays out of stderr unless ``--verbose``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

WARNING = "SetuptoolsDeprecationWarning: this backend warns, as setuptools does"
#: A Python warning of the backend: pyproject_hooks hands it back to the frontend's process.
PY_WARNING = "`project.license` as a TOML table is deprecated (a stand-in)"

BACKEND = f'''
"""A minimal PEP 517 backend, standing in for a setuptools newer than the host's."""
import os
import sys
import tomllib
import warnings
import zipfile


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print({WARNING!r}, file=sys.stderr)
    warnings.warn({PY_WARNING!r}, UserWarning)
    with open("pyproject.toml", "rb") as stream:
        project = tomllib.load(stream)["project"]
    name, version = project["name"], project["version"]
    filename = f"{{name}}-{{version}}-py3-none-any.whl"
    info = f"{{name}}-{{version}}.dist-info"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as wheel:
        for folder, _, files in os.walk(name):
            for file in files:
                wheel.write(os.path.join(folder, file))
        wheel.writestr(f"{{info}}/METADATA",
                       f"Metadata-Version: 2.1\\nName: {{name}}\\nVersion: {{version}}\\n")
        wheel.writestr(f"{{info}}/WHEEL", "Wheel-Version: 1.0\\nGenerator: fake\\n"
                       "Root-Is-Purelib: true\\nTag: py3-none-any\\n")
        wheel.writestr(f"{{info}}/RECORD", "")
    return filename
'''


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def newer_setuptools(wheelhouse: Path) -> Path:
    """Publish the stand-in ``setuptools 999.0`` as a wheel in ``wheelhouse``."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    files = {
        "setuptools/__init__.py": b"",
        "setuptools/build_meta.py": BACKEND.encode(),
        "setuptools-999.0.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: setuptools\nVersion: 999.0\n",
        "setuptools-999.0.dist-info/WHEEL":
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record_line(name, data) for name, data in files.items()]
    record.append("setuptools-999.0.dist-info/RECORD,,")
    path = wheelhouse / "setuptools-999.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
        wheel.writestr("setuptools-999.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def source_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "needs-new-setuptools"
    (folder / "xynew").mkdir(parents=True)
    (folder / "xynew" / "__init__.py").write_text('"""A driver."""\n', encoding="utf-8")
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=999"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "xynew"\nversion = "1.0.0"\n', encoding="utf-8")
    return folder


def offline_env(wheelhouse: Path | None, tmp_path: Path) -> dict[str, str]:
    """The environment of an audit with no index: only the wheelhouse (if any) is reachable."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, PIP_CACHE_DIR=str(tmp_path / "pc"),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    if wheelhouse is not None:
        env["PIP_FIND_LINKS"] = str(wheelhouse)
    return env


def run_audit(folder: Path, reports: Path, env: dict[str, str],
              *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivi_conform", "audit", str(folder), "--static", "--report-dir",
         str(reports), *more],
        capture_output=True, text=True, env=env, cwd=folder.parent, timeout=600, check=False)


def test_the_host_setuptools_is_older_than_the_backend_needs() -> None:
    try:
        host = Version(importlib.metadata.version("setuptools"))
    except importlib.metadata.PackageNotFoundError:
        return  # no setuptools at all: older than any
    assert host < Version("999")


@pytest.mark.slow
def test_a_backend_needing_a_newer_setuptools_builds_isolated_offline_quietly(
    tmp_path: Path,
) -> None:
    folder = source_folder(tmp_path)
    env = offline_env(tmp_path / "wheelhouse", tmp_path)
    newer_setuptools(tmp_path / "wheelhouse")

    quiet = run_audit(folder, tmp_path / "quiet", env)
    assert quiet.returncode in (1, 3), quiet.stderr  # judged: the verdict, not a usage error
    assert WARNING not in quiet.stderr and "Traceback" not in quiet.stderr
    assert PY_WARNING not in quiet.stderr
    report = json.loads((tmp_path / "quiet" / "report.json").read_text(encoding="utf-8"))
    assert report["driver"]["distribution"] == "xynew"
    assert report["target"]["kind"] == "folder"
    assert report["target"]["wheel"]["name"] == "xynew-1.0.0-py3-none-any.whl"

    verbose = run_audit(folder, tmp_path / "verbose", env, "--verbose")
    assert verbose.returncode == quiet.returncode, verbose.stderr
    assert WARNING in verbose.stderr
    assert f"BuildBackendWarning: {PY_WARNING}" in verbose.stderr
    assert WARNING not in verbose.stdout


@pytest.mark.slow
def test_a_backend_whose_requirements_cannot_be_found_offline_is_one_line(
    tmp_path: Path,
) -> None:
    folder = source_folder(tmp_path)
    done = run_audit(folder, tmp_path / "reports", offline_env(None, tmp_path))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("ivi-conform: error: ") and done.stderr.count("\n") == 1
    assert f"{folder}/pyproject.toml" in done.stderr
    assert "cannot install the build requirements (setuptools>=999)" in done.stderr
    assert not (tmp_path / "reports").exists()
