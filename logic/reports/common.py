"""What both printable documents share: dates in words, HTML escaping, the page style, and the PDF.

:func:`render_pdf` turns an HTML document into PDF bytes with WeasyPrint (imported only then; it
draws with Pango, no browser). Figures are inline SVG made by :mod:`logic.reports.svg`.
"""

from __future__ import annotations

from datetime import date
from html import escape

#: A4 pages, system fonts (no web font is fetched), tables that break cleanly across pages.
CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; color: #111;
       line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 4mm 0; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm 0; border-bottom: 1px solid #bbb; padding-bottom: 1mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 1.3mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
td.tick { width: 14mm; }
td.date { white-space: nowrap; width: 30mm; }
.fill td { height: 9mm; }
.fill td.label { width: 45mm; background: #f6f6f6; }
.small { font-size: 8.5pt; color: #444; }
.box { border: 1px solid #999; padding: 2mm 3mm; margin: 2mm 0; }
.critical { border-left: 4px solid #b00020; }
.warning { border-left: 4px solid #e08a00; }
.info { border-left: 4px solid #2a6fb0; }
ul { margin: 1mm 0 1mm 5mm; padding: 0; }
figure { margin: 2mm 0; }
"""


def day_words(d: date) -> str:
    """``Mon 2 Nov 2026``."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def long_day(d: date) -> str:
    """``Monday 2 November 2026``."""
    return f"{d:%A} {d.day} {d:%B %Y}"


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def page(title: str, body: str) -> str:
    """A whole HTML document with the shared style."""
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML document (WeasyPrint). Nothing outside the document is fetched: only
    ``data:`` URLs are allowed (no network, no local files)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
