"""Read one raw message into plain values: addresses, dates, threading headers, text, kind, attachments.

Real mail is often broken (unknown charsets, unclosed boundaries, bad dates); every reading here falls
back to something usable instead of failing, so one odd message never stops a mailbox.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
AUTO_SUBJECTS = (
    "respuesta automática",
    "respuesta automatica",
    "automatic reply",
    "auto reply",
    "autoreply",
    "out of office",
    "fuera de la oficina",
)
DAEMONS = ("mailer-daemon", "postmaster")
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Address:
    """One mailbox of a header."""

    name: str
    address: str


@dataclass(frozen=True)
class Attachment:
    """A file carried by the message."""

    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    """What the CRM keeps of a message."""

    message_id: str
    subject: str
    sent_at: datetime
    sender: Address
    to: list[Address]
    cc: list[Address]
    delivered_to: list[str]
    in_reply_to: str | None
    references: list[str]
    text: str
    category: str
    attachments: list[Attachment] = field(default_factory=list)
    embedded: list[Address] = field(default_factory=list)  # participants of a forwarded message

    @property
    def excerpt(self) -> str:
        """Return the start of the text on one line."""
        flat = " ".join(self.text.split())
        return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"

    def addresses(self) -> list[Address]:
        """Return every participant: sender, To, Cc and those of a forwarded message."""
        return [self.sender, *self.to, *self.cc, *self.embedded]


class _TextOnly(HTMLParser):
    """Collect the text of an HTML body."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Return the visible text of HTML."""
    parser = _TextOnly()
    parser.feed(re.sub(r"(?i)<(br|/p|/div)[^>]*>", "\n", html))
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def raw_header(msg: Message, name: str) -> str:
    """Return every value of a header as written (no decoding; raw 8-bit kept), joined by commas."""
    table = msg.__dict__.get("_raw_by_name")
    if table is None:  # read once per message: a parse asks for a dozen headers
        table = {}
        for key, value in msg.raw_items():
            table.setdefault(key.lower(), []).append(str(value))
        msg.__dict__["_raw_by_name"] = table
    return ", ".join(table.get(name.lower(), ()))


def typed_parts(msg: Message) -> list[tuple[Message, str]]:
    """Return every part of the message (itself first) with its content type, read once."""
    return [(part, part.get_content_type()) for part in msg.walk()]


def header_text(msg: Message, name: str) -> str:
    """Return a header decoded (encoded words, any charset); the raw value when it cannot be."""
    return decode_words(raw_header(msg, name))


def addresses_of(msg: Message, name: str) -> list[Address]:
    """Return the mailboxes of an address header, lower-cased, invalid ones left out."""
    raw = raw_header(msg, name)
    if not raw:
        return []
    found = []
    for display, addr in getaddresses([raw]):
        addr = addr.strip().lower()
        if "@" in addr and " " not in addr:
            found.append(Address(decode_words(display), addr))
    return found


def unescape(text: str) -> str:
    """Return a header written in raw 8-bit (read as escaped bytes) as UTF-8 text, else Latin-1."""
    try:
        raw = text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode_words(text: str) -> str:
    """Decode encoded words (and raw 8-bit text) in a header value."""
    if text.isascii() and "=?" not in text:
        return " ".join(text.split())  # the common case, without the decoder
    text = unescape(text)
    try:
        return " ".join(str(make_header(decode_header(text))).split())
    except Exception:  # noqa: BLE001
        return " ".join(text.split())


def ids_of(text: str) -> list[str]:
    """Return the message ids written in a header, in order."""
    return MESSAGE_ID.findall(text or "")


