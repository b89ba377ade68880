import os
import sys

from creditdash.cli import main


def run() -> int:
    """`main()`, stopping quietly when the reader of the output goes away (`... | head`)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the rest of the output goes nowhere, so the flush at exit cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(run())
