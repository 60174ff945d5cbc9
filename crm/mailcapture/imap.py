"""Read a mailbox over IMAP (IMAPClient): the messages after the last UID seen, in batches.

UIDs only grow within one UIDVALIDITY; when the server announces another UIDVALIDITY (the folder was
recreated, the server migrated) every message is read again from the start, and the Message-ID
uniqueness keeps that from logging anything twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import current_app
from imapclient import IMAPClient

from crm.crypto import decrypt
from crm.mailcapture.ingest import Fetched
from crm.models import Mailbox

BATCH = 250


def connect(mailbox: Mailbox) -> IMAPClient:
    """Return a client logged in to the mailbox (TLS when configured)."""
    client = IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.use_tls, timeout=current_app.config["IMAP_TIMEOUT"]
    )
    try:
        client.login(mailbox.username, decrypt(mailbox.password_encrypted))
    except BaseException:
        client.shutdown()
        raise
    return client


def new_uids(client: IMAPClient, mailbox: Mailbox) -> list[int]:
    """Select the folder read-only; return the UIDs after the last seen (all after a new UIDVALIDITY)."""
    info = client.select_folder(mailbox.folder, readonly=True)
    validity = int(info[b"UIDVALIDITY"])
    if mailbox.uidvalidity != validity:
        mailbox.uidvalidity, mailbox.last_uid = validity, 0
    if not info.get(b"EXISTS"):
        return []
    # "n:*" always answers the last message, even when its UID is below n: keep only the new ones.
    return sorted(
        uid for uid in client.search(["UID", f"{mailbox.last_uid + 1}:*"]) if uid > mailbox.last_uid
    )


def batches(client: IMAPClient, uids: list[int]) -> Iterator[tuple[int, list[Fetched]]]:
    """Yield (last UID asked for, messages), a batch at a time, without marking them read."""
    for start in range(0, len(uids), BATCH):
        chunk = uids[start : start + BATCH]
        data = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
        yield (
            chunk[-1],
            [
                Fetched(uid, data[uid][b"BODY[]"], data[uid].get(b"INTERNALDATE"))
                for uid in chunk
                if uid in data and b"BODY[]" in data[uid]
            ],
        )
