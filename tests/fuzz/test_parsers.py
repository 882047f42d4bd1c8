"""Fuzzing every parser of untrusted input: nothing escapes but the documented errors.

Each target gets a fixed budget (``max_examples``), no deadline and a derandomized
run, so that CI sees the same examples every time. The number of examples each
target ran is recorded as the test's ``fuzz_examples`` property (``--junitxml``)
and printed (``-s``).

What may escape, per parser (its documented errors):

- wheel and sdist readers, METADATA, pyproject.toml (:mod:`ivi_conform.candidate`):
  :class:`~ivi_conform.candidate.TargetError`;
- the compliance-document and README reader (:mod:`ivi_conform.documents.compliance`,
  :mod:`ivi_conform.documents.locations`): nothing (``parse_file_version``: ``ValueError``);
- the command line's option values (:mod:`ivi_conform.options`):
  ``argparse.ArgumentTypeError``;
- the IVI option-string parser: ivi-conform has none of its own (a driver parses
  its option string; the harness only writes them), so the reference driver's
  (``fixtures/reference``, ``sksunroof.options.parse_option_string``) is fuzzed:
  its ``OptionError``;
- the live simulator's SCPI parser (:func:`ivi_conform.sim.scpi.parse_program`): nothing;
- the agent's wire protocol (:func:`ivi_conform.behaviour.protocol.parse_line`):
  :class:`~ivi_conform.behaviour.protocol.ProtocolError`; and every value the parent
  sends reaches the agent intact (``wire.py``, both sides);
- the VISA resource names the user gives (:func:`ivi_conform.behaviour.network.instrument_ports`):
  nothing.

``tests/fuzz/conftest.py`` adds the examples run and the escapes (failed fuzz tests)
to pytest's closing summary.

Escapes found in parsers this module does not own are pinned, each with the
input that shows it, at the end (as strict xfails until fixed); the fuzz tests
above them leave those inputs out of their strategies (named where they do) so
that a new escape still fails the suite.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import json
import math
import sys
import tarfile
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivi_conform import candidate, options
from ivi_conform.behaviour import protocol, wire
from ivi_conform.behaviour.network import instrument_ports
from ivi_conform.behaviour.protocol import ProtocolError, encode_value, parse_line
from ivi_conform.candidate import TargetError
from ivi_conform.documents import compliance as compliance_doc
from ivi_conform.documents import locations
from ivi_conform.sim.instrument import ErrorCode
from ivi_conform.sim.scpi import canonical, parse_program

#: The reference driver is not installed: its folder goes on sys.path, as tests/reference does.
_REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
if str(_REFERENCE) not in sys.path:
    sys.path.insert(0, str(_REFERENCE))
_REFERENCE_OPTIONS = importlib.import_module("sksunroof.options")
_REFERENCE_ERRORS = importlib.import_module("sksunroof.errors")


def _load_agent() -> Any:
    """The child-side agent, loaded by its path as the child loads it."""
    where = Path(protocol.__file__).with_name("agent.py")
    spec = importlib.util.spec_from_file_location("_ivi_conform_agent_fuzzed", where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_AGENT = _load_agent()

#: Examples per target: the pure parsers get more than the readers that write files.
PARSER_EXAMPLES = 400
ARCHIVE_EXAMPLES = 120
#: The sdist reader has the most shapes (links, devices, damage): a larger budget.
SDIST_EXAMPLES = 300
#: The README reader and the wire round trip each do several parses an example.
README_EXAMPLES = 200
WIRE_EXAMPLES = 200


def budget(examples: int) -> settings:
    """The fixed fuzzing budget: stable in CI (derandomized, no database, no deadline)."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much,
                                           # the example counter deliberately spans examples
                                           HealthCheck.function_scoped_fixture])


