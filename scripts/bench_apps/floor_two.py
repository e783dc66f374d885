"""The fair floor's two-page app, for the page-switch figures of `make bench`: the bare page, and the floor page (the
Case page's widgets on a bare page: scripts/bench_apps/floor.py)."""

from pathlib import Path

import streamlit as st

here = Path(__file__).parent
page = st.navigation(
    [
        st.Page(here / "bare.py", title="First", url_path="first", default=True),
        st.Page(here / "floor.py", title="Floor", url_path="floor"),
    ]
)
page.run()
