"""The regimen that follows from a case, with its reasons, and the case's values at a checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from logic.case import Case, Observation
from logic.reference import threshold_set
from logic.reference.statements import say
from logic.regimen.build import build_regimen
from logic.regimen.case_fit import PlateletEvidence, Suitability, im_platelet_evidence, suitability
from logic.regimen.phases import Regimen
from logic.regimen.presets import preset_ids
from logic.regimen.schedules import Checkpoint, Schedule, build_schedule
from logic.results import Note


@dataclass(frozen=True)
class Suggestion:
    """The regimen that follows from a case, and why."""

    preset_id: str
    regimen: Regimen
    start: date | None
    lifelong: bool | None
    reasons: tuple[Note, ...]
    suitability: tuple[Suitability, ...]
    platelet: PlateletEvidence

    def schedule(self) -> Schedule | None:
        """The schedule from the case's treatment start (None without a start date)."""
        return build_schedule(self.regimen, self.start) if self.start else None


def _lifelong(case: Case, thresholds: str | None) -> tuple[bool | None, list[Note]]:
    from logic.diagnosis import causes  # the single place that decides which causes are permanent

    _found, lifelong, reasons = causes(case, threshold_set(thresholds))
    return lifelong, [Note(r.text, tuple(r.refs)) for r in reasons]


def with_lifelong(regimen: Regimen, lifelong: bool | None) -> Regimen:
    """The regimen with its maintenance marked for life only when the case's causes make it lifelong:
    one answer for the Regimen page, the calendar, the CSV, the patient PDF and ``assess``."""
    phases = tuple(replace(p, for_life=(lifelong is True)) if p.for_life or p.name == "maintenance" else p
                   for p in regimen.phases)  # fmt: skip
    return replace(regimen, phases=phases)


def case_lifelong(case: Case, thresholds: str | None = None) -> bool | None:
    """Whether the case's treatment is lifelong (``logic.diagnosis.causes``, the single place)."""
    return _lifelong(case, thresholds)[0]


def plan_for_case(case: Case, preset_id: str, thresholds: str | None = None, **knobs: Any) -> Regimen:
    """A chosen preset built with its knobs and the case's lifelong answer (what every export shows)."""
    return with_lifelong(build_regimen(preset_id, **knobs), case_lifelong(case, thresholds))


def regimen_for_case(case: Case, thresholds: str | None = None, **knobs: Any) -> Suggestion:
    """The suggested regimen (:func:`logic.diagnosis.regimen_choice.suggest_preset`: the reference set's country
    and neurological involvement); maintenance marked for life only when a permanent cause is
    recorded; starting on ``case.treatment_start``. Knobs override the preset's defaults."""
    from logic.diagnosis.regimen_choice import suggest_preset  # reads diagnosis: not loaded by the schedule command

    choice = suggest_preset(case, thresholds)
    preset_id = choice.preset_id
    reasons: list[Note] = list(choice.reasons)
    regimen = build_regimen(preset_id, **knobs)
    lifelong, life_notes = _lifelong(case, thresholds)
    if regimen.phases and regimen.phases[-1].name == "maintenance":
        key = {True: "maintenance_for_life", False: "maintenance_not_for_life", None: "maintenance_life_not_known"}
        reasons.append(say(f"regimen.{key[lifelong]}"))
    reasons += life_notes
    regimen = with_lifelong(regimen, lifelong)
    if case.treatment_start:
        reasons.append(say("regimen.starts_on_treatment_start", start=case.treatment_start.isoformat()))
    else:
        reasons.append(say("regimen.no_treatment_start"))
    fits = tuple(suitability(pid, case, thresholds) for pid in preset_ids())
    return Suggestion(preset_id, regimen, case.treatment_start, lifelong, tuple(reasons), fits, im_platelet_evidence())


def checkpoint_observations(checkpoint: Checkpoint, case: Case) -> tuple[Observation, ...]:
    """The case's values of the checkpoint's analytes dated on or before the checkpoint, oldest
    first (values on or before ``case.treatment_start`` are the baseline)."""
    wanted = set(checkpoint.analytes)
    obs = [o for o in case.observations if o.analyte in wanted and o.date <= checkpoint.date]
    return tuple(sorted(obs, key=lambda o: (o.date, o.index)))
