"""Build and send e-mails over SMTP (or store them when no SMTP server is configured)."""

from __future__ import annotations

import base64
import hashlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from typing import Any

# Refusals an SMTP server will repeat on every retry: the message (or address) is bad, not the link.
PERMANENT_CODE = 500
SMTP_OK, SMTP_FORWARD, SMTP_GO_AHEAD, SMTP_CLOSING = 250, 251, 354, 421
LEADING_DOT = re.compile(rb"(?m)^\.")  # a line starting with a dot is sent with the dot doubled


class TransientMailError(Exception):
    """The SMTP server could not be reached or asked us to try later: retry with backoff."""


class PermanentMailError(Exception):
    """The SMTP server refused this message for good: mark it failed without retrying."""


def message_id(idempotency_key: str) -> str:
    """Return the Message-ID derived from the idempotency key: a re-send is recognisably the same.

    160 bits of SHA-256 keep the header on one line (a folded header reads back with a leading space).
    """
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]}@crm>"


@dataclass(frozen=True)
class Outgoing:
    """An e-mail ready for SMTP: envelope addresses and the message bytes."""

    sender: str
    recipient: str
    data: bytes


def one_line(value: str) -> str:
    """Collapse every run of whitespace, line breaks included: user text must not inject headers."""
    return " ".join(value.split())


def header(value: str) -> str:
    """Return a one-line header value, RFC 2047 encoded when it is not plain ASCII (CRLF-folded)."""
    value = one_line(value)
    return value if value.isascii() else Header(value, "utf-8").encode().replace("\n", "\r\n")


def address(name: str, email: str) -> str:
    """Return 'Name <email>' with a non-ASCII name encoded."""
    return formataddr((one_line(name), one_line(email)), charset="utf-8")


def part(subtype: str, body: str) -> str:
    """Return one text part, UTF-8 in base64 (76-character lines)."""
    encoded = base64.encodebytes(body.encode()).decode().replace("\n", "\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}'
    )


@lru_cache(maxsize=8)
def sender_address(configured: str) -> tuple[str, str]:
    """Return the configured sender's From header value and address, parsed once."""
    name, email = parseaddr(configured)
    return address(name, email), email


