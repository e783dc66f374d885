"""The LOINC map (data/loinc.json): every code pinned, every analyte accounted for.

A change to a code, or to which code is written on export, must change the table below too:
that is the point. Codes come from LOINC (loinc.org); see the map's 'confidence' notes.
"""

import pytest

from logic.case.units import allowed_units, is_boolean
from logic.convert import analyte_for_loinc, loinc_for, loinc_map, resolve_analyte, ucum_for
from logic.reference import analytes, references

#: analyte -> LOINC codes accepted on import, the first written on export. () = no LOINC code used.
PINNED: dict[str, tuple[str, ...]] = {
    "b12": ("2132-9", "14685-2"),
    "holotc": ("72160-5",),
    "mma": ("13964-2",),
    "homocysteine": ("13965-9",),
    "folate": ("2284-8", "14732-2"),
    "hemoglobin": ("718-7",),
    "hematocrit": ("4544-3", "20570-8"),
    "mcv": ("787-2", "30428-7"),
    "platelets": ("777-3", "26515-7"),
    "wbc": ("6690-2", "26464-8"),
    "neutrophils": ("751-8", "26499-4", "753-4"),
    "reticulocytes_pct": ("17849-1", "4679-7"),
    "reticulocytes_abs": ("60474-4",),
    "ldh": ("2532-0", "14804-9"),
    "haptoglobin": ("4542-7",),
    "bilirubin_total": ("1975-2", "14631-6"),
    "bilirubin_indirect": ("1971-1", "14630-8"),
    "creatinine": ("2160-0", "14682-9", "38483-4"),
    "inr": ("6301-6", "34714-6"),
    "adamts13_activity": ("53622-7",),
    "potassium": ("2823-3", "6298-4"),
    "ferritin": ("2276-4",),
    "fibrinogen": ("3255-7",),
    "d_dimer": ("48065-7",),
    "dat_positive": ("1007-4",),
    "schistocytes_pct": (),
    "schistocytes_seen": ("800-3",),
    "hypersegmented_neutrophils": ("765-8",),
}

#: (analyte, unit) -> the code written on export: a molar result gets the [Moles/volume] code.
EXPORTED: list[tuple[str, str | None, str]] = [
    ("b12", "pg/mL", "2132-9"),
    ("b12", "ng/L", "2132-9"),
    ("b12", "pmol/L", "14685-2"),
    ("folate", "ng/mL", "2284-8"),
    ("folate", "nmol/L", "14732-2"),
    ("bilirubin_total", "mg/dL", "1975-2"),
    ("bilirubin_total", "umol/L", "14631-6"),
    ("bilirubin_indirect", "umol/L", "14630-8"),
    ("creatinine", "mg/dL", "2160-0"),
    ("creatinine", "umol/L", "14682-9"),
    ("platelets", "10^3/uL", "777-3"),
    ("inr", None, "6301-6"),
    ("schistocytes_seen", None, "800-3"),
    ("d_dimer", "ng/mL FEU", "48065-7"),
    ("fibrinogen", "g/L", "3255-7"),
]


def _check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check digit (the Luhn algorithm on the digits before the hyphen)."""
    number, check = code.split("-")
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(check)


def _codes(analyte: str) -> tuple[str, ...]:
    return tuple(entry["code"] for entry in loinc_map()["analytes"][analyte]["codes"])


def test_every_loinc_code_is_pinned():
    assert {a: _codes(a) for a in loinc_map()["analytes"]} == PINNED


def test_every_analyte_is_mapped_or_says_why_not():
    mapped = loinc_map()["analytes"]
    assert set(mapped) == set(analytes())
    for name, spec in mapped.items():
        if spec["codes"]:
            assert "no_loinc_code" not in spec, name
        else:
            assert len(spec.get("no_loinc_code", "")) > 40, f"{name}: say why no LOINC code is used"


@pytest.mark.parametrize("code", sorted({c for codes in PINNED.values() for c in codes}))
def test_every_code_passes_the_loinc_check_digit(code):
    assert _check_digit_ok(code), code


def test_check_digit_rule_catches_a_typo():
    assert _check_digit_ok("777-3")
    assert not _check_digit_ok("777-4")
    assert not _check_digit_ok("2132-8")


def test_no_code_is_read_as_two_analytes():
    seen: dict[str, str] = {}
    for analyte, codes in PINNED.items():
        for code in codes:
            assert code not in seen, f"{code} maps to {seen.get(code)} and {analyte}"
            seen[code] = analyte


@pytest.mark.parametrize("analyte", sorted(PINNED))
def test_every_alternate_code_is_read_back_as_its_analyte(analyte):
    for code in PINNED[analyte]:
        assert analyte_for_loinc(code) == analyte
        assert resolve_analyte(code) == analyte


def test_an_unknown_code_is_read_as_nothing():
    assert analyte_for_loinc("9999-9") is None
    assert analyte_for_loinc("14196-0") is None  # reticulocyte count of unconfirmed kind: not guessed


@pytest.mark.parametrize("analyte,unit,code", EXPORTED)
def test_export_writes_the_code_whose_property_fits_the_unit(analyte, unit, code):
    assert loinc_for(analyte, unit)["code"] == code


def test_schistocyte_percentage_has_no_loinc_code_on_export():
    assert loinc_for("schistocytes_pct", "%") is None


def test_every_code_has_its_loinc_long_name_and_units_the_analyte_accepts():
    for analyte, spec in loinc_map()["analytes"].items():
        for entry in spec["codes"]:
            assert entry["display"].strip(), entry["code"]
            assert set(entry["units"]) <= set(allowed_units(analyte)), (analyte, entry)


def test_every_accepted_unit_has_a_ucum_code():
    for analyte, spec in loinc_map()["analytes"].items():
        if is_boolean(analyte):
            assert spec["ucum"] == {}, analyte
        else:
            assert set(spec["ucum"]) == set(allowed_units(analyte)), analyte


def test_ucum_spells_powers_of_ten_with_a_star():
    assert ucum_for("platelets", "10^9/L") == "10*9/L"
    assert ucum_for("wbc", "10^3/uL") == "10*3/uL"
    assert ucum_for("inr", "1") == "{INR}"


def test_film_findings_are_coded_snomed_present_and_absent():
    pa = loinc_map()["present_absent"]
    assert (pa["present"]["snomed"], pa["absent"]["snomed"]) == ("52101004", "2667000")
    assert (pa["present"]["loinc_answer"], pa["absent"]["loinc_answer"]) == ("LA9633-4", "LA9634-2")


def test_the_map_names_its_sources():
    assert "loinc.org" in loinc_map()["source"]
    assert set(loinc_map()["refs"]) <= set(references())
    assert loinc_map()["systems"]["loinc"] == "http://loinc.org"
    assert loinc_map()["systems"]["ucum"] == "http://unitsofmeasure.org"
