"""The pytest plugin: ``pytest --ivi-driver=TARGET`` runs the audit as pytest items.

Registered through the ``pytest11`` entry point, so it is loaded in every
pytest session of an environment where ivi-conform is installed. Until
``--ivi-driver`` is given it only adds its options (pytest and the standard
library, nothing else); the audit itself, with the engine behind it, lives
in :mod:`ivi_conform.pytest_audit` and is imported only when asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ivi_conform.options import date_value, seconds_value, vendor_value


class IviShouldWarning(UserWarning):
    """A *should* of the IVI-Python specification that the driver does not meet.

    Defined here, in the module pytest always loads, so that ``-W
    error::ivi_conform.plugin.IviShouldWarning`` resolves in every session.
    """


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options, in their own group, all beginning ``--ivi-``."""
    group = parser.getgroup("ivi-conform", "ivi-conform: audit an IVI-Python driver")
    group.addoption("--ivi-driver", metavar="TARGET", default=None,
                    help="audit this driver (source folder, wheel, sdist or installed name): "
                         "one item per rule")
    group.addoption("--ivi-report-dir", metavar="DIR", type=Path, default=None,
                    help="write report.json and compliance.md into DIR at the end")
    group.addoption("--ivi-static", action="store_true", default=False,
                    help="do not run the driver: the behavioural rules are skipped")
    group.addoption("--ivi-vendor", metavar="ABBR=Company", action="append", type=vendor_value,
                    default=None, help="a vendor abbreviation not in VPP-9 (repeatable)")
    group.addoption("--ivi-release-date", metavar="YYYY-MM-DD", type=date_value, default=None,
                    help="the driver's release date (default: from the metadata, else today)")
    group.addoption("--ivi-options", metavar="STR", default=None,
                    help="the option string that switches the driver's simulation on")
    group.addoption("--ivi-timeout", metavar="S", type=seconds_value, default=None,
                    help="time limit of the behavioural run, in seconds")
    group.addoption("--ivi-instrument-resource", metavar="NAME", default=None,
                    help="a driver for another instrument: the VISA resource name of it")
    group.addoption("--ivi-instrument-profile", metavar="YAML", type=Path, default=None,
                    help="with --ivi-instrument-resource: a pyvisa-sim profile simulating it")
    group.addoption("--ivi-expectations", metavar="FILE", type=Path, default=None,
                    help="a TOML file of failures accepted for now (as ivi-conform audit "
                         "--expectations): listed failures xfail, expired entries fail")
    group.addoption("--ivi-strict-expectations", action="store_true", default=False,
                    help="with --ivi-expectations: a listed rule that passes fails")


def pytest_configure(config: pytest.Config) -> None:
    """Without ``--ivi-driver`` the plugin does nothing more; with it, the audit starts."""
    config.addinivalue_line(
        "markers", "ivi_conform: a rule of the IVI-Python conformance audit (--ivi-driver)")
    target = config.getoption("ivi_driver")
    if not target:
        if config.getoption("ivi_report_dir") is not None:
            raise pytest.UsageError("--ivi-report-dir needs --ivi-driver=TARGET")
        return
    # Imported here, not at the top: the engine is loaded only by sessions that audit.
    from ivi_conform.pytest_audit import start_audit

    start_audit(config, str(target))
