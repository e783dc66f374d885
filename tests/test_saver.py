"""Saving a case as a person works (ui/saver.py over the store): one version per burst of edits, no
identical versions, a busy database retried with "not saved" meanwhile, and a version list that says
what changed. These run against the session layer's saver with a real SQLite store."""
import sqlite3
import threading
import time

import pytest

from logic.case.changes import describe
from store import LOCAL, Store
from ui.saver import Saver, SaveState, reason
from ui.versions import version_rows

DOC = {"label": "Bed 4", "observations": [{"date": "2026-11-20", "analyte": "platelets", "value": 62,
                                           "unit": "10^9/L"}]}


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    yield s
    s.close()


def edited(value, label="Bed 4"):
    return {**DOC, "label": label, "observations": [{**DOC["observations"][0], "value": value}]}


def test_ten_rapid_edits_make_at_most_one_version(store):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0.5)
    for value in range(63, 73):  # ten edits, far quicker than the quiet period
        saver.submit(edited(value))
    assert saver.snapshot().state == SaveState.PENDING and store.load(rec.id, actor=LOCAL).version == 1
    snap = saver.flush()
    assert snap.state == SaveState.SAVED and snap.version == 2
    assert [v.version for v in store.versions(rec.id, actor=LOCAL)] == [1, 2]
    assert store.load(rec.id, actor=LOCAL).document["observations"][0]["value"] == 72


def test_a_burst_is_saved_by_itself_once_the_edits_stop(store):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0.2)
    saver.submit(edited(64))
    saver.submit(edited(65))
    deadline = time.monotonic() + 5
    while saver.snapshot().state != SaveState.SAVED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert saver.snapshot().version == 2 and len(store.versions(rec.id, actor=LOCAL)) == 2


def test_identical_saves_make_no_version(store):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0)
    saver.submit(dict(DOC))  # the document as loaded
    saver.submit(edited(64))
    saver.submit(edited(64))  # the same again
    saver.submit(edited(64))
    assert [v.version for v in store.versions(rec.id, actor=LOCAL)] == [1, 2]
    saver.submit(edited(62))  # back to the first: a real change, saved once
    saver.submit(edited(62))
    assert [v.version for v in store.versions(rec.id, actor=LOCAL)] == [1, 2, 3]


def test_edits_undone_within_the_burst_save_nothing(store):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0.5)
    saver.submit(edited(64))
    saver.submit(DOC)
    assert saver.flush().state == SaveState.SAVED and len(store.versions(rec.id, actor=LOCAL)) == 1


def test_a_new_case_is_created_on_its_first_save(store):
    saver = Saver(store, actor=LOCAL, quiet_s=0)
    assert saver.snapshot().state == SaveState.NEW
    saver.submit(DOC)
    snap = saver.snapshot()
    assert snap.state == SaveState.SAVED and store.load(snap.case_id, actor=LOCAL).label == "Bed 4"


def test_the_version_list_names_what_changed(store):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0)
    saver.submit(edited(64))
    saver.submit({**edited(64), "treatment_start": "2026-11-21"})
    rows = version_rows(store, rec.id, LOCAL)
    assert [r.info.version for r in rows] == [3, 2, 1]
    assert [describe(r.changes) for r in rows] == [
        "treatment start set: 2026-11-21", "Platelets 2026-11-20: 62 → 64", "case created"]


def test_a_locked_database_is_not_saved_meanwhile_and_saved_once_released(store, tmp_path):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0.1)
    lock = sqlite3.connect(tmp_path / "cases.sqlite3", timeout=1, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another program holds the file (a backup, a second process)
    try:
        saver.submit(edited(64))
        time.sleep(2.6)
        snap = saver.snapshot()
        assert snap.state in (SaveState.PENDING, SaveState.FAILED) and snap.message  # not saved, and why
        assert "waiting for the database" in snap.message or "busy" in snap.message
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert saver.flush(timeout=35).state == SaveState.SAVED
    assert store.load(rec.id, actor=LOCAL).document["observations"][0]["value"] == 64


def test_a_save_another_session_beat_is_a_conflict_and_nothing_is_overwritten(store):
    rec = store.create_case(DOC, actor=LOCAL)
    saver = Saver(store, rec.id, rec.version, DOC, actor=LOCAL, quiet_s=0)
    store.save(rec.id, edited(70, "elsewhere"), expected_version=1, actor=LOCAL)
    saver.submit(edited(64))
    snap = saver.snapshot()
    assert snap.state == SaveState.CONFLICT and "another session" in snap.message
    saver.submit(edited(65))  # nothing more is tried until the conflict is resolved
    assert store.load(rec.id, actor=LOCAL).label == "elsewhere" and store.load(rec.id, actor=LOCAL).version == 2


class _Down:
    """A store whose database is unreachable until ``up`` is set."""

    def __init__(self, real):
        self.real, self.up, self.calls = real, threading.Event(), 0

    def save(self, *args, **kwargs):
        self.calls += 1
        if not self.up.is_set():
            import sqlalchemy.exc

            raise sqlalchemy.exc.OperationalError("UPDATE cases SET label=?", ("Bed 4 secret",), Exception("refused"))
        return self.real.save(*args, **kwargs)


def test_an_unreachable_database_is_retried_and_the_reason_never_shows_the_sql(store):
    rec = store.create_case(DOC, actor=LOCAL)
    down = _Down(store)
    saver = Saver(store=down, actor=LOCAL, case_id=rec.id, version=rec.version, saved_doc=DOC, quiet_s=0)
    saver.submit(edited(64))
    snap = saver.snapshot()
    assert snap.state == SaveState.FAILED and snap.message == "the database cannot be reached"
    assert "UPDATE" not in snap.message and "secret" not in snap.message
    down.up.set()
    assert saver.flush(timeout=10).state == SaveState.SAVED and down.calls >= 2


def test_reasons_are_words_without_the_statement():
    import sqlalchemy.exc

    busy = sqlite3.OperationalError("database is locked")
    locked = sqlalchemy.exc.OperationalError("INSERT x", {"label": "Bed 9"}, busy)
    assert reason(locked) == "the database is busy (locked by another program or a backup)"
    assert "Bed 9" not in reason(locked) and "INSERT" not in reason(locked)
