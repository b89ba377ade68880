"""The weekly review pack: one XLSX workbook, one self-contained HTML report, its PDF."""

from importlib import import_module as _import_module

# Imported on first use (PEP 562): a page that only wants `creditdash.report.labels` should
# not pay for the review's figures, the forecast and the PDF machinery behind these.
_HOMES = {
    "find_chromium": "creditdash.report.pdf",
    "html_to_pdf": "creditdash.report.pdf",
    "review_html": "creditdash.report.html",
    "review_pdf": "creditdash.report.pdf",
    "review_xlsx": "creditdash.report.xlsx",
}
__all__ = ["find_chromium", "html_to_pdf", "review_html", "review_pdf", "review_xlsx"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
