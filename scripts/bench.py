"""Cobalt's benchmark (`make bench`): what a user feels, as ratios to a bare Streamlit page.

The bare page (scripts/bench_apps/bare.py: one number input, one small plotly chart) and a bare
two-page app are measured in the same run as Cobalt, alternating, and every figure is a median.
Targets are issue 13's. It asserts nothing and is not part of `make test`.

    PYTHONPATH=. .venv/bin/python scripts/bench.py [--quick] [--only|--skip apptest,cli,...] [--server-env K=V]
                                                   [--profile-dir DIR | --no-profiles]
    make bench BENCH_ARGS="--only browser --server-env STREAMLIT_RUNNER_POST_SCRIPT_GC=false"

Sections: apptest, cli, store, browser (cold loads, edits, page switches), capacity (N clinicians against one
process, and the memory a session costs and leaves), ward (the same through nginx, two processes, PostgreSQL).
For every figure that misses its target a profile says where its time goes (printed, and written to
var/bench/profile-<figure>.txt): for an AppTest rerun the time by package (Cobalt, Streamlit, plotly,
pandas...), for the browser the split between the server's script run, delivery, JS chunks fetched and
the tab's own CPU, for the command line the import time by package.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_apptest import big_case  # noqa: E402,F401 - tests/test_cli.py builds its big case with it

SECTIONS = ("apptest", "cli", "store", "browser", "capacity", "ward")
OK, MISS = "ok", "MISS"


def med(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    cores = f"nproc {len(os.sched_getaffinity(0))} (of {os.cpu_count()})"
    return f"{cores} · {cpu} · Python {platform.python_version()}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def out(line: str = "") -> None:
    print(line, flush=True)


def ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms")


def row(label: str, value: float | None, bare: float | None, target_ratio: float | None = None,
        target_ms: float | None = None, target_text: str = "", n: int | None = None) -> str:
    """One figure: value, bare value, ratio, target, verdict (returned: ``ok``, ``MISS`` or "")."""
    ratio = value / bare if value is not None and bare else None
    verdict = ""
    if target_ratio is not None and ratio is not None:
        verdict = OK if ratio <= target_ratio else MISS
        target_text = target_text or f"≤ {target_ratio:g}x"
    elif target_ms is not None and value is not None:
        verdict = OK if value <= target_ms else MISS
        target_text = target_text or f"≤ {target_ms:,.0f} ms"
    ratio_text = "" if ratio is None else f"{ratio:5.2f}x"
    count = f" n={n}" if n else ""
    out(f"  {label:46s} {ms(value):>10s} {ms(bare):>10s} {ratio_text:>7s}  {target_text:<22s} {verdict}{count}")
    return verdict


#: Where the profiles of missed figures go (``--profile-dir``); None: no profiles.
PROFILES: Path | None = ROOT / "var" / "bench"


def profile_file(name: str) -> Path | None:
    if PROFILES is None:
        return None
    PROFILES.mkdir(parents=True, exist_ok=True)
    return PROFILES / f"profile-{name}.txt"


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def profile_apptest(name: str, args: list[str], quick: bool) -> None:
    """cProfile of a missed AppTest figure, by package (scripts/profile_page.py --packages), in a
    process of its own; prints its one-line summary and the file it wrote."""
    path = profile_file(f"apptest-{name}")
    if path is None:
        return
    cmd = [sys.executable, str(ROOT / "scripts" / "profile_page.py"), *args, "--runs", "5" if quick else "10",
           "--packages", str(path)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    summary = next((x for x in done.stdout.splitlines() if x.startswith("summary: ")), None)
    if summary is None:
        out(f"    {name}: profile failed ({(done.stderr.strip().splitlines() or ['no output'])[-1][:120]})")
    else:
        out(f"    {name:40s} {summary.removeprefix('summary: ')}  -> {shown(path)}")


def header(title: str, bare_label: str = "bare") -> None:
    out()
    out(title)
    out(f"  {'':46s} {'median':>10s} {bare_label:>10s} {'ratio':>7s}  {'target':<22s}")


# -- sections -----------------------------------------------------------------------------------


def section_apptest(pages, quick: bool) -> None:
    from scripts import bench_apptest

    header("AppTest rerun (one process; bench case open)")
    runs, parts = bench_apptest.reruns(pages, rounds=5 if quick else 9)
    bare = med(runs["bare"])
    missed: list[tuple[str, list[str]]] = []
    for p in pages:
        if row(p.title, med(runs[p.stem]), bare, target_ratio=3, n=len(runs[p.stem])) == MISS:
            missed.append((p.stem, [p.stem]))
    heavy = bench_apptest.heavy(rounds=3 if quick else 5)
    hb = med(heavy["bare"])
    if row("Regimen, ten-year knob change (new plan)", med(heavy["regimen_10y_knob"]), hb, target_ratio=3) == MISS:
        missed.append(("regimen-10y-knob", ["regimen", "--edit", "--months", "100"]))
    if row("Recovery, 2 years of doses, 300 draws", med(heavy["recovery_2y_300"]), hb, target_ratio=3) == MISS:
        missed.append(("recovery-2y-300", ["recovery", "--long-course"]))
    header("  of which the script run, less AppTest's compiling of the scripts (a server compiles once)")
    net = {k: [s - c for s, c in zip(v["script"], v["compile"], strict=True)] for k, v in parts.items()}
    for p in pages:
        compiled = med(parts[p.stem]["compile"])
        row(f"{p.title} (AppTest compiles {ms(compiled)})", med(net[p.stem]), med(net["bare"]), target_ratio=3)
    if "floor" in net and "case" in net:
        from scripts import bench_floor

        spec = bench_apptest.FLOOR_SPEC
        header("The fair floor: a bare page with the Case page's widgets (scripts/bench_apps/floor.py), the script "
               "run less compiling", bare_label="floor")
        out(f"  the Case page's widgets, sidebar included: {bench_floor.spec_text(spec)} ({sum(spec.values())}; "
            f"{bench_floor.count_state_copies(spec)} of them copy the whole session state when drawn)")
        if row("Case page rerun against its floor", med(net["case"]), med(net["floor"]), target_ratio=1.5,
               n=len(net["case"])) == MISS:
            missed.append(("case", ["case"]))
        row("the floor against the bare page", med(net["floor"]), med(net["bare"]), target_text="(Streamlit's cost)")
    v = bench_apptest.versions_per_edit()
    quiet = "?" if v.quiet_s is None else f"{v.quiet_s:g} s"
    out(f"  versions written, counted once the background saver is idle (its quiet period {quiet}):")
    out(f"    one typed B12 result: {v.one} version(s) (target 1) {OK if v.one == 1 else MISS}")
    out(f"    {v.burst_edits} B12 results typed in {v.burst_s:.1f} s: {v.burst} version(s) (target 1: one per "
        f"burst) {OK if v.burst == 1 else MISS}; saved {v.saved_after_s:.1f} s after the last edit")
    for name, v in bench_apptest.logic_only().items():
        out(f"  in-process {name}: {ms(v)}")
    if missed and PROFILES is not None:
        out("  where the missed reruns' time goes (cProfile of the script thread, the scripts compiled once as in a")
        out("  server; own time by package, the standard library's charged to its caller; 'streamlit compile' is")
        out("  Streamlit's script cache and magic; Cobalt's calls into each package are in the file):")
        for name, args in missed:
            profile_apptest(name, args, quick)


def section_cli(quick: bool) -> None:
    from scripts import bench_cli

    header("Command line, whole process (python -m logic ...)", bare_label="import json")
    procs, own = bench_cli.processes(rounds=5 if quick else 7)
    base = med(procs["baseline"])
    verdicts = {}
    for name in ("assess", "schedule", "convert"):
        budget = 2 * base + own[name]
        verdicts[name] = row(name, med(procs[name]), base, target_ms=budget,
                             target_text=f"≤ 2x+{own[name]:.0f} = {budget:.0f} ms") == MISS
    out("  slowest imports (own import time summed by package, python -X importtime; a miss's whole list in")
    out("  the file named):")
    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-cli-"))
    for name, args in bench_cli.commands(folder).items():
        every = bench_cli.import_offenders(args, top=None)
        path = profile_file(f"cli-{name}") if verdicts.get(name) else None
        if path is not None:
            total = sum(v for _p, v in every)
            path.write_text(f"python -X importtime -m logic {' '.join(args)}: own import time by top-level package, "
                            f"ms ({total:.0f} ms in all in this run under -X importtime; the timed processes took a "
                            f"median of {med(procs[name]):.0f} ms, `python -c 'import json'` {base:.0f} ms)\n"
                            + "".join(f"  {pkg:24s} {v:7.1f}\n" for pkg, v in every))
        out(f"    {name:9s}" + ", ".join(f"{pkg} {v:.0f} ms" for pkg, v in every[:6])
            + (f"  -> {shown(path)}" if path is not None else ""))
    shutil.rmtree(folder, ignore_errors=True)


def section_store(folder: Path) -> None:
    from scripts import bench_apptest, bench_store

    profiles: dict[str, dict[str, str]] = {}
    results, notes = bench_store.run(folder, bench_apptest.bench_doc(), profiles)
    for backend, figures in results.items():
        header(f"Store, {bench_store.N_CASES:,} cases of {bench_store.VERSIONS} versions ({backend})", bare_label="")
        for name, samples in figures.items():
            verdict = row(name, med(samples), None, target_ms=100 if name.startswith("list") else None,
                          target_text="< 100 ms" if name.startswith("list") else "", n=len(samples))
            text = profiles.get(backend, {}).get(name)
            path = profile_file(f"store-{backend}-list-all") if verdict == MISS and text else None
            if path is not None:
                path.write_text(text)
                summary = next(x for x in text.splitlines() if x.startswith("summary: "))
                out(f"    where: {summary.removeprefix('summary: ')}  -> {shown(path)}")
    for note in notes:
        out(f"  note: {note}")


def server_share(kind: str, what: str, pages, m) -> None:
    """The server's share of each browser figure: script runs and, of them, the post-run gc."""
    out(f"  of {what} (medians, ms): the server's script runs · of which gc.collect after the run")
    for stem, title in [("bare", "bare")] + [(p.stem, p.title) for p in pages]:
        run, gc = m(f"{kind}:{stem}|server run"), m(f"{kind}:{stem}|gc")
        if run is not None:
            out(f"    {title:44s} {run:,.0f} · {gc:,.0f}")


