"""`streamlit run` with a timing hook, for `make bench`: every script run's server-side duration.

    python scripts/bench_server.py RUNLOG APP.py [streamlit options...]

Wraps Streamlit's ``ScriptRunner._run_script`` (one call per user action: the whole run, including
any ``st.rerun`` it triggers, or one fragment run) and appends one JSON line per run to RUNLOG:
``{"end": unix time, "ms": duration, "session": id, "fragment": bool}``. Nothing in the app changes;
the hook lives in this process only. No page content or case data is logged.
"""

from __future__ import annotations

import json
import sys
import threading
import time


def install(runlog: str) -> None:
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    lock = threading.Lock()

    def timed(self, rerun_data):  # noqa: ANN001 - Streamlit's private signature
        t0 = time.perf_counter()
        try:
            return original(self, rerun_data)
        finally:
            ms = (time.perf_counter() - t0) * 1000
            line = json.dumps(
                {
                    "end": time.time(),
                    "ms": round(ms, 2),
                    "session": self._session_id,
                    "fragment": bool(rerun_data.fragment_id_queue),
                }
            )
            with lock, open(runlog, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    script_runner.ScriptRunner._run_script = timed


def main() -> None:
    runlog, app, *options = sys.argv[1:]
    install(runlog)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", app, *options]
    cli.main()


if __name__ == "__main__":
    main()
