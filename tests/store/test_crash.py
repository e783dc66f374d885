"""A crash mid-save loses nothing already saved: kill -9 a process during a burst of saves."""

from __future__ import annotations

import os
import signal
import time

import pytest

from store import LOCAL as ME
from store import Store

# Saves as fast as it can, printing each save only after save() returned (i.e. committed).
BURST = r"""
import sys
from store import LOCAL, Store

store = Store.open()
obs = [{"date": "2026-11-%02d" % (1 + d % 28), "analyte": "platelets", "value": 20 + d, "unit": "10^9/L"}
       for d in range(60)]
record = store.create_case({"label": "burst", "observations": obs, "counter": 0}, actor=LOCAL)
print("CASE", record.id, flush=True)
for i in range(1, 1_000_000):
    doc = {"label": "burst %d" % i, "observations": obs, "counter": i}
    record = store.save(record.id, doc, expected_version=record.version, actor=LOCAL)
    print("ACK", record.version, i, flush=True)
"""


@pytest.mark.parametrize("acks_before_kill", [5, 40])
def test_killing_a_process_mid_burst_loses_no_acknowledged_save(db_url, spawn, clock, acks_before_kill):
    proc = spawn(BURST)
    first = proc.stdout.readline().split()
    assert first[:1] == ["CASE"], proc.stderr.read()
    case_id = first[1]
    acked: dict[int, int] = {}
    deadline = time.monotonic() + 60
    while len(acked) < acks_before_kill and time.monotonic() < deadline:
        line = proc.stdout.readline().split()
        assert line[:1] == ["ACK"], proc.stderr.read()
        acked[int(line[1])] = int(line[2])
    os.kill(proc.pid, signal.SIGKILL)  # mid-burst: most likely inside a save
    rest, _ = proc.communicate(timeout=30)
    for line in rest.splitlines():  # acknowledgements printed before the kill landed
        parts = line.split()
        if parts[:1] == ["ACK"]:
            acked[int(parts[1])] = int(parts[2])
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= acks_before_kill

    reopened = Store.open(db_url, clock=clock)
    head = reopened.load(case_id, actor=ME)
    assert head.version >= max(acked)  # the save in flight may or may not have landed, whole
    history = reopened.versions(case_id, actor=ME)
    assert [v.version for v in history] == list(range(1, head.version + 1))
    for version, counter in acked.items():
        doc = reopened.load_version(case_id, version, actor=ME).document
        assert doc["counter"] == counter and doc["label"] == f"burst {counter}"
    assert head.document["counter"] == head.version - 1 and head.label == f"burst {head.version - 1}"
    if reopened.backend == "sqlite":
        with reopened._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # The database is writable again: the dead process held no lock that outlived it.
    doc = head.document | {"counter": head.version}
    assert reopened.save(case_id, doc, expected_version=head.version, actor=ME).version == head.version + 1
    reopened.close()
