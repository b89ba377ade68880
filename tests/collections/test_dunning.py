"""Dunning runs against a real SMTP server on 127.0.0.1: what arrives in Chinese and English,
never twice, failures logged and retried, letters and tasks, the dry run is what is sent."""

from __future__ import annotations

import io

import openpyxl
import pytest

from creditdash.audit import audit_log
from creditdash.auth import Actor, PermissionDenied
from creditdash.collections import records
from creditdash.collections.dunning import dunning_log, dunning_plan, run_dunning
from creditdash.collections.mail import SmtpServer, addresses, send
from creditdash.collections.render import letter_text
from creditdash.collections.worklist import collections_inputs
from creditdash.errors import InvalidArgument
from creditdash.i18n import Text
from creditdash.report.pdf import find_chromium
from creditdash.store import load_ledger
from tests.collections.conftest import AS_OF
from tests.collections.smtp import MailServer

ANALYST = Actor("ann@x.cn", "analyst")
SENDER = "信用部 Credit <credit@seller.cn>"


def plan_of(engine, as_of=AS_OF):
    return dunning_plan(load_ledger(engine), as_of, collections_inputs(engine))


def run(engine, server, tmp_path, plan=None, **kwargs):
    options = {"attach": "xlsx", "letter_format": "xlsx", "letters_dir": tmp_path / "letters"}
    return run_dunning(engine, ANALYST, plan or plan_of(engine), server=server, sender=SENDER,
                       **(options | kwargs))  # fmt: skip


@pytest.fixture
def english_c2(sqlite_store):
    records.set_language(sqlite_store, Actor("mo@x.cn", "credit_manager"), "C2", "en")
    return sqlite_store


def test_a_chinese_and_an_english_letter_arrive_with_the_statement_attached(english_c2, tmp_path):
    store = english_c2
    with MailServer(tmp_path, tls=True, login=("dunning", "s3cret")) as mail:
        server = SmtpServer.from_url(mail.url, context=mail.client_context)
        plan = plan_of(store)
        results = run(store, server, tmp_path, plan)
    status = {(r.message.customer_id, r.message.stage_id, r.message.channel): r.status
              for r in results}  # fmt: skip
    assert status == {
        ("C1", "courtesy", "email"): "sent", ("C1", "reminder", "email"): "sent",
        ("C1", "second_reminder", "email"): "sent", ("C1", "final", "email"): "sent",
        ("C1", "final", "letter"): "sent", ("C2", "warning", "email"): "sent",
        ("C3", "reminder", "email"): "failed", ("C3", "legal", "letter"): "sent",
    }  # fmt: skip
    arrived = {a.message["Subject"]: a for a in mail.inbox.arrived}
    assert len(arrived) == 5 and all(a.secure and a.login == "dunning" for a in arrived.values())

    zh = arrived["最后催款通知：请于 2026年7月7日 前支付 ¥4,040.11"]
    assert zh.recipients == ["ar@jia.cn", "boss@jia.cn"] and zh.sender == "credit@seller.cn"
    body = zh.message.get_body(("plain",)).get_content()
    assert body.startswith("尊敬的上海甲公司：") and "- I14，到期日 2026-04-30：¥4,000.00" in body
    final = next(m for m in plan.messages if m.stage_id == "final" and m.channel == "email")
    assert body.rstrip("\n") == letter_text(final.letter)  # the dry run's message, exactly
    (attachment,) = list(zh.message.iter_attachments())
    assert attachment.get_filename() == "statement-C1-2026-06-30.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "对账单" in cells and 10_000.0 in cells

    en = arrived["Overdue account: ¥5,000.00 past due"]
    assert en.recipients == ["finance@beta.com"]
    text = en.message.get_body(("plain",)).get_content()
    assert text.startswith("Dear Beta Trading Ltd,") and "As of June 30, 2026" in text
    assert "Statement of account" in [
        c.value for row in openpyxl.load_workbook(io.BytesIO(
            next(en.message.iter_attachments()).get_content())).active.iter_rows()
        for c in row
    ]  # fmt: skip

    letters = sorted(p.name for p in (tmp_path / "letters").iterdir())
    assert letters == ["C1-final-2026-06-30.xlsx", "C3-legal-2026-06-30.xlsx"]
    failed = next(r for r in results if r.status == "failed")
    assert "C3 has no usable email address" in failed.reply

    log = dunning_log(store).set_index("send_id")
    assert sorted(log["status"].value_counts().items()) == [("failed", 1), ("sent", 7)]
    sent = log[(log["customer_id"] == "C2")].iloc[0]
    assert sent["server_reply"].startswith("250 2.0.0 Ok: queued as Q")
    assert sent["language"] == "en" and sent["invoice_ids"] == ("I21",)
    audited = audit_log(store, action="dunning_sent")
    assert len(audited) == 7 and audited["detail"].str.contains("queued as|written to").all()
    assert len(audit_log(store, action="dunning_failed")) == 1


