"""Fixtures for the reference driver's own tests.

The reference driver (``fixtures/reference``) is not installed: its source
folder is put on ``sys.path`` here, for these tests only. ivi-conform itself
never imports a driver.
"""

from __future__ import annotations

import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
if str(REFERENCE) not in sys.path:
    sys.path.insert(0, str(REFERENCE))
