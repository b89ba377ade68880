"""Customer risk: grades and exposure, risk map, watchlist, customer detail, third-party view."""

import streamlit as st

import ui
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
from creditdash.risk.policy import grade_names
from creditdash.risk.policy_store import current_policy
from creditdash.risk.requests import approved_limits, decide_request, list_requests, submit_request
from creditdash.risk.scorecard import explain
from creditdash.risk.validation import backtest

ui.page_guard("pages/risk.py")
st.title("Customer risk")
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
currency = ui.settings().reporting_currency
as_of = ui.as_of()
engine = ui.engine()


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
    with st.spinner("Scoring customers…"):
        result = ui.computed(risk_overview, as_of, stored.json, bureau, limits)
except CreditDashError as err:
    st.error(str(err))
    st.stop()

table, hits = result["table"], result["watchlist"]
if table.empty:
    st.info(f"No customer has an invoice on or before {as_of:%Y-%m-%d}.")
    st.stop()
grades = grade_names(policy)
summary = grade_summary(table, policy)
st.caption(
    f"At the end of {as_of:%Y-%m-%d}, policy version {stored.version}; every figure uses only "
    f"data dated on or before that day. Money in {currency}."
)
worst = set(grades[-2:])
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    "Customers scored",
    f"{len(table):,}",
    help="Customers with an invoice on or before the as-of date.",
)
m2.metric(
    f"Exposure in grades {'/'.join(grades[-2:])}",
    ui.money_compact(table.loc[table["grade"].isin(worst), "exposure_cents"].sum() / 100),
    help="Total receivables (open invoices less unapplied cash) of customers in the two worst grades.",
)
m3.metric(
    "Over-limit exposure",
    ui.money_compact(table["over_limit_cents"].sum() / 100),
    help="Sum over customers of max(exposure - credit limit, 0); customers without a limit count 0.",
)
m4.metric(
    "Alerts (new this week)",
    f"{len(hits):,} ({int(hits['new'].sum()) if len(hits) else 0})",
    help="Policy rules that fire at the as-of date; new = did not fire 7 days earlier.",
)
if result["pd_note"]:
    st.info(result["pd_note"], icon=":material/info:")

portfolio, watch, detail, outside, model = st.tabs(
    ["Portfolio", "Watchlist", "Customer detail", "Third-party view", "PD model"]
)

with portfolio:
    st.plotly_chart(
        charts.grade_distribution(
            summary.assign(exposure=summary["exposure_cents"] / 100), currency=currency
        ),
        key="risk_grades",
    )
    st.caption(
        "Score = 100 - points lost on the policy's scorecard; grade from the policy's score "
        "bands (capped, e.g. 90+ days past due is at best D)."
    )
    st.plotly_chart(
        charts.risk_map(present.risk_map_frame(table), grades, currency=currency), key="risk_map"
    )
    view = present.portfolio_view(table)
    st.dataframe(
        view,
        hide_index=True,
        key="risk_table",
        column_config={
            **{k: ui.money_column(v) for k, v in present.PORTFOLIO_COLUMNS.items()
               if k in {"exposure", "overdue", "credit_limit", "recommended_limit", "over_limit"}},
            "pd": st.column_config.NumberColumn("PD 12m", format="percent",
                                                help="Probability of an invoice 90+ days past due within 12 months (logistic model)."),
            "utilisation": st.column_config.NumberColumn("Utilisation", format="percent",
                                                         help="Exposure / credit limit."),
            "recommended_limit": ui.money_column("Recommended limit",
                                                 help="Smallest of the limit methods (needs-based, third-party, net worth, insured), scaled by grade."),
        },
    )  # fmt: skip
    downloads(
        view,
        f"risk_{as_of:%Y%m%d}",
        "dl_risk",
        {"exposure", "overdue", "credit_limit", "recommended_limit", "over_limit"},
    )

