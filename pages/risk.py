"""Customer risk: grades and exposure, risk map, watchlist, customer detail, third-party view."""

import streamlit as st

import ui
from creditdash.aging import to_money
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.ingest import Source
from creditdash.money import to_cents
from creditdash.risk import charts, present
from creditdash.risk.assess import grade_summary, risk_overview, score_history
from creditdash.risk.bureau import FileProvider, import_reports, name_matches, read_reports
from creditdash.risk.compare import disagreements
from creditdash.risk.detail import customer_open_items, payment_history
from creditdash.risk.holds import (
    HOLD_ACTIONS,
    STATES,
    apply_action,
    credit_statuses,
    due_action,
    mark_watchlist,
    release,
    status_history,
    with_status,
)
from creditdash.risk.limits import limit_methods
from creditdash.risk.policy import (
    ACTIONS,
    FEATURE_LABELS,
    RULE_KINDS,
    grade_names,
    penalty_settings,
)
from creditdash.risk.policy_store import current_policy
from creditdash.risk.requests import approved_limits, decide_request, list_requests, submit_request
from creditdash.risk.scorecard import explain
from creditdash.risk.validation import pd_backtest

ui.page_guard("pages/risk.py")
st.title(ui.tr("risk.title"))
if ui.empty_state():
    st.stop()

currency = ui.settings().reporting_currency
as_of = ui.as_of()
engine = ui.engine()


def named(family: str, name: str) -> str:
    """The catalogue's name for `name` in `family`; names it lacks (a rule id the user made
    up in the policy) show as they are."""
    key = f"{family}.{name}"
    text = ui.tr(key)
    return name if text == key else text


MONEY = {"exposure", "overdue", "credit_limit", "recommended_limit", "over_limit", "amount",
         "paid", "outstanding", "current_limit", "requested_limit", "insured_limit", "net_worth",
         "working_capital", "late_interest", "late_fees", "discount_earned", "limit_increase",
         "above_bureau_limit", "above_insured", "outstanding_original",
         "exchange_difference"}  # fmt: skip


def status_name(status: str) -> str:
    return ui.tr(f"risk.credit.{status or 'none'}")


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
    ui.download_pair(frame, {stem[:31]: frame}, stem, key, money)


try:
    stored = current_policy(engine)
    policy = stored.policy
    bureau = read_reports(engine)
    limits = tuple(sorted(approved_limits(engine).items()))
    with st.spinner(ui.tr("risk.scoring")):
        result = ui.computed(risk_overview, as_of, stored.json, bureau, limits)
    statuses = credit_statuses(engine)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

table = with_status(result.table, statuses)
hits = mark_watchlist(result.watchlist, statuses)
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
    ui.tr_md("risk.worst", grades="/".join(grades[-2:])),
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
if result.pd_error is not None:
    st.info(ui.error_text(result.pd_error), icon=":material/info:")

portfolio, watch, detail, outside, model = st.tabs(
    [ui.tr(f"risk.tab.{t}") for t in ("portfolio", "watchlist", "detail", "outside", "model")]
)

