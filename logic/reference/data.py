"""Reference data from ``data/``: sources, analytes and unit factors, threshold sets.

Files are read once and cached (they are small and immutable while the app runs).
Every threshold carries the ids of its sources so the UI can answer "Why?".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

#: ``data/`` as a string: pathlib (with urllib and ipaddress behind it) is not loaded for the
#: command line; :data:`DATA_DIR` is the same folder as a ``Path``, made when first asked for.
_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))), "data")
DEFAULT_THRESHOLDS = "nice_ng239"


def __getattr__(name: str) -> Path:
    if name == "DATA_DIR":
        from pathlib import Path

        return Path(_DATA)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def json_names(folder: str) -> list[str]:
    """The ``*.json`` file names in ``data/<folder>``, sorted."""
    return sorted(n for n in os.listdir(os.path.join(_DATA, folder)) if n.endswith(".json"))


@lru_cache(maxsize=32)
def load_json(relpath: str) -> Any:
    """Parse ``data/<relpath>`` once."""
    with open(os.path.join(_DATA, relpath), encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def references() -> dict[str, dict[str, Any]]:
    """Every source, merged from ``data/references/*.json``; an id defined twice is a data defect."""
    out: dict[str, dict[str, Any]] = {}
    for name in json_names("references"):
        for ref_id, ref in load_json(f"references/{name}")["references"].items():
            if ref_id in out:
                raise ValueError(f"reference id {ref_id!r} is defined twice (second time in {name})")
            out[ref_id] = ref
    return out


def reference(ref_id: str) -> dict[str, Any]:
    """The source with this id; a KeyError names a missing id (a data defect)."""
    return references()[ref_id]


def cite(ref_id: str) -> str:
    """One-line citation with DOI/PMID when known."""
    ref = reference(ref_id)
    parts = [ref["citation"]]
    if ref.get("doi"):
        parts.append(f"doi:{ref['doi']}")
    if ref.get("pmid"):
        parts.append(f"PMID {ref['pmid']}")
    return " ".join(parts)


def analytes() -> dict[str, dict[str, Any]]:
    return load_json("analytes.json")["analytes"]


@dataclass(frozen=True)
class Threshold:
    """One cut-off: its value in ``unit``, what it means, and the sources behind it."""

    key: str
    value: float
    unit: str
    label: str
    refs: tuple[str, ...]
    caveat: str | None = None


@dataclass(frozen=True)
class ThresholdSet:
    """A named set of thresholds (``data/thresholds/<id>.json``); ``ts[key]`` is a value in its unit."""

    id: str
    name: str
    about: str
    values: dict[str, Threshold]

    def __getitem__(self, key: str) -> float:
        return self.values[key].value

    def get(self, key: str) -> Threshold:
        return self.values[key]


@lru_cache(maxsize=1)
def _raw_threshold_sets() -> dict[str, dict[str, Any]]:
    out = {}
    for name in json_names("thresholds"):
        doc = load_json(f"thresholds/{name}")
        out[doc["id"]] = doc
    return out


def threshold_set_ids() -> list[str]:
    """Ids of the available sets, the default first."""
    ids = list(_raw_threshold_sets())
    ids.sort(key=lambda i: (i != DEFAULT_THRESHOLDS, i))
    return ids


@lru_cache(maxsize=16)
def threshold_set(set_id: str | None = None) -> ThresholdSet:
    """A set of thresholds; any key a local set leaves out is inherited from the default."""
    raw = _raw_threshold_sets()
    set_id = set_id or DEFAULT_THRESHOLDS
    if set_id not in raw:
        raise KeyError(f"unknown threshold set {set_id!r}; known: {', '.join(threshold_set_ids())}")
    merged = dict(raw[DEFAULT_THRESHOLDS]["values"])
    merged.update(raw[set_id]["values"])
    values = {
        key: Threshold(key, float(v["value"]), v["unit"], v["label"], tuple(v["refs"]), v.get("caveat"))
        for key, v in merged.items()
    }
    doc = raw[set_id]
    return ThresholdSet(doc["id"], doc["name"], doc["about"], values)


@lru_cache(maxsize=1)
def example_cases() -> dict[str, dict[str, Any]]:
    """Example and teaching cases in ``data/cases/``: file stem -> case document."""
    return {name.removesuffix(".json"): load_json(f"cases/{name}") for name in json_names("cases")}
