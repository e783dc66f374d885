"""Ten sessions against one, for `make bench`: the app server's own script-run time under load.

Each session sends, over Streamlit's websocket, the very messages a Chromium tab sent for the same
actions (recorded once per run: ``rerun_script`` BackMsgs with every widget's state) and reads the
ForwardMsgs back until ``script_finished``, so ten of them cost the machine almost nothing. Ten headless
Chromium tabs on this 2-core machine could not make the load: measured, they managed about one
edit every 1.5 s between them, each taking ~20 s to draw, so the server was never busy.

Each session opens the bench case (pasted on the Case page, as in the browser figures) and then
types B12 results with a think time of 0.5-1.5 s. The figure is the median server-side script
run (bench_server.py's log, the same hook as the browser figures) with one session and with ten.
With two or more CPUs the server runs on one and the sessions on another.

Only full reruns are replayed: a tab's fragment reruns name fragment ids its own session drew, and
replaying them into another session made runs that never finish (the "TimeoutError" of earlier runs).
Instead each session reruns the ``run_every`` fragments the server asks it to (``auto_rerun``: the
save line polling while an edit waits to be saved), as a tab does. Each run has RUN_TIMEOUT_S to
finish; a timeout or a dropped socket is counted, the session starts again (as a reloaded tab), and
the counts are printed next to the figures. One warm-up edit per session is not counted.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.bench_browser import ROOT, Results, Server


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


async def record(server: Server) -> dict[str, list[bytes]]:
    """What a browser sends for each step (new tab, paste the bench case, type B12 150, type 160):
    the full-page ``rerun_script`` BackMsgs, recorded from one Chromium tab. The widget ids in them do
    not depend on the session, so every simulated session can send the same bytes. The tab's fragment
    polls are left out (their ids are the tab's own); the sessions make their own (``Session``)."""
    from playwright.async_api import async_playwright
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from scripts import bench_browser as bb

    frames: list[bytes] = []
    steps: dict[str, list[bytes]] = {}

    def sent(payload) -> None:  # noqa: ANN001
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script" and not is_fragment_run(payload):
                frames.append(payload)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=bb.CHROMIUM, args=bb.CHROMIUM_ARGS, headless=True)
        try:
            page = await (await bb.new_context(browser)).new_page()
            page.on("websocket", lambda ws: ws.on("framesent", sent))
            await bb.open_bench_case(page, server.url)
            steps["open"] = frames[:1]
            steps["paste"] = frames[1:]
            for value in ("150", "160"):
                n = len(frames)
                runs = await bb.observe(page)
                box = page.locator(".st-key-case_lab_b12 input")
                await box.fill(value)
                await box.press("Enter")
                await bb.ready(page, bb.KEY["case"], runs, 120_000)
                steps[value] = frames[n:]
        finally:
            await browser.close()
    if not all(steps.get(k) for k in ("open", "150", "160")):
        raise RuntimeError(f"recorded no full rerun for a step: { {k: len(v) for k, v in steps.items()} }")
    return steps


#: Seconds to wait for one run to finish before the session counts a timeout and starts again.
RUN_TIMEOUT_S = 30.0


