"""compliance.md: what the audit adds to the vendor's items (the rest is in test_reports)."""

from __future__ import annotations

from conftest import Report

from ivi_conform.reports.compliance import render as render_compliance


def test_the_compliance_documents_known_issues_list_the_failed_rules(
    failing: Report, conformant: Report, static: Report,
) -> None:
    failed = render_compliance(failing)
    assert ("Known Issues:\n\n- demo-broken (Package Metadata): the version is 1.2.3, not "
            "9.9.9 (found by the audit)\n") in failed
    assert "Known Issues: None\n" in render_compliance(conformant)
    assert "Known Issues: **[vendor to fill]**" in render_compliance(static)
