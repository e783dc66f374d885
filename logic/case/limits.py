"""Input limits: the most a file or a case document given to Cobalt may hold.

One set, shared by the app's uploads and pasted text and by the command line (``assess`` and
``convert``). Beyond a limit the input is refused whole, with a message that names the limit;
every reader runs in time linear in its input within them. These are engineering bounds (work
and memory per request), not clinical thresholds: each is far above what a real file needs.
"""

from __future__ import annotations

#: Bytes in one file: an upload, a pasted document, or a file given to ``convert`` or ``assess``. 2 MB as the
#: app's file uploader counts them (Streamlit's ``server.maxUploadSize = 2``, 1 MB = 1,000,000 bytes in the
#: browser), so the uploader's own refusal ("File must be 2.0MB or smaller") and these messages name one
#: limit (issue 21: a file of 2,095,440 bytes, under 2 MiB, was refused by the uploader as over 2.0MB).
MAX_UPLOAD_BYTES = 2_000_000
#: Nesting of arrays and objects in a JSON file or a case document (a case document needs 3,
#: a FHIR Bundle of Observations about 8).
MAX_JSON_DEPTH = 64
#: Columns in the header of a CSV file (CSV wide: a date column and one per analyte and unit).
MAX_CSV_COLUMNS = 256
#: Characters in one CSV header cell (the longest analyte label with a unit is about 50).
MAX_HEADER_CELL_CHARS = 200
#: Lab results in one input: data rows of a CSV file (filled value cells of CSV wide), observations of
#: a case document. About the most a 2 MB file can carry.
MAX_ROWS = 50_000
#: Entries of a FHIR Bundle. Each is checked with the FHIR models (about 0.05 ms each); a Bundle of
#: Observations as Cobalt writes them holds about 3,000 in 2 MB.
MAX_FHIR_ENTRIES = 10_000


def size_text(size: int) -> str:
    """A size in bytes for a message, exact: ``2,097,153 bytes``."""
    return f"{size:,} bytes"


def limit_text(limit: int) -> str:
    """A byte limit for a message, in the uploader's units (1 MB = 1,000,000 bytes): ``2 MB (2,000,000 bytes)``."""
    mb = limit / 1_000_000
    shown = f"{mb:g} MB" if mb >= 1 else f"{limit / 1000:g} KB"
    return f"{shown} ({limit:,} bytes)"