def browser_splits(res, kind: str, title: str, rows_of: list[tuple[str, str]], missed: list[str]) -> None:
    """The split of a browser figure for each page (medians), and for each missed page a file with its
    split next to the bare page's and the JS chunks fetched (bench_browser.where_text)."""
    from scripts import bench_browser

    shape = "cold" if kind == "cold" else "action"
    columns = bench_browser.SPLIT_COLUMNS[shape]
    out(f"  {title} (medians; ms from the start unless named; the tab's CPU from Chrome's own counters):")
    out(f"    {'':34s} " + " · ".join(words for _k, words in columns))
    splits = {stem: bench_browser.median_split(res.details.get(f"{kind}:{stem}", [])) for stem, _t in rows_of}
    for stem, label in rows_of:
        if res.details.get(f"{kind}:{stem}"):
            out(f"    {label[:34]:34s} {bench_browser.split_text(splits[stem], shape)}")
    for stem in missed:
        path = profile_file(f"browser-{kind}-{stem}")
        if path is None or not res.details.get(f"{kind}:{stem}"):
            continue
        text = (f"{kind} of {stem} against the bare page, Chromium, medians of "
                f"{len(res.details[f'{kind}:{stem}'])} samples\n"
                + bench_browser.where_text(splits[stem], splits.get("bare", {}), shape))
        for who, words in ((stem, "this page"), ("floor", "the fair floor (the Case page's widgets on a bare page)"),
                           ("bare", "the bare page")):
            js = res.js.get(f"{kind}:{who}")
            if js is not None and js.actions and (who != "floor" or stem == "case"):
                text += f"\n{words}: " + js.text()
        path.write_text(text)
        label = dict(rows_of).get(stem, stem)
        out(f"    {label[:20]:20s} {bench_browser.miss_line(splits[stem], splits.get('bare', {}))}  -> {shown(path)}")


