"""Diagnosis page: the B12 verdict first, then next tests, findings, causes, route and alerts.

Renders :func:`logic.assess.assess`; every statement has a "Why?" naming its sources.
"""

from __future__ import annotations

import streamlit as st

from logic.assess import assess
from logic.diagnosis import diagnose
from logic.reference import analytes, statements, threshold_set
from logic.reports.note import note_text
from ui.banner import pending_notice, teaching_gate
from ui.charts import b12_chart
from ui.common import DISCLAIMER, alert_box, alert_sources, esc, why, why_each
from ui.pdf_buttons import assessment_pdf_button
from ui.session import current_case, thresholds_id

STATUS_BADGE = {
    "deficient": ("red", ":material/priority_high:"),
    "indeterminate": ("orange", ":material/help:"),
    "unlikely": ("green", ":material/check_circle:"),
    "unknown": ("gray", ":material/pending:"),
}
PRESENT = {True: "Yes", False: "No", None: "Not known"}
PRESENT_MD = {True: ":red[Yes]", False: ":green[No]", None: ":gray[Not known]"}


def cell(text: str) -> str:
    """Text made safe for one line of a markdown list."""
    return text.replace("\n", " ")


case = current_case()
tid = thresholds_id()
t = threshold_set(tid)
d = diagnose(case, tid, case.last_date())
result = assess(case, thresholds=tid, diagnosis=d)

st.title("Diagnosis")
teaching_gate("dx")
st.caption(f"{esc(case.label) or 'Unnamed case'} · reference set: {t.name}")

pending_notice("dx")  # entries on the Case page not applied, near the answer (ui/banner.py)
if not case.observations:
    st.info("No results yet. Enter labs on the Case page, or load an example case there.", icon=":material/info:")

# an emergency outranks the B12 verdict: the critical TTP-or-B12 alerts come first
URGENT = {a.id for a in result.tma.alerts if a.severity == "critical"}
for a in [a for a in result.alerts if a.id in URGENT]:
    alert_box(a, key="dx_top")

# -- verdict -------------------------------------------------------------------------
colour, icon = STATUS_BADGE[d.b12.status]
with st.container(border=True, key="dx_verdict"):
    v1, v2 = st.columns([3, 2])
    with v1:
        st.badge(d.b12.status.upper(), color=colour, icon=icon)
        st.markdown(f"### {d.b12.headline}")
        if d.b12.reasons:
            st.markdown("\n".join(f"- {reason.text}" for reason in d.b12.reasons))
        refs = [r for n in d.b12.reasons for r in n.refs] + list(t.get("b12_deficient_below").refs)
        caveat = t.get("b12_unlikely_above").caveat
        why(
            refs,
            key="why_b12",
            extra=f"Cut-offs in use (**{t.name}**): deficient below {t['b12_deficient_below']:g} ng/L, "
            f"indeterminate {t['b12_deficient_below']:g}-{t['b12_unlikely_above']:g}, unlikely above "
            f"{t['b12_unlikely_above']:g} ng/L (1 pmol/L = {analytes()['b12']['units']['pmol/L']:g} ng/L). "
            f"{caveat or ''} "
            "BSH 2014 asks laboratories to set local ranges; choose the set in the sidebar.",
        )
    with v2:
        b12 = d.values.get("b12")
        # a static SVG image (logic/figures/b12.py), not a plotly chart: no plotly.js for the browser to load;
        # the bands are named on it, their cut-offs under "Why?" beside it
        with st.container(key="dx_b12_chart"):
            st.image(b12_chart(float(b12.canonical) if b12 else None, tid, b12.comparator if b12 else None),
                     width="stretch")
        grade = d.thrombocytopenia_grade
        m1, m2, m3 = st.columns(3)
        m1.metric("Platelets", "—" if grade is None else f"G{grade}", help="CTCAE v5 grade of thrombocytopenia")
        m2.metric("Anaemia", "—" if d.anaemia_grade is None else f"G{d.anaemia_grade}", help="CTCAE v5 grade")
        rpi = d.reticulocyte_production_index
        # the one reticulocyte reading (logic/diagnosis/marrow.py): the same words on TTP or B12?
        m3.metric("Retic. index", "—" if rpi is None else f"{rpi:.1f}",
                  help="Reticulocyte production index. " + (d.marrow.text if d.marrow else ""))  # fmt: skip
    tma = result.tma
    if tma.picture or tma.leaning == "ttp":
        p = result.plasmic
        score = p.score if p.score is not None else f"{p.min_score} to {p.max_score}"
        risk = f", {p.risk} risk" if p.risk else ""
        strength = f" ({tma.strength})" if tma.strength else ""
        t1, t2 = st.columns([2, 3], vertical_alignment="center")
        t1.markdown(f"**PLASMIC {score}**{risk} of severe ADAMTS13 deficiency")
        t2.markdown(f"**TTP or B12?** {statements.text(f'tma.leaning_{tma.leaning}')}{strength}")
        t2.page_link(
            "app_pages/ttp.py", label="Open TTP or B12? for the whole picture", icon=":material/compare_arrows:"
        )

