"""Where a README says the documents are: paths in code spans, spaces included."""

from __future__ import annotations

from ivi_conform.documents.locations import locations


def test_a_document_name_with_spaces_in_a_code_span_is_kept_whole() -> None:
    text = "Read `___Introduction to SKSunroofRS___.md` first."
    assert locations(text) == ["___Introduction to SKSunroofRS___.md"]


def test_a_path_in_a_code_span_is_a_location_and_plain_code_is_not() -> None:
    assert locations("See `docs/index.md`.") == ["docs/index.md"]
    assert locations("Call `driver.close()` at the end.") == []
    assert locations("`one two` and `three`") == []
