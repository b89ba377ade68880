"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what arrives, for the tests.

`MailServer(tls=True)` also offers STARTTLS with a self-signed certificate made
here for 127.0.0.1; `client_context` trusts exactly that certificate.
`MailServer(login=("user", "pass"))` asks for that login. Addresses in
`refuse` are answered 550 at RCPT.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Arrived:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    secure: bool
    login: str | None


@dataclass
class Inbox:
    refuse: set[str] = field(default_factory=set)
    arrived: list[Arrived] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.arrived.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), parsed,
                                    session.ssl is not None, login))  # fmt: skip
        return f"250 2.0.0 Ok: queued as Q{len(self.arrived)}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
    )
    return cert_path, key_path


class MailServer:
    """Start with `with MailServer(tmp_path) as server:`; `server.url` is its smtp:// URL."""

    def __init__(self, folder: Path, *, tls: bool = False, login: tuple[str, str] | None = None):
        self.inbox = Inbox()
        self.port = _free_port()
        self.login = login
        self.client_context: ssl.SSLContext | None = None
        kwargs: dict = {}
        if tls:
            cert, key = _self_signed(folder)
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_context.load_cert_chain(cert, key)
            kwargs["tls_context"] = server_context
            self.client_context = ssl.create_default_context(cafile=str(cert))
        if login:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_require_tls"] = tls
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == self.login  # fmt: skip
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    @property
    def url(self) -> str:
        who = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return f"smtp://{who}127.0.0.1:{self.port}"

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