class Session:
    """One browser session as the server sees it: a websocket that sends what the browser sent, and
    reruns the ``run_every`` fragments the server asks for (the save line's poll) while the user thinks."""

    def __init__(self, url: str):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.last_full: bytes | None = None
        self.auto: dict[str, float] = {}  # fragment id -> interval (s), as the server last asked

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
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
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await self.ws.recv())
            kind = fm.WhichOneof("type")
            if kind == "auto_rerun":
                self.auto[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                self.auto.clear()
            elif kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await self.ws.close()
            except Exception:  # noqa: BLE001 - a broken socket is already closed
                pass


@dataclass
class Tally:
    """Per-load counts, reported next to the figures (never hidden)."""

    edits: int = 0
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


def overlaps(runs: list[dict]) -> list[int]:
    """For each run of the log, how many other runs were under way at the same time (they share the
    server's one interpreter: Python runs one thread at a time, so each one's wall time grows)."""
    spans = [(r["end"] - r["ms"] / 1000, r["end"]) for r in runs]
    return [sum(1 for j, (b0, b1) in enumerate(spans) if j != i and b0 < a1 and a0 < b1)
            for i, (a0, a1) in enumerate(spans)]


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


async def _setup(session: Session, steps: dict[str, list[bytes]]) -> None:
    await session.connect()
    await session.send(steps["open"] + steps["paste"])


async def _user(session: Session, steps: dict[str, list[bytes]], seed: int, stop_at: float,
                felt: list[float], polls: list[float], tally: Tally) -> None:
    from websockets.exceptions import ConnectionClosed

    rnd = random.Random(seed)
    i = 0
    while time.monotonic() < stop_at:
        try:
            felt.append(await session.send(steps[("150", "160")[i % 2]]))
            tally.edits += 1
            i += 1
            await _think(session, rnd.uniform(0.5, 1.5), tally, polls)
        except (TimeoutError, OSError, ConnectionClosed) as exc:
            # counted and reported: the session starts again as a reloaded tab would
            tally.timeouts += isinstance(exc, TimeoutError)
            tally.errors.append(type(exc).__name__)
            await session.close()
            if time.monotonic() >= stop_at:
                return
            tally.reconnects += 1
            await _setup(session, steps)


async def _load(server: Server, steps: dict[str, list[bytes]], n: int, seconds: float, res: Results) -> Tally:
    sessions = [Session(server.url) for _ in range(n)]
    tally = Tally()
    try:
        for s in sessions:  # one after the other: the set-up is not what is measured
            await _setup(s, steps)
        for s in sessions:  # warm-up: one edit each, not counted
            await s.send(steps["150"])
        felt: list[float] = []
        polls: list[float] = []
        start = time.time()
        cpu0 = cpu_seconds(server.proc.pid)
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_user(s, steps, k, stop_at, felt, polls, tally) for k, s in enumerate(sessions)))
        end = time.time()
        runs = server.runs(start, end)
        res.add(f"busy:{n}", 100 * (cpu_seconds(server.proc.pid) - cpu0) / (end - start))
        for k in overlaps(runs):
            res.add(f"overlap:{n}", k)
        for r in runs:
            res.add(f"server:{n}" if not r.get("fragment") else f"server poll:{n}", r["ms"])
            res.add(f"gc:{n}", r.get("gc_ms"))
        for ms in felt:
            res.add(f"felt:{n}", ms)
        for ms in polls:
            res.add(f"felt poll:{n}", ms)
    finally:
        for s in sessions:
            await s.close()
    return tally


def run(folder: Path, sessions: int = 10, seconds: float = 20.0, env: dict[str, str] | None = None) -> Results:
    """Server-side run times with one session, then with ``sessions``; the server on its own CPU."""
    res = Results()
    cpus = sorted(os.sched_getaffinity(0))
    own = set(cpus)
    server_cpus, client_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) >= 2 else (None, None)
    data = folder / "sessions"
    data.mkdir(exist_ok=True)
    server = Server(ROOT / "app.py", data, cpus=server_cpus, env=env).start()
    try:
        if client_cpus:
            os.sched_setaffinity(0, client_cpus)
        steps = None
        for attempt in range(1, 3):  # the recording is one Chromium tab: a slow machine may time it out once
            try:
                steps = asyncio.run(record(server))
                break
            except Exception as exc:  # noqa: BLE001 - a bench notes what failed and goes on
                res.notes.append(f"sessions: recording attempt {attempt} failed: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0][:160] if str(exc) else ''}")
        if steps is None:
            return res
        for n in (1, sessions):
            try:
                tally = asyncio.run(_load(server, steps, n, seconds, res))
                res.notes.append(
                    f"sessions:{n}: {tally.edits} edits and {tally.polls} save-line polls in {seconds:g} s; "
                    f"{tally.timeouts} runs timed out (> {RUN_TIMEOUT_S:g} s), {tally.reconnects} reconnects"
                    + (f" ({', '.join(sorted(set(tally.errors)))})" if tally.errors else ""))
            except Exception as exc:  # noqa: BLE001 - a bench notes what failed and goes on
                res.notes.append(f"sessions:{n}: failed: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        os.sched_setaffinity(0, own)
        server.stop()
    res.notes.append(
        f"sessions: app server on CPU {sorted(server_cpus)}, the sessions' clients on CPU {sorted(client_cpus)}"
        if server_cpus else "sessions: one CPU, shared by the server and the clients"
    )
    return res


if __name__ == "__main__":
    import statistics
    import tempfile

    out = run(Path(tempfile.mkdtemp()), sessions=10, seconds=15)
    for k, v in out.samples.items():
        print(k, len(v), round(statistics.median(v)), [round(x) for x in v][:20])
    print(out.notes)
