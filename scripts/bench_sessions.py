"""Capacity, for `make bench`: N concurrent clinicians' sessions against one app process, and through the ward.

Each session sends, over Streamlit's websocket, the very messages a Chromium tab sent for the same actions
(recorded once per run: ``rerun_script`` BackMsgs with every widget's state) and reads the ForwardMsgs back until
``script_finished``, so a hundred of them cost the machine little: a hundred Chromium tabs could not run on this
machine at all. The widget ids in the messages do not depend on the session, so every session sends the same bytes.

**A clinician** (``SCENARIO``): opens Cobalt (a new tab on the Case page), pastes the bench case, then, over and
over: types a B12 result, types another, reads Diagnosis, TTP or B12?, Regimen, moves the maintenance knob one
step, reads Recovery, goes back to the Case page. Think times between actions are drawn uniformly (1-4 s after
typing a result, 4-12 s reading a page, 2-6 s after the knob or back on the Case page: one action every 6 s or
so), and meanwhile the session reruns the ``run_every`` fragments the server asks for (the sidebar's save line
polling while an edit waits to be saved), as a tab does. The recording holds a user's actions only (the knob's is
a fragment's rerun, whose id every session that drew the Regimen page shares); the save line's polls each session
makes itself.

The figures for each N: the server's script runs (bench_server.py's log: every full run and, apart, every
fragment run), p50 and p95; what a session waited from sending an action to its ``script_finished`` (p50, p95);
the server's CPU use; and its memory (resident set, /proc) once the N sessions are set up and after they have
run the scenario. Sessions are set up one after the other (not measured), the server on one
CPU and the sessions on the other. Each run has RUN_TIMEOUT_S to finish; a timeout or a dropped socket is
counted and the session starts again (as a reloaded tab); the counts are printed next to the figures.

**Memory stays bounded** (``memory``, first, on a fresh process: Python keeps the memory it has used for the
next objects, so a process's resident set only says what a session costs before other sessions have run): an
idle session (a new tab, nothing typed) costs what the resident set grows by per session; then three times over a
hundred sessions are opened, each pastes the case and visits every page, and all are closed: the first round's
growth per session is what a busy session costs, and the resident set after each round says whether closed
sessions leave anything behind. Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL``
(120 s) in case it reconnects; the capacity server is started with 2 s so that the rounds need not wait two
minutes each.

**The ward** (``ward``): the same sessions through the ward set-up of the deployment tests (tests/browser/ward.py:
nginx with deploy/nginx/, two app processes on serve.py, PostgreSQL as the app role, sign-in on), each signed in
as its own clinician with a sign-in cookie made as the processes make one; nginx spreads them over the two
processes by their route cookie. On this 2-core machine the two processes, nginx, PostgreSQL and the sessions'
client share both cores.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import secrets
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.bench_browser import ROOT, Results, Server

#: (step, think time range in seconds after it), repeated by every session after it has opened the bench case
SCENARIO = (
    ("b12_a", (1.0, 4.0)),
    ("b12_b", (1.0, 4.0)),
    ("to_diagnosis", (4.0, 12.0)),
    ("to_ttp", (4.0, 12.0)),
    ("to_regimen", (4.0, 12.0)),
    ("knob", (2.0, 6.0)),
    ("to_recovery", (4.0, 12.0)),
    ("to_case", (2.0, 6.0)),
)
LEVELS = (1, 10, 25, 50, 100)
#: Seconds to wait for one run to finish before the session counts a timeout and starts again.
RUN_TIMEOUT_S = 30.0
#: The p95 a clinician should not wait longer than (the capacity figure: the most sessions under it).
P95_TARGET_MS = 300.0


def is_fragment_run(payload: bytes) -> bool:
    """Whether a recorded ``rerun_script`` BackMsg reruns one fragment (a ``run_every`` poll) rather than
    the page: fragment ids belong to the session that drew them, so only full reruns are replayed."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.ParseFromString(payload)
    return bool(msg.rerun_script.fragment_id)


