"""Screenshots of every page with an example case, wide and phone-width, light and dark.

Usage: PYTHONPATH=. .venv/bin/python scripts/screenshots.py [OUT_DIR] [EXAMPLE] [PAGE ...]
Starts its own `streamlit run` on a free localhost port; needs /usr/bin/chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, wait_idle

PAGES = {
    "case": "Case",
    "diagnosis": "Diagnosis",
    "ttp": "TTP or B12?",
    "regimen": "Regimen",
    "recovery": "Recovery",
    "library": "Case library",
    "evidence": "Article and evidence",
}


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "var/screenshots")
    example = sys.argv[2] if len(sys.argv) > 2 else "pseudo_tma_plasmic4"
    wanted = sys.argv[3:] or list(PAGES)
    out.mkdir(parents=True, exist_ok=True)
    server = Server(Path(tempfile.mkdtemp(prefix="cobalt-shots-"))).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for scheme in ("light", "dark"):
                for name, size in (("wide", (1440, 2400)), ("phone", (390, 3600))):
                    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
                    page = ctx.new_page()
                    page.goto(server.url)
                    wait_idle(page)
                    _open_teaching_case(page, example)
                    for slug in wanted:
                        if not _navigate(page, PAGES[slug]):
                            continue
                        page.wait_for_timeout(800)
                        page.screenshot(path=str(out / f"{slug}-{name}-{scheme}.png"), full_page=True)
                    ctx.close()
            browser.close()
    finally:
        server.stop()
    print(f"screenshots in {out}")


def _open_teaching_case(page, example: str) -> None:
    _navigate(page, "Case library")
    page.get_by_role("tab", name="Teaching library").click()
    page.locator(f".st-key-lib_teach_{example} button").click()
    wait_idle(page)


def _navigate(page, title: str) -> bool:
    """Click the sidebar link (a new URL would start a new session and lose the case)."""
    link = page.get_by_role("link", name=title, exact=True)
    if link.count() == 0:
        return False
    phone = page.viewport_size["width"] < 700
    if phone:  # the sidebar is folded away on a phone
        page.locator("[data-testid='stExpandSidebarButton']").first.click()
        page.wait_for_timeout(400)
    link.first.click()
    wait_idle(page)
    if phone and page.locator("[data-testid='stSidebarCollapseButton']").count():
        page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()
        page.wait_for_timeout(300)
    return True


if __name__ == "__main__":
    main()
