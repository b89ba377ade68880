"""Customer risk: grades and exposure, risk map, watchlist, customer detail, third-party view."""

import streamlit as st

import ui
from creditdash.aging import to_money
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.exports import to_csv_bytes, to_xlsx_bytes
from creditdash.ingest import Source
from creditdash.money import to_cents
from creditdash.risk import charts, present
from creditdash.risk.assess import grade_summary, risk_overview, score_history
from creditdash.risk.bureau import FileProvider, import_reports, read_reports
from creditdash.risk.compare import disagreements
from creditdash.risk.detail import customer_open_items, payment_history
from creditdash.risk.limits import limit_methods
from creditdash.risk.policy import ACTIONS, FEATURE_LABELS, grade_names
from creditdash.risk.policy_store import current_policy
from creditdash.risk.requests import approved_limits, decide_request, list_requests, submit_request
from creditdash.risk.scorecard import explain
from creditdash.risk.validation import backtest

ui.page_guard("pages/risk.py")
st.title(ui.tr("risk.title"))
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = {"exposure", "overdue", "credit_limit", "recommended_limit", "over_limit"}
currency = ui.settings().reporting_currency
as_of = ui.as_of()
engine = ui.engine()


def named(family: str, name: str) -> str:
    """The catalogue's name for `name` in `family`; names it lacks (a rule id the user made
    up in the policy) show as they are."""
    key = f"{family}.{name}"
    text = ui.tr(key)
    return name if text == key else text


MONEY = {"amount", "paid", "outstanding", "current_limit", "requested_limit", "recommended_limit",
         "insured_limit", "net_worth", "working_capital"}  # fmt: skip


def headers(columns, **special) -> dict:
    """column_config for a table: every column's header from the `risk.col` family.

    `special` gives a column its own header or column config; money columns get
    thousands separators.
    """
    config = {}
    for c in columns:
        if c in special:
            config[c] = special[c]
        elif c in MONEY:
            config[c] = ui.money_column(named("risk.col", c))
        else:
            config[c] = named("risk.col", c)
    return config


def downloads(frame, stem: str, key: str, money: set[str] | None = None) -> None:
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button("CSV", to_csv_bytes(frame), f"{stem}.csv", "text/csv", key=f"{key}_csv")
    c2.download_button(
        "XLSX", to_xlsx_bytes({stem[:31]: frame}, money), f"{stem}.xlsx", XLSX, key=f"{key}_xlsx"
    )


try:
    stored = current_policy(engine)
    policy = stored.policy
    bureau = read_reports(engine)
    limits = tuple(sorted(approved_limits(engine).items()))
    with st.spinner(ui.tr("risk.scoring")):
        result = ui.computed(risk_overview, as_of, stored.json, bureau, limits)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

table, hits = result["table"], result["watchlist"]
if table.empty:
    st.info(ui.tr("risk.no_customers", as_of=f"{as_of:%Y-%m-%d}"))
    st.stop()
grades = grade_names(policy)
summary = grade_summary(table, policy)
st.caption(
    ui.tr("risk.caption", as_of=f"{as_of:%Y-%m-%d}", version=stored.version, currency=currency)
)
worst = set(grades[-2:])
m1, m2, m3, m4 = st.columns(4)
m1.metric(ui.tr("risk.scored"), f"{len(table):,}", help=ui.tr("risk.scored.help"))
m2.metric(
    ui.tr("risk.worst", grades="/".join(grades[-2:])),
    ui.money_compact(table.loc[table["grade"].isin(worst), "exposure_cents"].sum() / 100),
    help=ui.tr("risk.worst.help"),
)
m3.metric(
    ui.tr("risk.over_limit"),
    ui.money_compact(table["over_limit_cents"].sum() / 100),
    help=ui.tr("risk.over_limit.help"),
)
m4.metric(
    ui.tr("risk.alerts"),
    f"{len(hits):,} ({int(hits['new'].sum()) if len(hits) else 0})",
    help=ui.tr("risk.alerts.help"),
)
if result["pd_note"]:
    st.info(result["pd_note"], icon=":material/info:")

portfolio, watch, detail, outside, model = st.tabs(
    [ui.tr(f"risk.tab.{t}") for t in ("portfolio", "watchlist", "detail", "outside", "model")]
)

