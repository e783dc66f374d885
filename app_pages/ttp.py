"""TTP or B12? PLASMIC criterion by criterion, beside the evidence for B12 pseudo-TMA.

Renders logic.plasmic and logic.tma; the leaning is for a clinician to weigh, never an order.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

from logic.assess import assess
from logic.case import CaseError, parse_case
from logic.diagnosis import diagnose
from logic.entry import parse_entry, set_observation
from logic.plasmic import PlasmicResult, plasmic
from logic.reference import threshold_set
from logic.serialize import comparison
from ui.charts import tma_chart
from ui.common import DISCLAIMER, alert_box, esc, teaching_gate, why
from ui.session import current_case, thresholds_id

LEANING = {
    "b12_pseudo_tma": ("Leans B12 pseudo-TMA", "green", ":material/vaccines:"),
    "ttp": ("Leans TTP", "red", ":material/emergency:"),
    "other_tma": ("Another TMA", "orange", ":material/help:"),
    "not_tma": ("Not a TMA picture", "blue", ":material/remove_circle:"),
    "indeterminate": ("Not enough to lean either way", "gray", ":material/pending:"),
}
POINT = {True: "1", False: "0", None: "?"}
ss = st.session_state


def plasmic_table(p: PlasmicResult) -> None:
    """The seven PLASMIC rows: value used, cut-off, point (unknowns shown as such)."""
    rows = []
    for c in p.criteria:
        value = c.value or "not known"
        if c.date:
            value += f" ({c.date})"
        rows.append({"Point": POINT[c.met], "Criterion": c.label, "Value used": value, "Scores when": c.cutoff})
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Point": st.column_config.TextColumn(width="small")},
    )
    if p.score is not None:
        total = f"**PLASMIC {p.score}**"
    else:
        unknown = sum(1 for c in p.criteria if c.met is None)
        total = f"**PLASMIC {p.min_score} to {p.max_score}** (unknown criteria: {unknown})"
    band = f" · {p.risk} risk of severe ADAMTS13 deficiency" if p.risk else " · the range spans risk bands"
    st.markdown(total + band)
    if p.band_meaning:
        st.caption(p.band_meaning)
    if p.scope_note:
        (st.caption if p.in_scope else st.warning)(p.scope_note)
    why(p.refs, key="why_plasmic_" + ss.get("ttp_mode", "case"))


def quick_case(inputs: dict[str, tuple[str, str | None]], cancer: bool | None, transplant: bool | None):
    """A one-draw case from the quick-entry fields; returns (case, problems)."""
    doc = {"observations": [], "history": {"active_cancer": cancer, "transplant": transplant}}
    problems = []
    today = date.today()
    for analyte, (text, unit) in inputs.items():
        try:
            parsed = parse_entry(text)
        except ValueError as exc:
            problems.append(f"{analyte}: {exc}")
            continue
        if parsed:
            doc = set_observation(doc, today, analyte, parsed[0], unit, parsed[1])
    try:
        return parse_case(doc), problems
    except CaseError as exc:
        return None, problems + [str(p) for p in exc.problems]


st.title("TTP or B12?")
st.caption(
    "B12 deficiency can look like thrombotic thrombocytopenic purpura: haemolysis, schistocytes and low "
    "platelets. This page sets PLASMIC beside the features that point to B12, for a clinician to weigh."
)
mode = st.segmented_control(
    "Input",
    ["Current case", "Quick PLASMIC"],
    key="ttp_mode",
    default="Current case",
    help="Quick PLASMIC takes the seven inputs alone, e.g. from a lab printout.",
)

if mode == "Quick PLASMIC":
    st.subheader("Quick PLASMIC")
    st.caption("Type values from the printout; censored values such as <8 are fine. Nothing here changes the case.")
    q = st.columns(3)
    fields = {
        "platelets": ("Platelets", ["10^9/L"]),
        "reticulocytes_pct": ("Reticulocytes", ["%"]),
        "haptoglobin": ("Haptoglobin", ["mg/dL", "g/L"]),
        "bilirubin_indirect": ("Indirect bilirubin", ["mg/dL", "umol/L"]),
        "mcv": ("MCV", ["fL"]),
        "inr": ("INR", ["1"]),
        "creatinine": ("Creatinine", ["mg/dL", "umol/L"]),
    }
    saved = ss.setdefault("ttp_q_saved", {})  # widget state is dropped when the mode hides the fields
    for key, value in saved.items():
        ss.setdefault(key, value)
    inputs = {}
    for i, (analyte, (label, units)) in enumerate(fields.items()):
        with q[i % 3]:
            a, b = st.columns([3, 2], vertical_alignment="bottom")
            text = a.text_input(label, key=f"ttp_q_{analyte}")
            unit = b.selectbox(
                "Unit", units, key=f"ttp_qu_{analyte}", label_visibility="collapsed", disabled=len(units) < 2
            )
            inputs[analyte] = (text, unit)
    tri = {"Unknown": None, "Yes": True, "No": False}
    h1, h2 = st.columns(2)
    cancer = tri[h1.radio("Active cancer in the past year", list(tri), key="ttp_q_cancer", horizontal=True)]
    transplant = tri[
        h2.radio("Solid-organ or stem-cell transplant", list(tri), key="ttp_q_transplant", horizontal=True)
    ]
    ss["ttp_q_saved"] = {k: ss[k] for k in ss if str(k).startswith(("ttp_q_", "ttp_qu_")) and k != "ttp_q_saved"}
    qcase, problems = quick_case(inputs, cancer, transplant)
    for msg in problems:
        st.error(esc(msg), icon=":material/error:")
    if qcase is not None:
        plasmic_table(plasmic(qcase, thresholds_id()))
    st.caption(
        "PLASMIC estimates the chance of severe ADAMTS13 deficiency; it does not test for B12 deficiency. "
        "Use the current-case view for the B12 evidence. " + DISCLAIMER
    )
    st.stop()

teaching_gate("ttp")
case = current_case()
tid = thresholds_id()
d = diagnose(case, tid, case.last_date())
result = assess(case, thresholds=tid, diagnosis=d)
p, tma = result.plasmic, result.tma
st.caption(f"{esc(case.label) or 'Unnamed case'} · reference set: {threshold_set(tid).name}")

label, colour, icon = LEANING[tma.leaning]
with st.container(border=True, key="ttp_leaning"):
    st.badge("Leaning, for clinical judgement", color="gray")
    st.markdown(f"### :{colour}[{label}]")
    for reason in tma.reasons:
        st.markdown(f"- {reason.text}")
    why(
        [r for x in tma.reasons for r in x.refs] + list(tma.no_validated_rule.refs),
        key="why_leaning",
        extra=tma.no_validated_rule.text,
    )
    if tma.deciding_tests:
        st.markdown("**What would settle it**")
        st.markdown("\n".join(f"1. **{t.label}**: {t.reason}" for t in tma.deciding_tests))

tma_ids = {x.id for x in tma.alerts}
for a in [a for a in result.alerts if a.id in tma_ids]:
    alert_box(a, key="ttp")

st.subheader("PLASMIC, criterion by criterion")
plasmic_table(p)

st.subheader("Against the published groups")
left, right = st.columns([3, 2])
with left:
    rows = [comparison(r) for r in tma.comparison if r.pseudo_tma_median is not None]
    st.plotly_chart(
        tma_chart(json.dumps(rows, sort_keys=True)), key="ttp_chart", width="stretch", config={"displayModeBar": False}
    )
    st.caption(
        "Medians from Noël 2013 (7 B12 pseudo-TMA vs 6 TTP); the dotted line is the midpoint on this "
        "log scale. Small groups: a guide, not a rule."
    )
with right:
    for r in (r for r in tma.comparison if r.pseudo_tma_median is None):
        st.markdown(
            f"**{r.label}**: {r.patient_display or 'not known'}. {r.note or ''} "
            f"(B12 pseudo-TMA: {r.pseudo_tma_text or '—'}; TTP: {r.ttp_text or '—'})"
        )
    why([r for x in tma.comparison for r in x.refs], key="why_comparison")

st.info(
    tma.no_validated_rule.text + " A bone marrow showing megaloblastic change also points to B12 "
    "deficiency, and a response to B12 confirms it in hindsight; a marrow is rarely needed when the blood tests "
    "agree.",
    icon=":material/info:",
)
st.caption(DISCLAIMER)
