"""Memory stays bounded (issue 24): a browser session that has closed leaves nothing of itself in the process: no
process-wide cache, registry or table holds its case, its figures, its lists or its pending edits. No timings.

A session is closed here as Streamlit closes one: its session-scoped caches are cleared (what a disconnect does)
and its state is dropped (what the end of the reconnect window does). Then every object of the process is searched
for the case's label, a random string no other test or module holds.
"""
from __future__ import annotations

import gc
import secrets
import types
import weakref
from pathlib import Path

from streamlit.runtime.caching import (
    cache_data_api,
    cache_resource_api,
    clear_session_data_cache,
    clear_session_resource_cache,
)
from streamlit.testing.v1 import AppTest

from tests.page_session import opened

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
APPTEST_SESSION = "test session id"  # the session id of every AppTest (streamlit.testing.v1.local_script_runner)
PAGES = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
#: the only caches the process keeps whatever its sessions: the database, its write counter, the published reports
PROCESS_CACHES = {"get_store", "_store_changes", "_case_reports"}


def _holds(obj, needle: str, depth: int = 0) -> bool:
    """Whether ``obj`` is or directly holds (through containers the collector does not track) a str or bytes
    with ``needle`` in it."""
    if isinstance(obj, str):
        return needle in obj
    if isinstance(obj, bytes | bytearray):
        return needle.encode() in obj
    if depth < 6 and isinstance(obj, dict | tuple) and not gc.is_tracked(obj):
        for item in [*obj.keys(), *obj.values()] if isinstance(obj, dict) else obj:
            if _holds(item, needle, depth + 1):
                return True
    return False


def holders_of(needle: str) -> list[str]:
    """Every object of the process (frames aside: this test's own) holding a string with ``needle``."""
    gc.collect()
    found = []
    for obj in gc.get_objects():  # no closure over ``needle`` here: a cell holding it would be found
        if isinstance(obj, types.FrameType):
            continue
        for ref in gc.get_referents(obj):
            if _holds(ref, needle):
                found.append(f"{type(obj).__module__}.{type(obj).__qualname__}: {str(obj)[:120]!r}")
                break
    return found


def cached_functions() -> dict[str | None, set[str]]:
    """Streamlit's caches by session (None: the process-wide ones): the functions with a cache."""
    out: dict[str | None, set[str]] = {}
    for api in (cache_data_api._data_caches, cache_resource_api._resource_caches):  # noqa: SLF001 - what we check
        with api._caches_lock:  # noqa: SLF001
            for session, caches in api._function_caches.items():  # noqa: SLF001
                out.setdefault(session, set()).update(c.display_name for c in caches.values())
    return out


def close_session(at: AppTest) -> None:
    """As Streamlit ends a session: its session caches cleared (a disconnect); the caller drops the AppTest, and
    with it the session's state (the end of the reconnect window)."""
    from ui import saver

    for live in list(saver._LIVE):  # noqa: SLF001 - what is pending is saved first, as at a stop
        live.flush(5.0)
    clear_session_data_cache(APPTEST_SESSION)
    clear_session_resource_cache(APPTEST_SESSION)


def a_clinicians_session(label: str) -> AppTest:
    """A new case typed in, results, history, an entry refused, every page visited (charts, lists, the
    picker), the case copied and the sidebar's picker opened: what a session makes and caches."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_input(key="case_label").set_value(label).run()
    for key, value in (("case_lab_b12", "150"), ("case_lab_platelets", "38"), ("case_lab_hemoglobin", "7.1 g/dL"),
                       ("case_lab_mcv", "118"), ("case_date_treatment_start", "2026-11-03")):
        at.text_input(key=key).set_value(value).run()
    at.multiselect(key="case_hist_causes_yes").select("pernicious_anemia").run()
    at.text_input(key="case_lab_folate").set_value("abc").run()  # refused: kept as typed, a pending entry
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        assert [e.message for e in at.exception] == []
    at.session_state["app_switch"] = True  # the sidebar's "Switch case" open: the saved cases listed
    at.run()
    assert opened(at).doc["label"] == label
    return at


def test_a_closed_session_leaves_nothing_behind_in_the_process():
    from ui import callbacks, common
    from ui.session import SAVER_KEY, SESSION_KEY

    close_session(a_clinicians_session("warm-up bed"))  # process-level caches that any first session fills
    probe = secrets.token_hex(8)
    gc.collect()
    frozen = gc.get_freeze_count()
    tables_before = len(common._TABLES)  # noqa: SLF001 - the results tables, held weakly
    at = a_clinicians_session(f"leak probe {probe}")
    assert holders_of(probe), "the probe is not found in a live session: the search does not work"
    assert APPTEST_SESSION in cached_functions()  # the session's own caches exist while it lives
    parts = [weakref.ref(at.session_state[SAVER_KEY][1]), weakref.ref(at.session_state[SESSION_KEY]),
             weakref.ref(at.session_state[SESSION_KEY].memo.get("case", at.session_state[SESSION_KEY].doc))]
    close_session(at)
    del at
    gc.collect()
    # nothing of the session was frozen (ui/perf.py: an object frozen is never collected)
    assert gc.get_freeze_count() == frozen
    assert [p for p in parts if p() is not None] == []  # its saver, its open case, the case parsed from it
    leftovers = holders_of(probe)
    assert leftovers == [], "a closed session's case is still held by:\n" + "\n".join(leftovers)
    caches = cached_functions()
    assert APPTEST_SESSION not in caches, caches
    assert {name.rsplit(".", 1)[-1] for name in caches.get(None, set())} <= PROCESS_CACHES, caches
    assert APPTEST_SESSION not in callbacks._PENDING and APPTEST_SESSION not in callbacks._OWNERS  # noqa: SLF001
    assert len(common._TABLES) <= tables_before  # noqa: SLF001


def test_an_edit_waiting_to_be_run_again_goes_with_its_session(monkeypatch):
    """ui/callbacks: a callback cut short is kept for the session's next run, and dropped when the session is."""
    from ui import callbacks

    class Storage:  # one per browser session in Streamlit (its fragment storage)
        pass

    storage = Storage()
    session = [types.SimpleNamespace(session_id="closing session", fragment_storage=storage)]
    monkeypatch.setattr(callbacks, "get_script_run_ctx", lambda suppress_warning=False: session[0])
    callbacks._remember([("f", print, ("x",), ())])  # noqa: SLF001
    assert callbacks.interrupted() == ["f"]
    alive = weakref.ref(storage)
    del storage
    session.clear()  # the session ends: Streamlit drops its fragment storage with it
    gc.collect()
    assert alive() is None
    assert "closing session" not in callbacks._PENDING and "closing session" not in callbacks._OWNERS  # noqa: SLF001
