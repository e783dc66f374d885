"""Read back the markdown tables a page draws (ui.common.md_table) as pandas frames, for page tests."""

from __future__ import annotations

import re

import pandas as pd

_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_UNESCAPE = re.compile(r"\\(.)")


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def read_md_table(markdown: str, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    """A markdown table -> a frame of its cells as text (unescaped); the ``numeric`` columns as numbers."""
    lines = [line.strip() for line in markdown.strip().splitlines()]
    assert len(lines) >= 2 and set(lines[1].replace("|", "").replace(" ", "")) <= set("-:"), markdown[:200]

    def cells(line: str) -> list[str]:
        return [_UNESCAPE.sub(r"\1", c.strip()) for c in _CELL_SPLIT.split(line.strip().strip("|"))]

    columns = cells(lines[0])
    rows = [[_number(c) if col in numeric else c for col, c in zip(columns, cells(line), strict=False)]
            for line in lines[2:]]
    assert all(len(r) == len(columns) for r in rows), markdown[:200]  # zip above is not strict: checked here
    return pd.DataFrame(rows, columns=columns)


def md_tables(at, numeric: tuple[str, ...] = ()) -> list[pd.DataFrame]:
    """Every markdown table on an AppTest page, in order (``numeric``: see read_md_table)."""
    return [read_md_table(m.value, numeric) for m in at.markdown if m.value.lstrip().startswith("| ")]
