"""`streamlit run` with a timing hook, for `make bench`: every script run's server-side duration.

    python scripts/bench_server.py RUNLOG APP.py [streamlit options...]

Wraps Streamlit's ``ScriptRunner._run_script`` (one call per user action: the whole run, including
any ``st.rerun`` it triggers, or one fragment run) and appends one JSON line per run to RUNLOG:
``{"end": unix time, "ms": duration, "session": id, "run": n-th run of the session, "gc_ms": time in
the garbage collection Streamlit runs after each script run (``runner.postScriptGC``), "fragment": bool, "auto":
bool (a ``run_every`` fragment's rerun, not a user's action)}``.
Nothing in the app changes; the hook lives in this process only. No page content or case data is logged.

With ``BENCH_PROFILE=FILE`` the script runs are also profiled (cProfile, the script threads only) and
the statistics written to FILE after each run; ``BENCH_PROFILE_RUNS=first`` profiles only each
session's first run (what a new tab costs), ``rest`` only the others.

``BENCH_GC_FREEZE_AFTER=N`` (an experiment for the findings, not the app's behaviour): ``gc.freeze()``
after the process's N-th script run, so the collection Streamlit runs after every script run
(``runner.postScriptGC``) no longer walks the objects alive by then (modules, caches, figures).
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import sys
import threading
import time


def install(runlog: str) -> None:
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    lock = threading.Lock()
    counts: dict[str, int] = {}
    profile_to = os.environ.get("BENCH_PROFILE")
    which = os.environ.get("BENCH_PROFILE_RUNS", "all")
    prof = cProfile.Profile() if profile_to else None
    local = threading.local()
    collect = gc.collect

    def timed_collect(*args, **kwargs):  # Streamlit's runner.postScriptGC: gc.collect(2) after each run
        t0 = time.perf_counter()
        try:
            return collect(*args, **kwargs)
        finally:
            local.gc_ms = getattr(local, "gc_ms", 0.0) + (time.perf_counter() - t0) * 1000

    gc.collect = timed_collect
    freeze_after = int(os.environ.get("BENCH_GC_FREEZE_AFTER", "0"))
    total = [0]

    def timed(self, rerun_data):  # noqa: ANN001 - Streamlit's private signature
        with lock:
            n = counts[self._session_id] = counts.get(self._session_id, 0) + 1
        profiled = prof is not None and (which == "all" or (which == "first") == (n == 1))
        if profiled:
            lock.acquire()  # one script thread at a time in the profile
            prof.enable()
        local.gc_ms = 0.0
        t0 = time.perf_counter()
        try:
            return original(self, rerun_data)
        finally:
            ms = (time.perf_counter() - t0) * 1000
            if profiled:
                prof.disable()
                prof.dump_stats(profile_to)
                lock.release()
            line = json.dumps(
                {
                    "end": time.time(),
                    "ms": round(ms, 2),
                    "session": self._session_id,
                    "run": n,
                    "gc_ms": round(getattr(local, "gc_ms", 0.0), 2),
                    "fragment": bool(rerun_data.fragment_id_queue),
                    "auto": bool(getattr(rerun_data, "is_auto_rerun", False)),  # a run_every fragment's poll
                }
            )
            with lock, open(runlog, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                total[0] += 1
                if total[0] == freeze_after:
                    gc.freeze()

    script_runner.ScriptRunner._run_script = timed


def main() -> None:
    runlog, app, *options = sys.argv[1:]
    install(runlog)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", app, *options]
    cli.main()


if __name__ == "__main__":
    main()
