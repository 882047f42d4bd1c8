"""IVI-Python Distribution Package Naming on small wheels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from wheelkit import judged

from ivi_conform.candidate import load
from ivi_conform.checks import distribution_naming as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome

RULES = {
    "distname-valid": checks.valid_name,
    "distname-normalized": checks.normalized_name,
    "distname-matches-package": checks.matches_package,
    "distname-lowercase": checks.lowercase_name,
}
P, F, S = Outcome.PASS, Outcome.FAIL, Outcome.SKIP


def wheel(tmp_path: Path, name: str, package: str | None) -> AuditContext:
    """A wheel named ``name`` holding the import package ``package``."""
    path = tmp_path / "driver-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        if package is not None:
            zipped.writestr(f"{package}/__init__.py", "")
        zipped.writestr("driver-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0.0\n\n")
    return AuditContext(load(str(path), work_dir=tmp_path / "w"), AuditConfig(), tmp_path / "w")


@pytest.mark.parametrize(
    ("name", "package", "expected"),
    [
        ("sksunroof", "sksunroof", (P, P, P, P)),
        ("bitdr123a-fi", "bitdr123a_fi", (P, P, P, P)),
        ("bitdr123a_fi", "bitdr123a_fi", (P, F, P, P)),  # underscores allowed, not normalized
        ("bitdr123a.fi", "bitdr123a_fi", (P, F, P, P)),
        ("RsInstrument", "RsInstrument", (P, F, P, F)),  # R&S RsInstrument's shape
        ("sk-sunroof", "sksunroof", (P, P, F, P)),  # a separator the package lacks
        ("vendorxy-specan", "specan", (P, P, F, P)),  # the spec's own metadata example
        ("sksunroof-", "sksunroof", (F, P, F, P)),
        ("sksunroof", None, (P, P, S, P)),
    ],
)
def test_names(tmp_path: Path, name: str, package: str | None, expected: tuple[Outcome, ...]
               ) -> None:
    context = wheel(tmp_path, name, package)
    seen = tuple(judged(context, rule).outcome for rule in RULES)
    assert tuple(F if outcome is Outcome.WARN else outcome for outcome in seen) == expected


def test_the_exemption_is_named_in_the_composition_rules(tmp_path: Path) -> None:
    context = wheel(tmp_path, "RsInstrument", "rsinstrument_x")
    for check in (checks.matches_package, checks.lowercase_name):
        finding = check(context)
        assert finding.outcome is Outcome.FAIL
        assert "exempt" in finding.message
        assert finding.evidence[0].detail == "Name: RsInstrument"
