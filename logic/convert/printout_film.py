"""Film comments and yes/no tests on a printout line: ``occasional schistocytes``, ``fragments ++``,
``no hypersegmented neutrophils seen``, ``DAT positive``.

A film finding named in a comment is seen, a grade (occasional, few, +, 1+) is seen, a negation makes
it not seen (``cobalt_printout_reading``); a yes/no test needs positive or negative printed. Findings in
one clause (no ``,`` ``;`` ``|`` between them) are read together, and a negation among several of them
is refused: which one is not seen? Words that are not understood (``cannot be excluded``, ``?``) and a
minus (a low flag, or none?) leave the finding unread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logic.convert.printout_data import _tables
from logic.convert.printout_tokens import (
    _AMBIGUOUS,
    _GRADE,
    _NO_VALUE,
    _NOT_UNDERSTOOD,
    _WORDS,
    _Found,
    _label,
    _Segment,
    _show,
    _Skip,
    _Tok,
    _words,
)


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
