"""What the SMART launch tests share: a patient in sekmet-fhir whose results are recent (dated from
today, so the launch's window of the last 30 days holds them), and the test EHR in front of it.

The picture is the teaching composite's B12 pseudo-TMA (data/cases/pseudo_tma_composite.json: Noël 2013's
medians), a few days old, plus one platelet count outside the window and another patient's result, which
the launch must never bring in.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.fhir_support import MRN, FhirServer, observation
from tests.smart_server import CLIENT_ID, SmartEHR

#: (days ago, LOINC, value, UCUM unit, extra Observation fields) of the launched patient
PICTURE = [
    (3, "2132-9", 80, "pg/mL", {}),  # B12
    (3, "718-7", 5.5, "g/dL", {}),  # haemoglobin
    (3, "787-2", 112, "fL", {}),  # MCV
    (3, "777-3", 73, "10*9/L", {}),  # platelets
    (3, "6690-2", 2.9, "10*9/L", {}),  # white cells
    (3, "751-8", 1.3, "10*9/L", {}),  # neutrophils
    (3, "60474-4", 13.1, "10*9/L", {}),  # reticulocytes, absolute
    (3, "2532-0", 7310, "U/L", {}),  # LDH
    (3, "1971-1", 2.4, "mg/dL", {}),  # indirect bilirubin
    (3, "2160-0", 0.9, "mg/dL", {}),  # creatinine
    (3, "6301-6", 1.1, "1", {}),  # INR
    (3, "4542-7", 10, "mg/dL", {"comparator": "<"}),  # haptoglobin below the assay's range
    (3, "800-3", None, None, {"valueBoolean": True}),  # schistocytes seen
    (3, "765-8", None, None, {"valueBoolean": True}),  # hypersegmented neutrophils
    (1, "777-3", 81, "10*9/L", {}),  # platelets again
]
#: Outside the 30-day window: never part of the launch's preview.
OLD = (45, "777-3", 250, "10*9/L")


def _obs(patient_ref: str, day: date, loinc: str, value, unit, extra: dict) -> dict:
    resource = observation(patient_ref, day.isoformat(), loinc, value, unit)
    if value is None:
        resource.pop("valueQuantity")
    elif "comparator" in extra:
        resource["valueQuantity"]["comparator"] = extra["comparator"]
    if "valueBoolean" in extra:
        resource["valueBoolean"] = extra["valueBoolean"]
    return resource


def load_launch_patient(fhir: FhirServer, today: date) -> str:
    """The launched patient (with the MRN of tests.fhir_support, which must never leak) and their results;
    another patient with a result of their own. Returns the patient's FHIR id."""
    patient = fhir.post({
        "resourceType": "Patient", "identifier": [{"system": "urn:mrn", "value": MRN}],
        "name": [{"family": "Launchperson", "given": ["Grace"]}], "birthDate": "1959-02-11",
    })  # fmt: skip
    ref = f"Patient/{patient['id']}"
    for ago, loinc, value, unit, extra in PICTURE:
        fhir.post(_obs(ref, today - timedelta(days=ago), loinc, value, unit, extra))
    ago, loinc, value, unit = OLD
    fhir.post(_obs(ref, today - timedelta(days=ago), loinc, value, unit, {}))
    other = fhir.post({"resourceType": "Patient", "name": [{"family": "Other"}]})
    fhir.post(_obs(f"Patient/{other['id']}", today - timedelta(days=2), "777-3", 12, "10*9/L", {}))
    fhir.other_id = other["id"]
    return patient["id"]


def smart_env(ehr: SmartEHR, app_url: str) -> dict[str, str]:
    """The app's environment for a launch from ``ehr`` (README, "Opening Cobalt from the hospital record")."""
    return {
        "COBALT_SMART_ISS": ehr.iss,
        "COBALT_SMART_CLIENT_ID": CLIENT_ID,
        "COBALT_SMART_REDIRECT_URI": f"{app_url}/launch/callback",
    }
