"""The published figures and Cobalt's weights the TTP-or-B12 weighing reads, loaded once."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from logic.reference import load_json


@lru_cache(maxsize=1)
def groups() -> dict[str, Any]:
    """``data/tma_groups.json``: group medians, pooled figures and ADAMTS13 cut-offs."""
    return load_json("tma_groups.json")


@lru_cache(maxsize=1)
def weights() -> dict[str, Any]:
    """``data/tma_weights.json``: each feature's bands and pull, and the leaning cut-offs."""
    return load_json("tma_weights.json")


@lru_cache(maxsize=1)
def french_data() -> dict[str, Any]:
    """``data/french_score.json``: the French score as ISTH 2020 tabulates it."""
    return load_json("french_score.json")
