"""The parts of a printout line: tokens (a value, a unit, a range, a flag, a site code, a word) and the two
outcomes of a segment (a result found, or skipped with why), shared by ``printout_line`` and
``printout_film``.

A token is classified from the recogniser's data (``printout_data``): ``x 10^9/L`` is one unit, ``130 -
170`` one range, ``0.0010^9/L`` a value with its unit glued on, ``0.9---`` a value with its flags, ``Ref:``
takes the rest of the segment as the range. A comma between three digits (``1,234``) is refused: a
thousands separator or a decimal comma?
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logic.convert.printout_data import _COMPARATOR, _NUMBER, _fold_unit, _listed_for, _name_key, _tables, _Test
from logic.reference import analytes

_NOT_UNDERSTOOD, _AMBIGUOUS, _UNIT = "not_understood", "ambiguous", "unit"
_OTHER_TEST, _NO_VALUE = "other_test", "no_value"
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


def _show(text: str, limit: int = 60) -> str:
    s = " ".join(str(text).split())
    return repr(s if len(s) <= limit else s[: limit - 1] + "…")


def _label(analyte: str) -> str:
    return analytes()[analyte]["label"]


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of a short text, and the parts of it that are neither words nor punctuation (``'?'``)."""
    words, odd = [], []
    for part in text.lower().split():
        found = _WORDS.findall(part)
        words.extend(found)
        if not found and part.strip(_PUNCTUATION):
            odd.append(part)
    return words, odd


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
