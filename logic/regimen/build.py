"""A preset and its knob values made into a :class:`~logic.regimen.phases.Regimen`.

A phase value written ``{"knob": NAME}`` in ``data/regimens.json`` is filled from the knob NAME.
Knob values away from the source's, or left to the clinician, are noted with their sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from logic.case import Case
from logic.reference.statements import say
from logic.regimen.base import RegimenError, RegimenRefused, checkpoint_rules, data
from logic.regimen.case_fit import suitability
from logic.regimen.phases import Phase, Regimen, custom_regimen
from logic.regimen.presets import Preset, default_preset_id, knob_problems, preset
from logic.results import Note


def _resolve(value: Any, knobs: Mapping[str, int]) -> Any:
    if isinstance(value, dict) and "knob" in value:
        return knobs[value["knob"]]
    if isinstance(value, list):
        return tuple(_resolve(v, knobs) for v in value)
    return value


def _sourced_doses() -> tuple[int, int]:
    """(the label's dose, the 1000 mcg version's): the default doses of the two presets that
    ``knobs.dose_mcg.between`` names in ``data/regimens.json``."""
    label, version = (preset(pid).knob("dose_mcg").default for pid in data()["knobs"]["dose_mcg"]["between"])
    return label, version


def _knob_notes(p: Preset, knobs: Mapping[str, int]) -> list[Note]:
    notes = []
    for spec in p.knobs:
        value = knobs[spec.key]
        facts = {"label": spec.label, "value": value, "unit": spec.unit}
        if spec.source_value is not None and value != spec.source_value:
            notes.append(say("regimen.knob_not_the_source_value", extra_refs=spec.refs,
                             source_value=spec.source_value, **facts))  # fmt: skip
        if spec.clinician_choice:
            notes.append(say("regimen.knob_clinician_choice", extra_refs=spec.refs, **facts))
    dose = knobs.get("dose_mcg")
    label_dose, version_dose = _sourced_doses()
    if dose is not None and dose not in (label_dose, version_dose):
        notes.append(say("regimen.dose_between_versions", dose=dose, label_dose=label_dose, version_dose=version_dose))
    return notes


def build_regimen(preset_id: str | None = None, *, case: Case | None = None, **knobs: Any) -> Regimen:
    """The regimen of a preset with these knob values (the rest at their defaults).

    Raises :class:`RegimenError` listing every knob problem, and :class:`RegimenRefused` when
    ``case`` is given and the preset is refused for it (oral maintenance with malabsorption).
    A phase whose length comes out as 0 (``maintenance_months=0``) is left out."""
    preset_id = preset_id or default_preset_id()
    problems = knob_problems(preset_id, knobs)
    if problems:
        raise RegimenError(problems)
    p = preset(preset_id)
    notes: list[Note] = []
    if case is not None:
        fit = suitability(preset_id, case)
        if fit.status == "refused":
            raise RegimenRefused(fit)
        if fit.status == "not_known":
            notes.append(Note(fit.text, fit.refs))
    values = p.defaults() | dict(knobs)
    phases = []
    for tpl in data()["presets"][preset_id]["phases"]:
        bound = {k: _resolve(tpl.get(k), values) for k in ("count", "weeks", "months")}
        if any(v == 0 for v in bound.values()):
            continue
        cp = tpl.get("checkpoint")
        phases.append(
            Phase(
                tpl["name"],
                tpl.get("product", p.product),
                tpl["route"],
                _resolve(tpl["dose_mcg"], values),
                tuple(_resolve(tpl.get("every_days", []), values)),
                _resolve(tpl.get("every_months", 0), values),
                bound["count"],
                bound["weeks"],
                bound["months"],
                bool(tpl.get("for_life", False)),
                checkpoint_rules()[cp] if cp else None,
                tuple(tpl.get("refs", ())),
            )
        )
    notes += _knob_notes(p, values)
    return custom_regimen(
        phases,
        name=p.name,
        refs=p.refs,
        regimen_id=preset_id,
        knobs={k.key: values[k.key] for k in p.knobs},
        notes=notes,
    )
