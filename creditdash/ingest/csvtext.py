"""CSV bytes -> text -> a frame of text cells.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030,
Windows-1252 / Latin-1 and other single-byte code pages: a legacy file is
read as GB18030 or cp1252 when that gives plausible Chinese or Western
text, else as charset-normalizer ranks it. Delimiters: comma, semicolon
(German Excel, SAP), tab or bar. Rows keep their line numbers: row i of the
frame is line i + 1 of the file, title lines included.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

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
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_INSIDE_WORD = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f](?=[A-Za-z])")
# what Western European text holds beyond ASCII: Latin-1 and cp1252 letters and signs
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŠšŒœŽžŸƒ"
    "€£¥¢§°µ«»‘’‚“”„–—…•·×÷©®™±²³¹¼½¾¿¡ªº\xa0"
)


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


def _guess_encodings(sample: bytes) -> Iterator[str]:
    """Encodings to try, most likely first.

    GB18030 (a superset of GBK) when the sample reads as common Chinese, then
    cp1252 (Latin-1's letters, plus € and curly quotes) when it reads as
    Western European text: German text read as GBK, or Chinese read as
    cp1252, decodes without error but is not plausible. Otherwise
    charset-normalizer ranks the candidates; among equally good ones GB18030
    and then cp1252 win, and a multi-byte East Asian guess (short Chinese
    files are often taken for Big5, EUC-KR or UTF-16) yields to GB18030.
    """
    for encoding, plausible in (("gb18030", _reads_chinese), ("cp1252", _reads_western)):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausible(text):
            yield encoding
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        yield "gb18030"
        return
    best = matches[0]
    ties = [m.encoding for m in matches if m.chaos <= best.chaos + 0.01]
    order = [e for e in ("gb18030", "cp1252") if e in ties]
    if any(tag in best.encoding for tag in _EAST_ASIAN):
        order.append("gb18030")
    yield from [*order, best.encoding]


def _reads_chinese(text: str) -> bool:
    """Most characters beyond ASCII are in GB2312 (the common Chinese characters),
    and few sit alone inside a Latin word.

    Western text in cp1252 read as GBK pairs an accented letter with the next
    byte into one character inside the word: "Fälligkeit" -> "F鋖ligkeit"
    (a rare character), "Descrição" -> "Descri玢o" (a common one).
    """
    wide = "".join(_NON_ASCII.findall(text))
    common = wide.encode("gb2312", errors="ignore").decode("gb2312")
    inside = len(_INSIDE_WORD.findall(text))
    return bool(wide) and len(common) >= 0.8 * len(wide) and inside <= 0.2 * len(wide)


def _reads_western(text: str) -> bool:
    """Characters beyond ASCII are Western letters or signs, alone or in pairs.

    Chinese read as cp1252 turns each character into two accented letters or
    signs, and runs of them ("·¢Æ±ºÅÂë"); Russian or Greek text gives long runs too.
    """
    runs = _NON_ASCII.findall(text)
    wide = sum(len(run) for run in runs)
    western = sum(ch in _WESTERN for run in runs for ch in run)
    short = sum(len(run) for run in runs if len(run) <= 2)
    return bool(wide) and western >= 0.9 * wide and short >= 0.8 * wide


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


def csv_delimiter(text: str) -> str:
    """The delimiter of a CSV text (see `sniff_delimiter`)."""
    return sniff_delimiter(
        [line.rstrip("\r") for line in text.split("\n", SCAN_LINES)[:SCAN_LINES]]
    )


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most of the first lines into the same number
    (two or more) of fields; on a tie, the one that gives more fields.

    Counting lines first keeps decimal commas in a ';' file (1.234,56) from
    passing for a comma-separated table: they split the data rows, but not
    the header, and not the rows whose amounts are whole or empty.
    """
    best, best_key = ",", (0, 0)
    sample = [line for line in lines if line.strip()]
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        if not widths:
            continue
        modal = max(set(widths), key=lambda width: (widths.count(width), width))
        key = (widths.count(modal), modal)
        if modal >= 2 and key > best_key:
            best, best_key = delimiter, key
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
