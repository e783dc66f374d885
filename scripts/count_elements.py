"""How many elements a page makes the browser lay out (issue 13: drawing, not the server, is the cost).

    PYTHONPATH=. .venv/bin/python scripts/count_elements.py [diagnosis ttp regimen ...]

For each page named (script stems; default the three chart pages), in headless Chromium against
`streamlit run app.py`: on a blank case (what a cold load in scripts/bench_browser.py opens) and with
the bench's case open (what its edits and switches see), after the page is idle and drawn, the count of
Streamlit elements (`stElementContainer`), of "Why?" popovers, of every `data-testid="st…"` node and of
all DOM nodes. Not a benchmark: the same page gives the same counts on any machine.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Page,
    Server,
    go,
    key_of,
    new_context,
    open_bench_case,
    ready,
)

TITLES = {
    "case": ("Case", ""),
    "library": ("Case library", "library"),
    "record": ("Hospital record", "record"),
    "diagnosis": ("Diagnosis", "diagnosis"),
    "ttp": ("TTP or B12?", "ttp"),
    "regimen": ("Regimen", "regimen"),
    "recovery": ("Recovery", "recovery"),
    "evidence": ("Article and evidence", "evidence"),
}
COUNT_JS = """() => {
  const main = document.querySelector("[data-testid='stMain']") || document;
  return {
    elements: main.querySelectorAll("[data-testid='stElementContainer']").length,
    popovers: main.querySelectorAll("[data-testid='stPopover']").length,
    st_nodes: main.querySelectorAll("[data-testid^='st']").length,
    dom_nodes: main.querySelectorAll('*').length,
  };
}"""


async def count(stems: list[str]) -> list[tuple[str, str, dict]]:
    from playwright.async_api import async_playwright

    folder = Path(tempfile.mkdtemp(prefix="cobalt-count-"))
    server = Server(ROOT / "serve.py", folder)
    rows = []
    try:
        server.start()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = await new_context(browser)
            for stem in stems:
                page = await context.new_page()
                await page.goto(f"{server.url}/{TITLES[stem][1]}", wait_until="commit")
                await ready(page, key_of(stem), 0, 120_000)
                rows.append((stem, "blank case", await page.evaluate(COUNT_JS)))
                await page.close()
            page = await context.new_page()
            await open_bench_case(page, server.url)
            for stem in stems:
                await go(page, Page(stem, *TITLES[stem]))
                rows.append((stem, "bench case", await page.evaluate(COUNT_JS)))
            await browser.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return rows


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["diagnosis", "ttp", "regimen"]
    print(f"{'page':12s} {'case':11s} {'elements':>8s} {'popovers':>8s} {'st nodes':>8s} {'DOM nodes':>9s}")
    for stem, which, c in asyncio.run(count(wanted)):
        print(f"{stem:12s} {which:11s} {c['elements']:8d} {c['popovers']:8d} {c['st_nodes']:8d} {c['dom_nodes']:9d}")
