"""Rules of the case document beyond the shape of each field: dates that can be true, the chosen
regimen and the unit system (additions to the contract: docs/case-format-additions.md).

Kept apart from :mod:`logic.case` (which calls it) so each stays a readable size. Functions here
return problems as ``(where, message, field)`` triples; ``logic.case`` makes them ``Problem`` values.
No clock is read: ``today`` is passed in by the caller (the command line's ``--today``; the app passes the
current date); without it only the rules that need no today apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

#: The unit systems a case can be shown in: what the laboratory prints.
UNIT_SYSTEMS = ("si", "conventional")
MAX_KNOBS = 32

Issue = tuple[str, str, str]

#: Tri-state flags answered positive / negative rather than yes / no (antibody results).
ANTIBODY_FLAGS = ("intrinsic_factor_antibodies", "parietal_cell_antibodies")
#: What the history checklist calls each item (re-exported by logic.case).
HISTORY_LABELS: dict[str, str] = {
    "pernicious_anemia": "Pernicious anaemia / autoimmune gastritis",
    "crohns_ileal": "Crohn's disease with ileal involvement",
    "gastric_surgery": "Gastrectomy or bariatric surgery",
    "metformin": "Metformin",
    "acid_suppression": "Acid suppression (PPI or H2 blocker)",
    "vegan_or_vegetarian": "Vegan or vegetarian diet",
    "nitrous_oxide": "Nitrous oxide exposure",
    "sulfasalazine": "Sulfasalazine",
    "methotrexate": "Methotrexate",
    "active_cancer": "Active cancer (in the past year)",
    "transplant": "Solid-organ or stem-cell transplant",
    "neurological_symptoms": "Neurological symptoms (neuropathy, ataxia, cognitive change)",
    "neurological_signs": "Neurological signs on examination (vibration or joint-position loss, Romberg, spasticity)",
    "fever": "Fever",
    "alcohol_excess": "Alcohol excess",
    "intrinsic_factor_antibodies": "Intrinsic-factor antibodies",
    "parietal_cell_antibodies": "Parietal-cell antibodies",
    "ileal_resection_cm": "Ileal resection (cm; 0 = none)",
    "symptom_onset": "Symptom onset",
    "adamts13_sent": "ADAMTS13 sent (pending until a result on or after this date)",
}


@dataclass(frozen=True)
class ChosenRegimen:
    """The regimen chosen for the case (optional ``regimen`` key): a preset id, its knob values and the
    first dose. Whether the preset and knobs are valid is checked by ``logic.regimen`` when it is built;
    a stale choice falls back to the suggestion with a message, it never blocks the case."""

    preset: str
    knobs: tuple[tuple[str, int], ...] = ()
    start: date | None = None

    def knob_dict(self) -> dict[str, int]:
        return dict(self.knobs)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"preset": self.preset, "knobs": dict(self.knobs)}
        if self.start is not None:
            out["start"] = self.start.isoformat()
        return out


def iso_day(text: str) -> date | None:
    """``text`` as a date if it is exactly ``YYYY-MM-DD`` (ten ASCII characters, a real day), else None. Python's
    ``date.fromisoformat`` also takes ``2026-W45-7`` and ``20261101``, which the contract's dates are not."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:]).isascii():
        return None
    if not (text[:4] + text[5:7] + text[8:]).isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return None


def parse_iso_date(raw: Any) -> date:
    """A document's date: text exactly 'YYYY-MM-DD' (the contract's rule: no week dates, no basic format
    ``20261101``, no spaces around); ValueError in words otherwise."""
    if not isinstance(raw, str):
        raise ValueError(f"date must be a text 'YYYY-MM-DD', got {type(raw).__name__}")
    day = iso_day(raw)
    if day is None:
        shown = repr(raw if len(raw) <= 40 else raw[:39] + "…")
        if len(raw) == 10 and raw[4] == raw[7] == "-" and (raw[:4] + raw[5:7] + raw[8:]).isascii() and (
                raw[:4] + raw[5:7] + raw[8:]).isdigit():
            raise ValueError(f"date {shown} is not a day of the calendar; check the month and the day")
        raise ValueError(f"date {shown} is not a date written YYYY-MM-DD (as 2026-11-02, nothing around it)")
    return day