with watch:
    if hits.empty:
        st.success("No rule of the credit policy fires at this date.")
    else:
        shown = present.watchlist_view(hits)
        only_new = st.toggle("Only new since last week", key="risk_only_new")
        shown = shown[shown["new"] == "new"] if only_new else shown
        st.dataframe(shown, hide_index=True, key="risk_watchlist",
                     column_config={"exposure": ui.money_column("Exposure")})  # fmt: skip
        st.caption(
            "Actions come from the policy's rules (Credit policy page); the most severe first."
        )
        downloads(shown, f"watchlist_{as_of:%Y%m%d}", "dl_watch", {"exposure"})

with detail:
    labels = dict(
        zip(table["customer_id"], table["customer_id"] + " " + table["customer_name"], strict=True)
    )
    customer = st.selectbox("Customer", list(labels), format_func=labels.get, key="risk_customer")
    row = table.set_index("customer_id").loc[customer]
    d1, d2, d3, d4 = st.columns(4)
    d1.metric(
        "Score / grade",
        f"{row['score']:.0f} / {row['grade']}",
        help="Scorecard score 0-100 and its grade.",
    )
    d2.metric(
        "PD 12m",
        ui.pct(None if row["pd"] != row["pd"] else row["pd"] * 100),
        help="Probability of an invoice 90+ days past due within 12 months.",
    )
    d3.metric(
        "Exposure", ui.money(row["exposure_cents"] / 100), help="Open invoices less unapplied cash."
    )
    d4.metric("Recommended limit", ui.money(row["recommended_limit_cents"] / 100),
              help=f"Binding method: {row['binding'] or 'none'}.")  # fmt: skip
    if row["chronic_late"]:
        st.warning(
            "Current but chronically late: the aging looks clean, yet most money comes late."
        )
    history = ui.computed(score_history, as_of, stored.json, bureau)
    mine = history[history["customer_id"] == customer]
    left, right = st.columns(2)
    left.plotly_chart(charts.score_history_chart(mine, policy["grades"]), key="risk_history")
    pays = payment_history(ui.ledger(), as_of, customer)
    right.plotly_chart(
        charts.payment_behaviour(pays.assign(amount=pays["amount_cents"] / 100), currency=currency),
        key="risk_payments",
    )
    st.subheader("Why this score")
    st.dataframe(
        present.explanation_view(explain(table, policy, customer)),
        hide_index=True,
        key="risk_explain",
    )
    st.subheader("Limit methods")
    methods = limit_methods(table, customer).assign(figure=lambda f: f["figure_cents"] / 100)
    st.dataframe(methods[["label", "figure", "binding"]], hide_index=True, key="risk_limits",
                 column_config={"figure": ui.money_column("Figure")})  # fmt: skip
    st.subheader("Open invoices")
    items = customer_open_items(ui.ledger(), as_of, customer)
    st.dataframe(items.drop(columns=["segment", "region", "salesperson"]).assign(
        outstanding=items["outstanding_cents"] / 100), hide_index=True, key="risk_items")  # fmt: skip
    st.subheader("Third-party reports")
    theirs = bureau[bureau["customer_id"] == customer]
    if theirs.empty:
        st.caption("No third-party report imported for this customer.")
    else:
        st.dataframe(
            theirs.drop(columns=["report_id", "customer_id"]), hide_index=True, key="risk_bureau"
        )
    st.subheader("Limit history and requests")
    requests = list_requests(engine, customer)
    st.dataframe(requests, hide_index=True, key="risk_requests")
    with st.form("limit_request", clear_on_submit=True):
        who = st.text_input("Your name", key="req_who")
        amount = st.number_input("Requested limit", min_value=0.0, step=10_000.0, key="req_amount")
        reason = st.text_input("Reason", key="req_reason")
        if st.form_submit_button("Submit limit request"):
            try:
                current = row["credit_limit_cents"]
                rid = submit_request(engine, customer, to_cents(amount), reason, who,
                                     None if current != current or current is None else int(current))  # fmt: skip
                st.success(f"Request #{rid} recorded.")
            except CreditDashError as err:
                st.error(str(err))
    pending = requests[requests["status"] == "pending"]
    if not pending.empty:
        with st.form("decide_request"):
            rid = st.selectbox("Pending request", list(pending["request_id"]), key="dec_id")
            who = st.text_input("Decided by", key="dec_who")
            reason = st.text_input("Decision reason", key="dec_reason")
            approve, reject = st.columns(2)
            go_ok = approve.form_submit_button("Approve")
            go_no = reject.form_submit_button("Reject")
            if go_ok or go_no:
                try:
                    status = decide_request(engine, int(rid), go_ok, reason, who)
                    st.success(f"Request #{rid} {status}.")
                except CreditDashError as err:
                    st.error(str(err))

