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
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

from scripts.bench_browser import ROOT, Results, Server


async def record(server: Server) -> dict[str, list[bytes]]:
    """What a browser sends for each step (new tab, paste the bench case, type B12 150, type 160):
    the ``rerun_script`` BackMsgs, recorded from one Chromium tab. The widget ids in them do not
    depend on the session, so every simulated session can send the same bytes."""
    from playwright.async_api import async_playwright
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from scripts import bench_browser as bb

    frames: list[bytes] = []
    steps: dict[str, list[bytes]] = {}

    def sent(payload) -> None:  # noqa: ANN001
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
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
    return steps


class Session:
    """One browser session as the server sees it: a websocket that sends what the browser sent."""

    def __init__(self, url: str):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)

    async def send(self, frames: list[bytes], timeout: float = 120) -> float:
        """Send each recorded BackMsg and wait for its run to finish; ms from the first send to the end."""
        t0 = time.perf_counter()
        for frame in frames:
            await self.ws.send(frame)
            await asyncio.wait_for(self._until_finished(), timeout)
        return (time.perf_counter() - t0) * 1000

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await self.ws.recv())
            if fm.WhichOneof("type") == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _user(session: Session, steps: dict[str, list[bytes]], seed: int, stop_at: float,
                felt: list[float]) -> None:
    rnd = random.Random(seed)
    i = 0
    while time.monotonic() < stop_at:
        felt.append(await session.send(steps[("150", "160")[i % 2]]))
        i += 1
        await asyncio.sleep(rnd.uniform(0.5, 1.5))


async def _load(server: Server, steps: dict[str, list[bytes]], n: int, seconds: float, res: Results) -> None:
    sessions = [Session(server.url) for _ in range(n)]
    try:
        for s in sessions:  # one after the other: the set-up is not what is measured
            await s.connect()
            await s.send(steps["open"] + steps["paste"])
        felt: list[float] = []
        start = time.time()
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_user(s, steps, k, stop_at, felt) for k, s in enumerate(sessions)))
        for r in server.runs(start, time.time()):
            res.add(f"server:{n}", r["ms"])
            res.add(f"gc:{n}", r.get("gc_ms"))
        for ms in felt:
            res.add(f"felt:{n}", ms)
    finally:
        for s in sessions:
            await s.close()


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
        steps = asyncio.run(record(server))
        for n in (1, sessions):
            try:
                asyncio.run(_load(server, steps, n, seconds, res))
            except Exception as exc:  # noqa: BLE001 - a bench notes what failed and goes on
                res.notes.append(f"sessions:{n}: {type(exc).__name__}: {str(exc)[:160]}")
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
