"""Problems and errors carry a catalogue code: its English text is the message, and Chinese exists.

Each case below is a bad input (most taken from tests/ingest and tests/store)
with the codes it must produce; every problem it produces must have a code
whose English catalogue text, filled with the problem's params, is exactly
its message, and whose Chinese text renders with the same params.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import io
import json
import random
import re
import string
import tempfile
import types
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import python_calamine

import creditdash.review
from creditdash import i18n
from creditdash.errors import CreditDashError, ImportRejected, InsufficientHistory, Problem
from creditdash.importing import import_sources, remove_demo, rollback
from creditdash.ingest import Source, guard, parse_sources, propose_mappings
from creditdash.ingest.guard import ReadLimits
from creditdash.ingest.movements import rebuild
from creditdash.ingest.problems import ProblemLog, SheetContext
from creditdash.ingest.read import read_source
from tests.ingest import hostile_files as hostile
from tests.ingest.conftest import build_xlsx, run
from tests.ingest.test_movements import FIFO, MID_YEAR, MONTHS, ledger

CATALOGUES = Path(i18n.__file__).parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")
HEAD = "Invoice No,Customer,Invoice Date,Due Date,Amount\n"
ROW = "I1,c,2024-01-01,2024-01-31,1\n"
SHORT = "Invoice No,Customer,Invoice Date,Amount\n"
LEDGER = "发票号码,客户名称,开票日期,金额\nINV-1,上海甲公司,2024-03-05,100.00\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
HTML = b"<html><table><tr><td>1</td></tr></table></html>"
RECEIPTS = "Receipt No,Customer,Payment Date,Amount\n"
OPEN = "Invoice No,Customer,Balance\n"


def problems_json(lang: str) -> dict[str, str]:
    return json.loads((CATALOGUES / lang / "problems.json").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- bad inputs --------------------------------------------------------------------


def parsed(name: str, data: bytes | str, **kwargs) -> list[Problem]:
    return run(name, data, **kwargs).problems


def as_kind(name: str, text: str, kind: str) -> list[Problem]:
    """The problems of a sheet the user declared to be of `kind`."""
    source = Source(name, text.encode())
    [proposal] = propose_mappings([source])
    chosen = dataclasses.replace(proposal, kind=kind)
    return parse_sources([source], mappings=[chosen]).problems


def xlsx_bytes() -> bytes:
    return build_xlsx({"S": [["a"]]})


def zipped(members: dict[str, bytes | str], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> list[Problem]:
    data = zipped(
        {"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (101 * 2**20)},
        zipfile.ZIP_DEFLATED,
    )
    return parsed("bomb.xlsx", data)


def with_calamine(open_book: Callable[[], object]) -> list[Problem]:
    """Read an .xls through a stand-in for calamine (no real file is password-protected here)."""
    fake = types.SimpleNamespace(from_filelike=lambda _data: open_book())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(python_calamine, "CalamineWorkbook", fake)
        log = ProblemLog()
        read_source(Source("a.xls", OLE), log, limits=ReadLimits(isolate=False))
    return log.problems


def read_problems(name: str, data: bytes, **kwargs) -> list[Problem]:
    log = ProblemLog()
    read_source(Source(name, data), log, **kwargs)
    return log.problems


def reader_crashes() -> list[Problem]:
    """The reader process dies of a signal (a stand-in script kills itself)."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        crash = Path(tmp) / "crash.py"
        crash.write_text(
            "import os, resource, signal\nresource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
            "os.kill(os.getpid(), signal.SIGSEGV)\n"
        )
        patch.setattr(guard, "_WORKER", crash)
        return read_problems("a.xlsx", xlsx_bytes())


SUSPECT_HEAD = "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
SUSPECT_LEDGER = SUSPECT_HEAD.replace("Amount", "Amount,Settled Date,Paid Amount")


def password_protected() -> object:
    raise python_calamine.PasswordError("protected")


def sheet_fails() -> object:
    def fail(_name):
        raise RuntimeError("bad sheet")

    sheet = types.SimpleNamespace(name="S", typ=python_calamine.SheetTypeEnum.WorkSheet)
    return types.SimpleNamespace(sheets_metadata=[sheet], get_sheet_by_name=fail)


def edited(name: str, data: bytes | str, change: Callable, **kwargs) -> list[Problem]:
    """Problems after the user edits the proposed mapping of each sheet (`change(mapping)`)."""
    raw = data.encode() if isinstance(data, str) else data
    source = Source(name, raw)
    mappings = [change(m) for m in propose_mappings([source])]
    return parse_sources([source], mappings=mappings, **kwargs).problems


def remap(**fields: str) -> Callable:
    return lambda m: dataclasses.replace(m, mapping={**m.mapping, **fields})


def rekind(kind: str) -> Callable:
    return lambda m: dataclasses.replace(m, kind=kind)