# -- next tests and alerts ----------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader("What to test next")
    if not d.next_tests:
        st.caption("Nothing outstanding for the diagnosis.")
    else:
        st.markdown("\n\n".join(f"**{n.label}**: {n.reason}" for n in d.next_tests))
    why_each([(n.label, n.refs) for n in d.next_tests], key="why_next")
with right:
    st.subheader("Alerts")
    others = [a for a in result.alerts if a.id not in URGENT]
    if not others:
        st.caption("No other alerts." if result.alerts else "No alerts.")
    for a in others:
        alert_box(a, key="dx", sources=False)
    why_each(alert_sources(others), key="why_alerts")  # one "Why?" for the section, each alert named in it

# -- findings --------------------------------------------------------------------------
st.subheader("Blood picture")
if d.findings:  # one list and one "Why?" naming each finding's sources (was a row of columns and a popover each)
    # a list, not a table: a three-column table ran off the screen at 390 px
    st.markdown("\n".join(f"- **{cell(f.label)}** · {PRESENT_MD[f.present]}: {cell(f.detail)}" for f in d.findings))
    why_each([(f.label, f.refs) for f in d.findings], key="why_findings")

# -- causes, lifelong, route ----------------------------------------------------------
c_left, c_right = st.columns(2)
with c_left:
    st.subheader("Causes in the history")
    # what the case shows or suggests first; the causes not yet recorded folded below (issue 20: less noise)
    shown = [c for c in d.causes if c.present is True or c.suggested]
    folded = [c for c in d.causes if c.present is None and not c.suggested]
    if not shown:
        st.caption("No cause recorded.")
    life = {
        True: ("Lifelong treatment: yes", "red"),
        False: ("Lifelong treatment: no permanent cause recorded", "green"),
        None: ("Lifelong treatment: not enough data", "gray"),
    }[d.lifelong]
    # the causes, the lifelong badge and its reasons in one block (was a markdown each and an st.badge)
    st.markdown(
        "\n\n".join(
            [f"**{c.label}** ({'present' if c.present else 'suggested'}): {c.text}" for c in shown]
            + [f":{life[1]}-badge[{life[0]}]"]
        )
        + ("\n\n" + "\n".join(f"- {r.text}" for r in d.lifelong_reasons) if d.lifelong_reasons else "")
    )
    if folded:
        with st.expander(f"Not recorded yet ({len(folded)})", key="dx_causes_unknown"):
            st.markdown("\n".join(f"- **{c.label}**: {c.text}" for c in folded))
    why_each(
        [(c.label, c.refs) for c in d.causes] + [(life[0], [r for n in d.lifelong_reasons for r in n.refs])],
        key="why_causes",
    )
with c_right:
    st.subheader("Route")
    if d.route:
        st.markdown("\n".join(f"- {r.text}" for r in d.route))
    why([r for n in d.route for r in n.refs], key="why_route")

# -- copy to note ---------------------------------------------------------------------
st.subheader("Copy to note")
st.code(note_text(case, result), language=None, wrap_lines=True)
assessment_pdf_button(case, result, key="dx_pdf")  # ui/pdf_buttons.py: built on click
st.caption(DISCLAIMER)
