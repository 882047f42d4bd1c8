"""Option values the command line and the pytest plugin share, parsed the same way.

Only the standard library is imported here: the plugin loads this module in
every pytest session, with or without ``--ivi-driver``, and must stay cheap
until an audit is asked for.
"""

from __future__ import annotations

import argparse
from datetime import date


def vendor_value(text: str) -> tuple[str, str]:
    """``ABBR=Company`` of ``--vendor`` / ``--ivi-vendor``."""
    abbreviation, sep, company = text.partition("=")
    if not sep or not abbreviation.strip() or not company.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not ABBR=Company")
    return abbreviation.strip(), company.strip()


def date_value(text: str) -> date:
    """``YYYY-MM-DD`` of ``--release-date`` / ``--ivi-release-date``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def seconds_value(text: str) -> float:
    """A positive number of seconds, for ``--timeout`` / ``--ivi-timeout``."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


def section_slug(heading: str) -> str:
    """A heading as node ids and ``--section`` write it: ``ivi-python-package-type-hinting``."""
    return "-".join("".join(c if c.isalnum() else " " for c in heading.casefold()).split())
