"""Rendering helpers: sources ("Why?"), alerts, the sidebar, safe text."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import traceback
from typing import TYPE_CHECKING

import streamlit as st

from logic.case import Case
from logic.case.units import from_canonical
from logic.reference import reference, statements, threshold_set, threshold_set_ids
from logic.results import Alert
from store import SEARCH_MAX
from ui.auth import current_actor, shown_name
from ui.perf import ByIdentity
from ui.saver import SaveState
from ui.session import (
    TEACHING_KEY,
    THRESHOLDS_KEY,
    current_case,
    get_store,
    new_case,
    open_case,
    reload_saved,
    reveal,
    save_as_new,
    save_status,
    state,
    store_or_none,
    store_stamp,
    sync_saved,
    teaching_mode,
    thresholds_id,
    unit_system,
    verdicts_hidden,
)

if TYPE_CHECKING:
    from store import CaseSummary

log = logging.getLogger("cobalt.pages")
DISCLAIMER = statements.text("common.disclaimer")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
SEVERITY_ICON = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def esc(text: str | None) -> str:
    """User-entered text made inert for st.markdown (no links, images or formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def md_table(rows: list[dict], columns: list[str], right: tuple[str, ...] = ()) -> str:
    """A small static table as markdown: drawn with the page's text, so the browser loads no table code
    (st.table and st.dataframe fetch about 1 MB of Arrow and grid scripts on first use; issue 13). Every
    cell is escaped (a cell's text is never read as markdown) and shown in full, a missing value as a dash;
    ``right``: columns aligned right (numbers)."""

    def cell(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return esc(" ".join(str(value).split()))

    head = "| " + " | ".join(esc(c) for c in columns) + " |"
    rule = "|" + "|".join(" ---: " if c in right else " --- " for c in columns) + "|"
    return "\n".join([head, rule, *("| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows)])


def ref_markdown(ref_id: str) -> str:
    ref = reference(ref_id)
    line = ref["citation"]
    ids = []
    if ref.get("doi"):
        ids.append(f"[doi:{ref['doi']}](https://doi.org/{ref['doi']})")
    if ref.get("pmid"):
        ids.append(f"[PMID {ref['pmid']}](https://pubmed.ncbi.nlm.nih.gov/{ref['pmid']}/)")
    if ref.get("url") and not ids:
        ids.append(f"[link]({ref['url']})")
    if ids:
        line += " " + " · ".join(ids)
    if ref.get("kind") == "cobalt-default":
        line = ":orange-badge[no primary source] " + line
    out = f"- {line}"
    if ref.get("note"):
        out += f"\n\n  *{ref['note']}*"
    return out


def why(refs, key: str, label: str = "Why?", extra: str | None = None) -> None:
    """A small popover listing the sources behind a statement."""
    why_each([("", refs)], key=key, label=label, extra=extra)


def why_each(statements_refs, key: str, label: str = "Why?", extra: str | None = None) -> None:
    """One popover for a section: the sources of each statement in it, under the statement's name
    (``statements_refs``: (name, refs) pairs; a pair named "" lists its sources without a name).
    One popover, one markdown block: fewer elements for the browser to lay out than one per statement."""
    groups = [(name, list(dict.fromkeys(refs))) for name, refs in statements_refs]
    groups = [(name, refs) for name, refs in groups if refs]
    if not groups and not extra:
        return
    parts = [extra] if extra else []
    for name, refs in groups:
        lines = "\n".join(ref_markdown(r) for r in refs)
        parts.append(f"**{name}**\n\n{lines}" if name else lines)
    with st.popover(label, icon=":material/menu_book:", key=key):
        st.markdown("\n\n".join(parts))


def short(text: str, words: int = 8) -> str:
    """The first few words of a statement, to name it in a section's "Why?"."""
    cut = text.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def alert_box(alert: Alert, key: str, sources: bool = True) -> None:
    """One alert, coloured by severity, with its sources (``sources=False``: the section's own "Why?"
    lists them, through :func:`alert_sources`)."""
    box = {"critical": st.error, "warning": st.warning}.get(alert.severity, st.info)
    box(alert.message, icon=SEVERITY_ICON[alert.severity])
    if sources:
        # the message in the key: two alerts of one kind (a unit slip in two results) are two widgets
        why(alert.refs, key=f"why_{key}_{alert.id}_{hashlib.sha1(alert.message.encode()).hexdigest()[:8]}")


def alert_sources(alerts) -> list[tuple[str, tuple[str, ...]]]:
    """(name, refs) pairs for :func:`why_each`: each alert named by its first words."""
    return [(short(a.message), a.refs) for a in alerts]


def _baseline_line(case: Case, analyte: str, label: str, fmt: str = "{:g}", si: str | None = None) -> str | None:
    """The baseline value in the case's unit system (as its fields show it), and in ``si`` if that differs."""
    from logic.case.entry import convert_entry, display_unit, printed_unit

    obs = case.baseline().get(analyte)
    if obs is None:
        return None
    want = printed_unit(analyte, unit_system(), thresholds_id())
    numeric = obs.unit and not isinstance(obs.canonical, bool)
    if numeric and want and want != obs.unit:
        value = convert_entry(analyte, float(obs.value), obs.unit, want)
        text = f"**{label}** {obs.comparator or ''}{value:g} {display_unit(want)}"
    else:
        text = f"**{label}** {obs.display()}"
    shown = want if numeric and want else obs.unit
    if si and numeric and shown != si:
        text += f" ({obs.comparator or ''}{fmt.format(from_canonical(analyte, float(obs.canonical), si))} {si})"
    return text


def _set_thresholds() -> None:
    st.session_state[THRESHOLDS_KEY] = st.session_state[THRESHOLDS_KEY + "_widget"]


def teaching_title(example_id: str | None) -> str:
    """A neutral title for a teaching case ("Teaching case 4"): its number in the library, no diagnosis."""
    from logic.reference import example_cases

    ids = list(example_cases())
    return f"Teaching case {ids.index(example_id) + 1}" if example_id in ids else "Teaching case"


def case_title(case: Case | None = None) -> str:
    """The open case's title as every page shows it: neutral for a teaching case until it is revealed."""
    if verdicts_hidden():
        return teaching_title(state().source)
    case = case or current_case()
    return case.label or "Unnamed case"


def _open_picked() -> None:
    picked = st.session_state.get("app_pick")
    if picked:
        try:
            open_case(picked)
        except Exception:  # noqa: BLE001 - deleted meanwhile, or the database is down: say so
            st.session_state["app_pick_failed"] = True


def _duplicate_from_sidebar() -> None:
    save_as_new("Copy of")


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def saved_cases(search: str | None, stamp: int, subject: str, team: str | None) -> list[CaseSummary]:
    """The picker's list: ``list_cases`` for the user ``subject`` (and ``team``: part of the cache key,
    so one user's list is never served to another) cached on the search text and ``stamp``
    (``store_stamp()``, which every save in this process moves on); other processes' saves show
    within the ttl."""
    from store import Actor

    store = store_or_none()
    return [] if store is None else store.list_cases(search, limit=20, actor=Actor(subject, team))


def _case_picker() -> None:
    """Switch case: search saved cases by label, open one, start a new one or duplicate this one.

    The saved cases are listed only while the expander is open (it reruns the app when toggled).
    """
    store = store_or_none()
    box = st.expander("Switch case", icon=":material/swap_horiz:", key="app_switch", on_change="rerun")
    with box:
        if store is None:
            st.caption("The case database is not available.")
            return
        if not box.open:  # folded: nothing of the search is drawn (one widget less on every run of every page)
            _picker_buttons()
            return
        search = st.text_input("Find by label", key="app_search", placeholder="e.g. bed 12", max_chars=SEARCH_MAX)
        actor = current_actor()
        if actor is not None:
            found = saved_cases(search or None, store_stamp(), actor.subject, actor.team)
            labels = {c.id: f"{c.label or '(no label)'} · {c.updated_at:%d %b %H:%M}" for c in found}
            if labels:
                st.selectbox("Saved cases", list(labels), key="app_pick", format_func=labels.get)
                st.button("Open", key="app_open", on_click=_open_picked, icon=":material/folder_open:")
            else:
                st.caption("No saved case" + (" matches." if search else " yet."))
        _picker_buttons()


def _picker_buttons() -> None:
    c1, c2 = st.columns(2)
    c1.button("New", key="app_new", on_click=new_case, icon=":material/note_add:")
    c2.button(
        "Duplicate",
        key="app_duplicate",
        on_click=_duplicate_from_sidebar,
        icon=":material/content_copy:",
        help="A what-if copy of the open case",
    )


def sidebar() -> None:
    """Current case label, key baseline numbers and the threshold set, on every page."""
    case = current_case()
    with st.sidebar:
        _signed_in_as()
        st.markdown("#### Current case")
        hidden = verdicts_hidden()
        if hidden:
            st.markdown(f"*{case_title(case)} · label hidden until reveal*")
        else:
            st.markdown(esc(case.label) or "*Unnamed case*")
        lines = [
            _baseline_line(case, "b12", "B12", "{:.0f}", "pmol/L"),
            _baseline_line(case, "platelets", "Platelets"),
            _baseline_line(case, "hemoglobin", "Hb"),
            _baseline_line(case, "mcv", "MCV"),
            _baseline_line(case, "ldh", "LDH"),
        ]
        lines = [x for x in lines if x]
        if lines:
            st.markdown("  \n".join(lines))
            st.caption("Baseline: last value on or before the treatment start.")
        else:
            st.caption("No results yet. Enter them on the Case page or load an example.")
        if case.treatment_start:
            st.caption(f"Treatment started {case.treatment_start.isoformat()}")
        _save_line()
        _case_picker()
        # like the reference set: the mode lives in a plain session key, the toggle is seeded from it, so a
        # page switch (st.switch_page drops the state of widgets the new page has not drawn yet) cannot turn it off
        st.session_state[TEACHING_KEY + "_widget"] = teaching_mode()
        st.toggle(
            "Teaching mode",
            key=TEACHING_KEY + "_widget",
            on_change=_teaching_toggled,
            help="Hide the verdicts of teaching cases until you reveal them.",
        )
        ids = threshold_set_ids()
        # the choice lives in a plain session key so that it survives page switches
        st.session_state[THRESHOLDS_KEY + "_widget"] = st.session_state.get(THRESHOLDS_KEY, ids[0])
        st.selectbox(
            "Reference set",
            ids,
            key=THRESHOLDS_KEY + "_widget",
            format_func=lambda i: threshold_set(i).name,
            on_change=_set_thresholds,
            help="Which cut-offs are in use. A laboratory can add its own set in data/thresholds/.",
        )
        st.caption(DISCLAIMER)


def _signed_in_as() -> None:
    """'Signed in as …' and a sign-out button (nothing with sign-in off)."""
    who = shown_name()
    if who is None:
        return
    shown = who.replace("`", "'")  # as code: inert, and an e-mail address is not made a link
    st.caption(f":material/account_circle: Signed in as `{shown}`")
    if st.button("Sign out", key="app_sign_out", icon=":material/logout:"):
        st.logout()


def _save_line() -> None:
    """The save status; while edits wait to be saved (or the database is busy) it looks again every second,
    until the next full run after they are saved. It reruns the whole app only when a save is refused (a
    conflict): a rerun it asked for could land after a click on a link and take the user back to the page
    they left, so not for every save."""
    snap = save_status()
    if snap is not None and snap.busy:
        st.fragment(run_every=1.0)(_save_status)()
    else:  # nothing to wait for: drawn as part of the run (a fragment that never reruns costs its setup)
        _save_status()


def _save_status() -> None:
    from ui.address import write_address

    known = state().conflict
    snap = sync_saved()
    write_address()  # a new case has its id now: the address names it at once
    if snap is not None and snap.state == SaveState.CONFLICT and not known:
        st.rerun()  # once: the conflict and its choices show above the page (a rare event, unlike a save)
    if state().read_only:
        st.caption(":material/school: Teaching case (read-only)")
    elif snap is None:
        st.caption(":material/cloud_off: Not saved: the case database is not available")
    elif snap.state == SaveState.SAVED:
        st.caption(f":material/cloud_done: Saved · version {snap.version}")
    elif snap.state == SaveState.NEW:
        st.caption(":material/edit_note: Not saved yet: saved on the first change")
    elif snap.state == SaveState.CONFLICT:
        st.caption(":material/sync_problem: Not saved: changed in another session (see above)")
    elif snap.state == SaveState.FAILED:
        st.caption(f":material/cloud_off: Not saved: {esc(snap.message)}. Retrying; your edits stay on screen.")
    elif snap.message:
        st.caption(f":material/cloud_off: Not saved yet: {esc(snap.message)}")
    else:
        st.caption(":material/cloud_sync: Saving…")


_TABLES = ByIdentity(64)  # case -> its results table


def _results_arrow(case: Case):
    """The results table as an Arrow table, made once per case value (``current_case`` keeps one Case per
    document): a rerun that changes nothing builds no DataFrame and converts nothing again."""
    hit = _TABLES.get(case)
    if hit is not None:
        return hit
    import pyarrow as pa

    base = case.baseline()
    start = case.treatment_start
    rows = [
        {
            "Date": o.date,
            "Test": o.label,
            "Result": o.display(),
            "Course": "baseline"
            if base.get(o.analyte) is o
            else ("recovery" if start and o.date > start else "earlier"),
        }
        for o in sorted(case.observations, key=lambda o: (o.date, o.index))
    ]
    table = pa.Table.from_pylist(rows)
    _TABLES.put(case, table)
    return table


def results_table(case: Case) -> None:
    """Every result on file, with whether it is the baseline, an earlier value or the recovery course."""
    if not case.observations:
        st.caption("No results yet.")
        return
    table = _results_arrow(case)
    st.dataframe(table, hide_index=True, width="stretch", height=min(400, 38 + 35 * table.num_rows))


def uploaded_text(file, limit: int) -> tuple[str | None, str | None]:
    """An uploaded case file as text, or why it cannot be read (over ``limit`` bytes, not UTF-8)."""
    if file.size > limit:
        mb = limit // (1024 * 1024)
        return None, f"{file.name}: {file.size // 1024} KB is over the {mb} MB limit for a case file"
    try:
        return file.getvalue().decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, f"{file.name}: not UTF-8 text"


def focus_field(key: str | None) -> None:
    """Put the cursor in a field (after an error in it), once; nothing without a key."""
    if not key:
        return
    safe = re.sub(r"[^A-Za-z0-9_-]", "", key)
    st.html(
        "<script>setTimeout(() => { const el = document.querySelector("
        f"'.st-key-{safe} input, .st-key-{safe} textarea'); if (el) el.focus(); }}, 250);</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def page_failed(title: str, exc: BaseException) -> None:
    """The page edge: what went wrong in words and what to do next; the details go to the server log."""
    # the stack without the exception's message: a database error's message holds the statement and its
    # parameters (case labels among them), which must not reach the log
    log.error("page %s failed: %s\n%s", title, type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
    st.error(
        f"This page could not be shown ({type(exc).__name__}). Nothing you typed is lost: the case is kept "
        "and saved as before. Try another page and come back, or reload; if it happens again, tell the "
        "person who runs Cobalt what you were doing.",
        icon=":material/error:",
    )
    if os.environ.get("COBALT_PAGE_ERRORS") == "raise":  # the page tests (tests/conftest.py): a failure fails
        raise exc


def _teaching_toggled() -> None:
    st.session_state[TEACHING_KEY] = bool(st.session_state.get(TEACHING_KEY + "_widget"))
    reveal(False)


def status_banner(address_problem: str | None = None) -> None:
    """At the top of every page: read-only teaching case, save conflict, or a store that is down."""
    if address_problem:  # said once, on the run that read the address
        st.error(address_problem, icon=":material/link_off:")
    if st.session_state.pop("app_pick_failed", False):
        st.warning("That case could not be opened (deleted, or the database is not available).")
    now = state()
    if now.conflict:
        st.error(now.conflict, icon=":material/sync_problem:")
        c1, c2, _ = st.columns([1, 1, 3])
        if c1.button("Reload the saved case", key="app_conflict_reload"):
            try:
                reload_saved()
            except Exception:  # noqa: BLE001 - the database is down: the edits stay, say so
                st.warning("The saved case could not be loaded now; your edits stay on screen. Try again shortly.")
            else:
                st.rerun()
        if c2.button("Save mine as a new case", key="app_conflict_new"):
            save_as_new("Edited copy of")
            st.rerun()
    elif now.read_only:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.info("Teaching case: read-only. Copy it to your cases to edit it.", icon=":material/school:")
        if c2.button("Copy to my cases", key="app_copy_case", icon=":material/content_copy:"):
            save_as_new("Copy of", case_title() if verdicts_hidden() else None)  # no diagnosis in the copy's label
            st.rerun()
    store = get_store()
    if isinstance(store, str):
        st.warning(
            f"Cases are not being saved: the database could not be opened ({store}). What you type is kept "
            "in this browser session only.",
            icon=":material/cloud_off:",
        )


def teaching_gate(page: str) -> None:
    """In teaching mode, hold back the verdicts of a teaching case until the presenter reveals them."""
    if not verdicts_hidden():
        return
    st.info(
        "Teaching mode: the verdicts and the final diagnosis are hidden. Look at the Case page, discuss, then reveal.",
        icon=":material/visibility_off:",
    )
    if st.button("Reveal", key=f"teach_reveal_{page}", icon=":material/visibility:"):
        reveal()
        st.rerun()
    st.stop()
