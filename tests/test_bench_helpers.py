"""The bench's parsing and aggregation helpers (no timing: nothing here asserts a time)."""

from __future__ import annotations

from scripts import bench, bench_browser, bench_cli, bench_sessions, profile_page

ROOT = "/repo"


def _stats(rows: dict) -> dict:
    """pstats-shaped stats: {func: (cc, nc, tottime, cumtime, callers)} with callers {func: (cc, nc, tt, ct)}."""
    return {f: (1, 1, tt, tt, callers) for f, (tt, callers) in rows.items()}


def test_package_of_names_cobalt_site_packages_stdlib_and_builtins():
    sp = "/venv/lib/python3.11/site-packages/"
    assert profile_page.package_of(f"{ROOT}/ui/common.py", ROOT) == "cobalt"
    assert profile_page.package_of(f"{ROOT}/app.py", ROOT) == "cobalt"
    assert profile_page.package_of(f"{ROOT}/logic/assess.py", ROOT) == "cobalt"
    assert profile_page.package_of(f"{ROOT}/scripts/bench.py", ROOT) == "bench"
    assert profile_page.package_of(f"{sp}streamlit/elements/markdown.py", ROOT) == "streamlit"
    assert profile_page.package_of(f"{sp}streamlit/runtime/scriptrunner/magic.py", ROOT) == "streamlit compile"
    assert profile_page.package_of(f"{sp}plotly/graph_objs/_figure.py", ROOT) == "plotly"
    assert profile_page.package_of(f"{sp}six.py", ROOT) == "six"
    assert profile_page.package_of("/usr/lib/python3.11/json/encoder.py", ROOT) == "python"
    assert profile_page.package_of("~", ROOT) is None
    assert profile_page.package_of("<frozen importlib._bootstrap>", ROOT) is None


def test_by_package_charges_stdlib_and_builtins_to_their_callers():
    sp = "/venv/lib/python3.11/site-packages/"
    ours = (f"{ROOT}/ui/common.py", 1, "sidebar")
    theirs = (f"{sp}streamlit/elements/markdown.py", 1, "markdown")
    dumps = ("/usr/lib/python3.11/json/__init__.py", 1, "dumps")
    builtin = ("~", 0, "<built-in method builtins.len>")
    recursive = ("/usr/lib/python3.11/ast.py", 1, "_fix")
    stats = _stats({
        ours: (0.010, {}),
        theirs: (0.020, {ours: (1, 1, 0.020, 0.020)}),
        dumps: (0.004, {ours: (1, 1, 0.004, 0.004)}),  # the standard library called from Cobalt: Cobalt's
        builtin: (0.006, {ours: (1, 1, 0.002, 0.002), theirs: (1, 1, 0.004, 0.004)}),  # split 1:2
        recursive: (0.003, {theirs: (1, 1, 0.001, 0.001), recursive: (1, 1, 0.002, 0.002)}),  # recursion
    })
    totals = profile_page.by_package(stats, ROOT)
    assert round(totals["cobalt"], 6) == 0.016  # own 10 + json 4 + its share of len 2
    assert round(totals["streamlit"], 6) == 0.027  # own 20 + its share of len 4 + ast 3
    assert "python" not in totals
    assert list(totals) == ["streamlit", "cobalt"]  # the most first


def test_by_package_keeps_time_nobody_called_as_python():
    stats = _stats({("/usr/lib/python3.11/threading.py", 1, "run"): (0.005, {})})
    assert profile_page.by_package(stats, ROOT) == {"python": 0.005}


def test_split_line_gives_shares_and_the_rest():
    assert profile_page.split_line({"a": 3.0, "b": 1.0}) == "a 75% · b 25%"
    assert profile_page.split_line({"a": 2.0, "b": 1.0, "c": 1.0}, top=1) == "a 50% · other 50%"


def test_importtime_by_package_sums_own_time_by_top_level_package():
    stderr = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       100 |        100 |   json.decoder",
        "import time:       400 |        500 | json",
        "import time:      2000 |       2000 |     icalendar.cal",
        "import time:      1000 |       3000 |   icalendar",
        "some other line",
    ])
    assert bench_cli.importtime_by_package(stderr) == [("icalendar", 3.0), ("json", 0.5)]


def _counters(origin=1_000_000.0, now=500.0, js=(), ws=(0, 0), finished=0.0, long_ms=0.0, html=None):
    return {"origin": origin, "now": now, "html": html, "js": [list(j) for j in js], "wsMsgs": ws[0],
            "wsBytes": ws[1], "wsFirst": 40.0, "wsLast": 0.0, "finishedAt": finished, "longN": 0,
            "longMs": long_ms}


