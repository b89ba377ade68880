"""The demo company told apart from a company's own data and taken out; the date an import's
data runs to (the app's as-of date after an import)."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from creditdash.audit import audit_log
from creditdash.auth import Actor, PermissionDenied
from creditdash.errors import NotFound
from creditdash.importing import (
    DEMO_FILES,
    demo_imports,
    holds_only_demo,
    import_sources,
    latest_date,
    list_imports,
    remove_demo,
    rollback,
)
from creditdash.ingest import Source
from creditdash.store import load_ledger, row_counts
from creditdash.store.review_models import ReviewSnapshot

ANALYST = Actor("ann@x.cn", "analyst")
VIEWER = Actor("vic@x.cn", "viewer")

# a small stand-in for the demo's two workbooks, under the demo's file names
DEMO_CUSTOMERS = pd.DataFrame(
    {"Customer ID": ["D001", "D002"], "Customer Name": ["演示甲", "演示乙"],
     "Credit Limit": [50_000, 80_000]}
)  # fmt: skip
DEMO_LEDGER = pd.DataFrame(
    {
        "Invoice No": ["DI-1", "DI-2", "DI-3"],
        "Customer ID": ["D001", "D002", "D002"],
        "Invoice Date": ["2025-05-02", "2025-06-01", "2025-06-30"],
        "Due Date": ["2025-06-01", "2025-07-01", "2025-07-30"],
        "Amount": [1000.00, 2500.00, 700.00],
    }
)
# the company's own ledger: other customers, older dates, one payment after the last invoice
OWN = """Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount,Settled Date,Paid Amount
INV-1,C1,Acme,2024-01-05,2024-02-04,1000.00,2024-02-10,1000.00
INV-2,C1,Acme,2024-02-01,2024-03-02,500.50,,
INV-3,C2,北京华盛,2024-03-01,2024-03-31,2000.00,2024-03-20,800.00
"""


def xlsx(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_excel(out, index=False)
    return out.getvalue()


def load_stand_in_demo(engine) -> int:
    files = dict(zip(DEMO_FILES, (xlsx(DEMO_CUSTOMERS), xlsx(DEMO_LEDGER)), strict=True))
    summary = import_sources(engine, [Source(name, data) for name, data in files.items()])
    return summary.import_id


def import_own(engine, text: str = OWN, name: str = "ledger_2024.csv") -> int:
    return import_sources(engine, [Source(name, text.encode())], actor=ANALYST).import_id


def weeks_recorded(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(ReviewSnapshot.import_id)).scalars())


def test_the_demo_is_told_apart_by_its_files(engine):
    assert demo_imports(engine) == [] and not holds_only_demo(engine)
    demo = load_stand_in_demo(engine)
    assert demo_imports(engine) == [demo] and holds_only_demo(engine)
    own = import_own(engine)
    assert demo_imports(engine) == [demo] and not holds_only_demo(engine)
    rollback(engine, own, actor=ANALYST)
    assert holds_only_demo(engine)
    # one of the demo's files alone is the demo too; a file of another name is not
    import_sources(engine, [Source(DEMO_FILES[1], xlsx(DEMO_LEDGER.assign(Amount=9.0)))])
    assert len(demo_imports(engine)) == 2 and holds_only_demo(engine)


def test_removing_the_demo_leaves_the_company_data_alone(engine):
    demo = load_stand_in_demo(engine)
    own = import_own(engine)
    assert set(weeks_recorded(engine)) == {demo, own}  # each import recorded its week
    done = remove_demo(engine, ANALYST)
    assert done["imports"] == 1 and done["review_weeks"] == 1
    assert (done["removed_invoices"], done["removed_customers"]) == (3, 2)
    ledger = load_ledger(engine)
    assert set(ledger.customers["customer_id"]) == {"C1", "C2"}
    assert set(ledger.invoices["invoice_id"]) == {"INV-1", "INV-2", "INV-3"}
    assert weeks_recorded(engine) == [own]  # the demo's week is gone, the company's stays
    history = list_imports(engine).set_index("import_id")["status"]
    assert history[demo] == "rolled_back" and history[own] == "applied"
    log = audit_log(engine)
    removed = log[log["action"] == "demo_removed"].iloc[0]
    assert removed["who"] == "ann@x.cn" and removed["entity_id"] == f"#{demo}"
    assert "rollback" in set(log["action"])  # the demo's import was rolled back as any other
    assert demo_imports(engine) == [] and not holds_only_demo(engine)


def test_removing_the_only_data_empties_the_store(engine):
    load_stand_in_demo(engine)
    remove_demo(engine, ANALYST)
    counts = row_counts(engine)
    assert (counts["customers"], counts["invoices"], counts["payments"]) == (0, 0, 0)
    assert weeks_recorded(engine) == []


def test_no_demo_to_remove_is_said(engine):
    import_own(engine)
    with pytest.raises(NotFound, match="There is no demo company to remove") as err:
        remove_demo(engine, ANALYST)
    assert err.value.code == "import.demo.none"
    assert "demo_customers.xlsx, demo_ledger.xlsx" in str(err.value)


def test_a_viewer_may_not_remove_the_demo(engine):
    load_stand_in_demo(engine)
    before = row_counts(engine)
    with pytest.raises(PermissionDenied, match="vic@x.cn is a viewer"):
        remove_demo(engine, VIEWER)
    assert row_counts(engine) == before and holds_only_demo(engine)


def test_latest_date_is_where_the_imported_data_ends(engine):
    first = import_own(engine)
    assert latest_date(engine, first) == date(2024, 3, 20)  # a payment after the last invoice
    later = OWN.replace("2000.00,2024-03-20,800.00", "2000.00,,") + (
        "INV-4,C2,北京华盛,2024-04-12,2024-05-12,300.00,,\n"
    )
    second = import_own(engine, later, "ledger_april.csv")
    assert latest_date(engine, second) == date(2024, 4, 12)  # only the rows it wrote count
    rollback(engine, second, actor=ANALYST)
    assert latest_date(engine, second) is None


def test_latest_date_of_an_open_items_export_is_its_report_date(engine):
    report = (
        "Open items as of 2024-03-31\n"
        "Invoice No,Customer ID,Invoice Date,Due Date,Amount,Open Amount\n"
        "A1,C1,2024-03-01,2024-03-31,1000.00,1000.00\n"
    )
    done = import_sources(
        engine, [Source("open-0331.csv", report.encode())], as_of=date(2024, 3, 31)
    )
    assert latest_date(engine, done.import_id) == date(2024, 3, 31)
