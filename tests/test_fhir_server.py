"""Import from a hospital FHIR R4 server (ehr/fhir.py, `convert --from-fhir`).

Failures are pinned with httpx's MockTransport (fast, exact); the import itself runs against a real
FHIR server, sekmet-fhir on 127.0.0.1 (tests/fhir_support.py).
"""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, date, datetime

import httpx
import pytest

from ehr.fhir import (
    Failure,
    ServerError,
    ServerSettings,
    add_to_case,
    fetch_results,
    known_codes,
    settings_from,
)
from logic.__main__ import main
from logic.case import parse_case
from tests.fhir_support import EXPECTED, MRN, WINDOW, FhirServer, observation

WHEN = datetime(2026, 11, 25, 9, 14, 3, tzinfo=UTC)
START, END = (date.fromisoformat(d) for d in WINDOW)
PID = "pat-0042"
BASE = "http://fhir.test/fhir"


def _bundle(entries=(), next_url=None, btype="searchset"):
    b = {"resourceType": "Bundle", "type": btype, "entry": list(entries)}
    if next_url:
        b["link"] = [{"relation": "next", "url": next_url}]
    return b


def _entry(rid, day="2026-11-05", loinc="777-3", value=45, unit="10*9/L"):
    res = {**observation(f"Patient/{PID}", day, loinc, value, unit), "id": rid}
    return {"fullUrl": f"{BASE}/Observation/{rid}", "resource": res, "search": {"mode": "match"}}


def _fetch(handler, **settings):
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return fetch_results(ServerSettings(BASE, **settings), PID, START, END, WHEN, client=client)


def _fails(handler, kind, **settings) -> str:
    with pytest.raises(ServerError) as err:
        _fetch(handler, **settings)
    assert err.value.kind == kind
    assert PID not in err.value.message  # the identifier never reaches a message
    return err.value.message


# -- the query -------------------------------------------------------------------------------------


def test_each_search_names_the_patient_the_known_loinc_codes_and_the_window():
    seen = []

    def handler(request):
        seen.append(request.url)
        return httpx.Response(200, json=_bundle())

    _fetch(handler)
    codes = [c for url in seen for c in url.params["code"].split(",")]
    assert sorted(codes) == sorted(f"http://loinc.org|{c}" for c in known_codes())
    for url in seen:
        assert url.path == "/fhir/Observation"
        assert url.params["patient"] == PID
        assert url.params.get_list("date") == ["ge2026-10-01", "le2026-11-30"]
        assert url.params["_sort"] == "date"


def test_every_next_page_is_followed_and_each_result_read_once():
    pages = {
        "p1": _bundle([_entry("a"), _entry("b", "2026-11-06")], f"{BASE}/Observation?page=2"),
        "p2": _bundle([_entry("b", "2026-11-06"), _entry("c", "2026-11-07")], f"{BASE}/Observation?page=3"),
        "p3": _bundle([_entry("d", "2026-11-08")]),
    }
    calls = {"n": 0}

    def handler(request):
        if "page" not in request.url.params:
            calls["n"] += 1
            return httpx.Response(200, json=pages["p1"] if calls["n"] == 1 else _bundle())
        return httpx.Response(200, json=pages[f"p{request.url.params['page']}"])

    fetch = _fetch(handler)
    assert [f.resource for f in fetch.found] == [f"Observation/{r}" for r in "abcd"]
    assert all(f.obs["source"]["fetched_at"] == "2026-11-25T09:14:03+00:00" for f in fetch.found)


def test_a_page_that_links_back_to_itself_is_a_paging_loop():
    loop = f"{BASE}/Observation?page=2"
    msg = _fails(lambda r: httpx.Response(200, json=_bundle([_entry("a")], loop)), Failure.PAGING)
    assert "loop" in msg


def test_more_pages_than_the_limit_stop_the_search():
    def handler(request):
        n = int(request.url.params.get("page", 1))
        return httpx.Response(200, json=_bundle([_entry(f"r{n}")], f"{BASE}/Observation?page={n + 1}"))

    assert "more than 3 pages" in _fails(handler, Failure.PAGING, max_pages=3)


def test_a_next_page_on_another_server_is_refused():
    bundle = _bundle([_entry("a")], "http://elsewhere.test/fhir/Observation?page=2")
    _fails(lambda r: httpx.Response(200, json=bundle), Failure.PAGING)


# -- failures: a clear message, nothing returned ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, Failure.UNAUTHORIZED, "401"),
        (403, Failure.FORBIDDEN, "403"),
        (404, Failure.NOT_FOUND, "404"),
        (500, Failure.HTTP, "500"),
        (302, Failure.HTTP, "302"),
    ],
)
def test_an_http_error_status_is_named(status, kind, words):
    outcome = {"resourceType": "OperationOutcome", "issue": [{"diagnostics": f"no access to Patient/{PID}"}]}
    assert words in _fails(lambda r: httpx.Response(status, json=outcome), kind)


