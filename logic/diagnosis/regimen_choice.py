"""Which regimen preset Cobalt suggests for a case, and why: the one choice behind the Regimen
page's suggestion (``logic.regimen.suggestion.regimen_for_case``) and ``assess``'s
``suggested_regimen``.

The reference set's country picks the schedule (``data/regimens.json``, ``suggestion``): the BNF
hydroxocobalamin schedules for the UK sets (BSH 2014 treats B12 deficiency as the BNF does), the
label schedule otherwise; neurological involvement (symptoms or signs on examination,
``logic.diagnosis.causes.neurological_involvement``) picks the neurological schedule. Light on
purpose: it reads the data files only, so the command line's ``assess`` does not load the planner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logic.case import Case
from logic.diagnosis.causes import neurological_involvement
from logic.reference import DEFAULT_THRESHOLDS, load_json, threshold_set
from logic.reference.statements import say, text
from logic.results import Note


@dataclass(frozen=True)
class PresetChoice:
    """The suggested preset and the reasons for it, the main one first."""

    preset_id: str
    country: str | None
    neurological: bool | None
    reasons: tuple[Note, ...]

    @property
    def reason(self) -> str:
        """The reasons in one text (``assess``'s ``suggested_regimen.reason``)."""
        return " ".join(n.text for n in self.reasons)

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for n in self.reasons for r in n.refs))


def country(thresholds: str | None) -> str | None:
    """The country of a reference set (its file's ``country``; the default set's when it has none)."""
    set_id = threshold_set(thresholds).id
    own = load_json(f"thresholds/{set_id}.json").get("country")
    return own or load_json(f"thresholds/{DEFAULT_THRESHOLDS}.json").get("country")


def _preset(preset_id: str) -> dict[str, Any]:
    return load_json("regimens.json")["presets"][preset_id]


def _neuro_words(case: Case) -> str:
    h = case.history
    found = [w for w, v in (("symptoms", h.neurological_symptoms), ("signs on examination", h.neurological_signs))
             if v]  # fmt: skip
    return " and ".join(found)


def _neuro_reason(preset_id: str, case: Case) -> Note:
    """Why the neurological preset, quoting its dose and maintenance spacing (their sourced values)."""
    phases = {p["name"]: p for p in _preset(preset_id)["phases"]}
    return say("regimen.suggest_neurological", which=_neuro_words(case), dose_mg=phases["alternate"]["dose_mcg"] / 1000,
               every_months=phases["maintenance"]["every_months"])  # fmt: skip


def suggest_preset(case: Case, thresholds: str | None = None) -> PresetChoice:
    """The preset the case's reference set and neurology point to, with the reasons."""
    rules = load_json("regimens.json")["suggestion"]
    where = country(thresholds)
    rule = rules["by_country"].get(where or "", rules["otherwise"])
    neuro = neurological_involvement(case)
    preset_id = rule["neurological"] if neuro else rule["default"]
    name = threshold_set(thresholds).name
    if where in rules["by_country"]:
        reasons = [say("regimen.suggest_country", extra_refs=tuple(rule["refs"]), country=where, set=name,
                       preset=_preset(rule["default"])["name"])]  # fmt: skip
    else:
        reasons = [say("regimen.suggest_otherwise", extra_refs=tuple(rule["refs"]), set=name,
                       preset=_preset(rule["default"])["name"])]  # fmt: skip
    if neuro:
        reasons.append(_neuro_reason(preset_id, case))
    elif neuro is None:
        h = case.history
        state = {True: text("regimen.neuro_yes"), False: text("regimen.neuro_no"), None: text("regimen.neuro_unknown")}
        reasons.append(say("regimen.suggest_neurology_not_recorded", symptoms=state[h.neurological_symptoms],
                           signs=state[h.neurological_signs]))  # fmt: skip
    return PresetChoice(preset_id, where, neuro, tuple(reasons))
