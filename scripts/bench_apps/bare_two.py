"""A bare two-page app (each page is the bare page) for the page-switch baseline of `make bench`."""

from pathlib import Path

import streamlit as st

here = Path(__file__).parent
page = st.navigation(
    [
        st.Page(here / "bare.py", title="First", url_path="first", default=True),
        st.Page(here / "bare_second.py", title="Second", url_path="second"),
    ]
)
page.run()
