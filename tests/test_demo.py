import time

import numpy as np
import openpyxl
import pandas as pd
import pytest

from creditdash.calendar import SPRING_FESTIVAL
from creditdash.demo import (
    BEHAVIOURS,
    CUSTOMER_HEADERS,
    INVOICE_HEADERS,
    PAYMENT_HEADERS,
    DemoCompany,
    generate_demo,
    write_demo_files,
)
from creditdash.errors import InvalidArgument
from creditdash.frames import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS, conform
from creditdash.ingest.synonyms import field_for

END = pd.Timestamp("2026-11-27")


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_demo()


@pytest.fixture(scope="module")
def paid_lines(company: DemoCompany) -> pd.DataFrame:
    """Applied payments on positive invoices, with days paid after due and the behaviour."""
    inv = company.invoices[company.invoices["amount_cents"] > 0]
    lines = company.payments.merge(
        inv[["invoice_id", "invoice_date", "due_date"]], on="invoice_id", how="inner"
    ).merge(company.truth, on="customer_id")
    return lines.assign(days_late=(lines["payment_date"] - lines["due_date"]).dt.days)


@pytest.fixture(scope="module")
def open_items(company: DemoCompany) -> pd.DataFrame:
    applied = company.payments.groupby("invoice_id")["amount_cents"].sum()
    inv = company.invoices
    paid = inv["invoice_id"].map(applied).fillna(0).astype("int64")
    return inv.assign(open_cents=inv["amount_cents"] - paid)


def weighted_days_late(lines: pd.DataFrame) -> float:
    return float(np.average(lines["days_late"], weights=lines["amount_cents"]))


def test_same_seed_same_company_and_another_seed_differs(company):
    again = generate_demo()
    for name in ("customers", "invoices", "payments", "truth"):
        pd.testing.assert_frame_equal(getattr(company, name), getattr(again, name))
    other = generate_demo(seed=7)
    assert not other.invoices.equals(company.invoices)
    assert not other.customers["customer_name"].equals(company.customers["customer_name"])


def test_generation_is_fast():
    started = time.perf_counter()
    generate_demo(seed=11)
    assert time.perf_counter() - started < 5


def test_years_outside_range_is_rejected():
    with pytest.raises(InvalidArgument, match="`years` must be between 1 and 10. Got 0."):
        generate_demo(years=0)


def test_frames_are_canonical(company):
    for frame, columns in (
        (company.customers, CUSTOMER_COLUMNS),
        (company.invoices, INVOICE_COLUMNS),
        (company.payments, PAYMENT_COLUMNS),
    ):
        pd.testing.assert_frame_equal(frame, conform(frame, columns))
    assert company.invoices["amount_cents"].dtype == "int64"
    assert company.payments["amount_cents"].dtype == "int64"
    assert set(company.invoices["currency"]) == {"CNY"}
    assert list(company.truth.columns) == ["customer_id", "behaviour", "risk", "default_date"]


def test_sizes_in_range(company):
    assert 250 <= len(company.customers) <= 350
    assert 25_000 <= len(company.invoices) <= 40_000
    assert 0.8 * len(company.invoices) <= len(company.payments) <= 1.5 * len(company.invoices)
    assert 8 <= company.customers["salesperson"].nunique() <= 12
    assert company.customers["region"].nunique() == 6
    assert company.customers["industry"].nunique() >= 7


def test_ids_unique_and_well_formed(company):
    cust, inv, pay = company.customers, company.invoices, company.payments
    assert cust["customer_id"].is_unique and cust["customer_name"].is_unique
    assert cust["customer_id"].str.fullmatch(r"C\d{4}").all()
    assert inv["invoice_id"].is_unique
    assert inv["invoice_id"].str.fullmatch(r"(INV|CN)20\d{2}\d{5}").all()
    assert pay["payment_id"].is_unique
    assert pay["payment_id"].str.fullmatch(r"P\d{6}").all()


