"""CSV bytes -> text -> cells: legacy encodings and delimiters of European and Chinese exports."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.ingest.csvtext import decode, read_csv_text, sniff_delimiter
from tests.ingest.conftest import run

GERMAN = (
    "Belegnummer;Kunde;Betrag in Hauswährung;Fälligkeit\n"
    "100001;Müller GmbH;1.234,56;31.12.2025\n"
    "100002;Bäckerei Schäfer;17.665,00-;15.01.2026\n"
)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (GERMAN, "cp1252"),
        ("Fälligkeit\n", "cp1252"),  # one short header line
        ("Kunde;Betrag\nGroßhandel Weiß;1.000,00 €\n", "cp1252"),
        ("Société;Montant;Échéance\nSociété Générale;1 234,56;31/12/2025\n", "latin-1"),
        ("Cliente;Descrição;Valor\nInformações Ltda;Ação;1.234,56\n", "cp1252"),
        ("Navn;Beløb\nÆrø Købmand;1.234,56\n", "cp1252"),
    ],
)
def test_western_single_byte_files_decode_as_written(text, encoding):
    decoded, found = decode(text.encode(encoding))
    assert decoded == text
    assert found == "cp1252"


@pytest.mark.parametrize(
    "text",
    [
        "发票号,金额\n1,2\n",
        "发票号码,客户名称,开票日期,金额\nINV-1,上海甲公司,2024-03-05,100.00\n",
        "客户,到期日\n北京乙科技有限公司,2024-05-01\n",
        "客户名称;金额;备注\n深圳市腾讯计算机系统有限公司;1.234,56;喆堃\n",
        "客戶名稱,金額\n臺灣積體電路製造股份有限公司,1\n鴻海精密工業,2\n",  # traditional
    ],
)
def test_chinese_gbk_files_still_decode_as_chinese(text):
    decoded, found = decode(text.encode("gbk"))
    assert decoded == text
    assert found == "gb18030"


def test_utf8_is_read_before_any_guess():
    assert decode(GERMAN.encode("utf-8")) == (GERMAN, "utf-8")


def test_semicolons_win_over_decimal_commas():
    lines = [
        "Kunde;Betrag;Skonto",
        "Müller, Hans;1,5;2,5",
        "Schmidt, Eva;1.234,56;0,50",
        "Weber, Jan;7,25;0,10",
    ]
    assert sniff_delimiter(lines) == ";"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1;2,5;3,5\n4;5,5;6,5\n", ";"),
        ("Konto\tName\tBetrag\n1\tA, B\t1,234.56\n2\tC, D\t5,00\n", "\t"),
        ("id,note,amount\n1,a;b,5\n2,c,6\n", ","),
        ("Kontoauszug 12/2025\n\nKonto;Betrag;Datum\n1;1,00;31.12.2025\n", ";"),
    ],
)
def test_delimiters(text, delimiter):
    assert sniff_delimiter(text.split("\n")) == delimiter


def test_semicolon_file_keeps_german_numbers_whole():
    cells = read_csv_text(GERMAN)
    assert cells.iloc[1].tolist() == ["100001", "Müller GmbH", "1.234,56", "31.12.2025"]
    assert cells.iloc[2, 2] == "17.665,00-"


def test_tab_file_with_commas_in_cells():
    cells = read_csv_text("Konto\tName\tBetrag\n1\tWeber, Jan\t1,234.56\n")
    assert cells.iloc[1].tolist() == ["1", "Weber, Jan", "1,234.56"]


def test_a_german_sap_export_imports_as_it_comes():
    text = (
        "Offene Posten 31.12.2025\n"
        "Invoice No;Customer;Invoice Date;Due Date;Amount\n"
        "100001;Müller GmbH;01.12.2025;31.12.2025;1.234,56\n"
        "100002;Bäckerei Schäfer;02.12.2025;15.01.2026;17.665,00-\n"
        "100003;Weiß AG;03.12.2025;02.01.2026;2.500\n"
    )
    batch = run("OP.csv", text.encode("cp1252"))
    assert [p for p in batch.problems if p.level == "error"] == []
    invoices = batch.invoices.set_index("invoice_id")
    assert invoices["amount_cents"].tolist() == [123456, -1766500, 250000]
    assert invoices["due_date"].tolist() == [
        pd.Timestamp("2025-12-31"),
        pd.Timestamp("2026-01-15"),
        pd.Timestamp("2026-01-02"),
    ]
    assert set(batch.customers["customer_id"]) == {"Müller GmbH", "Bäckerei Schäfer", "Weiß AG"}