def test_split_of_a_cold_load_places_the_server_run_on_the_tab_clock():
    after = _counters(now=900.0, js=[("index.js", 2048, 0, 100.0), ("plotly.js", 4096, 4096, 300.0)],
                      ws=(12, 3072), finished=600.0, long_ms=120.0, html=20.0)
    origin_s = after["origin"] / 1000
    runs = [{"end": origin_s + 0.550, "ms": 50.0}]
    split = bench_browser.split_of(None, after, 0.0, runs, {}, {"js": 80.0, "layout": 10.0})
    assert split["server start"] == 500.0 and split["server end"] == 550.0
    assert split["delivered after run"] == 50.0 and split["drawn after heard"] == 300.0
    assert split["js files"] == 2 and split["js kB"] == 6.0 and split["js kB over the wire"] == 4.0
    assert split["chunks"] == [("plotly.js", 4), ("index.js", 2)]
    assert split["ws msgs"] == 12 and split["ws kB"] == 3.0 and split["html"] == 20.0
    assert split["tab js"] == 80.0 and split["long tasks"] == 120.0 and split["ws first msg"] == 40.0


def test_split_of_an_action_counts_only_what_changed_during_it():
    before = _counters(now=1000.0, js=[("index.js", 2048, 0, 100.0)], ws=(10, 1024), long_ms=50.0)
    after = _counters(now=1400.0, js=[("index.js", 2048, 0, 100.0), ("grid.js", 1024, 0, 1100.0)],
                      ws=(14, 3072), finished=1300.0, long_ms=60.0)
    split = bench_browser.split_of(before, after, 1000.0, [], {"js": 5.0}, {"js": 25.0})
    assert split["js files"] == 1 and split["chunks"] == [("grid.js", 1)] and split["js last"] == 100.0
    assert split["ws msgs"] == 4 and split["ws kB"] == 2.0 and split["long tasks"] == 10.0
    assert split["finished heard"] == 300.0 and split["drawn"] == 400.0 and split["tab js"] == 20.0
    assert "server run" not in split and split["html"] is None


def test_median_split_and_where_text():
    samples = [{"drawn": 100.0, "server run": 10.0, "chunks": []},
               {"drawn": 300.0, "server run": 30.0, "chunks": [("plotly.js", 4000)]},
               {"drawn": 200.0, "chunks": []}]
    got = bench_browser.median_split(samples)
    assert got["drawn"] == 200.0 and got["server run"] == 20.0 and got["chunks"] == [("plotly.js", 4000)]
    text = bench_browser.where_text(got, {"drawn": 150.0, "chunks": []}, "action")
    assert "plotly.js 4000" in text and "+50" in text and "20 ms of 200 ms (10%)" in text


def test_fragment_frames_are_told_apart_and_made_from_a_full_rerun():
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = "x=1"
    full = msg.SerializeToString()
    assert not bench_sessions.is_fragment_run(full)
    poll = bench_sessions.fragment_frame(full, "abc")
    assert bench_sessions.is_fragment_run(poll)
    back = BackMsg()
    back.ParseFromString(poll)
    assert back.rerun_script.fragment_id == "abc" and back.rerun_script.is_auto_rerun
    assert back.rerun_script.query_string == "x=1"


def test_overlaps_counts_runs_under_way_together():
    runs = [{"end": 1.0, "ms": 1000.0}, {"end": 1.5, "ms": 1000.0}, {"end": 3.0, "ms": 500.0}]
    assert bench_sessions.overlaps(runs) == [1, 1, 0]


def test_row_returns_its_verdict(capsys):
    assert bench.row("x", 30.0, 10.0, target_ratio=3) == bench.OK
    assert bench.row("x", 31.0, 10.0, target_ratio=3) == bench.MISS
    assert bench.row("x", 120.0, None, target_ms=100) == bench.MISS
    assert bench.row("x", 5.0, None) == ""
    assert "3.10x" in capsys.readouterr().out


def test_miss_line_names_what_grew_and_the_chunks_only_the_page_fetched():
    page = {"drawn": 900.0, "server run": 60.0, "finished heard": 500.0, "tab js": 700.0, "tab layout": 30.0,
            "tab style": 20.0, "long tasks": 650.0,
            "chunks": [("Highlighter.x1.js", 1527), ("PlotlyChart.y2.js", 4605), ("tiny.z.js", 2)]}
    bare = {"drawn": 400.0, "server run": 50.0, "finished heard": 300.0, "tab js": 200.0, "tab layout": 10.0,
            "tab style": 10.0, "long tasks": 150.0, "chunks": [("PlotlyChart.y2.js", 4605)]}
    line = bench_browser.miss_line(page, bare)
    assert line.startswith("drawn +500 ms vs bare: server run +10, heard finished +200, tab JS CPU +500")
    assert "layout+style +30" in line and line.endswith("JS only here: Highlighter 1527 kB")
    only, both = bench_browser.own_chunks(page, bare)
    assert [n for n, _kb in only] == ["Highlighter.x1.js", "tiny.z.js"] and both == [("PlotlyChart.y2.js", 4605)]


