"""The CPython minor versions and when the Python Software Foundation supports them.

"IVI-Python drivers shall support at least one version of Python supported by
the Python Software Foundation at the time of the driver's release." The
dates come from ``data/cpython.toml`` (dated, with its source); a minor is
supported from its first release to its end of life, both days included.
A driver admits a minor when its Requires-Python contains some final patch
release of it: ``>=3.11.4`` admits 3.11, ``!=3.12.*`` excludes 3.12.
"""

from __future__ import annotations

import calendar
import functools
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources

from packaging.specifiers import SpecifierSet

#: Patch releases tried per minor: CPython minors have had at most ~20.
_PATCHES = range(0, 64)


@dataclass(frozen=True)
class Minor:
    """One CPython 3.x minor version and its support window."""

    version: str
    released: date
    end_of_life: date

    def supported_on(self, day: date) -> bool:
        """Whether the PSF supported this minor on ``day``."""
        return self.released <= day <= self.end_of_life


@dataclass(frozen=True)
class PythonTable:
    """The dated table of CPython minors."""

    dated: date
    source: str
    valid_until: date
    minors: tuple[Minor, ...]

    def supported_on(self, day: date) -> tuple[Minor, ...]:
        """The minors the PSF supported on ``day`` (the "active" versions then)."""
        return tuple(minor for minor in self.minors if minor.supported_on(day))


def _end(value: object) -> date:
    """An end of life: a date, or ``YYYY-MM`` meaning the last day of that month."""
    if isinstance(value, date):
        return value
    text = str(value)
    if len(text) == 7:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1])
    return date.fromisoformat(text)


@functools.cache
def python_table() -> PythonTable:
    """The table shipped in ``ivi_conform/data/cpython.toml``."""
    text = (resources.files("ivi_conform") / "data" / "cpython.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    head = data["table"]
    minors = tuple(
        Minor(str(row["version"]), row["released"], _end(row["end_of_life"]))
        for row in data["minor"]
    )
    return PythonTable(head["date"], str(head["source"]), head["valid_until"], minors)


def admits(specifiers: SpecifierSet, minor: str) -> bool:
    """Whether a Requires-Python admits some final release ``minor.N``."""
    return any(specifiers.contains(f"{minor}.{patch}", prereleases=False) for patch in _PATCHES)