def test_master_data_believable(company):
    cust = company.customers
    chinese = cust["region"] != "海外"
    assert cust["customer_name"][chinese].str.endswith("公司").all()
    assert cust["customer_name"][~chinese].str.fullmatch(r"[A-Za-z .,]+").all()
    assert chinese.mean() > 0.8
    assert cust["credit_code"][chinese].notna().mean() > 0.85
    assert set(cust["payment_terms_days"]) <= {30, 45, 60, 90}
    limits = cust["credit_limit_cents"].dropna()
    assert (limits % 1_000_000 == 0).all()  # round figures, whole 10,000 yuan
    assert set(company.truth["behaviour"]) == set(BEHAVIOURS)
    assert company.truth["risk"].between(0, 1).all()


def uscc_is_valid(code: str) -> bool:
    """GB 32100-2015 check character, computed independently of the generator."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [3**i % 31 for i in range(17)]
    total = sum(chars.index(c) * w for c, w in zip(code[:17], weights, strict=True))
    return len(code) == 18 and chars[(31 - total % 31) % 31] == code[17]


def test_uscc_checker_accepts_a_published_code():
    assert uscc_is_valid("91350100M000100Y43")
    assert not uscc_is_valid("91350100M000100Y44")


def test_credit_codes_are_valid(company):
    codes = company.customers["credit_code"].dropna()
    assert codes.str.fullmatch(r"91\d{6}[0-9A-HJ-NP-RTUW-Y]{10}").all()
    assert all(uscc_is_valid(c) for c in codes)


def test_every_invoice_and_payment_belongs_to_a_known_customer(company):
    known = set(company.customers["customer_id"])
    assert set(company.invoices["customer_id"]) <= known
    assert set(company.payments["customer_id"]) <= known
    assert set(company.truth["customer_id"]) == known
    applied = company.payments.dropna(subset=["invoice_id"])
    owner = company.invoices.set_index("invoice_id")["customer_id"]
    assert (applied["invoice_id"].map(owner) == applied["customer_id"]).all()


def test_nothing_dated_after_end_nor_paid_before_its_invoice(company, paid_lines):
    pay, inv = company.payments, company.invoices
    assert company.as_of == END
    assert inv["invoice_date"].max() <= END
    assert pay["payment_date"].max() <= END
    first = inv["invoice_date"].min()
    assert first >= END - pd.DateOffset(years=3)
    assert pay["payment_date"].min() >= first - pd.DateOffset(years=2)
    assert (paid_lines["payment_date"] >= paid_lines["invoice_date"]).all()
    assert (inv["due_date"] >= inv["invoice_date"]).all()


def test_no_invoice_is_overpaid(open_items):
    positive = open_items["amount_cents"] > 0
    assert (open_items.loc[positive, "open_cents"] >= 0).all()
    assert (open_items.loc[~positive, "open_cents"] <= 0).all()


def test_invoices_near_the_end_are_open(open_items):
    recent = open_items[open_items["invoice_date"] > END - pd.Timedelta(days=20)]
    assert (recent["open_cents"] != 0).mean() > 0.9


def test_defaulted_customers_stop_paying_and_stay_deeply_overdue(company, open_items):
    defaulted = company.truth[company.truth["behaviour"] == "defaulted"]
    assert len(defaulted) >= 5
    assert defaulted["default_date"].notna().all()
    assert company.truth.loc[company.truth["behaviour"] != "defaulted", "default_date"].isna().all()
    last_paid = company.payments.groupby("customer_id")["payment_date"].max()
    deep = open_items[
        (open_items["open_cents"] > 0) & (open_items["due_date"] < END - pd.Timedelta(days=90))
    ]
    for row in defaulted.itertuples():
        assert last_paid.get(row.customer_id, row.default_date) <= row.default_date
        assert (deep["customer_id"] == row.customer_id).any(), row.customer_id


def test_chronic_late_payers_pay_inside_the_first_bucket(paid_lines):
    chronic = paid_lines[paid_lines["behaviour"] == "chronic_late_current"]
    per_customer = chronic.groupby("customer_id")[["days_late", "amount_cents"]].apply(
        weighted_days_late
    )
    assert len(per_customer) >= 10
    assert ((per_customer > 15) & (per_customer <= 30)).all()


def test_behaviours_are_ordered_by_lateness(paid_lines):
    late = paid_lines.groupby("behaviour")[["days_late", "amount_cents"]].apply(weighted_days_late)
    assert late["prompt"] < 2 < late["average"] < late["chronic_late_current"] < late["slow"]


def test_deteriorating_customers_pay_later_in_the_last_months(paid_lines):
    worse = paid_lines[paid_lines["behaviour"] == "deteriorating"]
    early = worse[worse["invoice_date"] < END - pd.DateOffset(years=2)]
    late = worse[
        worse["invoice_date"].between(END - pd.DateOffset(months=8), END - pd.DateOffset(months=4))
    ]
    assert weighted_days_late(late) > weighted_days_late(early) + 20


def test_fewer_invoices_around_spring_festival(company):
    dates = company.invoices["invoice_date"]
    checked = 0
    for festival in map(pd.Timestamp, SPRING_FESTIVAL.values()):
        if (
            not dates.min() + pd.Timedelta(weeks=6)
            <= festival
            <= dates.max() - pd.Timedelta(weeks=7)
        ):
            continue
        day = pd.Timedelta(days=1)
        dip = dates.between(festival - 7 * day, festival + 13 * day).sum() / 3
        before = dates.between(festival - 42 * day, festival - 8 * day).sum()
        after = dates.between(festival + 14 * day, festival + 48 * day).sum()
        assert dip < 0.6 * (before + after) / 10, festival
        checked += 1
    assert checked == 3


def test_invoicing_peaks_at_month_end_and_rests_on_sundays(company):
    dates = company.invoices["invoice_date"]
    month_end = dates.dt.day > dates.dt.days_in_month - 3
    assert month_end.mean() > 3 / 30 * 1.4
    assert (dates.dt.day_of_week == 6).mean() < 0.02


def test_credit_notes_disputes_partials_and_unapplied_cash(company, open_items):
    inv, pay = company.invoices, company.payments
    credit_notes = inv[inv["invoice_id"].str.startswith("CN")]
    assert (credit_notes["amount_cents"] < 0).all()
    assert (inv.loc[~inv.index.isin(credit_notes.index), "amount_cents"] > 0).all()
    assert 0.01 <= len(credit_notes) / len(inv) <= 0.02
    assert 0.02 <= inv["disputed"].mean() <= 0.04
    assert not credit_notes["disputed"].any()
    cleared = open_items.loc[credit_notes.index, "open_cents"] == 0
    assert cleared.mean() > 0.8
    instalments = pay.dropna(subset=["invoice_id"]).groupby("invoice_id").size()
    assert (instalments >= 2).sum() > 0.02 * len(inv)
    assert (instalments == 3).any()
    unapplied = pay["invoice_id"].isna()
    assert 10 <= unapplied.sum() <= 0.01 * len(pay)
    assert (pay.loc[unapplied, "amount_cents"] > 0).all()


def test_disputed_invoices_are_paid_late_or_in_part(company, paid_lines, open_items):
    disputed_ids = company.invoices.loc[company.invoices["disputed"], "invoice_id"]
    lateness = paid_lines.groupby(paid_lines["invoice_id"].isin(disputed_ids))[
        ["days_late", "amount_cents"]
    ].apply(weighted_days_late)
    assert lateness[True] > lateness[False] + 20
    old_disputes = open_items[
        open_items["disputed"] & (open_items["due_date"] < END - pd.Timedelta(days=365))
    ]
    part_paid = (old_disputes["open_cents"] > 0) & (
        old_disputes["open_cents"] < old_disputes["amount_cents"]
    )
    assert part_paid.any()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list:
    small = generate_demo(seed=3, years=1)
    return [small, write_demo_files(tmp_path_factory.mktemp("demo"), small)]


def test_write_demo_files_names(written):
    _, paths = written
    assert [p.name for p in paths] == ["demo_customers.xlsx", "demo_ledger.xlsx", "template.xlsx"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_customer_file_has_title_then_chinese_headers(written):
    small, paths = written
    ws = openpyxl.load_workbook(paths[0])["客户"]
    assert ws["A1"].value == "客户主数据 Customer master"
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    headers = [c.value for c in ws[2]]
    assert headers == list(CUSTOMER_HEADERS)
    assert [field_for(h) for h in headers] == [
        *CUSTOMER_COLUMNS[:7],
        "credit_limit",
        "payment_terms_days",
    ]
    assert ws.freeze_panes == "A3"
    assert ws.max_row == 2 + len(small.customers)
    first = small.customers.iloc[0]
    assert ws["A3"].value == first["customer_id"]
    assert ws["H3"].value * 100 == first["credit_limit_cents"]
    assert ws["I3"].value == first["payment_terms_days"]


def test_ledger_file_sheets_headers_and_totals(written):
    small, paths = written
    book = openpyxl.load_workbook(paths[1])
    assert book.sheetnames == ["Invoices", "Payments"]
    inv_ws, pay_ws = book["Invoices"], book["Payments"]
    assert [c.value for c in inv_ws[1]] == list(INVOICE_HEADERS)
    assert [c.value for c in pay_ws[1]] == list(PAYMENT_HEADERS)
    assert {field_for(h) for h in INVOICE_HEADERS} == {
        "invoice_id", "customer_id", "customer_name", "invoice_date", "due_date", "amount",
        "currency", "disputed",
    }  # fmt: skip
    assert [field_for(h) for h in PAYMENT_HEADERS] == [
        "payment_id", "customer_id", "invoice_id", "payment_date", "amount",
    ]  # fmt: skip
    assert inv_ws.freeze_panes == "A2" and pay_ws.freeze_panes == "A2"
    assert inv_ws["A1"].font.b
    first = small.invoices.iloc[0]
    assert inv_ws["D2"].value == first["invoice_date"].to_pydatetime()
    assert inv_ws["D2"].number_format == "yyyy-mm-dd"
    assert inv_ws["F2"].value == first["amount_cents"] / 100
    assert inv_ws["F2"].number_format == "#,##0.00"
    total_row = len(small.invoices) + 2
    assert inv_ws.max_row == total_row
    assert inv_ws.cell(total_row, 1).value == "Total"
    assert inv_ws.cell(total_row, 6).value == f"=SUM(F2:F{total_row - 1})"
    assert pay_ws.max_row == len(small.payments) + 1


def test_ledger_file_reads_back_to_the_same_amounts(written):
    small, paths = written
    invoices = pd.read_excel(paths[1], sheet_name="Invoices", engine="calamine")
    invoices = invoices[invoices["Invoice No"] != "Total"]
    assert len(invoices) == len(small.invoices)
    assert round(invoices["Amount"].sum() * 100) == small.invoices["amount_cents"].sum()
    payments = pd.read_excel(paths[1], sheet_name="Payments", engine="calamine")
    assert payments["Invoice No"].isna().sum() == small.payments["invoice_id"].isna().sum()
    assert (pd.to_datetime(payments["Payment Date"]) <= small.as_of).all()


def test_template_has_headers_only_and_a_readme(written):
    _, paths = written
    book = openpyxl.load_workbook(paths[2])
    assert book.sheetnames == ["Invoices", "Payments", "Customers", "README"]
    assert [c.value for c in book["Invoices"][1]] == list(INVOICE_HEADERS)
    assert [c.value for c in book["Payments"][1]] == list(PAYMENT_HEADERS)
    assert [c.value for c in book["Customers"][1]] == list(CUSTOMER_HEADERS)
    assert all(book[s].max_row == 1 for s in ("Invoices", "Payments", "Customers"))
    readme = book["README"]
    explained = {(r[0], r[1]) for r in readme.iter_rows(min_row=2, values_only=True)}
    for sheet, headers in (
        ("Invoices", INVOICE_HEADERS),
        ("Payments", PAYMENT_HEADERS),
        ("Customers", CUSTOMER_HEADERS),
    ):
        assert {(sheet, h) for h in headers} <= explained
    assert all(r[3] and r[4] for r in readme.iter_rows(min_row=2, values_only=True))


def test_write_demo_files_defaults_to_the_demo_company(tmp_path, monkeypatch):
    import creditdash.demo as demo

    small = generate_demo(years=1)
    monkeypatch.setattr(demo, "generate_demo", lambda: small)
    paths = write_demo_files(tmp_path / "new" / "dir")
    assert all(p.exists() for p in paths)
