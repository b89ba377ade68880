"""The Weekly review page: runs, reads and writes its URL, records a snapshot, matches the pack."""

from __future__ import annotations

import os
from datetime import date

from creditdash.review import list_snapshots
from creditdash.store import open_store

PAGE = "pages/review.py"


def open_review(at, **params):
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_query_params_open_the_week_and_filters(demo_app):
    at = open_review(demo_app, week="2026-11-20", salesperson="张伟")
    assert at.selectbox(key="review_week").value == date(2026, 11, 20)
    assert at.selectbox(key="review_salesperson").value == "张伟"
    assert at.query_params["week"] == "2026-11-20" and at.query_params["salesperson"] == "张伟"
    at.selectbox(key="review_region").set_value("华东").run()
    at.selectbox(key="review_salesperson").set_value("All").run()
    assert not at.exception
    assert at.query_params["region"] == "华东" and "salesperson" not in at.query_params
    at.selectbox(key="review_week").set_value(date(2026, 11, 13)).run()
    assert at.query_params["week"] == "2026-11-13"


def test_unknown_salesperson_in_the_url_is_reported(demo_app):
    at = open_review(demo_app, salesperson="Nobody")
    assert any("`Nobody` is not a known salesperson" in w.value for w in at.warning)
    assert at.selectbox(key="review_salesperson").value == "All"


def test_tiles_match_the_kpis_and_define_themselves(demo_app):
    from creditdash.kpis import kpis
    from creditdash.store import load_ledger

    at = open_review(demo_app, week="2026-11-20")
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    figures = kpis(load_ledger(engine), "2026-11-20")
    engine.dispose()
    tiles = {m.label: m for m in at.metric}
    assert tiles["Overdue %"].value == f"{figures.overdue_pct:,.1f}%"
    assert tiles["DSO countback"].value == f"{figures.dso_countback:,.1f} d"
    assert tiles["CEI"].value == f"{figures.cei:,.1f}%"
    assert tiles["CEI"].delta is None or tiles["CEI"].delta.endswith(" pp")
    assert f"Exactly ¥{figures.total_ar:,.2f}" in tiles["Total AR"].help
    assert all(m.help for m in at.metric)


def test_record_button_stores_the_week(demo_app):
    at = open_review(demo_app, week="2026-11-20")
    at.button(key="rv_snapshot").click().run()
    assert not at.exception
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    table = list_snapshots(engine)
    engine.dispose()
    # the import records its own week too; the button adds the chosen week, by hand
    manual = table.loc[table["trigger"] == "manual"]
    assert manual["week_ending"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-20"]
    taken = manual["snapshot_id"].iloc[0]
    assert any(f"recorded snapshot #{taken} " in c.value for c in at.caption)


def test_empty_database_says_what_to_do(empty_app):
    at = open_review(empty_app)
    assert any("No receivables yet" in i.value for i in at.info)


def test_chinese_page_says_the_notes_and_alert_details_in_chinese(demo_app, monkeypatch):
    import re

    from creditdash.errors import InvalidArgument
    from creditdash.review import sections

    def refuse(ledger, as_of):
        raise InvalidArgument.coded(
            "error.review.weeks", "`weeks` must be at least 1. Got {weeks!r}.", weeks=0
        )

    monkeypatch.setattr(sections, "provision", refuse)
    at = open_review(demo_app, week="2026-11-20", lang="zh")
    chinese = re.compile(r"[\u4e00-\u9fff]")
    notes = [c.value for c in at.caption if c.value.startswith("ⓘ")]
    assert notes and all(chinese.search(n) for n in notes), notes
    omitted = "ⓘ 未包含“坏账准备”部分：creditdash.provisioning.provision：`weeks` 必须至少为 1。实际为 0。"
    assert omitted in notes
    assert not any("omitted" in n or "Broken promises" in n for n in notes)
    details = [
        (rule, detail)
        for frame in (d.value for d in at.dataframe if "detail" in d.value.columns)
        for rule, detail in zip(frame["rule"], frame["detail"], strict=True)
    ]
    watchlist = [(r, d) for r, d in details if r.startswith("风险关注：")]
    assert watchlist and all(chinese.search(r + d) for r, d in watchlist), details
