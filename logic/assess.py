"""The whole assessment of a case as one typed, frozen value.

:func:`assess` runs the diagnosis, PLASMIC, the TTP-or-B12 leaning (reading the course up to
``today``) and (with a treatment start) the recovery response, merges their alerts most urgent
first, and names the regimen preset the Regimen page suggests (``logic.diagnosis.regimen_choice``). Pages render the
:class:`Assessment`; the command line turns it into the contract's JSON in one place
(:func:`logic.cli.serialize.assessment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from logic.case import Case
from logic.diagnosis import Diagnosis, diagnose
from logic.diagnosis.regimen_choice import PresetChoice, suggest_preset
from logic.recovery import Response, response
from logic.reference import statements
from logic.results import Alert, B12Status, Leaning, NextTest, by_severity
from logic.tma import TmaResult, tma
from logic.tma.plasmic import PlasmicResult, plasmic

DISCLAIMER = statements.text("common.disclaimer")


@dataclass(frozen=True)
class Assessment:
    """Diagnosis, PLASMIC, the leaning, the response and every alert, for one case on one day."""

    diagnosis: Diagnosis
    plasmic: PlasmicResult
    tma: TmaResult
    response: Response | None
    alerts: tuple[Alert, ...]
    today: date | None
    has_treatment_start: bool
    disclaimer: str = DISCLAIMER
    suggested_regimen: PresetChoice | None = None  # the preset the Regimen page suggests, and why

    @property
    def b12_status(self) -> B12Status:
        return self.diagnosis.b12.status

    @property
    def leaning(self) -> Leaning:
        return Leaning(self.tma.leaning)

    @property
    def next_tests(self) -> tuple[NextTest, ...]:
        return self.diagnosis.next_tests

    @property
    def thresholds_id(self) -> str:
        return self.diagnosis.thresholds_id


def merged_alerts(d: Diagnosis, tma_result: TmaResult) -> tuple[Alert, ...]:
    """Diagnosis and TTP-or-B12 alerts, most urgent first. On a TTP leaning the note about
    over-diagnosed TTP is dropped: it must not shade a TTP picture."""
    own = [a for a in d.alerts if not (tma_result.leaning == Leaning.TTP and a.id == "unsourced_misdiagnosis_rate")]
    return tuple(by_severity(own + list(tma_result.alerts)))


def assess(
    case: Case, today: date | None = None, thresholds: str | None = None, diagnosis: Diagnosis | None = None
) -> Assessment:
    """Assess ``case``; ``today`` defaults to the latest observation date."""
    today = today or case.last_date()
    d = diagnosis or diagnose(case, thresholds, today)
    p = plasmic(case, thresholds)
    leaning = tma(case, d, p, thresholds, today)
    resp = response(case, today, thresholds) if case.treatment_start is not None else None
    choice = suggest_preset(case, thresholds)
    started = case.treatment_start is not None
    return Assessment(d, p, leaning, resp, merged_alerts(d, leaning), today, started, suggested_regimen=choice)
