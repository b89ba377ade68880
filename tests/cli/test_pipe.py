"""The command line stops quietly when its reader closes the pipe (`python -m creditdash ... | head`)."""

from __future__ import annotations

import subprocess
import sys

# the command prints far more than a pipe holds; its reader takes one line and leaves
SCRIPT = """
import creditdash.__main__ as entry

def chatty(argv=None, stdout=None):
    for i in range(200_000):
        print(f"row {i}")
    return 0

entry.main = chatty
raise SystemExit(entry.run())
"""


def test_a_closed_pipe_ends_the_command_without_a_traceback():
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.readline() == b"row 0\n"
    proc.stdout.close()
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