class Counted:
    """Counts a fuzz test's examples and records the count on the test."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> None:
        self.runs += 1


@pytest.fixture
def counted(record_property: Callable[[str, object], None],
            request: pytest.FixtureRequest) -> Iterator[Counted]:
    counter = Counted()
    yield counter
    record_property("fuzz_examples", counter.runs)
    print(f"\nfuzz {request.node.name}: {counter.runs} examples")


# --------------------------------------------------------------------------- archives

_NAME_PARTS = st.sampled_from(["pkg", "..", ".", "", "a.py", "__init__.py", "METADATA",
                               "x.dist-info", "json", "C:", "\\..\\", "sub", "\x1b[31m", "é"])
_MEMBER_NAMES = st.one_of(
    st.lists(_NAME_PARTS, min_size=1, max_size=5).map("/".join),
    st.lists(_NAME_PARTS, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
    st.text(min_size=1, max_size=40),
)
_METADATA_TEXT = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(["Metadata-Version: 2.4", "Name: pkg", "Name:", "Version: 1.0",
                              "Version: ???", "Summary: x", "Classifier: y", "", " folded",
                              "Description-Content-Type: text/markdown", "\udcff", "Dynamic: z",
                              "Requires-Dist: (((", "Name: \u00e9\u00e9"]),
             max_size=10).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogateescape")),
)


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as zipped:
        warnings.simplefilter("ignore")  # duplicate names are part of the fuzz
        for name, data in members:
            with contextlib.suppress(IndexError, ValueError):  # names zipfile cannot write
                zipped.writestr(name, data)
    return buffer.getvalue()


_WHEEL_MEMBERS = st.lists(st.tuples(_MEMBER_NAMES, st.binary(max_size=64)), max_size=6)


@st.composite
def wheels(draw: st.DrawFn) -> bytes:
    """A wheel's bytes: well-formed zips of odd members, and damaged ones."""
    members = draw(_WHEEL_MEMBERS)
    if draw(st.booleans()):
        members.append(("pkg-1.0.dist-info/METADATA", draw(_METADATA_TEXT)))
    data = _zip_bytes(members)
    damage = draw(st.sampled_from(["none", "truncate", "flip", "garbage"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    elif damage == "garbage":
        data = draw(st.binary(max_size=200))
    return data


def _outside(base: Path, allowed: tuple[Path, ...]) -> list[Path]:
    """Files below ``base`` that are in none of the ``allowed`` folders."""
    return [path for path in base.rglob("*")
            if not path.is_dir() and not any(path.is_relative_to(a) for a in allowed)]


@budget(ARCHIVE_EXAMPLES)
@given(data=wheels())
def test_the_wheel_reader_raises_only_target_errors(counted: Counted, data: bytes) -> None:
    counted()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = Path(tmp, "pkg-1.0-py3-none-any.whl")
        wheel.write_bytes(data)
        try:
            dist = candidate.load(str(wheel), work_dir=Path(tmp, "work"))
        except TargetError as exc:
            assert "\n" not in str(exc) and str(wheel) in str(exc)
        else:
            assert all(candidate._member_problem(name) is None for name in dist.files)


@st.composite
def sdists(draw: st.DrawFn, absolute_root: str) -> tuple[bytes, str]:
    """An sdist (tar.gz or zip) of odd members, links and damage; and its suffix."""
    names = draw(st.lists(_MEMBER_NAMES, max_size=6))
    names = [absolute_root + name if name.startswith("/") else name for name in names]
    if draw(st.booleans()):
        names.append("pkg-1.0/pyproject.toml")
    if draw(st.booleans()):
        zipped = _zip_bytes([(name, draw(st.binary(max_size=40))) for name in names])
        return zipped[: draw(st.integers(0, len(zipped)))], ".zip"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tarred:
        for name in names:
            info = tarfile.TarInfo(name)
            kind = draw(st.sampled_from([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE,
                                         tarfile.LNKTYPE, tarfile.FIFOTYPE, tarfile.CHRTYPE]))
            info.type = kind
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = draw(st.one_of(_MEMBER_NAMES, st.sampled_from(names)))
            payload = draw(st.binary(max_size=40)) if kind == tarfile.REGTYPE else b""
            if name.endswith("pyproject.toml") and kind == tarfile.REGTYPE:
                payload = draw(st.sampled_from([b"[project]\nname='pkg'\n", b"[[[", b"\xff",
                                                b"project = 1", b""]))
            info.size = len(payload)
            tarred.addfile(info, io.BytesIO(payload) if payload else None)
    data = buffer.getvalue()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data, ".tar.gz"


def _never_build(folder: Path, work_dir: Path, before_build: object = None) -> Path:
    raise TargetError(f"{folder}/pyproject.toml: not built while fuzzing")


@budget(SDIST_EXAMPLES)
@given(data=st.data())
def test_the_sdist_reader_raises_only_target_errors_and_writes_only_below_scratch(
    counted: Counted, data: st.DataObject,
) -> None:
    counted()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        archive_bytes, suffix = data.draw(sdists(str(base / "abs")))
        (base / "in").mkdir()
        archive = base / "in" / f"pkg-1.0{suffix}"
        archive.write_bytes(archive_bytes)
        work = base / "work" / "deep" / "er"
        with mock.patch.object(candidate, "build_wheel", _never_build):
            try:
                candidate.load(str(archive), work_dir=work)
            except TargetError as exc:
                assert "\n" not in str(exc) and str(archive) in str(exc)
        assert _outside(base, (base / "in", work)) == []


@budget(PARSER_EXAMPLES)
@given(data=_METADATA_TEXT)
def test_metadata_parsing_raises_only_target_errors(counted: Counted, data: bytes) -> None:
    counted()
    try:
        raw, problems = candidate.parse_metadata(data, "x.dist-info/METADATA")
    except TargetError as exc:
        assert str(exc).startswith("x.dist-info/METADATA: ")
    else:
        assert raw.get("name")
        assert all(problem.startswith("x.dist-info/METADATA: ") for problem in problems)


_TOML_PIECES = st.sampled_from(["[project]", "[build-system]", "[[project]]", "project", "name",
                                "=", " = ", "\"x\"", "'''", "\"\"\"", "[", "]", "{", "}", ",",
                                "\n", "1979-05-27", "inf", "nan", "0x1F", "1e400", "true",
                                "\\u0000", "\\", "#", ".", "a.b", "\t", "\r\n", "\x00", "é"])
_TOML_TEXT = st.one_of(st.text(max_size=200),
                       st.lists(_TOML_PIECES, max_size=40).map("".join),
                       st.integers(1, 3000).map(lambda depth: "a = " + "[" * depth))


@budget(PARSER_EXAMPLES)
@given(text=_TOML_TEXT)
def test_pyproject_reading_raises_only_target_errors(counted: Counted, text: str) -> None:
    counted()
    try:
        project = candidate.parse_pyproject(text, "pkg/pyproject.toml")
    except TargetError as exc:
        assert str(exc).startswith("pkg/pyproject.toml: ") and "\n" not in str(exc)
    else:
        assert isinstance(project, dict)


@budget(ARCHIVE_EXAMPLES)
@given(data=st.one_of(st.binary(max_size=300), _TOML_TEXT.map(
    lambda text: text.encode("utf-8", "surrogatepass"))))
def test_a_pyproject_file_of_any_bytes_raises_only_target_errors(counted: Counted,
                                                                 data: bytes) -> None:
    counted()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pyproject.toml").write_bytes(data)
        try:
            candidate._read_pyproject(Path(tmp))
        except TargetError as exc:
            assert str(Path(tmp, "pyproject.toml")) in str(exc)


# --------------------------------------------------------------------------- documents

_DOC_LINES = st.sampled_from([
    "# Compliance", "IVI Compliance", "=====", "-----", "~~~~", "Driver Identification",
    "Driver Version: 1.0.0", "- Driver Vendor: X", "**Driver Version:** 1.2.3.4",
    "> Known Issues: None", ":Driver Version: 1.0", "| Driver Version | 1.0.0 |", "|---|---|",
    "+-----+-----+", "===== =====", "Supported Operating Systems:", "  - Windows", "```", "~~~",
    "Test Setup 1", "Test Setup", "1. Driver Identification", "**", "*", "|", ":", "", "    ",
    "Supported Operating Systems for 64-bit Drivers: Linux", "A.", "iv. x", "\t", "\\", "_",
])
_DOCS = st.one_of(st.text(max_size=400),
                  st.lists(st.one_of(_DOC_LINES, st.text(max_size=30)), max_size=40)
                  .map("\n".join))


@budget(PARSER_EXAMPLES)
@given(text=_DOCS, path=st.sampled_from(["c.md", "c.rst", "c.txt", "README", "x.markdown"]),
       markdown=st.sampled_from([None, True, False]), first_line=st.integers(1, 10_000))
def test_the_compliance_document_reader_never_raises(counted: Counted, text: str, path: str,
                                                     markdown: bool | None,
                                                     first_line: int) -> None:
    counted()
    doc = compliance_doc.parse_compliance(text, path, first_line=first_line, markdown=markdown)
    assert doc is not None
    compliance_doc.split_list(text)
    compliance_doc.normalize_name(text)


@budget(PARSER_EXAMPLES)
@given(value=st.one_of(st.text(max_size=60),
                       st.lists(st.sampled_from(["0", "1", "65535", "65536", "123456", ".", " ",
                                                 "x", "\u0660", "\x7f"]), max_size=12)
                       .map("".join)),
       prerelease=st.booleans())
def test_the_file_version_parser_raises_only_value_errors(counted: Counted, value: str,
                                                          prerelease: bool) -> None:
    counted()
    try:
        compliance_doc.parse_file_version(value, prerelease=prerelease)
    except ValueError:
        pass


@budget(PARSER_EXAMPLES)
@given(text=st.text(max_size=60))
def test_the_option_value_parsers_raise_only_argument_type_errors(counted: Counted,
                                                                  text: str) -> None:
    counted()
    for parse in (options.vendor_value, options.date_value, options.seconds_value,
                  options.section_slug):
        try:
            parse(text)
        except argparse.ArgumentTypeError:
            pass


_OPTION_PIECES = st.sampled_from([
    "Simulate", "simulate", "QueryInstrStatus", "QueryInstrumentStatus", "RangeCheck", "Cache",
    "DriverSetup", "Model", "VisaLibrary", "IoTimeoutMs", "=", ":", ",", ";", " ", "True", "0",
    "1", "VI_TRUE", "vi_false", "SR-PN200", "SR-XX", "@py", "x.yaml@sim", "99999999999", "-1",
    "\u0660", "\t", "\x00",
])


@budget(PARSER_EXAMPLES)
@given(text=st.one_of(st.text(max_size=80), st.lists(_OPTION_PIECES, max_size=20).map("".join)))
def test_the_reference_drivers_option_string_parser_raises_only_option_errors(
    counted: Counted, text: str,
) -> None:
    counted()
    try:
        _REFERENCE_OPTIONS.parse_option_string(text)
    except _REFERENCE_ERRORS.OptionError:
        pass


_README_LINES = st.sampled_from([
    "# Sksunroof", "Documentation", "Documentation: https://x.example/docs", "See the docs:",
    "- [Docs](https://x.readthedocs.io)", "  - nested", "1. first", "* item", "help(Sksunroof)",
    "pydoc sksunroof", "`docs/intro.md`", "docs/___Introduction to Sksunroof___.md",
    "___Introduction\\_to\\_X___.rst", "%20", "![badge](https://img.shields.io/x.svg)",
    ".. image:: https://badge.fury.io/py/x.svg", "   :target: https://pypi.org/x",
    "<img src='x.png'>", ".. _docs: https://x.example", "`Docs <https://x.example>`__",
    "[docs]: https://x.example", "Introduction", "IVI Compliance", "=====", "", "   ", "<*", "*>",
])
_READMES = st.one_of(st.text(max_size=300),
                     st.lists(st.one_of(_README_LINES, st.text(max_size=20)), max_size=30)
                     .map("\n".join))


@budget(README_EXAMPLES)
@given(text=_READMES, content_type=st.sampled_from(["", "text/markdown", "text/x-rst"]),
       first_line=st.integers(1, 500))
def test_the_readme_reader_never_raises(counted: Counted, text: str, content_type: str,
                                        first_line: int) -> None:
    counted()
    doc = compliance_doc.parse_compliance(text, "README.md", first_line=first_line,
                                          markdown=content_type == "text/markdown")
    readme = compliance_doc.Readme(text, content_type, "README.md", "README.md", first_line, doc)
    blocks = locations.readme_blocks(readme)
    assert all(block.line >= first_line for block in blocks)
    locations.locations(text)
    locations.words_of(text)
    locations.documentation_location(readme)
    locations.readme_introductions(readme)


# --------------------------------------------------------------------------- SCPI

_SCPI_PIECES = st.sampled_from([
    "PAN", "PANel", "PAN2", "pan1", "PAN0", "PAN99", ":", ";", "?", " ", ",", "\t", "POS",
    "POSition", "TILT", "STAT", "STOP", "COUN", "SYST", "ERR", "NEXT", "*IDN?", "*RST", "*OPC?",
    "*WAI", "*ESE", "*SRE?", "*XYZ", "MOT", "SPE", "CURR?", "SHAD", "PINC", "THR", "SOL", "POW",
    "50", "+5E1", "-1", "1e999", "ON", "OFF", "nan", "\u0661", "\x00", "\ufeff",
])
#: Digit runs are kept short; a PANel suffix of over 4300 digits, once an escape, is pinned
#: by test_scpi_known_escape_a_huge_suffix below.
_SCPI = st.one_of(st.text(max_size=120), st.lists(_SCPI_PIECES, max_size=30).map("".join))


@budget(PARSER_EXAMPLES)
@given(message=_SCPI, panels=st.integers(1, 6))
def test_the_scpi_parser_never_raises(counted: Counted, message: str, panels: int) -> None:
    counted()
    parse_program(message, panels)
    canonical(message, panels)


# --------------------------------------------------------------------------- protocol

_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                          st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
_TAGS = st.sampled_from(["$obj", "$enum", "$bytes", "$float", "$seq", "$scalar", "$ref", "$x",
                         "type", "mro", "repr", "name", "value", "tuple"])
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(_TAGS, st.text(max_size=5)), inner,
                                            max_size=4)),
    max_leaves=20,
)
#: "mro" and "traceback" of an exception are lists or absent here; their other shapes, once
#: an escape, are pinned by test_protocol_known_escape_exception_fields_not_lists below.
_EXCEPTIONS = st.one_of(_JSON_SCALARS, st.lists(_JSON_VALUES, max_size=3),
                        st.fixed_dictionaries({}, optional={
    "type": _JSON_SCALARS, "message": _JSON_SCALARS,
    "mro": st.lists(_JSON_SCALARS, max_size=3), "traceback": st.lists(_JSON_SCALARS, max_size=3),
}))


