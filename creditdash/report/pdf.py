"""The review pack as PDF: the HTML report printed by a headless chromium.

Chromium runs the inline plotly JavaScript, so the charts print as drawn;
with Debian's fonts-noto-cjk installed, Chinese text renders. `review_pdf`
prints the review's HTML report in the reader's language.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from creditdash.errors import CreditDashError
from creditdash.report.html import review_html
from creditdash.review.story import Review

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
TIMEOUT_S = 120


def find_chromium(explicit: str | None = None) -> str | None:
    """A chromium executable: `explicit`, $BROWSER_PATH, one on PATH, or /usr/bin/chromium."""
    for candidate in (explicit, os.environ.get("BROWSER_PATH")):
        if candidate and Path(candidate).is_file():
            return candidate
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def html_to_pdf(html: str, chromium: str | None = None) -> bytes:
    """The HTML printed to PDF (A4 landscape, as its print CSS says) by headless chromium."""
    browser = find_chromium(chromium)
    if browser is None:
        raise CreditDashError.coded(
            "error.pdf.no_chromium",
            "A PDF needs a chromium browser: install one (Debian: `apt-get install chromium "
            "fonts-noto-cjk`) or set BROWSER_PATH. The XLSX and HTML reports do not need it.",
        )
    with tempfile.TemporaryDirectory(prefix="creditdash-pdf-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=15000",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise CreditDashError.coded(
                "error.pdf.timeout",
                "chromium did not finish printing the PDF within {seconds} s.",
                seconds=TIMEOUT_S,
            ) from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise CreditDashError.coded(
                "error.pdf.failed",
                "chromium could not print the PDF (exit code {status}): {output}",
                status=done.returncode,
                output=" ".join(tail),
            )
        return out.read_bytes()


def review_pdf(review: Review, lang: str = "en", chromium: str | None = None) -> bytes:
    """The review pack as PDF: `review_html(review, lang=lang)` printed by chromium."""
    return html_to_pdf(review_html(review, lang=lang), chromium)