def sent_at_of(msg: Message, fallback: datetime | None) -> datetime:
    """Return the Date header as an aware time, else the fallback (the server's arrival time), else now."""
    try:
        stamp = parsedate_to_datetime(raw_header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        stamp = None
    if stamp is None:
        return fallback or datetime.now(UTC)
    # In UTC: SQLite keeps the wall-clock time without its offset, so a reply dated "10:00 -0500" would
    # sort before a message sent at 14:00 UTC.
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def part_text(part: Message) -> str:
    """Return a text part decoded; an unknown charset falls back to UTF-8 (replacing what does not fit)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(parts: list[tuple[Message, str]]) -> str:
    """Return the plain text of the message (its HTML turned to text when it has no plain part)."""
    plain = html = None
    for part, kind in parts:
        if kind.startswith("multipart/") or is_attachment(part, kind):
            continue
        if kind == "message/rfc822":
            break  # a forwarded message's text is read on its own
        if kind == "text/plain" and plain is None:
            plain = part_text(part)
        elif kind == "text/html" and html is None:
            html = part_text(part)
    if plain is not None:
        return plain.strip()
    return html_to_text(html) if html else ""


def is_attachment(part: Message, kind: str) -> bool:
    """Return whether the part (of that content type) is a file (not a body, not a forwarded message)."""
    if kind.partition("/")[0] in ("multipart", "message"):
        return False
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def attachments_of(parts: list[tuple[Message, str]]) -> list[Attachment]:
    """Return the files of the message with their decoded names."""
    files = []
    for part, kind in parts:
        if not is_attachment(part, kind):
            continue
        data = part.get_payload(decode=True) or b""
        name = decode_words(part.get_filename() or "") or "adjunto"
        files.append(Attachment(name[:255], kind, data))
    return files


def category_of(parts: list[tuple[Message, str]], sender: Address, subject: str) -> str:
    """Return conversation, or what else the message is: a bounce, an invitation, an auto-reply."""
    msg, kind = parts[0]
    if kind == "multipart/report" or sender.address.split("@")[0] in DAEMONS:
        return "bounce"
    if any(kind in ("text/calendar", "application/ics") for _part, kind in parts):
        return "calendar"
    auto = raw_header(msg, "Auto-Submitted").strip().lower()
    flagged = raw_header(msg, "X-Autoreply") or raw_header(msg, "X-Autorespond")
    precedence = raw_header(msg, "Precedence").strip().lower()
    if (auto and auto != "no") or flagged or precedence == "auto_reply":
        return "auto_reply"
    lowered = subject.lower()
    return "auto_reply" if any(lowered.startswith(s) for s in AUTO_SUBJECTS) else "conversation"


def forwarded(parts: list[tuple[Message, str]]) -> list[Message]:
    """Return the messages forwarded as attachments (message/rfc822 parts)."""
    inner = []
    for part, kind in parts:
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner.extend(p for p in (payload if isinstance(payload, list) else [payload]) if p is not None)
    return inner


def synthetic_id(raw: bytes) -> str:
    """Return a stable Message-ID for a message that has none (derived from its bytes)."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@capture.crm>"


def parse(raw: bytes, arrived: datetime | None = None) -> ParsedMail:
    """Parse a raw message."""
    msg = message_from_bytes(raw, policy=policy.compat32)
    parts = typed_parts(msg)
    sender = next(iter(addresses_of(msg, "From")), Address("", ""))
    subject = header_text(msg, "Subject")[:300]
    text = body_text(parts)
    embedded: list[Address] = []
    for inner in forwarded(parts):
        embedded += addresses_of(inner, "From") + addresses_of(inner, "To") + addresses_of(inner, "Cc")
        inner_text = body_text(typed_parts(inner))
        text = f"{text}\n\n---------- {header_text(inner, 'Subject')} ----------\n{inner_text}".strip()
    return ParsedMail(
        message_id=(ids_of(raw_header(msg, "Message-ID")) or [synthetic_id(raw)])[0][:250],
        subject=subject,
        sent_at=sent_at_of(msg, arrived),
        sender=sender,
        to=addresses_of(msg, "To"),
        cc=addresses_of(msg, "Cc"),
        delivered_to=[
            a.address for a in addresses_of(msg, "Delivered-To") + addresses_of(msg, "X-Original-To")
        ],
        in_reply_to=(ids_of(raw_header(msg, "In-Reply-To")) or [None])[0],
        references=ids_of(raw_header(msg, "References")),
        text=text,
        category=category_of(parts, sender, subject),
        attachments=attachments_of(parts),
        embedded=embedded,
    )