@st.composite
def protocol_lines(draw: st.DrawFn) -> bytes:
    """A line the child could send: replies, callbacks, odd shapes, broken JSON."""
    shape = draw(st.sampled_from(["reply", "error", "callback", "value", "bytes"]))
    message: Any
    if shape == "reply":
        message = {"id": draw(st.sampled_from([1, 2, "1", None])), "ok": True,
                   "value": draw(_JSON_VALUES), "seconds": draw(_JSON_SCALARS)}
    elif shape == "error":
        message = {"id": 1, "ok": False, "exc": draw(_EXCEPTIONS), "agent": draw(_JSON_VALUES)}
    elif shape == "callback":
        message = {"cb": draw(_JSON_VALUES), "args": draw(_JSON_VALUES)}
    elif shape == "value":
        message = draw(_JSON_VALUES)
    else:
        return draw(st.binary(max_size=200))
    line = json.dumps(message).encode()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.binary(max_size=4)) + line[at:]
    return line


@budget(PARSER_EXAMPLES)
@given(line=protocol_lines())
def test_the_protocol_decoder_raises_only_protocol_errors(counted: Counted, line: bytes) -> None:
    counted()
    try:
        parse_line(line, 1)
    except ProtocolError:
        pass


_SENT_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**80, 2**80), st.floats(),
                          st.text(max_size=12), st.binary(max_size=12))
