"""Collections (催收工作台): the worklist, one customer's account and records, documents, dunning."""

from datetime import timedelta

import pandas as pd
import streamlit as st

import ui
from creditdash.aging import to_money
from creditdash.collections import (
    DunningPlan,
    SmtpServer,
    collections_inputs,
    customer_view,
    dunning_log,
    dunning_plan,
    log_contact,
    open_dispute,
    record_promise,
    resolve_dispute,
    run_dunning,
    worklist,
)
from creditdash.collections.documents import Letterhead
from creditdash.collections.dunning import file_stem
from creditdash.collections.records import CONTACT_KINDS, DISPUTE_REASONS, RESOLUTIONS
from creditdash.collections.render import letter_html, letter_text, statement_html
from creditdash.collections.sheets import documents_xlsx
from creditdash.collections.view import customer_letter
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME
from creditdash.i18n import LANGS
from creditdash.money import to_cents
from creditdash.report import find_chromium, html_to_pdf
from creditdash.risk.assess import risk_overview
from creditdash.risk.in_force import risk_inputs

ui.page_guard("pages/collections.py")
st.title(ui.tr("coll.title"))
if ui.empty_state():
    st.stop()

ALL = "All"  # a filter's "no filter" option (its label follows the language)
FILTERS = ("collector", "salesperson", "region", "grade")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
as_of = ui.as_of()
engine = ui.engine()
ledger = ui.ledger()
settings = ui.settings()
letterhead = Letterhead.from_lines(settings.letterhead)
currency = settings.reporting_currency
has_pdf = bool(find_chromium())  # PDFs are printed by chromium; XLSX needs nothing

flash = st.session_state.pop("coll_flash", None)  # what the last write did (it reran the page)
if flash:
    st.toast(flash, icon=":material/check_circle:")


def named(family: str, name: object) -> str:
    """The catalogue's name for `name` in `family`; a name it lacks (a stage the policy made
    up) shows as it is, an empty one as empty."""
    if name is None or name == "" or (isinstance(name, float) and name != name):
        return ""
    key = f"{family}.{name}"
    text = ui.tr(key)
    return str(name) if text == key else text


def actions(joined: str) -> str:
    """`email+call` as the reader says it: E-mail + Call."""
    return " + ".join(named("coll.action", a) for a in joined.split("+") if a)


def columns(frame: pd.DataFrame, money=(), special=None) -> dict:
    """column_config: every header from the `coll.col` family (with its definition as the
    tooltip where it has one), money with separators."""
    special = special or {}
    config = {}
    for c in frame.columns:
        header, help_key = named("coll.col", c), f"coll.col.{c}.help"
        tip = ui.tr(help_key) if ui.tr(help_key) != help_key else None
        if c in special:
            config[c] = special[c]
        elif c in money:
            config[c] = ui.money_column(header, tip)
        elif pd.api.types.is_datetime64_any_dtype(frame[c]):  # a day, or a moment (`*_at`)
            kind = (
                st.column_config.DatetimeColumn
                if c.endswith("_at")
                else st.column_config.DateColumn
            )
            shown = "YYYY-MM-DD HH:mm" if c.endswith("_at") else "YYYY-MM-DD"
            config[c] = kind(header, help=tip, format=shown)
        else:
            config[c] = st.column_config.Column(header, help=tip)
    return config


def tiles(figures: list[tuple[str, str]], family: str, definitions: str) -> None:
    """Metric tiles three to a row (labels and figures fit whole), each with its definition."""
    for start in range(0, len(figures), 3):
        for column, (name, value) in zip(st.columns(3), figures[start : start + 3], strict=False):
            column.metric(ui.tr(f"{family}.{name}"), value, help=ui.tr(f"{definitions}.{name}"),
                          border=True)  # fmt: skip


def write(action, done: str, **params) -> None:
    """Run a record write; on success remember what it did and rerun (the view reads it)."""
    try:
        record_id = action()
    except CreditDashError as err:
        st.error(ui.error_text(err))
    else:
        st.session_state["coll_flash"] = ui.tr(done, id=record_id, **params)
        st.rerun()


