"""The Collections page's parts: the worklist, one customer's account, records and documents,
the dunning run, and who collects from whom.

Each function takes what it needs and draws with st.*; the words and the frames as shown
come from `creditdash.collections.labels`, the figures from the library's views.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import ui
from creditdash.collections import labels
from creditdash.collections.dunning import (
    DunningPlan,
    dunning_log,
    file_stem,
    letters_zip,
    record_posted,
    run_dunning,
)
from creditdash.collections.mail import SmtpServer
from creditdash.collections.records import (
    CONTACT_KINDS,
    DISPUTE_REASONS,
    RESOLUTIONS,
    SCOPES,
    assign_collector,
    log_contact,
    open_dispute,
    record_promise,
    resolve_dispute,
    set_language,
)
from creditdash.collections.render import letter_html, letter_text, statement_html
from creditdash.collections.sheets import documents_xlsx
from creditdash.collections.view import Assignments, CustomerView, customer_letter
from creditdash.collections.worklist import FILTERS, Worklist
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME
from creditdash.i18n import LANGS, Text
from creditdash.money import to_cents
from creditdash.presentation import Tile
from creditdash.report import html_to_pdf

ALL = "All"  # a filter's "no filter" option (its label follows the language)


def flash() -> None:
    """Show what the last write did (it reran the page)."""
    done = st.session_state.pop("coll_flash", None)
    if done:
        st.toast(done, icon=":material/check_circle:")


def write(action: Callable[[], object], done: str, **params: object) -> None:
    """Run a record write; on success remember what it did and rerun (the view reads it)."""
    try:
        record_id = action()
    except CreditDashError as err:
        st.error(ui.error_text(err))
    else:
        st.session_state["coll_flash"] = ui.tr(done, id=record_id, **params)
        st.rerun()


def config(frame: pd.DataFrame, money: tuple[str, ...] = ()) -> dict:
    """column_config of a shown frame: headers and tooltips from the catalogue, money with
    separators, days as dates and moments (`*_at`) to the minute."""
    out = {}
    for name, spec in labels.headers(frame.columns, ui.lang(), money).items():
        if spec.kind == "text" and pd.api.types.is_datetime64_any_dtype(frame[name]):
            moment = name.endswith("_at")
            kind = st.column_config.DatetimeColumn if moment else st.column_config.DateColumn
            shown = "YYYY-MM-DD HH:mm" if moment else "YYYY-MM-DD"
            out[name] = kind(spec.label, help=spec.help, format=shown)
        elif spec.kind == "text":
            out[name] = st.column_config.Column(spec.label, help=spec.help)
        else:
            out.update(ui.columns({name: spec}))
    return out


def shown_table(frame: pd.DataFrame, key: str, money: tuple[str, ...] = (), **kwargs) -> object:
    """A read-only table of a shown frame (missing values as –)."""
    return st.dataframe(frame, hide_index=True, placeholder="–", key=key,
                        column_config=config(frame, money), **kwargs)  # fmt: skip


TileKind = Literal["money", "compact", "pct", "count", "text"]  # as `Tile.kind`


def tiles(
    figures: list[tuple[str, float | int | str | None, TileKind]], family: str, definitions: str
) -> None:
    """Metric tiles three to a row, bordered, each with its definition: (name, value, kind)."""
    ui.tiles([Tile(Text(f"{family}.{name}"), value, kind,
                   Text(f"{definitions}.{name}")) for name, value, kind in figures],
             border=True)  # fmt: skip


# ------------------------------------------------------------------ the worklist


def filters(everyone: Worklist) -> dict[str, str | None]:
    """The worklist's filters (values offered over the whole worklist); None: no filter."""
    chosen: dict[str, str | None] = {}
    for column, name in zip(st.columns(len(FILTERS)), FILTERS, strict=True):
        key = f"coll_{name}"
        options = [ALL, *everyone.options[name]]
        if st.session_state.get(key, ALL) not in options:  # gone at this as-of date
            st.session_state[key] = ALL
        value = column.selectbox(
            ui.tr(f"coll.filter.{name}"), options,
            format_func=lambda v: ui.tr("coll.filter.all") if v == ALL else v,
            key=key, help=ui.tr(f"coll.filter.{name}.help"),
        )  # fmt: skip
        chosen[name] = None if value == ALL else value
    return chosen


