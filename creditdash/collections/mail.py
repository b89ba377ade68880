"""Email through the company's SMTP server.

`SmtpServer.from_url` reads `smtp://user:password@host:587` (plain SMTP,
upgraded with STARTTLS whenever the server offers it, before logging in) or
`smtps://user:password@host:465` (TLS from the first byte); user and password
are optional, percent-encoded in the URL. `send` runs one SMTP transaction by
hand (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA) so that the server's own answer
to the message (`250 2.0.0 Ok: queued as ...`) is what gets logged; a refusal
at any step raises `SendFailed` carrying the server's words.

Addresses on the customer master may hold several, separated by `;`, `,`,
`；`, `，` or spaces (`addresses` splits and checks them).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from creditdash.errors import CreditDashError, InvalidArgument

TIMEOUT_S = 30
_SPLIT = re.compile(r"[;,；，\s]+")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PDF_TYPE = ("application", "pdf")


class SendFailed(CreditDashError):
    """The SMTP server refused the message or could not be reached; `reply` has its words."""

    def __init__(
        self,
        *args: object,
        reply: str = "",
        code: str | None = None,
        params: dict | None = None,
    ) -> None:
        super().__init__(*args, code=code, params=params)
        self.reply = reply


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes: host, port, login (optional) and TLS from the start or STARTTLS."""

    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    implicit_tls: bool = False
    timeout_s: float = TIMEOUT_S
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_url(cls, url: str, context: ssl.SSLContext | None = None) -> SmtpServer:
        """The server of CREDITDASH_SMTP_URL; `context` verifies its certificate (default:
        the system's trusted authorities)."""
        parts = urlsplit(url.strip())
        try:
            port = parts.port
            host = parts.hostname
        except ValueError:
            host = port = None
        if parts.scheme not in ("smtp", "smtps") or not host:
            shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
            raise InvalidArgument.coded(
                "error.settings.smtp_url",
                "The environment variable CREDITDASH_SMTP_URL must look like "
                "smtp://user:password@host:587 (or smtps://... for TLS from the start). "
                "Got {value!r}.",
                value=shown,
            )
        implicit = parts.scheme == "smtps"
        return cls(
            host=host,
            port=port or (465 if implicit else 587),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            implicit_tls=implicit,
            context=context,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def addresses(text: object) -> tuple[list[str], list[str]]:
    """(valid addresses, the pieces that are not addresses) of a customer-master cell."""
    if text is None or (isinstance(text, float) and text != text):
        return [], []
    good, bad = [], []
    for piece in _SPLIT.split(str(text).strip()):
        if not piece:
            continue
        address = parseaddr(piece)[1] or piece
        if _ADDRESS.match(address):
            good.append(address)
        else:
            bad.append(piece)
    return list(dict.fromkeys(good)), bad


def build_message(
    sender: str,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, tuple[str, str]]] = (),
) -> EmailMessage:
    """A UTF-8 email: plain-text `body`, then each (file name, bytes, (maintype, subtype))."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8")
    for name, data, (maintype, subtype) in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def send(server: SmtpServer, message: EmailMessage) -> str:
    """Deliver `message` to its To addresses; returns the server's answer to the message.

    STARTTLS is used whenever a plain server offers it (with `server.context`, or the
    system's trusted authorities), before any login. Raises SendFailed with the server's
    words when it refuses, or when it cannot be reached.
    """
    recipients = [parseaddr(a)[1] for a in message["To"].split(",")]
    sender = parseaddr(message["From"])[1]
    context = server.context or ssl.create_default_context()
    smtp: smtplib.SMTP
    try:
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout_s,
                                    context=context)  # fmt: skip
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
    except (OSError, smtplib.SMTPException) as err:
        raise _failed(server, f"cannot connect: {err}") from err
    with smtp:
        try:
            return _transaction(smtp, server, context, sender, recipients, message)
        except smtplib.SMTPResponseException as err:
            raise _failed(server, _said(err.smtp_code, err.smtp_error)) from err
        except smtplib.SMTPRecipientsRefused as err:
            said = "; ".join(f"{a}: {_said(c, m)}" for a, (c, m) in err.recipients.items())
            raise _failed(server, said) from err
        except (OSError, smtplib.SMTPException) as err:
            raise _failed(server, str(err)) from err


def _transaction(smtp, server: SmtpServer, context, sender, recipients, message) -> str:
    smtp.ehlo()
    if not server.implicit_tls and smtp.has_extn("starttls"):
        smtp.starttls(context=context)
        smtp.ehlo()
    if server.user:
        smtp.login(server.user, server.password)
    code, said = smtp.mail(sender, ["SMTPUTF8"] if _needs_utf8(sender, recipients) else [])
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, said, sender)
    refused = {}
    for address in recipients:
        code, said = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, said)
    if len(refused) == len(recipients):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    # SMTP lines end in CRLF; smtplib sends bytes as they are
    code, said = smtp.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    if code != 250:
        raise smtplib.SMTPDataError(code, said)
    answer = _said(code, said)
    if refused:
        answer += "; refused: " + "; ".join(f"{a}: {_said(c, m)}" for a, (c, m) in refused.items())
    return answer


def _needs_utf8(sender: str, recipients: Sequence[str]) -> bool:
    return not all(a.isascii() for a in [sender, *recipients])


def _said(code: int, words: bytes | str) -> str:
    text = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
    return f"{code} {text}".strip()


def _failed(server: SmtpServer, reply: str) -> SendFailed:
    error = SendFailed.coded(
        "collections.error.smtp",
        "The mail server {server} did not take the message: {reply}",
        server=server.where,
        reply=reply,
    )
    error.reply = reply
    return error
