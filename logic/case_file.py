"""A case document, or one observation, from untrusted input: the one reader for the app's case import
and paste and for ``python -m logic assess``; the importers of :mod:`logic.convert` check each row
with :func:`parse_observation`.

The text is read by :mod:`logic.json_input` (size, UTF-8, nesting, NaN and infinities, keys given
twice, lone surrogates and control characters) and the document by :func:`logic.case.parse_case`;
nothing is accepted in part.
"""

from __future__ import annotations

from typing import Any

from logic.case import CHECKED_NUMBERS, CaseError, Observation, Problem, _parse_observation, parse_case
from logic.json_input import InputError, decode, parse


def read_case_document(data: str | bytes) -> dict[str, Any]:
    """The case document in ``data`` (a file's bytes or pasted text), which :func:`parse_case` accepts.

    Raises :class:`CaseError` with every problem. Problems of the file as such (size, encoding,
    JSON syntax, nesting, a key given twice) have ``where == field == "file"``; the others name
    their place in the document as ``parse_case`` does.
    """
    try:
        doc, found = parse(decode(data), CHECKED_NUMBERS)
    except InputError as exc:
        doc, found = None, exc.problems
    if any(where == "file" for where, _ in found):  # the text as such; a JSON null goes on to parse_case
        raise CaseError([Problem(where, message, where) for where, message in found])
    parse_case(doc)  # names the text problems found above again, with the document's own
    return doc


def parse_observation(raw: Any, index: int = 0) -> Observation:
    """One observation checked as :func:`parse_case` checks each of a document's, without the
    document-wide checks (an importer checks the file's text whole first); :class:`CaseError` otherwise."""
    problems: list[Problem] = []
    obs = _parse_observation(index, raw, problems)
    if obs is None or problems:
        raise CaseError(problems)
    return obs
