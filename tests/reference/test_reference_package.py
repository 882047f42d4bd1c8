"""The distribution of the reference driver: metadata, contents, documents, typing, style.

These tests hold the driver's documents to the API (the compliance document
must state what the API returns) and build the distribution the way a user
gets it.
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sksunroof
import trove_classifiers as trove
from sksunroof import MANUFACTURER, SUPPORTED_MODELS, SkSunroof

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
PACKAGE = ROOT / "sksunroof"
COMPLIANCE = PACKAGE / "ivi_compliance.md"
INTRODUCTION = PACKAGE / "___Introduction to SkSunroof___.md"
README = ROOT / "README.md"

COPYRIGHT = (
    "Content from the IVI specifications reproduced with permission from the IVI Foundation.\n\n"
    "The IVI Foundation and its member companies make no warranty of any kind with regard to "
    "this material, including, but not limited to, the implied warranties of merchantability "
    "and fitness for a particular purpose. The IVI Foundation and its member companies shall "
    "not be liable for errors contained herein or for incidental or consequential damages in "
    "connection with the furnishing, performance, or use of this material."
)

# FileVersion of the IVI Driver Core: Major.Minor.Build[.Internal], each 0..65535.
FILE_VERSION = re.compile(r"^(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:\.(\d{1,5}))?(?: [\x20-\x7e]+)?$")


def simulated() -> SkSunroof:
    return SkSunroof("", options={"simulate": True})


@pytest.fixture(scope="module")
def project() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table = data["project"]
    assert isinstance(table, dict)
    return table


def compliance_items(text: str) -> dict[str, dict[str, str]]:
    """``{section: {item: value}}`` of a compliance text (``### Test Setup N`` are sections)."""
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in text.splitlines():
        heading = re.match(r"^(#{2,3}) (.+)$", line)
        if heading:
            current = heading.group(2).strip()
            sections[current] = {}
        elif line.startswith("- ") and current:
            name, _, value = line[2:].partition(": ")
            sections[current][name.strip()] = value.strip()
    return sections


# -- metadata ---------------------------------------------------------------------------


def test_names_and_version(project: dict[str, object]) -> None:
    assert project["name"] == "sksunroof" == SkSunroof.__module__.split(".")[0]
    assert project["version"] == "1.0.0" == sksunroof.__version__
    assert simulated().ivi_utility.driver_version == project["version"]
    match = FILE_VERSION.match(sksunroof.__version__)
    assert match and int(match.group(1)) != 0
    assert all(int(field) <= 65535 for field in match.groups() if field)
    assert project["requires-python"] == ">=3.11"
    assert project["dependencies"] == ["pyvisa>=1.14"]
    assert project["readme"] == "README.md"
    assert project["authors"] == [{"name": "Skylight Test Systems"}]
    urls = project["urls"]
    assert isinstance(urls, dict) and urls["Documentation"].startswith("https://")


def test_keywords_name_the_manufacturer_and_models_as_the_api_does(
    project: dict[str, object],
) -> None:
    keywords = project["keywords"]
    assert isinstance(keywords, list)
    roof = simulated()
    assert roof.ivi_utility.instrument_manufacturer in keywords
    assert MANUFACTURER in keywords
    for model in roof.ivi_utility.supported_instrument_models:
        assert model in keywords


def test_classifiers(project: dict[str, object]) -> None:
    classifiers = project["classifiers"]
    assert isinstance(classifiers, list)
    assert [c for c in classifiers if c not in trove.classifiers] == []
    for required in (
        "Topic :: Scientific/Engineering :: Instrument Drivers",
        "Topic :: Scientific/Engineering :: Instrument Drivers :: IVI Conformant",
        "Typing :: Typed",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in range(11, 15)),
    ):
        assert required in classifiers


# -- the built distribution -------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation",
         "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    yield out


def test_wheel_contents(dist: Path) -> None:
    (wheel,) = dist.glob("sksunroof-1.0.0-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.getinfo("sksunroof/py.typed").file_size == 0
        metadata = archive.read("sksunroof-1.0.0.dist-info/METADATA").decode("utf-8")
    for required in (
        "sksunroof/__init__.py",
        "sksunroof/py.typed",
        "sksunroof/ivi_compliance.md",
        "sksunroof/___Introduction to SkSunroof___.md",
        "sksunroof/examples/quick_start.py",
    ):
        assert required in names
    top_level = {name.split("/")[0] for name in names if not name.startswith("sksunroof-")}
    assert top_level == {"sksunroof"}  # exactly one driver package
    assert "Keywords: " in metadata and "Description-Content-Type: text/markdown" in metadata


def test_sdist_has_the_source_and_rebuilds(dist: Path, tmp_path: Path) -> None:
    (sdist,) = dist.glob("sksunroof-1.0.0.tar.gz")
    import tarfile

    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    source = tmp_path / "sksunroof-1.0.0"
    assert (source / "sksunroof" / "driver.py").is_file()
    assert (source / "README.md").read_text(encoding="utf-8") == README.read_text(
        encoding="utf-8"
    )
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
         str(tmp_path / "rebuilt"), str(source)],
        check=True, capture_output=True,
    )
    (rebuilt,) = (tmp_path / "rebuilt").glob("sksunroof-1.0.0-py3-none-any.whl")
    (released,) = dist.glob("sksunroof-1.0.0-py3-none-any.whl")
    with zipfile.ZipFile(rebuilt) as new, zipfile.ZipFile(released) as old:
        assert new.namelist() == old.namelist()
        for name in old.namelist():
            assert new.read(name) == old.read(name), name  # the rebuilt driver is the same