def build_email(
    config: Any, to: tuple[str, str], subject: str, text: str, html: str, key: str, unsubscribe: str
) -> Outgoing:
    """Compose a multipart/alternative (text + HTML) message with the Message-ID derived from the key.

    Written out directly: ten times faster than the email package (which costs a millisecond per
    message in header folding), and the structure is fixed — two UTF-8 text parts.
    """
    from_header, sender = sender_address(config["MAIL_SENDER"])
    boundary = f"=_crm_{hashlib.sha256(key.encode()).hexdigest()[:24]}"
    headers = [
        f"From: {from_header}",
        f"To: {address(*to)}",
        f"Subject: {header(subject)}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {message_id(key)}",
        f"List-Unsubscribe: <{unsubscribe}>",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    body = "".join(
        f"--{boundary}\r\n{part(sub, content)}" for sub, content in (("plain", text), ("html", html))
    )
    data = "\r\n".join(headers) + f"\r\n\r\n{body}--{boundary}--\r\n"
    return Outgoing(sender, to[1], data.encode("ascii"))


def refused(smtp: smtplib.SMTP, code: int) -> None:
    """Leave the server ready for the next message after a refusal (421: it is closing, so close too)."""
    if code == SMTP_CLOSING:
        smtp.close()
    else:
        smtp._rset()  # noqa: SLF001 - smtplib's quiet RSET, as sendmail uses it


def answered(smtp: smtplib.SMTP, email: Outgoing, command: str, reply: tuple[int, bytes]) -> None:
    """Raise smtplib's error (as sendmail would) if the server refused the MAIL, RCPT or DATA command."""
    code, answer = reply
    expected = {"mail": (SMTP_OK,), "rcpt": (SMTP_OK, SMTP_FORWARD), "data": (SMTP_GO_AHEAD,)}[command]
    if code in expected:
        return
    refused(smtp, code)
    if command == "mail":
        raise smtplib.SMTPSenderRefused(code, answer, email.sender)
    if command == "rcpt":
        raise smtplib.SMTPRecipientsRefused({email.recipient: (code, answer)})
    raise smtplib.SMTPDataError(code, answer)


def pipelined(smtp: smtplib.SMTP, email: Outgoing) -> None:
    """Send MAIL, RCPT and DATA at once (RFC 2920), then check the three replies in order."""
    quoted = smtplib.quoteaddr
    smtp.send(f"MAIL FROM:{quoted(email.sender)}\r\nRCPT TO:{quoted(email.recipient)}\r\nDATA\r\n")
    replies = [smtp.getreply() for _command in range(3)]
    if replies[2][0] == SMTP_GO_AHEAD and (replies[0][0], replies[1][0]) != (SMTP_OK, SMTP_OK):
        smtp.close()  # the server awaits a body after a refusal: out of step, start afresh
    for command, reply in zip(("mail", "rcpt", "data"), replies, strict=True):
        answered(smtp, email, command, reply)


def stepwise(smtp: smtplib.SMTP, email: Outgoing) -> None:
    """Send MAIL, RCPT and DATA one by one, each after the previous one's positive reply."""
    answered(smtp, email, "mail", smtp.mail(email.sender))
    answered(smtp, email, "rcpt", smtp.rcpt(email.recipient))
    answered(smtp, email, "data", smtp.docmd("DATA"))


def classify(exc: Exception) -> Exception:
    """Turn an smtplib/socket error into a transient or permanent mail error."""
    codes: list[int] = []
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
    elif isinstance(exc, smtplib.SMTPResponseException) and not isinstance(
        exc, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError
    ):
        codes = [exc.smtp_code]
    if codes and min(codes) >= PERMANENT_CODE:
        return PermanentMailError(f"{type(exc).__name__}: {exc}")
    return TransientMailError(f"{type(exc).__name__}: {exc}")


class Mailer:
    """One SMTP connection reused for a batch of messages; 'stored' transport without SMTP_HOST.

    A message goes out in two steps: begin (envelope, DATA and the body) and complete (the final dot,
    which is when the server accepts it). Between them the mailer calls before_accept (e.g. "wait until
    the previous e-mail's 'sent' state is committed"); if that raises, the connection is dropped with the
    message unterminated, which the server discards.
    """

    def __init__(self, config: Any, before_accept: Callable[[], None] | None = None) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.before_accept = before_accept or (lambda: None)
        self.in_data = False  # the body was sent, the final dot not yet

    @property
    def transport(self) -> str:
        """Return 'smtp' when a server is configured, else 'stored'."""
        return "smtp" if self.config.get("SMTP_HOST") else "stored"

    def connect(self) -> smtplib.SMTP:
        """Open, secure and authenticate a connection as configured."""
        cfg = self.config
        host, port, timeout = cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_TIMEOUT"]
        if cfg["SMTP_SSL"]:
            context = ssl.create_default_context()  # only when used: loading the CA store costs 30 ms
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        # The final dot is written apart from the body: without this, Nagle's algorithm holds it back
        # until the server acknowledges the body, which a server answering nothing before the dot delays.
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return smtp

    def send(self, email: Outgoing) -> str:
        """Send (or store) one message; raise TransientMailError or PermanentMailError."""
        if self.transport == "stored":
            self.before_accept()
            return "stored"
        try:
            self.begin(email)
        except smtplib.SMTPServerDisconnected:
            self.close()  # a reused connection the server dropped: one fresh try
            self.guarded(self.begin, email)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise classify(exc) from exc
        self.before_accept()
        try:
            self.complete()
        except smtplib.SMTPServerDisconnected:
            self.close()  # dropped while ending the message: one fresh try, as for a dropped connection
            self.guarded(self.begin, email)
            self.guarded(self.complete)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise classify(exc) from exc
        return "smtp"

    def guarded(self, step: Callable[..., None], *args: Outgoing) -> None:
        """Run one step on the (fresh) connection, classifying any failure."""
        try:
            step(*args)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise classify(exc) from exc

    def begin(self, email: Outgoing) -> None:
        """Open the connection if needed; send the envelope, DATA and the body, but not the final dot."""
        if self.in_data:
            self.close()  # a message begun and never ended (its sending failed): drop it with its connection
        if self.smtp is None:
            self.smtp = self.connect()
        smtp = self.smtp
        smtp.ehlo_or_helo_if_needed()
        (pipelined if smtp.has_extn("pipelining") else stepwise)(smtp, email)
        body = LEADING_DOT.sub(b"..", email.data)
        smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
        self.in_data = True

    def complete(self) -> None:
        """Send the final dot: the server accepts the message (or refuses it)."""
        assert self.smtp is not None and self.in_data  # noqa: S101 - begin() came first
        self.smtp.send(b".\r\n")
        self.in_data = False
        code, answer = self.smtp.getreply()
        if code != SMTP_OK:
            refused(self.smtp, code)
            raise smtplib.SMTPDataError(code, answer)

    def close(self) -> None:
        """Close the connection quietly; in the middle of a message, drop it (the server discards it)."""
        if self.smtp is not None:
            try:
                if self.in_data:
                    raise OSError("message not ended")  # a QUIT now would be read as part of the body
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp, self.in_data = None, False

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
