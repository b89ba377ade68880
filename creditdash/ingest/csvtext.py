"""CSV bytes -> text -> a frame of text cells.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030 and
single-byte code pages, told apart with charset-normalizer. Rows keep
their line numbers: row i of the frame is line i + 1 of the file, title
lines included.
"""

from __future__ import annotations

import codecs
import csv
import io

import charset_normalizer
import pandas as pd

SCAN_LINES = 30
_EAST_ASIAN = (
    "gb",
    "hz",
    "big5",
    "cp9",
    "euc",
    "johab",
    "shift_jis",
    "iso2022",
    "utf_16",
    "utf_32",
)
_DELIMITERS = [",", "\t", ";", "|"]


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of CSV bytes: UTF-8 (with or without BOM), GBK/GB18030, others."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:262_144]
    if len(data) > len(sample) and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]
    for encoding in _guess_encodings(sample):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _guess_encodings(sample: bytes) -> list[str]:
    """Encodings to try, most likely first.

    charset-normalizer ranks the candidates; among equally good ones GB18030
    (a superset of GBK) and then cp1252 win, and a multi-byte East Asian
    guess (short Chinese files are often taken for Big5, EUC-KR or UTF-16)
    yields to GB18030 when that decodes too.
    """
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return ["gb18030"]
    best = matches[0]
    ties = [m.encoding for m in matches if m.chaos <= best.chaos + 0.01]
    order = [e for e in ("gb18030", "cp1252") if e in ties]
    if any(tag in best.encoding for tag in _EAST_ASIAN):
        order.append("gb18030")
    return [*order, best.encoding]


def read_csv_text(text: str, utf8: bytes | None = None) -> pd.DataFrame:
    """Every record of a CSV as text cells; row i is line i + 1 (title lines included).

    The fast path hands the rows below any ragged title lines to pyarrow;
    blank lines, ragged rows or quoted line breaks fall back to slower
    readers that keep the line numbering.
    """
    lines = [line.rstrip("\r") for line in text.split("\n", SCAN_LINES)[:SCAN_LINES]]
    if not any(line.strip() for line in lines):
        return pd.DataFrame()
    delimiter = sniff_delimiter(lines)
    head = list(csv.reader(lines, delimiter=delimiter))
    width = max(len(row) for row in head)
    skip = _title_lines(head, width)
    frame = None
    if "\n\n" not in text and "\n\r\n" not in text:
        frame = _read_fast(
            utf8 if utf8 is not None else text.encode("utf-8"), delimiter, skip, width
        )
        if frame is not None and skip:
            frame = pd.concat([_pad(head[:skip], width), frame], ignore_index=True)
    if frame is None:
        frame = _read_c(text, delimiter, width)
    if frame is None:
        frame = _pad(list(csv.reader(io.StringIO(text), delimiter=delimiter)), None)
    if len(frame) and text.endswith("\n") and (frame.iloc[-1] == "").all():
        frame = frame.iloc[:-1]
    return frame


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the widest consistent rows in the first lines."""
    best, best_score = ",", 0.0
    sample = [line for line in lines if line.strip()]
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        if modal < 2:
            continue
        score = modal * widths.count(modal) / len(widths)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _title_lines(head: list[list[str]], width: int) -> int:
    """How many leading lines are narrower than the table below them."""
    for i in range(len(head)):
        if all(len(row) == width for row in head[i:]):
            return i
    return len(head)


def _pad(rows: list[list[str]], width: int | None) -> pd.DataFrame:
    width = width if width is not None else max((len(r) for r in rows), default=0)
    padded = [row + [""] * (width - len(row)) for row in rows]
    return pd.DataFrame(padded, columns=range(width), dtype="str")


def _read_fast(data: bytes, delimiter: str, skip: int, width: int) -> pd.DataFrame | None:
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            engine="pyarrow",
            sep=delimiter,
            header=None,
            names=[str(i) for i in range(width)],
            skiprows=skip,
            dtype="str",
            keep_default_na=False,
        )
    except (pd.errors.ParserError, ValueError):
        return None
    frame.columns = range(width)
    return frame


def _read_c(text: str, delimiter: str, width: int) -> pd.DataFrame | None:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype="str",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError):
        return None
