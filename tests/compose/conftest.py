"""Fixtures of the compose tests: the real SMTP server and burst workers of the e-mail tests."""

from __future__ import annotations

from tests.mail.conftest import mail_server, work  # noqa: F401  (shared fixtures)
