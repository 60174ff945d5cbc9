"""Fixtures of the mail-capture tests: a real dovecot for the session, an account per test, a small world."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from crm.extensions import db
from crm.mailcapture.services import save_mailbox
from tests.mailcapture.dovecot import Dovecot, start_dovecot

CORPUS = Path(__file__).parent / "corpus"
ACCOUNTS = itertools.count(1)


def corpus(name: str, **replace: str) -> bytes:
    """Return a corpus message (LF or CRLF as written), placeholders replaced."""
    raw = (CORPUS / name).read_bytes()
    for key, value in replace.items():
        raw = raw.replace(f"__{key.upper()}__".encode(), value.encode())
    return raw


def big_attachment_message(megabytes: int = 30) -> bytes:
    """Return a message from a known contact carrying a PDF of that many megabytes (made here, not stored)."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Ana Quispe <ana.quispe@fundicionrimac.com.pe>"
    msg["To"] = "pmu@proyecto.pe"
    msg["Subject"] = "Planos de la planta (archivo grande)"
    msg["Date"] = "Mon, 16 Nov 2026 09:00:00 -0500"
    msg["Message-ID"] = "<big-30mb@fundicionrimac.com.pe>"
    msg.set_content("Adjunto los planos completos de la planta.")
    data = b"%PDF-1.4\n" + b"0" * (megabytes * 1024 * 1024)
    msg.add_attachment(data, maintype="application", subtype="pdf", filename="Planos técnicos.pdf")
    return msg.as_bytes()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """Start dovecot once for the session, in a temporary directory on a free port."""
    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot: Dovecot) -> str:
    """Return a fresh, empty account on the server."""
    user = f"pmu{next(ACCOUNTS)}"
    dovecot.add_account(user)
    return user


@pytest.fixture
def world(make_user, make_org, make_contact):
    """Two companies with contacts (one known by its domain only), PMU users and an unrelated company."""
    staff = make_user("staff", email="staff@demo.pe", name="Staff Uno")
    admin = make_user("admin", email="admin@demo.pe")
    rimac = make_org("Fundición Rímac SAC", owner_id=staff.id)
    cementos = make_org("Cementos Andinos SA", email_domains="cementosandinos.pe @andinos.com.pe")
    other = make_org("Plásticos del Sur SAC")
    return SimpleNamespace(
        staff=staff,
        admin=admin,
        rimac=rimac,
        cementos=cementos,
        other=other,
        ana=make_contact(
            rimac, "Ana", "Quispe", email="Ana.Quispe@fundicionrimac.com.pe", email_consent=True
        ),
        luis=make_contact(rimac, "Luis", "Ramos", email="lramos@fundicionrimac.com.pe"),
        jose=make_contact(other, "José", "Peña", email="jpena@plasticosdelsur.pe"),
    )


@pytest.fixture
def make_mailbox(dovecot, world):
    """Configure a mailbox of the CRM on a dovecot account."""

    def factory(account: str, kind: str = "shared", owner=None, folder: str = "INBOX", **fields):
        values = {
            "name": fields.pop("name", f"Buzón {account}"),
            "kind": kind,
            "address": fields.pop("address", "pmu@proyecto.pe" if kind == "shared" else "staff@demo.pe"),
            "owner_id": (owner or world.admin).id,
            "host": dovecot.host,
            "port": fields.pop("port", dovecot.port),
            "use_tls": False,
            "folder": folder,
            "username": account,
            "active": True,
        }
        mailbox = save_mailbox(None, values, fields.pop("password", dovecot.accounts[account]))
        db.session.commit()
        return mailbox

    return factory
