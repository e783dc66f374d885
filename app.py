"""Cobalt: vitamin B12 deficiency with thrombocytopenia, a bedside and teaching dashboard.

Entry point: page config, sign-in (on when the store is shared), navigation in workflow order,
the shared sidebar.
"""

from pathlib import Path

import streamlit as st

from ui.address import open_from_address
from ui.auth import require_sign_in
from ui.banner import status_banner
from ui.browser import browser_script
from ui.callbacks import run_interrupted
from ui.common import page_failed
from ui.launch import claim_launch, patient_at_launch
from ui.resume import resume_notice
from ui.session import sync_saved
from ui.sidebar import sidebar

st.set_page_config(
    page_title="Cobalt · B12 and platelets",
    page_icon=str(Path(__file__).parent / "docs" / "icon.png"),  # local file: no font CDN request
    layout="wide",
)

claim_launch()  # ?smart=TICKET from a SMART launch: out of the address, the verified launch into the session
require_sign_in()  # with sign-in on (a shared store): the sign-in screen, until the user is signed in

PAGES = Path(__file__).parent / "app_pages"  # not pages/: see README, "Layout"


def _page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(PAGES / f"{name}.py", title=title, icon=icon, url_path=name, default=default)


nav = {
    "Case": [
        _page("case", "Case", ":material/assignment:", default=True),
        _page("library", "Case library", ":material/folder_open:"),
        _page("record", "Hospital record", ":material/local_hospital:"),
    ],
    "Assess": [
        _page("diagnosis", "Diagnosis", ":material/biotech:"),
        _page("ttp", "TTP or B12?", ":material/compare_arrows:"),
    ],
    "Treat": [
        _page("regimen", "Regimen", ":material/vaccines:"),
        _page("recovery", "Recovery", ":material/monitoring:"),
    ],
    "Reference": [_page("evidence", "Article and evidence", ":material/menu_book:")],
}
page = st.navigation(nav)
patient_at_launch()  # ?patient=ID: out of the address, into the Hospital record page
# ?case=ID: a reload, a new tab or a bookmark reopens the case in the address, if it is this user's
address_problem = open_from_address()
run_interrupted()  # ui/callbacks.py: an edit whose callback the next request cut short is applied now
sync_saved()  # the sidebar's save line (ui/common._save_status) syncs again and writes the address
browser_script()
sidebar()
status_banner(address_problem)
resume_notice()  # ui/resume.py: back from a process that stopped, the last edit may be lost: said, with what is saved
try:
    page.run()
except Exception as exc:  # noqa: BLE001 - the page edge: a message and what to do next, never a traceback
    page_failed(page.title, exc)
