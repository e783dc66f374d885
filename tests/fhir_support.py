"""A real FHIR R4 server for the tests: sekmet-fhir (requirements-dev.txt) on 127.0.0.1.

:class:`FhirServer` starts ``sekmet serve`` on a free port with its SQLite database in a temporary
folder (simulator off), waits for ``/fhir/metadata``, and posts a Patient and a few weeks of
laboratory Observations (LOINC codes, UCUM units). With ``CI=true`` a missing sekmet is a failure,
never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SEKMET = Path(sys.executable).parent / "sekmet"
UCUM = "http://unitsofmeasure.org"
#: The record's patient identifier: it must never reach a stored case, a log or the address.
MRN = "MRN-4471-SECRET"

# (day, LOINC, value, UCUM unit) for the patient: a few weeks of B12, platelets, reticulocytes, LDH, MMA
SERIES = [
    ("2026-10-30", "2132-9", 105, "pg/mL"),
    ("2026-10-30", "13964-2", 0.92, "umol/L"),
    ("2026-10-30", "777-3", 38, "10*9/L"),
    ("2026-10-30", "17849-1", 0.8, "%"),
    ("2026-10-30", "2532-0", 2100, "U/L"),
    ("2026-11-05", "777-3", 45, "10*9/L"),
    ("2026-11-05", "17849-1", 2.5, "%"),
    ("2026-11-05", "2532-0", 1500, "U/L"),
    ("2026-11-09", "777-3", 92, "10*9/L"),
    ("2026-11-09", "17849-1", 6.1, "%"),
    ("2026-11-09", "2532-0", 900, "U/L"),
    ("2026-11-16", "777-3", 161, "10*9/L"),
    ("2026-11-16", "17849-1", 3.0, "%"),
    ("2026-11-16", "2532-0", 450, "U/L"),
    ("2026-11-23", "777-3", 232, "10*9/L"),
    ("2026-11-23", "2132-9", 820, "pg/mL"),
    ("2026-11-23", "13964-2", 0.31, "umol/L"),
]
#: What the import must bring in: (analyte, date, value, unit) for each of SERIES.
ANALYTE = {"2132-9": "b12", "13964-2": "mma", "777-3": "platelets", "17849-1": "reticulocytes_pct", "2532-0": "ldh"}
UNIT = {"10*9/L": "10^9/L"}
EXPECTED = sorted((ANALYTE[c], d, v, UNIT.get(u, u)) for d, c, v, u in SERIES)
WINDOW = ("2026-10-01", "2026-11-30")


def observation(patient_ref: str, day: str, loinc: str, value, unit: str, **extra) -> dict:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": f"{day}T08:30:00+00:00",
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }
    resource.update(extra)
    return {k: v for k, v in resource.items() if v is not None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_sekmet() -> None:
    if SEKMET.exists():
        return
    msg = f"{SEKMET} is missing: `make test` installs requirements-dev.txt (sekmet-fhir)"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


class FhirServer:
    """``sekmet serve`` on a free 127.0.0.1 port with SQLite in a temporary folder."""

    def __init__(self, tokens: list[str] | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="cobalt-fhir-"))
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/fhir"
        self.tokens = tokens
        self.proc: subprocess.Popen | None = None
        self.patient_id: str | None = None
        self.other_id: str | None = None
        self.unmapped: list[str] = []

    def start(self) -> FhirServer:
        need_sekmet()
        auth = {"server_auth": {"types": ["bearer"], "tokens": self.tokens}} if self.tokens else {}
        settings = {
            "base_url": self.base_url,
            "host": "127.0.0.1",
            "port": self.port,
            "data_dir": str(self.dir / "data"),
            "simulator": {"enabled": False},
            "own_private_key_path": str(self.dir / "keys" / "sekmet.pem"),
            **auth,
        }
        (self.dir / "settings.yaml").write_text(json.dumps(settings))  # JSON is YAML
        self.log = open(self.dir / "sekmet.log", "wb")
        self.proc = subprocess.Popen(
            [str(SEKMET), "serve", "-c", str(self.dir / "settings.yaml")],
            cwd=self.dir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.dir / "sekmet.log").read_text())
            try:
                with urllib.request.urlopen(f"{self.base_url}/metadata", timeout=2) as r:
                    if r.status == 200:
                        return self
            except urllib.error.HTTPError as exc:
                if exc.code == 401:  # an authenticated server answers: it is up
                    return self
                time.sleep(0.3)
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("sekmet did not answer /fhir/metadata within 60 s")

    def post(self, resource: dict) -> dict:
        req = urllib.request.Request(
            f"{self.base_url}/{resource['resourceType']}",
            data=json.dumps(resource).encode(),
            method="POST",
            headers={"Content-Type": "application/fhir+json"},
        )
        if self.tokens:
            req.add_header("Authorization", f"Bearer {self.tokens[0]}")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def load_patient(self) -> FhirServer:
        """The patient with SERIES, a few results that cannot be mapped, and noise outside the query."""
        patient = self.post(
            {
                "resourceType": "Patient",
                "identifier": [{"system": "urn:mrn", "value": MRN}],
                "name": [{"family": "Testperson", "given": ["Ada"]}],
                "birthDate": "1961-04-02",
            }
        )
        self.patient_id = patient["id"]
        ref = f"Patient/{self.patient_id}"
        for day, loinc, value, unit in SERIES:
            self.post(observation(ref, day, loinc, value, unit))
        # returned by the search but not mappable: a unit Cobalt does not accept, and a result with no value
        bad_unit = self.post(observation(ref, "2026-11-12", "2532-0", 7.5, "ukat/L"))
        no_value = self.post(
            observation(
                ref,
                "2026-11-20",
                "13964-2",
                None,
                "umol/L",
                valueQuantity=None,
                dataAbsentReason={"text": "sample haemolysed"},
            )
        )
        self.unmapped = [f"Observation/{bad_unit['id']}", f"Observation/{no_value['id']}"]
        # never returned: outside the window, another patient, a code Cobalt does not search for
        self.post(observation(ref, "2026-08-01", "777-3", 250, "10*9/L"))
        other = self.post({"resourceType": "Patient", "name": [{"family": "Other"}]})
        self.other_id = other["id"]
        self.post(observation(f"Patient/{other['id']}", "2026-11-05", "777-3", 99, "10*9/L"))
        self.post(observation(ref, "2026-11-05", "2345-7", 5.1, "mmol/L"))  # glucose
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log", None) is not None and not self.log.closed:
            self.log.close()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
