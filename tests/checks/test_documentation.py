"""Documentation and Source Code checks: the README's directions, the Driver Introduction."""

from __future__ import annotations

import ast
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivi_conform.candidate import load
from ivi_conform.checks import documentation as checks
from ivi_conform.context import AuditConfig, AuditContext
from ivi_conform.documents import locations as documents
from ivi_conform.model import Outcome

DRIVER = '''\
class AcDriverUtility:
    pass


class AcDriverDirectIo:
    pass


class AcDriver:
    @property
    def ivi_utility(self) -> AcDriverUtility:
        return AcDriverUtility()

    @property
    def ivi_direct_io(self) -> AcDriverDirectIo:
        return AcDriverDirectIo()
'''

INTRODUCTION = """\
# Introduction to AcDriver

## Driver Documentation
## Driver Source Code and Examples
## Connecting to the Instrument
## Configuring Instrument Settings
## Configuring Driver Settings
## Direct I/O
## Instrument Command Coverage
## Contacting Support
## Trademarks
"""

INTRODUCTION_PATH = "acdriver/___Introduction to AcDriver___.md"


def driver(
    tmp_path: Path,
    readme: str = "# AcDriver\n\nDocumentation: https://acme.example/docs\n",
    files: dict[str, str] | None = None,
    source: str = DRIVER,
    urls: tuple[str, ...] = (),
) -> AuditContext:
    """A wheel of a small ``acdriver`` driver with the given README and extra files."""
    path = tmp_path / "acdriver-1.0.0-py3-none-any.whl"
    metadata = "Metadata-Version: 2.4\nName: acdriver\nVersion: 1.0.0\n"
    metadata += "".join(f"Project-URL: {url}\n" for url in urls)
    metadata += f"Description-Content-Type: text/markdown\n\n{readme}"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("acdriver-1.0.0.dist-info/METADATA", metadata)
        wheel.writestr("acdriver/__init__.py", source)
        for name, text in (files or {}).items():
            wheel.writestr(name, text)
    return AuditContext(load(str(path), work_dir=tmp_path), AuditConfig(), tmp_path)


# ---- directions


@pytest.mark.parametrize("readme", [
    "# AcDriver\n\n## Documentation\n\nAt https://acme.example/ for every release.\n",
    "# AcDriver\n\nSee the [user manual](docs/manual.md).\n",
    "# AcDriver\n\nThe docs:\n\n- https://acme.example/\n- `acdriver/guide/`\n",
    "AcDriver\n========\n\nRead the help with ``python -m pydoc acdriver``.\n",
    "# AcDriver\n\n- Documentation:\n  - <https://acme.example/docs>\n",
])
def test_directions_found(tmp_path: Path, readme: str) -> None:
    finding = checks.readme_directions(driver(tmp_path, readme))
    assert finding.outcome is Outcome.PASS, finding.message


@pytest.mark.parametrize("readme", [
    "# AcDriver\n\nInstall it from https://pypi.org/project/acdriver/.\n",
    "# AcDriver\n\nThe [driver help](<*Link to Driver Help*>) tells all.\n",
    "# AcDriver\n\n---\n\n# Compliance Documentation for AcDriver\n\n"
    "- Source Code: https://acme.example/src\n",
    "# AcDriver\n\nThe compliance document is `acdriver/ivi_compliance.md`.\n",
])
def test_directions_missing(tmp_path: Path, readme: str) -> None:
    finding = checks.readme_directions(driver(tmp_path, readme))
    assert finding.outcome is Outcome.FAIL, finding.message


def test_project_url_is_not_the_readme(tmp_path: Path) -> None:
    context = driver(tmp_path, "# AcDriver\n", urls=("Documentation, https://acme.example",))
    finding = checks.readme_directions(context)
    assert finding.outcome is Outcome.FAIL
    assert "Project-URL Documentation is not the README" in finding.evidence[0].detail


