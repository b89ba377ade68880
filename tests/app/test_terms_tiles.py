"""The Credit terms page's tiles: levels before -> after, arrows the way a figure moves, colour
for profit, NPV named a perpetuity, 13 weeks against the steady state for the same customers."""

from __future__ import annotations

import json

from streamlit.proto.Metric_pb2 import Metric

import ui
from tests.app.test_terms_pages import PAGES, run_page

UP, DOWN, NONE = (Metric.MetricDirection.Value(d) for d in ("UP", "DOWN", "NONE"))
GREEN, RED, GRAY = (Metric.MetricColor.Value(c) for c in ("GREEN", "RED", "GRAY"))
LEVELS = ["Credit sales a year", "DSO (365 days)", "AR", "Bad debt a year",
          "Carrying cost a year", "Discounts a year"]  # fmt: skip


def tiles(at, first_level: str = LEVELS[0]) -> dict:
    """The page's tiles by label; where a label repeats (today's DSO, the working-capital DSO),
    the tile of the effect's rows."""
    metrics = list(at.metric)
    first = next(i for i, m in enumerate(metrics) if m.label == first_level)
    effect = metrics[first : first + len(LEVELS)]
    return {m.label: m for m in metrics} | {m.label: m for m in effect}


def arrow(tile) -> tuple[int, int]:
    return tile.proto.direction, tile.proto.color


def test_nothing_changed_shows_levels_without_arrows(demo_app):
    at = run_page(demo_app, PAGES[0])
    assert not at.exception, [e.value for e in at.exception]
    shown = tiles(at)
    assert all(label in shown for label in LEVELS)
    assert all(arrow(shown[label]) == (NONE, GRAY) for label in LEVELS)
    assert shown["Net annual effect"].value in ("¥0.00", "-¥0.00")


def test_shorter_terms_move_costs_down_in_green(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.slider(key="terms_net").set_value(15).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = tiles(at)
    for label in ("DSO (365 days)", "AR", "Carrying cost a year"):
        assert arrow(shown[label]) == (DOWN, GREEN), label  # fell, and that is good for profit
        assert shown[label].delta.startswith("-")
        assert shown[label].proto.delta_description.startswith("from ")
    assert arrow(shown["Credit sales a year"]) == (NONE, GRAY)  # no sales response set


def test_longer_terms_and_a_discount_move_costs_up_in_red(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.slider(key="terms_net").set_value(120).run()
    at.slider(key="terms_discount").set_value(2.0).run()
    at.slider(key="terms_sales").set_value(5.0).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = tiles(at)
    for label in ("Carrying cost a year", "Discounts a year", "Bad debt a year"):
        assert arrow(shown[label]) == (UP, RED), label  # grew, and that costs profit
        assert shown[label].delta.startswith("+")
    assert arrow(shown["Credit sales a year"]) == (UP, GREEN)


def test_levels_and_changes_sit_in_separate_rows(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.slider(key="terms_net").set_value(60).run()
    shown = tiles(at)
    # the profit effects are changes themselves: a value, no second change beside it
    for label in ("Net annual effect", "NPV as a perpetuity (net ÷ 8.0%)"):
        assert shown[label].delta == "" and arrow(shown[label]) == (NONE, GRAY), label
    assert "perpetuity" in shown["NPV as a perpetuity (net ÷ 8.0%)"].help
    assert "8.0%" in shown["NPV as a perpetuity (net ÷ 8.0%)"].help
    assert any("Before → after" in m.value for m in at.markdown)


def test_13_weeks_and_the_steady_state_side_by_side_for_the_chosen_customers(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.selectbox(key="terms_kind").set_value("segment").run()
    at.multiselect(key="terms_segment").set_value(["SME"]).run()
    at.slider(key="terms_net").set_value(15).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = tiles(at)
    weeks = shown["Receipts difference, 13 weeks"].value
    part = shown["Of which receivables, by week 13"].value
    released = shown["Cash released, steady state"].value
    assert weeks.startswith("¥") and part.startswith("¥") and released.startswith("¥")
    assert any("Cash, Segment: SME" in m.value for m in at.markdown)
    why = next(c.value for c in at.caption if c.value.startswith("Why they differ"))
    assert "13 weeks" in why and "AR0 - AR1" in why and part in why


def test_longer_terms_take_cash_out_in_13_weeks_and_in_the_steady_state(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.slider(key="terms_net").set_value(90).run()
    shown = tiles(at)
    for label in ("Receipts difference, 13 weeks", "Of which receivables, by week 13",
                  "Cash released, steady state"):  # fmt: skip
        assert shown[label].value.startswith("-¥"), label


def test_unchanged_terms_say_so_in_the_reconciliation_and_the_waterfall(demo_app):
    at = run_page(demo_app, PAGES[0])
    assert any("Nothing changes for these customers" in c.value for c in at.caption)
    waterfall = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert waterfall["data"][0]["type"] == "waterfall"
    assert [a["text"] for a in waterfall["layout"]["annotations"]] == [
        "No change: the new terms leave every component at 0"
    ]


def test_tiles_and_reconciliation_in_chinese(demo_app, monkeypatch):
    monkeypatch.setattr(ui, "lang", lambda: "zh")  # AppTest re-applies format_funcs outside runs
    demo_app.query_params["lang"] = "zh"
    at = run_page(demo_app, PAGES[0])
    at.slider(key="terms_net").set_value(15).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = tiles(at, "年赊销额")
    assert {"回款差额（13 周）", "其中应收账款变动（至第 13 周）", "释放的现金（稳态）"} <= set(
        shown
    )
    assert arrow(shown["年资金占用成本"]) == (DOWN, GREEN)
    assert shown["年资金占用成本"].proto.delta_description.startswith("原为 ")
    assert "净现值（永续：年净影响 ÷ 8.0%）" in shown
    assert any(c.value.startswith("两者不同的原因") for c in at.caption)
