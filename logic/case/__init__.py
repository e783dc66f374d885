"""The case document (``b12-case/1``, contract: ``shared/design/case-format.md``) and everything about its
values: where units are converted, where a document is validated, where a typed entry is read.

- ``model``: the frozen typed values (``Case``, ``Observation``, ``Dose``, ``History``…) and the writer
  (``case_to_dict``);
- ``parse``: validation at the edge (``parse_case``, ``read_case_document``, ``parse_observation``);
- ``rules``: the document's own rules (dates that can be true, the chosen regimen, the unit system, labels);
- ``json_input`` and ``limits``: strict JSON reading within declared limits; ``provenance``: a result's source;
- ``units``: unit conversion (one table, canonical units inside logic); ``entry``: a typed value with an
  optional unit, and units as laboratories print them; ``plausibility``: unit slips;
- ``bands``: where a (possibly censored) value lies against cut-offs; ``dates``: calendar arithmetic;
- ``changes``: what changed between two versions; ``series``: the lab-series table and edits back in.

The document's names (``model`` and ``parse``) are re-exported here.
"""

from logic.case.model import (
    ADDED_FLAGS,
    CHECKED_NUMBERS,
    COMPARATORS,
    FORMAT,
    HISTORY_DATES,
    HISTORY_FLAGS,
    HISTORY_LABELS,
    KNOWN_KEYS,
    PRODUCTS,
    ROUTES,
    SEXES,
    Case,
    CaseError,
    Dose,
    History,
    Observation,
    Patient,
    Problem,
    case_to_dict,
)
from logic.case.parse import parse_case, parse_observation, read_case_document

__all__ = [
    "ADDED_FLAGS",
    "CHECKED_NUMBERS",
    "COMPARATORS",
    "FORMAT",
    "HISTORY_DATES",
    "HISTORY_FLAGS",
    "HISTORY_LABELS",
    "KNOWN_KEYS",
    "PRODUCTS",
    "ROUTES",
    "SEXES",
    "Case",
    "CaseError",
    "Dose",
    "History",
    "Observation",
    "Patient",
    "Problem",
    "case_to_dict",
    "parse_case",
    "parse_observation",
    "read_case_document",
]