#: Issue 24's targets for the browser: edits and page switches within 1.3x the bare page (cold loads: issue 13's).
EDIT_TARGET = SWITCH_TARGET = COLD_TARGET = 1.3


def section_browser(pages, quick: bool, env: dict[str, str]) -> None:
    from scripts import bench_apptest, bench_browser, bench_floor

    spec = dict(bench_apptest.FLOOR_SPEC) or bench_floor.case_spec()
    res = bench_browser.run(pages, rounds=2 if quick else 3, env=env, floor_spec=spec)
    m = res.median
    everyone = [("bare", "bare page")] + [(p.stem, p.title) for p in pages]
    header("Chromium, cold load (new tab until idle and drawn; a new tab opens a blank case)")
    missed = [p.stem for p in pages if row(p.title, m(f"cold:{p.stem}"), m("cold:bare"), target_ratio=COLD_TARGET,
                                           n=len(res.samples.get(f"cold:{p.stem}", []))) == MISS]
    out("  where a cold load's time goes (medians, ms): server script run · of which Streamlit's gc.collect after "
        "the run · first run reported finished in the tab · drawn after that · JS files fetched")
    for stem, title in everyone:
        shares = [m(f"cold:{stem}|{k}") for k in ("server run", "gc", "finished", "after finished", "js files")]
        text = " · ".join("—" if v is None else f"{v:,.0f}" for v in shares)
        out(f"    {title:44s} {text}")
    browser_splits(res, "cold", "the same cold loads on one time line", everyone, missed)
    header("Chromium, one typical edit (until a run has finished and the page is redrawn)")
    missed = []
    for p in pages:
        what = bench_browser.EDITS[p.stem].what if p.stem in bench_browser.EDITS else "no edit defined"
        if row(f"{p.title}: {what}"[:40], m(f"edit:{p.stem}"), m("edit:bare"), target_ratio=EDIT_TARGET,
               n=len(res.samples.get(f"edit:{p.stem}", []))) == MISS:
            missed.append(p.stem)
    _floor_rows(res, "edit", "an edit")
    server_share("edit", "an edit", pages, m)
    browser_splits(res, "edit", "where an edit's time goes", everyone + [("floor", "floor (Case's widgets)")], missed)
    header("Chromium, page switch keeping the case (to the page named)", bare_label="bare switch")
    missed = [p.stem for p in pages if row(p.title, m(f"switch:{p.stem}"), m("switch:bare"),
                                           target_ratio=SWITCH_TARGET,
                                           n=len(res.samples.get(f"switch:{p.stem}", []))) == MISS]
    all_switches = [v for p in pages for v in res.samples.get(f"switch:{p.stem}", [])]
    row("every switch", med(all_switches), m("switch:bare"), target_ratio=SWITCH_TARGET, n=len(all_switches))
    _floor_rows(res, "switch", "a switch")
    server_share("switch", "a switch", pages, m)
    browser_splits(res, "switch", "where a switch's time goes", everyone + [("floor", "floor (Case's widgets)")],
                   missed)
    for note in res.notes:
        out(f"  note: {note}")


