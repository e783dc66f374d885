"""Cobalt: vitamin B12 deficiency with thrombocytopenia, a bedside and teaching dashboard.

Entry point: page config, sign-in (on when the store is shared), navigation in workflow order,
the shared sidebar.
"""

from pathlib import Path

import streamlit as st

from ui.auth import require_sign_in
from ui.common import open_from_address, sidebar, status_banner
from ui.launch import patient_at_launch

st.set_page_config(
    page_title="Cobalt · B12 and platelets",
    page_icon=str(Path(__file__).parent / "docs" / "icon.png"),  # local file: no font CDN request
    layout="wide",
)

require_sign_in()  # with sign-in on (a shared store): the sign-in screen, until the user is signed in
open_from_address()  # ?case=ID: opens that case if it is this user's

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
sidebar()
status_banner()
page.run()
