"""Package Metadata: keywords against the API's values, classifiers."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.checks import metadata as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.model import Outcome

DRIVER = '''\
MODELS = ("N5183B", "N5173B")


class Utility:
    @property
    def supported_instrument_models(self) -> tuple[str, ...]:
        return MODELS

    @property
    def instrument_manufacturer(self) -> str:
        return "Keysight Technologies"


class KtMxg:
    @property
    def ivi_utility(self) -> Utility:
        return Utility()
'''
QUERIED = DRIVER.replace('return MODELS', 'return self._query("MODELS?")').replace(
    'return "Keysight Technologies"', 'return self._query("*IDN?")')
IVI = "Topic :: Scientific/Engineering :: Instrument Drivers :: IVI Conformant"


def wheel(
    tmp_path: Path, keywords: list[str], *, driver: str = DRIVER, document: str | None = None,
    classifiers: tuple[str, ...] = (IVI,),
) -> AuditContext:
    """A wheel of ktmxg with those keywords and classifiers, and an optional compliance text."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "ktmxg-1.0.0-py3-none-any.whl"
    fields = "".join(f"Classifier: {classifier}\n" for classifier in classifiers)
    if keywords:
        fields += f"Keywords: {','.join(keywords)}\n"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("ktmxg/__init__.py", "from ktmxg.driver import KtMxg\n")
        zipped.writestr("ktmxg/driver.py", driver)
        if document is not None:
            zipped.writestr("ktmxg/ivi_compliance.md", textwrap.dedent(document))
        zipped.writestr("ktmxg-1.0.0.dist-info/METADATA",
                        f"Metadata-Version: 2.4\nName: ktmxg\nVersion: 1.0.0\n{fields}\n")
    return AuditContext(load(str(path), work_dir=tmp_path / "w"), AuditConfig(), tmp_path / "w")


ALL = ["Keysight Technologies", "N5183B", "N5173B", "signal generator"]


def test_keywords_holding_the_api_values_pass(tmp_path: Path) -> None:
    context = wheel(tmp_path, ALL)
    assert checks.keyword_manufacturer(context).outcome is Outcome.PASS
    models = checks.keyword_models(context)
    assert models.outcome is Outcome.PASS
    assert "ktmxg/driver.py:6" in models.message


def test_a_missing_model_fails(tmp_path: Path) -> None:
    finding = checks.keyword_models(wheel(tmp_path, ["Keysight Technologies", "N5183B"]))
    assert finding.outcome is Outcome.FAIL
    assert finding.message.endswith("N5173B")
    assert finding.evidence[0].file == "ktmxg-1.0.0.dist-info/METADATA"
    assert finding.evidence[0].line == 5


def test_the_form_must_be_the_apis(tmp_path: Path) -> None:
    finding = checks.keyword_manufacturer(wheel(tmp_path, ["KEYSIGHT TECHNOLOGIES", *ALL[1:]]))
    assert finding.outcome is Outcome.FAIL
    assert "written 'KEYSIGHT TECHNOLOGIES'" in finding.evidence[0].detail


def test_the_manufacturer_is_the_apis_not_the_compliance_documents(tmp_path: Path) -> None:
    """The Core ties no compliance item to instrument_manufacturer: only the API counts."""
    document = """\
        # Compliance
        ## Hardware Information
        - Instrument Manufacturer: Tektronix, Inc.
        - Supported Instrument Models: N5183B, N5173B
    """
    queried = wheel(tmp_path / "a", ["Tektronix", "N5183B", "N5173B"], driver=QUERIED,
                    document=document)
    finding = checks.keyword_manufacturer(queried)
    assert finding.outcome is Outcome.SKIP and "run-metadata-keywords-api" in finding.message
    assert checks.keyword_models(queried).outcome is Outcome.PASS
    declared = wheel(tmp_path / "b", ["Tektronix", "Inc.", "N5183B", "N5173B"],
                     document=document)
    finding = checks.keyword_manufacturer(declared)
    assert finding.outcome is Outcome.FAIL
    assert "Keysight Technologies" in finding.message


def test_a_manufacturer_constant_followed_through_a_class_constant(tmp_path: Path) -> None:
    driver = DRIVER.replace('return "Keysight Technologies"', "return self.MAKER").replace(
        "class Utility:", 'class Utility:\n    MAKER = "Keysight Technologies"\n')
    context = wheel(tmp_path, ALL, driver=driver)
    assert checks.keyword_manufacturer(context).outcome is Outcome.PASS


def test_without_a_static_value_the_rules_skip(tmp_path: Path) -> None:
    context = wheel(tmp_path, ALL, driver=QUERIED)
    assert checks.keyword_manufacturer(context).outcome is Outcome.SKIP
    assert checks.keyword_models(context).outcome is Outcome.SKIP
    assert "run-metadata-keywords-api" in checks.keyword_models(context).message


@pytest.mark.parametrize(
    ("classifier", "problem"),
    [("Topic :: Scientific/Engineering :: Sunroofs", "is not a classifier"),
     ("Private :: Do Not Upload", "private classifier"),
     ("Framework :: Django CMS :: 4.2", "is deprecated; use Framework :: Django CMS :: 5.0")],
)
def test_invalid_classifiers(tmp_path: Path, classifier: str, problem: str) -> None:
    finding = checks.classifiers_valid(wheel(tmp_path, ALL, classifiers=(IVI, classifier)))
    assert finding.outcome is Outcome.FAIL
    assert problem in finding.evidence[0].detail
    assert finding.evidence[0].line == 5


def test_valid_classifiers_pass(tmp_path: Path) -> None:
    context = wheel(tmp_path, ALL, classifiers=("Typing :: Typed", IVI))
    assert checks.classifiers_valid(context).outcome is Outcome.PASS


def test_a_source_folder_points_at_the_pyproject_lines(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    (folder / "ktmxg").mkdir(parents=True)
    (folder / "ktmxg" / "__init__.py").write_text("from ktmxg.driver import KtMxg\n")
    (folder / "ktmxg" / "driver.py").write_text(DRIVER)
    (folder / "pyproject.toml").write_text(textwrap.dedent('''\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "ktmxg"
        version = "1.0.0"
        keywords = [
            "Keysight Technologies",
            "N5183B",
        ]
        classifiers = [
            "Typing :: Typed",
            "Private :: Do Not Upload",
        ]
    '''))
    context = AuditContext(load(str(folder), work_dir=tmp_path / "w"), AuditConfig(),
                           tmp_path / "w")
    models = checks.keyword_models(context)
    assert (models.evidence[0].file, models.evidence[0].line) == ("pyproject.toml", 8)
    classifiers = checks.classifiers_valid(context)
    assert (classifiers.evidence[0].file, classifiers.evidence[0].line) == ("pyproject.toml", 14)
