"""Argument types and output helpers shared by the commands."""

from __future__ import annotations

import argparse
import csv
import json
from datetime import date


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def day_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers of days separated by commas, e.g. 30,60,90; got {text!r}"
        ) from None


def header_mapping(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f'expected "HEADER=field", got {text!r}')
    header, field = text.rsplit("=", 1)
    return header.strip(), field.strip()


def write_rows(rows: list[dict], columns: list[str], fmt: str, out) -> None:
    """Rows as json, csv (every text cell made spreadsheet-safe) or an aligned table."""
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return
    if fmt == "csv":
        from creditdash.exports import safe_cell

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([safe_cell(r[c]) for c in columns])
        return
    cells = [["" if r[c] is None else str(r[c]) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)), file=out)
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)), file=out)


def write_figures(figures: dict, fmt: str, out) -> None:
    """A flat dict of figures as json or `key  value` lines."""
    if fmt == "json":
        json.dump(figures, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return
    width = max((len(k) for k in figures), default=0)
    for k, v in figures.items():
        print(f"{k.ljust(width)}  {'-' if v is None else v}", file=out)
