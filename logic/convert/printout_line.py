"""One line of a printout (its dates already taken out): the tests it names and what each result reads as.

A line may hold one result (``Haemoglobin 68 g/L (130-170) L``, ``HGB,Blood  9.9 L  g/dL  14.0 - 17.0
[570]``, ``Haemoglobin  g/L  176  135 - 180``) or several (``Hb 68, Plt 38 x10^9/L``; a tab-separated
row). Each test name found starts a segment that runs to the next name (or to the last ``,`` ``;`` or
``|`` before it). A segment is read only when every part of it is understood: one value (a second
number that is not a range is refused), its unit, a reference range, flags, a site code; words that
are not understood, a unit that fits no analyte the name stands for, or a name that stands for two
analytes with no unit to decide between them, leave it unread with the reason. Text before the first
name must be a heading (``Bloods:``, ``Blood film:``). Film comments (``occasional schistocytes``,
``fragments ++``, ``no hypersegmented neutrophils seen``) are yes/no findings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from logic.case.entry import display_unit, printed_unit, shown_number
from logic.convert.printout_data import _accepts, _fold_unit, _name_key, _tables
from logic.convert.printout_film import _Film, _resolve, _yes_no
from logic.convert.printout_tokens import (
    _AMBIGUOUS,
    _GRADE,
    _NO_VALUE,
    _NOT_UNDERSTOOD,
    _OTHER_TEST,
    _UNIT,
    _Found,
    _label,
    _Segment,
    _show,
    _Skip,
    _Tok,
    _tokens,
    _words,
)
from logic.reference import analytes

_BULLET = re.compile(r"^\s*(?:[-*•·>]+|\d{1,2}[.)])\s+")
_DELIMITER = re.compile(r"[;|]|,(?=\s|$)")
_HEAD = re.compile(r"[:;|]|,(?=\s|$)")


def _read_line(text: str, unit_system: str | None, thresholds: str | None) -> list[_Found | _Skip]:
    """Every result on one line (dates taken out), each read or skipped with why."""
    t = _tables()
    text = _BULLET.sub("", text, count=1)
    matches = list(t.names.finditer(text))
    whole = text.strip()
    if not matches:
        return [_Skip(_NOT_UNDERSTOOD, "no test name Cobalt reads", whole)]
    head = text[: matches[0].start()]
    cut = _last(_HEAD, head, 0, len(head))
    heading, qualifier = (head[: cut.start()], head[cut.end() :]) if cut else ("", head)
    if heading.strip() and not _only(heading, t.words["section"]):
        return [_Skip(_NOT_UNDERSTOOD, f"the text before the first result is not understood: {_show(heading)}; "
                                     "nothing on this line was read", whole)]  # fmt: skip
    segments = []
    begin = cut.end() if cut else 0
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        stop, following, delimited = end, "", False
        last = _last(_DELIMITER, text, m.end(), end) if i + 1 < len(matches) else None
        if last is not None:
            stop, following, delimited = last.start(), text[last.end() : end], True
        segments.append(_Segment(m.group("name"), t.tests[_name_key(m.group("name"))], qualifier,
                                 text[m.end() : stop], text[begin:stop].strip(), delimited))  # fmt: skip
        qualifier, begin = following, (last.end() if delimited else end)
    return _resolve([_segment(s, unit_system, thresholds) for s in segments], segments)


def _last(pattern: re.Pattern, text: str, start: int, end: int) -> re.Match | None:
    found = None
    for found in pattern.finditer(text, start, end):  # noqa: B007 - the last one is wanted
        pass
    return found


def _only(text: str, allowed: frozenset[str]) -> bool:
    words, odd = _words(text)
    return not odd and all(w in allowed for w in words) and not any(ch.isdigit() for ch in text)


def _segment(seg: _Segment, unit_system: str | None, thresholds: str | None) -> _Found | _Skip | _Film:
    if seg.test is None:
        return _Skip(_OTHER_TEST, f"{_show(seg.name.strip())} is not a result Cobalt uses", seg.text)
    toks = _tokens(seg.body, seg.test)
    booleans = _tables().booleans
    plain = [tk for tk in toks if tk.kind == "num" and not _GRADE.match(tk.text)]
    flagged = [b for b in seg.test.analytes if b in booleans]
    if flagged and not plain:
        return _yes_no(seg, flagged[0], toks)
    return _numeric(seg, toks, unit_system, thresholds)


def _numeric(seg: _Segment, toks: list[_Tok], unit_system: str | None, thresholds: str | None) -> _Found | _Skip:
    t = _tables()
    if seg.qualifier.strip() and not _only(seg.qualifier, t.words["section"]):
        before = _show(seg.qualifier.strip())
        return _Skip(_NOT_UNDERSTOOD, f"{before} before {_show(seg.name)} is not understood", seg.text)
    words = [tk.text for tk in toks if tk.kind == "word"]
    if words:
        return _Skip(_NOT_UNDERSTOOD, f"{', '.join(_show(w) for w in words)} not understood", seg.text)
    bad = [tk.text for tk in toks if tk.kind == "badunit"]
    if bad:
        return _Skip(_UNIT, f"the unit {_show(bad[0])} is not one Cobalt recognises", seg.text)
    nums = [tk for tk in toks if tk.kind == "num"]
    if not nums:
        return _Skip(_NO_VALUE, f"no value printed for {_show(seg.name)}", seg.text)
    value, extra = nums[0], nums[1:]
    if value.error:
        return _Skip(_AMBIGUOUS, value.error, seg.text)
    if any(tk.comparator is None or tk.unit or tk.error for tk in extra):
        shown = ", ".join(_show(tk.text) for tk in nums)
        return _Skip(_AMBIGUOUS, f"more than one number ({shown}): which is the result?", seg.text)
    ranges = [tk.text for tk in toks if tk.kind == "range"] + [tk.text for tk in extra]
    flags = [tk.flag for tk in toks if tk.flag]
    units = [(tk.text, tk.unit) for tk in toks if tk.kind == "unit"]
    if value.printed_unit:
        units.append((value.printed_unit, value.unit))
    if len({u or _fold_unit(p) for p, u in units}) > 1:
        shown = " and ".join(_show(p) for p, _ in units)
        return _Skip(_AMBIGUOUS, f"two units printed ({shown}): which is the result's?", seg.text)
    numeric = [a for a in seg.test.analytes if a not in t.booleans]
    common = dict(range="; ".join(ranges) or None, flag=" ".join(flags) or None, segment=seg.text)
    if units:
        printed, listed = units[0]
        fits = [a for a in numeric if listed and _accepts(a, listed)]
        if not fits:
            allowed = "; ".join(f"{_label(a)}: {', '.join(map(_shown_unit, _units(a)))}" for a in numeric)
            why = f"{_show(printed)} is not a unit Cobalt reads for {_show(seg.name)} ({allowed})"
            return _Skip(_UNIT, why, seg.text)
        if len(fits) > 1:
            why = f"{_show(seg.name)} in {printed} could be {' or '.join(map(_label, fits))}"
            return _Skip(_AMBIGUOUS, why, seg.text)
        return _found(fits[0], value, listed, printed, "printed", common)
    if len(seg.test.analytes) > 1:
        could = " or ".join(_label(a) for a in seg.test.analytes)
        return _Skip(_AMBIGUOUS, f"no unit printed: {_show(seg.name)} could be {could}", seg.text)
    if not numeric:
        why = f"a number printed for a yes/no finding ({_label(seg.test.analytes[0])})"
        return _Skip(_NOT_UNDERSTOOD, why, seg.text)
    analyte = numeric[0]
    if _units(analyte) == ["1"]:
        return _found(analyte, value, "1", None, "none", common)
    if unit_system is None:
        return _Skip(_UNIT, "no unit printed, and no unit system was given to read it in", seg.text)
    unit = _printed_unit(analyte, unit_system, thresholds)
    from logic.case.plausibility import unit_slip

    slip = unit_slip(analyte, float(value.number), unit, value.comparator)
    if slip is not None:
        return _Skip(_AMBIGUOUS, f"no unit printed: {shown_number(float(value.number))} is unusual in "
                               f"{display_unit(unit)} (the case's unit) but ordinary in "
                               f"{display_unit(slip.suggested)}: which is it?", seg.text)  # fmt: skip
    if len(_units(analyte)) == 1:  # the only unit it has (fL): nothing was assumed
        return _found(analyte, value, unit, None, "unit_system", common)
    note = f"no unit printed: read in {display_unit(unit)}, the unit of the case's unit system"
    return _found(analyte, value, unit, None, "unit_system", common, note)


@lru_cache(maxsize=512)
def _printed_unit(analyte: str, system: str, thresholds: str | None) -> str | None:
    """:func:`logic.case.entry.printed_unit`, once per analyte, system and reference set."""
    return printed_unit(analyte, system, thresholds)


def _shown_unit(unit: str) -> str:
    return display_unit(unit) or "no unit"


def _units(analyte: str) -> list[str]:
    return [u for u in analytes()[analyte]["units"] if u != ""]


def _found(analyte: str, value: _Tok, unit: str, printed: str | None, source: str, common: dict, *notes: str) -> _Found:
    if source == "printed":
        from logic.case.plausibility import prompt, unit_slip

        slip = unit_slip(analyte, float(value.number), unit, value.comparator)
        notes = (*notes, prompt(slip)) if slip is not None else notes
    return _Found(analyte, value.number, value.comparator, unit, printed, source, notes=tuple(notes), **common)
