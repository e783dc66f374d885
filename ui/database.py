"""The case database of this process: one store (thread-safe), or why it cannot be opened; and a stamp of
this process's writes that cached case lists are keyed on."""

from __future__ import annotations

import threading

import streamlit as st


@st.cache_resource(show_spinner=False)
def get_store():
    """One store per process (thread-safe); None, with the reason, if the database cannot be opened."""
    from store import Store

    try:
        return Store.open()
    except Exception as exc:  # noqa: BLE001 - shown to the user; the app still works in memory
        from ui.saver import reason

        return reason(exc)


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
