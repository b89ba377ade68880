"""PDFs of statements and letters printed by one headless chromium kept open.

`creditdash.report.pdf.html_to_pdf` starts a chromium per document, which
costs a second or more each; a dunning run or a bulk statement run prints
many. `PdfPrinter` starts chromium once and drives it through the DevTools
protocol over a pipe (`--remote-debugging-pipe`: JSON messages ended by NUL
on file descriptors 3 and 4, no network port): each document is written to
a temporary file, loaded, and printed with `Page.printToPDF`. Every read
waits at most TIMEOUT_S; a browser that stops answering is a coded error.

    with PdfPrinter() as printer:
        pdf = printer.print_html(statement_html(statement, "zh"))
        attachments = printer.print_all([letter_html(letter) for letter in letters])

`print_all` keeps several documents in flight, each in a tab of its own: a small
document's print mostly waits on the browser, so four at once take little longer than
one. A thousand statements to post print fastest as one document (`render.bulk_html`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from creditdash.errors import CreditDashError
from creditdash.report.pdf import find_chromium

TIMEOUT_S = 120
TABS = 4  # documents `PdfPrinter.print_all` has in flight at once


def _no_chromium() -> CreditDashError:
    return CreditDashError.coded(
        "error.pdf.no_chromium",
        "A PDF needs a chromium browser: install one (Debian: `apt-get install chromium "
        "fonts-noto-cjk`) or set BROWSER_PATH. The XLSX and HTML reports do not need it.",
    )


def _failed(output: str) -> CreditDashError:
    return CreditDashError.coded(
        "error.pdf.failed",
        "chromium could not print the PDF (exit code {status}): {output}",
        status=None,
        output=output,
    )


def _high(fds: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved to descriptors above 9, so that the shell's redirections to
    3 and 4 cannot overwrite one of them before it is copied."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved[0], moved[1]


class PdfPrinter:
    """A headless chromium printing HTML documents to PDF, one after another (not threads)."""

    def __init__(self, chromium: str | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.chromium = chromium
        self.timeout_s = timeout_s
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> PdfPrinter:
        browser = find_chromium(self.chromium)
        if browser is None:
            raise _no_chromium()
        self._tmp = tempfile.TemporaryDirectory(prefix="creditdash-print-")
        to_browser, self._write_end = _high(os.pipe())
        self._read_end, from_browser = _high(os.pipe())
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--remote-debugging-pipe",
            f"--user-data-dir={Path(self._tmp.name) / 'profile'}",
            "about:blank",
        ]
        # the browser reads commands on fd 3 and answers on fd 4: a small trampoline puts
        # the pipe's ends there (Debian's chromium is a shell script, and sh cannot redirect
        # descriptors above 9) and becomes the browser
        trampoline = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        self._proc = subprocess.Popen(
            [sys.executable, "-c", trampoline, str(to_browser), str(from_browser), browser,
             *args],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = bytearray()
        self._events: list[dict] = []
        self._next_id = 0
        self._count = 0
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})
            self._session = attached["sessionId"]
            self._call("Page.enable", {}, self._session)
            self._tabs: list[str] = []  # more tabs for `print_all`
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            self._send("Browser.close", {})
        for fd in (self._write_end, self._read_end):
            with contextlib.suppress(OSError):
                os.close(fd)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._tmp.cleanup()

    def print_html(self, html: str) -> bytes:
        """`html` printed to PDF (its own @page size and margins), as bytes."""
        if self._proc is None:
            raise RuntimeError("PdfPrinter is used outside its `with` block")
        self._count += 1
        page = Path(self._tmp.name) / f"doc{self._count}.html"
        page.write_text(html, encoding="utf-8")
        self._events = []
        self._call("Page.navigate", {"url": page.as_uri()}, self._session)
        self._event("Page.loadEventFired", self._session)
        options = {"printBackground": True, "preferCSSPageSize": True}
        data = self._call("Page.printToPDF", options, self._session)["data"]
        page.unlink()
        return base64.b64decode(data)

    def print_all(self, pages: Sequence[str], tabs: int = TABS) -> list[bytes]:
        """Each of `pages` printed to PDF as `print_html` prints it, in order, `tabs` at a
        time in tabs of this browser: a small document's print mostly waits on the
        browser, so several in flight take little longer than one."""
        if self._proc is None:
            raise RuntimeError("PdfPrinter is used outside its `with` block")
        while len(self._tabs) < min(tabs, len(pages)):
            self._tabs.append(self._new_tab())
        out: list[bytes] = [b""] * len(pages)
        waiting = list(enumerate(pages))[::-1]
        idle = self._tabs[: max(tabs, 1)]
        # A tab's load is known by the loader its navigation answers with: a tab may still
        # report the load of its first blank page.
        navigating: dict[int, tuple[str, int, Path]] = {}  # call id: (tab, page, file)
        loading: dict[str, tuple[str, int, Path]] = {}  # loader id: (tab, page, file)
        loaded: set[str] = set()  # loads seen before their navigation answered
        printing: dict[int, tuple[str, int, Path]] = {}  # call id: (tab, page, file)
        deadline = time.monotonic() + self.timeout_s

        def start_print(job: tuple[str, int, Path]) -> None:
            options = {"printBackground": True, "preferCSSPageSize": True}
            printing[self._send("Page.printToPDF", options, job[0])] = job

        while waiting or navigating or loading or printing:
            while waiting and idle:
                session, (index, html) = idle.pop(), waiting.pop()
                self._count += 1
                page = Path(self._tmp.name) / f"doc{self._count}.html"
                page.write_text(html, encoding="utf-8")
                call = self._send("Page.navigate", {"url": page.as_uri()}, session)
                navigating[call] = (session, index, page)
            message = self._read(deadline)
            if "error" in message:
                raise _failed(str(message["error"].get("message", message["error"])))
            params = message.get("params", {})
            if message.get("method") == "Page.lifecycleEvent" and params.get("name") == "load":
                if params.get("loaderId") in loading:
                    start_print(loading.pop(params["loaderId"]))
                else:
                    loaded.add(params.get("loaderId", ""))
            elif message.get("id") in navigating:
                job, loader = navigating.pop(message["id"]), message["result"].get("loaderId", "")
                if loader in loaded:
                    start_print(job)
                else:
                    loading[loader] = job
            elif message.get("id") in printing:
                session, index, page = printing.pop(message["id"])
                out[index] = base64.b64decode(message["result"]["data"])
                page.unlink()
                idle.append(session)
                deadline = time.monotonic() + self.timeout_s
        return out

    def _new_tab(self) -> str:
        """A blank tab reporting its pages' lifecycle: its DevTools session id."""
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})
        session = attached["sessionId"]
        self._call("Page.enable", {}, session)
        self._call("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
        return session

    # ------------------------------------------------------------ the protocol

    def _send(self, method: str, params: dict, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            written = os.write(self._write_end, data)
            data = data[written:]
        return self._next_id

    def _read(self, deadline: float) -> dict:
        # A big PDF arrives as one message of many chunks: each chunk is searched once and
        # appended in place, so reading it takes time in proportion to its size.
        scanned = 0
        while (end := self._buffer.find(b"\0", scanned)) < 0:
            scanned = len(self._buffer)
            left = deadline - time.monotonic()
            ready = select.select([self._read_end], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                raise CreditDashError.coded(
                    "error.pdf.timeout",
                    "chromium did not finish printing the PDF within {seconds} s.",
                    seconds=self.timeout_s,
                )
            chunk = os.read(self._read_end, 1 << 20)
            if not chunk:
                raise CreditDashError.coded(
                    "error.pdf.failed",
                    "chromium could not print the PDF (exit code {status}): {output}",
                    status=self._proc.poll() if self._proc else None,
                    output="the browser closed its pipe",
                )
            self._buffer += chunk
        raw = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return json.loads(raw)

    def _call(self, method: str, params: dict, session: str | None = None) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout_s
        while True:
            message = self._read(deadline)
            if "method" in message:  # an event arriving before the answer: kept for _event
                self._events.append(message)
                continue
            if message.get("id") != wanted:
                continue
            if "error" in message:
                raise _failed(str(message["error"].get("message", message["error"])))
            return message.get("result", {})

    def _event(self, name: str, session: str) -> None:
        def wanted(message: dict) -> bool:
            return message.get("method") == name and message.get("sessionId") == session

        seen, self._events = self._events, []
        if any(wanted(m) for m in seen):
            return
        deadline = time.monotonic() + self.timeout_s
        while not wanted(self._read(deadline)):
            pass