def test_a_time_out_says_how_long_it_waited():
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    assert "within 2 s" in _fails(handler, Failure.TIMEOUT, timeout_s=2)


def test_a_server_that_is_down_is_unreachable():
    def handler(request):
        raise httpx.ConnectError(f"refused for {request.url}", request=request)

    assert "could not be reached" in _fails(handler, Failure.UNREACHABLE)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>proxy login</html>"),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"resourceType": "Patient", "id": "x"}),
        httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset", "entry": {"a": 1}}),
        httpx.Response(200, json={"resourceType": "Bundle", "type": "not-a-type"}),
        httpx.Response(200, json=_bundle(btype="collection")),
        httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset", "total": "many"}),
    ],
)
def test_a_malformed_answer_is_refused(answer):
    _fails(lambda r: answer, Failure.MALFORMED)


def test_a_bad_page_after_good_ones_returns_nothing():
    def handler(request):
        if "page" in request.url.params:
            return httpx.Response(200, text="garbage")
        return httpx.Response(200, json=_bundle([_entry("a")], f"{BASE}/Observation?page=2"))

    _fails(handler, Failure.MALFORMED)


@pytest.mark.parametrize("pid", ["", "a b", "x" * 65, "Patient/1", "1;drop", "é"])
def test_a_patient_id_that_is_not_a_fhir_id_is_refused_before_any_request(pid):
    def handler(request):
        raise AssertionError("no request may be sent")

    with pytest.raises(ServerError) as err:
        fetch_results(
            ServerSettings(BASE), pid, START, END, WHEN, client=httpx.Client(transport=httpx.MockTransport(handler))
        )
    assert err.value.kind == Failure.CONFIG


def test_the_longest_fhir_id_is_accepted():
    fetch = fetch_results(
        ServerSettings(BASE),
        "A-1." + "x" * 60,
        START,
        END,
        WHEN,
        client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=_bundle()))),
    )
    assert fetch.found == ()


@pytest.mark.parametrize("url", ["fhir.test/fhir", "ftp://fhir.test/fhir", "http://", "http://h/fhir?x=1"])
def test_a_configured_address_that_is_not_an_http_base_url_is_refused(url):
    with pytest.raises(ServerError) as err:
        ServerSettings(url)
    assert err.value.kind == Failure.CONFIG


def test_the_server_comes_from_the_environment_first_then_the_secrets():
    assert settings_from({}) is None
    assert settings_from({}, {"fhir": {"base_url": "https://s.test/fhir/", "token": "t"}}) == ServerSettings(
        "https://s.test/fhir", "t"
    )
    env = {"COBALT_FHIR_BASE_URL": "https://e.test/fhir", "COBALT_FHIR_TOKEN": "k"}
    assert settings_from(env, {"fhir": {"base_url": "https://s.test/fhir"}}) == ServerSettings(
        "https://e.test/fhir", "k"
    )