def _floor_rows(res, kind: str, what: str) -> None:
    """The Case page next to the fair floor (its widgets on a bare page) in the browser: the whole figure (for
    information: what Streamlit's frontend costs for those widgets) and the server's script run (target 1.5x)."""
    m = res.median
    if m(f"{kind}:floor") is None:
        return
    out(f"  the fair floor, a bare page with the Case page's widgets ({what} on it):")
    row("  Case against the floor", m(f"{kind}:case"), m(f"{kind}:floor"), target_text="(for information)",
        n=len(res.samples.get(f"{kind}:floor", [])))
    row("  the floor against the bare page", m(f"{kind}:floor"), m(f"{kind}:bare"), target_text="(Streamlit's cost)")
    row("  Case's server run against the floor's", m(f"{kind}:case|server run"), m(f"{kind}:floor|server run"),
        target_ratio=1.5)


def _capacity_table(cap, res, label: str, title: str) -> None:
    from scripts import bench_sessions as bs

    out()
    out(title)
    out(f"  {'sessions':>8s} {'server run p50':>14s} {'p95':>6s} {'waited p50':>10s} {'p95':>6s} {'polls p95':>9s} "
        f"{'CPU':>5s} {'MB set up':>9s} {'after':>6s}  actions, timeouts  (server p95 < 300 ms; waited p95 < 300 ms)")
    for lv in cap.levels:
        run = res.samples.get(f"{label} run:{lv.n}", [])
        felt = res.samples.get(f"{label} felt:{lv.n}", [])
        polls = res.samples.get(f"{label} poll:{lv.n}", [])
        p95 = bs.percentile(run, 95)
        verdict = "" if p95 is None else (OK if p95 < bs.P95_TARGET_MS else MISS)

        def f(v: float | None) -> str:
            return "—" if v is None else f"{v:,.0f}"

        again = f" ({lv.tally.reconnects} reconnects)" if lv.tally.reconnects else ""
        felt95 = bs.percentile(felt, 95)
        felt_verdict = "" if felt95 is None else (OK if felt95 < bs.P95_TARGET_MS else MISS)
        out(f"  {lv.n:8d} {f(med(run)):>14s} {f(p95):>6s} {f(med(felt)):>10s} {f(felt95):>6s} "
            f"{f(bs.percentile(polls, 95)):>9s} {lv.busy_pct:4.0f}% {lv.rss_setup:9,.0f} {lv.rss_after:6,.0f}  "
            f"{lv.tally.actions}, {lv.tally.timeouts}{again}  ({verdict}; {felt_verdict})")
    if cap.levels:
        top = max(cap.levels, key=lambda lv: lv.n).n
        steps = [(name, res.samples.get(f"{label} felt {name}:{top}", [])) for name, _t in bs.SCENARIO]
        out(f"  waited by action at {top} sessions, p50/p95: "
            + ", ".join(f"{name} {f(med(v))}/{f(bs.percentile(v, 95))}" for name, v in steps if v))
    measured = max((lv.n for lv in cap.levels), default=0)
    for kind, words in (("run", "the server's script run"), ("felt", "what a session waited")):
        most = bs.most_sessions_under(cap.levels, res, label, kind=kind)
        if not cap.levels:
            break
        who = f"{cap.processes} processes" if cap.processes > 1 else "one process on one core"
        if most is None:
            out(f"  clinicians {who} serves with p95 of {words} under {bs.P95_TARGET_MS:.0f} ms: fewer than "
                f"{min(lv.n for lv in cap.levels)}")
        else:
            out(f"  clinicians {who} serves with p95 of {words} under {bs.P95_TARGET_MS:.0f} ms: {most}"
                + (" (the most measured: the limit is higher)" if most == measured else
                   f" (not {min(lv.n for lv in cap.levels if lv.n > most)})"))
    for lv in cap.levels:
        if lv.tally.errors:
            out(f"  note: {lv.n} sessions: {', '.join(sorted(set(lv.tally.errors)))}")


