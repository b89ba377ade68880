"""Snapshots store a week's figures and read them back exactly, whatever is imported later."""

from __future__ import annotations

import pytest

from creditdash.errors import InvalidArgument, NotFound
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.review import list_snapshots, load_snapshot, take_snapshot, week_figures
from creditdash.review.snapshots import backfill_snapshots, figures_for_week
from creditdash.store import load_ledger

FIRST = """Invoice No,Customer ID,Customer Name,Salesperson,Invoice Date,Due Date,Amount,Settled Date
INV-1,C1,Acme,张伟,2026-10-01,2026-10-31,"1,000.00",
INV-2,C2,"=HYPERLINK(""http://x"",""y"")",Li,2026-10-15,2026-11-14,500.00,
"""
# A newer export: INV-1 turns out to have been paid on 2026-11-18 (before the first
# snapshot's week end), INV-2's amount was corrected, and a new invoice arrived.
SECOND = """Invoice No,Customer ID,Customer Name,Salesperson,Invoice Date,Due Date,Amount,Settled Date
INV-1,C1,Acme,张伟,2026-10-01,2026-10-31,"1,000.00",2026-11-18
INV-2,C2,"=HYPERLINK(""http://x"",""y"")",Li,2026-10-15,2026-11-14,800.00,
INV-3,C1,Acme,张伟,2026-11-25,2026-12-25,300.00,
"""


def _import(engine, text: str, name: str, snapshot: bool = False):
    import_sources(engine, [Source(name, text.encode("utf-8"))], snapshot=snapshot)
    return load_ledger(engine)


def test_each_import_records_the_week_of_its_newest_data(engine):
    _import(engine, FIRST, "first.csv", snapshot=True)
    _import(engine, SECOND, "second.csv", snapshot=True)
    weeks = list_snapshots(engine)
    assert set(weeks["trigger"]) == {"import"}
    assert weeks["week_ending"].astype(str).tolist()[0] == "2026-11-25"
    _import(engine, SECOND, "second.csv", snapshot=True)  # nothing changed: nothing recorded
    assert len(list_snapshots(engine)) == len(weeks)


def test_a_past_week_reads_back_unchanged_after_a_later_import(engine):
    ledger = _import(engine, FIRST, "first.csv")
    info = take_snapshot(engine, ledger, "2026-11-20")
    assert info.created and info.week_ending.isoformat() == "2026-11-20"
    _, before = load_snapshot(engine, "2026-11-20")
    assert before["aging"]["total"] == 150_000

    newer = _import(engine, SECOND, "second.csv")
    take_snapshot(engine, newer, newer.last_date, trigger="import", replace=True)  # the hook
    _, after = load_snapshot(engine, "2026-11-20")
    assert after == before  # exactly as recorded
    recomputed = week_figures(newer, "2026-11-20", optional=False)
    assert recomputed["aging"]["total"] == 80_000  # the ledger itself now says otherwise
    assert recomputed["kpis"] != before["kpis"]
    weeks = list_snapshots(engine)["week_ending"].dt.strftime("%Y-%m-%d").tolist()
    assert weeks == ["2026-11-25", "2026-11-20"]


def test_same_data_returns_the_existing_snapshot(engine):
    ledger = _import(engine, FIRST, "first.csv")
    first = take_snapshot(engine, ledger, "2026-11-20", trigger="manual")
    again = take_snapshot(engine, ledger, "2026-11-20", trigger="manual", replace=True)
    assert not again.created and again.snapshot_id == first.snapshot_id
    assert len(list_snapshots(engine)) == 1


def test_replace_adds_a_row_and_the_newest_wins(engine):
    ledger = _import(engine, FIRST, "first.csv")
    first = take_snapshot(engine, ledger, "2026-11-20")
    newer = _import(engine, SECOND, "second.csv")
    kept = take_snapshot(engine, newer, "2026-11-20")  # without replace: the record stands
    assert not kept.created and kept.snapshot_id == first.snapshot_id
    redone = take_snapshot(engine, newer, "2026-11-20", replace=True)
    assert redone.created and redone.snapshot_id != first.snapshot_id
    info, figures = load_snapshot(engine, "2026-11-20")
    assert info.snapshot_id == redone.snapshot_id and figures["aging"]["total"] == 80_000
    table = list_snapshots(engine)
    assert table["current"].tolist() == [True, False]


def test_figures_for_a_week_without_snapshot_are_computed(engine):
    ledger = _import(engine, FIRST, "first.csv")
    figures, info = figures_for_week(engine, ledger, "2026-11-13", optional=False)
    assert info is None and figures["as_of"] == "2026-11-13"
    backfill_snapshots(engine, ledger, "2026-11-20", weeks=3)
    assert len(list_snapshots(engine)) == 3
    _, info = figures_for_week(engine, ledger, "2026-11-13")
    assert info is not None and info.trigger == "backfill"


def test_unknown_week_and_bad_trigger_are_refused(engine):
    ledger = _import(engine, FIRST, "first.csv")
    with pytest.raises(NotFound, match="No review snapshot for the week ending 2026-11-06"):
        load_snapshot(engine, "2026-11-06")
    with pytest.raises(InvalidArgument, match="`trigger` must be one of import, manual"):
        take_snapshot(engine, ledger, "2026-11-20", trigger="cron")
    with pytest.raises(InvalidArgument, match="`weeks` must be at least 1"):
        backfill_snapshots(engine, ledger, "2026-11-20", weeks=0)


def test_a_viewer_may_not_record(engine):
    from creditdash.auth import Actor, PermissionDenied

    ledger = _import(engine, FIRST, "first.csv")
    with pytest.raises(PermissionDenied, match="take snapshot"):
        take_snapshot(engine, ledger, "2026-11-20", actor=Actor("v@x.cn", "viewer"))


def test_figures_computed_ahead_are_stored_and_must_be_of_the_week(engine):
    ledger = _import(engine, FIRST, "first.csv")
    ahead = week_figures(ledger, "2026-11-20", optional=False)
    with pytest.raises(
        InvalidArgument, match="of the week ending 2026-11-20 .90-day window., not of 2026-11-13"
    ):
        take_snapshot(engine, ledger, "2026-11-13", figures=ahead)
    assert len(list_snapshots(engine)) == 0
    take_snapshot(engine, ledger, "2026-11-20", figures=ahead)
    _info, stored = load_snapshot(engine, "2026-11-20")
    assert stored == ahead
