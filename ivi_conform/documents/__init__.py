"""The documents a driver ships: where they are, and what the compliance document says.

The Core's compliance-document format (its sections and items), the one
Markdown/reStructuredText reader that turns a document into sections and
items, the Core FileVersion format, and how README, Introduction and help
documentation are located (shipped or online).
"""
