"""Bytes -> raw sheets: encodings, delimiters, workbooks, and files that are not what they say."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from creditdash.ingest import Source
from creditdash.ingest.csvtext import decode, read_csv_text
from creditdash.ingest.guard import ReadLimits
from creditdash.ingest.problems import ProblemLog
from creditdash.ingest.read import read_source, sniff
from creditdash.ingest.workbook import float_text

LEDGER = "发票号码,客户名称,开票日期,金额\nINV-1,上海甲公司,2024-03-05,100.00\n"


def read(name: str, data: bytes, **kwargs):
    log = ProblemLog()
    return read_source(Source(name, data), log, **kwargs), log.problems


def test_source_from_path_and_sha256(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x,y\n1,2\n")
    source = Source.from_path(path)
    assert source.name == "a.csv"
    assert source.sha256 == hashlib.sha256(b"x,y\n1,2\n").hexdigest()


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", LEDGER.encode("utf-8")),
        ("utf-8-sig", LEDGER.encode("utf-8-sig")),
        ("gb18030", LEDGER.encode("gbk")),
        ("gb18030", (LEDGER + "INV-2,𠮷野家,2024-03-06,5\n").encode("gb18030")),
    ],
)
def test_decode_utf8_bom_gbk_gb18030(encoding, data):
    text, found = decode(data)
    assert found == encoding
    assert text.lstrip("\ufeff").startswith("发票号码,客户名称")


def test_short_gbk_file_is_not_mistaken_for_big5():
    text, found = decode("发票号,金额\n1,2\n".encode("gbk"))
    assert (text, found) == ("发票号,金额\n1,2\n", "gb18030")


def test_western_single_byte_csv():
    text, found = decode("Kunde,Straße,Größe\nMüller,Köln,1\n".encode("cp1252"))
    assert text == "Kunde,Straße,Größe\nMüller,Köln,1\n"


def test_gbk_csv_reads_chinese_cells():
    sheets, problems = read("应收.csv", LEDGER.encode("gbk"))
    assert problems == []
    assert sheets[0].sheet is None
    assert sheets[0].cells.iloc[1].tolist() == ["INV-1", "上海甲公司", "2024-03-05", "100.00"]


def test_bom_is_not_part_of_the_first_header():
    sheets, _ = read("a.csv", LEDGER.encode("utf-8-sig"))
    assert sheets[0].cells.iloc[0, 0] == "发票号码"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    text = f"id{delimiter}amount\nA{delimiter}1,5\nB{delimiter}2\n"
    cells = read_csv_text(text)
    assert cells.iloc[1].tolist() == ["A", "1,5"]


def test_title_lines_keep_line_numbers():
    text = "ACME Ltd\nAging 2024-03-31\nid,amount,date\nA,1,2024-01-01\nB,2,2024-01-02\n"
    cells = read_csv_text(text)
    assert cells.iloc[0, 0] == "ACME Ltd"
    assert cells.iloc[3].tolist() == ["A", "1", "2024-01-01"]  # line 4
    assert len(cells) == 5


def test_blank_lines_keep_line_numbers():
    cells = read_csv_text("id,amount\nA,1\n\nB,2\n")
    assert cells.iloc[3].tolist() == ["B", "2"]  # line 4


def test_ragged_rows_are_padded_not_dropped():
    cells = read_csv_text("id,amount\nA,1,extra,more\nB\n")
    assert cells.iloc[1].tolist() == ["A", "1", "extra", "more"]
    assert cells.iloc[2].tolist() == ["B", "", "", ""]


def test_quoted_cells_and_leading_zeros_stay_text():
    cells = read_csv_text('id,amount\n0000611365,"1,234.00"\n')
    assert cells.iloc[1].tolist() == ["0000611365", "1,234.00"]


def test_xlsx_cells_become_text(xlsx):
    data = xlsx(
        {
            "Invoices": [
                ["id", "amount", "date", "flag"],
                ["0000611365", 1234.5, dt.datetime(2024, 3, 5), True],
                [12345.0, 0.1, dt.datetime(2024, 3, 5, 13, 30), False],
                [7, 1e-05, dt.date(2024, 3, 6), None],
            ]
        }
    )
    sheets, problems = read("a.xlsx", data)
    assert problems == []
    cells = sheets[0].cells
    assert cells.iloc[1].tolist() == ["0000611365", "1234.5", "2024-03-05", "TRUE"]
    assert cells.iloc[2].tolist() == ["12345", "0.1", "2024-03-05 13:30:00", "FALSE"]
    assert cells.iloc[3].tolist() == ["7", "0.00001", "2024-03-06", ""]


def test_xlsx_rows_match_excel_rows_and_merges_fill(xlsx):
    data = xlsx({"S": [[], ["Title"], ["id", "amount"], ["A", 1]]}, {"S": ["A2:B2"]})
    sheets, _ = read("a.xlsx", data)
    cells = sheets[0].cells
    assert cells.iloc[1].tolist() == ["Title", "Title"]  # Excel row 2, merged A2:B2
    assert cells.iloc[3].tolist() == ["A", "1"]  # Excel row 4
    assert sheets[0].merged == [((1, 0), (1, 1))]


def test_all_sheets_are_read_and_one_can_be_chosen(xlsx):
    data = xlsx({"Invoices": [["a"], ["1"]], "Payments": [["b"], ["2"]]})
    sheets, _ = read("a.xlsx", data)
    assert [s.sheet for s in sheets] == ["Invoices", "Payments"]
    sheets, _ = read("a.xlsx", data, sheet="Payments")
    assert [s.sheet for s in sheets] == ["Payments"]


def test_missing_sheet_is_a_problem_naming_the_sheets(xlsx):
    sheets, problems = read("a.xlsx", xlsx({"Invoices": [["a"]]}), sheet="Nope")
    assert sheets == []
    assert "no sheet 'Nope'" in problems[0].message
    assert "Invoices" in problems[0].message


def test_real_xls_is_read():
    statsmodels = pytest.importorskip("statsmodels.datasets.macrodata")
    found = list(Path(statsmodels.__file__).parent.rglob("*.xls"))
    files = [p for p in found if p.is_file()]
    if not files:
        pytest.skip("no .xls file shipped with statsmodels")
    sheets, problems = read("macrodata.xls", files[0].read_bytes())
    assert problems == []
    assert sheets and not sheets[0].is_empty


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("ledger.xlsx", LEDGER.encode(), "content is a text (CSV) file. Rename it to .csv."),
        ("ledger.xls", LEDGER.encode(), "content is a text (CSV) file"),
        ("ledger.xls", b"<html><table><tr><td>1</td></tr></table></html>", "web page"),
        ("ledger.csv", None, "content is a ZIP archive"),
        ("ledger.csv", random.Random(1).randbytes(4096), "binary data"),
        ("ledger.xlsx", random.Random(2).randbytes(4096), "binary data"),
        ("ledger.pdf", LEDGER.encode(), "cannot be read. Upload .csv, .xlsx or .xls."),
    ],
)
def test_content_not_what_the_name_says(xlsx, name, data, says):
    data = data if data is not None else xlsx({"S": [["a"]]})
    sheets, problems = read(name, data)
    assert sheets == []
    assert [(p.level, p.file, p.row) for p in problems] == [("error", name, None)]
    assert says in problems[0].message


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    sheets, problems = read("a.xlsx", buffer.getvalue())
    assert sheets == []
    assert "not an Excel workbook" in problems[0].message


def test_damaged_xlsx():
    sheets, problems = read("a.xlsx", b"PK\x03\x04" + b"broken" * 100)
    assert sheets == []
    assert "damaged" in problems[0].message


def test_over_the_size_limit():
    sheets, problems = read("big.csv", b"a,b\n" + b"1,2\n" * 1000, max_bytes=1000)
    assert sheets == []
    assert problems[0].message.startswith("The file is 3.9 KB; the limit is 1,000 bytes.")


def test_zip_bomb_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (101 * 2**20))
    data = buffer.getvalue()
    assert len(data) < 2**20
    sheets, problems = read("bomb.xlsx", data)
    assert sheets == []
    assert "zip bomb" in problems[0].message
    assert problems[0].level == "error"


def test_empty_file():
    sheets, problems = read("empty.csv", b"")
    assert sheets == []
    assert problems[0].message.startswith("The file is empty.")


def test_sniff():
    assert sniff(b"PK\x03\x04rest") == "zip"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest") == "ole"
    assert sniff(b"  <!DOCTYPE html><html>") == "html"
    assert sniff("a,b\n1,2\n".encode("utf-16")) == "text"
    assert sniff(b"a,b\x00\x01") == "binary"


def test_the_reader_process_returns_what_an_in_process_read_does(xlsx):
    data = xlsx(
        {
            "Invoices": [
                [None, "Title"],
                ["id", "amount", "date", "flag", "tiny", "big"],
                ["0000611365", 1234.5, dt.datetime(2024, 3, 5), True, 1e-05, 1.5e20],
                [12345.0, -0.25, dt.datetime(2024, 3, 5, 13, 30), False, None, "x\ny"],
            ],
            "Empty": [],
        },
        {"Invoices": ["B1:D1"]},
    )
    isolated, problems = read("a.xlsx", data)
    inline, inline_problems = read("a.xlsx", data, limits=ReadLimits(isolate=False))
    assert problems == inline_problems == []
    assert [s.sheet for s in isolated] == [s.sheet for s in inline] == ["Invoices", "Empty"]
    for a, b in zip(isolated, inline, strict=True):
        pd.testing.assert_frame_equal(a.cells, b.cells)
        assert a.merged == b.merged
    cells = isolated[0].cells
    assert cells.iloc[0].tolist() == ["", "Title", "Title", "Title", "", ""]
    assert cells.iloc[2].tolist() == [
        "0000611365", "1234.5", "2024-03-05", "TRUE", "0.00001", "150000000000000000000"
    ]  # fmt: skip
    assert cells.iloc[3].tolist() == ["12345", "-0.25", "2024-03-05 13:30:00", "FALSE", "", "x\ny"]
    assert isolated[1].is_empty


def test_numbers_are_written_as_numpy_writes_them_positionally():
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [
            rng.normal(0, 1e6, 2000),
            rng.normal(0, 1e-6, 500),
            10.0 ** rng.integers(-20, 22, 500) * rng.random(500),
            np.round(rng.normal(0, 1e5, 500), 2),
            [0.0, -0.0, 1e16, 123456789012345680.0, 5e-324, 1.7976931348623157e308],
        ]
    )
    for v in values.tolist():
        assert float_text(v) == np.format_float_positional(v, trim="-"), v
    assert float_text(float("nan")) == float_text(float("inf")) == ""
