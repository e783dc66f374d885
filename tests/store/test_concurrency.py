"""Two sessions, threads and OS processes on one database: a stale save is refused, nothing is lost."""

from __future__ import annotations

import threading

import pytest

from store import LOCAL as ME
from store import ConflictError, Store

# A writer process: waits for GO, then interleaves saves to its own cases with read-modify-write
# increments of one shared case, retrying on ConflictError (what the app does after a reload).
WRITER = r"""
import sys
from store import LOCAL, ConflictError, Store

name, shared_id, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = Store.open()
print("READY", flush=True)
sys.stdin.readline()
own = store.create_case({"label": name + " own", "observations": [], "counter": 0}, actor=LOCAL)
conflicts = 0
for i in range(1, rounds + 1):
    own = store.save(own.id, {"label": name + " own", "observations": [], "counter": i}, own.version, actor=LOCAL)
    while True:
        head = store.load(shared_id, actor=LOCAL)
        doc = head.document
        doc["counter"] += 1
        doc["last_writer"] = name
        try:
            store.save(shared_id, doc, expected_version=head.version, actor=LOCAL)
            break
        except ConflictError:
            conflicts += 1
print("DONE", own.id, conflicts, flush=True)
"""


def test_a_second_session_saving_from_a_stale_version_is_refused_and_the_first_is_kept(db_url, make_doc, clock):
    first = Store.open(db_url, clock=clock)
    second = Store.open(db_url, clock=clock)
    case_id = first.create_case(make_doc("shared"), actor=ME).id
    mine, theirs = first.load(case_id, actor=ME), second.load(case_id, actor=ME)
    assert mine.version == theirs.version == 1
    first.save(case_id, make_doc("first session's edit"), expected_version=mine.version, actor=ME)
    with pytest.raises(ConflictError) as refused:
        second.save(case_id, make_doc("second session's edit"), expected_version=theirs.version, actor=ME)
    assert (refused.value.expected_version, refused.value.current_version) == (1, 2)
    assert second.load(case_id, actor=ME).label == "first session's edit"
    assert [v.label for v in second.versions(case_id, actor=ME)] == ["shared", "first session's edit"]
    # After reloading, the second session's save goes through on top of the first's.
    reloaded = second.load(case_id, actor=ME).version
    again = second.save(case_id, make_doc("second session's edit"), expected_version=reloaded, actor=ME)
    assert again.version == 3
    first.close()
    second.close()


def test_the_conflict_message_says_when_and_what_to_do(store, make_doc):
    case_id = store.create_case(make_doc(), actor=ME).id
    store.save(case_id, make_doc("edited elsewhere"), expected_version=1, actor=ME)
    with pytest.raises(ConflictError) as refused:
        store.save(case_id, make_doc("mine"), expected_version=1, actor=ME)
    message = str(refused.value)
    assert "2026-11-23 09:01 UTC" in message
    assert "version 2" in message and "version 1" in message
    assert "Your edits are kept" in message and "reload" in message


def test_of_four_threads_saving_the_same_version_exactly_one_wins(store, make_doc):
    case_id = store.create_case(make_doc("race"), actor=ME).id
    barrier = threading.Barrier(4)
    outcomes: dict[int, str] = {}

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            store.save(case_id, make_doc(f"thread {i}"), expected_version=1, actor=ME)
            outcomes[i] = "saved"
        except ConflictError:
            outcomes[i] = "refused"

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["refused", "refused", "refused", "saved"]
    winner = next(i for i, o in outcomes.items() if o == "saved")
    head = store.load(case_id, actor=ME)
    assert head.version == 2 and head.label == f"thread {winner}"
    assert len(store.versions(case_id, actor=ME)) == 2


def test_two_processes_share_one_database_and_lose_no_save(store, spawn, make_doc):
    rounds = 15
    shared = store.create_case({"label": "shared counter", "observations": [], "counter": 0}, actor=ME)
    workers = [spawn(WRITER, name, shared.id, str(rounds)) for name in ("alpha", "beta")]
    for proc in workers:
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
    for proc in workers:
        proc.stdin.write("GO\n")
        proc.stdin.flush()
    own_ids = []
    for proc in workers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        own_ids.append(out.split()[1])
    # Each process's own case has all its saves.
    for own_id in own_ids:
        own = store.load(own_id, actor=ME)
        assert own.version == rounds + 1 and own.document["counter"] == rounds
    # The shared case: every increment landed, once, in a contiguous chain of versions.
    head = store.load(shared.id, actor=ME)
    assert head.document["counter"] == 2 * rounds
    history = store.versions(shared.id, actor=ME)
    assert [v.version for v in history] == list(range(1, 2 * rounds + 2))
    for v in history:
        assert store.load_version(shared.id, v.version, actor=ME).document["counter"] == v.version - 1
    assert {store.load_version(shared.id, v.version, actor=ME).document.get("last_writer") for v in history[1:]} == {
        "alpha",
        "beta",
    }
    if store.backend == "sqlite":
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
