"""Reference data and the sentences made from it.

- ``data``: files under ``data/`` read once and cached: sources (``references``, ``cite``), analytes and
  their units, threshold sets (``threshold_set``), the teaching cases (``example_cases``);
- ``statements``: clinical sentences from ``data/statements/``, filled from the threshold set in use.

The public names of ``data`` are re-exported here; ``DATA_DIR`` (a ``Path``) is made when first asked for.
"""

from __future__ import annotations

from typing import Any

from logic.reference.data import (
    DEFAULT_THRESHOLDS,
    Threshold,
    ThresholdSet,
    analytes,
    cite,
    example_cases,
    json_names,
    load_json,
    reference,
    references,
    threshold_set,
    threshold_set_ids,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Threshold",
    "ThresholdSet",
    "analytes",
    "cite",
    "example_cases",
    "json_names",
    "load_json",
    "reference",
    "references",
    "threshold_set",
    "threshold_set_ids",
]


def __getattr__(name: str) -> Any:
    if name == "DATA_DIR":  # a Path, made on first use (pathlib is not loaded for the command line)
        from logic.reference import data

        return data.DATA_DIR
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
