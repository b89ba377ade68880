"""Servers the browser tests and the benchmark run: start a process, wait until its URL answers.

Shared by tests/e2e (the app, the OIDC provider) and bench/app.py, with the
chromium they drive.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(streamlit: Path, port: int, script: str = "serve.py") -> list[str]:
    """`streamlit run serve.py` (the app as `make run` serves it, or another `script`) headless
    on `port`, without file watcher or usage statistics."""
    command = [str(streamlit), "run", script, "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
    return command + ["--browser.gatherUsageStats", "false"]


@contextmanager
def running(
    command: Sequence[str],
    ready_url: str,
    log_path: Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 60,
    stop_timeout: float = 5,
) -> Iterator[subprocess.Popen]:
    """Run `command` until the block ends; enter once `ready_url` answers.

    Output goes to `log_path`. Raises RuntimeError with the log when the
    process exits or `ready_url` does not answer within `start_timeout` s.
    """
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(proc, command[0], ready_url, log_path, start_timeout)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_for(
    proc: subprocess.Popen, program: str, url: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{program} exited with {proc.returncode}: {_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError as err:
            if time.monotonic() > deadline:
                tail = _tail(log_path)
                raise RuntimeError(f"no answer from {url} after {timeout:.0f} s: {tail}") from err
            time.sleep(0.05)


def _tail(log_path: Path, chars: int = 4000) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
