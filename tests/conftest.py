"""Test-wide settings: the app's case database is a throwaway SQLite file, never var/ and never a
server named in the developer's environment (store tests pass their own URLs)."""
import os
import tempfile

os.environ["COBALT_DATA_DIR"] = tempfile.mkdtemp(prefix="cobalt-tests-")
os.environ.pop("COBALT_DATABASE_URL", None)
os.environ.pop("COBALT_REQUIRE_LOGIN", None)  # sign-in is off for the laptop default; tests that need it set it
# The page tests (AppTest) save at once; the browser tests' server saves as deployed (one version per burst).
os.environ["COBALT_SAVE_QUIET_S"] = "0"
# A page that fails at its edge shows a message (ui/common.page_failed); in the page tests it also raises,
# so that AppTest's exception list holds it and a test cannot pass over a broken page.
os.environ["COBALT_PAGE_ERRORS"] = "raise"
# As serve.py does when the server starts: the libraries imported and frozen before any session (ui/perf.py).
from ui.perf import warm_up  # noqa: E402

warm_up()


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def shared_clinical():
    """The shared clinical folder (../shared/clinical), or a clear failure saying it is missing."""
    from tests.published import shared_file

    return shared_file("clinical/published_cases.json").parent


# -- hypothesis profiles for the property tests of hostile input (tests/test_fuzz.py) -------------
# The normal run keeps them short; `make fuzz` sets COBALT_FUZZ=1 for the long run (10,000 examples
# per property). Other hypothesis tests keep their own settings: these profiles are never loaded
# globally, only used as the fuzz tests' settings.
from hypothesis import HealthCheck, settings  # noqa: E402

_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                HealthCheck.large_base_example]
settings.register_profile("fuzz-quick", max_examples=200, deadline=None, suppress_health_check=_FUZZ_HEALTH)
settings.register_profile("fuzz", max_examples=10_000, deadline=None, suppress_health_check=_FUZZ_HEALTH,
                          print_blob=True)
FUZZ_PROFILE = "fuzz" if os.environ.get("COBALT_FUZZ") else "fuzz-quick"

# -- hypothesis profiles for the clinical property tests (TTP or B12?, what to test next) -------------
# Each property must hold over at least 2,000 generated cases: `make fuzz` (COBALT_FUZZ=1) runs them at
# 2,500 valid examples each; `make test` runs 300, so the whole suite stays fast. Cases an example cannot
# use are rejected with `assume` and do not count towards these numbers.
settings.register_profile("clinical-quick", max_examples=300, deadline=None, suppress_health_check=_FUZZ_HEALTH)
settings.register_profile("clinical", max_examples=2_500, deadline=None, suppress_health_check=_FUZZ_HEALTH,
                          print_blob=True)
CLINICAL_PROFILE = "clinical" if os.environ.get("COBALT_FUZZ") else "clinical-quick"
