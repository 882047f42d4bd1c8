"""Section "Package Metadata": keywords name the manufacturer and the models; classifiers.

The keywords must hold the manufacturer and every supported model "the same
as returned from the driver's API". Without running the driver, the API's
answer is read where the driver states it: the tuple literal (or module
constant) ``supported_instrument_models`` returns, else the compliance
document's Supported Instrument Models item (which the Core requires to equal
the API); the manufacturer only from a constant ``instrument_manufacturer``
returns. The compliance document's Instrument Manufacturer item is not the
API's value (the Core ties no item to instrument_manufacturer, which
normally answers what the instrument's identity query says), so it is not
used. When the value cannot be read the rule is skipped and the runtime rule
run-metadata-keywords-api compares the keywords with the live API.

``metadata_evidence`` (:mod:`ivi_conform.static.identity`) points at the line a
vendor edits: the pyproject.toml line, else the METADATA line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import trove_classifiers

from ivi_conform.checks import check
from ivi_conform.model import Finding
from ivi_conform.static.identity import Stated, compliance_item, metadata_evidence
from ivi_conform.static.literals import static_values, utility_returns

if TYPE_CHECKING:
    from ivi_conform.context import AuditContext


def _keywords(context: AuditContext) -> list[str]:
    return [keyword.strip() for keyword in context.dist.metadata.get("keywords", []) or []]


def _mentioned(name: str, keywords: list[str]) -> bool:
    """Whether ``name`` is one of the keywords, exactly.

    METADATA joins keywords with commas, so a keyword holding a comma
    ("Tektronix, Inc.") comes back in pieces; it counts when its pieces are
    consecutive keywords.
    """
    if name in keywords:
        return True
    pieces = [piece.strip() for piece in name.split(",")]
    size = len(pieces)
    return size > 1 and any(keywords[at: at + size] == pieces for at in range(len(keywords)))


def stated_models(context: AuditContext) -> Stated | None:
    """The supported models as the driver states them statically, or None."""
    utility = context.driver.utility
    if utility is not None:
        returned = static_values(context).returned(utility, "supported_instrument_models")
        if returned is not None and isinstance(returned[0], tuple):
            return Stated(returned[0], returned[1])
    item = compliance_item(context, "Hardware Information", "Supported Instrument Models")
    if item is not None:
        return Stated(item[0].listed(), item[1])
    return None


def api_manufacturer(context: AuditContext) -> Stated | None:
    """What ``instrument_manufacturer`` returns, when the source spells it as a constant."""
    returned = utility_returns(context, "instrument_manufacturer")
    if returned is None or not isinstance(returned[0], str):
        return None
    return Stated((returned[0],), returned[1])


def _judge_keywords(
    context: AuditContext, stated: Stated | None, what: str, sources: str
) -> Finding:
    if stated is None:
        return Finding.skipped(
            f"the {what} cannot be read without running the driver ({sources}): the runtime "
            f"rule run-metadata-keywords-api compares the keywords with the API"
        )
    keywords = _keywords(context)
    missing = [name for name in stated.names if not _mentioned(name, keywords)]
    if not missing:
        return Finding.passed(
            f"keywords hold the {what} {', '.join(stated.names)} (as stated at {stated.where.file}"
            f"{'' if stated.where.line is None else f':{stated.where.line}'})"
        )
    problems = []
    for name in missing:
        near = [keyword for keyword in keywords if keyword.casefold() == name.casefold()]
        written = f" (written {near[0]!r}: the form shall be the API's)" if near else ""
        problems.append(metadata_evidence(
            context, "Keywords", detail=f"{name!r} is not a keyword{written}"
        ))
    return Finding.failed(
        f"keywords lack {len(missing)} of the {what} the API returns: {', '.join(missing)}",
        (*problems, stated.where),
    )


@check("metadata-keyword-manufacturer")
def keyword_manufacturer(context: AuditContext) -> Finding:
    """The keywords hold the instrument manufacturer, as the API spells it."""
    return _judge_keywords(context, api_manufacturer(context), "instrument manufacturer",
                           "instrument_manufacturer returns no constant")


@check("metadata-keyword-models")
def keyword_models(context: AuditContext) -> Finding:
    """The keywords hold every supported model, as the API spells it."""
    return _judge_keywords(context, stated_models(context), "supported models",
                           "no constant in the utility class, no compliance document item")


@check("metadata-classifiers-valid")
def classifiers_valid(context: AuditContext) -> Finding:
    """Every classifier is one of PyPI's (the trove-classifiers list), none deprecated."""
    classifiers = context.dist.metadata.get("classifiers", []) or []
    problems = []
    for classifier in classifiers:
        if classifier in trove_classifiers.deprecated_classifiers:
            replacement = trove_classifiers.deprecated_classifiers[classifier]
            instead = f"; use {' / '.join(replacement)}" if replacement else ""
            problem = f"{classifier!r} is deprecated{instead}"
        elif classifier.startswith("Private ::"):
            problem = f"{classifier!r} is a private classifier: PyPI refuses the upload"
        elif classifier not in trove_classifiers.classifiers:
            problem = f"{classifier!r} is not a classifier"
        else:
            continue
        problems.append(metadata_evidence(context, "Classifier", classifier, problem))
    return Finding.judge(
        problems,
        ok=f"{len(classifiers)} classifier(s), all valid",
        bad="{n} classifier(s) PyPI does not accept",
    )
