"""Package Contents checks on small drivers: README, compliance document, README's copy."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

import pytest
from wheelkit import judged

from ivi_conform.candidate import load
from ivi_conform.checks import package_contents as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Finding, Outcome

DRIVER = '''\
"""The Acme AC driver."""
from dataclasses import dataclass

VENDOR = "Acme Instruments"
__version__ = "1.0.0"


@dataclass(frozen=True)
class Model:
    name: str
    panels: int


MODELS = {model.name: model for model in (Model("AC-100", 1), Model("AC-200", 2))}


class AcDriverUtility:
    @property
    def driver_version(self) -> str:
        return __version__

    @property
    def driver_vendor(self) -> str:
        return VENDOR

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return tuple(MODELS)


class AcDriver:
    @property
    def ivi_utility(self) -> AcDriverUtility:
        return AcDriverUtility()
'''

COMPLIANCE = """\
# IVI Compliance Document for AcDriver

## IVI Compliance Category

- IVI Driver Core Specification (Version 1.0)
- IVI Driver Python Specification (Version 1.0)

## Driver Identification

- Driver Version: 1.0.0
- Driver Vendor: Acme Instruments
- Driver Bitness: 32-bit, 64-bit
- Source Code: included

## Hardware Information

- Instrument Manufacturer: Acme Instruments
- Supported Instrument Models: AC-100, AC-200
- Supported Bus Interfaces: USB

## Software Prerequisites

- Supported Operating Systems: 64-bit Windows 11 (24H2)
- Driver Dependencies: pyvisa (1.14)

## Unit Testing

### Test Setup 1

- Instrument Model (Firmware Version): AC-100 (1.0)
- Bus Interface: USB
- Operating System: 64-bit Windows 11 (24H2)
- Driver Bitness: 64-bit

## Driver Installation Testing

- Operating System: 64-bit Windows 11 (24H2)

## Driver Buildability

- Operating System: 64-bit Windows 11 (24H2)

## Driver Test Failures

- Known Issues: None
"""

README_HEAD = """\
# AcDriver

## Documentation

- Help: the [API reference](https://acme.example/acdriver/api/).
- The [driver introduction](acdriver/___Introduction%20to%20AcDriver___.md).

---

"""


def driver(
    tmp_path: Path,
    *,
    compliance: str | None = COMPLIANCE,
    readme: str | None = README_HEAD + COMPLIANCE,
    content_type: str | None = "text/markdown",
    version: str = "1.0.0",
    keywords: str = "Acme Instruments,AC-100,AC-200",
    source: str = DRIVER,
) -> AuditContext:
    """A wheel of the small ``acdriver`` driver, loaded as ivi-conform loads a target."""
    path = tmp_path / f"acdriver-{version}-py3-none-any.whl"
    metadata = f"Metadata-Version: 2.4\nName: acdriver\nVersion: {version}\nKeywords: {keywords}\n"
    if content_type:
        metadata += f"Description-Content-Type: {content_type}\n"
    if readme is not None:
        metadata += f"\n{readme}"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"acdriver-{version}.dist-info/METADATA", metadata)
        wheel.writestr("acdriver/__init__.py", source)
        if compliance is not None:
            wheel.writestr("acdriver/ivi_compliance.md", compliance)
    return AuditContext(load(str(path), work_dir=tmp_path), AuditConfig(), tmp_path)


def details(finding: Finding) -> str:
    return " | ".join(str(evidence) for evidence in finding.evidence)


def test_the_sample_passes_every_rule(tmp_path: Path) -> None:
    context = driver(tmp_path)
    for function in (checks.readme_format, checks.readme_markdown, checks.compliance_document,
                     checks.sections_and_items, checks.category_lists_specifications,
                     checks.driver_version_matches, checks.driver_version_format,
                     checks.driver_vendor_matches, checks.models_match,
                     checks.readme_compliance_text, checks.readme_introduction_location,
                     checks.readme_help_location):
        finding = function(context)
        assert finding.outcome is Outcome.PASS, f"{function.__name__}: {finding.message}"


# ---- README


def test_readme_rst_passes_but_is_not_markdown(tmp_path: Path) -> None:
    context = driver(tmp_path, content_type="text/x-rst; charset=UTF-8")
    assert checks.readme_format(context).outcome is Outcome.PASS
    assert checks.readme_markdown(context).outcome is Outcome.FAIL


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_readme_plain_or_undeclared_fails(tmp_path: Path, content_type: str | None) -> None:
    finding = checks.readme_format(driver(tmp_path, content_type=content_type))
    assert finding.outcome is Outcome.FAIL
    assert "Description-Content-Type" in details(finding)


def test_no_readme_fails_and_readme_rules_skip(tmp_path: Path) -> None:
    context = driver(tmp_path, readme=None)
    assert checks.readme_format(context).outcome is Outcome.FAIL
    for rule in ("contents-readme-markdown", "readme-compliance-text",
                 "readme-introduction-location", "readme-help-location", "docs-readme-directions"):
        result = judged(context, rule)
        assert result.outcome is Outcome.SKIP and "contents-readme charges it" in result.message


def test_readme_of_a_source_folder_is_its_file(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "acdriver").mkdir(parents=True)
    (project / "acdriver" / "__init__.py").write_text(DRIVER)
    (project / "acdriver" / "ivi_compliance.md").write_text(COMPLIANCE)
    (project / "README.rst").write_text("AcDriver\n========\n\nSee https://acme.example/docs\n")
    (project / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "acdriver"
        version = "1.0.0"
        readme = "README.rst"
        """))
    context = AuditContext(load(str(project), work_dir=tmp_path / "work"), AuditConfig(),
                           tmp_path)
    assert checks.readme_format(context).outcome is Outcome.PASS
    finding = checks.readme_markdown(context)
    assert finding.outcome is Outcome.FAIL and finding.evidence[0].file == "README.rst"


