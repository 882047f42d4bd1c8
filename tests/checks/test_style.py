"""PEP 8 rules (Style Guide, IVI-Python Naming): one ruff run per audit."""

from __future__ import annotations

import functools
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
import wheelkit

from ivi_conform.checks import style
from ivi_conform.context import AuditContext
from ivi_conform.judges import ruff
from ivi_conform.model import Outcome

wheel = functools.partial(wheelkit.wheel, name="ktdmm", dedent=False)


CLEAN = '''\
"""A clean module."""


class KtDmm:
    """The root class."""

    def measure(self, range_value: float) -> float:
        """Measure."""
        result = range_value * 2
        return result
'''


def codes(context: AuditContext) -> dict[str, list[str]]:
    """The codes each rule reports, by rule."""
    return {
        "style": [e.detail.split()[0] for e in style.pep8_style(context).evidence],
        "naming": [e.detail.split()[0] for e in style.pep8_naming(context).evidence],
    }


def test_a_clean_driver_passes_both(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/__init__.py": CLEAN, "ktdmm/py.typed": ""})
    assert style.pep8_style(context).outcome is Outcome.PASS
    assert style.pep8_naming(context).outcome is Outcome.PASS
    assert "1 Python file(s)" in style.pep8_style(context).message


def test_style_and_naming_split_one_run(tmp_path: Path) -> None:
    bad = textwrap.dedent('''\
        """Bad."""
        import os
        class my_class:
          def Measure(self, X):
            fooBar=1
            return X
    ''')
    context = wheel(tmp_path, {"ktdmm/__init__.py": bad})
    found = codes(context)
    assert {"E302", "E111", "E225"} <= set(found["style"])
    assert set(found["naming"]) == {"N801", "N802", "N803", "N806"}
    naming = style.pep8_naming(context)
    assert naming.outcome is Outcome.FAIL
    assert naming.evidence[0].file == "ktdmm/__init__.py"
    assert naming.evidence[0].line == 3
    assert "N801 Class name `my_class`" in naming.evidence[0].detail


def test_ruff_runs_once_per_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(command: list[str], **kwargs: object) -> object:
        calls.append(command)
        return real(command, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting)
    context = wheel(tmp_path, {"ktdmm/__init__.py": CLEAN})
    style.pep8_style(context)
    style.pep8_naming(context)
    style.pep8_style(context)
    assert len(calls) == 1
    assert {"--isolated", "--preview", "--no-cache"} <= set(calls[0])
    assert calls[0][calls[0].index("--line-length") + 1] == "99"


def test_line_length_is_99(tmp_path: Path) -> None:
    fits = f'"""Module."""\n\nVALUE = "{"x" * 89}"\n'
    assert len(fits.splitlines()[2]) == 99
    too_long = fits.replace('"x', '"xx')
    assert codes(wheel(tmp_path / "a", {"ktdmm/__init__.py": fits}))["style"] == []
    assert codes(wheel(tmp_path / "b", {"ktdmm/__init__.py": too_long}))["style"] == ["E501"]


def test_two_space_indentation_is_not_pep8(tmp_path: Path) -> None:
    two = '"""Module."""\n\n\ndef f() -> int:\n  """Doc."""\n  return 1\n'
    assert "E111" in codes(wheel(tmp_path / "a", {"ktdmm/__init__.py": two}))["style"]


def test_exception_names_without_error_are_not_reported(tmp_path: Path) -> None:
    source = '"""Module."""\n\n\nclass Timeout(Exception):\n    """Timed out."""\n'
    assert codes(wheel(tmp_path / "a", {"ktdmm/__init__.py": source}))["naming"] == []


def test_only_noqa_comments_naming_the_code_are_honoured(tmp_path: Path) -> None:
    source = textwrap.dedent('''\
        # ruff: noqa
        # flake8: noqa
        """Module."""


        def f(X):  # noqa: N803 - the instrument's own name
            """Doc."""
            Y = X  # noqa
            return Y


        def g(Z):  # noqa: E501, N803
            """Doc."""
            return Z
    ''')
    found = codes(wheel(tmp_path, {"ktdmm/__init__.py": source}))
    assert found["naming"] == ["N806"]


def test_generated_and_example_files_are_linted_dist_info_is_not(tmp_path: Path) -> None:
    files = {
        "ktdmm/__init__.py": CLEAN,
        "ktdmm/_generated/api.py": "x=1\n",
        "ktdmm/examples/demo.py": '"""Demo."""\nimport os, sys\n',
        "ktdmm-1.0.0.data/scripts/tool.py": "x=1\n",
        "ktdmm/stubs.pyi": "def F() -> None: ...\n",
    }
    context = wheel(tmp_path, files)
    style_files = {e.file for e in style.pep8_style(context).evidence}
    assert style_files == {"ktdmm/_generated/api.py", "ktdmm/examples/demo.py"}
    assert {e.file for e in style.pep8_naming(context).evidence} == {"ktdmm/stubs.pyi"}
    assert "4 Python file(s)" not in style.pep8_style(context).message


def test_a_file_ruff_cannot_parse_is_a_style_problem(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/__init__.py": CLEAN, "ktdmm/broken.py": "def (:\n"})
    finding = style.pep8_style(context)
    assert finding.outcome is Outcome.FAIL
    assert {e.file for e in finding.evidence} == {"ktdmm/broken.py"}


def test_no_python_file_skips(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"ktdmm/data.txt": "x"})
    assert style.pep8_style(context).outcome is Outcome.SKIP


def test_without_ruff_the_rules_end_in_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ruff, "find_ruff", lambda: None)
    context = wheel(tmp_path, {"ktdmm/__init__.py": CLEAN})
    finding = style.pep8_naming(context)
    assert finding.outcome is Outcome.ERROR
    assert "ruff is not installed" in finding.message


@pytest.mark.skipif(os.name == "nt", reason="the stand-in ruff is a shell script")
def test_a_failing_ruff_ends_in_error(tmp_path: Path) -> None:
    fake = tmp_path / "ruff"
    fake.write_text("#!/bin/sh\necho 'boom' >&2\nexit 2\n")
    fake.chmod(0o755)
    (tmp_path / "lint").mkdir()
    (tmp_path / "lint" / "a.py").write_text("x = 1\n")
    outcome = ruff.run_ruff(tmp_path / "lint", ["a.py"], str(fake))
    assert outcome == "ruff failed (exit 2): boom"


def test_the_ruff_beside_the_interpreter_is_found() -> None:
    found = ruff.find_ruff()
    assert found is not None and Path(found).name.startswith("ruff")


def test_unsafe_wheel_paths_are_not_written() -> None:
    assert ruff.python_files(["../evil.py", "/abs.py", "a/b.py", "a-1.dist-info/x.py"]) == [
        "a/b.py"]


def test_the_linted_files_and_their_package_markers_follow_pathlib() -> None:
    """String parsing of wheel paths (for speed) agrees with PurePosixPath on odd paths."""
    from pathlib import PurePosixPath

    odd = ["a/b.py", "a//b.py", "./a/b.pyi", "a/./b.py", "a/.py", "a/b.", "a/b.py.txt",
           "a/../b.py", "/a.py", "a.data/b.py", "x-1.dist-info/b.py", "a/b/c/__init__.py",
           "a/__init__.pyi", "", ".", "a/B.PY"]

    def by_pathlib(path: str) -> bool:
        posix = PurePosixPath(path)
        return not (posix.suffix not in {".py", ".pyi"} or posix.is_absolute()
                    or ".." in posix.parts or ".dist-info" in posix.parts[0]
                    or posix.parts[0].endswith(".data"))

    assert ruff.python_files(odd) == sorted(path for path in odd if by_pathlib(path))
    markers = {"a/__init__.py", "a/b/__init__.py", "a/b/c/__init__.pyi"}
    assert ruff._ancestor_markers("a//b/./c/d.py", markers) == [
        "a/b/c/__init__.pyi", "a/b/__init__.py", "a/__init__.py"]
