"""A patient passed at launch (``?patient=ID`` on any page): taken out of the address at once and
handed to the Hospital record page, which opens. Called from app.py before the page runs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

RECORD_PAGE = Path(__file__).resolve().parents[1] / "app_pages" / "record.py"


def patient_at_launch() -> None:
    """Move ``?patient=`` from the address into the record page's field (never kept in the address)."""
    if "patient" not in st.query_params:
        return
    st.session_state["ehr_patient"] = st.query_params["patient"]
    st.session_state["ehr_fetch"] = None
    del st.query_params["patient"]
    st.switch_page(st.Page(RECORD_PAGE, url_path="record"))
