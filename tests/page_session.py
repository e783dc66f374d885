"""AppTest setup and reads of the open case (one typed value in ui/session.py) for the page tests."""
from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from ui.session import SESSION_KEY, OpenCase


def open_doc(at: AppTest, doc: dict[str, Any]) -> None:
    """Before a first run: the session starts with ``doc`` open (an unsaved case)."""
    at.session_state[SESSION_KEY] = OpenCase(doc=doc)


def opened(at: AppTest) -> OpenCase:
    """The case open in the app's session."""
    return at.session_state[SESSION_KEY]


def open_file_box(at: AppTest) -> None:
    """Open the Case page's "Open or save a case file" box (drawn only while open, as a click on it does)."""
    at.session_state["case_file_box"] = True
    at.run()
