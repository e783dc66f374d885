"""Loaded only by the test server of test_interrupted_edit_flow.py (this folder first on its PYTHONPATH): every
document change of the Case page (``logic.case.entry.set_observation``) takes COBALT_TEST_SLOW_ENTRY_S seconds longer,
as on a busy machine, so the browser's next request reliably arrives while a widget callback is still running."""
import os
import time

_DELAY = float(os.environ.get("COBALT_TEST_SLOW_ENTRY_S") or 0)

if _DELAY > 0:
    import logic.case.entry

    _set_observation = logic.case.entry.set_observation

    def _slow_set_observation(*args, **kwargs):
        time.sleep(_DELAY)
        return _set_observation(*args, **kwargs)

    logic.case.entry.set_observation = _slow_set_observation