with portfolio:
    st.plotly_chart(
        ui.localised(
            charts.grade_distribution(
                summary.assign(exposure=summary["exposure_cents"] / 100),
                currency=currency,
                title=ui.tr("risk.chart.grades"),
                customers=ui.tr("risk.chart.customers"),
                exposure=ui.tr("risk.chart.exposure"),
                grade_label=ui.tr("risk.chart.grade"),
                customers_unit=ui.tr("risk.chart.customers_unit"),
            )
        ),
        key="risk_grades",
    )
    st.caption(ui.tr("risk.score_caption"))
    st.plotly_chart(
        ui.localised(
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
            )
        ),
        key="risk_map",
    )
    view = present.portfolio_view(
        table,
        flag_label=lambda f: named("risk.flag", f),
        flag_sep=ui.tr("risk.flag_sep"),
        binding_label=lambda m: ui.tr(f"risk.binding.{m}"),
        status_label=status_name,
    )
    ui.table(
        view,
        key="risk_table",
        column_config=headers(
            view.columns,
            late_interest=ui.money_column(
                ui.tr("risk.col.late_interest"), help=ui.tr("risk.col.late_interest.help")
            ),
            limit_increase=ui.money_column(
                ui.tr("risk.col.limit_increase"), help=ui.tr("risk.col.limit_increase.help")
            ),
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
            detail_texts={k: ui.tr(f"risk.hit.{k}") for k in RULE_KINDS},
            state_labels={s: ui.tr(f"risk.state.{s}") for s in STATES},
            status_label=status_name,
        )
        ui.table(
            shown,
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
    terms = penalty_settings(policy)
    t1, t2, t3 = st.columns(3)
    t1.metric(ui.tr("risk.detail.status"), status_name(row["credit_status"]),
              help=ui.tr("risk.detail.status.help"))  # fmt: skip
    t2.metric(
        ui.tr("risk.col.late_interest"),
        ui.money(row["late_interest_cents"] / 100),
        help=ui.tr("risk.detail.interest.help", rate=f"{terms['late_interest_pct_year']:g}",
                   items=int(row["overdue_items"])),
    )  # fmt: skip
    t3.metric(
        ui.tr("risk.col.late_fees"),
        ui.money(row["late_fees_cents"] / 100),
        help=ui.tr("risk.detail.fees.help", fee=ui.money(terms["late_fee"]),
                   items=int(row["overdue_items"])),
    )  # fmt: skip
    t4, t5, t6 = st.columns(3)
    discount = {
        "pct": f"{terms['early_discount_pct']:g}",
        "days": f"{terms['early_discount_days']:g}",
    }
    t4.metric(ui.tr("risk.col.discount_earned"), ui.money(row["discount_earned_cents"] / 100),
              help=ui.tr("risk.detail.discount.help", **discount))  # fmt: skip
    t5.metric(ui.tr("risk.detail.discount_open"), ui.money(row["discount_open_cents"] / 100),
              help=ui.tr("risk.detail.discount_open.help", **discount))  # fmt: skip
    t6.metric(
        ui.tr("risk.col.limit_increase"),
        ui.money(row["limit_increase_cents"] / 100),
        help=ui.tr("risk.detail.increase.help" if row["clean_record"] else "risk.detail.no_increase.help",
                   pct=f"{terms['limit_increase_pct']:g}"),
    )  # fmt: skip
    st.subheader(ui.tr("risk.detail.credit_status"))
    done = st.session_state.pop("risk_hold_done", None)
    if done:
        st.success(done)
    due = due_action(hits, customer)
    if due:
        st.caption(ui.tr_md("risk.hold.due", action=ui.tr(f"risk.action.{due[0]}"),
                            rule=named("risk.flag", due[1])))  # fmt: skip
    changes = status_history(engine, customer)
    if not changes.empty:
        changes = changes.drop(columns=["hold_id", "customer_id"])
        changes["action"] = changes["action"].map(lambda a: ui.tr(f"risk.hold.do.{a}"))
        st.dataframe(changes, hide_index=True, key="risk_holds",
                     column_config=headers(changes.columns, reason=ui.tr("risk.col.hold_reason")))  # fmt: skip
    may_set = ui.permitted("set_credit_status")
    with st.form("credit_action", clear_on_submit=True):
        choices = [*HOLD_ACTIONS, "release"]
        action = st.selectbox(ui.tr("risk.hold.action"), choices,
                              index=choices.index(due[0]) if due else 0,
                              format_func=lambda a: ui.tr(f"risk.hold.do.{a}"), key=f"hold_action_{customer}")  # fmt: skip
        reason = st.text_input(ui.tr("risk.hold.reason"), key="hold_reason")
        if st.form_submit_button(ui.tr("risk.hold.submit"), disabled=not may_set):
            try:
                if action == "release":
                    release(engine, customer, reason, ui.actor())
                else:
                    rule = due[1] if due and due[0] == action else None
                    apply_action(engine, customer, action, reason, ui.actor(), rule=rule)
                new = "" if action == "release" else action
                st.session_state["risk_hold_done"] = ui.tr_md(
                    "risk.hold.done", customer=customer, status=status_name(new)
                )
                st.rerun()
            except CreditDashError as err:
                st.error(ui.error_text(err))
    history = ui.computed(score_history, as_of, stored.json, bureau)
    mine = history[history["customer_id"] == customer]
    left, right = st.columns(2)
    left.plotly_chart(
        ui.localised(
            charts.score_history_chart(
                mine,
                policy["grades"],
                title=ui.tr("risk.chart.history"),
                y_title=ui.tr("risk.col.score"),
            )
        ),
        key="risk_history",
    )
    pays = payment_history(ui.ledger(), as_of, customer)
    right.plotly_chart(
        ui.localised(
            charts.payment_behaviour(
                pays.assign(amount=pays["amount_cents"] / 100),
                currency=currency,
                title=ui.tr("risk.chart.payments", currency=currency),
                y_title=ui.tr("risk.chart.payments_y"),
                names=(ui.tr("risk.chart.on_time"), ui.tr("risk.chart.late")),
                days_unit=ui.tr("risk.chart.days_unit"),
            )
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
    ui.table(why, key="risk_explain", column_config=headers(why.columns))
    st.subheader(ui.tr("risk.detail.limits"))
    methods = limit_methods(table, customer).assign(
        figure=lambda f: f["figure_cents"] / 100,
        label=lambda f: f["method"].map(lambda m: ui.tr(f"risk.method.{m}")),
    )
    ui.table(
        methods[["label", "figure", "binding"]],
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
    ui.table(items, key="risk_items", column_config=headers(items.columns))
    st.subheader(ui.tr("risk.detail.bureau"))
    theirs = bureau[bureau["customer_id"] == customer]
    if theirs.empty:
        st.caption(ui.tr("risk.detail.no_bureau"))
    else:
        theirs = to_money(theirs.drop(columns=["report_id", "customer_id"]))
        ui.table(
            theirs,
            key="risk_bureau",
            column_config=headers(theirs.columns, pd=ui.tr("risk.col.bureau_pd")),
        )
    st.subheader(ui.tr("risk.detail.requests"))
    requests = list_requests(engine, customer)
    asked = to_money(requests).assign(
        status=requests["status"].map(lambda s: named("risk.status", s))
    )
    ui.table(asked, key="risk_requests", column_config=headers(asked.columns))
    may_request = ui.permitted("request_limit")
    with st.form("limit_request", clear_on_submit=True):
        amount = st.number_input(
            ui.tr("risk.req.amount"), min_value=0.0, step=10_000.0, key="req_amount"
        )
        reason = st.text_input(ui.tr("risk.req.reason"), key="req_reason")
        if st.form_submit_button(ui.tr("risk.req.submit"), disabled=not may_request):
            try:
                current = row["credit_limit_cents"]
                rid = submit_request(engine, customer, to_cents(amount), reason, ui.actor(),
                                     None if current != current or current is None else int(current))  # fmt: skip
                st.success(ui.tr("risk.req.recorded", id=rid))
            except CreditDashError as err:
                st.error(ui.error_text(err))
    pending = requests[requests["status"] == "pending"]
    if not pending.empty:
        may_decide = ui.permitted("decide_limit")
        with st.form("decide_request"):
            rid = st.selectbox(
                ui.tr("risk.req.pending"),
                list(pending["request_id"]),
                format_func=lambda i: f"#{i}",
                key="dec_id",
            )
            reason = st.text_input(ui.tr("risk.req.decision_reason"), key="dec_reason")
            approve, reject = st.columns(2)
            go_ok = approve.form_submit_button(ui.tr("risk.req.approve"), disabled=not may_decide)
            go_no = reject.form_submit_button(ui.tr("risk.req.reject"), disabled=not may_decide)
            if go_ok or go_no:
                try:
                    status = decide_request(engine, int(rid), go_ok, reason, ui.actor())
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
    may_import = ui.permitted("import_bureau")
    files = st.file_uploader(ui.tr("risk.import.files"), type=["csv", "xlsx", "xls"],
                             accept_multiple_files=True, key="bureau_files",
                             disabled=not may_import)  # fmt: skip
    ui.localise_uploader("bureau_files", ["csv", "xlsx", "xls"])
    c1, c2, c3 = st.columns(3)
    provider = c1.text_input(ui.tr("risk.import.provider"), key="bureau_provider")
    scale = c2.text_input(ui.tr("risk.import.scale"), key="bureau_scale")
    auth = c3.text_input(ui.tr("risk.import.auth"), key="bureau_auth")
    skip = st.checkbox(ui.tr("risk.import.skip"), key="bureau_skip")
    if files:
        sources = [Source(f.name, f.getvalue()) for f in files]
        fp = FileProvider(sources, provider=provider or None, scale=scale or None)
        try:
            matches = name_matches(fp, ui.ledger().customers)
        except CreditDashError:
            matches = None  # the import below says what is wrong with the files
        accepted = []
        if matches is not None and not matches.empty:
            st.caption(ui.tr("risk.import.matches"))
            ticked = st.data_editor(
                # a new upload starts with nothing ticked
                matches.assign(accept=False), hide_index=True,
                key="bureau_matches_" + "_".join(f.file_id for f in files),
                disabled=list(matches.columns),
                column_config=headers(
                    [*matches.columns, "accept"],
                    accept=st.column_config.CheckboxColumn(ui.tr("risk.col.accept")),
                ),
            )  # fmt: skip
            accepted = [(f, int(r)) for f, r, a in
                        zip(ticked["file"], ticked["row"], ticked["accept"], strict=True) if a]  # fmt: skip
    if files and st.button(ui.tr("risk.import.go"), key="bureau_import", disabled=not may_import):
        try:
            done = import_reports(engine, fp, ui.ledger().customers, actor=ui.actor(),
                                  authorisation=auth, confirm_names=accepted,
                                  skip_unmatched=skip)  # fmt: skip
            st.success(" ".join(done.lines()[:1]))
            if done.problems:
                st.dataframe([p.as_dict() for p in done.problems], key="bureau_warnings",
                             column_config={c: ui.tr(f"problem.{c}") for c in done.problems[0].as_dict()})  # fmt: skip
        except ImportRejected as rejected:
            st.error(ui.error_text(rejected))
            problems = [p.as_dict() for p in rejected.problems]
            st.dataframe(
                problems,
                key="bureau_problems",
                column_config={c: ui.tr(f"problem.{c}") for c in (problems or [{}])[0]},
            )
        except CreditDashError as err:
            st.error(ui.error_text(err))

with model:
    if result.coef is None:
        st.info(ui.tr("risk.model.none"))
    else:
        rows, events = result.pd_rows
        st.caption(ui.tr("risk.model.caption", rows=f"{rows:,}", events=f"{events:,}"))
        st.caption(ui.tr("risk.pd.meaning"))
        for note in result.pd_notes:
            st.caption(f"ⓘ {ui.said_md(note)}")
        coef = result.coef.round(4)
        st.dataframe(
            coef.assign(feature=coef["feature"].map(lambda f: named("risk.var", f))),
            hide_index=True,
            key="risk_coef",
            column_config=headers(coef.columns),
        )
        if st.button(ui.tr("risk.model.backtest"), key="risk_backtest"):
            try:
                bt = ui.shared(pd_backtest, as_of, policy, bureau)
                b1, b2, b3 = st.columns(3)
                b1.metric("AUC", f"{bt.auc:.3f}", help=ui.tr("risk.model.auc.help"))
                b2.metric("KS", f"{bt.ks:.3f}", help=ui.tr("risk.model.ks.help"))
                b3.metric(
                    ui.tr("risk.model.card_auc"),
                    f"{bt.scorecard_auc:.3f}",
                    help=ui.tr("risk.model.card_auc.help"),
                )
                st.plotly_chart(
                    ui.localised(
                        charts.calibration_chart(
                            bt.calibration,
                            title=ui.tr("risk.chart.calibration"),
                            y_title=ui.tr("risk.chart.calibration_y"),
                            names=(ui.tr("risk.chart.predicted"), ui.tr("risk.chart.observed")),
                        )
                    ),
                    key="risk_calibration",
                )
            except CreditDashError as err:
                st.error(ui.error_text(err))