with portfolio:
    st.plotly_chart(
        charts.grade_distribution(
            summary.assign(exposure=summary["exposure_cents"] / 100),
            currency=currency,
            title=ui.tr("risk.chart.grades"),
            customers=ui.tr("risk.chart.customers"),
            exposure=ui.tr("risk.chart.exposure"),
            grade_label=ui.tr("risk.chart.grade"),
            customers_unit=ui.tr("risk.chart.customers_unit"),
        ),
        key="risk_grades",
    )
    st.caption(ui.tr("risk.score_caption"))
    st.plotly_chart(
        charts.risk_map(
            present.risk_map_frame(table),
            grades,
            currency=currency,
            title=ui.tr("risk.chart.map"),
            x_title=ui.tr("risk.chart.map_x"),
            y_title=ui.tr("risk.chart.exposure"),
            grade_label=ui.tr("risk.chart.grade"),
            hover_words=(
                ui.tr("risk.chart.score_word"),
                ui.tr("risk.chart.exposure_word"),
                ui.tr("risk.chart.overdue_word"),
            ),
        ),
        key="risk_map",
    )
    view = present.portfolio_view(
        table,
        flag_label=lambda f: named("risk.flag", f),
        flag_sep=ui.tr("risk.flag_sep"),
        binding_label=lambda m: ui.tr(f"risk.binding.{m}"),
    )
    st.dataframe(
        view,
        hide_index=True,
        key="risk_table",
        column_config=headers(
            view.columns,
            **{c: ui.money_column(ui.tr(f"risk.col.{c}")) for c in MONEY - {"recommended_limit"}},
            recommended_limit=ui.money_column(
                ui.tr("risk.col.recommended_limit"), help=ui.tr("risk.col.recommended_limit.help")
            ),
            pd=st.column_config.NumberColumn(
                ui.tr("risk.col.pd"), format="percent", help=ui.tr("risk.col.pd.help")
            ),
            utilisation=st.column_config.NumberColumn(
                ui.tr("risk.col.utilisation"),
                format="percent",
                help=ui.tr("risk.col.utilisation.help"),
            ),
        ),
    )
    downloads(view, f"risk_{as_of:%Y%m%d}", "dl_risk", MONEY)

with watch:
    if hits.empty:
        st.success(ui.tr("risk.watch.none"))
    else:
        only_new = st.toggle(ui.tr("risk.watch.only_new"), key="risk_only_new")
        shown = present.watchlist_view(
            hits[hits["new"].astype(bool)] if only_new else hits,
            action_labels={a: ui.tr(f"risk.action.{a}") for a in ACTIONS},
            new_label=ui.tr("risk.watch.new"),
            rule_label=lambda r: named("risk.flag", r),
        )
        st.dataframe(
            shown,
            hide_index=True,
            key="risk_watchlist",
            column_config=headers(
                shown.columns, exposure=ui.money_column(ui.tr("risk.col.exposure"))
            ),
        )
        st.caption(ui.tr("risk.watch.caption"))
        downloads(shown, f"watchlist_{as_of:%Y%m%d}", "dl_watch", {"exposure"})