def fragment_frame(full: bytes, fragment_id: str) -> bytes:
    """The BackMsg a browser sends when a ``run_every`` fragment is due: the widget state of ``full`` (the
    last full rerun sent) with the fragment's id, marked as an automatic rerun."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.ParseFromString(full)
    msg.rerun_script.fragment_id = fragment_id
    msg.rerun_script.is_auto_rerun = True
    return msg.SerializeToString()


# -- reading the server's messages fast ------------------------------------------------------------

SCRIPT_FINISHED, AUTO_RERUN, STOP_AUTO_RERUN = 6, 21, 28
FINISHED_EARLY_FOR_RERUN = 2  # ForwardMsg.ScriptFinishedStatus: stopped for a rerun, not the end of a run


def _varint(raw: bytes, i: int) -> tuple[int, int]:
    """The varint that starts at ``raw[i]``, and the index after it."""
    value = shift = 0
    while True:
        b = raw[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def top_fields(raw: bytes) -> dict[int, int | None]:
    """The top-level fields of a ForwardMsg: {field number: value of a varint field, else None}. Reading only
    the top level (lengths skipped, nothing decoded) keeps a hundred sessions' client on one core; the test
    checks it against messages the protobuf library wrote."""
    out: dict[int, int | None] = {}
    i, n = 0, len(raw)
    while i < n:
        tag, i = _varint(raw, i)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            out[number], i = _varint(raw, i)
        elif wire == 2:
            length, i = _varint(raw, i)
            i += length
            out.setdefault(number, None)
        elif wire == 1:
            i += 8
            out.setdefault(number, None)
        elif wire == 5:
            i += 4
            out.setdefault(number, None)
        else:
            break
    return out


# -- the recording -----------------------------------------------------------------------------


async def record(url: str) -> dict[str, list[bytes]]:
    """What a Chromium tab sends for each step of a clinician's session (see the module docstring): the full-page
    ``rerun_script`` BackMsgs of each, recorded against the app at ``url``."""
    from playwright.async_api import async_playwright
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from scripts import bench_browser as bb

    frames: list[bytes] = []
    steps: dict[str, list[bytes]] = {}

    def sent(payload) -> None:  # noqa: ANN001
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script" and not msg.rerun_script.is_auto_rerun:
                frames.append(payload)  # a user's action (the knob's is a fragment's rerun); no save-line poll

    async def step(name: str, action) -> None:
        n = len(frames)
        await action
        steps[name] = frames[n:]

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=bb.CHROMIUM, args=bb.CHROMIUM_ARGS, headless=True)
        try:
            page = await (await bb.new_context(browser)).new_page()
            page.on("websocket", lambda ws: ws.on("framesent", sent))
            await bb.open_bench_case(page, url)
            steps["open"] = frames[:1]
            steps["paste"] = frames[1:]
            for k, name in enumerate(("b12_a", "b12_b")):  # one B12 result typed, then another
                await step(name, bb.edit_once(page, "case", k))
            pages = {p: bb.Page(p, t, u) for p, t, u in (
                ("diagnosis", "Diagnosis", "diagnosis"), ("ttp", "TTP or B12?", "ttp"),
                ("regimen", "Regimen", "regimen"), ("recovery", "Recovery", "recovery"), ("case", "Case", ""))}
            for name in ("diagnosis", "ttp", "regimen"):
                await step(f"to_{name}", bb.go(page, pages[name]))
            await step("knob", bb.edit_once(page, "regimen", 0))
            for name in ("recovery", "case"):
                await step(f"to_{name}", bb.go(page, pages[name]))
        finally:
            await browser.close()
    missing = [k for k in ("open", "paste", *(s for s, _t in SCENARIO)) if not steps.get(k)]
    if missing:
        raise RuntimeError(f"recorded no full rerun for {missing}: { {k: len(v) for k, v in steps.items()} }")
    return steps


# -- a session ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where sessions connect: a process's address, or the ward's (with each session's sign-in)."""

    url: str
    cookies: tuple[str, ...] = ()  # one Cookie header per session (taken in turn); none: no sign-in
    xsrf: tuple[str, ...] = ()  # the XSRF token of each cookie (the websocket's second subprotocol)
    insecure_tls: bool = False

    def connect_args(self, i: int) -> dict:
        args: dict = {"subprotocols": ["streamlit"], "max_size": None}
        if self.cookies:
            args["additional_headers"] = {"Cookie": self.cookies[i % len(self.cookies)], "Origin": self.url}
            if self.xsrf:
                args["subprotocols"] = ["streamlit", self.xsrf[i % len(self.xsrf)]]
        if self.insecure_tls:
            import ssl

            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # the ward's own self-signed certificate
            args["ssl"] = ctx
        return args


