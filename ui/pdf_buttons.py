"""PDF download buttons: the patient's schedule (Regimen page) and the assessment (Diagnosis page).

Each is one call from its page. The PDF is built only when the button is clicked (Streamlit's
deferred download data, through ui/downloads.py: audited, for the signed-in user only), never on a
rerun: WeasyPrint takes a second or more.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from logic.assess import Assessment
from logic.case import Case
from logic.regimen import RegimenError, Schedule, build_schedule, plan_for_case, regimen_for_case
from ui.downloads import download_button
from ui.session import chosen_plan, thresholds_id


def patient_pdf_button(sched: Schedule, key: str, where=st, unconfirmed: bool = False) -> None:
    """ "Patient schedule (PDF)": plain words, dates of injections and blood tests, space for a name."""

    def build() -> bytes:
        from logic.reports import patient_html, render_pdf

        return render_pdf(patient_html(sched, date.today(), unconfirmed))

    download_button("Patient schedule (PDF)", build, file_name="b12-schedule.pdf", mime="application/pdf", key=key,
                    audit="schedule-pdf", where=where, icon=":material/picture_as_pdf:",
                    help="For the patient: dates, blood tests, what to report, space for a name")  # ui/downloads


def _plan(case: Case) -> Schedule | None:
    """The plan last shown on the Regimen page, else the one suggested for the case."""
    start = case.treatment_start or date.today()
    plan = chosen_plan()
    if plan is not None:
        try:
            return build_schedule(plan_for_case(case, plan.preset, thresholds_id(), **plan.knobs), start)
        except RegimenError:
            pass
    suggestion = regimen_for_case(case, thresholds_id())
    return build_schedule(suggestion.regimen, start)


def assessment_pdf_button(case: Case, result: Assessment, key: str, where=st) -> None:
    """ "Assessment (PDF)": verdicts, PLASMIC and leaning, regimen, recovery figure, sources."""

    def build() -> bytes:
        from logic.reports import assessment_html, render_pdf

        return render_pdf(assessment_html(case, result, date.today(), _plan(case)))

    download_button("Assessment (PDF)", build, file_name="b12-assessment.pdf", mime="application/pdf", key=key,
                    audit="assessment-pdf", where=where, icon=":material/picture_as_pdf:")  # ui/downloads: audited
