"""The Regimen page's "keep injections off weekends" option: one call, the schedule in and out."""

from __future__ import annotations

import streamlit as st

from logic.regimen import Schedule, describe_move, off_weekends
from ui.common import why


def weekend_option(sched: Schedule, key: str) -> Schedule:
    """A toggle; when on, ``sched`` with injections moved off weekends where its spacing allows
    (:func:`logic.regimen.off_weekends`), with what moved and what could not said below it."""
    if not st.toggle("Keep injections off weekends", key=key,
                     help="Moves a weekend injection to Friday or Monday (at most two days), never closer to the "
                          "dose before than its phase allows; says which doses cannot move."):  # fmt: skip
        return sched
    plan = off_weekends(sched)
    moved, kept = plan.moved, plan.kept
    if moved:
        st.caption(f"{len(moved)} dose(s) moved: " + "; ".join(describe_move(m) for m in moved[:8])
                   + (" ..." if len(moved) > 8 else ""))  # fmt: skip
    if kept:
        st.warning(f"{len(kept)} injection(s) stay on a weekend: " + "; ".join(describe_move(m) for m in kept[:6])
                   + (" ..." if len(kept) > 6 else ""), icon=":material/event_busy:")  # fmt: skip
    if not moved and not kept:
        st.caption("No injection falls on a weekend.")
    why(["cobalt_weekday_moves"], key=f"why_{key}")
    return plan.schedule
