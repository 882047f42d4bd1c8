"""Faults a measurement on PyPI drivers found in the static rules, each on a small driver.

The drivers are written in the styles of real vendors' code (generated R&S
drivers, nimi-python, plain Sphinx projects), not in the reference's: a
check judges the spec's sentence, never one driver's spelling of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from wheelkit import judged, wheel

from ivi_conform.context import AuditContext
from ivi_conform.documents import locations as documents
from ivi_conform.documents.compliance import find_readme
from ivi_conform.judges import mypy as mypy_run
from ivi_conform.model import Outcome
from ivi_conform.static import identity, literals
from ivi_conform.static.ivi_classes import utility_class

# ------------------------------------------------------------------------ F5 instance attributes

#: An R&S-style driver: no annotations, children built in a helper the constructor calls,
#: classes imported inside the helper, tabs for indentation.
TOOLBOX = '''\
class Toolbox:
\tdef __init__(self, core):
\t\tself._core = core

\t@property
\tdef driver_version(self) -> str:
\t\treturn "1.0.0"

\t@property
\tdef driver_vendor(self) -> str:
\t\treturn "Xylo Instruments"

\t@property
\tdef instrument_manufacturer(self) -> str:
\t\treturn self._core.idn[0]

\t@property
\tdef instrument_model(self) -> str:
\t\treturn self._core.idn[1]

\t@property
\tdef query_instrument_status_enabled(self) -> bool:
\t\treturn True

\t@query_instrument_status_enabled.setter
\tdef query_instrument_status_enabled(self, enabled: bool) -> None:
\t\tself._core.status = enabled

\t@property
\tdef simulation_enabled(self) -> bool:
\t\treturn False

\tdef error_query(self) -> "ErrorQueryResult | None":
\t\treturn None

\tdef error_query_all(self) -> "list[ErrorQueryResult]":
\t\treturn []

\tdef raise_on_device_error(self) -> None:
\t\tself._core.check()

\tdef reset(self) -> None:
\t\tself._core.write("*RST")

\t@property
\tdef supported_instrument_models(self) -> "tuple[str, ...]":
\t\treturn ("XY100",)


class ErrorQueryResult:
\tdef __init__(self, code: int, message: str) -> None:
\t\tself._code, self._message = code, message

\t@property
\tdef code(self) -> int:
\t\treturn self._code

\t@property
\tdef message(self) -> str:
\t\treturn self._message
'''

PIPE = '''\
class Pipe:
\tdef __init__(self, core):
\t\tself._core = core

\t@property
\tdef session(self):
\t\treturn self._core.session

\t@property
\tdef io_timeout_ms(self) -> int:
\t\treturn 1000

\t@io_timeout_ms.setter
\tdef io_timeout_ms(self, timeout_ms: int) -> None:
\t\tself._core.timeout = timeout_ms

\tdef read_bytes(self) -> bytes:
\t\treturn b""

\tdef read_string(self) -> str:
\t\treturn ""

\tdef write_bytes(self, data: bytes) -> None:
\t\tself._core.write(data)

\tdef write_string(self, data: str) -> None:
\t\tself._core.write(data)
'''

ROOT = '''\
from .internal import Core


class XyDmm:
\tdef __init__(self, resource_name: str, id_query: bool = True, reset: bool = False,
\t             options: "dict | str | None" = None) -> None:
\t\tself._core = Core(resource_name)
\t\tself._custom_init()

\tdef _custom_init(self) -> None:
\t\t"""Adds the interfaces that are custom for the driver."""
\t\tfrom .custom.toolbox import Toolbox
\t\tself.ivi_utility = Toolbox(self._core)

\t\tfrom .custom import pipe
\t\tself.ivi_direct_io = pipe.Pipe(self._core)

\tdef _later(self) -> None:
\t\tself.ivi_helpers = Core("x")
'''

R_AND_S = {
    "xydmm/__init__.py": "from .xydmm import XyDmm\n",
    "xydmm/xydmm.py": ROOT,
    "xydmm/internal.py": "class Core:\n\tdef __init__(self, resource):\n\t\tself.r = resource\n",
    "xydmm/custom/__init__.py": "",
    "xydmm/custom/toolbox.py": TOOLBOX,
    "xydmm/custom/pipe.py": PIPE,
}


def test_attributes_the_constructor_builds_are_the_reference_properties(tmp_path: Path) -> None:
    context = wheel(tmp_path, R_AND_S, dedent=False)
    shape = context.driver
    assert shape.root is not None and shape.root.name == "XyDmm"
    assert shape.utility is not None and shape.utility.name == "Toolbox"
    assert shape.direct_io is not None and shape.direct_io.name == "Pipe"
    for rule in ("utility-reference", "utility-class", "api-error-query-all",
                 "api-raise-on-device-error", "utility-error-query-result",
                 "directio-reference", "directio-class", "directio-session",
                 "package-one-driver"):
        result = judged(context, rule)
        assert result.outcome is Outcome.PASS, (rule, result.message)
    assert "instance attribute" in judged(context, "utility-reference").message


def test_only_the_constructor_and_what_it_calls_make_members(tmp_path: Path) -> None:
    context = wheel(tmp_path, R_AND_S, dedent=False)
    root = context.driver.root
    assert root is not None
    assert {"ivi_utility", "ivi_direct_io", "_core"} <= set(root.members)
    assert "ivi_helpers" not in root.members  # set by a method the constructor never calls


def test_an_attribute_built_by_a_factory_function_leaves_the_class_unknown(
        tmp_path: Path) -> None:
    files = dict(R_AND_S)
    files["xydmm/xydmm.py"] = ROOT.replace("self.ivi_utility = Toolbox(self._core)",
                                           "self.ivi_utility = make(self._core)")
    context = wheel(tmp_path, files, dedent=False)
    assert judged(context, "utility-reference").outcome is Outcome.PASS
    assert judged(context, "utility-class").outcome is Outcome.FAIL
    skipped = judged(context, "api-error-query-all")
    assert skipped.outcome is Outcome.SKIP and "utility-class charges it" in skipped.message


def test_a_root_without_ivi_utility_is_charged_once(tmp_path: Path) -> None:
    files = dict(R_AND_S)
    files["xydmm/xydmm.py"] = ROOT.replace("self.ivi_utility = ", "self.toolbox = ")
    context = wheel(tmp_path, files, dedent=False)
    assert judged(context, "utility-reference").outcome is Outcome.FAIL
    for rule in ("utility-class", "api-error-query-all", "api-mapping-aliases",
                 "package-one-driver"):
        result = judged(context, rule)
        assert result.outcome is Outcome.SKIP, rule
        assert "utility-reference charges it" in result.message, rule


# --------------------------------------------------------------------------- F6 / F7 README places

def _readme(tmp_path: Path, text: str, content_type: str = "text/x-rst",
            headers: str = "") -> AuditContext:
    return wheel(tmp_path, {"xydmm/__init__.py": "class XyDmm:\n    pass\n"},
                 headers=f"Description-Content-Type: {content_type}\n{headers}", readme=text)


@pytest.mark.parametrize("text", [
    "Documentation: https://xydmm.readthedocs.io/en/latest/\n",
    "You can find the full documentation on ReadTheDocs https://xydmm.readthedocs.io\n",
    "Check out `the documentation`_ for the quick start.\n\n"
    ".. _the documentation: https://xydmm.readthedocs.io/en/latest/\n",
])
def test_the_documentation_location_is_the_help_location(tmp_path: Path, text: str) -> None:
    result = judged(_readme(tmp_path, text), "readme-help-location")
    assert result.outcome is Outcome.PASS, result.message
    assert "documentation's" in result.message


def test_the_project_url_documentation_gives_the_help_location(tmp_path: Path) -> None:
    context = _readme(tmp_path, "XyDmm controls the XY100 multimeter.\n",
                      headers="Project-URL: Documentation, https://xydmm.example/docs\n")
    result = judged(context, "readme-help-location")
    assert result.outcome is Outcome.PASS and "Project-URL" in result.message


def test_a_readme_without_any_location_still_fails(tmp_path: Path) -> None:
    context = _readme(tmp_path, "XyDmm controls the XY100 multimeter.\n")
    assert judged(context, "readme-help-location").outcome is Outcome.FAIL


BADGES = """\
.. image:: https://readthedocs.org/projects/xydmm/badge/?version=latest
    :target: https://xydmm.readthedocs.io/en/latest/?badge=latest
    :alt: Documentation Status

