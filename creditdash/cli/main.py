"""Parser assembly and dispatch for `python -m creditdash`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from functools import cached_property

from creditdash.errors import CreditDashError, ImportRejected
from creditdash.settings import Settings

EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 1, 2, 3


@dataclass
class Context:
    """What every command gets: the database URL, settings and where to print."""

    db_url: str
    settings: Settings
    out: object = field(default=sys.stdout)

    @cached_property
    def engine(self):
        from creditdash.store import open_store

        return open_store(self.db_url)

    @cached_property
    def ledger(self):
        from creditdash.store import load_ledger

        currency, cache = self.settings.reporting_currency, self.settings.ledger_cache
        return load_ledger(self.engine, currency, cache=cache)


def _command_modules() -> list:
    """The modules whose `register(subparsers)` adds their commands, in the order help lists them."""
    from creditdash.cli import audit, collections, core, forecast, report, risk, terms

    return [audit, collections, core, forecast, report, risk, terms]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m creditdash",
        description="creditdash: receivables, credit risk and cash forecasting.",
    )
    p.add_argument(
        "--db", help="database URL (default: CREDITDASH_DB_URL, else data/creditdash.sqlite)"
    )
    sub = p.add_subparsers(dest="command", required=True)
    for module in _command_modules():
        module.register(sub)
    return p


def main(argv: list[str] | None = None, stdout=None) -> int:
    out = stdout or sys.stdout
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        settings = Settings.from_env()
        ctx = Context(db_url=args.db or settings.db_url, settings=settings, out=out)
        return int(args.handler(args, ctx) or 0)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            print(problem, file=out)
        print(f"Rejected: {len(rejected.errors)} error(s); nothing was written.", file=out)
        return EXIT_REJECTED
    except CreditDashError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
