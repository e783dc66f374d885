"""The fair floor of `make bench`, and a minimal reproduction of what Streamlit's widgets cost per run.

The floor (scripts/bench_apps/floor.py) is a bare page with the same number and kinds of widgets as the Case page:
``spec_of`` counts them in the Case page's AppTest element tree (sidebar included, since every run draws it),
``floor_env`` passes the count to the floor page. The Case page's rerun is compared with the floor's (target: within
1.5x), in AppTest (bench.py's apptest section) and in the server under Chromium (the browser section).

The reproduction (``python scripts/bench_floor.py``) times AppTest reruns of the floor page alone, compiled once as
a server compiles, for N widgets of one kind and K plain session keys besides. In Streamlit 1.67 every
``st.text_input``, ``st.text_area``, ``st.number_input``, ``st.radio``, ``st.selectbox``, ``st.slider`` and the
date and time inputs builds ``SessionState.filtered_state``, a dict of the whole session state (every key and every
widget's value), to check whether its own key holds None: a run costs about N x (N + K). Multiselect, pills,
segmented control, toggle, checkbox and the buttons do not. Upstream: streamlit/streamlit#9415 (the quadratic
growth reported when the check came in, 1.34; closed, the check is still there in 1.67) and #12090 (open: slow
pages with many widgets).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLOOR = Path(__file__).resolve().parent / "bench_apps" / "floor.py"

#: AppTest's element type -> the floor's kind (the st function that makes it)
KIND_OF = {
    "text_input": "text_input", "text_area": "text_area", "number_input": "number_input", "radio": "radio",
    "selectbox": "selectbox", "multiselect": "multiselect", "toggle": "toggle", "checkbox": "checkbox",
    "button": "button", "download_button": "download_button", "file_uploader": "file_uploader",
}
#: widget kinds whose every call builds SessionState.filtered_state (Streamlit 1.67)
COPIES_STATE = ("text_input", "text_area", "number_input", "radio", "selectbox", "slider", "date_input",
                "time_input", "datetime_input")


def _button_group_kind(element) -> str:
    """A button group is a segmented control or pills, as its proto's style says."""
    from streamlit.proto.ButtonGroup_pb2 import ButtonGroup

    proto = getattr(element, "proto", None)
    try:
        style = ButtonGroup.Style.Name(proto.style)
    except (AttributeError, ValueError):
        style = ""
    return "segmented_control" if "SEGMENT" in style else "pills"


def spec_of(tree) -> dict[str, int]:
    """The widgets of an AppTest element tree by kind: {kind: count} (expanders that are widgets included; a kind
    the floor cannot draw is counted under its own name and left out of the floor)."""
    from streamlit.testing.v1.element_tree import Block, Expander, Widget

    counts: dict[str, int] = {}

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            kind = None
            if isinstance(child, Widget):
                kind = KIND_OF.get(child.type, child.type)
                if child.type == "button_group":
                    kind = _button_group_kind(child)
            elif isinstance(child, Expander) and child.proto.id:
                kind = "expander"
            if kind is not None:
                counts[kind] = counts.get(kind, 0) + 1
            if isinstance(child, Block):
                walk(child)

    walk(tree)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def spec_text(spec: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in spec.items()) or "no widgets"


def floor_env(spec: dict[str, int], keys: int = 0) -> dict[str, str]:
    """The floor page's environment for ``spec`` (and ``keys`` plain session keys besides)."""
    return {"BENCH_FLOOR": json.dumps(spec), "BENCH_FLOOR_KEYS": str(keys)}


def floor_app(spec: dict[str, int], keys: int = 0):
    """The floor page in AppTest (run once). The spec is read when the script runs: set it again before each run
    of an AppTest whose spec differs from another's in this process (``run_floor``)."""
    from streamlit.testing.v1 import AppTest

    os.environ.update(floor_env(spec, keys))
    at = AppTest.from_file(str(FLOOR), default_timeout=120)
    at.run()
    return at


def run_floor(at, spec: dict[str, int], keys: int = 0) -> None:
    os.environ.update(floor_env(spec, keys))
    at.run()


def case_spec() -> dict[str, int]:
    """The Case page's widgets (the bench case open, sidebar included), from a run in AppTest."""
    from scripts.bench_apptest import _app_test, _quiet, bench_doc

    _quiet()
    at = _app_test(bench_doc())
    at.run()
    return spec_of(at._tree)  # noqa: SLF001 - AppTest's element tree


def count_state_copies(spec: dict[str, int]) -> int:
    """How many widgets of ``spec`` build the whole session state on every run."""
    return sum(n for kind, n in spec.items() if kind in COPIES_STATE)


# -- the reproduction ----------------------------------------------------------------------------


def _compile_once() -> None:
    """AppTest makes a new script cache (and compiles every script) on each run; a server compiles once."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared


def reproduction(rounds: int = 15) -> list[tuple[str, float, float]]:
    """(what, ms per rerun, ms per rerun in SessionState.filtered_state) for floors of one kind of widget."""
    import threading

    from streamlit.runtime.state import session_state

    _compile_once()
    spent = [0.0]
    local = threading.local()
    original = session_state.SessionState.filtered_state

    def timed(self):  # noqa: ANN001
        if getattr(local, "inside", False):
            return original.fget(self)
        local.inside = True
        t0 = time.perf_counter()
        try:
            return original.fget(self)
        finally:
            local.inside = False
            spent[0] += time.perf_counter() - t0

    session_state.SessionState.filtered_state = property(timed)
    cases = [
        ("40 text inputs, no other key", {"text_input": 40}, 0),
        ("40 text inputs, 40 other keys", {"text_input": 40}, 40),
        ("40 text inputs, 160 other keys", {"text_input": 40}, 160),
        ("17 radios (a checklist, one per item)", {"radio": 17}, 0),
        ("17 segmented controls (one per item)", {"segmented_control": 17}, 0),
        ("6 multiselects (one per answer and group)", {"multiselect": 6}, 0),
        ("1 text input", {"text_input": 1}, 0),
    ]
    apps = [(what, floor_app(spec, keys), spec, keys) for what, spec, keys in cases]
    times: dict[str, list[float]] = {what: [] for what, *_ in apps}
    inside: dict[str, list[float]] = {what: [] for what, *_ in apps}
    try:
        for _ in range(rounds):
            for what, at, spec, keys in apps:
                spent[0] = 0.0
                t0 = time.perf_counter()
                run_floor(at, spec, keys)
                times[what].append((time.perf_counter() - t0) * 1000)
                inside[what].append(spent[0] * 1000)
    finally:
        session_state.SessionState.filtered_state = original
    return [(what, statistics.median(times[what]), statistics.median(inside[what])) for what, *_ in apps]


def main() -> None:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    print("Streamlit's cost per rerun by widget kind and session keys: AppTest reruns of scripts/bench_apps/floor.py,")
    print("compiled once (as a server); medians. filtered_state: the time inside SessionState.filtered_state.")
    print(f"{'':44s} {'rerun':>9s} {'filtered_state':>15s}")
    for what, ms, copy_ms in reproduction():
        print(f"  {what:42s} {ms:7.1f} ms {copy_ms:12.1f} ms")


if __name__ == "__main__":
    main()
