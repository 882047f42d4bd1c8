"""Several drivers in one command: a folder each, a dashboard, the worst exit status."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from audits import mutate

from ivi_conform.cli import main
from ivi_conform.fleet import expand, folder_names, worst_exit


class _Links(HTMLParser):
    """The dashboard's links and rows, and anything it would load from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag in ("link", "script", "img", "iframe") or values.get("src"):
            self.loads.append(tag)


def test_two_drivers_get_a_folder_each_and_a_dashboard_linking_into_them(
    tmp_path: Path,
) -> None:
    broken = mutate.materialize("distname-lowercase", tmp_path / "broken")
    out = tmp_path / "out"
    printed = io.StringIO()
    status = main(["audit", str(mutate.REFERENCE), str(broken), "--static", "--jobs", "2",
                   "--report-dir", str(out), "--formats", "html"], out=printed)
    assert status == 1  # the worst: one non-conformant, one incomplete (static)
    verdicts = {name: json.loads((out / name / "report.json").read_text("utf-8"))["verdict"]
                for name in ("reference", "broken")}
    assert verdicts == {"reference": "incomplete", "broken": "non-conformant"}
    assert f"{broken}: NON-CONFORMANT" in printed.getvalue()

    page = (out / "dashboard.html").read_text("utf-8")
    parser = _Links()
    parser.feed(page)
    assert parser.loads == []  # self-contained
    assert parser.links
    for link in parser.links:
        file, _, anchor = link.partition("#")
        target = out / file
        assert target.is_file(), link
        if anchor:
            assert f'id="{anchor}"' in target.read_text("utf-8"), link
    rows = re.findall(r"<tr><td><a href=\"(\w+)/report.html\">(.*?)</a></td>"
                      r"<td class=\"([\w-]+)\">", page)
    assert rows == [("reference", "sksunroof 1.0.0", "incomplete"),
                    ("broken", "SKSUNROOF 1.0.0", "non-conformant")]
    distname = re.search(r'<td class="o-(\w+)"><a href="broken/report.html'
                         r'#section-ivi-python-distribution-package-naming">', page)
    assert distname is not None and distname[1] == "fail"


def test_an_unreadable_target_is_a_row_of_its_own_and_the_worst_status(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere.whl"
    (tmp_path / "empty").mkdir()
    status = main(["audit", str(missing), str(tmp_path / "empty"), "--static",
                   "--report-dir", str(tmp_path / "out")], out=io.StringIO(),
                  err=io.StringIO())
    assert status == 2
    page = (tmp_path / "out" / "dashboard.html").read_text("utf-8")
    assert page.count("NOT AUDITED") == 2 and "nowhere.whl" in page
    assert "error" in (tmp_path / "out" / "nowhere" / "audit.log").read_text("utf-8")


def test_a_folder_of_wheels_stands_for_its_wheels_and_a_project_for_itself(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "dist"
    wheels.mkdir()
    for name in ("b_driver-1.0-py3-none-any.whl", "a_driver-2.0-py3-none-any.whl"):
        (wheels / name).write_bytes(b"")
    assert expand([str(wheels)]) == [str(wheels / "a_driver-2.0-py3-none-any.whl"),
                                     str(wheels / "b_driver-1.0-py3-none-any.whl")]
    (wheels / "pyproject.toml").write_text("", encoding="utf-8")
    assert expand([str(wheels)]) == [str(wheels)]
    assert folder_names(["x/a_driver-2.0-py3-none-any.whl", "y/A.Driver", "z/a-driver",
                         "sk-1.0.tar.gz"]) == ["a-driver", "a-driver-2", "a-driver-3", "sk"]


@pytest.mark.parametrize(("codes", "worst"), [
    ([0, 0], 0), ([0, 3], 3), ([3, 1, 0], 1), ([1, 2, 3], 2), ([0, 130], 130), ([], 0),
])
def test_the_exit_status_is_the_worst(codes: list[int], worst: int) -> None:
    assert worst_exit(codes) == worst


@pytest.mark.parametrize("options", [["--jobs", "0"], ["--format", "json"],
                                     ["--write-expectations", "x.toml"]])
def test_options_that_do_not_fit_several_drivers_are_usage_errors(
    tmp_path: Path, options: list[str], capsys: pytest.CaptureFixture[str],
) -> None:
    err = io.StringIO()
    assert main(["audit", "a.whl", "b.whl", *options, "--report-dir", str(tmp_path)],
                out=io.StringIO(), err=err) == 2
    assert "error" in err.getvalue() + capsys.readouterr().err  # argparse writes its own
    assert not (tmp_path / "dashboard.html").exists()