def test_top_fields_reads_script_finished_and_skips_everything_else():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    fm = ForwardMsg()
    fm.hash = "abc"
    fm.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    fields = bench_sessions.top_fields(fm.SerializeToString())
    assert fields[bench_sessions.SCRIPT_FINISHED] == ForwardMsg.FINISHED_SUCCESSFULLY and 1 in fields
    early = ForwardMsg()
    early.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN
    assert bench_sessions.top_fields(early.SerializeToString())[6] == bench_sessions.FINISHED_EARLY_FOR_RERUN
    auto = ForwardMsg()
    auto.auto_rerun.fragment_id = "f" * 300  # a length over one byte's varint
    auto.auto_rerun.interval = 1.0
    assert bench_sessions.AUTO_RERUN in bench_sessions.top_fields(auto.SerializeToString())
    delta = ForwardMsg()
    delta.delta.new_element.markdown.body = "x" * 1000
    assert bench_sessions.top_fields(delta.SerializeToString()) == {5: None}


def test_percentile_by_nearest_rank_and_the_most_sessions_under_a_p95():
    assert bench_sessions.percentile([], 95) is None
    assert bench_sessions.percentile([5.0], 95) == 5.0
    values = [float(v) for v in range(1, 101)]
    assert bench_sessions.percentile(values, 95) == 95.0 and bench_sessions.percentile(values, 50) == 50.0
    res = bench_browser.Results()
    levels = []
    for n, p95 in ((1, 50.0), (10, 120.0), (25, 310.0), (50, 200.0)):
        for _ in range(20):
            res.add(f"one run:{n}", p95)
        levels.append(bench_sessions.Level(n, bench_sessions.Tally(), 0, 0, 0, 0))
    assert bench_sessions.most_sessions_under(levels, res, "one") == 10  # 25 is over: 50 does not count
    assert bench_sessions.most_sessions_under(levels[:1], res, "one", target_ms=40) is None
    timed_out = bench_sessions.Level(10, bench_sessions.Tally(timeouts=1), 0, 0, 0, 0)
    assert bench_sessions.most_sessions_under([levels[0], timed_out], res, "one") == 1


def test_js_profile_sums_own_time_by_file_without_idle():
    profile = {
        "nodes": [
            {"id": 1, "callFrame": {"functionName": "(idle)", "url": "", "lineNumber": -1}},
            {"id": 2, "callFrame": {"functionName": "render", "url": "http://x/static/react-dom.Dzb.js?v=1",
                                    "lineNumber": 7}},
            {"id": 3, "callFrame": {"functionName": "(program)", "url": "", "lineNumber": -1}},
            {"id": 4, "callFrame": {"functionName": "getBoundingClientRect", "url": "", "lineNumber": -1}},
        ],
        "samples": [1, 2, 2, 3, 4],
        "timeDeltas": [5000, 1000, 2000, 4000, 500],
    }
    js = bench_browser.JsProfile()
    js.add(profile)
    js.add(profile)
    assert js.by_file == {"react-dom": 6.0, "(program)": 8.0, "native getBoundingClientRect": 1.0}
    assert js.actions == 2 and "react-dom:7 render" in js.by_function
    text = js.text()
    assert "     4.0  (program)" in text and "     3.0  react-dom" in text


def test_floor_spec_counts_widgets_by_kind_and_widget_expanders(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from scripts import bench_floor

    at = AppTest.from_string(
        "import streamlit as st\n"
        "st.text_input('a', key='a'); st.text_input('b', key='b'); st.radio('r', ['x', 'y'], key='r')\n"
        "st.multiselect('m', ['x'], key='m'); st.pills('p', ['x'], key='p')\n"
        "st.segmented_control('s', ['x'], key='s'); st.markdown('not a widget')\n"
        "with st.expander('kept', key='e', on_change='rerun'):\n    st.button('go', key='g')\n"
        "with st.expander('plain'):\n    st.caption('x')\n"
    ).run()
    spec = bench_floor.spec_of(at._tree)
    assert spec == {"text_input": 2, "button": 1, "expander": 1, "multiselect": 1, "pills": 1, "radio": 1,
                    "segmented_control": 1}
    assert bench_floor.count_state_copies(spec) == 3  # the text inputs and the radio copy the session state
    assert "2 text_input" in bench_floor.spec_text(spec)
    floor = AppTest.from_file(str(bench_floor.FLOOR), default_timeout=60)
    for name, value in bench_floor.floor_env(spec).items():
        monkeypatch.setenv(name, value)
    floor.run()
    assert bench_floor.spec_of(floor._tree) == spec  # the floor draws the same widgets
