"""The external judges: ruff for PEP 8 and mypy for the type hints, each run once per audit.

Their versions are pinned (pyproject.toml) so that a new release cannot change
a verdict, and report.json records them.
"""
