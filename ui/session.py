"""The open case, and the few facts pages share, as one typed value under one session key.

Every valid change is saved as a new version: ``set_doc`` hands the document to the case's
background saver (ui/saver.py), which writes one version per burst of edits, never saves an
identical document twice, and retries a database that is busy or unreachable while the sidebar says
"not saved" and the edits stay on screen. A save that another session beat is refused by the store
(optimistic concurrency); the edits stay on screen with the message. Teaching cases open read-only
and are never saved unless copied to "my cases".

The open case lasts beyond the browser session: its opaque id is in the address (``?case=<id>``,
never a patient detail), so a reload, a new tab or a bookmark reopens it; a teaching case is named
there by an opaque token. The regimen chosen for the case and the unit system are in the case
document itself; a case that names no unit system shows the reference set's (a new case starts there, whatever
the case open before used).

Pages read and change the open case only through the functions here; a page never reads another
page's session keys. The sidebar (ui/sidebar.py) owns the ``app_`` widgets whose values are read
here: the reference set and the teaching-mode toggle.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import streamlit as st

from logic.case import Case, CaseError, Problem, parse_case
from logic.case.entry import CONVENTIONAL, SI, blank_case, system_of, threshold_unit_system
from logic.reference import DEFAULT_THRESHOLDS, example_cases
from ui.auth import current_actor
from ui.callbacks import forget_interrupted
from ui.database import note_store_change, store_or_none
from ui.open_case import ChosenPlan, OpenCase
from ui.saver import Saver, SaveSnapshot, SaveState

SESSION_KEY = "session_open_case"
SAVER_KEY = "session_saver"
THRESHOLDS_KEY = "app_thresholds"  # the sidebar's reference-set choice
TEACHING_KEY = "app_teaching"  # the sidebar's teaching-mode toggle
#: Seconds without another edit before a burst of edits is saved (0: at once, in the page tests).
QUIET_S = float(os.environ.get("COBALT_SAVE_QUIET_S", "1.5"))


ss = st.session_state


def state() -> OpenCase:
    """The open case (a blank one on a session's first call)."""
    now = ss.get(SESSION_KEY)  # one look-up: pages ask dozens of times per run
    if now is None:
        now = ss[SESSION_KEY] = OpenCase(doc=_blank())
    return now


def _put(**changes: Any) -> OpenCase:
    new = replace(state(), **changes)
    ss[SESSION_KEY] = new
    return new


def today() -> date:
    """Today where the user is (the browser's time zone when known, else the server's)."""
    tz = None
    try:
        from zoneinfo import ZoneInfo

        name = st.context.timezone
        tz = ZoneInfo(name) if name else None
    except Exception:  # noqa: BLE001 - an unknown zone name: the server's date
        tz = None
    return datetime.now(tz).date()


# -- saving ---------------------------------------------------------------------------


def _saver() -> Saver | None:
    """The background saver of the open case (made when the case was opened, or now)."""
    now = state()
    held = ss.get(SAVER_KEY)
    if held is not None and held[0] == now.opened:
        return held[1]
    store = store_or_none()
    if store is None or now.read_only:
        return None
    actor = current_actor()
    if actor is None:  # not signed in: nothing is saved (the store would refuse it)
        return None
    saver = Saver(store, now.id, now.version, now.doc, actor=actor, quiet_s=QUIET_S, on_saved=note_store_change)
    ss[SAVER_KEY] = (now.opened, saver)
    return saver


def save_status() -> SaveSnapshot | None:
    """Where saving the open case stands (None: a teaching case, or no database)."""
    saver = _saver()
    return None if saver is None else saver.snapshot()


def sync_saved() -> SaveSnapshot | None:
    """Bring the open case's id, version and conflict up to date with its saver; called on every run."""
    snap = save_status()
    if snap is None:
        return None
    now = state()
    conflict = snap.message if snap.state == SaveState.CONFLICT else None
    if (snap.case_id, snap.version, conflict or now.conflict) != (now.id, now.version, now.conflict):
        _put(id=snap.case_id, version=snap.version, conflict=conflict or now.conflict)
    return snap


def flush_saves(timeout: float = 5.0) -> SaveSnapshot | None:
    """Save the open case's pending edits now (before leaving it); their state afterwards."""
    saver = _saver()
    if saver is None:
        return None
    snap = saver.flush(timeout)
    sync_saved()
    return snap


# -- the open case --------------------------------------------------------------------


#: The key of a teaching case's ``about`` that lists the analytes whose results give its answer (an ADAMTS13
#: activity of <5 %): hidden on every page, like the case's label and verdicts, until the presenter reveals.
HIDDEN_UNTIL_REVEAL = "hidden_until_reveal"


def current_doc() -> dict[str, Any]:
    """The open case's document as pages see it: a teaching case in teaching mode, before the reveal, without
    the results marked as its answer (``about.hidden_until_reveal``)."""
    now = state()
    if not now.read_only or not now.hides_verdicts(teaching_mode()):
        return now.doc
    about = now.doc.get("about")
    hidden = set(about.get(HIDDEN_UNTIL_REVEAL) or ()) if isinstance(about, dict) else set()
    if not hidden:
        return now.doc
    shown = now.memo.get("shown", now.doc)
    if shown is None:  # made once per document, so the case parsed from it is found again by identity
        shown = {**now.doc, "observations": [o for o in now.doc.get("observations", [])
                                             if not (isinstance(o, dict) and o.get("analyte") in hidden)]}
        now.memo.put("shown", now.doc, shown)
    return shown


def current_case() -> Case:
    """The current case as a value (the stored document is always valid).

    Parsed once per document: a document held as the open case is never changed in place (every change
    replaces it), so the Case parsed from it is kept beside it, in the session's own state (``OpenCase.memo``),
    and found again by identity. A page asks for the case dozens of times per run. Nothing of it is kept in
    the process: it goes with the session."""
    now = state()
    doc = current_doc()
    hit = now.memo.get("case", doc)
    if hit is not None:
        return hit
    try:
        case = parse_case(doc)
    except (CaseError, ValueError):  # cannot happen for documents set through set_doc; recover, never crash
        _put(doc=_blank())
        return parse_case(_blank())
    now.memo.put("case", doc, case)
    return case


def is_read_only() -> bool:
    return state().read_only


def _storable(doc: dict[str, Any]) -> None:
    """Refuse what JSON cannot store (NaN, infinities, lone surrogates): refused here, not at the save."""
    try:
        json.dumps(doc, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise CaseError([Problem("document", "holds a broken character (a lone surrogate); retype the text",
                                 "document")]) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise CaseError([Problem("document", f"cannot be stored: {str(exc)[:120]}", "document")]) from None


def set_doc(doc: dict[str, Any]) -> Case:
    """Validate and make ``doc`` the current case, then save it; raises CaseError and changes nothing
    if invalid (a date after today included). An identical document changes and saves nothing. A
    refused save keeps the edits and records the message as the conflict."""
    _storable(doc)
    case = parse_case(doc, today=today())
    if is_read_only():  # pages disable editing of read-only cases; this is the safety net
        raise CaseError([Problem("case", "this teaching case is read-only: copy it to your cases to edit it")])
    if doc == current_doc():
        return case
    _put(doc=copy.deepcopy(doc), revision=state().revision + 1)
    _submit()
    return case


#: Seconds the first save of a new case may take before the page goes on (it is then saved in the background).
FIRST_SAVE_S = 2.0


def _submit() -> None:
    """Hand the document to the saver. A new case is saved at once, before the page goes on, so the id is in
    the address from its first edit: a reload 0.5 s after typing a label reopened "New case" (issue 21); the
    edits after it are saved in bursts as before."""
    saver = _saver()
    if saver is not None and not state().conflict:
        saver.submit(state().doc)
        if state().id is None and saver.case_id is None:
            saver.flush(FIRST_SAVE_S)  # a database that does not answer in time: saved later, the page says so
        sync_saved()


def _load(
    doc: dict[str, Any],
    case_id: str | None = None,
    version: int | None = None,
    read_only: bool = False,
    source: str | None = None,
) -> None:
    """Open ``doc``: what belonged to the previous case (conflict, pending entries, reveal, a session
    plan) is dropped. The previous case's saver finishes its pending save in the background."""
    now = state()
    forget_interrupted()  # an edit of the case left behind is never applied to the one opened
    ss[SESSION_KEY] = OpenCase(
        doc=copy.deepcopy(doc),
        id=case_id,
        version=version,
        read_only=read_only,
        source=source,
        revision=now.revision + 1,
        opened=now.opened + 1,
    )


def load_example(example_id: str) -> None:
    """Open a teaching case read-only (never saved; "copy to my cases" makes an editable copy)."""
    _load(example_cases()[example_id], read_only=True, source=example_id)


def open_case(case_id: str) -> None:
    """Open a saved case (its pending edits saved first when it is the open one; a view in its audit
    trail); NotFoundError if it is not this user's to open."""
    if state().id == case_id:
        flush_saves()
    rec = store_or_none().load(case_id, actor=current_actor())
    _load(rec.document, rec.id, rec.version)


def new_case() -> None:
    """A blank case in the reference set's units; it is saved (and gets an id) on its first change."""
    _load(_blank())


def _blank() -> dict[str, Any]:
    return blank_case()


def save_as_new(label_prefix: str = "Copy of", label: str | None = None) -> None:
    """The open document (edits included) as a new editable case in the store (``label``: instead of its own);
    whole: results a teaching case hides until the reveal included (the copy is the user's own case)."""
    doc = copy.deepcopy(state().doc)
    doc["label"] = f"{label_prefix} {label or doc.get('label') or 'case'}"[:120]
    open_document(doc)


def open_document(doc: dict[str, Any]) -> None:
    """Open a (valid) document as a new editable case and save it."""
    _storable(doc)
    parse_case(doc)
    _load(doc)
    _submit()


def reload_saved() -> None:
    """Discard the local edits after a conflict and load the saved version."""
    if state().id:
        rec = store_or_none().load(state().id, actor=current_actor())
        _load(rec.document, rec.id, rec.version)


def pending_errors() -> dict[str, str]:
    """The Case page's entries that are not applied until corrected (field -> message); a copy."""
    return dict(state().errors)


def set_pending_errors(errors: dict[str, str]) -> None:
    if errors != state().errors:
        _put(errors=dict(errors))


# -- shared facts ---------------------------------------------------------------------


def thresholds_id() -> str:
    return ss.get(THRESHOLDS_KEY, DEFAULT_THRESHOLDS)


def unit_system() -> str:
    """The case's unit system: its own ``unit_system`` (a read-only teaching case: the one chosen for it in this
    session), else the reference set's. Never the previous case's: each case has its own."""
    now = state()
    own = now.doc.get("unit_system") if not now.read_only or now.units is None else now.units
    if own in (SI, CONVENTIONAL):
        return own
    return threshold_unit_system(thresholds_id())


def set_unit_system(system: str) -> None:
    """The unit system of the open case: saved with it (a read-only teaching case keeps it for this session)."""
    system = system_of(system)
    if is_read_only():
        _put(units=system)
        return
    doc = copy.deepcopy(current_doc())
    doc["unit_system"] = system
    set_doc(doc)


def teaching_mode() -> bool:
    return bool(ss.get(TEACHING_KEY))


def verdicts_hidden(teaching_case: str | None = None) -> bool:
    """Whether teaching mode hides the verdicts of the open case (or of the named teaching case)."""
    return state().hides_verdicts(teaching_mode(), teaching_case)


def reveal(revealed: bool = True) -> None:
    """Show the open teaching case's verdicts (``False``: hide them again)."""
    _put(revealed=revealed)


def chosen_plan() -> ChosenPlan | None:
    """The regimen chosen for the case (kept in the case document), if any."""
    return state().plan


def set_chosen_plan(preset: str, knobs: dict[str, int], start: date | None = None) -> None:
    """Choose the case's regimen: saved in the case document (``regimen``), so Regimen and Recovery
    follow it in every session; a read-only teaching case keeps it for this session."""
    plan = ChosenPlan(preset, dict(knobs), start)
    if state().plan == plan:
        return
    if is_read_only():
        _put(session_plan=plan)
        return
    doc = copy.deepcopy(current_doc())
    doc["regimen"] = {"preset": preset, "knobs": dict(sorted(knobs.items()))}
    if start is not None:
        doc["regimen"]["start"] = start.isoformat()
    set_doc(doc)