def test_blocks_carry_their_context(tmp_path: Path) -> None:
    readme = "# Top\n\n## Docs\n\nThe files:\n\n- one\n  - nested\n\nLater.\n"
    context = driver(tmp_path, readme)
    blocks = documents.readme_blocks(checks.find_readme(context))  # type: ignore[arg-type]
    nested = next(block for block in blocks if "nested" in block.text)
    assert nested.context.splitlines() == ["Docs", "The files:", "- one"]
    later = next(block for block in blocks if block.text == "Later.")
    assert later.context == "Docs"
    assert later.line == 15  # of METADATA: the README begins after 4 headers and a blank line


# ---- the introduction document


def test_introduction_shipped(tmp_path: Path) -> None:
    context = driver(tmp_path, files={INTRODUCTION_PATH: INTRODUCTION})
    assert checks.introduction_provided(context).outcome is Outcome.PASS
    assert checks.introduction_sections(context).outcome is Outcome.PASS


def test_introduction_online(tmp_path: Path) -> None:
    readme = ("# AcDriver\n\nStart with the [introduction]"
              "(https://acme.example/___Introduction%20to%20AcDriver___.html).\n")
    context = driver(tmp_path, readme)
    assert checks.introduction_provided(context).outcome is Outcome.PASS
    assert checks.introduction_sections(context).outcome is Outcome.SKIP


def test_introduction_missing_or_misnamed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    missing = checks.introduction_provided(driver(tmp_path))
    assert missing.outcome is Outcome.FAIL
    assert "___Introduction to AcDriver___.<ext>" in missing.evidence[0].detail
    misnamed = checks.introduction_provided(driver(
        tmp_path / "a", files={"acdriver/___Introduction to OtherDriver___.md": INTRODUCTION}))
    assert misnamed.outcome is Outcome.FAIL
    assert misnamed.evidence[0].file == "acdriver/___Introduction to OtherDriver___.md"


def test_introduction_lacks_a_section(tmp_path: Path) -> None:
    text = INTRODUCTION.replace("## Configuring Driver Settings\n", "")
    finding = checks.introduction_sections(driver(tmp_path, files={INTRODUCTION_PATH: text}))
    assert finding.outcome is Outcome.FAIL
    assert [evidence.detail for evidence in finding.evidence] == [
        'no section "Configuring Driver Settings"']


def test_contact_support_spelling_of_the_core_example(tmp_path: Path) -> None:
    text = INTRODUCTION.replace("Contacting Support", "Contact Support")
    finding = checks.introduction_sections(driver(tmp_path, files={INTRODUCTION_PATH: text}))
    assert finding.outcome is Outcome.PASS


def test_direct_io_sections_only_with_direct_io(tmp_path: Path) -> None:
    text = (INTRODUCTION.replace("## Direct I/O\n", "")
            .replace("## Instrument Command Coverage\n", ""))
    (tmp_path / "a").mkdir()
    with_io = checks.introduction_sections(driver(tmp_path, files={INTRODUCTION_PATH: text}))
    assert with_io.outcome is Outcome.FAIL and len(with_io.evidence) == 2
    source = DRIVER.split("    @property\n    def ivi_direct_io")[0]
    without = checks.introduction_sections(
        driver(tmp_path / "a", files={INTRODUCTION_PATH: text}, source=source))
    assert without.outcome is Outcome.PASS


def test_known_issues_section_when_the_compliance_document_has_some(tmp_path: Path) -> None:
    compliance = "## Driver Test Failures\n\n- Known Issues: the tilt reads 1 % high\n"
    files = {INTRODUCTION_PATH: INTRODUCTION, "acdriver/compliance.md": compliance}
    finding = checks.introduction_sections(driver(tmp_path, files=files))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].detail == 'no section "Known Issues"'


# --------------------------------------------------------------------------- copyright notice

NOTICE = """Content from the IVI specifications reproduced with permission from the IVI
Foundation.

The IVI Foundation and its member companies make no warranty of any kind with regard to this
material, including, but not limited to, the implied warranties of merchantability and
fitness for a particular purpose. The IVI Foundation and its member companies shall not be
liable for errors contained herein or for incidental or consequential damages in connection
with the furnishing, performance, or use of this material.
"""


