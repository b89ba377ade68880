"""The command line: `python -m creditdash COMMAND ...`.

Exit codes: 0 success, 1 a creditdash error (message printed), 2 bad usage,
3 data rejected (every problem printed, nothing written), 4 the audit trail
is broken (`audit --verify` prints the first broken entry).

Each command module (listed in `main._command_modules`) defines
`register(subparsers)`, which adds its commands and sets
`handler=function(args, ctx)` on each parser.
"""

from creditdash.cli.main import EXIT_ERROR, EXIT_REJECTED, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_ERROR", "EXIT_REJECTED", "EXIT_USAGE", "build_parser", "main"]