def header_row_1(m):
    return dataclasses.replace(m, header_row=1) if m.sheet in (None, "Notes") else m


def two_files(a: str, b: str) -> list[Problem]:
    return parse_sources([Source("a.csv", a.encode()), Source("b.csv", b.encode())]).problems


def invoices_and(sheet: list[list], name: str = "Notes") -> bytes:
    return build_xlsx({"Invoices": [HEAD.strip().split(","), ROW.strip().split(",")], name: sheet})


def bad_dates(n: int) -> str:
    return HEAD + "".join(f"I{i},c,never,2024-01-31,1\n" for i in range(n))


def rebuilt(table: str, change: Callable = lambda frame: frame) -> list[Problem]:
    """The problems of open items rebuilt from a movement ledger, logged as an import logs them."""
    log = ProblemLog()
    rebuild(change(ledger(table))).report(log, SheetContext("ledger.xlsx", None, "movements"))
    return log.problems


def without_customer(frame):
    frame.loc[frame.index[1], "customer_id"] = None
    return frame


# (id, producer, codes it must produce)
INGEST_CASES: list[tuple[str, Callable[[], list[Problem]], set[str]]] = [
    ("too large", lambda: parsed("x.csv", HEAD * 100, max_bytes=1024), {"ingest.file_too_large"}),
    ("empty file", lambda: parsed("x.csv", b""), {"ingest.file_empty"}),
    ("pdf", lambda: parsed("ledger.pdf", LEDGER), {"ingest.file_type_unsupported"}),
    ("no extension", lambda: parsed("ledger", LEDGER), {"ingest.file_no_extension"}),
    ("csv is xlsx", lambda: parsed("a.csv", xlsx_bytes()), {"ingest.not_csv.zip"}),
    ("csv is xls", lambda: parsed("a.csv", OLE), {"ingest.not_csv.ole"}),
    ("csv is html", lambda: parsed("a.csv", HTML), {"ingest.not_csv.html"}),
    (
        "csv is binary",
        lambda: parsed("a.csv", random.Random(1).randbytes(4096)),
        {"ingest.not_csv.binary"},
    ),
    ("xls is xlsx", lambda: parsed("a.xls", xlsx_bytes()), {"ingest.not_workbook.zip"}),
    ("xlsx is xls", lambda: parsed("a.xlsx", OLE), {"ingest.not_workbook.ole"}),
    ("xls is html", lambda: parsed("a.xls", HTML), {"ingest.not_workbook.html"}),
    ("xlsx is csv", lambda: parsed("a.xlsx", LEDGER), {"ingest.not_workbook.text"}),
    (
        "xlsx is binary",
        lambda: parsed("a.xlsx", random.Random(2).randbytes(4096)),
        {"ingest.not_workbook.binary"},
    ),
    (
        "damaged zip",
        lambda: parsed("a.xlsx", b"PK\x03\x04" + b"broken" * 100),
        {"ingest.workbook_damaged"},
    ),
    ("zip bomb", zip_bomb, {"ingest.zip_bomb"}),
    (
        "zip not a workbook",
        lambda: parsed("a.xlsx", zipped({"readme.txt": "hello"})),
        {"ingest.zip_not_workbook"},
    ),
    (
        "workbook without sheets",
        lambda: parsed("a.xlsx", zipped({"[Content_Types].xml": "<Types/>"})),
        {"ingest.workbook_unreadable"},
    ),
    (
        "unknown encoding",
        lambda: parsed("x.csv", codecs.BOM_UTF16_LE + b"a\x00b"),
        {"ingest.encoding_unknown"},
    ),
    ("password", lambda: with_calamine(password_protected), {"ingest.workbook_password"}),
    ("sheet unreadable", lambda: with_calamine(sheet_fails), {"ingest.sheet_unreadable"}),
    (
        "no such sheet",
        lambda: parsed("a.xlsx", build_xlsx({"Invoices": [["a"]]}), sheet="Nope"),
        {"ingest.sheet_not_found"},
    ),
    ("empty sheet", lambda: parsed("x.csv", b"\n\n"), {"ingest.sheet_empty"}),
    (
        "empty sheet skipped",
        lambda: parsed("a.xlsx", invoices_and([])),
        {"ingest.sheet_empty.skipped"},
    ),
    ("header only", lambda: parsed("x.csv", HEAD), {"ingest.sheet_no_rows"}),
    (
        "header only skipped",
        lambda: parsed("a.xlsx", invoices_and([HEAD.strip().split(",")])),
        {"ingest.sheet_no_rows.skipped"},
    ),
    ("unrecognised", lambda: parsed("x.csv", "Foo,Bar\n1,2\n"), {"ingest.sheet_unrecognised"}),
    (
        "unrecognised skipped",
        lambda: parsed("a.xlsx", invoices_and([["Foo", "Bar"], ["1", "2"]])),
        {"ingest.sheet_unrecognised.skipped"},
    ),
    (
        "blank header row",
        lambda: edited("x.csv", "\nFoo,Bar\n1,2\n", header_row_1),
        {"ingest.sheet_unrecognised_no_headers"},
    ),
    (
        "blank header row skipped",
        lambda: edited("a.xlsx", invoices_and([[], ["Foo", "Bar"], ["1", "2"]]), header_row_1),
        {"ingest.sheet_unrecognised_no_headers.skipped"},
    ),
    (
        "ledger without date",
        lambda: as_kind("x.csv", "Invoice No,Customer,Amount,Paid Amount\nI1,c,1,1\n", "ledger"),
        {"ingest.missing_columns.ledger"},
    ),
    (
        "invoices without date",
        lambda: parsed("x.csv", "Invoice No,Amount\nI1,1\n"),
        {"ingest.missing_columns.invoices"},
    ),
    (
        "payments without customer",
        lambda: parsed("x.csv", "Payment Date,Amount\n2024-01-01,5\n"),
        {"ingest.missing_columns.payments"},
    ),
    (
        "open items without id",
        lambda: parsed("x.csv", "Customer,Balance\nc,1\n"),
        {"ingest.missing_columns.open_items"},
    ),
    (
        "customers without customer",
        lambda: edited("x.csv", "Currency,Rate\nUSD,7\n", rekind("customers")),
        {"ingest.missing_columns.customers"},
    ),
    (
        "rates without rate",
        lambda: edited("x.csv", "Customer,Region\nc,North\n", rekind("rates")),
        {"ingest.missing_columns.rates"},
    ),
    (
        "two columns one field",
        lambda: edited("x.csv", HEAD + ROW, remap(**{"Due Date": "invoice_date"})),
        {"ingest.columns_same_field"},
    ),
    (
        "three columns one field",
        lambda: edited(
            "x.csv", HEAD + ROW, remap(**{"Due Date": "invoice_date", "Amount": "invoice_date"})
        ),
        {"ingest.columns_same_field.many"},
    ),
    (
        "totals row",
        lambda: parsed("x.csv", HEAD + ROW + ",Total,,,1\n"),
        {"ingest.totals_checked"},
    ),
    (
        "sum row",
        lambda: parsed("x.csv", HEAD + ROW + "I2,c,2024-01-01,2024-01-31,2\n,,,,3\n"),
        {"ingest.totals_checked"},
    ),
    (
        "bad values",
        lambda: parsed(
            "x.csv",
            "Invoice No,Customer,Invoice Date,Amount,Disputed,Currency,Payment Terms\n"
            "I1,c,2024-13-45,1,no,CNY,30\nI2,c,2024-01-01,abc,no,CNY,30\n"
            "I3,c,2024-01-01,1,maybe,CNY,30\nI4,c,2024-01-01,1,no,dollars,30\n"
            "I5,c,2024-01-01,1,no,CNY,soon\n",
        ),
        {
            "ingest.bad_date",
            "ingest.bad_amount",
            "ingest.bad_flag",
            "ingest.bad_currency",
            "ingest.bad_days",
        },
    ),
    ("bad rate", lambda: parsed("fx.csv", "Currency,Rate\nUSD,seven\n"), {"ingest.bad_number"}),
    (
        "amount too large",
        lambda: parsed("x.csv", HEAD + "I1,c,2024-01-01,2024-01-31,99999999999999.99\n"),
        {"ingest.amount_too_large"},
    ),
    (
        "date out of range",
        lambda: parsed("x.csv", HEAD + "I1,c,1899-12-31,2024-01-31,1\n"),
        {"ingest.date_out_of_range"},
    ),
    (
        "decimal comma in a decimal-point column",
        lambda: parsed("x.csv", HEAD + 'I1,c,2024-01-01,,"1,234.56"\nI2,c,2024-01-02,,"12,5"\n'),
        {"ingest.decimal_marks_mixed.point_column", "ingest.due_date_filled.one"},
    ),
    (
        "decimal point in a decimal-comma column",
        lambda: parsed(
            "x.csv",
            HEAD.replace(",", ";") + "I1;c;2024-01-01;;1.234,56\nI2;c;2024-01-02;;1,234.56\n",
        ),
        {"ingest.decimal_marks_mixed.comma_column", "ingest.due_date_filled.one"},
    ),
    (
        "decimal mark unsettled",
        lambda: parsed(  # semicolons: the file's format does not say which mark is decimal
            "x.csv",
            (HEAD + "I1,c,2024-01-01,2024-01-31,1.234\nI2,c,2024-01-02,,2.500\n").replace(",", ";"),
        ),
        {"ingest.decimal_marks_unsettled"},
    ),
    (
        "decimal mark unsettled, one amount",
        lambda: parsed("x.csv", (HEAD + "I1,c,2024-01-01,2024-01-31,1.234\n").replace(",", ";")),
        {"ingest.decimal_marks_unsettled.one"},
    ),
    (
        "mixed date orders",
        lambda: parsed("x.csv", HEAD + "I1,c,31/1/2024,,1\nI2,c,2/2/2024,,1\nI3,c,1/31/2024,,1\n"),
        {"ingest.date_orders_mixed"},
    ),
    (
        "month first",
        lambda: parsed("x.csv", SHORT + "I1,c,3/4/2024,1\nI2,c,5/6/2024,1\nI3,c,1/31/2024,1\n"),
        {"ingest.dates_ambiguous.month_first", "ingest.due_date_filled"},
    ),
    (
        "month first, one date",
        lambda: parsed("x.csv", SHORT + "I1,c,3/4/2024,1\nI2,c,1/31/2024,1\n"),
        {"ingest.dates_ambiguous.month_first.one"},
    ),
    (
        "day first",
        lambda: parsed("x.csv", SHORT + "I1,c,3/4/2024,1\nI2,c,5/6/2024,1\nI3,c,31/1/2024,1\n"),
        {"ingest.dates_ambiguous.day_first"},
    ),
    (
        "day first, one date",
        lambda: parsed("x.csv", SHORT + "I1,c,3/4/2024,1\nI2,c,31/1/2024,1\n"),
        {"ingest.dates_ambiguous.day_first.one"},
    ),
    (
        "unsettled",
        lambda: parsed("x.csv", SHORT + "I1,c,3/4/2024,1\nI2,c,5/6/2024,1\n"),
        {"ingest.dates_ambiguous.unsettled"},
    ),
    (
        "unsettled, one date",
        lambda: parsed("x.csv", SHORT + "I1,c,3/4/2024,1\n"),
        {"ingest.dates_ambiguous.unsettled.one", "ingest.due_date_filled.one"},
    ),
    (
        "paid without date",
        lambda: parsed(
            "x.csv",
            "Invoice No,Customer,Invoice Date,Amount,Settled Date,Paid Amount\n"
            "I1,c,2024-01-01,5,,5\n",
        ),
        {"ingest.paid_without_date"},
    ),
    (
        "several as-of dates",
        lambda: parsed(
            "o.csv", "Invoice No,Customer,Balance,As Of\nI1,c,1,2024-03-31\nI2,c,1,2024-04-30\n"
        ),
        {"ingest.as_of_several"},
    ),
    ("no as-of date", lambda: parsed("o.csv", OPEN + "I1,c,1\n"), {"ingest.as_of_missing"}),
    (
        "empty invoice cells",
        lambda: parsed(
            "x.csv",
            HEAD + ",c,2024-01-01,2024-01-31,1\nI2,,2024-01-01,2024-01-31,1\n"
            "I3,c,,,1\nI4,c,2024-01-01,2024-01-31,\n",
        ),
        {
            "ingest.empty.invoice_id",
            "ingest.empty.customer_id",
            "ingest.empty.invoice_date",
            "ingest.empty.amount_cents",
        },
    ),
    (
        "empty rate cells",
        lambda: parsed("fx.csv", "Currency,Rate\n,7\nUSD,\n"),
        {"ingest.empty.currency", "ingest.empty.rate"},
    ),
    (
        "empty payment date",
        lambda: parsed("p.csv", RECEIPTS + "R1,c,,5\n"),
        {"ingest.empty.payment_date"},
    ),
    (
        "empty open amount",
        lambda: parsed("o.csv", OPEN + "I1,c,\n", as_of=dt.date(2024, 3, 31)),
        {"ingest.empty.open_cents"},
    ),
    (
        "payment without customer",
        lambda: parsed("x.csv", "Receipt No,Payment Date,Amount,Invoice No\nR1,2024-01-01,5,I9\n"),
        {"ingest.payment_customer_unknown"},
    ),
    (
        "due before invoice",
        lambda: parsed("x.csv", HEAD + "I2,c,2024-01-10,2024-01-09,1\n"),
        {"ingest.due_before_invoice"},
    ),
    ("rate zero", lambda: parsed("fx.csv", "Currency,Rate\nUSD,0\n"), {"ingest.rate_not_positive"}),
    (
        "id longer than the store keeps",
        lambda: parsed("x.csv", HEAD + "I" * 101 + ",c,2024-01-01,2024-01-31,1\n"),
        {"ingest.too_long"},
    ),
    (
        "duplicate invoices",
        lambda: parsed("x.csv", HEAD + ROW + ROW + "I1,c,2024-01-01,2024-01-31,2\n"),
        {"ingest.duplicate_copy.invoice", "ingest.duplicate_conflict.invoice"},
    ),
    (
        "duplicate invoices across files",
        lambda: two_files(
            HEAD + ROW + "I2,c,2024-01-01,2024-01-31,1\n",
            HEAD + ROW + "I2,d,2024-01-01,2024-01-31,1\n",
        ),
        {"ingest.duplicate_copy.invoice.elsewhere", "ingest.duplicate_conflict.invoice.elsewhere"},
    ),
    (
        "duplicate payments",
        lambda: parsed(
            "p.csv", RECEIPTS + "R1,c,2024-01-01,5\nR1,c,2024-01-01,5\nR1,c,2024-01-01,6\n"
        ),
        {"ingest.duplicate_copy.payment", "ingest.duplicate_conflict.payment"},
    ),
    (
        "duplicate payments across sheets",
        lambda: parsed(
            "p.xlsx",
            build_xlsx(
                {
                    "Jan": [
                        RECEIPTS.strip().split(","),
                        ["R1", "c", "2024-01-01", 5],
                        ["R2", "c", "2024-01-02", 5],
                    ],
                    "Feb": [
                        RECEIPTS.strip().split(","),
                        ["R1", "c", "2024-01-01", 5],
                        ["R2", "c", "2024-01-02", 6],
                    ],
                }
            ),
        ),
        {"ingest.duplicate_copy.payment.elsewhere", "ingest.duplicate_conflict.payment.elsewhere"},
    ),
    (
        "settled before invoiced",
        lambda: parsed(
            "x.csv",
            "Invoice No,Customer,Invoice Date,Due Date,Amount,Settled Date\n"
            "I1,c,2024-01-10,2024-02-09,5,2024-01-01\n",
        ),
        {"ingest.payment_before_invoice"},
    ),
    ("a thousand bad rows", lambda: parsed("x.csv", bad_dates(1003)), {"ingest.more_rows"}),
    (
        "nul-padded text",
        lambda: parsed("x.csv", hostile.nul_padded_csv(200)),
        {"ingest.text_nul_bytes"},
    ),
    (
        "reader over memory",
        lambda: read_problems("a.xlsx", hostile.positionless_far_cell()),
        {"ingest.workbook_limit.memory"},
    ),
    (
        "reader over time",
        lambda: read_problems("a.xlsx", xlsx_bytes(), limits=ReadLimits(seconds=0.01)),
        {"ingest.workbook_limit.time"},
    ),
    ("reader crashed", reader_crashes, {"ingest.workbook_reader_crashed"}),
    (
        "too many cells",
        lambda: read_problems("a.xlsx", hostile.dense(30, 10), limits=ReadLimits(max_cells=100)),
        {"ingest.sheet_too_many_cells"},
    ),
    (
        "absurd extent",
        lambda: parsed("a.xlsx", hostile.workbook([], {"XFD1048576": "x"})),
        {"ingest.sheet_extent_absurd"},
    ),
    (
        "stray cell",
        lambda: parsed("a.xlsx", hostile.far_cell("XFD1048576")),
        {"ingest.sheet_stray_cells.one"},
    ),
    (
        "stray cells",
        lambda: parsed("a.xlsx", hostile.workbook(hostile.INVOICES, {"XFD7": 1, "ZZ900000": 2})),
        {"ingest.sheet_stray_cells"},
    ),
    (
        "external link",
        lambda: parsed("a.xlsx", hostile.external_link()),
        {"ingest.external_link_values"},
    ),
    (
        "external link, one cell",
        lambda: parsed("a.xlsx", hostile.external_link(n=1)),
        {"ingest.external_link_values.one"},
    ),
    (
        "formulas never calculated",
        lambda: parsed("a.xlsx", hostile.uncached_formulas()),
        {"ingest.formula_not_calculated", "ingest.formula_not_calculated.outside"},
    ),
    (
        "invisible characters",
        lambda: parsed(
            "x.csv",
            SUSPECT_HEAD
            + "I1,C1\u200b,2024-01-05,2024-02-04,1\nI2,C1\ufeff,2024-01-05,2024-02-04,1\n"
            "I3\u00ad,C2,2024-01-05,2024-02-04,1\n",
        ),
        {"ingest.text_invisible", "ingest.text_invisible.one"},
    ),
    (
        "full-width forms",
        lambda: parsed(
            "x.csv",
            SUSPECT_HEAD + "I1,C1,2024-01-05,2024-02-04,1\nI2,Ｃ1,2024-01-05,2024-02-04,1\n"
            "I3,Ｃ１,2024-01-05,2024-02-04,1\nＩ４,C3,2024-01-05,2024-02-04,1\nI4,C3,2024-01-05,2024-02-04,2\n",
        ),
        {"ingest.text_forms_merged", "ingest.text_forms_merged.one"},
    ),
    (
        "headerless data",
        lambda: parsed(
            "x.csv",
            SUSPECT_HEAD + "I1,C1,2024-01-05,2024-02-04,1,x\nI2,C1,2024-01-05,2024-02-04,1,y,z\n",
        ),
        {"ingest.headerless_column", "ingest.headerless_column.one"},
    ),
    (
        "credit notes",
        lambda: parsed(
            "x.csv",
            SUSPECT_HEAD + "I1,C1,2024-01-05,2024-02-04,-1\nI2,C1,2024-01-05,2024-02-04,-2\n",
        ),
        {"ingest.credit_notes"},
    ),
    (
        "credit note",
        lambda: parsed("x.csv", SUSPECT_HEAD + "I1,C1,2024-01-05,2024-02-04,-1\n"),
        {"ingest.credit_notes.one"},
    ),
    (
        "overpaid",
        lambda: parsed(
            "x.csv", SUSPECT_LEDGER + "I1,C1,2024-01-05,2024-02-04,100,2024-01-20,100000\n"
        ),
        {"ingest.overpaid"},
    ),
    (
        "overpaid elsewhere",
        lambda: two_files(
            SUSPECT_HEAD + "I1,C1,2024-01-05,2024-02-04,100\n",
            "Payment ID,Customer ID,Invoice No,Payment Date,Amount\nP1,C1,I1,2024-01-20,150\n",
        ),
        {"ingest.overpaid.elsewhere"},
    ),
    (
        "movements: running balance",
        lambda: rebuilt(FIFO.replace("| 600\n9", "| 601\n9")),
        {"ingest.movements.balance_mismatch"},
    ),
    (
        "movements: month total",
        lambda: rebuilt(MONTHS.replace("本月合计  | 50 ", "本月合计  | 60 ")),
        {"ingest.movements.period_total_mismatch"},
    ),
    (
        "movements: year-to-date total",
        lambda: rebuilt(MONTHS.replace("本年累计  | 550   | 200", "本年累计  | 550   | 250")),
        {"ingest.movements.ytd_total_mismatch"},
    ),
    (
        "movements: year-to-date total since the last",
        lambda: rebuilt(MID_YEAR.replace("9000  | 8700", "9100  | 8700")),
        {"ingest.movements.ytd_total_mismatch.since"},
    ),
    (
        "movements: no date, no customer",
        lambda: rebuilt(FIFO.replace("2024-01-25", ""), without_customer),
        {"ingest.movements.no_date", "ingest.movements.no_customer"},
    ),
    (
        "bad retention percentage and period",
        lambda: parsed("m.csv", "客户编号,质保金比例,质保期\nC1,ten,12\nC2,10%,two years\n"),
        {"ingest.bad_percent", "ingest.bad_months"},
    ),
    (
        "retention without a due date",
        lambda: parsed(
            "r.csv", "发票号,客户编号,开票日期,金额,质保金\nF1,C1,2024-01-10,1000,100\n"
        ),
        {"ingest.retention_no_due"},
    ),
    (
        "retention larger than the invoice",
        lambda: parsed(
            "r.csv",
            "发票号,客户编号,开票日期,金额,质保金,质保期到期日\nF1,C1,2024-01-10,100,300,2025-01-10\n",
        ),
        {"ingest.retention_exceeds"},
    ),
    (
        "total mismatch",
        lambda: parsed("x.csv", HEAD + ROW + "I2,c,2024-01-01,2024-01-31,2\n合计,,,,4\n"),
        {"ingest.total_mismatch"},
    ),
    (
        "summary aging",
        lambda: parsed("x.csv", "Customer,Current,1-30,31-60,Total\nA,1,2,3,6\nB,1,0,0,1\n"),
        {"ingest.summary_aging"},
    ),
    (
        "customer from headings",
        lambda: parsed(
            "x.csv",
            "As at 30 June 2025\nInvoice Date,Invoice Number,Due Date,Current,1 Month,Older,Total\n"
            "Acme Ltd,,,,,,\n2025-05-01,INV-1,2025-05-31,,10.00,,10.00\n"
            "Total Acme Ltd,,,,10.00,,10.00\n",
        ),
        {"ingest.customer_from_headings", "ingest.totals_checked"},
    ),
    (
        "constant customer column",
        lambda: parsed(
            "x.csv",
            "Account,Partner,Entry,Date,Due date,Residual\n"
            "121000,A,E1,2025-01-01,2025-01-31,1\n121000,B,E2,2025-01-01,2025-01-31,1\n"
            "121000,C,E3,2025-01-01,2025-01-31,1\n",
            as_of=dt.date(2025, 6, 30),
        ),
        {"ingest.constant_customer_column"},
    ),
    (
        "paid on export date",
        lambda: parsed(
            "x.csv",
            "导出日期：2024年6月30日\nInvoice No,Customer,Invoice Date,Amount,Paid Amount,"
            "Settled Date\nI1,c,2024-01-01,10,10,\n",
        ),
        {"ingest.paid_on_export_date"},
    ),
    (
        "open amount does not add up",
        lambda: parsed(
            "x.csv",
            "Voucher No,Customer,Posting Date,Invoiced Amount,Paid Amount,Outstanding Amount\n"
            "I1,c,2024-01-01,10,4,5\n",
            as_of=dt.date(2024, 6, 30),
        ),
        {"ingest.open_amount_does_not_add_up"},
    ),
    (
        "cleared item",
        lambda: parsed(
            "x.csv",
            "Customer,Document Number,Document Date,Net due date,Amount in local currency,"
            "Local Currency,Clearing Document\nC1,D1,2025-01-01,2025-01-31,5.00,EUR,C9\n",
            as_of=dt.date(2025, 6, 30),
        ),
        {"ingest.cleared_item_in_open_items"},
    ),
    (
        "derived ids and arrears",
        lambda: parsed(
            "x.csv",
            "Customer,Document Number,Document Date,Net due date,Arrears after net due date,"
            "Amount in local currency,Local Currency\n"
            "C1,D1,2025-01-01,2025-01-31,10,5.00,EUR\nC1,,2025-01-05,2025-01-05,36,-2.00,EUR\n",
        ),
        {"ingest.item_id_derived"},
    ),
    (
        "ledger months without a year",
        lambda: parsed("y.csv", "客户编码,月,日,摘要,借方,贷方\nK1,1,5,销售,100.00,\n"),
        {"ingest.movements_year_missing"},
    ),
    (
        "customer master with figures",
        lambda: parsed("m.csv", "客户编号,客户名称,本期应收\nC1,甲,1200.00\nC2,乙,300.50\n"),
        {"ingest.master_with_figures"},
    ),
    (
        "sub-customers",
        lambda: parsed(
            "q.csv",
            "As of June 30, 2025\nNum,Customer full name,Due date,Open balance\n"
            "1001,Acme:Project A,2025-06-01,5.00\n",
        ),
        {"ingest.parent_customer"},
    ),
    (
        "arrears at another date",
        lambda: parsed(
            "x.csv",
            "Customer,Document Number,Document Date,Net due date,Arrears after net due date,"
            "Amount in local currency,Local Currency\nC1,D1,2025-01-01,2025-01-31,10,5.00,EUR\n",
            as_of=dt.date(2025, 2, 11),
        ),
        {"ingest.arrears_other_date"},
    ),
]

