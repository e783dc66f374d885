"""Regimen presets and their knobs, as ``data/regimens.json`` describes them.

A :class:`Preset` names its sources and its knobs; each :class:`KnobSpec` says which values the
evidence allows (``choices`` or ``min``..``max``), its default and its sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic.regimen.base import data, is_int


@dataclass(frozen=True)
class KnobSpec:
    """One knob of a preset: allowed values (``choices`` or ``min``..``max``), default and sources."""

    key: str
    label: str
    unit: str
    default: int
    refs: tuple[str, ...]
    choices: tuple[int, ...] | None = None
    min: int | None = None
    max: int | None = None
    source_value: int | None = None
    clinician_choice: bool = False

    @property
    def allowed_text(self) -> str:
        if self.choices is not None:
            return " or ".join(str(c) for c in self.choices)
        return f"{self.min} to {self.max}"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed, or None."""
        if not is_int(value):
            return f"{self.key}: must be a whole number ({self.allowed_text} {self.unit}), got {value!r}"
        if self.choices is not None and value not in self.choices:
            return f"{self.key}: must be {self.allowed_text} {self.unit}, got {value}"
        if self.min is not None and self.max is not None and not self.min <= value <= self.max:
            return f"{self.key}: must be from {self.allowed_text} {self.unit}, got {value}"
        return None


@dataclass(frozen=True)
class Preset:
    """A regimen preset from ``data/regimens.json``: product, source, references and adjustable knobs."""

    id: str
    name: str
    product: str
    source_text: str
    refs: tuple[str, ...]
    knobs: tuple[KnobSpec, ...]
    requires_normal_absorption: bool = False

    def knob(self, key: str) -> KnobSpec:
        for k in self.knobs:
            if k.key == key:
                return k
        raise KeyError(f"preset {self.id!r} has no knob {key!r}")

    @property
    def knob_keys(self) -> tuple[str, ...]:
        return tuple(k.key for k in self.knobs)

    def defaults(self) -> dict[str, int]:
        return {k.key: k.default for k in self.knobs}


def default_preset_id() -> str:
    return data()["default_preset"]


def preset_ids() -> tuple[str, ...]:
    """Every preset id, the default first."""
    ids = list(data()["presets"])
    ids.sort(key=lambda i: i != default_preset_id())
    return tuple(ids)


@lru_cache(maxsize=16)
def preset(preset_id: str) -> Preset:
    """The preset with this id; KeyError names the known ids."""
    raw = data()["presets"]
    if preset_id not in raw:
        raise KeyError(f"unknown preset {preset_id!r}; known: {', '.join(preset_ids())}")
    p = raw[preset_id]
    meta = data()["knobs"]
    knobs = tuple(
        KnobSpec(
            key,
            meta[key]["label"],
            meta[key]["unit"],
            spec["default"],
            tuple(spec["refs"]),
            tuple(spec["choices"]) if "choices" in spec else None,
            spec.get("min"),
            spec.get("max"),
            spec.get("source_value"),
            bool(spec.get("clinician_choice", False)),
        )
        for key, spec in p["knobs"].items()
    )
    return Preset(
        preset_id,
        p["name"],
        p["product"],
        p["source_text"],
        tuple(p["refs"]),
        knobs,
        bool(p.get("requires_normal_absorption", False)),
    )


def knob_problems(preset_id: str, knobs: Mapping[str, Any]) -> list[str]:
    """Every problem with these knob values for this preset (empty when all are allowed)."""
    try:
        p = preset(preset_id)
    except KeyError as exc:
        return [str(exc.args[0])]
    out = []
    for key, value in knobs.items():
        if key not in p.knob_keys:
            allowed = ", ".join(p.knob_keys)
            out.append(f"{key}: the preset {preset_id!r} does not take this setting (it takes: {allowed})")
            continue
        msg = p.knob(key).problem(value)
        if msg:
            out.append(msg)
    return out


def parse_knobs(preset_id: str, raw: Mapping[str, str | None]) -> tuple[dict[str, int], list[str]]:
    """Knob values from text (command line, URL query); ``None`` values are left out.

    Returns the knobs and every problem found (unknown keys, non-numbers, values not allowed)."""
    knobs: dict[str, int] = {}
    problems: list[str] = []
    for key, text in raw.items():
        if text is None:
            continue
        try:
            knobs[key] = int(str(text).strip())
        except ValueError:
            problems.append(f"{key}: {text!r} is not a whole number")
    return knobs, problems + knob_problems(preset_id, knobs)
