"""The fuzz tests' closing line: examples run and escapes, for the closing note.

Each fuzz test records its count as the ``fuzz_examples`` property (see
``Counted`` in ``test_parsers.py``); this adds them up in pytest's summary:
``fuzz: 5,320 examples over 15 parsers, 0 escapes``. A run with pytest-xdist
loads this file in its workers only: run ``pytest -p no:xdist tests/fuzz`` for
the line, or read the properties from ``--junitxml``.
"""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    examples: dict[str, int] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            count = dict(getattr(report, "user_properties", ())).get("fuzz_examples")
            if isinstance(count, int):  # recorded at teardown: the teardown report has it
                examples[report.nodeid] = count
    escaped = {report.nodeid for report in terminalreporter.stats.get("failed", [])
               if report.nodeid in examples}
    if examples:
        terminalreporter.write_line(
            f"fuzz: {sum(examples.values()):,} examples over {len(examples)} parsers, "
            f"{len(escaped)} escapes")
