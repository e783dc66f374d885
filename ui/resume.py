"""After an app process stops: the browser comes back on another process, says that its last edit may
not have been saved, and shows what the database holds.

Edits are saved in the background about 1.5 s after a burst of typing ends (ui/saver.py); a process
that is killed in that moment takes the unsaved edit with it. The browser then reconnects (nginx sends
it to another process) and asks to resume its session by id; a process that never held that session
makes a new one, opens the case from the address, and, without this module, would show "Saved ·
version N" as if nothing had happened.

On a session's first run, :func:`resumed_elsewhere` reads the id the browser asked to resume (the third
entry of the websocket's ``Sec-WebSocket-Protocol`` header, as Streamlit's client sends it). If this
process never made a session with that id, the browser's earlier session lived in a process that has
gone, and :func:`resume_notice` says so above the page, with the version the database holds, when it
was saved and by whom, until the user dismisses it. A reload or a reconnect to the same process is
not affected (Streamlit resumes the session, or the id is one this process made).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

NOTICE_KEY = "resume_notice"  # the notice's text for this session, until dismissed
_SEEN_MAX = 50_000
_seen: OrderedDict[str, None] = OrderedDict()  # session ids this process has made (bounded, oldest dropped)
_lock = threading.Lock()


def _remember(session_id: str) -> None:
    with _lock:
        _seen[session_id] = None
        _seen.move_to_end(session_id)
        while len(_seen) > _SEEN_MAX:
            _seen.popitem(last=False)


def _made_here(session_id: str) -> bool:
    with _lock:
        return session_id in _seen


def asked_to_resume(protocol_header: str | None) -> str | None:
    """The session id a reconnecting browser asks for: the third entry of ``Sec-WebSocket-Protocol``."""
    entries = [e.strip() for e in (protocol_header or "").split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


def resumed_elsewhere() -> bool:
    """Whether this session replaces one that lived in another (now gone) process; remembers this one."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    first = not _made_here(ctx.session_id)
    _remember(ctx.session_id)
    if not first:
        return False
    headers = st.context.headers if hasattr(st.context, "headers") else {}
    asked = asked_to_resume(headers.get("sec-websocket-protocol"))
    return asked is not None and asked != ctx.session_id and not _made_here(asked)


def _what_is_saved() -> str:
    from ui.auth import current_actor
    from ui.database import store_or_none
    from ui.session import is_read_only, state

    now, store = state(), store_or_none()
    if now.id is None or is_read_only() or store is None:
        return ("No saved case is open here: if you were entering a new case, look for it in the Case library "
                "(Switch case in the sidebar); what is not there was not saved.")
    try:
        last = store.versions(now.id, actor=current_actor())[-1]
    except Exception:  # noqa: BLE001 - the notice stands without the details
        return f"Shown below is the case as the database holds it: version {now.version}."
    who = last.saved_by_name or last.saved_by
    return (f"Shown below is the case as the database holds it: version {last.version}, saved "
            f"{last.saved_at:%d %b %Y %H:%M} UTC by {who}.")


def resume_notice() -> None:
    """Above every page of a session that replaced one on a stopped process: what may be lost, what is saved."""
    ss = st.session_state
    if resumed_elsewhere():
        ss[NOTICE_KEY] = (
            "The server process this browser was using stopped, and the browser is now connected to another one. "
            "The last edit you made before that may not have been saved. " + _what_is_saved()
            + " Check your last change and enter it again if it is missing."
        )
    text = ss.get(NOTICE_KEY)
    if not text:
        return
    c1, c2 = st.columns([6, 1], vertical_alignment="center")
    c1.warning(text, icon=":material/sync_problem:")
    if c2.button("Dismiss", key="resume_dismiss"):
        ss.pop(NOTICE_KEY, None)
        st.rerun()