with detail:
    labels = dict(
        zip(table["customer_id"], table["customer_id"] + " " + table["customer_name"], strict=True)
    )
    customer = st.selectbox(
        ui.tr("risk.detail.customer"), list(labels), format_func=labels.get, key="risk_customer"
    )
    row = table.set_index("customer_id").loc[customer]
    d1, d2, d3, d4 = st.columns(4)
    d1.metric(
        ui.tr("risk.detail.score"),
        f"{row['score']:.0f} / {row['grade']}",
        help=ui.tr("risk.detail.score.help"),
    )
    d2.metric(
        ui.tr("risk.col.pd"),
        ui.pct(None if row["pd"] != row["pd"] else row["pd"] * 100),
        help=ui.tr("risk.detail.pd.help"),
    )
    d3.metric(
        ui.tr("risk.col.exposure"),
        ui.money(row["exposure_cents"] / 100),
        help=ui.tr("risk.detail.exposure.help"),
    )
    binding = ui.tr(f"risk.binding.{row['binding']}") if row["binding"] else None
    d4.metric(
        ui.tr("risk.col.recommended_limit"),
        ui.money(row["recommended_limit_cents"] / 100),
        help=ui.tr("risk.detail.limit.help", method=binding or ui.tr("risk.detail.no_binding")),
    )
    if row["chronic_late"]:
        st.warning(ui.tr("risk.detail.chronic"))
    history = ui.computed(score_history, as_of, stored.json, bureau)
    mine = history[history["customer_id"] == customer]
    left, right = st.columns(2)
    left.plotly_chart(
        charts.score_history_chart(
            mine,
            policy["grades"],
            title=ui.tr("risk.chart.history"),
            y_title=ui.tr("risk.col.score"),
        ),
        key="risk_history",
    )
    pays = payment_history(ui.ledger(), as_of, customer)
    right.plotly_chart(
        charts.payment_behaviour(
            pays.assign(amount=pays["amount_cents"] / 100),
            currency=currency,
            title=ui.tr("risk.chart.payments", currency=currency),
            y_title=ui.tr("risk.chart.payments_y"),
            names=(ui.tr("risk.chart.on_time"), ui.tr("risk.chart.late")),
            days_unit=ui.tr("risk.chart.days_unit"),
        ),
        key="risk_payments",
    )
    st.subheader(ui.tr("risk.detail.why"))
    why = present.explanation_view(
        explain(table, policy, customer),
        policy,
        feature_labels={f: ui.tr(f"risk.feature.{f}") for f in FEATURE_LABELS},
        band_texts={b: ui.tr(f"risk.band.{b}") for b in present.BAND_TEXTS},
    )
    st.dataframe(why, hide_index=True, key="risk_explain", column_config=headers(why.columns))
    st.subheader(ui.tr("risk.detail.limits"))
    methods = limit_methods(table, customer).assign(
        figure=lambda f: f["figure_cents"] / 100,
        label=lambda f: f["method"].map(lambda m: ui.tr(f"risk.method.{m}")),
    )
    st.dataframe(
        methods[["label", "figure", "binding"]],
        hide_index=True,
        key="risk_limits",
        column_config=headers(
            ["label", "figure", "binding"],
            label=ui.tr("risk.col.method"),
            figure=ui.money_column(ui.tr("risk.col.figure")),
            binding=ui.tr("risk.col.binds"),
        ),
    )
    st.subheader(ui.tr("risk.detail.items"))
    items = customer_open_items(ui.ledger(), as_of, customer)
    items = to_money(items.drop(columns=["segment", "region", "salesperson"]))
    st.dataframe(items, hide_index=True, key="risk_items", column_config=headers(items.columns))
    st.subheader(ui.tr("risk.detail.bureau"))
    theirs = bureau[bureau["customer_id"] == customer]
    if theirs.empty:
        st.caption(ui.tr("risk.detail.no_bureau"))
    else:
        theirs = to_money(theirs.drop(columns=["report_id", "customer_id"]))
        st.dataframe(
            theirs,
            hide_index=True,
            key="risk_bureau",
            column_config=headers(theirs.columns, pd=ui.tr("risk.col.bureau_pd")),
        )
    st.subheader(ui.tr("risk.detail.requests"))
    requests = list_requests(engine, customer)
    st.dataframe(
        to_money(requests).assign(status=requests["status"].map(lambda s: named("risk.status", s))),
        hide_index=True,
        key="risk_requests",
        column_config=headers(requests.columns),
    )
    with st.form("limit_request", clear_on_submit=True):
        who = (
            ui.actor()
            if ui.auth_configured()
            else st.text_input(ui.tr("risk.req.who"), key="req_who")
        )
        amount = st.number_input(
            ui.tr("risk.req.amount"), min_value=0.0, step=10_000.0, key="req_amount"
        )
        reason = st.text_input(ui.tr("risk.req.reason"), key="req_reason")
        if st.form_submit_button(ui.tr("risk.req.submit")):
            try:
                current = row["credit_limit_cents"]
                rid = submit_request(engine, customer, to_cents(amount), reason, who,
                                     None if current != current or current is None else int(current))  # fmt: skip
                st.success(ui.tr("risk.req.recorded", id=rid))
            except CreditDashError as err:
                st.error(ui.error_text(err))
    pending = requests[requests["status"] == "pending"]
    if not pending.empty:
        with st.form("decide_request"):
            rid = st.selectbox(
                ui.tr("risk.req.pending"),
                list(pending["request_id"]),
                format_func=lambda i: f"#{i}",
                key="dec_id",
            )
            who = (
                ui.actor()
                if ui.auth_configured()
                else st.text_input(ui.tr("risk.req.decided_by"), key="dec_who")
            )
            reason = st.text_input(ui.tr("risk.req.decision_reason"), key="dec_reason")
            approve, reject = st.columns(2)
            go_ok = approve.form_submit_button(ui.tr("risk.req.approve"))
            go_no = reject.form_submit_button(ui.tr("risk.req.reject"))
            if go_ok or go_no:
                try:
                    status = decide_request(engine, int(rid), go_ok, reason, who)
                    st.success(
                        ui.tr("risk.req.decided", id=rid, status=named("risk.status", status))
                    )
                except CreditDashError as err:
                    st.error(ui.error_text(err))

