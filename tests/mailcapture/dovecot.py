"""A real IMAP server for the tests: Debian's dovecot, started in a temporary directory on a free port.

The configuration, and the mail store live in that directory; dovecot runs in the
foreground as a child of the test session and is stopped at its end. As root, dovecot's own unprivileged
users run the login and mail processes (dovecot refuses root for them); as any other user, that user runs
everything. Plain-text login is allowed, on 127.0.0.1 only; every user name is an account of its own
(a static passdb: one password for all), so each test takes a fresh, empty one.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "imap-test-password"  # noqa: S105 - a throwaway server on 127.0.0.1

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def identities() -> dict[str, object]:
    """Return who runs the internal, login and mail processes."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        group = me.pw_name
        return {
            "internal_user": me.pw_name,
            "internal_group": group,
            "login_user": me.pw_name,
            "uid": me.pw_uid,
            "gid": me.pw_gid,
        }
    mail = pwd.getpwnam("dovecot")
    return {
        "internal_user": "dovecot",
        "internal_group": "dovecot",
        "login_user": "dovenull",
        "uid": mail.pw_uid,
        "gid": mail.pw_gid,
    }


@dataclass
class Dovecot:
    """A running dovecot and the accounts it knows."""

    root: Path
    port: int
    process: subprocess.Popen | None = None
    accounts: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"

    def start(self) -> Dovecot:
        """Write the configuration and start dovecot in the foreground; wait until it answers."""
        ids = identities()
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the unprivileged login processes reach their sockets through it
        config = CONFIG.format(root=self.root, port=self.port, password=PASSWORD, **ids)
        (self.root / "dovecot.conf").write_text(config)
        if os.getuid() == 0:
            for sub in ("mail", "home"):
                os.chown(self.root / sub, int(ids["uid"]), int(ids["gid"]))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.wait_ready()
        return self

    def add_account(self, user: str) -> None:
        """Add an account: every user name logs in with the one password (a static passdb)."""
        self.accounts[user] = PASSWORD

    def wait_ready(self, seconds: float = 15) -> None:
        """Wait until the server greets on its port; fail with its log if it died."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer: {self.log()}")

    def log(self) -> str:
        """Return dovecot's log so far."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self, user: str) -> IMAPClient:
        """Return a logged-in IMAP client for an account."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=30)
        client.login(user, self.accounts[user])
        return client

    def append(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        """Put messages in an account's folder by IMAP APPEND."""
        with self.client(user) as imap:
            if not imap.folder_exists(folder):
                imap.create_folder(folder)
            for raw in messages:
                imap.append(folder, raw)

    def empty(self, user: str, folder: str = "INBOX") -> None:
        """Delete every message of a folder."""
        with self.client(user) as imap:
            imap.select_folder(folder)
            uids = imap.search()
            if uids:
                imap.delete_messages(uids)
                imap.expunge()

    def recreate(self, user: str, folder: str = "INBOX.Archive") -> None:
        """Delete and create a folder again: its UIDVALIDITY changes."""
        with self.client(user) as imap:
            if imap.folder_exists(folder):
                imap.delete_folder(folder)
            imap.create_folder(folder)

    def stop(self) -> None:
        """Stop dovecot (our child only) and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot() -> Dovecot:
    """Start a dovecot in a fresh temporary directory (not under pytest's 0700 tree) on a free port."""
    if not Path(DOVECOT).exists():
        raise RuntimeError("dovecot is not installed: run `make imap-server`")
    root = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
    return Dovecot(root=root, port=free_port()).start()
