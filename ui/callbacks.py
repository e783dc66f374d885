"""Widget callbacks that a new request cut short are run again, so an edit that reached the server is applied.

A request that arrives while a run is under way cuts that run short at its next step, and a widget callback
still running then (callbacks run at the start of a run) is stopped at its next session-state access. The
widget's new value is already recorded as seen, so Streamlit (1.67) never calls the callback again for it,
nor the callbacks of the other widgets changed in the same request: the value stays on screen and is
missing from the case. The new-user review lost an LDH this way (typed, Tab, the next field at once, on a
busy machine: one run in three; 1 run in 90 here on an idle one); with document changes made 0.3 s slower
every value typed in that sequence was lost. With ``runner.fastReruns`` (Streamlit's default) the request
also started a second runner beside the first, whose widget updates raced the first one's and could lose an
edit without calling its callback at all; .streamlit/config.toml turns it off (one runner per session).

``kept`` wraps a callback. When a request cuts it short, the wrapper remembers it, with every other kept
callback whose widget changed in the same request, per browser session and outside the session state
(which can no longer be read then); ``run_interrupted`` (app.py, at the top of every full run, before any
page) runs them again, oldest first, each until it completes. A kept callback reads its widget's value
when it runs, so a late run applies what the field shows now, and running one twice changes nothing (an
identical document is not saved again). Opening another case forgets them (``forget_interrupted``): an
edit of the case left behind is never applied to the one opened. A session's entry goes with the session: it
holds a weak reference to an object Streamlit keeps one of per browser session (its fragment storage), and is
dropped when that object is, so a session that closes with an edit still waiting leaves nothing here.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any

from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

_MAX_SESSIONS = 1000  # sessions with a callback to run again; the oldest are dropped beyond this
_Call = tuple[str, Callable[..., Any], tuple[Any, ...], tuple[tuple[str, Any], ...]]
_PENDING: dict[str, dict[tuple[Any, ...], _Call]] = {}  # session id -> (name, args) -> the call, oldest first
_OWNERS: dict[str, weakref.ref] = {}  # session id -> its session's fragment storage, weakly: the entry's lifetime
_LOCK = threading.RLock()  # re-entrant: a weak reference's callback may run in a collection inside a locked block


def _session_id() -> str | None:
    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def _call_of(fn: Callable[..., Any], args: tuple[Any, ...] | list[Any] | None, kwargs: dict[str, Any] | None) -> _Call:
    inner = getattr(fn, "__wrapped__", fn)
    return (inner.__qualname__, inner, tuple(args or ()), tuple(sorted((kwargs or {}).items())))


def _changed_in_this_request() -> list[_Call]:
    """Every kept callback whose widget changed in the request being applied (Streamlit's own test for
    calling a callback), read from the raw session state: the safe wrapper would stop us again. Empty if
    this Streamlit keeps it elsewhere (then only the callback cut short is run again)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    try:
        raw = ctx.session_state._state  # type: ignore[union-attr]
        widgets = raw._new_widget_state
        calls = []
        for wid in list(widgets):
            meta = widgets.widget_metadata.get(wid)
            if meta is not None and getattr(meta.callback, "__kept__", False) and raw._widget_changed(wid):
                calls.append(_call_of(meta.callback, meta.callback_args, meta.callback_kwargs))
        return calls
    except Exception:  # noqa: BLE001 - private API: another Streamlit version; the callback itself is still kept
        return []


def _remember(calls: list[_Call]) -> None:
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return
    sid = ctx.session_id
    with _LOCK:
        pending = _PENDING.pop(sid, {})  # re-inserted: the most recent session last
        for call in calls:
            pending.setdefault((call[0], call[2], call[3]), call)
        _PENDING[sid] = pending
        owner = getattr(ctx, "fragment_storage", None)  # one per browser session (Streamlit 1.67), gone with it
        if sid not in _OWNERS and owner is not None:
            try:
                _OWNERS[sid] = weakref.ref(owner, lambda _ref, sid=sid: _forget(sid))
            except TypeError:  # another Streamlit's storage without weak references: the cap below still holds
                pass
        while len(_PENDING) > _MAX_SESSIONS:
            _forget(next(iter(_PENDING)))


def _forget(sid: str) -> None:
    with _LOCK:
        _PENDING.pop(sid, None)
        _OWNERS.pop(sid, None)


def kept(fn: Callable[..., None]) -> Callable[..., None]:
    """``fn`` as a widget callback that is run again on the next run if a new request cuts it short."""

    @functools.wraps(fn)
    def callback(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except ScriptControlException:  # stopped (a new request) or a rerun requested at a yield point
            _remember([_call_of(fn, args, kwargs), *_changed_in_this_request()])
            raise

    callback.__kept__ = True  # type: ignore[attr-defined]
    return callback


def interrupted() -> list[str]:
    """The names of this session's callbacks waiting to be run again (for tests and diagnostics)."""
    sid = _session_id()
    with _LOCK:
        return [call[0] for call in _PENDING.get(sid, {}).values()]


def run_interrupted() -> int:
    """Run again this session's callbacks that a request cut short, oldest first; how many completed.

    One cut short again stays for the next run (the exception goes on, as Streamlit expects); one that
    fails is dropped and its error raised (it would fail the same way on every run)."""
    sid = _session_id()
    if sid is None:
        return 0
    with _LOCK:
        calls = list(_PENDING.get(sid, {}).items())
    done = 0
    for ident, (_name, fn, args, kwargs) in calls:
        try:
            fn(*args, **dict(kwargs))
        except ScriptControlException:
            raise
        except Exception:
            _drop(sid, ident)
            raise
        _drop(sid, ident)
        done += 1
    return done


def _drop(sid: str, ident: tuple[Any, ...]) -> None:
    with _LOCK:
        pending = _PENDING.get(sid)
        if pending is not None:
            pending.pop(ident, None)
            if not pending:
                _forget(sid)


def forget_interrupted() -> None:
    """Forget this session's callbacks waiting to be run again (another case is being opened)."""
    sid = _session_id()
    if sid is not None:
        _forget(sid)
