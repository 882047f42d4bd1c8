"""The repeated-capability rules read the syntax through module facts remembered between audits.

A re-audit after a one-module change must parse that module alone, and its
findings must be those of an audit that remembers nothing: facts kept for
the module's old bytes would miss the selector the change adds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from wheelkit import wheel

from ivi_conform.checks import repeated_capabilities as checks
from ivi_conform.context import AuditContext
from ivi_conform.model import Evidence, Outcome
from ivi_conform.static.api_shape import hierarchy_of
from ivi_conform.static.source import SourceIndex

FILES = {
    "xyrep/__init__.py": '''
        from __future__ import annotations
        from typing import Any
        from . import repcap
        from .channels import ChannelCollection
        from .controls import Controls

        class XyRep:
            @property
            def ivi_utility(self) -> Any:
                return None
            @property
            def channels(self) -> ChannelCollection:
                return ChannelCollection()
            @property
            def controls(self) -> Controls:
                return Controls()
            def trace(self, trace: repcap.Trace) -> None:
                self._trace = trace
    ''',
    "xyrep/repcap.py": '''
        from enum import Enum

        class Channel(Enum):
            CH1 = "CH1"

        class Trace(Enum):
            TR1 = "TR1"
    ''',
    "xyrep/channels.py": '''
        from __future__ import annotations
        from collections.abc import Iterator, Mapping

        class Named:
            def __init__(self, name: str) -> None:
                self.name = name

        class Channel(Named):
            pass

        class ChannelCollection(Mapping[str, Channel]):
            def __getitem__(self, key: str) -> Channel:
                return Channel(key)
            def __iter__(self) -> Iterator[str]:
                return iter(())
            def __len__(self) -> int:
                return 0
    ''',
    "xyrep/controls.py": '''
        from __future__ import annotations
        from . import repcap
        from .channels import Channel

        class Controls:
            def use(self, channel: repcap.Channel) -> None:
                self._channel = channel
    ''',
}

#: ``use`` now returns a value (no longer a selector); ``pick`` selects; ``channel`` gives an item.
CONTROLS = '''
    from __future__ import annotations
    from . import repcap
    from .channels import Channel

    class Controls:
        def use(self, channel: repcap.Channel) -> int:
            return 1
        def pick(self, channel: repcap.Channel) -> None:
            self._channel = channel
        def channel_item(self, name: str) -> Channel:
            return Channel(name)
'''

Judged = list[tuple[Outcome, str, tuple[Evidence, ...]]]


def judged(context: AuditContext) -> Judged:
    """The findings of the rules that read the members of every class of the hierarchy."""
    return [(finding.outcome, finding.message, finding.evidence)
            for finding in (checks.collection_style(context), checks.item_accessor(context),
                            checks.item_name_property(context))]


def test_a_re_audit_after_a_one_module_change_parses_that_module_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVI_CONFORM_CACHE", str(tmp_path / "cache"))
    first = wheel(tmp_path / "first", FILES, "xyrep")
    before = judged(first)
    first.remember()  # the module facts kept, as at the end of every audit
    assert before[0][2] == (
        Evidence("xyrep/__init__.py", 18, "XyRep.trace: selector style (takes only the "
                                          "repeated-capability index repcap.Trace)"),
        Evidence("xyrep/controls.py", 7, "Controls.use: selector style (takes only the "
                                         "repeated-capability index repcap.Channel)"),
    )
    assert before[1][0] is Outcome.PASS

    changed = {**FILES, "xyrep/controls.py": CONTROLS}
    again = wheel(tmp_path / "again", changed, "xyrep")
    hierarchy_of(again.source, again.driver)  # shared with the other rules: not watched here
    parsed: list[str] = []
    tree_of = SourceIndex.tree_of

    def watched(index: SourceIndex, path: str) -> ast.Module:
        parsed.append(path)
        return tree_of(index, path)

    with monkeypatch.context() as patch:
        patch.setattr(SourceIndex, "tree_of", watched)
        after = judged(again)
    assert set(parsed) <= {"xyrep/controls.py"}

    monkeypatch.setenv("IVI_CONFORM_CACHE", "off")
    cold = wheel(tmp_path / "cold", changed, "xyrep")
    assert after == judged(cold)
    assert after != before
    assert after[0][2][1:] == (
        Evidence("xyrep/controls.py", 9, "Controls.pick: selector style (takes only the "
                                         "repeated-capability index repcap.Channel)"),
    )
    assert after[1][2] == (
        Evidence("xyrep/controls.py", 11, "Controls.channel_item: Controls has no collection "
                                          "property channel"),
    )
