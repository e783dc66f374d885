"""Reading untrusted JSON: the one strict reader behind every path that takes JSON text.

Used by ``python -m logic assess``, the importers (case document and FHIR Bundle) and the app's
file import and paste (:func:`logic.case.read_case_document`). It runs in time linear in its input
and refuses, with every problem at once (each a ``(where, message)`` pair):

- a file larger than :data:`logic.case.limits.MAX_UPLOAD_BYTES`, bytes that are not UTF-8 (a UTF-8
  byte-order mark is accepted and dropped, as are CRLF line ends; a second one is refused);
- nesting deeper than :data:`logic.case.limits.MAX_JSON_DEPTH` (checked before parsing);
- ``NaN``, ``Infinity`` and ``-Infinity`` (Python's json accepts them; JSON does not) and numbers
  too large for a double (``1e999``, a 5,000-digit integer), which would become infinite;
- a key given twice in one object (readers disagree on which one wins, so neither is taken);
- text holding a lone surrogate (not a character: it cannot be written as UTF-8) or a control
  character other than tab, line feed and carriage return (NUL included).

:func:`json_problems` is the same check for a value already in memory (``parse_case`` runs it on
every document it reads), so a document Cobalt accepts always writes as strict JSON.
"""

from __future__ import annotations

import json
import math
import re
import sys
from itertools import accumulate
from typing import Any

from logic.case.limits import MAX_JSON_DEPTH, MAX_UPLOAD_BYTES, limit_text, size_text

Path = tuple[str | int, ...]
#: Paths of numbers a caller checks itself, ``int`` standing for any index.
Checked = frozenset[tuple[Any, ...]]
#: What a check found: where (a JSON path such as ``observations[3].unit``, or ``file``) and what.
Found = tuple[str, str]

_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)  # never fails once started: linear
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_MAX_INT = int(sys.float_info.max)
_MAX_DIGITS = len(str(_MAX_INT))
_NOT_FINITE = {
    "nan": "is NaN, which is not a number JSON allows; write a number or null",
    "inf": "is Infinity or a number too large to be read (over about 1.8e308); write a finite number",
    "-inf": "is -Infinity or a number too large to be read (below about -1.8e308); write a finite number",
}