# ---- the compliance document


def test_missing_document_fails_once(tmp_path: Path) -> None:
    context = driver(tmp_path, compliance=None)
    assert checks.compliance_document(context).outcome is Outcome.FAIL
    for rule in ("compliance-sections-items", "compliance-category-specs",
                 "compliance-driver-version-matches", "compliance-driver-version-format",
                 "compliance-driver-vendor-matches", "compliance-models-match",
                 "bitness-compliance-environment", "bitness-os-naming",
                 "bitness-installation-testing"):
        result = judged(context, rule)
        assert result.outcome is Outcome.SKIP, rule
        assert "contents-compliance-document charges it" in result.message
    assert checks.readme_compliance_text(context).outcome is Outcome.PASS


def test_missing_section_and_renamed_section(tmp_path: Path) -> None:
    text = COMPLIANCE.replace("## Driver Buildability", "## Driver Build Testing")
    finding = checks.sections_and_items(driver(tmp_path, compliance=text))
    assert finding.outcome is Outcome.FAIL
    assert 'the section "Driver Buildability" is missing' in details(finding)


def test_missing_and_empty_items(tmp_path: Path) -> None:
    text = (COMPLIANCE.replace("- Supported Bus Interfaces: USB\n", "")
            .replace("- Source Code: included", "- Source Code:"))
    finding = checks.sections_and_items(driver(tmp_path, compliance=text))
    assert finding.outcome is Outcome.FAIL
    assert '"Hardware Information" lacks the item "Supported Bus Interfaces"' in details(finding)
    assert '"Source Code" has no value' in details(finding)
    assert "ivi_compliance.md:13" in details(finding)


def test_unit_testing_needs_a_test_setup(tmp_path: Path) -> None:
    text = COMPLIANCE.replace("### Test Setup 1\n", "")
    finding = checks.sections_and_items(driver(tmp_path, compliance=text))
    assert finding.outcome is Outcome.FAIL and "Test Setup" in details(finding)


def test_core_example_spellings_are_accepted(tmp_path: Path) -> None:
    text = (COMPLIANCE.replace("## Software Prerequisites", "## Software Prerequisites "
                                                            "Information")
            .replace("- Driver Dependencies:", "Driver Dependencies (Version):")
            .replace("- Operating System:", "Operating System (Version):")
            .replace("- Known Issues: None", "> Known Issues: None"))
    finding = checks.sections_and_items(driver(tmp_path, compliance=text))
    assert finding.outcome is Outcome.PASS, details(finding)


@pytest.mark.parametrize(("line", "outcome"), [
    ("- IVI-Python Specification 1.0", Outcome.PASS),
    ("- Ivi Driver Python Language Specification (Version 1.0)", Outcome.PASS),
    ("- IVI Python Driver Specification", Outcome.PASS),
    ("- Python Enhancement Proposals", Outcome.FAIL),
])
def test_compliance_category(tmp_path: Path, line: str, outcome: Outcome) -> None:
    text = COMPLIANCE.replace("- IVI Driver Python Specification (Version 1.0)", line)
    assert checks.category_lists_specifications(driver(tmp_path, compliance=text)).outcome \
        is outcome


def test_compliance_category_without_core(tmp_path: Path) -> None:
    text = COMPLIANCE.replace("- IVI Driver Core Specification (Version 1.0)\n", "")
    finding = checks.category_lists_specifications(driver(tmp_path, compliance=text))
    assert finding.outcome is Outcome.FAIL and "IVI Driver Core Specification" in details(finding)


