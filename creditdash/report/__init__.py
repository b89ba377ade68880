"""The weekly review pack: one XLSX workbook, one self-contained HTML report, its PDF."""

from creditdash.report.html import review_html
from creditdash.report.pdf import find_chromium, html_to_pdf, review_pdf
from creditdash.report.xlsx import review_xlsx

__all__ = ["find_chromium", "html_to_pdf", "review_html", "review_pdf", "review_xlsx"]
