"""Lab results from a hospital FHIR R4 server: search, follow the pages, map, and add what is chosen.

:func:`fetch_results` searches ``Observation?patient=ID&code=http://loinc.org|…&date=ge…&date=le…``
for every LOINC code Cobalt knows (``data/loinc.json``, in a few batches of codes), follows each
search's ``Bundle.link[next]`` pages, and reads every Observation with the FHIR Bundle reader of
:mod:`logic.convert.fhir` (the ``fhir.resources`` R4B models). It returns a :class:`Fetch`: every
result found, mapped to a case observation (with its ``source``: server, resource, fetched at) or
with the reason it could not be mapped. :func:`add_to_case` adds the chosen ones to a case document.

The patient identifier is used for the query only: it is in no returned value, no message and no
exception text (the URLs that carry it are never quoted). Any failure (server down, 401/403, a
time-out, a malformed Bundle, a paging loop or a page on another server) raises
:class:`ServerError` with a sentence a clinician can act on, and nothing is returned half-read.

httpx does the HTTP (imported when a search runs). No clock is read: ``fetched_at`` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from logic.case import CaseError, Problem, parse_case
from logic.case.json_input import InputError, loads
from logic.convert import ImportResult, analyte_for_loinc, loinc_map
from logic.convert.fhir import _fhir_entry, _fhir_models, _model_error
from logic.reference import analytes

#: A FHIR logical id (R4 ``id`` datatype): what a patient is searched by.
PATIENT_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
LOINC_SYSTEM = "http://loinc.org"
CODES_PER_SEARCH = 15
BASE_URL_ENV = "COBALT_FHIR_BASE_URL"
TOKEN_ENV = "COBALT_FHIR_TOKEN"


class Failure(StrEnum):
    """Why a search failed."""

    CONFIG = "config"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    HTTP = "http"
    MALFORMED = "malformed"
    PAGING = "paging"


class ServerError(Exception):
    """A search that failed; ``message`` says what happened and what to do. Nothing was imported."""

    def __init__(self, kind: Failure, message: str):
        self.kind = kind
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class ServerSettings:
    """The configured server (never typed by users): base URL, an optional bearer token, limits."""

    base_url: str
    token: str | None = None
    timeout_s: float = 10.0
    page_size: int = 50
    max_pages: int = 40

    def __post_init__(self) -> None:
        base = self.base_url.strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ServerError(
                Failure.CONFIG,
                f"the FHIR server address {base[:80]!r} is not an http(s) base URL such as "
                "https://fhir.hospital.example/fhir (set it in COBALT_FHIR_BASE_URL)",
            )
        object.__setattr__(self, "base_url", base)


def settings_from(env: Mapping[str, str], secrets: Mapping[str, Any] | None = None) -> ServerSettings | None:
    """The server from ``COBALT_FHIR_BASE_URL`` (and ``COBALT_FHIR_TOKEN``), else from the secrets'
    ``[fhir]`` table (``base_url``, ``token``); None when neither names one."""
    table = (secrets or {}).get("fhir") or {}
    base = env.get(BASE_URL_ENV) or table.get("base_url")
    if not base:
        return None
    token = env.get(TOKEN_ENV) or table.get("token") or None
    return ServerSettings(str(base), str(token) if token else None)


@dataclass(frozen=True)
class Found:
    """One result the server returned: as the record gives it, and what Cobalt makes of it.

    ``obs`` is the case observation (with ``source``) when it maps; else ``problem`` says why not.
    """

    resource: str
    date: str
    code: str
    value: str
    analyte: str | None = None
    obs: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def mapped(self) -> bool:
        return self.obs is not None

    @property
    def label(self) -> str:
        return analytes()[self.analyte]["label"] if self.analyte else "not mapped"


@dataclass(frozen=True)
class Fetch:
    """Every result found in the window, oldest first; no patient identifier is kept."""

    server: str
    fetched_at: str
    start: date | None
    end: date | None
    found: tuple[Found, ...]
    pages: int

    @property
    def mapped(self) -> tuple[Found, ...]:
        return tuple(f for f in self.found if f.mapped)

    @property
    def unmapped(self) -> tuple[Found, ...]:
        return tuple(f for f in self.found if not f.mapped)


# -- the search -------------------------------------------------------------------------------------


def known_codes() -> tuple[str, ...]:
    """Every LOINC code of ``data/loinc.json``, in map order."""
    return tuple(c["code"] for spec in loinc_map()["analytes"].values() for c in spec["codes"])


def check_patient_id(patient_id: str) -> str:
    """The identifier stripped, or :class:`ServerError` (the message does not repeat it)."""
    pid = (patient_id or "").strip()
    if not PATIENT_ID.fullmatch(pid):
        raise ServerError(
            Failure.CONFIG,
            "the patient identifier must be the record's FHIR patient id: 1 to 64 letters, digits, '-' or '.'",
        )
    return pid


def search_params(
    patient_id: str, codes: Iterable[str], start: date | None, end: date | None, count: int
) -> list[tuple[str, str]]:
    """The query of one search: patient, a list of LOINC codes, the date window (either end may be
    open), sorted by date."""
    params = [("patient", patient_id), ("code", ",".join(f"{LOINC_SYSTEM}|{c}" for c in codes))]
    if start is not None:
        params.append(("date", f"ge{start.isoformat()}"))
    if end is not None:
        params.append(("date", f"le{end.isoformat()}"))
    return params + [("_sort", "date"), ("_count", str(count))]


def _same_server(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc) and a.path.startswith(b.path)


def _where(settings: ServerSettings) -> str:
    return f"the hospital record server ({settings.base_url})"


def _get(
    client: Any, settings: ServerSettings, url: str, params: list[tuple[str, str]] | None
) -> tuple[dict[str, Any], datetime | None]:
    """One page as a JSON object, and the answer's ``Date`` header; every failure as a
    :class:`ServerError` that quotes no URL."""
    import httpx

    where = _where(settings)
    try:
        response = client.get(url, params=params)
    except httpx.TimeoutException:
        raise ServerError(
            Failure.TIMEOUT, f"{where} did not answer within {settings.timeout_s:g} s; try again later"
        ) from None
    except httpx.HTTPError as exc:  # connection refused, DNS, reset, protocol errors
        raise ServerError(
            Failure.UNREACHABLE,
            f"{where} could not be reached ({type(exc).__name__}); check that it is running and the address is right",
        ) from None
    status = response.status_code
    if status == 401:
        raise ServerError(
            Failure.UNAUTHORIZED,
            f"{where} refused the request (401: not signed in); Cobalt's access token is missing or expired",
        )
    if status == 403:
        raise ServerError(
            Failure.FORBIDDEN,
            f"{where} refused the request (403: not allowed); ask for read access to laboratory Observations",
        )
    if status == 404:
        raise ServerError(Failure.NOT_FOUND, f"{where} has no Observation search at this address (404)")
    if status >= 300:
        raise ServerError(Failure.HTTP, f"{where} answered with HTTP status {status}; nothing was imported")
    try:  # strict, as every JSON input (logic.case.json_input): nesting, NaN, keys given twice, lone surrogates
        body = loads(response.text)
    except InputError as exc:
        why = f"{where} did not answer with JSON ({exc.problems[0][1]}); nothing was imported"
        raise ServerError(Failure.MALFORMED, why) from None
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise ServerError(Failure.MALFORMED, f"{where} did not answer with a FHIR Bundle; nothing was imported")
    try:
        sent = parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError):
        sent = None
    return body, sent


def _page_entries(bundle: dict[str, Any], settings: ServerSettings) -> tuple[list[Any], str | None]:
    """The entries of one searchset page and its ``next`` link (checked with the R4B models)."""
    where = _where(settings)
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise ServerError(Failure.MALFORMED, f"{where} sent a Bundle whose entry is not a list; nothing was imported")
    Bundle, _ = _fhir_models()
    try:
        shell = Bundle.model_validate({k: v for k, v in bundle.items() if k != "entry"})
    except Exception as exc:  # any failure of the library is a malformed answer
        raise ServerError(
            Failure.MALFORMED, f"{where} sent a Bundle that is not valid FHIR R4 ({_model_error(exc)})"
        ) from None
    if shell.type != "searchset":
        raise ServerError(Failure.MALFORMED, f"{where} sent a {shell.type!r} Bundle, not search results")
    nexts = [link.url for link in shell.link or [] if link.relation == "next" and link.url]
    return entries, (str(nexts[0]) if nexts else None)


def _describe(resource: Any) -> tuple[str, str, str, str]:
    """(resource, date, code, value) as the record gives them, for the preview."""
    if not isinstance(resource, dict):
        return ("?", "", "", "")
    rid = resource.get("id")
    ref = f"{resource.get('resourceType', '?')}/{rid}" if rid else "no id"
    when = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start") or ""
    codings = (resource.get("code") or {}).get("coding") or []
    loinc = [c for c in codings if isinstance(c, dict) and c.get("system") == LOINC_SYSTEM]
    shown = loinc or [c for c in codings if isinstance(c, dict)]
    code = ", ".join(f"{c.get('code', '?')} {c.get('display') or ''}".strip() for c in shown[:2])
    q = resource.get("valueQuantity")
    if isinstance(q, dict):
        value = f"{q.get('comparator', '')}{q.get('value', '')} {q.get('code') or q.get('unit') or ''}".strip()
    elif "valueBoolean" in resource:
        value = str(resource["valueBoolean"]).lower()
    elif isinstance(resource.get("valueCodeableConcept"), dict):
        value = resource["valueCodeableConcept"].get("text") or "coded answer"
    elif "valueString" in resource:
        value = str(resource["valueString"])
    else:
        value = "no value"
    return ref, str(when)[:25], code[:120], value[:60]


def _read_entry(i: int, entry: Any, source: dict[str, str]) -> list[Found]:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    ref, when, code, value = _describe(resource)
    if isinstance(entry, dict) and isinstance(entry.get("search"), dict) and entry["search"].get("mode") == "include":
        return []  # an included resource (e.g. the Patient), not a search match: never read
    if not isinstance(resource, dict) or not resource.get("id"):
        return [Found(ref, when[:10], code, value, problem="has no resource id, so its origin could not be recorded")]
    named = {analyte_for_loinc(c) for c in re.findall(r"[0-9]+-[0-9]", code)} - {None}
    out = []
    for item in _fhir_entry(i, entry):
        if item.obs is None:
            analyte = next(iter(named)) if len(named) == 1 else None
            out.append(Found(ref, when[:10], code, value, analyte, problem=item.error or "not read"))
            continue
        obs = {**item.obs, "source": {**source, "resource": ref}}
        out.append(Found(ref, item.obs["date"], code, value, item.obs["analyte"], obs))
    return out


def fetch_results(
    settings: ServerSettings,
    patient_id: str,
    start: date | None,
    end: date | None,
    fetched_at: datetime | None,
    client: Any = None,
) -> Fetch:
    """Search the server for the patient's results in ``start``..``end`` (inclusive; None leaves
    that end open) and map them.

    ``fetched_at`` is recorded in each result's ``source``; None takes the time the server gave in
    its first answer's ``Date`` header (the command line's choice: logic reads no clock).
    ``client`` is an ``httpx.Client`` to use (tests pass one with a transport); by default one is
    made with the settings' time-out and bearer token. Raises :class:`ServerError`.
    """
    pid = check_patient_id(patient_id)
    if start is not None and end is not None and end < start:
        raise ServerError(Failure.CONFIG, f"the window ends ({end}) before it starts ({start})")
    source = {"server": settings.base_url, "fetched_at": ""}
    codes = known_codes()
    batches = [codes[i : i + CODES_PER_SEARCH] for i in range(0, len(codes), CODES_PER_SEARCH)]
    own = client is None
    if own:
        import httpx

        headers = {"Accept": "application/fhir+json"}
        if settings.token:
            headers["Authorization"] = f"Bearer {settings.token}"
        client = httpx.Client(timeout=settings.timeout_s, headers=headers, follow_redirects=False)
    found: list[Found] = []
    seen_ids: set[str] = set()
    pages = 0
    try:
        for batch in batches:
            url: str | None = f"{settings.base_url}/Observation"
            params: list[tuple[str, str]] | None = search_params(pid, batch, start, end, settings.page_size)
            visited: set[str] = set()
            while url is not None:
                pages += 1
                if pages > settings.max_pages:
                    raise ServerError(
                        Failure.PAGING,
                        f"{_where(settings)} sent more than {settings.max_pages} pages of results; "
                        "narrow the date window",
                    )
                body, sent = _get(client, settings, url, params)
                if not source["fetched_at"]:
                    when = fetched_at or sent
                    if when is None:
                        raise ServerError(
                            Failure.MALFORMED, f"{_where(settings)} sent no Date header; give the time of the fetch"
                        )
                    source["fetched_at"] = when.isoformat(timespec="seconds")
                entries, next_url = _page_entries(body, settings)
                for entry in entries:
                    rid = (entry.get("resource") or {}).get("id") if isinstance(entry, dict) else None
                    if rid is not None and rid in seen_ids:
                        continue  # the same result on two pages (or two searches) is read once
                    if rid is not None:
                        seen_ids.add(str(rid))
                    found.extend(_read_entry(len(found), entry, source))
                if next_url is not None:
                    if not _same_server(next_url, settings.base_url):
                        raise ServerError(
                            Failure.PAGING,
                            f"{_where(settings)} pointed its next page at another server; nothing was imported",
                        )
                    if next_url in visited:
                        raise ServerError(
                            Failure.PAGING, f"{_where(settings)} sent a page that links back to itself (a paging loop)"
                        )
                    visited.add(next_url)
                url, params = next_url, None
    finally:
        if own:
            client.close()
    found.sort(key=lambda f: (f.date, f.label, f.resource))
    return Fetch(settings.base_url, source["fetched_at"], start, end, tuple(found), pages)


# -- adding the chosen results to a case ------------------------------------------------------------


def _key(obs: dict[str, Any]) -> tuple:
    o = parse_case({"observations": [obs]}).observations[0]
    return (o.date, o.analyte, o.value, o.unit, o.comparator)


def add_to_case(base: dict[str, Any], fetch: Fetch, chosen: Iterable[str]) -> ImportResult:
    """``base`` with the chosen results (by resource, e.g. ``Observation/abc``) added, each with its
    ``source``. A result already in the case (same date, analyte, value, unit, comparator) is listed
    and not added twice; a chosen result that does not map is listed. ``CaseError`` if ``base`` is
    not a valid case document."""
    case = parse_case(base)
    existing = {(o.date, o.analyte, o.value, o.unit, o.comparator) for o in case.observations}
    wanted = set(chosen)
    added: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for f in fetch.found:
        if f.resource not in wanted:
            continue
        where = f"{f.resource} ({f.label}, {f.date})"
        if f.obs is None:
            problems.append(Problem(where, f"not imported: {f.problem}", f.resource))
            continue
        key = _key(f.obs)
        if key in existing:
            problems.append(Problem(where, "is already in the case; not added again", f.resource))
            continue
        existing.add(key)
        added.append(dict(f.obs))
    doc = dict(base)
    doc["observations"] = list(base.get("observations") or []) + added
    try:
        parse_case(doc)
    except CaseError as exc:  # cannot happen for mapped results; refuse whole rather than half-apply
        return ImportResult(base, tuple(exc.problems), 0, len(added), "fhir")
    return ImportResult(doc, tuple(problems), len(added), len(problems), "fhir")