class InputError(ValueError):
    """JSON input refused: ``problems`` lists every ``(where, message)`` found."""

    def __init__(self, problems: list[Found]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{w}: {m}" for w, m in self.problems))


# -- bytes to text --------------------------------------------------------------------------------


def too_large(size: int) -> Found | None:
    """The problem with a file of ``size`` bytes, if it is over the limit."""
    if size <= MAX_UPLOAD_BYTES:
        return None
    return (
        "file",
        f"is {size_text(size)}; the limit is {limit_text(MAX_UPLOAD_BYTES)} (split the file, or export fewer results)",
    )


def decode(data: str | bytes | bytearray | memoryview) -> str:
    """The file as text: at most :data:`MAX_UPLOAD_BYTES`, UTF-8, one leading byte-order mark dropped.

    Text given as ``str`` is measured by its UTF-8 length (a lone surrogate counts as 3 bytes).
    """
    if isinstance(data, str):
        problem = too_large(len(data.encode("utf-8", "surrogatepass")))
        if problem:
            raise InputError([problem])
        return _one_bom(data[1:] if data.startswith("\ufeff") else data)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"text or bytes expected, got {type(data).__name__}")
    raw = bytes(data)
    problem = too_large(len(raw))
    if problem:
        raise InputError([problem])
    try:
        return _one_bom(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError([("file", f"is not UTF-8 text (byte {exc.start:,}); save it as UTF-8")]) from None


def _one_bom(text: str) -> str:
    """The text after its one byte-order mark: a second is a character (U+FEFF) before the content, which no
    reader takes (``assess`` refused it and ``convert`` dropped it: now both refuse it, in these words)."""
    if text.startswith("\ufeff"):
        raise InputError([("file", "starts with two byte-order marks (U+FEFF); save it as UTF-8 with one at most")])
    return text


# -- text to a value ------------------------------------------------------------------------------


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON text (brackets inside strings do not count); linear."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class _Strict:
    """json.loads hooks: NaN, infinities and numbers too large for a double are kept as the non-finite
    floats they are (:func:`json_problems` then names each by its place); keys given twice are noted."""

    def __init__(self) -> None:
        self.twice: dict[str, None] = {}

    @staticmethod
    def number(s: str) -> int | float:
        if "." in s or "e" in s or "E" in s:
            return float(s)  # inf when too large
        if len(s.lstrip("-")) <= _MAX_DIGITS:
            value = int(s)
            if abs(value) <= _MAX_INT:
                return value
        return -math.inf if s.startswith("-") else math.inf

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.twice[key] = None
                seen.add(key)
        return out

    def found(self) -> list[Found]:
        if not self.twice:
            return []
        keys = [repr(k[:40]) for k in list(self.twice)[:5]]
        more = f" and {len(self.twice) - 5:,} more" if len(self.twice) > 5 else ""
        which = "keys" if len(self.twice) > 1 else "key"
        return [
            (
                "file",
                f"gives the {which} {', '.join(keys)}{more} twice in one object; give each key once "
                "(which value was meant cannot be known)",
            )
        ]


def load(text: str) -> tuple[Any, list[Found]]:
    """``(value, problems)`` of the text as such: nesting, syntax, keys given twice. The value is None
    when the text cannot be read at all; :func:`json_problems` checks what it holds."""
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        return None, [("file", f"is nested {depth:,} levels deep; the limit is {MAX_JSON_DEPTH} levels")]
    strict = _Strict()
    try:
        value = json.loads(text, parse_float=strict.number, parse_int=strict.number, object_pairs_hook=strict.pairs)
    except json.JSONDecodeError as exc:
        return None, [("file", f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")]
    except RecursionError:  # cannot happen under the depth limit; kept as a safety net
        return None, [("file", f"is nested deeper than the limit of {MAX_JSON_DEPTH} levels")]
    return value, strict.found()


def parse(text: str, checked: Checked = frozenset()) -> tuple[Any, list[Found]]:
    """``(value, problems)``: :func:`load` and then :func:`json_problems` on the value; the value is
    usable only when the list is empty. ``checked`` as in :func:`json_problems`."""
    value, problems = load(text)
    if value is None and problems:
        return None, problems
    return value, problems + json_problems(value, checked)


def loads(text: str, checked: Checked = frozenset()) -> Any:
    """The JSON value of ``text``; :class:`InputError` with every problem otherwise."""
    value, problems = parse(text, checked)
    if problems:
        raise InputError(problems)
    return value


# -- a value in memory ----------------------------------------------------------------------------


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be kept (a lone surrogate or a control character), or None."""
    m = _BAD_TEXT.search(text)
    if m is None:
        return None
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"holds a lone surrogate (U+{code:04X}), which is not a character; save the file as UTF-8 text"
    return f"holds a control character (U+{code:04X}); remove it"


def path_text(path: Path) -> str:
    """``("observations", 3, "unit")`` -> ``observations[3].unit`` (odd keys quoted, shortened)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part[:40]!r}]"
    return out or "document"


_Node = tuple[Any, str | int] | None  # (parent node, key): a path built only when a problem names it


def _path(node: _Node) -> Path:
    parts: list[str | int] = []
    while node is not None:
        node, key = node
        parts.append(key)
    return tuple(reversed(parts))


def json_problems(value: Any, checked: Checked = frozenset()) -> list[Found]:
    """Every reason ``value`` would not write as strict JSON that reads back the same; linear, no recursion.

    Text (keys too) must pass :func:`text_problem`; numbers must be finite and within a double;
    only objects with text keys, arrays, text, numbers, true, false and null; nesting at most
    :data:`MAX_JSON_DEPTH`. ``checked`` holds the paths of numbers the caller checks itself, ``int``
    standing for any index: ``{("observations", int, "value")}``.
    """
    problems: list[tuple[Path, str]] = []
    deep = False
    stack: list[tuple[Any, _Node, int]] = [(value, None, 0)]
    pop, push = stack.pop, stack.append
    bad_text = _BAD_TEXT.search
    while stack:
        item, node, depth = pop()
        kind = type(item)
        if kind is str:
            if bad_text(item):
                problems.append((_path(node), text_problem(item) or ""))
        elif kind is dict or kind is list or kind is tuple:
            if depth >= MAX_JSON_DEPTH:
                if not deep:
                    problems.append((_path(node), f"is nested deeper than the limit of {MAX_JSON_DEPTH} levels"))
                deep = True
                continue
            depth += 1
            if kind is dict:
                pairs = list(item.items())
                for key, child in reversed(pairs):
                    if not isinstance(key, str):
                        problems.append((_path(node), f"has a key {key!r} that is not text"))
                    elif bad_text(key):
                        problems.append((_path((node, key)), f"the key {text_problem(key)}"))
                    else:
                        push((child, (node, key), depth))
            else:
                for i in range(len(item) - 1, -1, -1):
                    push((item[i], (node, i), depth))
        elif item is None or kind is bool:
            continue
        elif kind is float or kind is int or isinstance(item, (int, float)):  # subclasses too (an IntEnum...)
            finite = abs(item) <= _MAX_INT if isinstance(item, int) else math.isfinite(item)
            if not finite and not _matches(_path(node), checked):
                problems.append((_path(node), _not_finite(item)))
        elif isinstance(item, str):  # a StrEnum...
            if bad_text(item):
                problems.append((_path(node), text_problem(item) or ""))
        elif isinstance(item, (dict, list, tuple)):  # an OrderedDict...
            push((dict(item) if isinstance(item, dict) else list(item), node, depth))
        else:
            problems.append((_path(node), f"is a {kind.__name__} value, which JSON does not have"))
    return [(path_text(path), message) for path, message in problems]


def _matches(path: Path, checked: Checked) -> bool:
    return bool(checked) and tuple(int if isinstance(p, int) else p for p in path) in checked


def _not_finite(number: int | float) -> str:
    if isinstance(number, int):
        return _NOT_FINITE["inf" if number > 0 else "-inf"]
    return _NOT_FINITE[str(float(number))]