with outside:
    view = disagreements(table, policy)
    if view.empty:
        st.info(
            "No third-party report imported yet. Upload a bureau, insurer, 企查查 or 天眼查 export below."
        )
    else:
        shown = view.assign(
            exposure=view["exposure_cents"] / 100,
            above_bureau_limit=view["above_bureau_limit_cents"] / 100,
            above_insured=view["above_insured_cents"] / 100,
        ).drop(columns=["exposure_cents", "above_bureau_limit_cents", "above_insured_cents"])
        st.dataframe(shown, hide_index=True, key="risk_disagree",
                     column_config={"grade_gap": st.column_config.NumberColumn(
                         "Grade gap", help="Third-party grade minus internal grade (> 0: they see more risk).")})  # fmt: skip
        downloads(shown, f"third_party_{as_of:%Y%m%d}", "dl_outside")
    st.subheader("Import third-party reports")
    files = st.file_uploader("Report files (CSV or Excel)", type=["csv", "xlsx", "xls"],
                             accept_multiple_files=True, key="bureau_files")  # fmt: skip
    c1, c2, c3 = st.columns(3)
    provider = c1.text_input("Provider (if the file has no provider column)", key="bureau_provider")
    scale = c2.text_input("Score scale, e.g. 0-100", key="bureau_scale")
    auth = c3.text_input("Authorisation on file", key="bureau_auth")
    confirm = st.checkbox("Accept customers matched by name only", key="bureau_confirm")
    if files and st.button("Import reports", key="bureau_import"):
        try:
            sources = [Source(f.name, f.getvalue()) for f in files]
            fp = FileProvider(sources, provider=provider or None, scale=scale or None)
            done = import_reports(engine, fp, ui.ledger().customers, who="app", authorisation=auth,
                                  confirm_names=confirm)  # fmt: skip
            st.success(" ".join(done.lines()[:1]))
        except ImportRejected as rejected:
            st.error(str(rejected))
            st.dataframe([p.as_dict() for p in rejected.problems], key="bureau_problems")
        except CreditDashError as err:
            st.error(str(err))

with model:
    if result["coef"] is None:
        st.info("No PD model at this date; the scorecard stands alone.")
    else:
        rows, events = result["pd_rows"]
        st.caption(
            f"Logistic regression on {rows:,} customer-month-ends with {events:,} defaults (an "
            "undisputed invoice 90+ days past due within the next 12 months); 95% confidence "
            "intervals clustered by customer."
        )
        st.dataframe(result["coef"].round(4), hide_index=True, key="risk_coef")
        if st.button("Run the out-of-time back-test", key="risk_backtest"):
            try:
                bt = ui.shared(backtest, as_of, policy, bureau)
                b1, b2, b3 = st.columns(3)
                b1.metric(
                    "AUC",
                    f"{bt.auc:.3f}",
                    help="Chance a defaulter got a higher PD than a non-defaulter.",
                )
                b2.metric(
                    "KS",
                    f"{bt.ks:.3f}",
                    help="Largest gap between the PD distributions of defaulters and the rest.",
                )
                b3.metric(
                    "Scorecard AUC", f"{bt.scorecard_auc:.3f}", help="The same for 100 - score."
                )
                st.plotly_chart(charts.calibration_chart(bt.calibration), key="risk_calibration")
            except CreditDashError as err:
                st.error(str(err))
