"""TTP or B12? The leaning first, then the weighed picture, PLASMIC and the French score.

Renders logic.tma through the typed assessment; the leaning is for a clinician to weigh, never an
order. A TTP leaning always shows its critical alert at the top.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from logic.assess import assess
from logic.case import CaseError, parse_case
from logic.case.entry import parse_entry, set_observation
from logic.diagnosis import diagnose
from logic.reference import statements, threshold_set
from logic.tma import TmaResult, decided_by, groups, weights
from logic.tma.plasmic import PlasmicResult, plasmic
from ui.banner import pending_notice, teaching_gate
from ui.charts import balance_chart
from ui.common import DISCLAIMER, alert_box, alert_sources, esc, md_table, why, why_each
from ui.session import current_case, thresholds_id

LEANING_STYLE = {
    "b12_pseudo_tma": ("green", ":material/vaccines:"),
    "ttp": ("red", ":material/emergency:"),
    "other_tma": ("orange", ":material/help:"),
    "not_tma": ("blue", ":material/remove_circle:"),
    "indeterminate": ("gray", ":material/pending:"),
}
POINT = {True: "1", False: "0", None: "?"}
ss = st.session_state


def criteria_table(criteria, cutoffs: bool = True) -> None:
    """One row per score criterion: its point (? when not known), the value used and its date."""
    rows = []
    for c in criteria:
        row = {"Point": POINT[c.met], "Criterion": c.label}
        row["Value used"] = (c.value or "not known") + (f" ({c.date})" if c.date else "")
        if cutoffs:
            row["Scores when"] = c.cutoff
        rows.append(row)
    # a markdown table: every cell in full, and no table code for the browser to load (md_table)
    st.markdown(md_table(rows, ["Point", "Criterion", "Value used"] + (["Scores when"] if cutoffs else [])))


def plasmic_table(p: PlasmicResult) -> None:
    """The seven PLASMIC rows: value used, cut-off, point (unknowns shown as such)."""
    criteria_table(p.criteria)
    if p.score is not None:
        total = f"**PLASMIC {p.score}**"
    else:
        unknown = sum(1 for c in p.criteria if c.met is None)
        total = f"**PLASMIC {p.min_score} to {p.max_score}** (unknown criteria: {unknown})"
    band = f" · {p.risk} risk of severe ADAMTS13 deficiency" if p.risk else " · the range spans risk bands"
    # the total and what its band means in one block (the meaning small, as a caption was)
    st.markdown(total + band + (f"  \n:small[:gray[{p.band_meaning}]]" if p.band_meaning else ""))
    if p.scope_note:
        (st.caption if p.in_scope else st.warning)(p.scope_note)
    why(p.refs, key="why_plasmic_" + ss.get("ttp_mode", "case"))


def french_table(tma: TmaResult) -> None:
    """The French score as ISTH 2020 tabulates it, criterion by criterion, with its caveats."""
    f = tma.french
    criteria_table(f.criteria, cutoffs=False)
    if f.score is not None:
        severe = groups()["adamts13"]["severe_below"]
        st.markdown(
            f"**French score {f.score}**: ADAMTS13 below {severe:g} % in {f.likelihood_pct[0]} % (ISTH 2020 table)"
        )
    else:
        likely = ", ".join(f"{p} %" for p in f.likelihood_pct)
        st.markdown(f"**French score {f.min_score} to {f.max_score}** (likelihood {likely} across that range)")
    st.caption(f.caveat + " " + f.boundary + " " + f.not_verified)
    why(f.refs, key="why_french")


def leaning_box(tma: TmaResult, alerts) -> None:
    """The leaning, why, its critical alerts and what would settle it: readable without scrolling."""
    colour, _icon = LEANING_STYLE[tma.leaning]
    label = statements.text(f"tma.leaning_{tma.leaning}")
    with st.container(border=True, key="ttp_leaning"):
        st.badge("A leaning for clinical judgement", color="gray")
        strength = f" ({tma.strength})" if tma.strength else ""
        st.markdown(f"### :{colour}[{label}{strength}]\n\n{tma.decisive.text}")  # heading and reason: one block
        for a in alerts:
            alert_box(a, key="ttp", sources=False)  # their sources in the box's "Why?", each alert named
        if tma.deciding_tests:
            title = "Checks still open" if tma.leaning == "b12_pseudo_tma" else "What would settle it"
            st.markdown(
                f"**{title}**\n\n" + "\n".join(f"1. **{t.label}**: {t.reason}" for t in tma.deciding_tests)
            )
        if tma.doubt:
            st.markdown("**When to doubt it**\n\n" + "\n".join(f"- {n.text}" for n in tma.doubt))
        why_each(
            [("The leaning", [r for x in tma.reasons for r in x.refs] + list(tma.no_validated_rule.refs)),
             ("What would settle it", [r for t in tma.deciding_tests for r in t.refs]),
             ("When to doubt it", [r for n in tma.doubt for r in n.refs]),
             *alert_sources(alerts)],
            key="why_leaning",
            extra=tma.no_validated_rule.text,
        )


def balance_section(tma: TmaResult) -> None:
    cut = weights()["leaning"]
    rows = tuple((f"{p.label} {p.value}" if p.value else p.label, p.weight, p.estimated, p.held) for p in tma.balance)
    st.plotly_chart(
        balance_chart(rows, tma.total, cut["ttp_at_or_below"], cut["b12_at_or_above"], decided_by(tma)),
        key="ttp_balance",
        width="stretch",
        # nothing to hover for: each bar's pull is written on it, each feature's reason in the table below
        config={"displayModeBar": False, "staticPlot": True},
    )
    st.caption(statements.text("tma.page_balance_caption"))


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
st.caption(statements.text("tma.page_intro"))
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
pending_notice("ttp")  # entries on the Case page not applied, near the answer (ui/banner.py)

tma_ids = {x.id for x in tma.alerts}
urgent = [a for a in result.alerts if a.id in tma_ids and a.severity == "critical"]
others = [a for a in result.alerts if a.id in tma_ids and a.severity != "critical"]
for a in (x for x in result.alerts if x.id == "unit_suspect"):  # PLASMIC and the weighing use it as typed
    alert_box(a, key="ttp_unit")
top_left, top_right = st.columns([3, 2], gap="medium")
with top_left:
    leaning_box(tma, urgent)
with top_right:
    balance_section(tma)

for a in others:
    alert_box(a, key="ttp_more", sources=False)
why_each(alert_sources(others), key="why_ttp_more")  # one "Why?" under the alerts, each named in it

if tma.guidance:
    with st.container(border=True, key="ttp_guidance"):
        st.markdown(
            "**While ADAMTS13 is awaited: what the ISTH 2020 guideline says**\n\n"
            + "\n".join(f"- {n.text}" for n in tma.guidance)
        )
        why([r for n in tma.guidance for r in n.refs], key="why_guidance")

left, right = st.columns(2, gap="medium")
with left:
    st.subheader("PLASMIC, criterion by criterion")
    plasmic_table(p)
with right:
    st.subheader("French score")
    french_table(tma)

st.subheader("Each feature against the published groups")
table = [
    {
        "Feature": pl.label,
        "Value": (pl.value or "not known") + (" (estimated)" if pl.estimated else ""),
        "Pull": (f"{pl.held:+g} towards B12, held back until B12 deficiency is shown" if pl.held else "fits both")
        if pl.weight == 0 else (f"{pl.weight:+g} towards " + ("B12" if pl.weight > 0 else "TTP")),
        "Why": pl.text,
    }
    for pl in tma.balance
]
st.markdown(md_table(table, ["Feature", "Value", "Pull", "Why"]))  # every "Why" in full (st.dataframe cut them)
why([r for pl in tma.balance for r in pl.refs] + list(tma.no_validated_rule.refs), key="why_comparison")

with st.expander("Every reason, in order", key="ttp_reasons"):
    st.markdown("\n".join(f"- {reason.text}" for reason in tma.reasons))

st.info(
    tma.no_validated_rule.text + " A bone marrow showing megaloblastic change also points to B12 "
    "deficiency, and a response to B12 confirms it in hindsight; a marrow is rarely needed when the blood tests "
    "agree.",
    icon=":material/info:",
)
st.caption(DISCLAIMER)
