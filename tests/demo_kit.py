"""The shared kit of the report, CLI and plugin tests: a demo catalog and a tiny driver.

The demo catalog (seven rules, one per outcome and kind) makes those tests
independent of what the real catalog holds; the tiny driver is a hatchling
project built once per test process.
"""

from __future__ import annotations

import functools
import tempfile
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from ivi_conform import catalog, engine
from ivi_conform.candidate import build_wheel
from ivi_conform.context import AuditContext
from ivi_conform.model import Evidence, Finding
from ivi_conform.reports import json_report

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

# -- the shared kit ----------------------------------------------------------------------------

DEMO_RULES = """\
[[rule]]
id = "demo-holds"
title = "The demo rule that holds"
section = "IVI-Python Packages"
level = "shall"
judged = "static"
sentence = "A demo package shall have a name."

[[rule]]
id = "demo-crash"
title = "The demo rule whose check is broken"
section = "IVI-Python Error Handling"
level = "shall"
judged = "static"
sentence = "A demo check shall not crash."

[[rule]]
id = "demo-advice"
title = "The demo advice"
section = "Documentation and Source Code"
level = "should"
judged = "static"
sentence = "A demo module should carry a docstring."

[[rule]]
id = "demo-runtime"
title = "The demo behaviour"
section = "Constructor"
level = "shall"
judged = "runtime"
needs = []
sentence = "A demo driver shall behave."

[[rule]]
id = "demo-broken"
title = "The demo rule that fails"
section = "Package Metadata"
level = "shall"
judged = "static"
source = "IVI Driver Core 1.0 (L1)"
sentence = "A demo version shall be 9.9.9."
decision = "The demo reads the version from the metadata | not from the API."

[[rule]]
id = "demo-absent"
title = "The demo rule that does not apply"
section = "Package Contents"
level = "shall"
judged = "static"
sentence = "A demo extra shall be there when there is one."

[[rule]]
id = "demo-manual"
title = "The demo rule only the vendor judges"
section = "Driver Registration"
level = "shall"
judged = "manual"
sentence = "A demo driver shall be registered."
"""

#: The demo rules in catalog (spec-section) order, with the outcome each ends in.
DEMO_OUTCOMES = {
    "demo-holds": "pass",
    "demo-crash": "error",
    "demo-advice": "warn",
    "demo-runtime": "pass",  # "not-judged" in a static audit
    "demo-broken": "fail",
    "demo-absent": "skip",
    "demo-manual": "skip",
}


def _holds(context: AuditContext) -> Finding:
    return Finding.passed(f"{context.dist.name} has a name")


def _crash(context: AuditContext) -> Finding:
    raise RuntimeError("the demo check is broken")


def _advice(context: AuditContext) -> Finding:
    return Finding.failed("the demo module has no docstring",
                          (Evidence("demodrv/extra.py", 1, "no docstring"),))


class _DemoRuntime:
    """Stands in for the behavioural run: the demo runtime rule passes without a child."""

    stages = {"install": 0.5}
    timings = {"demo-runtime": 0.25}
    runs: list[object] = []  # the demo driver ran against no instrument

    def finding(self, rule_id: str, progress: Callable[[str], None] | None = None) -> Finding:
        return Finding.passed(f"the demo driver behaved ({rule_id})")

    def setup_notes(self) -> list[str]:
        return ["the demo driver ran in no child at all"]

    def close(self) -> None:
        """Nothing runs, so nothing ends."""


def _broken(context: AuditContext) -> Finding:
    evidence = tuple(Evidence("pyproject.toml", 7, f"version {n}") for n in range(12))
    return Finding.failed(f"the version is {context.dist.version}, not 9.9.9", evidence)


def _absent(context: AuditContext) -> Finding:
    return Finding.skipped("the demo driver has no extra")


DEMO_CHECKS = {
    "demo-holds": _holds,
    "demo-crash": _crash,
    "demo-advice": _advice,
    "demo-broken": _broken,
    "demo-absent": _absent,
}


def use_demo_catalog(patch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make the demo catalog and its checks the engine's, until ``patch`` is undone.

    Call :func:`catalog.load_catalog.cache_clear` after undoing: the catalog is cached.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.toml").write_text(DEMO_RULES, encoding="utf-8")
    patch.setattr(catalog, "catalog_dir", lambda: folder)
    patch.setattr(engine, "registry", lambda: DEMO_CHECKS)
    patch.setattr(engine.AuditContext, "runtime", property(lambda context: _DemoRuntime()))
    patch.setattr(engine.AuditContext, "runtime_started",
                  property(lambda context: _DemoRuntime()))
    catalog.load_catalog.cache_clear()


def write_tiny_driver(folder: Path) -> Path:
    """A small driver source tree (hatchling) with a compliance document of its own."""
    package = folder / "demodrv"
    package.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "demodrv"
        version = "1.2.3"
        description = "A tiny driver for ivi-conform's own tests"
        authors = [{ name = "Demo Instruments", email = "drivers@demo.example" }]
        license = "MIT"
        requires-python = ">=3.11"
        dependencies = ["pyvisa>=1.14", "pyvisa-py>=0.7; extra == 'py'"]
        optional-dependencies = { py = ["pyvisa-py>=0.7"] }
        urls = { Homepage = "https://demo.example/demodrv" }
        """), encoding="utf-8")
    (package / "__init__.py").write_text(textwrap.dedent('''\
        """A tiny driver."""

        __all__ = ["Demodrv"]


        class Demodrv:
            """The root class."""

            @property
            def ivi_utility(self) -> object:
                """The utility interface."""
                return object()
        '''), encoding="utf-8")
    (package / "compliance.md").write_text(textwrap.dedent("""\
        # Compliance

        ## Hardware Information

        Instrument Manufacturer: Demo Instruments

        Supported Instrument Models: D-1, D-2

        Supported Bus Interfaces: **[vendor to fill]**

        ## Unit Testing

        ### Test Setup 1

        Instrument Model (Firmware Version): D-1 (1.0)

        Bus Interface: LAN
        """), encoding="utf-8")
    return folder


_SCRATCH = Path(tempfile.mkdtemp(prefix="ivi-conform-face-tests-"))


@functools.cache
def tiny_driver() -> Path:
    """The tiny driver's source folder, written once per test process."""
    return write_tiny_driver(_SCRATCH / "demodrv")


@functools.cache
def tiny_wheel() -> Path:
    """The tiny driver's wheel, built once per test process (about a second)."""
    return build_wheel(tiny_driver(), _SCRATCH / "build")


def validate(report: Mapping[str, Any]) -> None:
    """Fail unless ``report`` is valid under the shipped schema (formats checked too)."""
    validator = jsonschema.Draft202012Validator(
        json_report.schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(report)


