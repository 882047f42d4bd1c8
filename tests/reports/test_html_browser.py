"""report.html rendered by headless Chromium (Debian's ``chromium`` package).

The page must show without the network: Chromium runs with background
networking off, the page is opened from a file, and the screenshot must not
be blank and must show the verdict's banner in the verdict's colour. Skipped
where Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import Report

from ivi_conform.reports import html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
#: The banner colours of report.html's verdicts (its stylesheet).
BANNER = {"NON-CONFORMANT": (0xC6, 0x28, 0x28), "CONFORMANT": (0x2E, 0x7D, 0x32),
          "INCOMPLETE": (0x75, 0x75, 0x75)}


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--window-size=960,640", *args,
         page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)


def _pixels(png: bytes) -> list[tuple[int, int, int]]:
    """The RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(data)
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(line)
        previous = line
    return [(line[i], line[i + 1], line[i + 2])
            for line in rows for i in range(0, stride, channels)]


@pytest.mark.parametrize(("which", "verdict"), [
    ("failing", "NON-CONFORMANT"), ("conformant", "CONFORMANT"), ("static", "INCOMPLETE")])
def test_chromium_shows_the_verdict(which: str, verdict: str, tmp_path: Path,
                                    request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(which)
    page = tmp_path / "report.html"
    page.write_text(html.render(report), encoding="utf-8")
    dom = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert f'id="verdict">{verdict}</span>' in dom.stdout
    shot = tmp_path / "shot.png"
    done = _chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    pixels = _pixels(shot.read_bytes())
    assert len(set(pixels)) > 20  # not blank: text, tables, the banner
    target = BANNER[verdict]
    banner = sum(1 for pixel in pixels
                 if all(abs(a - b) <= 6 for a, b in zip(pixel, target, strict=True)))
    assert banner > 500, f"the {verdict} banner is not on the first screen"
