"""The open case, and the few facts pages share, as one typed value under one session key.

Every valid change is saved at once as a new version (autosave). A save that another session
beat is refused by the store (optimistic concurrency); the edits stay on screen with the message.
Teaching cases open read-only and are never saved unless copied to "my cases".

Pages read and change the open case only through the functions here; a page never reads another
page's session keys. The sidebar (ui/common.py) owns the ``app_`` widgets whose values are read
here: the reference set and the teaching-mode toggle.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import streamlit as st

from logic.case import Case, CaseError, Problem, parse_case
from logic.entry import blank_case
from logic.reference import DEFAULT_THRESHOLDS, example_cases
from ui.auth import current_actor

SESSION_KEY = "session_open_case"
THRESHOLDS_KEY = "app_thresholds"  # the sidebar's reference-set choice
TEACHING_KEY = "app_teaching"  # the sidebar's teaching-mode toggle
CASE_ID = re.compile(r"[0-9a-f]{32}")  # the store's case ids (random, never a patient identifier)


class SaveStatus(StrEnum):
    TEACHING = "teaching"  # a read-only teaching case: never saved
    SAVED = "saved"
    UNSAVED = "unsaved"  # saved, and given an id, on its first change


@dataclass(frozen=True)
class ChosenPlan:
    """The regimen the Regimen page shows (a preset and its knob values); the Recovery page follows it."""

    preset: str
    knobs: dict[str, int]


@dataclass(frozen=True)
class OpenCase:
    """The case open in this browser session and what pages share about it.

    ``doc`` is always a valid case document. ``errors`` are the Case page's entries that did not
    validate (field -> message), shown as pending on other pages. ``revision`` changes on every
    change of the document, ``opened`` each time another case is opened.
    """

    doc: dict[str, Any] = field(default_factory=blank_case)
    id: str | None = None
    version: int | None = None
    read_only: bool = False
    source: str | None = None  # the teaching case it was opened from
    conflict: str | None = None  # why the last save was refused; nothing is saved until resolved
    errors: dict[str, str] = field(default_factory=dict)
    revision: int = 0
    opened: int = 0
    revealed: bool = False  # teaching mode: the presenter has revealed this teaching case's verdicts
    plan: ChosenPlan | None = None

    @property
    def status(self) -> SaveStatus:
        if self.read_only:
            return SaveStatus.TEACHING
        return SaveStatus.SAVED if self.id else SaveStatus.UNSAVED

    def hides_verdicts(self, teaching_mode: bool, teaching_case: str | None = None) -> bool:
        """The teaching-mode rule: with teaching mode on, a teaching case's verdicts (final diagnosis,
        teaching point, label) stay hidden until the presenter reveals them.

        About the open case by default: hidden when it is a read-only teaching case not yet revealed.
        About a named teaching case (a listing of teaching cases): hidden unless it is the open one and
        revealed.
        """
        if not teaching_mode:
            return False
        open_teaching = self.read_only and self.source is not None
        if teaching_case is None:
            return open_teaching and not self.revealed
        return not (open_teaching and self.source == teaching_case and self.revealed)


ss = st.session_state


def state() -> OpenCase:
    """The open case (a blank one on a session's first call)."""
    if SESSION_KEY not in ss:
        ss[SESSION_KEY] = OpenCase()
    return ss[SESSION_KEY]


def _put(**changes: Any) -> OpenCase:
    new = replace(state(), **changes)
    ss[SESSION_KEY] = new
    return new


# -- the store ------------------------------------------------------------------------


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


class _Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.value += 1


@st.cache_resource(show_spinner=False)
def _store_changes() -> _Counter:
    return _Counter()


def note_store_change() -> None:
    """Record that this process wrote to the store (cached case lists keyed on ``store_stamp`` go stale)."""
    _store_changes().bump()


def store_stamp() -> int:
    """How many writes this process has made to the store; part of the key of cached case lists."""
    return _store_changes().value


# -- the open case --------------------------------------------------------------------


def current_doc() -> dict[str, Any]:
    return state().doc


@st.cache_data(max_entries=64, show_spinner=False)
def _parse(doc_json: str) -> Case:
    return parse_case(json.loads(doc_json))


def current_case() -> Case:
    """The current case as a value (the stored document is always valid)."""
    try:
        return _parse(json.dumps(current_doc(), sort_keys=True))
    except CaseError:  # cannot happen for documents set through set_doc; recover rather than crash
        _put(doc=blank_case())
        return parse_case(blank_case())


def is_read_only() -> bool:
    return state().read_only


def set_doc(doc: dict[str, Any]) -> Case:
    """Validate and make ``doc`` the current case, then save it; raises CaseError and changes nothing
    if invalid. A refused save keeps the edits and records the message as the conflict."""
    case = parse_case(doc)
    if is_read_only():  # pages disable editing of read-only cases; this is the safety net
        raise CaseError([Problem("case", "this teaching case is read-only: copy it to your cases to edit it")])
    _put(doc=copy.deepcopy(doc), revision=state().revision + 1)
    _autosave()
    return case


def _autosave() -> None:
    from store import ConflictError

    store = store_or_none()
    now = state()
    if store is None or now.conflict:
        return
    try:
        if now.id:
            rec = store.save(now.id, now.doc, expected_version=now.version, actor=current_actor())
        else:
            rec = store.create_case(now.doc, actor=current_actor())
        _put(id=rec.id, version=rec.version)
        note_store_change()
    except ConflictError as exc:
        _put(conflict=str(exc))


def _load(
    doc: dict[str, Any],
    case_id: str | None = None,
    version: int | None = None,
    read_only: bool = False,
    source: str | None = None,
) -> None:
    """Open ``doc``: what belonged to the previous case (conflict, pending entries, reveal) is dropped;
    the chosen plan stays (the Regimen page sets it again for this case)."""
    now = state()
    ss[SESSION_KEY] = OpenCase(
        doc=copy.deepcopy(doc),
        id=case_id,
        version=version,
        read_only=read_only,
        source=source,
        revision=now.revision + 1,
        opened=now.opened + 1,
        plan=now.plan,
    )


def load_example(example_id: str) -> None:
    """Open a teaching case read-only (never saved; "copy to my cases" makes an editable copy)."""
    _load(example_cases()[example_id], read_only=True, source=example_id)


def open_case(case_id: str) -> None:
    """Open a saved case (a view in its audit trail); NotFoundError if it is not this user's to open."""
    rec = store_or_none().load(case_id, actor=current_actor())
    _load(rec.document, rec.id, rec.version)


def open_by_address(case_id: str) -> bool:
    """Open the case named in the address (``?case=ID``); False, with nothing opened, if there is no
    such case among those this user may open (the store refuses another user's case)."""
    from store import NotFoundError

    if store_or_none() is None or not CASE_ID.fullmatch(case_id or ""):
        return False
    if state().id == case_id:
        return True
    try:
        open_case(case_id)
    except NotFoundError:
        return False
    return True


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
    if state().id:
        open_case(state().id)


def pending_errors() -> dict[str, str]:
    """The Case page's entries that are not applied until corrected (field -> message); a copy."""
    return dict(state().errors)


def set_pending_errors(errors: dict[str, str]) -> None:
    _put(errors=dict(errors))


# -- shared facts ---------------------------------------------------------------------


def thresholds_id() -> str:
    return ss.get(THRESHOLDS_KEY, DEFAULT_THRESHOLDS)


def teaching_mode() -> bool:
    return bool(ss.get(TEACHING_KEY))


def verdicts_hidden(teaching_case: str | None = None) -> bool:
    """Whether teaching mode hides the verdicts of the open case (or of the named teaching case)."""
    return state().hides_verdicts(teaching_mode(), teaching_case)


def reveal(revealed: bool = True) -> None:
    """Show the open teaching case's verdicts (``False``: hide them again)."""
    _put(revealed=revealed)


def chosen_plan() -> ChosenPlan | None:
    """The plan last shown on the Regimen page this session, if any."""
    return state().plan


def set_chosen_plan(preset: str, knobs: dict[str, int]) -> None:
    plan = ChosenPlan(preset, dict(knobs))
    if state().plan != plan:
        _put(plan=plan)