_SENT = st.recursive(
    _SENT_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=16,
)


def _same(sent: object, got: object) -> bool:
    """Equal, a NaN equal to a NaN."""
    if isinstance(sent, float) and isinstance(got, float):
        return sent == got or (math.isnan(sent) and math.isnan(got))
    if isinstance(sent, list | tuple) and type(sent) is type(got):
        return len(sent) == len(got) and all(map(_same, sent, got))
    if isinstance(sent, dict) and isinstance(got, dict):
        return sent.keys() == got.keys() and all(_same(sent[key], got[key]) for key in sent)
    return type(sent) is type(got) and sent == got


@budget(WIRE_EXAMPLES)
@given(value=_SENT)
def test_every_value_the_parent_sends_reaches_the_agent_intact(counted: Counted,
                                                                value: object) -> None:
    counted()
    line = wire.line({"id": 1, "op": "call", "args": encode_value(value)})
    got = _AGENT.decode(json.loads(line)["args"])
    assert _same(value, got), (value, got)
    back = parse_line(wire.line({"id": 1, "ok": True, "value": _AGENT.encode(got)}).encode(), 1)
    assert back.ok  # type: ignore[union-attr]


_RESOURCE_PARTS = st.one_of(st.sampled_from(
    ["5025", "99999", "0", "65536", "9" * 5000, "\u0665\u0660", "hislip0", "hislip0,4881",
     "hislip1,70000", "inst0", "localhost", "10.0.0.1", "::1", "", " ", "gpib0,12"]),
    st.text(max_size=8))