VERSIONED = DRIVER


@pytest.mark.parametrize(("item", "returned", "outcome"), [
    ("1.0.0", "1.0", Outcome.PASS),
    ("01.00.000", "1.0.0", Outcome.PASS),
    ("1.0.0.7 build of the week", "1.0.0", Outcome.PASS),
    ("1.0.1", "1.0.0", Outcome.FAIL),
    ("2.0.0", "1.0.0.1", Outcome.FAIL),
])
def test_driver_version_matches(tmp_path: Path, item: str, returned: str,
                                outcome: Outcome) -> None:
    """The item is compared with what driver_version returns, not with the package version."""
    text = COMPLIANCE.replace("Driver Version: 1.0.0", f"Driver Version: {item}")
    source = VERSIONED.replace('__version__ = "1.0.0"', f'__version__ = "{returned}"')
    context = driver(tmp_path, compliance=text, version="7.7.7", source=source)
    finding = checks.driver_version_matches(context)
    assert finding.outcome is outcome, finding.message


def test_driver_version_read_from_the_installed_metadata(tmp_path: Path) -> None:
    """importlib.metadata.version() of the driver's own distribution is the package version."""
    for folder in "abc":
        (tmp_path / folder).mkdir()
    source = VERSIONED.replace('__version__ = "1.0.0"',
                               'from importlib.metadata import version\n'
                               '__version__ = version("acdriver")')
    assert checks.driver_version_matches(
        driver(tmp_path / "a", source=source)).outcome is Outcome.PASS
    assert checks.driver_version_matches(
        driver(tmp_path / "b", source=source, version="1.1.0")).outcome is Outcome.FAIL
    other = source.replace('version("acdriver")', 'version("pyvisa")')
    assert checks.driver_version_matches(
        driver(tmp_path / "c", source=other)).outcome is Outcome.SKIP


def test_driver_version_computed_at_runtime_is_left_to_the_runtime_rule(tmp_path: Path) -> None:
    source = VERSIONED.replace("return __version__", "return self._read_version_file()")
    finding = checks.driver_version_matches(driver(tmp_path, source=source, version="9.9.9"))
    assert finding.outcome is Outcome.SKIP and "run-compliance-api-values" in finding.message


@pytest.mark.parametrize(("item", "version", "outcome"), [
    ("1.0.0", "1.0.0", Outcome.PASS),
    ("1.0.0 First release", "1.0.0", Outcome.PASS),
    ("1.0.0-rc1", "1.0.0", Outcome.FAIL),
    ("1.0", "1.0", Outcome.FAIL),
    ("0.9.0", "0.9.0", Outcome.FAIL),
    ("0.9.0", "0.9.0rc1", Outcome.PASS),
    ("0.9.0 beta", "0.9.0", Outcome.PASS),
])
def test_driver_version_format(tmp_path: Path, item: str, version: str,
                               outcome: Outcome) -> None:
    text = COMPLIANCE.replace("Driver Version: 1.0.0", f"Driver Version: {item}")
    finding = checks.driver_version_format(driver(tmp_path, compliance=text, version=version))
    assert finding.outcome is outcome, finding.message


