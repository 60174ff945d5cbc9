"""Match a message's addresses to contacts, organisations (through contacts or e-mail domains) and users.

The address book is read once per mailbox run (three queries), so matching thousands of messages costs
no query per message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from crm.crypto import token_hash
from crm.extensions import db
from crm.mailcapture.parsing import ParsedMail
from crm.models import Contact, Mailbox, Organisation, PersonalToken, User

DOMAIN_SPLIT = re.compile(r"[\s,;]+")


def domains_of(text: str | None) -> list[str]:
    """Return the domains written in an organisation's e-mail domains field, cleaned."""
    found = []
    for item in DOMAIN_SPLIT.split((text or "").lower()):
        item = item.strip().lstrip("@").strip(".")
        if item and "." in item and item not in found:
            found.append(item)
    return found


@dataclass
class Match:
    """What a message was matched to."""

    organisation_id: int | None
    contact_ids: list[int]
    direction: str
    dropbox_user_id: int | None = None


@dataclass
class AddressBook:
    """Every known address: contacts, organisation domains, users, dropbox tags and PMU mailboxes."""

    contacts: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    domains: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    dropbox: dict[str, int] = field(default_factory=dict)  # token hash -> user id
    owners: dict[int, int] = field(default_factory=dict)  # organisation -> the staff member who owns it
    pmu: set[str] = field(default_factory=set)

    def is_pmu(self, address: str) -> bool:
        """Return whether the address is the PMU's own (a user or a mailbox, plus-tags included)."""
        return address in self.users or plain(address) in self.pmu

    def dropbox_user(self, mail: ParsedMail, mailbox: Mailbox) -> int | None:
        """Return the user whose secret dropbox address the message was sent or BCC'd to."""
        local, _, domain = mailbox.address.lower().partition("@")
        for address in [a.address for a in mail.to + mail.cc] + mail.delivered_to:
            name, _, host = address.partition("@")
            if host == domain and name.startswith(f"{local}+"):
                user_id = self.dropbox.get(token_hash(name.split("+", 1)[1]))
                if user_id is not None:
                    return user_id
        return None

    def match(self, mail: ParsedMail, mailbox: Mailbox) -> Match:
        """Match a message: contacts among the outside parties, their organisation, else a domain."""
        outside = [a.address for a in outside_parties(mail, self)]
        contacts = [self.contacts[a] for a in outside if a in self.contacts]
        organisation = next((org for _c, org in contacts if org is not None), None)
        if organisation is None:
            organisation = next((self.domains[d] for d in map(domain, outside) if d in self.domains), None)
        ids = [c for c, org in contacts if org == organisation or org is None]
        return Match(
            organisation, list(dict.fromkeys(ids)), direction_of(mail, self), self.dropbox_user(mail, mailbox)
        )


def plain(address: str) -> str:
    """Return an address without its plus-tag."""
    name, _, host = address.partition("@")
    return f"{name.split('+', 1)[0]}@{host}"


def domain(address: str) -> str:
    """Return an address's domain."""
    return address.rpartition("@")[2]


def outside_parties(mail: ParsedMail, book: AddressBook) -> list:
    """Return the participants who are not the PMU, the forwarded message's first (they matter most)."""
    ordered = [*mail.embedded, mail.sender, *mail.to, *mail.cc]
    seen, parties = set(), []
    for party in ordered:
        if party.address and party.address not in seen and not book.is_pmu(party.address):
            seen.add(party.address)
            parties.append(party)
    return parties


def direction_of(mail: ParsedMail, book: AddressBook) -> str:
    """Return outbound when the PMU wrote it (a forwarded message keeps its original direction)."""
    writer = mail.embedded[0].address if mail.embedded else mail.sender.address
    return "outbound" if book.is_pmu(writer) else "inbound"


def load_address_book() -> AddressBook:
    """Read every contact address, organisation domain and owner, user, dropbox tag and mailbox address."""
    book = AddressBook()
    query = select(func.lower(Contact.email), Contact.id, Contact.organisation_id).where(
        Contact.email.is_not(None)
    )
    for address, contact_id, org_id in db.session.execute(query.order_by(Contact.id)):
        book.contacts.setdefault(address.strip(), (contact_id, org_id))
    for org_id, text in db.session.execute(
        select(Organisation.id, Organisation.email_domains).where(Organisation.email_domains.is_not(None))
    ):
        for name in domains_of(text):
            book.domains.setdefault(name, org_id)
    book.users = {email.lower(): uid for uid, email in db.session.execute(select(User.id, User.email))}
    tokens = select(PersonalToken.token_hash, PersonalToken.user_id).where(PersonalToken.purpose == "dropbox")
    book.dropbox = {h: uid for h, uid in db.session.execute(tokens)}
    book.pmu = {a.lower() for a in db.session.scalars(select(Mailbox.address))}
    owned = select(Organisation.id, Organisation.owner_id).where(Organisation.owner_id.is_not(None))
    book.owners = {org_id: owner for org_id, owner in db.session.execute(owned)}
    return book