_RESOURCE_PORTS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.sampled_from(["9" * 5000, "\u0665\u0660", "hislip0", "hislip0,4881", "hislip1,70000",
                     "hislip0," + "9" * 5000, "inst0"]))
_RESOURCE_KINDS = st.sampled_from(["TCPIP", "TCPIP0", "tcpip3", "GPIB0", "USB0", "X"])
_RESOURCE_ENDS = st.sampled_from(["SOCKET", "INSTR", "socket", "", "SOCKET "])
_RESOURCES = st.one_of(
    st.text(max_size=60),
    st.tuples(_RESOURCE_KINDS, _RESOURCE_PARTS, _RESOURCE_PORTS, _RESOURCE_ENDS).map("::".join),
    st.tuples(_RESOURCE_KINDS, st.lists(_RESOURCE_PARTS, max_size=3), _RESOURCE_ENDS)
    .map(lambda parts: "::".join([parts[0], *parts[1], parts[2]])),
)


@budget(PARSER_EXAMPLES)
@given(name=_RESOURCES)
def test_a_resource_name_gives_valid_ports_or_none(counted: Counted, name: str) -> None:
    counted()
    ports, dns = instrument_ports(name)
    assert isinstance(dns, bool)
    assert ports is None or all(0 < port < 65536 for port in ports)


# --------------------------------------------------------------------------- known escapes
# Found by the fuzz tests above and fixed; each input stays pinned here.


def test_scpi_known_escape_a_huge_suffix() -> None:
    """A PANel suffix over the 4300-digit int() limit is refused with -114, not a ValueError."""
    units = parse_program("PAN" + "1" * 5000 + ":POS?", 2)
    codes = [getattr(unit, "code", None) for unit in units]
    assert codes == [ErrorCode.HEADER_SUFFIX_OUT_OF_RANGE]


def test_protocol_known_escape_an_infinite_handle() -> None:
    with pytest.raises(ProtocolError):
        parse_line(b'{"id":1,"ok":true,"value":{"$obj":Infinity}}', 1)


@pytest.mark.parametrize("line", [b'{"id":1,"ok":false,"exc":{"mro":5}}',
                                  b'{"id":1,"ok":false,"exc":{"traceback":7}}'])
def test_protocol_known_escape_exception_fields_not_lists(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_line(line, 1)


def test_protocol_known_escape_deeply_nested_json() -> None:
    with pytest.raises(ProtocolError):
        parse_line(b"[" * 100_000, 1)