def section_capacity(folder: Path, quick: bool, env: dict[str, str]) -> None:
    from scripts import bench_browser
    from scripts import bench_sessions as bs

    title = ("Capacity: N clinicians against one process (serve.py on one core; each: the bench case, then B12 typed "
             "twice, Diagnosis, TTP, Regimen, the knob, Recovery, Case, 1-12 s between actions; ms, MB)")
    if not Path(bench_browser.CHROMIUM).exists():
        out()
        out(title)
        out(f"  skipped: {bench_browser.CHROMIUM} is missing (the sessions replay what a Chromium tab sends)")
        return
    res = bench_browser.Results()
    levels = (1, 10, 25) if quick else bs.LEVELS
    cap = bs.one_process(folder, levels, 20 if quick else 50, env, res, memory_n=30 if quick else 100,
                         memory_rounds=2 if quick else 3)
    _capacity_table(cap, res, "one", title)
    one, ten = res.samples.get("one run:1"), res.samples.get("one run:10")
    if one and ten:
        row("server run of an action, 10 sessions against 1", med(ten), med(one), target_ratio=2, n=len(ten))
    if cap.memory is not None:
        mem = cap.memory
        out(f"  memory (a fresh process, measured first): {mem.start_mb:,.0f} MB at the start; an idle session (a new "
            f"tab, nothing typed) {mem.idle_per_session_mb * 1024:,.0f} kB ({mem.idle_n} opened); a session with the "
            f"bench case and every page visited {mem.busy_per_session_mb * 1024:,.0f} kB")
        for k, (before, open_mb, after) in enumerate(mem.rounds, 1):
            out(f"    round {k}: {before:,.0f} MB; {mem.round_n} sessions opened, each the bench case and every page: "
                f"{open_mb:,.0f} MB; all closed: {after:,.0f} MB ({after - mem.start_mb:+,.0f} MB on the start)")
        if len(mem.rounds) >= 2:
            grew = mem.rounds[-1][2] - mem.rounds[0][2]
            out(f"    closed sessions leave the process where it was: {grew:+,.1f} MB from round 1 to round "
                f"{len(mem.rounds)} (target: none beyond the allocator's noise, 10 MB) {OK if grew <= 10 else MISS}")
    for note in cap.notes:
        out(f"  note: {note}")


