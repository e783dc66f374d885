"""The answer in a few lines, where the case is entered: the B12 verdict, which way TTP or B12? leans, and every
critical alert in full, with links to the pages that explain them (after results are added in one go)."""

from __future__ import annotations

import re

import streamlit as st

from logic.assess import assess
from logic.case import Case
from logic.reports.note import LEANING_WORDS
from ui.common import alert_box


def answer_strip(case: Case, thresholds: str, key: str) -> None:
    """The B12 headline and the leaning (its strength when it has one); critical alerts below, never folded.
    Nothing when the case has no results. Teaching mode's gate is the caller's (it hides verdicts)."""
    if not case.observations:
        return
    result = assess(case, thresholds=thresholds)
    tma = result.tma
    strength = f" ({tma.strength})" if getattr(tma, "strength", None) else ""
    with st.container(border=True, key=key):
        st.markdown(f"**B12:** {result.diagnosis.b12.headline}  \n"
                    f"**TTP or B12?** Leans {LEANING_WORDS[str(tma.leaning)]}{strength}, for your judgement.")
        for alert in (a for a in result.alerts if a.severity == "critical"):
            alert_box(alert, key=f"{key}_alert")
        c1, c2 = st.columns(2)
        c1.page_link("app_pages/ttp.py", label="TTP or B12? in full", icon=":material/balance:")
        c2.page_link("app_pages/diagnosis.py", label="Diagnosis in full", icon=":material/biotech:")


def scroll_to(key: str) -> None:
    """Bring the element with widget/container ``key`` into view once (after an action far down the page, such as
    confirming a long preview, whose answer is drawn near the top)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "", key)
    st.html(
        "<script>setTimeout(() => { const el = document.querySelector("
        f"'.st-key-{safe}'); if (el) el.scrollIntoView({{block: 'start', behavior: 'instant'}}); }}, 200);</script>",
        unsafe_allow_javascript=True,
        width=1,
    )