def noticed(tmp_path: Path, files: dict[str, str], readme: str = "") -> tuple[Outcome, str]:
    """Judge a wheel of ``acdriver`` with ``files`` and ``readme`` as its description."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "acdriver-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zipped:
        for member, text in {"acdriver/__init__.py": DRIVER, **files}.items():
            zipped.writestr(member, text)
        zipped.writestr("acdriver-1.0.0.dist-info/METADATA",
                        "Metadata-Version: 2.4\nName: acdriver\nVersion: 1.0.0\n"
                        f"Description-Content-Type: text/markdown\n\n{readme}")
    context = AuditContext(load(str(path), work_dir=tmp_path / "w"),
                           AuditConfig(static_only=True), tmp_path / "w")
    finding = checks.ivi_copyright(context)
    context.remember()  # the module facts kept, as at the end of every audit
    return finding.outcome, finding.message


@pytest.mark.parametrize("files", [
    {"acdriver/docs/reference.md": "# API\n\n> " + NOTICE.replace("\n\n", "\n>\n> ")},
    {"acdriver/help.html": "<p>" + NOTICE.replace("\n\n", "</p><p>") + "</p>"},
    {"acdriver/_core.py": f'"""The core.\n\n{NOTICE}"""\n'},
])
def test_the_notice_anywhere_in_the_shipped_help_passes(tmp_path: Path,
                                                        files: dict[str, str]) -> None:
    """A document in any format, or a docstring pydoc shows; markup and wrapping ignored."""
    outcome, message = noticed(tmp_path, files)
    assert outcome is Outcome.PASS, message


def test_the_notice_in_a_comment_is_not_visible(tmp_path: Path) -> None:
    comment = "".join(f"# {line}\n" for line in NOTICE.splitlines())
    outcome, message = noticed(tmp_path, {"acdriver/_core.py": comment + "X = 1\n"})
    assert outcome is Outcome.FAIL
    assert "the package's docstrings" in message


def test_half_the_notice_is_not_the_notice(tmp_path: Path) -> None:
    first = NOTICE.split("\n\n")[0]
    outcome, _ = noticed(tmp_path, {"acdriver/docs/reference.md": first})
    assert outcome is Outcome.FAIL


def test_help_published_online_only_is_not_judged(tmp_path: Path) -> None:
    """The notice may be on the web page: say so, never pass."""
    readme = "## Documentation\n\nThe help: <https://acme.example/acdriver/api/>\n"
    outcome, message = noticed(tmp_path, {}, readme=readme)
    assert outcome is Outcome.NOT_JUDGED
    assert "published online (https://acme.example/acdriver/api/" in message
    shipped = "## Documentation\n\nThe help: `python -m pydoc acdriver`\n"
    outcome, _ = noticed(tmp_path / "b", {}, readme=shipped)
    assert outcome is Outcome.FAIL


def test_a_docstring_is_read_once_per_content(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The docstrings' answer is kept by the module's bytes: the same bytes are not read again,
    changed bytes are."""
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    read: list[int] = []
    docstrings = checks._docstrings

    def counted(tree: ast.Module) -> Iterator[str]:
        read.append(1)
        return docstrings(tree)

    monkeypatch.setattr(checks, "_docstrings", counted)
    module = f'"""The core.\n\n{NOTICE}"""\n'
    assert noticed(tmp_path / "a", {"acdriver/_core.py": module})[0] is Outcome.PASS
    first = len(read)
    assert first == 2  # __init__ and _core
    assert noticed(tmp_path / "b", {"acdriver/_core.py": module})[0] is Outcome.PASS
    assert len(read) == first, "the same bytes came from the cache"
    changed = module.replace("Content from", "Text from")
    assert noticed(tmp_path / "c", {"acdriver/_core.py": changed})[0] is Outcome.FAIL
    assert len(read) == first + 1, "only the changed module was read again"
