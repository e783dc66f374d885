"""The open case in the address: its opaque id (``?case=<id>``, never a patient detail), so a reload, a
new tab or a bookmark reopens it; a teaching case by an opaque token (its id would give the diagnosis away).
Part of the session layer (ui/session.py).
"""

from __future__ import annotations

import hashlib
import re

import streamlit as st

from logic.reference import example_cases
from store import NotFoundError
from ui.auth import current_actor
from ui.database import store_or_none
from ui.saver import flush_case
from ui.session import _load, load_example, ss, state

ADDRESS_KEY = "session_address_read"
_CASE_ID = re.compile(r"^[0-9a-f]{32}$")  # the store's case ids (random, never a patient identifier)
REFUSED = (
    "No case at that address among the cases you can open. It may belong to another clinician, or the "
    "address is wrong; a new case is open instead."
)


def teaching_token(example_id: str) -> str:
    """An opaque name for a teaching case in the address (its id would give the diagnosis away)."""
    return hashlib.sha256(f"cobalt-teaching:{example_id}".encode()).hexdigest()[:16]


def address_params() -> dict[str, str]:
    """The query parameters that name the open case (merge them into any the page sets)."""
    now = state()
    if now.id:
        return {"case": now.id}
    if now.read_only and now.source:
        return {"teaching": teaching_token(now.source)}
    return {}


def open_from_address() -> str | None:
    """On a session's first run: open the case the address names (a reload, a new tab, a bookmark).
    Returns a message when the address names a case that cannot be opened (never a traceback)."""
    if ss.get(ADDRESS_KEY):
        return None
    ss[ADDRESS_KEY] = True
    case_id = st.query_params.get("case")
    token = st.query_params.get("teaching")
    if case_id and state().id != case_id:
        if not _CASE_ID.match(case_id):
            return REFUSED
        store = store_or_none()
        flush_case(case_id)  # a reload right after an edit: the earlier session's last edits are saved first
        try:
            if store is None:
                raise LookupError
            rec = store.load(case_id, actor=current_actor())
        except NotFoundError:  # not there, or not this user's: the same words (whether it exists is not told)
            return REFUSED
        except Exception:  # noqa: BLE001 - the database is down: a message, never a traceback
            return "The case in the address could not be opened now: the case database is not available."
        if rec.deleted:
            return "The case in the address was deleted; restore it from the Case library (Show deleted)."
        _load(rec.document, rec.id, rec.version)
    elif token and not case_id:
        found = next((k for k in example_cases() if teaching_token(k) == token), None)
        if found is None:
            return "The address names a teaching case that is not in this library."
        load_example(found)
    return None


def write_address() -> None:
    """Keep the open case's id in the address (set, changed or removed), leaving other parameters."""
    want = address_params()
    for key in ("case", "teaching"):
        have = st.query_params.get(key)
        if want.get(key) != have:
            if key in want:
                st.query_params[key] = want[key]
            elif have is not None:
                del st.query_params[key]
