"""Reading a case document (``b12-case/1``) from untrusted input, with validation at the edge.

:func:`parse_case` either returns a :class:`~logic.case.model.Case` or raises :class:`CaseError` listing
*every* problem at once, each naming where it is (observation index, analyte, date) and what is wrong.
Nothing is partly applied. :func:`read_case_document` is the one reader of a file's bytes or pasted text
(the app's import and paste, ``python -m logic assess``): the text is read by :mod:`logic.case.json_input`
(size, UTF-8, nesting, NaN and infinities, keys given twice, lone surrogates and control characters),
then the document by :func:`parse_case`. The importers of :mod:`logic.convert` check each row with
:func:`parse_observation`. Contract: ``case-format.md``.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from logic.case.json_input import InputError, decode, json_problems, parse
from logic.case.limits import MAX_ROWS
from logic.case.model import (
    ADDED_FLAGS,
    CHECKED_NUMBERS,
    COMPARATORS,
    FORMAT,
    HISTORY_DATES,
    HISTORY_FLAGS,
    KNOWN_KEYS,
    PRODUCTS,
    ROUTES,
    SEXES,
    Case,
    CaseError,
    Dose,
    History,
    Observation,
    Patient,
    Problem,
)
from logic.case.provenance import parse_source
from logic.case.rules import date_issues, parse_iso_date, parse_regimen, parse_unit_system
from logic.case.units import UnitError, is_boolean, listed_unit, to_canonical
from logic.reference import analytes


def _tri(raw: Any) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    raise ValueError(f"must be true, false or null (not known), got {raw!r}")


def _number(raw: Any) -> float:
    """A finite number, kept as the int or float it was written as (for faithful round trips)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"must be a number, got {type(raw).__name__} {raw!r}")
    try:
        finite = math.isfinite(float(raw))
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        shown = raw if isinstance(raw, float) else f"{str(raw)[:12]}... ({len(str(raw))} digits)"
        raise ValueError(f"must be a finite number, got {shown}")
    if isinstance(raw, float) and raw == 0 and math.copysign(1.0, raw) < 0:
        # -0.0: a negative number (written so, or too small to be held: -6e-400), refused as negatives are
        raise ValueError("is negative (-0, or a negative number too small to be held, such as -6e-400)")
    return raw


def _parse_observation(i: int, raw: Any, problems: list[Problem]) -> Observation | None:
    where = f"observation {i}"
    key = f"observations[{i}]"
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"must be an object, got {type(raw).__name__}", key))
        return None
    before = len(problems)
    analyte = raw.get("analyte")
    name = analyte if isinstance(analyte, str) and analyte in analytes() else None  # the file's text, never raw
    obs_date: date | None = None
    try:
        obs_date = parse_iso_date(raw.get("date"))
    except ValueError as exc:
        problems.append(Problem(where + (f" ({name})" if name else ""), str(exc), key))
    shown = ", ".join(x for x in (name, obs_date.isoformat() if obs_date else None) if x)
    where = f"observation {i} ({shown})" if shown else where
    if not isinstance(analyte, str) or analyte not in analytes():
        known = ", ".join(analytes())
        problems.append(Problem(where, f"unknown analyte {analyte!r}; known analytes: {known}", key))
        return None
    spec = analytes()[analyte]
    value = raw.get("value")
    unit = raw.get("unit")
    comparator = raw.get("comparator")
    if comparator is not None and comparator not in COMPARATORS:
        problems.append(Problem(where, f"comparator {comparator!r} must be one of {' '.join(COMPARATORS)}", key))
    if unit is not None and not isinstance(unit, str):
        problems.append(Problem(where, f"unit must be text, got {type(unit).__name__}", key))
        unit = None
    source = None
    if raw.get("source") is not None:
        try:
            source = parse_source(raw["source"])
        except ValueError as exc:
            problems.append(Problem(where, str(exc), key))
    if is_boolean(analyte):
        if not isinstance(value, bool):
            problems.append(Problem(where, f"value must be true or false (seen / not seen), got {value!r}", key))
        if comparator is not None:
            problems.append(Problem(where, "a yes/no finding takes no comparator", key))
        if len(problems) > before or obs_date is None:
            return None
        return Observation(obs_date, analyte, value, None, None, i, value, source)
    try:
        number = _number(value)
    except ValueError as exc:
        problems.append(Problem(where, f"value {exc}", key))
        number = None
    if number is not None and number < 0:
        problems.append(Problem(where, f"value {number:g} is negative", key))
        number = None
    canonical = None
    listed = None
    if unit is None and spec["canonical"] != "1":
        problems.append(Problem(where, f"unit is missing; use one of: {', '.join(spec['units'])}", key))
    else:
        try:
            listed = listed_unit(analyte, unit)
        except UnitError as exc:
            problems.append(Problem(where, str(exc), key))
    if number is not None and listed is not None:
        canonical = to_canonical(analyte, number, listed)
        lo, hi = spec["min"], spec["max"]
        if not (lo <= canonical <= hi):
            shown = f"{number:g} {listed}".strip()
            problems.append(
                Problem(
                    where,
                    f"value {shown} is outside what a living patient can have "
                    f"({lo:g}-{hi:g} {spec['canonical']}); check the number and the unit",
                    key,
                )
            )
    if len(problems) > before or obs_date is None or canonical is None:
        return None
    return Observation(obs_date, analyte, number, listed if listed != "" else None, comparator, i, canonical, source)


