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
from dataclasses import dataclass, field
from functools import lru_cache

from logic.convert.printout_data import (
    _COMPARATOR,
    _NUMBER,
    _accepts,
    _fold_unit,
    _listed_for,
    _name_key,
    _tables,
    _Test,
)
from logic.entry import display_unit, printed_unit, shown_number
from logic.reference import analytes

_NOT_UNDERSTOOD, _AMBIGUOUS, _UNIT = "not_understood", "ambiguous", "unit"
_OTHER_TEST, _NO_VALUE = "other_test", "no_value"
_BULLET = re.compile(r"^\s*(?:[-*•·>]+|\d{1,2}[.)])\s+")
_DELIMITER = re.compile(r"[;|]|,(?=\s|$)")
_HEAD = re.compile(r"[:;|]|,(?=\s|$)")
_TOKEN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|[()\[\]]|[^\s()\[\]]+")
_X10 = re.compile(r"(?<![\w.])([x×])\s+(?=10)", re.IGNORECASE)
_FEU = re.compile(r"(?<=[a-z])\s*[({]?(feu)[)}]?(?!\w)", re.IGNORECASE)
_PLAIN = re.compile(rf"^(?P<cmp>{_COMPARATOR})?(?P<num>{_NUMBER})$")
_RANGE = re.compile(rf"^(?:{_NUMBER}\s*(?:-|–|to)\s*{_NUMBER}|{_COMPARATOR}\s*{_NUMBER})$", re.IGNORECASE)
_GRADE = re.compile(r"^(?:\d\+|\+{1,4})$")
_THOUSANDS = re.compile(r"^\d{1,3},\d{3}$")
_WORDS = re.compile(r"[^\W\d_]+|[+&]+", re.UNICODE)
_CONNECTORS = {"-", "–", "to"}
_PUNCTUATION = "()[]{}-–:.,;*#'\""
_COMPARATORS = {"<", ">", "<=", ">=", "≤", "≥", "=<", "=>"}
_SPELLED = {"≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}


@dataclass(frozen=True)
class _Found:
    """A result read from a segment, before it is dated and checked against the case contract."""

    analyte: str
    value: int | float | bool
    comparator: str | None
    unit: str | None  # the listed unit it is read in (None: a yes/no finding)
    printed_unit: str | None  # as printed (None: no unit printed)
    unit_source: str  # "printed", "unit_system" (none printed: the case's unit) or "none" (no unit applies)
    range: str | None
    flag: str | None
    segment: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Skip:
    """A segment (or a whole line) not read, and why."""

    kind: str
    reason: str
    segment: str


@dataclass
class _Tok:
    kind: str  # num, unit, badunit, range, flag, site, skip, word
    text: str
    number: int | float | None = None
    comparator: str | None = None
    unit: str | None = None  # listed unit (None for a unit no analyte takes)
    flag: str | None = None
    error: str | None = None
    printed_unit: str | None = None  # a unit printed straight after the number (0.0010^9/L)


@dataclass
class _Segment:
    name: str
    test: _Test | None
    qualifier: str
    body: str
    text: str
    delimited: bool  # a , ; or | ends it before the next name


@dataclass
class _Film:
    analyte: str
    kind: str  # "film" or "test"
    segment: str
    seen: bool = False
    grade: bool = False
    negated: bool = False
    positive: bool = False  # "positive" printed (with a negation: reads both ways)
    unknown: list[str] = field(default_factory=list)


def _show(text: str, limit: int = 60) -> str:
    s = " ".join(str(text).split())
    return repr(s if len(s) <= limit else s[: limit - 1] + "…")


def _label(analyte: str) -> str:
    return analytes()[analyte]["label"]


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


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of a short text, and the parts of it that are neither words nor punctuation (``'?'``)."""
    words, odd = [], []
    for part in text.lower().split():
        found = _WORDS.findall(part)
        words.extend(found)
        if not found and part.strip(_PUNCTUATION):
            odd.append(part)
    return words, odd


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


def _tokens(body: str, test: _Test) -> list[_Tok]:
    """The body of a segment as classified tokens (a range label takes the rest of the body)."""
    t = _tables()
    body = _FEU.sub(r"\1", _X10.sub(r"\1", body))
    raw = [m.group(0) for m in _TOKEN.finditer(body)]
    raw = [r if r[0] in "([" else _unpunctuated(r) for r in raw]
    raw = [r for r in raw if r]
    out: list[_Tok] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if tok in _COMPARATORS and _PLAIN.match(nxt) and not _PLAIN.match(nxt).group("cmp"):
            tok, i = tok + nxt, i + 1
        elif _PLAIN.match(tok) and nxt.lower() in _CONNECTORS and i + 2 < len(raw) and _PLAIN.match(raw[i + 2]):
            out.append(_Tok("range", f"{tok} {nxt} {raw[i + 2]}"))
            i += 3
            continue
        if tok.lower().rstrip(".:") in t.words["range_labels"] and not _PLAIN.match(tok):
            rest = raw[i + 1 :]
            if rest and rest[-1][0] == "[" and rest[-1][1:-1].isdigit():  # a site code after the range
                out.append(_Tok("site", rest.pop()))
            out.append(_Tok("range", " ".join(rest)))
            break
        out.append(_classify(tok, test, first=not out))
        i += 1
    return out


def _unpunctuated(tok: str) -> str:
    """A token without the punctuation of the sentence around it: ``'5.1.'`` -> ``'5.1'``, ``'.'`` and
    ``'='`` (``Hb = 68``) -> ``''``."""
    tok = tok.rstrip(",;:")
    tok = tok[:-1].rstrip(",;:") if tok.endswith(".") else tok
    return "" if tok == "=" else tok


def _number(tok: str, cmp: str | None, num: str) -> _Tok:
    if _THOUSANDS.match(num):
        return _Tok("num", tok, error=f"{_show(num)} has a comma: a thousands separator or a decimal comma?")
    if len(num) > 15:
        return _Tok("num", tok, error=f"{_show(num)} has too many digits to be a result")
    s = num.replace(",", ".")
    value: int | float = int(s) if s.isdigit() else float(s)
    return _Tok("num", tok, number=value, comparator=_SPELLED.get(cmp, cmp) if cmp else None)


def _classify(tok: str, test: _Test, first: bool) -> _Tok:
    t = _tables()
    low = tok.lower()
    if tok[0] in "([":
        return _group(tok, test, first)
    if _RANGE.match(tok) and not _PLAIN.match(tok):
        return _Tok("range", tok)
    if low in t.flags:
        return _Tok("flag", tok, flag=tok)
    if tok[0] == "^" and _PLAIN.match(tok[1:]):
        m = _PLAIN.match(tok[1:])
        found = _number(tok, m.group("cmp"), m.group("num"))
        found.flag = "^"
        return found
    m = _PLAIN.match(tok)
    if m:
        return _number(tok, m.group("cmp"), m.group("num"))
    folded = _fold_unit(tok)
    if folded in t.other_units or _listed_for(test, folded):  # a whole unit ('109/L') before a glued one
        return _Tok("unit", tok, unit=_listed_for(test, folded))
    m = t.glued_unit.match(folded)
    if m:
        found = _number(tok, m.group("cmp"), m.group("num"))
        found.unit = _listed_for(test, m.group("unit"))
        found.printed_unit = tok[len(m.group("cmp") or "") + len(m.group("num")) :]
        return found
    m = t.glued_flag.match(low)
    if m:
        found = _number(tok, m.group("cmp"), m.group("num"))
        found.flag = tok[len(m.group("cmp") or "") + len(m.group("num")) :]
        return found
    if low.rstrip(".") in t.words["ignore"]:
        return _Tok("skip", tok)
    if any(ch in tok for ch in "/%^*"):
        return _Tok("badunit", tok)
    return _Tok("word", tok)


def _group(tok: str, test: _Test, first: bool) -> _Tok:
    t = _tables()
    inner = tok[1:-1].strip()
    if tok.lower() in t.flags:
        return _Tok("flag", tok, flag=tok)
    if _RANGE.match(inner) or _range_with_unit(inner, test):
        return _Tok("range", inner)
    folded = _fold_unit(inner)
    if inner and (folded in t.other_units or _listed_for(test, folded)):
        return _Tok("unit", inner, unit=_listed_for(test, folded))
    if tok[0] == "[" and inner.isdigit():
        return _Tok("site", tok)
    if first and inner and (inner.lower() in t.words["qualifiers"] or t.tests.get(_name_key(inner)) == test):
        return _Tok("skip", tok)
    return _Tok("word", tok)


def _range_with_unit(inner: str, test: _Test) -> bool:
    """``130-170 g/L``, ``115 to 150 g/L``: a range with the unit after it."""
    parts = inner.split()
    for n in (1, 3):
        if len(parts) > n and _RANGE.match(" ".join(parts[:n])):
            unit = _fold_unit(" ".join(parts[n:]))
            return bool(_listed_for(test, unit)) or unit in _tables().other_units
    return False


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
    from logic.plausibility import unit_slip

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
    """:func:`logic.entry.printed_unit`, once per analyte, system and reference set."""
    return printed_unit(analyte, system, thresholds)


def _shown_unit(unit: str) -> str:
    return display_unit(unit) or "no unit"


def _units(analyte: str) -> list[str]:
    return [u for u in analytes()[analyte]["units"] if u != ""]


def _found(analyte: str, value: _Tok, unit: str, printed: str | None, source: str, common: dict, *notes: str) -> _Found:
    if source == "printed":
        from logic.plausibility import prompt, unit_slip

        slip = unit_slip(analyte, float(value.number), unit, value.comparator)
        notes = (*notes, prompt(slip)) if slip is not None else notes
    return _Found(analyte, value.number, value.comparator, unit, printed, source, notes=tuple(notes), **common)


def _yes_no(seg: _Segment, analyte: str, toks: list[_Tok]) -> _Film:
    t = _tables()
    kind = t.booleans[analyte]
    film = _Film(analyte, kind, seg.text)
    filler = t.words["film_filler" if kind == "film" else "test_filler"] | t.words["section"]
    words, odd = _words(seg.qualifier)
    film.unknown.extend(odd)
    for tk in toks:
        if tk.kind in ("range", "site", "skip"):
            continue
        if _GRADE.match(tk.text):
            film.grade = True
        elif tk.kind == "flag" and not tk.text.strip("-–"):
            film.unknown.append(tk.text)  # a minus: a low flag, or 'none'? It reads both ways
        elif tk.kind == "flag":
            continue
        elif tk.kind == "word" and tk.text[0] not in "([":
            words.extend(_WORDS.findall(tk.text.lower()) or [tk.text])
        else:
            film.unknown.append(tk.text)
    for w in words:
        if w in t.words["negation"]:
            film.negated = True
        elif w in t.words["grades"]:
            film.grade = True
        elif w in t.words["seen"]:
            film.seen = True
            film.positive = film.positive or w in ("positive", "pos")
        elif w not in filler:
            film.unknown.append(w)
    return film


def _resolve(parsed: list[_Found | _Skip | _Film], segments: list[_Segment]) -> list[_Found | _Skip]:
    """Film comments in one clause (no , ; | between them) are read together: a negation among several
    findings is refused (which one is not seen?)."""
    out: list[_Found | _Skip] = []
    i = 0
    while i < len(parsed):
        if not isinstance(parsed[i], _Film):
            out.append(parsed[i])
            i += 1
            continue
        j = i
        while j + 1 < len(parsed) and isinstance(parsed[j + 1], _Film) and not segments[j].delimited:
            j += 1
        group = parsed[i : j + 1]
        negated = any(f.negated for f in group)
        for f in group:
            out.append(_finding(f, negated and len(group) > 1, any(g.unknown for g in group)))
        i = j + 1
    return out


def _finding(f: _Film, shared_negation: bool, unclear: bool) -> _Found | _Skip:
    if unclear or f.unknown:
        return _Skip(_NOT_UNDERSTOOD, f"{', '.join(_show(w) for w in f.unknown) or 'the comment'} not understood "
                                    f"in a finding of {_label(f.analyte)}", f.segment)  # fmt: skip
    if shared_negation:
        return _Skip(_AMBIGUOUS, "a negation with more than one finding in one comment: which is not seen? "
                               "Write each on its own", f.segment)  # fmt: skip
    if f.negated and (f.grade or f.positive):
        return _Skip(_AMBIGUOUS, f"the comment reads both ways for {_label(f.analyte)}", f.segment)
    if f.kind == "test" and not (f.negated or f.seen or f.grade):
        return _Skip(_NO_VALUE, f"positive or negative is not printed for {_label(f.analyte)}", f.segment)
    value = not f.negated
    note = () if f.seen or f.negated or f.kind == "test" else (
        "graded: read as seen" if f.grade else "named in a film comment: read as seen",)
    return _Found(f.analyte, value, None, None, None, "none", None, None, f.segment, note)
