"""Test-wide settings: the app's case database is a throwaway SQLite file, never var/ and never a
server named in the developer's environment (store tests pass their own URLs)."""
import os
import tempfile

os.environ["COBALT_DATA_DIR"] = tempfile.mkdtemp(prefix="cobalt-tests-")
os.environ.pop("COBALT_DATABASE_URL", None)
# The page tests (AppTest) save at once; the browser tests' server saves as deployed (one version per burst).
os.environ["COBALT_SAVE_QUIET_S"] = "0"


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def shared_clinical():
    """The shared clinical folder (../shared/clinical), or a clear failure saying it is missing."""
    from tests.published import shared_file

    return shared_file("clinical/published_cases.json").parent