class Session:
    """One browser session as the server sees it: a websocket that sends what the browser sent, and
    reruns the ``run_every`` fragments the server asks for (the save line's poll) while the user thinks."""

    def __init__(self, target: Target, index: int):
        scheme = "wss://" if target.url.startswith("https://") else "ws://"
        self.url = scheme + target.url.split("://", 1)[1] + "/_stcore/stream"
        self.target, self.index = target, index
        self.ws = None
        self.last_full: bytes | None = None
        self.auto: dict[str, float] = {}  # fragment id -> interval (s), as the server last asked

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(self.url, **self.target.connect_args(self.index))
        self.auto.clear()

    async def send(self, frames: list[bytes], timeout: float = RUN_TIMEOUT_S) -> float:
        """Send each recorded BackMsg and wait for its run to finish; ms from the first send to the end."""
        t0 = time.perf_counter()
        for frame in frames:
            self.last_full = frame
            self.auto.clear()  # a full run registers its fragments' polls again
            await self.ws.send(frame)
            await asyncio.wait_for(self._until_finished(), timeout)
        return (time.perf_counter() - t0) * 1000

    async def poll(self, fragment_id: str, timeout: float = RUN_TIMEOUT_S) -> float:
        t0 = time.perf_counter()
        await self.ws.send(fragment_frame(self.last_full, fragment_id))
        await asyncio.wait_for(self._until_finished(), timeout)
        return (time.perf_counter() - t0) * 1000

    async def _until_finished(self) -> None:
        while True:
            raw = await self.ws.recv()
            fields = top_fields(raw)
            if AUTO_RERUN in fields:
                from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

                fm = ForwardMsg()
                fm.ParseFromString(raw)
                self.auto[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif STOP_AUTO_RERUN in fields:
                self.auto.clear()
            elif fields.get(SCRIPT_FINISHED) not in (None, FINISHED_EARLY_FOR_RERUN):
                return

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await self.ws.close()
            except Exception:  # noqa: BLE001 - a broken socket is already closed
                pass
            self.ws = None


@dataclass
class Tally:
    """Per-load counts, reported next to the figures (never hidden)."""

    actions: int = 0
    polls: int = 0
    timeouts: int = 0
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used, from /proc (0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """A process's resident set in MB (VmRSS, /proc); 0 where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def overlaps(runs: list[dict]) -> list[int]:
    """For each run of the log, how many other runs were under way at the same time (they share the
    server's one interpreter: Python runs one thread at a time, so each one's wall time grows)."""
    spans = [(r["end"] - r["ms"] / 1000, r["end"]) for r in runs]
    return [sum(1 for j, (b0, b1) in enumerate(spans) if j != i and b0 < a1 and a0 < b1)
            for i, (a0, a1) in enumerate(spans)]


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


async def _think(session: Session, seconds: float, tally: Tally, polls: list[float]) -> None:
    """The think time, during which the session polls its fragments as a tab does (``run_every``)."""
    end = time.monotonic() + seconds
    due: dict[str, float] = {}
    while (left := end - time.monotonic()) > 0:
        now = time.monotonic()
        for fid, every in list(session.auto.items()):
            due.setdefault(fid, now + every)
        ready = [fid for fid, at in due.items() if at <= now and fid in session.auto]
        if ready:
            for fid in ready:
                polls.append(await session.poll(fid))
                tally.polls += 1
                due[fid] = time.monotonic() + session.auto.get(fid, 1.0)
            continue
        nxt = min([at for fid, at in due.items() if fid in session.auto], default=end)
        await asyncio.sleep(max(0.01, min(left, nxt - now)))


async def _setup(session: Session, steps: dict[str, list[bytes]], paste: bool = True) -> None:
    await session.connect()
    await session.send(steps["open"] + (steps["paste"] if paste else []))


async def _clinician(session: Session, steps: dict[str, list[bytes]], seed: int, stop_at: float,
                     felt: dict[str, list[float]], polls: list[float], tally: Tally) -> None:
    from websockets.exceptions import ConnectionClosed

    rnd = random.Random(seed)
    i = 0  # from the Case page, where the set-up left it (the knob's fragment exists once Regimen was drawn)
    await asyncio.sleep(rnd.uniform(0, 8))  # not all at once
    while time.monotonic() < stop_at:
        name, (lo, hi) = SCENARIO[i % len(SCENARIO)]
        try:
            felt.setdefault(name, []).append(await session.send(steps[name]))
            tally.actions += 1
            i += 1
            await _think(session, rnd.uniform(lo, hi), tally, polls)
        except (TimeoutError, OSError, ConnectionClosed) as exc:
            # counted and reported: the session starts again as a reloaded tab would
            tally.timeouts += isinstance(exc, TimeoutError)
            tally.errors.append(type(exc).__name__)
            await session.close()
            if time.monotonic() >= stop_at:
                return
            tally.reconnects += 1
            await _setup(session, steps)


@dataclass
class Level:
    """One load: N sessions for ``seconds``; the samples are in the Results under ``{label}:{n}``."""

    n: int
    tally: Tally
    rss_before: float
    rss_setup: float
    rss_after: float
    busy_pct: float


async def _level(target: Target, pids: list[int], runs_of, steps: dict[str, list[bytes]], n: int, seconds: float,
                 res: Results, label: str) -> Level:
    sessions = [Session(target, k) for k in range(n)]
    tally = Tally()
    rss_before = sum(rss_mb(p) for p in pids)
    try:
        for s in sessions:  # one after the other: the set-up is not what is measured
            await _setup(s, steps)
        rss_setup = sum(rss_mb(p) for p in pids)
        felt: dict[str, list[float]] = {}
        polls: list[float] = []
        start = time.time()
        cpu0 = sum(cpu_seconds(p) for p in pids)
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_clinician(s, steps, k, stop_at, felt, polls, tally) for k, s in enumerate(sessions)))
        end = time.time()
        busy = 100 * (sum(cpu_seconds(p) for p in pids) - cpu0) / (end - start)
        rss_after = sum(rss_mb(p) for p in pids)
        for r in runs_of(start, end):
            res.add(f"{label} {'poll' if r.get('auto') else 'run'}:{n}", r["ms"])
        for name, values in felt.items():
            for ms in values:
                res.add(f"{label} felt:{n}", ms)
                res.add(f"{label} felt {name}:{n}", ms)
        for ms in polls:
            res.add(f"{label} felt poll:{n}", ms)
    finally:
        for s in sessions:
            await s.close()
    return Level(n, tally, rss_before, rss_setup, rss_after, busy)


# -- memory ------------------------------------------------------------------------------------


@dataclass
class Memory:
    start_mb: float  # a fresh process, after one session opened and closed
    idle_per_session_mb: float
    idle_n: int
    rounds: list[tuple[float, float, float]]  # (resident set before, with the sessions open, after they closed), MB
    round_n: int

    @property
    def busy_per_session_mb(self) -> float:
        """What a session that opened the case and every page costs: the first round's growth per session."""
        before, open_mb, _after = self.rounds[0]
        return (open_mb - before) / self.round_n


async def _settle(target: Target, steps: dict[str, list[bytes]], ttl_s: float) -> None:
    """After sessions closed: wait past the reconnect window, then a new session disconnects (Streamlit drops the
    expired sessions when it stores one) and another runs once (its run's collection frees what they held)."""
    await asyncio.sleep(ttl_s + 1.0)
    for _ in range(2):
        probe = Session(target, 0)
        await _setup(probe, steps, paste=False)
        await probe.close()
        await asyncio.sleep(0.5)


async def memory(target: Target, pid: int, steps: dict[str, list[bytes]], ttl_s: float, n: int = 100,
                 rounds: int = 3) -> Memory:
    await _settle(target, steps, ttl_s)
    start = rss_mb(pid)
    idle = [Session(target, k) for k in range(n)]
    try:
        for s in idle:
            await _setup(s, steps, paste=False)
        idle_mb = (rss_mb(pid) - start) / n
    finally:
        for s in idle:
            await s.close()
    await _settle(target, steps, ttl_s)
    walk = [name for name, _t in SCENARIO]
    out = []
    for _ in range(rounds):
        before = rss_mb(pid)
        sessions = [Session(target, k) for k in range(n)]
        try:
            for s in sessions:
                await _setup(s, steps)
                for name in walk:
                    await s.send(steps[name])
            open_mb = rss_mb(pid)
        finally:
            for s in sessions:
                await s.close()
        await _settle(target, steps, ttl_s)
        out.append((before, open_mb, rss_mb(pid)))
    return Memory(start, idle_mb, n, out, n)


# -- one process, and the ward -------------------------------------------------------------------


@dataclass
class Capacity:
    levels: list[Level] = field(default_factory=list)
    memory: Memory | None = None
    notes: list[str] = field(default_factory=list)
    processes: int = 1


#: The capacity server's reconnect window (s): closed sessions' memory comes back without waiting 120 s.
TTL_S = 2


def one_process(folder: Path, levels: tuple[int, ...], seconds: float, env: dict[str, str] | None, res: Results,
                with_memory: bool = True, memory_n: int = 100, memory_rounds: int = 3) -> Capacity:
    """Every level against one process (serve.py, as deployed), then the memory rounds."""
    out = Capacity()
    cpus = sorted(os.sched_getaffinity(0))
    own = set(cpus)
    server_cpus, client_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) >= 2 else (None, None)
    data = folder / "capacity"
    data.mkdir(exist_ok=True)
    server = Server(ROOT / "serve.py", data, cpus=server_cpus, env=env,
                    args=["--server.disconnectedSessionTTL", str(TTL_S)]).start()
    try:
        if client_cpus:
            os.sched_setaffinity(0, client_cpus)
        steps = recorded(server.url, out.notes)
        if steps is None:
            return out
        target = Target(server.url)
        if with_memory:  # first, on a fresh process: what sessions cost before anything else has run
            try:
                out.memory = asyncio.run(memory(target, server.proc.pid, steps, TTL_S, memory_n, memory_rounds))
            except Exception as exc:  # noqa: BLE001
                out.notes.append(f"memory: failed: {type(exc).__name__}: {str(exc)[:160]}")
        for n in levels:
            try:
                level = asyncio.run(_level(target, [server.proc.pid], server.runs, steps, n, seconds, res, "one"))
                out.levels.append(level)
                asyncio.run(_settle(target, steps, TTL_S))
            except Exception as exc:  # noqa: BLE001 - a bench notes what failed and goes on
                out.notes.append(f"one process, {n} sessions: failed: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        os.sched_setaffinity(0, own)
        server.stop()
    out.notes.append(
        f"one process: app server on CPU {sorted(server_cpus)}, the sessions' client on CPU {sorted(client_cpus)}"
        if server_cpus else "one process: one CPU, shared by the server and the sessions' client")
    return out


def recorded(url: str, notes: list[str]) -> dict[str, list[bytes]] | None:
    for attempt in range(1, 3):  # the recording is one Chromium tab: a slow machine may time it out once
        try:
            return asyncio.run(record(url))
        except Exception as exc:  # noqa: BLE001 - a bench notes what failed and goes on
            notes.append(f"recording attempt {attempt} failed: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:160] if str(exc) else ''}")
    return None


def _ward_servers(runlogs: list[Path]):
    """tests/browser/conftest.Server, started through bench_server.py's timing hook (one run log per process)."""
    import sys

    from tests.browser import conftest

    class Timed(conftest.Server):
        def command(self) -> list[str]:  # bench_server.py in front of `streamlit run serve.py`, one run log each
            runlog = self.data_dir / "runs.jsonl"
            runlogs.append(runlog)
            return [sys.executable, str(Path(__file__).with_name("bench_server.py")), str(runlog),
                    str(ROOT / "serve.py"), "--server.port", str(self.port), "--server.address", "127.0.0.1",
                    "--server.headless", "true", "--browser.gatherUsageStats", "false",
                    "--server.disconnectedSessionTTL", str(TTL_S), *self.extra_args]

        def start(self, wait_s: float = 90) -> conftest.Server:
            return super().start(wait_s)

    return Timed


def _runs_in(runlogs: list[Path]):
    import json

    def runs(since: float, until: float) -> list[dict]:
        rows = []
        for log in runlogs:
            if log.exists():
                rows += [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
        return [r for r in rows if since <= r["end"] <= until]

    return runs


def ward(levels: tuple[int, ...], seconds: float, steps: dict[str, list[bytes]] | None, res: Results) -> Capacity:
    """Every level through the ward set-up (see the module docstring); a missing nginx, PostgreSQL or sign-in
    package is a note, not a failure."""
    import shutil
    import tempfile

    out = Capacity(processes=2)
    try:
        from tests.browser import conftest
        from tests.browser import ward as harness
    except Exception as exc:  # noqa: BLE001 - pytest or the test helpers missing: say so
        out.notes.append(f"ward: skipped ({type(exc).__name__}: {exc})")
        return out
    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-ward-"))
    runlogs: list[Path] = []
    provider = None
    setup = None
    real_server = harness.Server
    try:
        conftest.need_sign_in_packages()
        provider = conftest.OidcProvider(folder)
        harness.Server = _ward_servers(runlogs)  # the ward's app processes, timed
        setup = harness.start_ward(provider)
        site = next(setup)
    except BaseException as exc:  # noqa: BLE001 - pytest's skip is a BaseException: a note, the bench goes on
        why = str(exc).splitlines()[0][:200] if str(exc) else ""
        out.notes.append(f"ward: not set up ({type(exc).__name__}: {why})")
        harness.Server = real_server
        if setup is not None:
            setup.close()
        if provider is not None:
            provider.stop()
        shutil.rmtree(folder, ignore_errors=True)
        return out
    harness.Server = real_server
    try:
        if steps is None:  # recorded against a process of its own (the messages are the same through the ward)
            local = Server(ROOT / "serve.py", folder).start()
            try:
                steps = recorded(local.url, out.notes)
            finally:
                local.stop()
        if steps is None:
            return out
        target = _ward_target(site, max(levels))
        pids = [a.proc.pid for a in site.apps]
        for n in levels:
            try:
                out.levels.append(asyncio.run(_level(target, pids, _runs_in(runlogs), steps, n, seconds, res, "ward")))
                asyncio.run(asyncio.sleep(TTL_S + 1))
            except Exception as exc:  # noqa: BLE001
                out.notes.append(f"ward, {n} sessions: failed: {type(exc).__name__}: {str(exc)[:160]}")
        out.notes.append("ward: nginx, two app processes, PostgreSQL and the sessions' client share the machine's "
                         f"{len(os.sched_getaffinity(0))} CPUs (no process pinned)")
    finally:
        setup.close()
        provider.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _ward_target(site, n: int) -> Target:
    """``n`` clinicians signed in to the ward (each its own sign-in cookie, as the processes make one, and its own
    route cookie, which nginx hashes onto a process) with the XSRF cookie the ward gives a new browser."""
    from tests.browser.ward import request, user_cookie

    cookies, xsrf = [], []
    now = int(time.time())
    for k in range(n):
        route = secrets.token_hex(8)
        got = [c.split(";")[0] for c in request(f"{site.url}/_stcore/health", cookie=f"cobalt_route={route}")
               .all("set-cookie") if c.startswith("_streamlit_xsrf=")]
        claims = {"sub": f"bench.{k}", "email": f"bench.{k}@ward.example", "iat": now, "exp": now + 3 * 3600,
                  "nonce": secrets.token_hex(8)}
        cookie = f"cobalt_route={route}; _streamlit_user={user_cookie(site.cookie_secret, site.url, claims)}"
        if got:
            cookie += f"; {got[0]}"
            xsrf.append(got[0].split("=", 1)[1])
        cookies.append(cookie)
    return Target(site.url, tuple(cookies), tuple(xsrf) if len(xsrf) == len(cookies) else (), insecure_tls=True)


def most_sessions_under(levels: list[Level], res: Results, label: str, target_ms: float = P95_TARGET_MS,
                        kind: str = "run") -> int | None:
    """The most sessions (of a run of levels with every fewer one also under) whose p95 of ``kind`` (``run``: the
    server's script run; ``felt``: what a session waited) stayed under ``target_ms``; None: not even the fewest."""
    best = None
    for lv in sorted(levels, key=lambda lv: lv.n):
        p = percentile(res.samples.get(f"{label} {kind}:{lv.n}", []), 95)
        if p is None or p >= target_ms or lv.tally.timeouts:
            break
        best = lv.n
    return best


if __name__ == "__main__":
    import tempfile

    r = Results()
    cap = one_process(Path(tempfile.mkdtemp()), (1, 10), 20, None, r, with_memory=False)
    for k, v in sorted(r.samples.items()):
        print(f"{k:34s} n={len(v):4d} p50 {statistics.median(v):7.1f}  p95 {percentile(v, 95):7.1f}")
    print(cap.notes)
