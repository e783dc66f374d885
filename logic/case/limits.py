"""Input limits: the most a file or a case document given to Cobalt may hold.

One set, shared by the app's uploads and pasted text and by the command line (``assess`` and
``convert``). Beyond a limit the input is refused whole, with a message that names the limit;
every reader runs in time linear in its input within them. These are engineering bounds (work
and memory per request), not clinical thresholds: each is far above what a real file needs.
"""

from __future__ import annotations

#: Bytes in one file: an upload, a pasted document, or a file given to ``convert`` or ``assess``.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
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
    """A byte limit for a message: ``2 MB (2,097,152 bytes)``."""
    mb = limit / (1024 * 1024)
    shown = f"{mb:g} MB" if mb >= 1 else f"{limit / 1024:g} KB"
    return f"{shown} ({limit:,} bytes)"