def test_a_stage_is_never_sent_twice_and_a_failure_is_tried_again(english_c2, tmp_path):
    store = english_c2
    with MailServer(tmp_path) as mail:
        mail.inbox.refuse.add("finance@beta.com")
        server = SmtpServer.from_url(mail.url)
        first = run(store, server, tmp_path)
        refused = next(r for r in first if r.message.customer_id == "C2")
        assert refused.status == "failed" and "550 5.1.1" in refused.reply
        again = plan_of(store)
        # C2's refused warning and C3's email without address come again; nothing else does
        assert [(m.customer_id, m.stage_id) for m in again.messages] == [
            ("C2", "warning"), ("C3", "reminder")]  # fmt: skip
        mail.inbox.refuse.clear()
        second = run(store, server, tmp_path, again)
        assert [r.status for r in second] == ["sent", "failed"]
        assert [(m.customer_id, m.stage_id) for m in plan_of(store).messages] == [
            ("C3", "reminder")]  # fmt: skip
        # a week later only the stages reached since then are due: I12 reaches nothing new
        later = plan_of(store, "2026-07-04")
        assert ("C1", "reminder") in [(m.customer_id, m.stage_id) for m in later.messages]
        assert [m.invoice_ids for m in later.messages if m.stage_id == "reminder"
                and m.customer_id == "C1"] == [("I11",)]  # fmt: skip
    subjects = [a.message["Subject"] for a in mail.inbox.arrived]
    assert subjects.count("Overdue account: ¥5,000.00 past due") == 1


def test_a_run_planned_twice_delivers_each_message_once(english_c2, tmp_path):
    store = english_c2
    plan = plan_of(store)
    with MailServer(tmp_path) as mail:
        server = SmtpServer.from_url(mail.url)
        run(store, server, tmp_path, plan)
        stale = run(store, server, tmp_path, plan)  # the same plan again, as a second run would
    assert {r.status for r in stale if r.message.customer_id != "C3"} == {"skipped"}
    assert len(mail.inbox.arrived) == 5


def test_a_dispute_opened_after_a_reminder_stops_the_next_stage(sqlite_store, tmp_path):
    records.open_dispute(sqlite_store, ANALYST, "I14", "quantity", on="2026-06-01")
    plan = plan_of(sqlite_store)
    assert "I14" not in {i for m in plan.messages for i in m.invoice_ids}
    records.resolve_dispute(sqlite_store, ANALYST, "I14", "upheld", on="2026-06-29")
    assert "I14" in {i for m in plan_of(sqlite_store).messages for i in m.invoice_ids}


