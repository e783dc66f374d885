"""The version list of a case with what changed in each version (logic/case/changes.py), for the library; and
the library's reads of the store, cached so that a rerun that changes nothing asks the database nothing.

The cached functions live here, not in the page script: a decorator in a page is applied again on every
run of the page (Streamlit hashes the function's source each time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from logic.case.changes import Change, changes
from ui.database import store_or_none, store_stamp

#: The newest versions listed with their changes (each needs its document read).
MAX_LISTED = 60


@dataclass(frozen=True)
class VersionRow:
    info: Any  # store.VersionInfo
    changes: tuple[Change, ...]


def version_rows(store: Any, case_id: str, actor: Any, limit: int = MAX_LISTED) -> list[VersionRow]:
    """The newest ``limit`` versions of a case, newest first, each with its changes from the one before."""
    found = store.recent_versions(case_id, limit + 1, actor=actor)  # one more: the first listed one's "before"
    shown = found[-limit:]
    previous: dict[str, Any] | None = found[0].document if len(found) > limit else None
    rows = []
    for version in shown:
        rows.append(VersionRow(version, changes(previous, version.document)))
        previous = version.document
    return list(reversed(rows))


def library_cases(search: str | None, include_deleted: bool, actor: Any) -> list[Any]:
    """The library's list of the user's cases (``store.list_cases``), cached on the search and ``store_stamp()``
    (every write of this process moves it); other processes' saves show within 30 s, as in the sidebar's picker."""
    store = store_or_none()
    if store is None or actor is None:
        return []
    return _listed(search, include_deleted, store_stamp(), actor.subject, actor.team, id(store))


def open_case_versions(case_id: str, version: int | None, actor: Any) -> list[VersionRow]:
    """:func:`version_rows` of the open case at ``version``: the versions up to a number never change (a save,
    here or in another process, makes a new number), so a rerun at the same version reads nothing again."""
    store = store_or_none()
    if store is None or actor is None:
        return []
    return _versions(case_id, version, actor.subject, actor.team, id(store))


@st.cache_data(ttl=30, max_entries=8, show_spinner=False, scope="session")  # goes with the session
def _listed(search: str | None, deleted: bool, stamp: int, subject: str, team: str | None, store_key: int) -> list[Any]:
    from store import Actor

    return store_or_none().list_cases(search, include_deleted=deleted, limit=200, actor=Actor(subject, team))


@st.cache_data(max_entries=4, show_spinner=False, scope="session")  # goes with the session
def _versions(case_id: str, version: int | None, subject: str, team: str | None, store_key: int) -> list[VersionRow]:
    from store import Actor

    return version_rows(store_or_none(), case_id, Actor(subject, team))