try:
    risk = risk_inputs(engine)  # grades and PDs as the Customer risk page makes them
    with st.spinner(ui.tr("coll.scoring")):
        overview = ui.computed(risk_overview, as_of, risk.policy, risk.bureau, risk.limits)
    inputs = collections_inputs(engine)
    everyone = worklist(ledger, as_of, inputs, overview.table)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
st.caption(ui.tr("coll.caption", as_of=f"{as_of:%Y-%m-%d}", version=risk.version or 1,
                 currency=currency))  # fmt: skip

# --- the worklist ----------------------------------------------------------------------------
st.subheader(ui.tr("coll.worklist"), help=ui.tr("coll.worklist.help"))
chosen = {}
for column, name in zip(st.columns(len(FILTERS)), FILTERS, strict=True):
    key = f"coll_{name}"
    options = [ALL, *everyone.options[name]]
    if st.session_state.get(key, ALL) not in options:  # gone at this as-of date
        st.session_state[key] = ALL
    value = column.selectbox(
        ui.tr(f"coll.filter.{name}"),
        options,
        format_func=lambda v: ui.tr("coll.filter.all") if v == ALL else v,
        key=key,
        help=ui.tr(f"coll.filter.{name}.help"),
    )
    chosen[name] = None if value == ALL else value
listed = everyone if not any(chosen.values()) else worklist(
    ledger, as_of, inputs, overview.table, **chosen
)  # fmt: skip

totals = listed.totals
TILES = [
    ("customers", f"{totals['customers']:,}"),
    ("overdue", ui.money_compact(totals["overdue_cents"] / 100)),
    ("expected_loss", ui.money_compact(totals["expected_loss_cents"] / 100)),
    ("disputed", ui.money_compact(totals["disputed_cents"] / 100)),
    ("broken_promises", f"{totals['broken_promises']:,}"),
    ("due_now", f"{totals['due_now']:,}"),
]
tiles(TILES, "coll.tile", "coll.def")
for note in listed.notes:
    st.caption(f"ⓘ {ui.said_md(note)}")

if everyone.rows.empty:
    st.info(ui.tr("coll.nothing", as_of=f"{as_of:%Y-%m-%d}"), icon=":material/task_alt:")
elif listed.rows.empty:
    st.info(ui.tr("coll.nothing_filtered"), icon=":material/filter_alt_off:")

rows = to_money(listed.rows)
rows["next_stage"] = [named("coll.stage", s) for s in rows["next_stage"]]
rows["next_action"] = [actions(a) for a in rows["next_action"]]
rows["promise_status"] = [named("coll.promise", s) for s in rows["promise_status"]]
rows["last_contact_kind"] = [named("coll.kind", k) for k in rows["last_contact_kind"]]
rows["credit_status"] = [named("risk.credit", s) for s in rows["credit_status"]]
KEY_COLUMNS = [
    "priority", "customer_id", "customer_name", "overdue", "days_past_due_max", "expected_loss",
    "next_stage", "next_stage_date", "next_action", "due_now", "promise_status", "disputed",
    "last_contact", "last_contact_kind", "last_contact_outcome", "open_promises", "promised",
    "open_disputes", "credit_status", "collector", "grade", "pd", "exposure", "salesperson",
    "region", "segment",
]  # fmt: skip
WORKLIST_MONEY = ("overdue", "expected_loss", "disputed", "promised", "exposure")
event = None
if not rows.empty:
    event = st.dataframe(
        rows,
        hide_index=True, placeholder="–",
        column_order=KEY_COLUMNS,
        on_select="rerun",
        selection_mode="single-row",
        key="coll_table",
        column_config=columns(rows, WORKLIST_MONEY, {
            "pd": st.column_config.NumberColumn(ui.tr("coll.col.pd"), format="percent",
                                                help=ui.tr("coll.col.pd.help")),
        }),
    )  # fmt: skip
    st.caption(ui.tr("coll.select"))
    ui.download_pair(rows[KEY_COLUMNS], {ui.tr("coll.sheet.worklist"): rows[KEY_COLUMNS]},
                     f"worklist_{as_of:%Y%m%d}", "coll_dl", set(WORKLIST_MONEY))  # fmt: skip

