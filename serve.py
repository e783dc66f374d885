"""Cobalt served with security headers: ``streamlit run serve.py`` (or any ASGI server: ``uvicorn serve:app``).

The same app as ``streamlit run app.py``, mounted with ``st.App`` so that every HTTP response carries the
headers of ui/security.py (Streamlit has no setting for them), and so that an error escaping a widget
callback is shown as a message with what to do next, never a traceback (``on_script_error``).
"""

import os
import signal

import streamlit as st
from starlette.middleware import Middleware

from ehr.smart_routes import smart_routes
from ui.saver import flush_all
from ui.security import SecurityHeaders


def _script_error(exc: Exception) -> bool:
    from ui.common import page_failed

    page_failed("this action", exc)
    return True  # the message above instead of Streamlit's own error box


def _terminate(signum: int, _frame) -> None:
    """A stop (systemd, Kubernetes, the tests' server) saves what sessions still hold first: under
    ``st.App`` a SIGTERM otherwise ends the process at once, before any exit handler, and the last
    second or two of edits (a burst not yet saved) would be lost."""
    flush_all(timeout=8.0)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


signal.signal(signal.SIGTERM, _terminate)

#: /launch and /launch/callback: the SMART EHR launch (ehr/smart_routes.py), answered before Streamlit's own routes
ROUTES = smart_routes()
app = st.App("app.py", routes=ROUTES, middleware=[Middleware(SecurityHeaders)], on_script_error=_script_error)