def worklist_table(listed: Worklist, everyone: Worklist, as_of: date) -> list[int]:
    """Tiles, notes and the worklist's table; returns the rows the user selected."""
    totals = listed.totals
    tiles([("customers", totals["customers"], "count"),
           ("overdue", totals["overdue_cents"] / 100, "compact"),
           ("expected_loss", totals["expected_loss_cents"] / 100, "compact"),
           ("disputed", totals["disputed_cents"] / 100, "compact"),
           ("broken_promises", totals["broken_promises"], "count"),
           ("due_now", totals["due_now"], "count")], "coll.tile", "coll.def")  # fmt: skip
    for note in listed.notes:
        st.caption(f"ⓘ {ui.said_md(note)}")
    if everyone.rows.empty:
        st.info(ui.tr("coll.nothing", as_of=f"{as_of:%Y-%m-%d}"), icon=":material/task_alt:")
    elif listed.rows.empty:
        st.info(ui.tr("coll.nothing_filtered"), icon=":material/filter_alt_off:")
    if listed.rows.empty:
        return []
    rows = labels.worklist_shown(listed.rows, ui.lang())
    event = st.dataframe(rows, hide_index=True, placeholder="–", key="coll_table",
                         column_config=config(rows, labels.WORKLIST_MONEY),
                         column_order=labels.WORKLIST_SHOWN, on_select="rerun",
                         selection_mode="single-row")  # fmt: skip
    st.caption(ui.tr("coll.select"))
    key_rows = rows[labels.WORKLIST_SHOWN]
    ui.download_pair(key_rows, {ui.tr("coll.sheet.worklist"): key_rows},
                     f"worklist_{as_of:%Y%m%d}", "coll_dl", set(labels.WORKLIST_MONEY))  # fmt: skip
    return list(event.selection.rows)


def pick_customer(listed: Worklist, picked: list[int], seen: tuple) -> str | None:
    """The customer box: the row chosen in the table, else the list's first; a typed ID stays."""
    ids = list(listed.rows["customer_id"])
    names = dict(zip(listed.rows["customer_id"], listed.rows["customer_name"], strict=True))
    if picked and picked[0] < len(ids) and st.session_state.get("coll_picked") != ids[picked[0]]:
        st.session_state["coll_picked"] = ids[picked[0]]  # a new row chosen in the table
        st.session_state["coll_customer"] = ids[picked[0]]
    if st.session_state.get("coll_seen") != seen:  # the list changed: its first customer
        st.session_state["coll_seen"] = seen
        if st.session_state.get("coll_customer") not in ids:
            st.session_state["coll_customer"] = ids[0] if ids else None
    current = st.session_state.get("coll_customer")
    offered = ids if not current or current in names else [*ids, current]
    customer = st.selectbox(
        ui.tr("coll.customer.pick"), offered,
        format_func=lambda c: f"{c} · {names[c]}" if c in names else c,
        key="coll_customer", accept_new_options=True, index=None,
        placeholder=ui.tr("coll.customer.placeholder"), help=ui.tr("coll.customer.pick.help"),
    )  # fmt: skip
    if not customer:
        st.info(ui.tr("coll.customer.none"), icon=":material/person_search:")
        return None
    return str(customer).strip()


# ------------------------------------------------------------------ one customer


def customer_header(view: CustomerView) -> None:
    """The customer's name, collector, language, emails and status, and its tiles."""
    lang, statement = ui.lang(), view.statement
    emails = ", ".join(view.emails) or ui.tr("coll.no_email")
    if view.bad_emails:
        emails += " " + ui.tr("coll.bad_email", emails=", ".join(view.bad_emails))
    st.markdown(f"#### {ui.escape_markdown(view.customer_name)} · {ui.code_span(view.customer_id)}")
    st.caption(ui.tr_md(
        "coll.customer.caption", collector=view.collector or ui.tr("coll.no_collector"),
        language=labels.LANGUAGE_NAMES.get(view.language, view.language), emails=emails,
        status=labels.named("risk.credit", view.credit_status or "none", lang),
    ))  # fmt: skip
    next_stage = labels.named("coll.stage", (view.row or {}).get("next_stage", ""), lang) or "–"
    tiles([("balance", statement.total_cents / 100, "money"),
           ("overdue", statement.overdue_cents / 100, "money"),
           ("disputed", statement.disputed_cents / 100, "money"),
           ("charges", (statement.interest_cents + statement.fees_cents) / 100, "money"),
           ("keeping_rate", 100 * view.keeping_rate, "pct"),
           ("next_stage", next_stage, "text")], "coll.ctile", "coll.cdef")  # fmt: skip