# --- one customer ----------------------------------------------------------------------------
st.subheader(ui.tr("coll.customer"), help=ui.tr("coll.customer.help"))
ids = list(listed.rows["customer_id"])
names = dict(zip(listed.rows["customer_id"], listed.rows["customer_name"], strict=True))
picked = event.selection.rows if event is not None else []
if picked and picked[0] < len(ids) and st.session_state.get("coll_picked") != ids[picked[0]]:
    st.session_state["coll_picked"] = ids[picked[0]]  # a new row chosen in the table
    st.session_state["coll_customer"] = ids[picked[0]]
seen = (as_of, *chosen.values())
if st.session_state.get("coll_seen") != seen:  # the list changed: its first customer
    st.session_state["coll_seen"] = seen
    if st.session_state.get("coll_customer") not in ids:
        st.session_state["coll_customer"] = ids[0] if ids else None
current = st.session_state.get("coll_customer")
offered = ids if not current or current in names else [*ids, current]  # a typed ID stays
customer = st.selectbox(
    ui.tr("coll.customer.pick"),
    offered,
    format_func=lambda c: f"{c} · {names[c]}" if c in names else c,
    key="coll_customer",
    accept_new_options=True,
    index=None,
    placeholder=ui.tr("coll.customer.placeholder"),
    help=ui.tr("coll.customer.pick.help"),
)
view = None
if not customer:
    st.info(ui.tr("coll.customer.none"), icon=":material/person_search:")
else:
    try:
        view = customer_view(ledger, as_of, inputs, str(customer).strip(), overview.table,
                             letterhead=letterhead)  # fmt: skip
    except CreditDashError as err:
        st.error(ui.error_text(err))