with outside:
    view = disagreements(table, policy)
    if view.empty:
        st.info(ui.tr("risk.outside.none"))
    else:
        shown = view.assign(
            exposure=view["exposure_cents"] / 100,
            above_bureau_limit=view["above_bureau_limit_cents"] / 100,
            above_insured=view["above_insured_cents"] / 100,
        ).drop(columns=["exposure_cents", "above_bureau_limit_cents", "above_insured_cents"])
        st.dataframe(
            shown,
            hide_index=True,
            key="risk_disagree",
            column_config=headers(
                shown.columns,
                grade_gap=st.column_config.NumberColumn(
                    ui.tr("risk.col.grade_gap"), help=ui.tr("risk.col.grade_gap.help")
                ),
            ),
        )
        downloads(shown, f"third_party_{as_of:%Y%m%d}", "dl_outside")
    st.subheader(ui.tr("risk.import.title"))
    files = st.file_uploader(ui.tr("risk.import.files"), type=["csv", "xlsx", "xls"],
                             accept_multiple_files=True, key="bureau_files")  # fmt: skip
    c1, c2, c3 = st.columns(3)
    provider = c1.text_input(ui.tr("risk.import.provider"), key="bureau_provider")
    scale = c2.text_input(ui.tr("risk.import.scale"), key="bureau_scale")
    auth = c3.text_input(ui.tr("risk.import.auth"), key="bureau_auth")
    confirm = st.checkbox(ui.tr("risk.import.confirm"), key="bureau_confirm")
    if files and st.button(ui.tr("risk.import.go"), key="bureau_import"):
        try:
            sources = [Source(f.name, f.getvalue()) for f in files]
            fp = FileProvider(sources, provider=provider or None, scale=scale or None)
            done = import_reports(engine, fp, ui.ledger().customers, who="app", authorisation=auth,
                                  confirm_names=confirm)  # fmt: skip
            st.success(" ".join(done.lines()[:1]))
        except ImportRejected as rejected:
            st.error(str(rejected))
            problems = [p.as_dict() for p in rejected.problems]
            st.dataframe(
                problems,
                key="bureau_problems",
                column_config={c: ui.tr(f"problem.{c}") for c in (problems or [{}])[0]},
            )
        except CreditDashError as err:
            st.error(ui.error_text(err))

with model:
    if result["coef"] is None:
        st.info(ui.tr("risk.model.none"))
    else:
        rows, events = result["pd_rows"]
        st.caption(ui.tr("risk.model.caption", rows=f"{rows:,}", events=f"{events:,}"))
        coef = result["coef"].round(4)
        st.dataframe(
            coef.assign(feature=coef["feature"].map(lambda f: named("risk.var", f))),
            hide_index=True,
            key="risk_coef",
            column_config=headers(coef.columns),
        )
        if st.button(ui.tr("risk.model.backtest"), key="risk_backtest"):
            try:
                bt = ui.shared(backtest, as_of, policy, bureau)
                b1, b2, b3 = st.columns(3)
                b1.metric("AUC", f"{bt.auc:.3f}", help=ui.tr("risk.model.auc.help"))
                b2.metric("KS", f"{bt.ks:.3f}", help=ui.tr("risk.model.ks.help"))
                b3.metric(
                    ui.tr("risk.model.card_auc"),
                    f"{bt.scorecard_auc:.3f}",
                    help=ui.tr("risk.model.card_auc.help"),
                )
                st.plotly_chart(
                    charts.calibration_chart(
                        bt.calibration,
                        title=ui.tr("risk.chart.calibration"),
                        y_title=ui.tr("risk.chart.calibration_y"),
                        names=(ui.tr("risk.chart.predicted"), ui.tr("risk.chart.observed")),
                    ),
                    key="risk_calibration",
                )
            except CreditDashError as err:
                st.error(ui.error_text(err))