SNAP = "Invoice No,Customer ID,Invoice Date,Due Date,Amount,Open Amount\n"
STORED_LEDGER = "Invoice No,Customer ID,Invoice Date,Amount\nINV-1,C1,2024-01-05,1000.00\n"


def rejected(engine, text: str, name: str = "x.csv", **kwargs) -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        import_sources(engine, [Source(name, text.encode())], **kwargs)
    return caught.value.problems


def warned(engine, *texts: str, **kwargs) -> list[Problem]:
    for text in texts:
        summary = import_sources(engine, [Source("x.csv", text.encode())], **kwargs)
    return summary.warnings


def week_fails(engine) -> list[Problem]:
    def refuse(*_args, **_kwargs):
        raise InsufficientHistory("Too little history for a weekly snapshot.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(creditdash.review, "take_snapshot", refuse)
        return warned(engine, STORED_LEDGER)


IMPORT_CASES: list[tuple[str, Callable, set[str]]] = [
    (
        "payment for unknown invoice",
        lambda e: rejected(
            e,
            "Payment ID,Customer ID,Invoice No,Payment Date,Amount\nP1,C1,NOPE-1,2024-03-01,10.00\n",
        ),
        {"import.unknown_invoice"},
    ),
    (
        "currency without rate",
        lambda e: rejected(
            e, "Invoice No,Customer ID,Invoice Date,Amount,Currency\nU1,C9,2024-01-10,100.00,USD\n"
        ),
        {"import.no_rate"},
    ),
    (
        "open amount rose",
        lambda e: warned(
            e,
            SNAP + "A1,C1,2024-03-01,2024-03-31,1000.00,400.00\n",
            SNAP + "A1,C1,2024-03-01,2024-03-31,1000.00,900.00\n",
            as_of=dt.date(2024, 3, 31),
        ),
        {"import.open_amount_rose"},
    ),
    ("weekly snapshot fails", week_fails, {"import.week_not_recorded"}),
    (
        "stored invoice replaced by its instalments",
        lambda e: warned(
            e,
            STORED_LEDGER,
            "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
            "INV-1,C1,2024-01-05,2024-02-04,400.00\nINV-1,C1,2024-01-05,2024-03-05,600.00\n",
        ),
        {"import.invoices_replaced"},
    ),
]


def check(problems: list[Problem], expected: set[str]) -> None:
    """Every problem has a code that renders its message, in English exactly and in Chinese."""
    assert expected <= {p.code for p in problems}
    for p in problems:
        assert p.code is not None, p
        assert i18n.t(p.code, "en", **p.params) == p.message, p.code
        assert CHINESE.search(i18n.t(p.code, "zh", **p.params)), p.code


@pytest.mark.parametrize(
    ("producer", "expected"), [c[1:] for c in INGEST_CASES], ids=[c[0] for c in INGEST_CASES]
)
def test_every_ingest_problem_renders_its_message_from_the_catalogue(producer, expected):
    check(producer(), expected)


@pytest.mark.parametrize(
    ("producer", "expected"), [c[1:] for c in IMPORT_CASES], ids=[c[0] for c in IMPORT_CASES]
)
def test_every_import_problem_renders_its_message_from_the_catalogue(
    sqlite_engine, producer, expected
):
    check(producer(sqlite_engine), expected)


def rollback_errors(engine) -> list[CreditDashError]:
    """Every refusal of `rollback`, each caught."""
    caught = []

    def attempt(import_id: int) -> None:
        with pytest.raises(CreditDashError) as err:
            rollback(engine, import_id)
        caught.append(err.value)

    def load(text: str, name: str) -> int:
        return import_sources(engine, [Source(name, text.encode())]).import_id

    attempt(99)  # does not exist
    first = load(STORED_LEDGER, "a.csv")
    changed = load(STORED_LEDGER.replace("1000.00", "1200.00"), "b.csv")
    attempt(first)  # a later import changed its rows
    rollback(engine, changed)
    attempt(changed)  # already rolled back
    load("Invoice No,Customer ID,Invoice Date,Amount\nINV-2,C1,2024-02-01,5.00\n", "c.csv")
    attempt(first)  # a later import uses its customer
    invoiced = load(
        "Invoice No,Customer ID,Invoice Date,Amount\nINV-9,C7,2024-03-01,9.00\n", "d.csv"
    )
    load(
        "Payment ID,Customer ID,Invoice No,Payment Date,Amount\nP9,C8,INV-9,2024-03-05,9.00\n",
        "e.csv",
    )
    attempt(invoiced)  # a later import pays its invoice (for another customer)
    return caught


# the codes of `rollback_errors`, in order
ERROR_CODES = (
    "import.not_found",
    "import.rollback_blocked.changed",
    "import.already_rolled_back",
    "import.rollback_blocked.customers",
    "import.rollback_blocked.invoices",
)


def test_rollback_refusals_carry_codes(sqlite_engine):
    errors = rollback_errors(sqlite_engine)
    assert tuple(e.code for e in errors) == ERROR_CODES
    for err in errors:
        assert i18n.t(err.code, "en", **err.params) == str(err)
        assert CHINESE.search(i18n.t(err.code, "zh", **err.params)), err.code


def test_removing_a_demo_that_is_not_there_carries_its_code(sqlite_engine):
    from creditdash.auth import LOCAL

    import_sources(sqlite_engine, [Source("a.csv", STORED_LEDGER.encode())])
    with pytest.raises(CreditDashError) as caught:
        remove_demo(sqlite_engine, LOCAL)
    err = caught.value
    assert err.code == DEMO_CODES[0]
    assert i18n.t(err.code, "en", **err.params) == str(err)
    assert CHINESE.search(i18n.t(err.code, "zh", **err.params)), err.code


DEMO_CODES = ("import.demo.none",)  # of the test above


def test_every_code_is_exercised_above():
    produced = set().union(*(c[2] for c in INGEST_CASES + IMPORT_CASES), ERROR_CODES, DEMO_CODES)
    assert produced == set(problems_json("en"))


def test_both_catalogues_have_every_code_with_the_same_placeholders():
    en, zh = problems_json("en"), problems_json("zh")
    assert set(en) == set(zh)
    for code, text in en.items():
        assert placeholders(text) == placeholders(zh[code]), code
        assert CHINESE.search(zh[code]), code


def test_a_bad_date_reads_naturally_in_chinese():
    [problem] = parsed("x.csv", HEAD + "I1,c,2024-13-45,2024-01-31,1\n")
    assert (problem.row, problem.column, problem.code) == (2, "Invoice Date", "ingest.bad_date")
    assert problem.params == {"value": "2024-13-45"}
    assert i18n.t(problem.code, "zh", **problem.params) == (
        "'2024-13-45' 不是有效日期：请改为 2024-03-31、3/31/2024 或 2024年3月31日 等格式。"
    )


def test_a_problem_without_a_code_still_works():
    log = ProblemLog()
    log.file("f.csv", "Something plain.")
    [problem] = log.problems
    assert (problem.message, problem.code, problem.params) == ("Something plain.", None, None)


def test_coded_problems_stay_hashable():
    [problem] = parsed("x.csv", HEAD + "I1,c,2024-13-45,2024-01-31,1\n")
    assert problem.params and len({problem, dataclasses.replace(problem)}) == 1


def test_errors_take_a_code_and_params_without_changing_the_message():
    err = InsufficientHistory("Too little.", code="x.y", params={"n": 1})
    assert (str(err), err.code, err.params) == ("Too little.", "x.y", {"n": 1})
    plain = InsufficientHistory("Too little.")
    assert (plain.code, plain.params) == (None, None)