.. image:: https://raw.githubusercontent.com/xylo/xydmm/main/docs/images/logo.png

[![docs](https://img.shields.io/badge/docs-latest-blue.svg)](https://xylo.example/manual)
![docs screenshot](docs/screenshot.png)
"""


def test_images_and_badges_are_not_places_but_their_targets_are() -> None:
    places = documents.locations(BADGES)
    assert "https://xydmm.readthedocs.io/en/latest/?badge=latest" in places
    assert "https://xylo.example/manual" in places
    assert not [place for place in places if place.endswith((".png", ".svg"))
                or "/badge/" in place or "shields.io" in place]


def test_doc_inside_a_url_is_no_word(tmp_path: Path) -> None:
    context = _readme(tmp_path, "Source: https://example.com/xydmm/docs/\n",
                      content_type="text/markdown")
    readme = find_readme(context)
    assert readme is not None
    assert documents.located(readme, documents.DOCUMENTATION_WORDS) is None
    assert judged(context, "docs-readme-directions").outcome is Outcome.FAIL


def test_a_badge_alone_is_no_documentation_location(tmp_path: Path) -> None:
    context = _readme(tmp_path, ".. image:: https://readthedocs.org/projects/xydmm/badge/\n")
    assert judged(context, "docs-readme-directions").outcome is Outcome.FAIL


# --------------------------------------------------------------------------- F8 selectors

REPCAP = '''\
from enum import Enum


class Channel(Enum):
\tDefault = -1
\tCh1 = 1
\tCh2 = 2


class Slot(Enum):
\tS1 = 1
'''

CHANNEL = '''\
from .. import repcap


class ChannelCls:
\tdef __init__(self, core):
\t\tself._core = core

\tdef repcap_channel_set(self, channel: repcap.Channel) -> None:
\t\tself._core.channel = channel

\tdef repcap_channel_get(self) -> repcap.Channel:
\t\treturn self._core.channel

\tdef route(self, slot: repcap.Slot):
\t\tself._core.slot = slot

\tdef get_level(self, channel: repcap.Channel = repcap.Channel.Default) -> float:
\t\treturn 0.0
'''

SELECTOR_DRIVER = {
    "xydmm/__init__.py": "from .xydmm import XyDmm\n",
    "xydmm/repcap.py": REPCAP,
    "xydmm/parts/__init__.py": "",
    "xydmm/parts/channel.py": CHANNEL,
    "xydmm/xydmm.py": '''\
class XyDmm:
\tdef __init__(self, resource_name: str) -> None:
\t\tself._core = None

\t@property
\tdef channel(self):
\t\tif not hasattr(self, "_channel"):
\t\t\tfrom .parts.channel import ChannelCls
\t\t\tself._channel = ChannelCls(self._core)
\t\treturn self._channel

\t@property
\tdef ivi_utility(self) -> object:
\t\treturn object()
''',
}


def test_rs_repcap_setters_and_enum_selectors_are_selector_style(tmp_path: Path) -> None:
    result = judged(wheel(tmp_path, SELECTOR_DRIVER, dedent=False), "rc-collection-style")
    assert result.outcome is Outcome.WARN, result.message
    flagged = {evidence.detail.split(":")[0] for evidence in result.evidence}
    # the getter reads the selection and get_level takes the index as a parameter: not selectors
    assert flagged == {"ChannelCls.repcap_channel_set", "ChannelCls.route"}


# --------------------------------------------------------------------------- F10 cascades

def test_the_package_named_like_the_distribution_is_charged_once(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"XyDmm/__init__.py": "class XyDmm:\n    pass\n"}, name="XyDmm")
    assert judged(context, "distname-lowercase").outcome is Outcome.FAIL
    result = judged(context, "ident-package-lowercase")
    assert result.outcome is Outcome.SKIP and "distname-lowercase charges it" in result.message


def test_a_missing_introduction_skips_its_sections(tmp_path: Path) -> None:
    context = _readme(tmp_path, "XyDmm.\n")
    assert judged(context, "docs-introduction-provided").outcome is Outcome.FAIL
    result = judged(context, "docs-introduction-sections")
    assert result.outcome is Outcome.SKIP
    assert "docs-introduction-provided charges it" in result.message


# --------------------------------------------------------------------------- F11 named judges

def test_an_unnamed_manufacturer_names_the_rule_that_charges_it(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": "class XyDmm:\n    ivi_utility = None\n"})
    result = judged(context, "ident-manufacturer-token")
    assert result.outcome is Outcome.SKIP
    assert "contents-compliance-document charges" in result.message
    assert "behavioural rules read it" not in result.message


# --------------------------------------------------------------------------- F12 PEP 8

def test_what_pep8_allows_is_no_departure(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": (
        '"""XyDmm."""\n\n\n'
        "def scale(x: float) -> float:\n"
        "\tcoefficients = [1,   2]\n"
        "\treturn x*2 - coefficients[0]\n"
    )}, dedent=False)
    result = judged(context, "style-pep8")
    assert result.outcome is Outcome.PASS, [str(evidence) for evidence in result.evidence]


def test_mixing_tabs_and_spaces_is_still_a_departure(tmp_path: Path) -> None:
    context = wheel(tmp_path, {"xydmm/__init__.py": (
        "def scale(x: float) -> float:\n"
        "\tif x:\n"
        "\t    return x\n"
        "\treturn 0.0\n"
    )}, dedent=False)
    assert judged(context, "style-pep8").outcome is Outcome.FAIL


# --------------------------------------------------------------------------- facts, not caches

def test_shared_facts_are_computed_once_per_audit(tmp_path: Path) -> None:
    context = wheel(tmp_path, R_AND_S, dedent=False)
    assert identity.identity(context) is identity.identity(context)
    assert literals.static_values(context) is literals.static_values(context)
    assert utility_class(context) is utility_class(context)
    other = wheel(tmp_path / "other", R_AND_S, dedent=False)
    assert identity.identity(other) is not identity.identity(context)


def test_no_module_keeps_a_cache_of_its_own() -> None:
    package = Path(mypy_run.__file__).parent
    holders = [path.name for path in sorted(package.rglob("*.py"))
               if any(isinstance(node, ast.Attribute) and node.attr == "WeakKeyDictionary"
                      for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]
    assert holders == []