def customer_tabs(engine: Engine, view: CustomerView) -> None:
    """Open items, contacts, promises, disputes and what was sent, a tab each."""
    lang = ui.lang()
    parts = ("items", "contacts", "promises", "disputes", "sent")
    tabs = dict(zip(parts, st.tabs([ui.tr(f"coll.tab.{t}") for t in parts]), strict=True))
    log = dunning_log(engine, view.customer_id)
    shown = {
        "items": (view.items, lambda: labels.items_shown(view.items, lang), ("amount", "outstanding")),
        "contacts": (view.contacts, lambda: labels.contacts_shown(view.contacts, lang), ()),
        "promises": (view.promises, lambda: labels.promises_shown(view.promises, lang),
                     ("amount", "paid", "remaining")),
        "disputes": (view.disputes, lambda: labels.disputes_shown(view.disputes, lang), ()),
        "sent": (log, lambda: labels.log_shown(log, lang, labels.SENT_SHOWN), ()),
    }  # fmt: skip
    keys = {"items": "coll_items", "contacts": "coll_contacts", "promises": "coll_promises",
            "disputes": "coll_disputes", "sent": "coll_sent_log"}  # fmt: skip
    for part, (frame, make, money) in shown.items():
        with tabs[part]:
            if frame.empty:
                st.caption(ui.tr(f"coll.{part}.none"))
            else:
                shown_table(make(), keys[part], money)