def test_driver_vendor(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert checks.driver_vendor_matches(driver(tmp_path)).outcome is Outcome.PASS
    text = COMPLIANCE.replace("Driver Vendor: Acme Instruments", "Driver Vendor: Acme")
    finding = checks.driver_vendor_matches(driver(tmp_path / "a", compliance=text))
    assert finding.outcome is Outcome.FAIL and "'Acme Instruments'" in finding.message
    source = DRIVER.replace("return VENDOR", "return self._vendor")
    assert checks.driver_vendor_matches(driver(tmp_path / "b", source=source)).outcome \
        is Outcome.SKIP


def test_models_disagree_with_the_api(tmp_path: Path) -> None:
    text = COMPLIANCE.replace("AC-100, AC-200", "AC-100, AC-300")
    finding = checks.models_match(driver(tmp_path, compliance=text,
                                         keywords="AC-100,AC-200,AC-300"))
    assert finding.outcome is Outcome.FAIL
    assert "lacks AC-200" in details(finding) and "lists AC-300" in details(finding)


def test_models_are_not_compared_with_keywords_here(tmp_path: Path) -> None:
    # the keywords are metadata-keyword-models' business; this rule compares with the API only
    finding = checks.models_match(driver(tmp_path, keywords="Acme Instruments,AC-100"))
    assert finding.outcome is Outcome.PASS


def test_models_skip_when_the_api_is_not_a_constant(tmp_path: Path) -> None:
    source = DRIVER.replace("return tuple(MODELS)", "return self._models")
    finding = checks.models_match(driver(tmp_path, source=source))
    assert finding.outcome is Outcome.SKIP and "run-compliance-api-values" in finding.message


# ---- the README's copy and locations


def test_readme_copy_differs(tmp_path: Path) -> None:
    readme = README_HEAD + COMPLIANCE.replace("- Driver Version: 1.0.0", "- Driver Version: 1.0.1")
    finding = checks.readme_compliance_text(driver(tmp_path, readme=readme))
    assert finding.outcome is Outcome.FAIL
    assert "'1.0.1'" in details(finding) and "ivi_compliance.md:10" in details(finding)
    assert finding.evidence[0].file.endswith(".dist-info/METADATA")


def test_readme_without_compliance_text(tmp_path: Path) -> None:
    finding = checks.readme_compliance_text(driver(tmp_path, readme=README_HEAD))
    assert finding.outcome is Outcome.FAIL
    assert 'the section "Driver Identification" is missing' in details(finding)


def test_readme_copy_lacks_an_optional_item(tmp_path: Path) -> None:
    text = COMPLIANCE.replace("- Driver Vendor:",
                              "- Driver Identifier: AcDriver\n- Driver Vendor:")
    finding = checks.readme_compliance_text(driver(tmp_path, compliance=text))
    assert finding.outcome is Outcome.FAIL and '"Driver Identifier"' in details(finding)


@pytest.mark.parametrize(("mention", "outcome"), [
    ("See `acdriver/___Introduction to AcDriver___.md`.", Outcome.PASS),
    ("See [it](acdriver/\\_\\_\\_Introduction%20to%20AcDriver\\_\\_\\_.md).", Outcome.PASS),
    ("See the [introduction](https://acme.example/___Introduction to\n  AcDriver___.html).",
     Outcome.PASS),
    ("See `___Introduction to OtherDriver___.md`.", Outcome.FAIL),
    ("See the introduction document.", Outcome.FAIL),
])
def test_readme_introduction_location(tmp_path: Path, mention: str, outcome: Outcome) -> None:
    readme = f"# AcDriver\n\n{mention}\n"
    finding = checks.readme_introduction_location(driver(tmp_path, readme=readme))
    assert finding.outcome is outcome, finding.message


@pytest.mark.parametrize(("text", "outcome"), [
    ("Help: https://acme.example/help", Outcome.PASS),
    ("## API reference\n\nAt https://acme.example/api", Outcome.PASS),
    ("The help is in the docstrings: `python -m pydoc acdriver`.", Outcome.PASS),
    ("Documentation: https://acme.example/docs", Outcome.PASS),  # no separate help location
    ("Help: [driver help](<*Link to Driver Help*>)", Outcome.FAIL),
])
def test_readme_help_location(tmp_path: Path, text: str, outcome: Outcome) -> None:
    finding = checks.readme_help_location(driver(tmp_path, readme=f"# AcDriver\n\n{text}\n"))
    assert finding.outcome is outcome, finding.message


PASSED_IN = '''\
"""Values handed to the utility class when the driver builds it (skfd600 style)."""
__version__ = "1.0.0"
VENDOR = "Acme Instruments"


class AcDriverUtility:
    def __init__(self, session: object, version: str, vendor: str = VENDOR,
                 models: tuple[str, ...] = ("AC-100", "AC-200")) -> None:
        self._session = session
        self._version = version
        self._vendor = vendor
        self._models = models

    @property
    def driver_version(self) -> str:
        return self._version

    @property
    def driver_vendor(self) -> str:
        return self._vendor

    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return self._models


class AcDriver:
    def __init__(self, resource_name: str) -> None:
        self._utility = AcDriverUtility(resource_name, __version__)

    @property
    def ivi_utility(self) -> AcDriverUtility:
        return self._utility
'''


def test_values_passed_to_the_utility_constructor_are_followed(tmp_path: Path) -> None:
    """The constant every construction passes (or the default it leaves) is the API's value."""
    context = driver(tmp_path, source=PASSED_IN)
    for function in (checks.driver_version_matches, checks.driver_vendor_matches,
                     checks.models_match):
        finding = function(context)
        assert finding.outcome is Outcome.PASS, (function.__name__, finding.message)
    two = PASSED_IN.replace(
        "        self._utility = AcDriverUtility(resource_name, __version__)\n",
        "        self._utility = AcDriverUtility(resource_name, __version__)\n"
        "        self._spare = AcDriverUtility(resource_name, '2.0.0')\n")
    (tmp_path / "b").mkdir()
    finding = checks.driver_version_matches(driver(tmp_path / "b", source=two))
    assert finding.outcome is Outcome.SKIP, "two constructions disagree: not a constant"