def _parse_doses(raw: Any, problems: list[Problem]) -> tuple[Dose, ...]:
    """Doses recorded as given: ``[{"date", "dose_mcg", "route"?, "product"?}]`` (optional key)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem("doses", f"must be a list, got {type(raw).__name__}", "doses"))
        return ()
    out = []
    for i, item in enumerate(raw):
        where, key = f"dose {i}", f"doses[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, f"must be an object, got {type(item).__name__}", key))
            continue
        before = len(problems)
        try:
            when = parse_iso_date(item.get("date"))
            where = f"dose {i} ({when.isoformat()})"
        except ValueError as exc:
            problems.append(Problem(where, str(exc), key))
            when = None
        try:
            amount = _number(item.get("dose_mcg"))
            if not 0 < amount <= 10000:
                problems.append(Problem(where, f"dose_mcg {amount:g} is outside 0-10000 micrograms", key))
        except ValueError as exc:
            problems.append(Problem(where, f"dose_mcg {exc}", key))
            amount = None
        route = item.get("route", "IM")
        if route not in ROUTES:
            problems.append(Problem(where, f"route {route!r} must be one of {', '.join(ROUTES)}", key))
        product = item.get("product")
        if product is not None and product not in PRODUCTS:
            problems.append(Problem(where, f"product {product!r} must be one of {', '.join(PRODUCTS)}", key))
        if len(problems) == before and when is not None and amount is not None:
            out.append(Dose(when, amount, route, product, i))
    return tuple(sorted(out, key=lambda d: (d.date, d.index)))


def _parse_history(raw: Any, problems: list[Problem]) -> History:
    if raw is None:
        return History()
    if not isinstance(raw, dict):
        problems.append(Problem("history", f"must be an object, got {type(raw).__name__}", "history"))
        return History()
    kwargs: dict[str, Any] = {}
    for name in HISTORY_FLAGS + ADDED_FLAGS:
        try:
            kwargs[name] = _tri(raw.get(name))
        except ValueError as exc:
            problems.append(Problem(f"history.{name}", str(exc), f"history.{name}"))
    cm = raw.get("ileal_resection_cm")
    if cm is not None:
        try:
            cm = _number(cm)
            if cm < 0:
                raise ValueError(f"must not be negative, got {cm:g}")
            if cm > 700:
                raise ValueError(f"{cm:g} cm is longer than a small intestine; check the number")
            kwargs["ileal_resection_cm"] = cm
        except ValueError as exc:
            problems.append(Problem("history.ileal_resection_cm", str(exc), "history.ileal_resection_cm"))
    for name in HISTORY_DATES:
        raw_date = raw.get(name)
        if raw_date is not None:
            try:
                kwargs[name] = parse_iso_date(raw_date)
            except ValueError as exc:
                problems.append(Problem(f"history.{name}", str(exc), f"history.{name}"))
    return History(**kwargs)


def _parse_patient(raw: Any, problems: list[Problem]) -> Patient:
    if raw is None:
        return Patient()
    if not isinstance(raw, dict):
        problems.append(Problem("patient", f"must be an object, got {type(raw).__name__}", "patient"))
        return Patient()
    age = raw.get("age_years")
    sex = raw.get("sex")
    if age is not None:
        try:
            age = _number(age)
            if not 0 <= age <= 125:
                raise ValueError(f"{age:g} is not a possible age in years")
        except ValueError as exc:
            problems.append(Problem("patient.age_years", str(exc), "patient.age_years"))
            age = None
    if sex is not None and sex not in SEXES:
        problems.append(Problem("patient.sex", f"must be 'female', 'male' or null, got {sex!r}", "patient.sex"))
        sex = None
    return Patient(age, sex)


def parse_case(doc: Any, today: date | None = None) -> Case:
    """Read a case document; raise :class:`CaseError` with every problem found.

    With ``today`` (passed in: logic reads no clock), a result, dose, treatment start, symptom onset
    or ADAMTS13 sample dated after it is a problem; a symptom onset after the treatment start always is.
    """
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise CaseError([Problem("document", f"must be a JSON object, got {type(doc).__name__}", "document")])
    problems += [Problem(where, message, where) for where, message in json_problems(doc, CHECKED_NUMBERS)]
    fmt = doc.get("format", FORMAT)
    if fmt != FORMAT:
        problems.append(Problem("format", f"must be {FORMAT!r}, got {fmt!r}", "format"))
    label = doc.get("label")
    if label is not None and not isinstance(label, str):
        problems.append(Problem("label", f"must be text, got {type(label).__name__}", "label"))
        label = None
    if isinstance(label, str) and len(label) > 120:
        problems.append(Problem("label", f"is {len(label)} characters; keep it under 120", "label"))
    elif isinstance(label, str) and any(c in label for c in "\t\n\r\u2028\u2029"):
        problems.append(Problem("label", "must be one line (no line breaks or tabs)", "label"))
    patient = _parse_patient(doc.get("patient"), problems)
    history = _parse_history(doc.get("history"), problems)
    start = None
    if doc.get("treatment_start") is not None:
        try:
            start = parse_iso_date(doc["treatment_start"])
        except ValueError as exc:
            problems.append(Problem("treatment_start", str(exc), "treatment_start"))
    raw_obs = doc.get("observations")
    observations: list[Observation] = []
    if raw_obs is None:
        problems.append(Problem("observations", "is missing; give a list (it may be empty)", "observations"))
    elif not isinstance(raw_obs, list):
        problems.append(Problem("observations", f"must be a list, got {type(raw_obs).__name__}", "observations"))
    elif len(raw_obs) > MAX_ROWS:
        problems.append(Problem("observations", f"{len(raw_obs):,} results; the limit is {MAX_ROWS:,}", "observations"))
    else:
        for i, raw in enumerate(raw_obs):
            obs = _parse_observation(i, raw, problems)
            if obs is not None:
                observations.append(obs)
    doses = _parse_doses(doc.get("doses"), problems)
    regimen, issues = parse_regimen(doc.get("regimen"))
    unit_system, more = parse_unit_system(doc.get("unit_system"))
    issues += more + date_issues(observations, doses, history.symptom_onset, history.adamts13_sent, start, today)
    problems.extend(Problem(*issue) for issue in issues)
    if problems:
        raise CaseError(problems)
    extra = tuple((k, v) for k, v in doc.items() if k not in KNOWN_KEYS)
    return Case(
        tuple(observations), label, patient, history, start, FORMAT, extra, doses,
        regimen=regimen, unit_system=unit_system,
    )


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