def record_forms(engine: Engine, view: CustomerView, as_of: date, currency: str) -> None:
    """The forms that log a contact, a promise, a dispute and its resolution (disabled, with a
    note, for a role that may not)."""
    st.markdown(f"**{ui.tr('coll.record')}**")
    locked = not ui.permitted("record_collection")
    who, lang = view.customer_id, ui.lang()
    contact_tab, promise_tab, dispute_tab, resolve_tab = st.tabs(
        [ui.tr(f"coll.form.{t}") for t in ("contact", "promise", "dispute", "resolve")]
    )
    with contact_tab, st.form("coll_contact", clear_on_submit=True):
        c1, c2 = st.columns([1, 3])
        kind = c1.selectbox(ui.tr("coll.form.kind"), CONTACT_KINDS, key="coll_contact_kind",
                            format_func=lambda k: labels.named("coll.kind", k, lang),
                            disabled=locked)  # fmt: skip
        outcome = c2.text_input(ui.tr("coll.form.outcome"), key="coll_contact_outcome",
                                placeholder=ui.tr("coll.form.outcome.placeholder"),
                                disabled=locked)  # fmt: skip
        note = _note("coll_contact_note", locked)
        on = _on("coll_contact_date", as_of, locked)
        if st.form_submit_button(ui.tr("coll.form.contact.submit"), disabled=locked):
            write(lambda: log_contact(engine, ui.actor(), who, kind, outcome, note, on=on),
                  "coll.done.contact", customer=who)  # fmt: skip
    with promise_tab, st.form("coll_promise", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        amount = c1.number_input(ui.tr("coll.form.amount", currency=currency), min_value=0.0,
                                 value=view.statement.overdue_cents / 100, step=1000.0,
                                 format="%.2f", key="coll_promise_amount", disabled=locked)  # fmt: skip
        promised = c2.date_input(ui.tr("coll.form.promised_date"), value=as_of + timedelta(days=7),
                                 key="coll_promise_date", disabled=locked)  # fmt: skip
        made_on = c3.date_input(ui.tr("coll.form.made_on"), value=as_of, key="coll_promise_made",
                                help=ui.tr("coll.form.date.help"), disabled=locked)  # fmt: skip
        invoices = st.multiselect(ui.tr("coll.form.invoices"), view.choices["invoices"],
                                  key="coll_promise_invoices",
                                  help=ui.tr("coll.form.invoices.help"), disabled=locked)  # fmt: skip
        note = _note("coll_promise_note", locked)
        if st.form_submit_button(ui.tr("coll.form.promise.submit"), disabled=locked):
            cents = to_cents(f"{amount:.2f}")
            write(lambda: record_promise(engine, ui.actor(), who, cents, promised, invoices, note,
                                         made_on=made_on),
                  "coll.done.promise", customer=who, amount=ui.money(cents / 100),
                  date=f"{promised:%Y-%m-%d}")  # fmt: skip
    with dispute_tab:
        _dispute_form(engine, view, as_of, locked)
    with resolve_tab:
        _resolve_form(engine, view, as_of, locked)


def _note(key: str, locked: bool) -> str:
    return st.text_area(ui.tr("coll.form.note"), key=key, height=80, disabled=locked)


def _on(key: str, as_of: date, locked: bool) -> date:
    return st.date_input(ui.tr("coll.form.date"), value=as_of, key=key,
                         help=ui.tr("coll.form.date.help"), disabled=locked)  # fmt: skip


def _dispute_form(engine: Engine, view: CustomerView, as_of: date, locked: bool) -> None:
    if not view.choices["invoices"]:
        st.caption(ui.tr("coll.form.no_invoices"))
        return
    with st.form("coll_dispute", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        invoice = c1.selectbox(ui.tr("coll.form.invoice"), view.choices["invoices"],
                               key="coll_dispute_invoice", disabled=locked)  # fmt: skip
        reason = c2.selectbox(ui.tr("coll.form.reason"), DISPUTE_REASONS,
                              format_func=lambda r: labels.named("coll.reason", r, ui.lang()),
                              key="coll_dispute_reason", disabled=locked)  # fmt: skip
        owner = c3.text_input(ui.tr("coll.form.owner"), key="coll_dispute_owner",
                              placeholder=ui.actor().who, help=ui.tr("coll.form.owner.help"),
                              disabled=locked)  # fmt: skip
        note = _note("coll_dispute_note", locked)
        on = _on("coll_dispute_date", as_of, locked)
        if st.form_submit_button(ui.tr("coll.form.dispute.submit"), disabled=locked):
            write(lambda: open_dispute(engine, ui.actor(), invoice, reason, owner, note, on=on),
                  "coll.done.dispute", invoice=invoice)  # fmt: skip


def _resolve_form(engine: Engine, view: CustomerView, as_of: date, locked: bool) -> None:
    if not view.choices["open_disputes"]:
        st.caption(ui.tr("coll.form.no_disputes"))
        return
    with st.form("coll_resolve", clear_on_submit=True):
        c1, c2 = st.columns(2)
        invoice = c1.selectbox(ui.tr("coll.form.invoice"), view.choices["open_disputes"],
                               key="coll_resolve_invoice", disabled=locked)  # fmt: skip
        outcome = c2.radio(ui.tr("coll.form.resolution"), RESOLUTIONS, horizontal=True,
                           format_func=lambda r: ui.tr(f"coll.resolution.{r}.long"),
                           key="coll_resolve_outcome", disabled=locked)  # fmt: skip
        note = _note("coll_resolve_note", locked)
        on = _on("coll_resolve_date", as_of, locked)
        if st.form_submit_button(ui.tr("coll.form.resolve.submit"), disabled=locked):
            write(lambda: resolve_dispute(engine, ui.actor(), invoice, outcome, note, on=on),
                  "coll.done.resolve", invoice=invoice)  # fmt: skip


def documents(view: CustomerView, dunning: dict, as_of: date, has_pdf: bool) -> None:
    """The customer's statement and letter to download (PDF with chromium, XLSX always), in
    the language chosen (the customer's own first), and the letter's text."""
    statement = view.statement
    st.markdown(f"**{ui.tr('coll.docs')}**", help=ui.tr("coll.docs.help"))
    if st.session_state.get("coll_doc_for") != view.customer_id:  # a new customer: its language
        st.session_state["coll_doc_for"] = view.customer_id
        st.session_state["coll_doc_lang"] = view.language
    doc_lang = st.radio(ui.tr("coll.docs.lang"), LANGS, horizontal=True, key="coll_doc_lang",
                        format_func=labels.LANGUAGE_NAMES.get, help=ui.tr("coll.docs.lang.help"))  # fmt: skip
    letter = customer_letter(view, dunning, doc_lang)
    stem = f"{file_stem(view.customer_id)}_{as_of:%Y%m%d}_{doc_lang}"
    d1, d2, d3, d4 = st.columns(4)
    pdf, icon_pdf, icon_xlsx = (
        "application/pdf",
        ":material/picture_as_pdf:",
        ":material/table_view:",
    )
    if has_pdf:
        d1.download_button(ui.tr("coll.docs.statement_pdf"),
                           lambda: html_to_pdf(statement_html(statement, doc_lang)),
                           f"statement_{stem}.pdf", pdf, key="coll_dl_statement_pdf",
                           icon=icon_pdf, on_click="ignore")  # fmt: skip
    d2.download_button(ui.tr("coll.docs.statement_xlsx"),
                       lambda: documents_xlsx([statement], doc_lang), f"statement_{stem}.xlsx",
                       XLSX_MIME, key="coll_dl_statement_xlsx", icon=icon_xlsx, on_click="ignore")  # fmt: skip
    if letter is not None:
        name = f"letter_{letter.stage_id}_{stem}"
        if has_pdf:
            d3.download_button(ui.tr("coll.docs.letter_pdf"), lambda: html_to_pdf(letter_html(letter)),
                               f"{name}.pdf", pdf, key="coll_dl_letter_pdf", icon=icon_pdf,
                               on_click="ignore")  # fmt: skip
        d4.download_button(ui.tr("coll.docs.letter_xlsx"),
                           lambda: documents_xlsx([letter, statement], doc_lang), f"{name}.xlsx",
                           XLSX_MIME, key="coll_dl_letter_xlsx", icon=icon_xlsx, on_click="ignore")  # fmt: skip
    if not has_pdf:
        st.caption(ui.tr("coll.docs.no_pdf"))
    if letter is None:
        st.caption(ui.tr("coll.docs.no_letter"))
    else:
        stage = labels.named("coll.stage", letter.stage_id, ui.lang())
        with st.expander(ui.tr("coll.docs.letter_text", stage=stage)):
            st.markdown(f"**{ui.escape_markdown(letter.subject)}**")
            st.text(letter_text(letter))
    st.caption(ui.tr("coll.docs.total", total=ui.money(statement.total_cents / 100)))


# ------------------------------------------------------------------ the dunning run


def _send(engine: Engine, plan: DunningPlan, smtp_url: str, sender: str, attach: str) -> None:
    """Deliver the run the user saw (the button's callback, before the page runs again)."""
    st.session_state["coll_send_sure"] = False
    try:
        results = run_dunning(engine, ui.actor(), plan, server=SmtpServer.from_url(smtp_url),
                              sender=sender, attach=attach)  # fmt: skip
    except CreditDashError as err:
        st.session_state["coll_send_error"] = ui.error_text(err)
        return
    st.session_state["coll_sent"] = [
        {**r.message.line(), "status": r.status, "reply": r.reply} for r in results
    ]


def last_send() -> None:
    """What the last send did (an error, or each message's outcome)."""
    if "coll_send_error" in st.session_state:
        st.error(st.session_state.pop("coll_send_error"))
    if "coll_posted_done" in st.session_state:
        st.success(st.session_state.pop("coll_posted_done"), icon=":material/markunread_mailbox:")
    sent = st.session_state.pop("coll_sent", None)
    if sent is None:
        return
    delivered = sum(r["status"] == "sent" for r in sent)
    st.success(ui.tr("coll.run.sent", sent=delivered, failed=len(sent) - delivered))
    shown_table(labels.results_shown(sent, ui.lang()), "coll_sent_results")


def dry_run(engine: Engine, plan: DunningPlan, settings, has_pdf: bool) -> None:
    """The run's tiles, its messages, one message as it would go, and the send button."""
    as_of = plan.as_of
    lines = labels.plan_shown([m.line() for m in plan.messages], ui.lang())
    counts = plan.counts
    tiles([(name, value, "count") for name, value in counts.items()], "coll.rtile", "coll.rdef")
    if lines.empty:
        st.info(ui.tr("coll.run.nothing", as_of=f"{as_of:%Y-%m-%d}"), icon=":material/task_alt:")
        return
    st.caption(ui.tr("coll.run.dry", as_of=f"{as_of:%Y-%m-%d}"))
    shown_table(lines, "coll_plan")
    index = st.selectbox(
        ui.tr("coll.run.show"), range(len(plan.messages)), key="coll_run_message",
        format_func=lambda i: f"{lines['customer'][i]} · {lines['stage'][i]} · {lines['channel'][i]}",
    )  # fmt: skip
    message = plan.messages[index]
    to = ", ".join(message.recipients) or ui.tr("coll.run.nobody")
    with st.container(border=True):  # the message as it would go out
        st.markdown(ui.tr_md("coll.run.message", subject=message.subject, to=to))
        st.text(letter_text(message.letter))
    if counts["letters"]:
        letters(engine, plan, counts["letters"], has_pdf)
    if not (settings.smtp_url and settings.smtp_from):
        st.caption(ui.tr("coll.run.no_smtp"))
        return
    may_send = ui.permitted("send_dunning")
    # emails and call / hold / legal tasks; letters to post are written by the command line
    sendable = DunningPlan(plan.as_of, tuple(m for m in plan.messages if m.channel != "letter"),
                           plan.statements)  # fmt: skip
    sure = st.checkbox(ui.tr("coll.run.confirm"), key="coll_send_sure", disabled=not may_send)
    st.button(
        ui.tr("coll.run.send", emails=counts["emails"], tasks=counts["tasks"]),
        key="coll_send", type="primary", on_click=_send,
        args=(engine, sendable, settings.smtp_url, settings.smtp_from, "pdf" if has_pdf else "xlsx"),
        disabled=not (may_send and sure and sendable.messages),
    )  # fmt: skip


def letters(engine: Engine, plan: DunningPlan, count: int, has_pdf: bool) -> None:
    """The run's letters to post as one ZIP (built on click: printing takes a while), each in
    its customer's language; PDF with chromium, else XLSX."""
    kind = "pdf" if has_pdf else "xlsx"
    st.download_button(
        ui.tr("coll.run.letters_zip", n=count, kind=kind.upper()),
        lambda: letters_zip(plan, kind), f"letters_{plan.as_of:%Y%m%d}.zip", "application/zip",
        key="coll_dl_letters", icon=":material/mail:", on_click="ignore",
    )  # fmt: skip
    command = f"python -m creditdash dunning --as-of {plan.as_of:%Y-%m-%d} --send --letters DIR"
    st.caption(ui.tr_md("coll.run.letters", n=count, command=command))
    st.button(
        ui.tr("coll.run.posted", n=count), key="coll_posted", icon=":material/markunread_mailbox:",
        help=ui.tr("coll.run.posted.help"), on_click=_posted, args=(engine, plan),
        disabled=not ui.permitted("send_dunning"),
    )  # fmt: skip


def _posted(engine: Engine, plan: DunningPlan) -> None:
    """Record the run's letters as posted (the button's callback, before the page runs again)."""
    try:
        results = record_posted(engine, ui.actor(), plan)
    except CreditDashError as err:
        st.session_state["coll_send_error"] = ui.error_text(err)
        return
    sent = sum(r.status == "sent" for r in results)
    st.session_state["coll_posted_done"] = ui.tr(
        "coll.run.posted.done", sent=sent, skipped=len(results) - sent
    )


def sent_log(engine: Engine) -> None:
    """Every delivery attempt, newest first."""
    with st.expander(ui.tr("coll.run.log")):
        log = dunning_log(engine)
        if log.empty:
            st.caption(ui.tr("coll.run.log.none"))
        else:
            shown_table(labels.log_shown(log, ui.lang()), "coll_log")


# ------------------------------------------------------------------ who collects from whom

NOBODY = ""  # the collector option "nobody" and the language option "the policy's default"


def collectors(engine: Engine, assigned: Assignments) -> None:
    """A credit manager assigns a collector to a customer or to a salesperson's customers,
    and a customer's letter language; the tables show who collects from whom."""
    st.caption(ui.tr("coll.assign.caption"))
    locked = not ui.permitted("assign_collector")
    lang = ui.lang()
    c1, c2 = st.columns([1, 2])
    scope = c1.radio(ui.tr("coll.assign.scope"), SCOPES, horizontal=True, key="coll_assign_scope",
                     format_func=lambda s: ui.tr(f"coll.assign.scope.{s}"), disabled=locked)  # fmt: skip
    frame = assigned.customers if scope == "customer" else assigned.salespeople
    keys = list(frame["customer_id" if scope == "customer" else "salesperson"])
    names = dict(zip(assigned.customers["customer_id"], assigned.customers["customer_name"],
                     strict=True))  # fmt: skip
    target = c2.selectbox(ui.tr(f"coll.assign.key.{scope}"), keys, key=f"coll_assign_{scope}",
                          format_func=lambda k: f"{k} · {names[k]}" if k in names else k,
                          disabled=locked)  # fmt: skip
    row = frame[frame.iloc[:, 0] == target]
    own = "own_collector" if scope == "customer" else "collector"
    now_collector = str(row[own].iloc[0]) if len(row) else NOBODY
    now_language = str(row["own_language"].iloc[0]) if scope == "customer" and len(row) else NOBODY
    if st.session_state.get("coll_assign_for") != (scope, target):  # its current values
        st.session_state["coll_assign_for"] = (scope, target)
        st.session_state["coll_assign_collector"] = now_collector
        st.session_state["coll_assign_language"] = now_language
    offered = [NOBODY, *dict.fromkeys([*assigned.collectors, now_collector] if now_collector
                                      else assigned.collectors)]  # fmt: skip
    c3, c4, c5 = st.columns([2, 1, 1], vertical_alignment="bottom")
    collector = c3.selectbox(ui.tr("coll.assign.collector"), offered, key="coll_assign_collector",
                             format_func=lambda e: e or ui.tr("coll.assign.nobody"),
                             help=ui.tr("coll.assign.collector.help"), disabled=locked)  # fmt: skip
    language = now_language
    if scope == "customer":
        default = labels.LANGUAGE_NAMES.get(assigned.default_language, assigned.default_language)
        language = c4.selectbox(
            ui.tr("coll.assign.language"), [NOBODY, *assigned.languages],
            key="coll_assign_language", disabled=locked,
            format_func=lambda x: labels.LANGUAGE_NAMES.get(x, x) if x
            else ui.tr("coll.assign.default_language", language=default),
        )  # fmt: skip
    if c5.button(ui.tr("coll.assign.save"), key="coll_assign_save", type="primary",
                 disabled=locked or target is None):  # fmt: skip
        write(lambda: _assign(engine, scope, str(target), collector, now_collector, language,
                              now_language), "coll.done.assign", who=target)  # fmt: skip
    if not assigned.collectors:
        st.caption(ui.tr("coll.assign.no_users"))
    st.markdown(f"**{ui.tr('coll.assign.by_customer')}**")
    shown_table(labels.assigned_shown(assigned.customers, lang), "coll_assignments")
    st.markdown(f"**{ui.tr('coll.assign.by_salesperson')}**")
    ui.table(assigned.salespeople.replace({"": None}), key="coll_assign_salespeople",
             column_config=config(assigned.salespeople))  # fmt: skip


def _assign(engine: Engine, scope: str, key: str, collector: str, was: str, language: str,
            language_was: str) -> None:  # fmt: skip
    """Write what changed: the collector, and (for a customer) the letters' language."""
    if collector != was:
        assign_collector(engine, ui.actor(), key, collector or None, scope=scope)
    if scope == "customer" and language != language_was:
        set_language(engine, ui.actor(), key, language or None)