def section_ward(quick: bool) -> None:
    from scripts import bench_browser
    from scripts import bench_sessions as bs

    res = bench_browser.Results()
    levels = (10, 25) if quick else (10, 25, 50, 100)
    cap = bs.ward(levels, 20 if quick else 50, None, res)
    _capacity_table(cap, res, "ward", "The ward: the same clinicians through nginx, two processes, PostgreSQL, sign-in "
                                      "on (ms, MB: both processes)")
    for note in cap.notes:
        out(f"  note: {note}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a rough look, not a figure to quote)")
    ap.add_argument("--skip", default="", help=f"comma-separated sections to skip: {', '.join(SECTIONS)}")
    ap.add_argument("--only", default="", help="comma-separated sections to run (of those above)")
    ap.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                    help="environment of the app's server in the browser and sessions figures, to try a change "
                         "without editing the app, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false (repeatable)")
    ap.add_argument("--profile-dir", default=str(ROOT / "var" / "bench"), metavar="DIR",
                    help="where the profile of each figure that misses its target is written, one file each "
                         "(profile-<figure>.txt; default var/bench)")
    ap.add_argument("--no-profiles", action="store_true", help="no profiles of missed figures (faster)")
    args = ap.parse_args(argv)
    global PROFILES
    PROFILES = None if args.no_profiles else Path(args.profile_dir).resolve()
    server_env = dict(kv.split("=", 1) for kv in args.server_env)
    chosen = [s for s in SECTIONS if s not in args.skip.split(",")]
    if args.only:
        chosen = [s for s in chosen if s in args.only.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-"))
    os.environ["COBALT_DATA_DIR"] = str(folder)  # never the app's var/ database
    os.environ["COBALT_DATABASE_URL"] = f"sqlite:///{folder / 'cobalt.sqlite3'}"
    # the bytecode a normal install has (PYTHONDONTWRITEBYTECODE would make every process compile)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app.py", "app_pages", "logic", "ui", "store",
                    "scripts"], cwd=ROOT, capture_output=True, check=False,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    started = time.monotonic()
    out(f"Cobalt bench · {datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    out(f"load average at start: {load()}" + (" (--quick: rough figures)" if args.quick else ""))
    if server_env:
        out(f"app server environment for this run: {server_env}")
    from scripts import bench_apptest

    pages = bench_apptest.pages()
    out(f"pages (app.py's navigation): {', '.join(p.title for p in pages)}")
    try:
        if "apptest" in chosen:
            section_apptest(pages, args.quick)
        if "cli" in chosen:
            section_cli(args.quick)
        if "store" in chosen:
            section_store(folder)
        if "browser" in chosen:
            section_browser(pages, args.quick, server_env)
        if "capacity" in chosen:
            section_capacity(folder, args.quick, server_env)
        if "ward" in chosen:
            section_ward(args.quick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out()
    out(f"load average at end: {load()} · {time.monotonic() - started:.0f} s · ratios are to the bare page "
        "measured in this run")


if __name__ == "__main__":
    main()
