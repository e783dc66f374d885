"""Regimen page: the injection plan from the case, every knob the evidence allows, compare, export.

Renders logic.regimen; the what-if controls sit in a fragment so moving a knob redraws only the plan.
The plan chosen (a change of any setting, or "Use this plan") is saved in the case document, so Regimen
and Recovery follow it in every session. The plan's knobs (never patient data) are mirrored in the
address bar so a teacher can share it; an address that does not parse gives a message, never a traceback.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import streamlit as st

from logic.assess import assess
from logic.case import CaseError
from logic.regimen import (
    RegimenError,
    StoreParams,
    build_regimen,
    build_schedule,
    checkpoint_observations,
    estimate_stores,
    loss_choices,
    plan_for_case,
    preset,
    preset_ids,
    project,
    regimen_for_case,
    summary,
)
from logic.regimen.exports import patient_sheet_html, to_csv, to_ics
from logic.tma import regimen_caveat
from ui.address import address_params
from ui.banner import case_title, pending_notice, teaching_gate
from ui.charts import regimen_chart
from ui.clinic import weekend_option
from ui.common import DISCLAIMER, esc, md_table, why, why_each
from ui.downloads import download_button
from ui.pdf_buttons import patient_pdf_button
from ui.session import chosen_plan, current_case, set_chosen_plan, state, thresholds_id
from ui.session import today as today_of_user

ss = st.session_state
case = current_case()
tid = thresholds_id()
suggestion = regimen_for_case(case, tid)
fits = {s.preset_id: s for s in suggestion.suitability}
today = today_of_user()
_WHOLE = re.compile(r"^-?[0-9]{1,7}$")  # ASCII digits only: '²' or a 5,000-digit number is refused


def _init_from_url() -> bool:
    """Widget state from a shared link (?preset=...&knob=value), once per session; what does not parse
    is named in a message and left at its default. Whether the link named a schedule."""
    if ss.get("reg_url_read"):
        return False
    ss["reg_url_read"] = True
    qp = st.query_params
    pid = qp.get("preset")
    refused = []
    if pid is not None and pid not in preset_ids():
        refused.append(f"preset {pid[:40]!r} is not a schedule this app knows")
    if pid in preset_ids():
        ss["reg_preset"] = pid
        for spec in preset(pid).knobs:
            raw = qp.get(spec.key)
            if raw is None:
                continue
            problem = spec.problem(int(raw)) if _WHOLE.match(raw) else f"{spec.key}: {raw[:20]!r} is not a whole number"
            if problem is None:
                ss[f"reg_{pid}_{spec.key}"] = int(raw)
            else:
                refused.append(problem)
    ss["reg_url_problems"] = refused
    return pid in preset_ids()


def _init_from_case(linked: bool) -> None:
    """The widgets show the plan chosen for the case, each time another case is opened (unless a shared
    link has just named a schedule)."""
    if ss.get("reg_case_opened") == state().opened:
        return
    ss["reg_case_opened"] = state().opened
    plan = chosen_plan()
    ss["reg_start"] = (plan.start if plan else None) or case.treatment_start or today
    if plan is None or plan.preset not in preset_ids() or linked:
        return
    ss["reg_preset"] = plan.preset
    for spec in preset(plan.preset).knobs:
        value = plan.knobs.get(spec.key)
        if value is not None and spec.problem(value) is None:
            ss[f"reg_{plan.preset}_{spec.key}"] = value


def _knobs_now(pid: str) -> dict[str, int]:
    return {spec.key: ss.get(f"reg_{pid}_{spec.key}", spec.default) for spec in preset(pid).knobs}


def _choose() -> None:
    """Save the plan now shown as the case's regimen (preset, knobs, first dose)."""
    pid = ss.get("reg_preset") or suggestion.preset_id
    try:
        build_regimen(pid, **_knobs_now(pid))
        set_chosen_plan(pid, _knobs_now(pid), ss.get("reg_start"))
    except (RegimenError, CaseError) as exc:
        ss["reg_choose_problem"] = str(exc)
    else:
        ss["reg_choose_problem"] = None


def _knob_widget(pid: str, spec) -> int:
    key = f"reg_{pid}_{spec.key}"
    ss.setdefault(key, spec.default)
    label = f"{spec.label} ({spec.unit})" + (" · clinician's choice" if spec.clinician_choice else "")
    if spec.choices is not None:
        value = st.segmented_control(label, list(spec.choices), key=key, format_func=str, on_change=_choose)
        return spec.default if value is None else value
    step = 100 if spec.unit == "mcg" and spec.max and spec.max >= 500 else 1
    return st.slider(label, spec.min, spec.max, key=key, step=step, on_change=_choose)