def parse_regimen(raw: Any) -> tuple[ChosenRegimen | None, list[Issue]]:
    """``{"preset": str, "knobs": {name: integer}, "start"?: date}`` or null."""
    if raw is None:
        return None, []
    where = "regimen"
    if not isinstance(raw, dict):
        return None, [(where, f"must be an object, got {type(raw).__name__}", where)]
    issues: list[Issue] = []
    preset = raw.get("preset")
    if not isinstance(preset, str) or not preset.strip() or len(preset) > 64:
        issues.append((where, f"preset must be a preset id (text), got {preset!r}"[:200], "regimen.preset"))
    knobs_raw = raw.get("knobs", {})
    knobs: list[tuple[str, int]] = []
    if not isinstance(knobs_raw, dict) or len(knobs_raw) > MAX_KNOBS:
        issues.append((where, "knobs must be an object of knob names and whole numbers", "regimen.knobs"))
    else:
        for name, value in knobs_raw.items():
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 10**6
            if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) <= 10**6:
                value, ok = int(value), True
            if not isinstance(name, str) or len(name) > 64 or not ok:
                issues.append((where, f"knob {str(name)[:64]!r} must be a whole number", "regimen.knobs"))
            else:
                knobs.append((name, value))
    start = None
    if raw.get("start") is not None:
        try:
            start = parse_iso_date(raw["start"])
        except ValueError as exc:
            issues.append((where, f"start: {exc}", "regimen.start"))
    if issues:
        return None, issues
    return ChosenRegimen(preset, tuple(sorted(knobs)), start), []


def parse_unit_system(raw: Any) -> tuple[str | None, list[Issue]]:
    """``"si"`` or ``"conventional"`` (how the case's results are shown and typed), or null."""
    if raw is None:
        return None, []
    if raw not in UNIT_SYSTEMS:
        return None, [("unit_system", f"must be one of {', '.join(UNIT_SYSTEMS)} or null, got {raw!r}"[:200],
                       "unit_system")]
    return raw, []


def date_issues(
    observations: Any, doses: Any, symptom_onset: date | None, adamts13_sent: date | None,
    treatment_start: date | None, today: date | None,
) -> list[Issue]:
    """Dates that cannot be true: a symptom onset after the treatment start; with ``today``, a result,
    a dose given, a treatment start, a symptom onset or an ADAMTS13 sample sent after today."""
    out: list[Issue] = []
    if symptom_onset and treatment_start and symptom_onset > treatment_start:
        out.append((
            "history.symptom_onset",
            f"{symptom_onset.isoformat()} is after the treatment start ({treatment_start.isoformat()}); "
            "symptoms begin before treatment: check both dates",
            "history.symptom_onset",
        ))
    if today is None:
        return out
    late = f"is after today ({today.isoformat()}); check the year"
    for obs in observations:
        if obs.date > today:
            out.append((
                f"observation {obs.index} ({obs.analyte}, {obs.date.isoformat()})",
                f"a result dated {obs.date.isoformat()} {late}",
                f"observations[{obs.index}]",
            ))
    for dose in doses:
        if dose.date > today:
            out.append((f"dose {dose.index} ({dose.date.isoformat()})",
                        f"a dose recorded as given {late}", f"doses[{dose.index}]"))
    for name, value in (("treatment_start", treatment_start), ("history.symptom_onset", symptom_onset),
                        ("history.adamts13_sent", adamts13_sent)):
        if value is not None and value > today:
            out.append((name, f"{value.isoformat()} {late}", name))
    return out