if view is not None:
    statement = view.statement
    emails = ", ".join(view.emails) or ui.tr("coll.no_email")
    if view.bad_emails:
        emails += " " + ui.tr("coll.bad_email", emails=", ".join(view.bad_emails))
    st.markdown(f"#### {ui.escape_markdown(view.customer_name)} · {ui.code_span(view.customer_id)}")
    st.caption(
        ui.tr_md(
            "coll.customer.caption",
            collector=view.collector or ui.tr("coll.no_collector"),
            language=LANGUAGE_NAMES.get(view.language, view.language),
            emails=emails,
            status=named("risk.credit", view.credit_status or "none"),
        )
    )
    next_stage = named("coll.stage", (view.row or {}).get("next_stage", "")) or "–"
    CUSTOMER_TILES = [
        ("balance", ui.money(statement.total_cents / 100)),
        ("overdue", ui.money(statement.overdue_cents / 100)),
        ("disputed", ui.money(statement.disputed_cents / 100)),
        ("charges", ui.money((statement.interest_cents + statement.fees_cents) / 100)),
        ("keeping_rate", ui.pct(100 * view.keeping_rate)),
        ("next_stage", next_stage),
    ]
    tiles(CUSTOMER_TILES, "coll.ctile", "coll.cdef")

    items_tab, contacts_tab, promises_tab, disputes_tab, sent_tab = st.tabs(
        [ui.tr(f"coll.tab.{t}") for t in ("items", "contacts", "promises", "disputes", "sent")]
    )
    with items_tab:
        if view.items.empty:
            st.caption(ui.tr("coll.items.none"))
        else:
            items = to_money(view.items)
            items["stage"] = [named("coll.stage", s) for s in items["stage"]]
            items["next_stage"] = [named("coll.stage", s) for s in items["next_stage"]]
            shown = ["invoice_id", "invoice_date", "due_date", "amount", "outstanding", "dpd",
                     "stage", "due", "next_stage", "next_stage_date", "disputed", "paused"]  # fmt: skip
            st.dataframe(items[shown], hide_index=True, placeholder="–", key="coll_items",
                         column_config=columns(items[shown], ("amount", "outstanding")))  # fmt: skip
    with contacts_tab:
        if view.contacts.empty:
            st.caption(ui.tr("coll.contacts.none"))
        else:
            contacts = view.contacts.assign(
                kind=[named("coll.kind", k) for k in view.contacts["kind"]]
            )
            shown = ["contact_date", "kind", "outcome", "note", "recorded_by", "recorded_at"]
            st.dataframe(contacts[shown], hide_index=True, placeholder="–", key="coll_contacts",
                         column_config=columns(contacts[shown]))  # fmt: skip
    with promises_tab:
        if view.promises.empty:
            st.caption(ui.tr("coll.promises.none"))
        else:
            promises = to_money(view.promises)
            promises["status"] = [named("coll.promise", s) for s in promises["status"]]
            promises["invoice_ids"] = [", ".join(i) or ui.tr("coll.whole_account")
                                       for i in promises["invoice_ids"]]  # fmt: skip
            shown = ["promise_id", "made_on", "promised_date", "amount", "invoice_ids", "status",
                     "paid", "remaining", "deadline", "fulfilled_on", "slip_days", "note",
                     "recorded_by"]  # fmt: skip
            st.dataframe(promises[shown], hide_index=True, placeholder="–", key="coll_promises",
                         column_config=columns(promises[shown], ("amount", "paid", "remaining")))  # fmt: skip
    with disputes_tab:
        if view.disputes.empty:
            st.caption(ui.tr("coll.disputes.none"))
        else:
            disputes = view.disputes.assign(
                reason=[named("coll.reason", r) for r in view.disputes["reason"]],
                resolution=[named("coll.resolution", r) or ui.tr("coll.resolution.open")
                            for r in view.disputes["resolution"]],
            )  # fmt: skip
            shown = ["dispute_id", "invoice_id", "reason", "owner", "opened_on", "resolution",
                     "resolved_on", "note", "resolution_note", "opened_by", "resolved_by"]  # fmt: skip
            st.dataframe(disputes[shown], hide_index=True, placeholder="–", key="coll_disputes",
                         column_config=columns(disputes[shown]))  # fmt: skip
    with sent_tab:
        log = dunning_log(engine, view.customer_id)
        if log.empty:
            st.caption(ui.tr("coll.sent.none"))
        else:
            log["stage_id"] = [named("coll.stage", s) for s in log["stage_id"]]
            log["channel"] = [named("coll.channel", c) for c in log["channel"]]
            log["status"] = [named("coll.status", s) for s in log["status"]]
            log["invoice_ids"] = [", ".join(i) for i in log["invoice_ids"]]
            shown = ["sent_at", "stage_id", "channel", "status", "recipients", "invoice_ids",
                     "subject", "server_reply", "sent_by"]  # fmt: skip
            st.dataframe(log[shown], hide_index=True, placeholder="–", key="coll_sent_log",
                         column_config=columns(log[shown]))  # fmt: skip

    # --- record what happened ---------------------------------------------------------------
    st.markdown(f"**{ui.tr('coll.record')}**")
    may_record = ui.permitted("record_collection")  # else the forms show, disabled, with a note
    locked = not may_record
    who = view.customer_id
    contact_tab, promise_tab, dispute_tab, resolve_tab = st.tabs(
        [ui.tr(f"coll.form.{t}") for t in ("contact", "promise", "dispute", "resolve")]
    )
    with contact_tab, st.form("coll_contact", clear_on_submit=True):
        c1, c2 = st.columns([1, 3])
        kind = c1.selectbox(ui.tr("coll.form.kind"), CONTACT_KINDS, key="coll_contact_kind",
                            format_func=lambda k: named("coll.kind", k), disabled=locked)  # fmt: skip
        outcome = c2.text_input(ui.tr("coll.form.outcome"), key="coll_contact_outcome",
                                placeholder=ui.tr("coll.form.outcome.placeholder"),
                                disabled=locked)  # fmt: skip
        note = st.text_area(ui.tr("coll.form.note"), key="coll_contact_note", height=80,
                            disabled=locked)  # fmt: skip
        on = st.date_input(ui.tr("coll.form.date"), value=as_of, key="coll_contact_date",
                           help=ui.tr("coll.form.date.help"), disabled=locked)  # fmt: skip
        if st.form_submit_button(ui.tr("coll.form.contact.submit"), disabled=locked):
            write(lambda: log_contact(engine, ui.actor(), who, kind, outcome, note, on=on),
                  "coll.done.contact", customer=who)  # fmt: skip
    with promise_tab, st.form("coll_promise", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        amount = c1.number_input(ui.tr("coll.form.amount", currency=currency), min_value=0.0,
                                 value=statement.overdue_cents / 100, step=1000.0,
                                 format="%.2f", key="coll_promise_amount",
                                 disabled=locked)  # fmt: skip
        promised = c2.date_input(ui.tr("coll.form.promised_date"), value=as_of + timedelta(days=7),
                                 key="coll_promise_date", disabled=locked)  # fmt: skip
        made_on = c3.date_input(ui.tr("coll.form.made_on"), value=as_of, key="coll_promise_made",
                                help=ui.tr("coll.form.date.help"), disabled=locked)  # fmt: skip
        invoices = st.multiselect(ui.tr("coll.form.invoices"), view.choices["invoices"],
                                  key="coll_promise_invoices",
                                  help=ui.tr("coll.form.invoices.help"), disabled=locked)  # fmt: skip
        note = st.text_area(ui.tr("coll.form.note"), key="coll_promise_note", height=80,
                            disabled=locked)  # fmt: skip
        if st.form_submit_button(ui.tr("coll.form.promise.submit"), disabled=locked):
            cents = to_cents(f"{amount:.2f}")
            write(lambda: record_promise(engine, ui.actor(), who, cents, promised, invoices, note,
                                         made_on=made_on),
                  "coll.done.promise", customer=who, amount=ui.money(cents / 100),
                  date=f"{promised:%Y-%m-%d}")  # fmt: skip
    with dispute_tab:
        if not view.choices["invoices"]:
            st.caption(ui.tr("coll.form.no_invoices"))
        else:
            with st.form("coll_dispute", clear_on_submit=True):
                c1, c2, c3 = st.columns(3)
                invoice = c1.selectbox(ui.tr("coll.form.invoice"), view.choices["invoices"],
                                       key="coll_dispute_invoice", disabled=locked)  # fmt: skip
                reason = c2.selectbox(ui.tr("coll.form.reason"), DISPUTE_REASONS,
                                      format_func=lambda r: named("coll.reason", r),
                                      key="coll_dispute_reason", disabled=locked)  # fmt: skip
                owner = c3.text_input(ui.tr("coll.form.owner"), key="coll_dispute_owner",
                                      placeholder=ui.actor().who,
                                      help=ui.tr("coll.form.owner.help"), disabled=locked)  # fmt: skip
                note = st.text_area(ui.tr("coll.form.note"), key="coll_dispute_note", height=80,
                                    disabled=locked)  # fmt: skip
                on = st.date_input(ui.tr("coll.form.date"), value=as_of, key="coll_dispute_date",
                                   help=ui.tr("coll.form.date.help"), disabled=locked)  # fmt: skip
                if st.form_submit_button(ui.tr("coll.form.dispute.submit"), disabled=locked):
                    write(lambda: open_dispute(engine, ui.actor(), invoice, reason, owner, note,
                                               on=on),
                          "coll.done.dispute", invoice=invoice)  # fmt: skip
    with resolve_tab:
        if not view.choices["open_disputes"]:
            st.caption(ui.tr("coll.form.no_disputes"))
        else:
            with st.form("coll_resolve", clear_on_submit=True):
                c1, c2 = st.columns(2)
                invoice = c1.selectbox(ui.tr("coll.form.invoice"), view.choices["open_disputes"],
                                       key="coll_resolve_invoice", disabled=locked)  # fmt: skip
                outcome = c2.radio(ui.tr("coll.form.resolution"), RESOLUTIONS, horizontal=True,
                                   format_func=lambda r: ui.tr(f"coll.resolution.{r}.long"),
                                   key="coll_resolve_outcome", disabled=locked)  # fmt: skip
                note = st.text_area(ui.tr("coll.form.note"), key="coll_resolve_note", height=80,
                                    disabled=locked)  # fmt: skip
                on = st.date_input(ui.tr("coll.form.date"), value=as_of, key="coll_resolve_date",
                                   help=ui.tr("coll.form.date.help"), disabled=locked)  # fmt: skip
                if st.form_submit_button(ui.tr("coll.form.resolve.submit"), disabled=locked):
                    write(lambda: resolve_dispute(engine, ui.actor(), invoice, outcome, note,
                                                  on=on),
                          "coll.done.resolve", invoice=invoice)  # fmt: skip

    # --- documents ------------------------------------------------------------------------
    st.markdown(f"**{ui.tr('coll.docs')}**", help=ui.tr("coll.docs.help"))
    if st.session_state.get("coll_doc_for") != view.customer_id:  # a new customer: its language
        st.session_state["coll_doc_for"] = view.customer_id
        st.session_state["coll_doc_lang"] = view.language
    doc_lang = st.radio(ui.tr("coll.docs.lang"), LANGS, horizontal=True, key="coll_doc_lang",
                        format_func=LANGUAGE_NAMES.get, help=ui.tr("coll.docs.lang.help"))  # fmt: skip
    letter = customer_letter(view, inputs.dunning, doc_lang)
    stem = f"{file_stem(view.customer_id)}_{as_of:%Y%m%d}_{doc_lang}"
    d1, d2, d3, d4 = st.columns(4)
    if has_pdf:
        d1.download_button(ui.tr("coll.docs.statement_pdf"),
                           lambda: html_to_pdf(statement_html(statement, doc_lang)),
                           f"statement_{stem}.pdf", "application/pdf", key="coll_dl_statement_pdf",
                           icon=":material/picture_as_pdf:", on_click="ignore")  # fmt: skip
    d2.download_button(ui.tr("coll.docs.statement_xlsx"),
                       lambda: documents_xlsx([statement], doc_lang), f"statement_{stem}.xlsx",
                       XLSX_MIME, key="coll_dl_statement_xlsx", icon=":material/table_view:",
                       on_click="ignore")  # fmt: skip
    if letter is not None:
        if has_pdf:
            d3.download_button(ui.tr("coll.docs.letter_pdf"), lambda: html_to_pdf(letter_html(letter)),
                               f"letter_{letter.stage_id}_{stem}.pdf", "application/pdf",
                               key="coll_dl_letter_pdf", icon=":material/picture_as_pdf:",
                               on_click="ignore")  # fmt: skip
        d4.download_button(ui.tr("coll.docs.letter_xlsx"),
                           lambda: documents_xlsx([letter, statement], doc_lang),
                           f"letter_{letter.stage_id}_{stem}.xlsx", XLSX_MIME,
                           key="coll_dl_letter_xlsx", icon=":material/table_view:",
                           on_click="ignore")  # fmt: skip
    if not has_pdf:
        st.caption(ui.tr("coll.docs.no_pdf"))
    if letter is None:
        st.caption(ui.tr("coll.docs.no_letter"))
    else:
        with st.expander(
            ui.tr("coll.docs.letter_text", stage=named("coll.stage", letter.stage_id))
        ):
            st.markdown(f"**{ui.escape_markdown(letter.subject)}**")
            st.text(letter_text(letter))
    st.caption(ui.tr("coll.docs.total", total=ui.money(statement.total_cents / 100)))

# --- the dunning run -------------------------------------------------------------------------


def send_run(plan: DunningPlan) -> None:
    """Deliver the run the user saw (the button's callback, before the page runs again)."""
    st.session_state["coll_send_sure"] = False
    try:
        results = run_dunning(engine, ui.actor(), plan, server=SmtpServer.from_url(settings.smtp_url),
                              sender=settings.smtp_from, attach="pdf" if has_pdf else "xlsx")  # fmt: skip
    except CreditDashError as err:
        st.session_state["coll_send_error"] = ui.error_text(err)
        return
    st.session_state["coll_sent"] = [
        {**r.message.line(), "status": r.status, "reply": r.reply} for r in results
    ]


st.subheader(ui.tr("coll.run"), help=ui.tr("coll.run.help"))
if "coll_send_error" in st.session_state:
    st.error(st.session_state.pop("coll_send_error"))
sent = st.session_state.pop("coll_sent", None)  # what the last send did
if sent is not None:
    results = pd.DataFrame(sent)
    delivered = sum(r["status"] == "sent" for r in sent)
    st.success(ui.tr("coll.run.sent", sent=delivered, failed=len(sent) - delivered))
    for name, family in (("status", "coll.status"), ("stage", "coll.stage"),
                         ("channel", "coll.channel")):  # fmt: skip
        results[name] = [named(family, v) for v in results[name]]
    st.dataframe(
        results,
        hide_index=True,
        placeholder="–",
        key="coll_sent_results",
        column_config=columns(results),
    )
if not st.toggle(ui.tr("coll.run.preview"), key="coll_run_preview",
                 help=ui.tr("coll.run.preview.help")):  # fmt: skip
    st.caption(ui.tr("coll.run.off"))
else:
    try:
        with st.spinner(ui.tr("coll.run.planning")):
            plan = dunning_plan(ledger, as_of, inputs, overview.table, letterhead=letterhead)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        st.stop()
    lines = pd.DataFrame([m.line() for m in plan.messages],
                         columns=["customer", "name", "stage", "channel", "invoices", "to",
                                  "language", "subject"])  # fmt: skip
    counts = {c: sum(m.channel == c for m in plan.messages) for c in ("email", "letter", "task")}
    unreachable = sum(m.channel == "email" and not m.recipients for m in plan.messages)
    RUN_TILES = [("messages", len(plan.messages)), ("customers", lines["customer"].nunique()),
                 ("emails", counts["email"]), ("no_address", unreachable),
                 ("letters", counts["letter"]), ("tasks", counts["task"])]  # fmt: skip
    tiles([(name, f"{value:,}") for name, value in RUN_TILES], "coll.rtile", "coll.rdef")
    if lines.empty:
        st.info(ui.tr("coll.run.nothing", as_of=f"{as_of:%Y-%m-%d}"), icon=":material/task_alt:")
    else:
        st.caption(ui.tr("coll.run.dry", as_of=f"{as_of:%Y-%m-%d}"))
        lines["stage"] = [named("coll.stage", s) for s in lines["stage"]]
        lines["channel"] = [named("coll.channel", c) for c in lines["channel"]]
        lines["language"] = [LANGUAGE_NAMES.get(x, x) for x in lines["language"]]
        st.dataframe(
            lines, hide_index=True, placeholder="–", key="coll_plan", column_config=columns(lines)
        )
        index = st.selectbox(
            ui.tr("coll.run.show"), range(len(plan.messages)), key="coll_run_message",
            format_func=lambda i: f"{lines['customer'][i]} · {lines['stage'][i]} · "
                                  f"{lines['channel'][i]}",
        )  # fmt: skip
        message = plan.messages[index]
        to = ", ".join(message.recipients) or ui.tr("coll.run.nobody")
        with st.container(border=True):  # the message as it would go out
            st.markdown(ui.tr_md("coll.run.message", subject=message.subject, to=to))
            st.text(letter_text(message.letter))
        if counts["letter"]:
            st.caption(ui.tr_md("coll.run.letters", n=counts["letter"],
                                command=f"python -m creditdash dunning --as-of {as_of:%Y-%m-%d} "
                                        "--send --letters DIR"))  # fmt: skip
        if not (settings.smtp_url and settings.smtp_from):
            st.caption(ui.tr("coll.run.no_smtp"))
        else:
            may_send = ui.permitted("send_dunning")
            # emails and call / hold / legal tasks; letters to post are written by the command line
            sendable = DunningPlan(plan.as_of, tuple(m for m in plan.messages
                                                     if m.channel != "letter"), plan.statements)  # fmt: skip
            sure = st.checkbox(ui.tr("coll.run.confirm"), key="coll_send_sure",
                               disabled=not may_send)  # fmt: skip
            st.button(
                ui.tr("coll.run.send", emails=counts["email"], tasks=counts["task"]),
                key="coll_send", type="primary", on_click=send_run, args=(sendable,),
                disabled=not (may_send and sure and sendable.messages),
            )  # fmt: skip
with st.expander(ui.tr("coll.run.log")):
    log = dunning_log(engine)
    if log.empty:
        st.caption(ui.tr("coll.run.log.none"))
    else:
        log["invoice_ids"] = [", ".join(i) for i in log["invoice_ids"]]
        log["channel"] = [named("coll.channel", c) for c in log["channel"]]
        log["status"] = [named("coll.status", s) for s in log["status"]]
        st.dataframe(
            log, hide_index=True, placeholder="–", key="coll_log", column_config=columns(log)
        )