def test_sending_needs_the_server_a_folder_for_letters_and_the_analyst_role(sqlite_store,
                                                                          tmp_path):  # fmt: skip
    plan = plan_of(sqlite_store)
    with pytest.raises(InvalidArgument, match="CREDITDASH_SMTP_URL") as caught:
        run_dunning(sqlite_store, ANALYST, plan, server=None, sender=SENDER)
    assert "邮件服务器" in Text.of_error(caught.value).render("zh")
    server = SmtpServer("127.0.0.1", 1)
    with pytest.raises(InvalidArgument, match="--letters DIR") as caught:
        run_dunning(sqlite_store, ANALYST, plan, server=server, sender=SENDER, attach="xlsx")
    assert "文件夹" in Text.of_error(caught.value).render("zh")
    with pytest.raises(InvalidArgument, match="`attach` must be one of pdf, xlsx"):
        run(sqlite_store, server, tmp_path, plan, attach="doc")
    with pytest.raises(PermissionDenied, match="send statements and dunning letters"):
        run_dunning(sqlite_store, Actor("v@x.cn", "viewer"), plan, server=server, sender=SENDER)
    assert dunning_log(sqlite_store).empty


def test_a_server_that_does_not_answer_is_a_failure_to_retry(sqlite_store, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    server = SmtpServer("127.0.0.1", port, timeout_s=5)
    results = run(sqlite_store, server, tmp_path)
    emails = [r for r in results if r.message.channel == "email"]
    assert {r.status for r in emails} == {"failed"}
    assert all("cannot connect" in r.reply for r in emails if r.message.recipients)
    assert len([m for m in plan_of(sqlite_store).messages if m.channel == "email"]) == len(emails)


def test_the_mail_server_url_and_the_settings():
    from creditdash.settings import Settings

    server = SmtpServer.from_url("smtp://ar%40co.cn:p%3Ass@mail.co.cn:587")
    assert (server.host, server.port, server.user, server.password) == (
        "mail.co.cn", 587, "ar@co.cn", "p:ss")  # fmt: skip
    assert "p:ss" not in repr(server)
    assert SmtpServer.from_url("smtps://mail.co.cn").port == 465
    with pytest.raises(InvalidArgument, match="must look like smtp://") as caught:
        SmtpServer.from_url("http://u:secret@mail.co.cn")
    assert "secret" not in str(caught.value)
    settings = Settings.from_env({"CREDITDASH_SMTP_URL": "smtp://u:pw@h:25",
                                  "CREDITDASH_SMTP_FROM": "AR <ar@co.cn>",
                                  "CREDITDASH_LETTERHEAD": "某公司 | 地址 1 号 | 电话 1"})  # fmt: skip
    assert settings.smtp_from == "AR <ar@co.cn>" and settings.letterhead == ("某公司", "地址 1 号",
                                                                               "电话 1")  # fmt: skip
    assert "pw" not in repr(settings)
    with pytest.raises(InvalidArgument, match="CREDITDASH_SMTP_URL must look like") as caught:
        Settings.from_env({"CREDITDASH_SMTP_URL": "smtp://u:pw@:x"})
    assert "环境变量" in Text.of_error(caught.value).render("zh") and "pw" not in str(caught.value)
    with pytest.raises(InvalidArgument, match="CREDITDASH_SMTP_FROM must be an email") as caught:
        Settings.from_env({"CREDITDASH_SMTP_FROM": "credit team"})
    assert "邮箱地址" in Text.of_error(caught.value).render("zh")


def test_contact_emails_are_split_and_checked():
    assert addresses("ar@jia.cn; boss@jia.cn，cfo@jia.cn") == (
        ["ar@jia.cn", "boss@jia.cn", "cfo@jia.cn"], [])  # fmt: skip
    assert addresses("ar@jia.cn 王会计 nobody@") == (["ar@jia.cn"], ["王会计", "nobody@"])
    assert addresses(None) == ([], []) and addresses(float("nan")) == ([], [])


def test_the_server_refusing_a_login_is_its_answer(tmp_path):
    from creditdash.collections.mail import SendFailed, build_message

    message = build_message(SENDER, ["a@b.cn"], "主题", "正文")
    with MailServer(tmp_path, tls=True, login=("dunning", "right")) as mail:
        server = SmtpServer.from_url(mail.url.replace("right", "wrong"),
                                     context=mail.client_context)  # fmt: skip
        with pytest.raises(SendFailed, match="did not take the message: 535") as caught:
            send(server, message)
    assert caught.value.reply.startswith("535")
    assert "邮件服务器" in Text.of_error(caught.value).render("zh")


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")
def test_statements_attach_as_pdf_and_letters_print_as_pdf(sqlite_store, tmp_path):
    with MailServer(tmp_path) as mail:
        results = run(sqlite_store, SmtpServer.from_url(mail.url), tmp_path, attach="pdf",
                      letter_format="pdf")  # fmt: skip
    assert {r.status for r in results if r.message.recipients or r.message.channel != "email"} == {
        "sent"}  # fmt: skip
    attachment = next(mail.inbox.arrived[0].message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert (tmp_path / "letters" / "C3-legal-2026-06-30.pdf").read_bytes().startswith(b"%PDF")


def test_the_letters_to_post_download_as_one_zip_each_in_its_customers_language(english_c2):
    import zipfile

    from creditdash.collections.dunning import letters_zip

    records.set_language(english_c2, Actor("mo@x.cn", "credit_manager"), "C3", "en")
    plan = plan_of(english_c2)
    archive = zipfile.ZipFile(io.BytesIO(letters_zip(plan, "xlsx")))
    # the two letters of the run (C1's final notice, C3's hand-over to legal), named as a run
    # writes them to its folder; C1 in the policy's Chinese, C3 in its own English
    assert archive.namelist() == ["C1-final-2026-06-30.xlsx", "C3-legal-2026-06-30.xlsx"]
    subjects = {m.customer_id: m.subject for m in plan.messages if m.channel == "letter"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in subjects["C1"])
    assert subjects["C3"].startswith("Notice before legal action")
    for name, customer in (("C1-final-2026-06-30.xlsx", "C1"), ("C3-legal-2026-06-30.xlsx", "C3")):
        book = openpyxl.load_workbook(io.BytesIO(archive.read(name)))
        cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
        assert subjects[customer] in cells, name
    # nothing was recorded: the letters are still due in the next run
    assert dunning_log(english_c2).empty
    assert len([m for m in plan_of(english_c2).messages if m.channel == "letter"]) == 2
    with pytest.raises(InvalidArgument, match="`letter_format` must be one of pdf, xlsx"):
        letters_zip(plan, "docx")


@pytest.mark.skipif(not find_chromium(), reason="PDF letters need chromium")
def test_the_letters_zip_holds_pdfs_by_default(sqlite_store):
    import zipfile

    from creditdash.collections.dunning import letters_zip

    archive = zipfile.ZipFile(io.BytesIO(letters_zip(plan_of(sqlite_store))))
    assert archive.namelist() == ["C1-final-2026-06-30.pdf", "C3-legal-2026-06-30.pdf"]
    assert all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())


def test_letters_posted_by_hand_are_recorded_once_and_leave_the_run(english_c2):
    from creditdash.collections.dunning import record_posted

    plan = plan_of(english_c2)
    with pytest.raises(PermissionDenied, match="send statements and dunning letters"):
        record_posted(english_c2, Actor("v@x.cn", "viewer"), plan)
    results = record_posted(english_c2, ANALYST, plan)
    assert [(r.message.customer_id, r.message.stage_id, r.status) for r in results] == [
        ("C1", "final", "sent"), ("C3", "legal", "sent")]  # fmt: skip
    log = dunning_log(english_c2)
    assert sorted(log["channel"]) == ["letter", "letter"]
    assert set(log["server_reply"]) == {"handed to the post (printed from the letters' ZIP)"}
    # the emails and tasks stay due; the letters do not come again, and a second record skips
    again = plan_of(english_c2)
    assert [m for m in again.messages if m.channel == "letter"] == []
    assert len(again.messages) == len(plan.messages) - 2
    assert [r.status for r in record_posted(english_c2, ANALYST, plan)] == ["skipped", "skipped"]
    sent = audit_log(english_c2)
    assert (sent["action"] == "dunning_sent").sum() == 2
