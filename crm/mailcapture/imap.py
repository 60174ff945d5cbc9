"""Read a mailbox over IMAP (IMAPClient): the messages after the last UID seen, in batches.

UIDs only grow within one UIDVALIDITY; when the server announces another UIDVALIDITY (the folder was
recreated, the server migrated) every message is read again from the start, and the Message-ID
uniqueness keeps that from logging anything twice.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from flask import current_app
from imapclient import IMAPClient

from crm.crypto import decrypt
from crm.mailcapture.ingest import Fetched
from crm.models import Mailbox

BATCH = 250
DONE = object()


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


class Prefetch:
    """Read the batches in a thread, one ahead: the server prepares the next while this one is recorded.

    Only the thread speaks to the server until the iteration ends; its error is raised in the reader.
    Use as a context manager: leaving stops the thread (after the fetch it may be in) before the logout.
    """

    def __init__(self, client: IMAPClient, uids: list[int]) -> None:
        self.ready: queue.Queue = queue.Queue(maxsize=1)  # one batch waiting at most: memory stays bounded
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.read, args=(client, uids), daemon=True)

    def read(self, client: IMAPClient, uids: list[int]) -> None:
        """Put each batch, then DONE, or the error that stopped the reading."""
        try:
            for item in batches(client, uids):
                if not self.put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, who raises it
            self.put(exc)
            return
        self.put(DONE)

    def put(self, item: object) -> bool:
        """Hand an item over unless the reader stopped; return whether it was handed over."""
        while not self.stop.is_set():
            try:
                self.ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def __enter__(self) -> Iterator[tuple[int, list[Fetched]]]:
        self.thread.start()
        return self.items()

    def items(self) -> Iterator[tuple[int, list[Fetched]]]:
        """Yield the batches as the thread reads them."""
        while (item := self.ready.get()) is not DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()