@pytest.mark.slow
def test_wheel_installs_and_the_example_runs(dist: Path, tmp_path: Path) -> None:
    """Installation testing: a new virtual environment, the wheel, the bundled example."""
    (wheel,) = dist.glob("*.whl")
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    # The tests run offline: the new environment borrows this one's packages (pyvisa...).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "borrowed.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True, capture_output=True,
    )
    result = subprocess.run(
        [str(python), "-m", "sksunroof.examples.quick_start", "--simulate", "--model",
         "SR-SO300"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    )
    assert "Connected to Skylight Test Systems SR-SO300" in result.stdout
    located = subprocess.run(
        [str(python), "-c", "import sksunroof; print(sksunroof.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    )
    assert str(environment) in located.stdout


# -- the documents ----------------------------------------------------------------------


def test_compliance_document_states_what_the_api_returns() -> None:
    text = COMPLIANCE.read_text(encoding="utf-8")
    assert text.startswith("# IVI Compliance Document for SkSunroof\n")
    sections = compliance_items(text)
    assert list(sections) == [
        "IVI Compliance Category",
        "Driver Identification",
        "Hardware Information",
        "Software Prerequisites",
        "Unit Testing",
        "Test Setup 1",
        "Test Setup 2",
        "Driver Installation Testing",
        "Driver Buildability",
        "Driver Test Failures",
        "Additional Compliance Information",
    ]
    assert "- IVI Driver Core Specification (Version 1.0)" in text
    assert "- IVI Driver Python Specification (Version 1.0)" in text
    utility = simulated().ivi_utility
    identification = sections["Driver Identification"]
    assert list(identification) == [
        "Driver Version", "Driver Vendor", "Driver Identifier", "Description",
        "Driver Bitness", "Source Code",
    ]
    assert identification["Driver Version"] == utility.driver_version
    assert identification["Driver Vendor"] == utility.driver_vendor
    assert identification["Driver Identifier"] == SkSunroof.__name__
    assert identification["Driver Bitness"] == "32-bit, 64-bit"
    hardware = sections["Hardware Information"]
    assert hardware["Instrument Manufacturer"] == utility.instrument_manufacturer
    models = tuple(hardware["Supported Instrument Models"].split(", "))
    assert models == utility.supported_instrument_models == SUPPORTED_MODELS
    assert hardware["Supported Bus Interfaces"]
    assert list(sections["Software Prerequisites"]) == [
        "Supported Operating Systems", "Driver Dependencies (Version)",
    ]
    for setup in ("Test Setup 1", "Test Setup 2"):
        assert list(sections[setup]) == [
            "Instrument Model (Firmware Version)", "Bus Interface", "Operating System",
            "Driver Bitness", "VISA Vendor and Version",
        ]
    assert list(sections["Driver Installation Testing"]) == ["Operating System"]
    assert list(sections["Driver Buildability"]) == ["Operating System"]
    assert sections["Driver Test Failures"] == {"Known Issues": "None"}


def test_readme_holds_the_compliance_text() -> None:
    readme = README.read_text(encoding="utf-8")
    compliance = COMPLIANCE.read_text(encoding="utf-8")
    head, rule, tail = readme.partition("\n---\n\n# Compliance Documentation for SkSunroof\n")
    assert rule, "README lacks the '---' rule and the compliance heading"
    assert tail == compliance.split("\n", 1)[1]
    assert compliance_items(tail) == compliance_items(compliance)
    assert "sksunroof/___Introduction to SkSunroof___.md" in head
    assert "sksunroof/ivi_compliance.md" in head
    assert "https://docs.skylight-test-systems.example/drivers/sksunroof/1.0.0/" in head


def test_introduction_document() -> None:
    text = INTRODUCTION.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == [
        "Driver Documentation",
        "Driver Source Code and Examples",
        "Connecting to the Instrument",
        "Configuring Instrument Settings",
        "Configuring Driver Settings",
        "Direct I/O",
        "Instrument Command Coverage",
        "Known Issues",
        "Contacting Support",
        "Trademarks",
    ]
    assert COPYRIGHT in text
    assert "ivi_compliance.md" in text


# -- docstrings, type hints, style ------------------------------------------------------


def public_members() -> Iterator[tuple[str, object]]:
    """Every public module, class, function, method and property of the driver."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(sksunroof.__path__, "sksunroof."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        yield info.name, module
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != info.name:
                continue
            yield f"{info.name}.{name}", value
            if inspect.isclass(value):
                for member, attribute in vars(value).items():
                    if not member.startswith("_") and (
                        inspect.isfunction(attribute) or isinstance(attribute, property)
                    ):
                        yield f"{info.name}.{name}.{member}", attribute


def test_every_public_name_has_a_docstring() -> None:
    assert len(list(public_members())) > 100
    missing = [
        name for name, value in public_members()
        if (inspect.isclass(value) or inspect.isfunction(value) or inspect.ismodule(value)
            or isinstance(value, property))
        and not (inspect.getdoc(value) or "").strip()
    ]
    assert missing == []


def test_every_public_callable_is_fully_annotated() -> None:
    unannotated: list[str] = []
    for name, value in public_members():
        functions = (
            [value.fget, value.fset] if isinstance(value, property)
            else [value] if inspect.isfunction(value) else []
        )
        for function in functions:
            if function is None:
                continue
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
            definition = next(
                node for node in ast.walk(tree)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
            arguments = [*definition.args.posonlyargs, *definition.args.args,
                         *definition.args.kwonlyargs]
            if definition.returns is None or any(
                argument.annotation is None for argument in arguments
                if argument.arg not in ("self", "cls")
            ):
                unannotated.append(name)
    assert unannotated == []


def test_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         "/dev/null" if sys.platform != "win32" else "nul", "sksunroof"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pep8_with_ruff() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--preview", "--select", "E,W,N",
         "--line-length", "99", "--isolated", "--no-cache", "."],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
