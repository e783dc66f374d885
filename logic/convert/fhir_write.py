"""A case's lab results written as a FHIR R4 ``collection`` Bundle of laboratory Observations coded with LOINC
(the reader: :mod:`logic.convert.fhir`, whose ``fhir.resources`` models check what is written)."""

from __future__ import annotations

from typing import Any

from logic.case import CaseError, Problem, parse_case
from logic.convert.fhir import _fhir_models, _model_error
from logic.convert.loinc import _system, loinc_for, loinc_map, ucum_for
from logic.reference import analytes


def _fhir_code(analyte: str, unit: str | None) -> dict[str, Any]:
    codings = []
    loinc = loinc_for(analyte, unit)
    if loinc is not None:
        codings.append({"system": _system("loinc"), "code": loinc["code"], "display": loinc["display"]})
    codings.append({"system": _system("cobalt"), "code": analyte, "display": analytes()[analyte]["label"]})
    return {"coding": codings, "text": analytes()[analyte]["label"]}


def _fhir_resource(o: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": _system("observation_category"), "code": "laboratory", "display": "Laboratory"}]}
        ],
        "code": _fhir_code(o.analyte, o.unit),
        "effectiveDateTime": o.date.isoformat(),
    }
    if isinstance(o.value, bool):
        answer = loinc_map()["present_absent"]["present" if o.value else "absent"]
        resource["valueCodeableConcept"] = {
            "coding": [{"system": _system("snomed"), "code": answer["snomed"], "display": answer["display"]}],
            "text": answer["display"],
        }
        return resource
    quantity: dict[str, Any] = {"value": o.value}
    if o.comparator:
        quantity["comparator"] = o.comparator
    if o.unit is not None:
        quantity.update({"unit": o.unit, "system": _system("ucum"), "code": ucum_for(o.analyte, o.unit)})
    resource["valueQuantity"] = quantity
    return resource


def to_fhir_bundle(case_doc: dict[str, Any]) -> dict[str, Any]:
    """The lab results as a FHIR R4 ``collection`` Bundle of laboratory Observations (JSON dict).

    Each Observation is coded with its LOINC code (``data/loinc.json``; the [Moles/volume] code
    for a molar unit) and Cobalt's own analyte code, dated by ``effectiveDateTime``, valued by
    ``valueQuantity`` in UCUM units (``comparator`` for a censored result) or, for a film finding,
    ``valueCodeableConcept`` SNOMED CT Present / Absent. No subject and no patient identifiers:
    the pseudonymous case label, if any, is the Bundle's ``identifier``. Checked with the
    fhir.resources R4B models (the same as R4 on the wire): the Bundle, and one Observation of each
    shape (analyte, unit, comparator, kind of value), which must come back from the model unchanged;
    the values themselves were checked by ``parse_case``. (Running the model over every entry took
    about 0.5 ms each: 14 s for a 2 MB case.) Raises ``CaseError`` for an invalid document.
    """
    import uuid  # here: uuid loads platform, which only the FHIR writer needs

    case = parse_case(case_doc)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if case.label and case.label.strip():  # a blank label (spaces only) is no FHIR string: left out
        bundle["identifier"] = {"system": _system("case_label"), "value": case.label}
    entries = []
    shapes: dict[tuple, dict[str, Any]] = {}  # one resource of each shape, to check with the model
    for o in sorted(case.observations, key=lambda o: o.index):
        name = f"{case.label or ''}|{o.index}|{o.date.isoformat()}|{o.analyte}|{o.value!r}|{o.unit}|{o.comparator}"
        full_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'cobalt:' + name)}"
        resource = _fhir_resource(o)
        shapes.setdefault((o.analyte, o.unit, o.comparator, type(o.value)), resource)
        entries.append({"fullUrl": full_url, "resource": resource})
    Bundle, Observation = _fhir_models()
    try:
        for resource in shapes.values():
            if Observation.model_validate(resource).model_dump(mode="json", exclude_none=True) != resource:
                raise ValueError(f"the FHIR model changes the Observation {resource['code']['text']!r}")
        shell = Bundle.model_validate({**bundle, "entry": entries[:1]}).model_dump(mode="json", exclude_none=True)
    except Exception as exc:  # a value parse_case accepts but the FHIR models refuse: the caller's error
        raise CaseError([Problem("document", f"cannot be written as FHIR: {_model_error(exc)}", "document")]) from None
    out = {k: v for k, v in shell.items() if k != "entry"}
    if entries:
        out["entry"] = entries
    return out
