"""The current case in ``st.session_state``, cached parsing of it, and saving it to the store.

Every valid change is saved at once as a new version (autosave). A save that another session
beat is refused by the store (optimistic concurrency); the edits stay on screen with the message.
Teaching cases open read-only and are never saved unless copied to "my cases".
"""

from __future__ import annotations

import copy
import json
from typing import Any

import streamlit as st

from logic.case import Case, CaseError, Problem, parse_case
from logic.entry import blank_case
from logic.reference import DEFAULT_THRESHOLDS, example_cases

CASE_KEY = "case_doc"
THRESHOLDS_KEY = "app_thresholds"
ss = st.session_state


@st.cache_resource(show_spinner=False)
def get_store():
    """One store per process (thread-safe); None, with the reason, if the database cannot be opened."""
    from store import Store

    try:
        return Store.open()
    except Exception as exc:  # noqa: BLE001 - shown to the user; the app still works in memory
        return f"{type(exc).__name__}: {exc}"


def store_or_none():
    s = get_store()
    return None if isinstance(s, str) else s


def current_doc() -> dict[str, Any]:
    if CASE_KEY not in ss:
        ss[CASE_KEY] = blank_case()
    return ss[CASE_KEY]


@st.cache_data(max_entries=64, show_spinner=False)
def _parse(doc_json: str) -> Case:
    return parse_case(json.loads(doc_json))


def current_case() -> Case:
    """The current case as a value (the stored document is always valid)."""
    try:
        return _parse(json.dumps(current_doc(), sort_keys=True))
    except CaseError:  # cannot happen for documents set through set_doc; recover rather than crash
        ss[CASE_KEY] = blank_case()
        return parse_case(blank_case())


def is_read_only() -> bool:
    return bool(ss.get("case_read_only"))


def _bump() -> None:
    ss["case_rev"] = ss.get("case_rev", 0) + 1


def set_doc(doc: dict[str, Any]) -> Case:
    """Validate and make ``doc`` the current case, then save it; raises CaseError and changes nothing
    if invalid. A refused save keeps the edits and records the message in ``case_conflict``."""
    case = parse_case(doc)
    if is_read_only():  # pages disable editing of read-only cases; this is the safety net
        raise CaseError([Problem("case", "this teaching case is read-only: copy it to your cases to edit it")])
    ss[CASE_KEY] = copy.deepcopy(doc)
    _bump()
    _autosave()
    return case


def _autosave() -> None:
    from store import ConflictError

    store = store_or_none()
    if store is None or ss.get("case_conflict"):
        return
    try:
        if ss.get("case_id"):
            rec = store.save(ss["case_id"], ss[CASE_KEY], expected_version=ss["case_version"])
        else:
            rec = store.create_case(ss[CASE_KEY])
            ss["case_id"] = rec.id
        ss["case_version"] = rec.version
    except ConflictError as exc:
        ss["case_conflict"] = str(exc)


def _load(
    doc: dict[str, Any],
    case_id: str | None = None,
    version: int | None = None,
    read_only: bool = False,
    source: str | None = None,
) -> None:
    ss[CASE_KEY] = copy.deepcopy(doc)
    ss["case_id"], ss["case_version"] = case_id, version
    ss["case_read_only"], ss["case_source"] = read_only, source
    ss["case_conflict"] = None
    ss["teach_revealed"] = False
    _bump()


def load_example(example_id: str) -> None:
    """Open a teaching case read-only (never saved; "copy to my cases" makes an editable copy)."""
    _load(example_cases()[example_id], read_only=True, source=example_id)


def open_case(case_id: str) -> None:
    rec = store_or_none().load(case_id)
    _load(rec.document, rec.id, rec.version)


def new_case() -> None:
    """A blank case; it is saved (and gets an id) on its first change."""
    _load(blank_case())


def save_as_new(label_prefix: str = "Copy of") -> None:
    """The open document (edits included) as a new editable case in the store."""
    doc = copy.deepcopy(current_doc())
    doc["label"] = f"{label_prefix} {doc.get('label') or 'case'}"[:120]
    open_document(doc)


def open_document(doc: dict[str, Any]) -> None:
    """Open a (valid) document as a new editable case and save it."""
    parse_case(doc)
    _load(doc)
    _autosave()


def reload_saved() -> None:
    """Discard the local edits after a conflict and load the saved version."""
    if ss.get("case_id"):
        open_case(ss["case_id"])


def thresholds_id() -> str:
    return ss.get(THRESHOLDS_KEY, DEFAULT_THRESHOLDS)
