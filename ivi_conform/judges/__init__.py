"""The external judges: ruff for PEP 8 and mypy for the type hints, each run once per audit.

Their versions are pinned (pyproject.toml) so that a new release cannot change
a verdict, and report.json records them.
"""


def posix_parts(path: str) -> list[str]:
    """A relative POSIX path's parts as ``PurePosixPath`` gives them, without building one.

    The judges read every path of a generated driver several times (which
    files to lint or extract, where a finding is): a tenth of the time.
    """
    return [part for part in path.split("/") if part not in ("", ".")]
