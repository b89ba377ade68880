"""The weekly review pack: one XLSX workbook, one self-contained HTML report, its PDF."""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:  # what `__getattr__` imports on first use, for the type checker to see
    from creditdash.report.html import review_html
    from creditdash.report.pdf import find_chromium, html_to_pdf, review_pdf
    from creditdash.report.xlsx import review_xlsx

__all__ = ["find_chromium", "html_to_pdf", "review_html", "review_pdf", "review_xlsx"]


def __getattr__(name: str) -> object:
    # Imported on first use (PEP 562): a page that only wants `creditdash.report.labels` should
    # not pay for the review's figures, the forecast and the PDF machinery behind these.
    value: object
    if name in ("find_chromium", "html_to_pdf", "review_pdf"):
        from creditdash.report import pdf

        value = getattr(pdf, name)
    elif name == "review_html":
        from creditdash.report.html import review_html

        value = review_html
    elif name == "review_xlsx":
        from creditdash.report.xlsx import review_xlsx

        value = review_xlsx
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
