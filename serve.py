"""Cobalt served with its gate and security headers: ``streamlit run serve.py`` (or ``uvicorn serve:app``).

The same app as ``streamlit run app.py``, mounted with ``st.App`` so that, before Streamlit sees a request,
ui/gate.py checks the sign-in around Streamlit's own endpoints (case files under ``/media/`` only for
the signed-in user they were made for, uploads only into the uploader's own session, ended sign-ins
taken off, sign-out recorded for every process), every HTTP response carries the headers of
ui/security.py (Streamlit has no setting for them), and an error escaping a widget callback is shown
as a message with what to do next, never a traceback (``on_script_error``).
"""

import os
import signal
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from ehr.smart_routes import smart_routes
from ui.gate import AccessGate
from ui.perf import warm_up
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

@asynccontextmanager
async def _lifespan(_app):
    """The server has started and takes no connection yet: the libraries are imported and frozen with what the
    server made, before any browser session exists (ui/perf.py)."""
    warm_up()
    yield


#: /launch and /launch/callback: the SMART EHR launch (ehr/smart_routes.py), answered before Streamlit's own routes
ROUTES = smart_routes()
# The first middleware sees a request first: headers on every answer, the gate's refusals included.
app = st.App(
    "app.py",
    routes=ROUTES,
    lifespan=_lifespan,
    middleware=[Middleware(SecurityHeaders), Middleware(AccessGate)],
    on_script_error=_script_error,
)