def test_without_a_given_time_the_servers_date_header_is_recorded():
    def handler(request):
        return httpx.Response(200, json=_bundle([_entry("a")]), headers={"Date": "Wed, 25 Nov 2026 09:14:03 GMT"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    fetch = fetch_results(ServerSettings(BASE), PID, None, None, None, client=client)
    assert fetch.fetched_at == "2026-11-25T09:14:03+00:00"
    assert fetch.found[0].obs["source"]["fetched_at"] == fetch.fetched_at


# -- a real FHIR server: sekmet-fhir on 127.0.0.1 --------------------------------------------------


@pytest.fixture(scope="module")
def server():
    srv = FhirServer().start().load_patient()
    yield srv
    srv.cleanup()


def _mapped(doc_or_found) -> list[tuple]:
    return sorted((o["analyte"], o["date"], o["value"], o.get("unit")) for o in doc_or_found)


def test_the_import_brings_in_exactly_the_mapped_results_with_their_source(server):
    fetch = fetch_results(ServerSettings(server.base_url, page_size=4), server.patient_id, START, END, WHEN)
    assert fetch.pages > 3  # several searches, and pages within them
    assert _mapped(f.obs for f in fetch.mapped) == EXPECTED
    assert sorted(f.resource for f in fetch.unmapped) == sorted(server.unmapped)
    problems = {f.analyte: f.problem for f in fetch.unmapped}
    assert "ukat/L" in problems["ldh"] and "sample haemolysed" in problems["mma"]
    base = {
        "format": "b12-case/1",
        "label": "Bed 4",
        "observations": [{"date": "2026-10-29", "analyte": "hemoglobin", "value": 7.9, "unit": "g/dL"}],
    }
    before = copy.deepcopy(base)
    result = add_to_case(base, fetch, [f.resource for f in fetch.found])
    assert base == before  # the open case is never changed in place
    assert result.imported == len(EXPECTED) and result.rejected == 2
    added = result.doc["observations"][1:]
    assert _mapped(added) == EXPECTED
    for o in added:
        assert o["source"]["server"] == server.base_url
        assert o["source"]["fetched_at"] == "2026-11-25T09:14:03+00:00"
        assert o["source"]["resource"].startswith("Observation/")
    text = json.dumps(result.doc)
    assert server.patient_id not in text and MRN not in text and "Testperson" not in text
    case = parse_case(result.doc)  # the reader accepts the source and writes it back unchanged
    assert case.to_dict()["observations"] == result.doc["observations"]


def test_only_the_ticked_results_are_added_and_none_twice(server):
    fetch = fetch_results(ServerSettings(server.base_url), server.patient_id, START, END, WHEN)
    platelets = [f.resource for f in fetch.mapped if f.analyte == "platelets"]
    once = add_to_case({"observations": []}, fetch, platelets[:2])
    assert [o["analyte"] for o in once.doc["observations"]] == ["platelets", "platelets"]
    twice = add_to_case(once.doc, fetch, platelets)
    assert twice.imported == len(platelets) - 2
    assert sum("already in the case" in p.message for p in twice.problems) == 2


def test_a_server_stopped_mid_import_changes_nothing():
    srv = FhirServer().start().load_patient()
    try:
        pages = {"n": 0}

        def stop_after_first_page(response):
            pages["n"] += 1
            if pages["n"] == 1:
                srv.stop()

        client = httpx.Client(event_hooks={"response": [stop_after_first_page]}, timeout=5)
        with pytest.raises(ServerError) as err:
            fetch_results(ServerSettings(srv.base_url, page_size=3), srv.patient_id, START, END, WHEN, client=client)
        assert err.value.kind == Failure.UNREACHABLE and pages["n"] == 1
        assert srv.patient_id not in err.value.message
    finally:
        srv.cleanup()


def test_a_server_that_wants_a_token_says_401_and_reads_with_it():
    srv = FhirServer(tokens=["ward-token"]).start().load_patient()
    try:
        with pytest.raises(ServerError) as err:
            fetch_results(ServerSettings(srv.base_url), srv.patient_id, START, END, WHEN)
        assert err.value.kind == Failure.UNAUTHORIZED
        fetch = fetch_results(ServerSettings(srv.base_url, token="ward-token"), srv.patient_id, START, END, WHEN)
        assert _mapped(f.obs for f in fetch.mapped) == EXPECTED
    finally:
        srv.cleanup()


# -- the command line ------------------------------------------------------------------------------


def _cli(argv, capsys) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_convert_from_fhir_prints_the_case_and_lists_the_unmapped(server, capsys, tmp_path):
    base = tmp_path / "case.json"
    base.write_text(json.dumps({"label": "Bed 4", "observations": []}))
    code, out, err = _cli(
        [
            "convert",
            str(base),
            "--from-fhir",
            server.base_url,
            "--patient",
            server.patient_id,
            "--since",
            WINDOW[0],
            "--until",
            WINDOW[1],
        ],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["label"] == "Bed 4" and _mapped(doc["observations"]) == EXPECTED
    assert {o["source"]["server"] for o in doc["observations"]} == {server.base_url}
    assert all(datetime.fromisoformat(o["source"]["fetched_at"]).tzinfo for o in doc["observations"])
    assert sorted(line.split()[2] for line in err.splitlines()) == sorted(server.unmapped)
    assert server.patient_id not in out + err


def test_convert_from_fhir_narrows_to_the_window_and_writes_other_formats(server, capsys):
    code, out, _ = _cli(
        [
            "convert",
            "--from-fhir",
            server.base_url,
            "--patient",
            server.patient_id,
            "--since",
            "2026-11-23",
            "--until",
            "2026-11-23",
            "--to",
            "csv",
        ],
        capsys,
    )
    assert code == 0
    assert sorted(out.splitlines()[1:]) == [
        "2026-11-23,b12,820,pg/mL,",
        "2026-11-23,mma,0.31,umol/L,",
        "2026-11-23,platelets,232,10^9/L,",
    ]


def test_convert_from_a_stopped_server_exits_2_with_nothing_on_stdout(capsys):
    srv = FhirServer()  # never started: nothing listens on its port
    code, out, err = _cli(["convert", "--from-fhir", srv.base_url, "--patient", "p1"], capsys)
    srv.cleanup()
    assert (code, out) == (2, "")
    assert "could not be reached" in err and "p1" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["convert"], "--from-fhir: missing"),
        (["convert", "--patient", "p1"], "--from-fhir: missing"),
        (["convert", "--from-fhir", BASE], "--patient: missing"),
        (["convert", "--from-fhir", BASE, "--patient", "p1", "--since", "1 Nov"], "--since"),
        (["convert", "--from-fhir", "not a url", "--patient", "p1"], "not an http(s) base URL"),
    ],
)
def test_convert_from_fhir_refuses_bad_options(argv, words, capsys):
    code, out, err = _cli(argv, capsys)
    assert (code, out) == (2, "") and words in err