_init_from_case(_init_from_url())
st.title("Regimen")
teaching_gate("reg")
st.caption(f"{esc(case_title(case))} · a plan to discuss, not an order")
pending_notice("reg")  # entries on the Case page not applied, near the answer (ui/banner.py)
if ss.get("reg_url_problems"):
    st.warning("Part of the plan in the address was not understood and was left at its default: "
               + "; ".join(esc(p) for p in ss["reg_url_problems"]), icon=":material/link_off:")
picture = assess(case, thresholds=tid)
caveat = regimen_caveat(picture.b12_status, picture.leaning, tid)
if caveat is not None:  # no clear indication: said first, and carried by every export below
    st.warning(caveat.text, icon=":material/report:")
    why(caveat.refs, key="why_reg_caveat")
caveat_text = caveat.text if caveat else None

with st.expander("Why this plan is suggested", expanded=False):
    st.markdown("\n".join(f"- {note.text}" for note in [*suggestion.reasons, suggestion.platelet]))
    why([r for n in suggestion.reasons for r in n.refs] + list(suggestion.platelet.refs), key="why_suggestion")


@st.fragment
def planner() -> None:
    ids = list(preset_ids())
    ss.setdefault("reg_preset", suggestion.preset_id)
    c1, c2 = st.columns([3, 1])
    pid = c1.selectbox("Schedule", ids, key="reg_preset", format_func=lambda i: preset(i).name, on_change=_choose)
    ss.setdefault("reg_start", (chosen_plan().start if chosen_plan() else None) or case.treatment_start or today)
    start = c2.date_input("First dose", key="reg_start", format="YYYY-MM-DD", on_change=_choose)
    p = preset(pid)
    fit = fits.get(pid)
    if fit is not None and fit.status == "refused":
        st.error(f"{fit.text}", icon=":material/block:")
        why(fit.refs, key=f"why_refused_{pid}")
        return
    elif fit is not None and fit.status == "not_known":
        st.warning(f"{fit.text}", icon=":material/help:")
    st.caption(p.source_text)
    why(p.refs + (fit.refs if fit else ()), key=f"why_preset_{pid}")

    cols = st.columns(3)
    knobs = {}
    for i, spec in enumerate(p.knobs):
        with cols[i % 3]:
            knobs[spec.key] = _knob_widget(pid, spec)
    with st.expander("Store-estimate assumptions (a model, not a measurement)"):
        a1, a2 = st.columns(2)
        initial = a1.slider(
            "Body stores at the start (mg)",
            0.0,
            5.0,
            1.0,
            0.25,
            key="reg_store_initial",
            help="Healthy adults hold about 1-5 mg (Hunt, BMJ 2014); a deficient patient holds less.",
        )
        losses = loss_choices()
        loss = a2.radio(
            "Daily loss from stores", list(losses), key="reg_store_loss", format_func=lambda k: f"{losses[k].label}"
        )
        why([r for lc in losses.values() for r in lc.refs], key="why_store")
    params = StoreParams(initial_store_mcg=initial * 1000, daily_loss=loss)
    try:
        regimen = plan_for_case(case, pid, tid, **knobs)  # maintenance "for life" as the case says, in every export
    except RegimenError as exc:
        for problem in exc.problems:
            st.error(esc(problem))
        return
    sched = weekend_option(build_schedule(regimen, start), key="reg_no_weekends")  # ui/clinic.py
    plan = chosen_plan()
    if plan is not None and (plan.preset, plan.knobs) == (pid, knobs):
        st.caption(":material/task_alt: This is the plan chosen for the case: Recovery follows it.")
    else:
        w1, w2 = st.columns([1, 3], vertical_alignment="center")
        w1.button("Use this plan for the case", key="reg_choose", on_click=_choose, icon=":material/task_alt:")
        w2.caption("Not yet chosen: Recovery follows " + ("the plan chosen before." if plan else "the suggestion."))
    if ss.get("reg_choose_problem"):
        st.error(esc(ss["reg_choose_problem"]), icon=":material/error:")
    est = estimate_stores(sched, params, step_days=7)
    proj = project(sched, today)
    st.query_params.from_dict({**address_params(), "preset": pid, **{k: str(v) for k, v in knobs.items()}})

    m = st.columns([1, 1, 1, 1.5, 1.5])  # the dates wider: a whole YYYY-MM-DD at 1280 px
    m[0].metric("Injections", proj.injections)
    m[1].metric("Clinic visits", proj.visits)
    m[2].metric("Total dose", f"{proj.total_mcg / 1000:g} mg")
    m[3].metric(
        "End of loading",
        proj.end_of_loading.isoformat() if proj.end_of_loading else "—",
        help="Last dose before maintenance",
    )
    nd = proj.next_due
    m[4].metric("Next due", nd.date.isoformat() if nd else "plan finished", help="The first dose on or after today")
    life = {
        True: "for life (permanent cause)",
        False: "not necessarily for life (no permanent cause recorded)",
        None: "for life? not enough data yet",
    }[suggestion.lifelong]
    st.caption(f"Maintenance shown for the chosen months; in this case: {life}.")

    plans = [("this plan", sched, est)]
    pinned = ss.get("reg_pinned")
    if pinned:
        try:
            p_sched = build_schedule(plan_for_case(case, pinned["preset"], tid, **pinned["knobs"]), start)
            plans.append(("pinned", p_sched, estimate_stores(p_sched, params, step_days=7)))
        except RegimenError:
            ss.pop("reg_pinned", None)
    drawn = [["this plan", pid, knobs]] + ([["pinned", pinned["preset"], pinned["knobs"]]] if len(plans) > 1 else [])
    st.plotly_chart(
        regimen_chart(json.dumps(drawn, sort_keys=True), start, initial * 1000, loss),
        key="reg_chart",
        width="stretch",
        config={"displayModeBar": False},
    )
    st.caption(est.label + ". " + " ".join(n.text for n in est.assumptions))

    b1, b2 = st.columns([1, 3])
    if b1.button("Pin this plan to compare", key="reg_pin", icon=":material/push_pin:"):
        ss["reg_pinned"] = {"preset": pid, "knobs": dict(knobs)}
        st.rerun(scope="fragment")
    if pinned and b2.button("Unpin", key="reg_unpin"):
        ss.pop("reg_pinned", None)
        st.rerun(scope="fragment")
    if len(plans) > 1:
        names = {"plan": "plan", "regimen": "regimen", "injections": "injections", "visits": "visits",
                 "total_mcg": "total (mcg)", "days_to_end_of_loading": "days of loading",
                 "store_1m_mcg": "store 1 mo (mcg)", "store_3m_mcg": "store 3 mo (mcg)",
                 "store_12m_mcg": "store 12 mo (mcg)"}
        rows = [{names[k]: v for k, v in (summary(s, params, today) | {"plan": name}).items() if k in names}
                for name, s, _ in plans]
        st.markdown(md_table(rows, list(names.values()), right=tuple(list(names.values())[2:])))  # no table code

    if sched.checkpoints:
        st.subheader("Checkpoints")
        lines = []
        for cp in sched.checkpoints:
            seen = checkpoint_observations(cp, case)
            have = "; ".join(f"{o.label} {o.display()} ({o.date.isoformat()})" for o in seen[-3:])
            lines.append(
                f"**{cp.date.isoformat()} · {cp.title}**: {cp.text}"
                + (f"  \nOn file: {have}" if have else "  \nNo reticulocyte or haemoglobin result on file yet.")
            )
        st.markdown("\n\n".join(lines))  # one block for every checkpoint (was a markdown each)
        why_each([(f"{cp.date.isoformat()} · {cp.title}", cp.refs) for cp in sched.checkpoints],
                 key="why_checkpoints")

    st.subheader("Dates")
    dates = [
        {"date": i.date.isoformat(), "day": i.date.strftime("%a"), "dose (mcg)": i.dose_mcg, "route": i.route,
         "phase": i.phase}
        for i in sched.injections
    ]
    # a markdown table in a box that scrolls: no table code for the browser to load (md_table)
    with st.container(height=260, key="reg_dates"):
        st.markdown(md_table(dates, ["date", "day", "dose (mcg)", "route", "phase"], right=("dose (mcg)",)))

    label = case_title(case) if case.label else "B12 plan"
    e1, e2, e3 = st.columns(3)
    download_button("Calendar (.ics)", lambda: to_ics(sched, label=label, stamp=datetime.now(UTC), clinic=True,
                    caveat=caveat_text), file_name="b12-plan.ics", mime="text/calendar", key="reg_ics",
                    audit="regimen-ics", where=e1, icon=":material/event:")  # made on the click, audited
    download_button("Dates (.csv)", lambda: to_csv(sched, clinic=True, caveat=caveat_text), file_name="b12-plan.csv",
                    mime="text/csv", key="reg_csv", audit="regimen-csv", where=e2, icon=":material/table:")
    download_button("Patient sheet (print)", lambda: patient_sheet_html(sched, label, unconfirmed=caveat is not None),
                    file_name="b12-plan.html", mime="text/html", key="reg_sheet", audit="patient-sheet", where=e3,
                    icon=":material/print:")
    patient_pdf_button(sched, key="reg_pdf", unconfirmed=caveat is not None)  # ui/pdf_buttons.py: built on click
    st.caption("The address bar now holds this plan's settings (no patient data): copy it to share the plan.")


planner()
st.caption(DISCLAIMER)
