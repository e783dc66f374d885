"""Test-wide settings: the app's case database is a throwaway SQLite file, never var/ and never a
server named in the developer's environment (store tests pass their own URLs)."""
import os
import tempfile

os.environ["COBALT_DATA_DIR"] = tempfile.mkdtemp(prefix="cobalt-tests-")
os.environ.pop("COBALT_DATABASE_URL", None)
os.environ.pop("COBALT_REQUIRE_LOGIN", None)  # sign-in is off for the laptop default; tests that need it set it


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def shared_clinical():
    """The shared clinical folder (../shared/clinical), or a clear failure saying it is missing."""
    from tests.published import shared_file

    return shared_file("clinical/published_cases.json").parent
