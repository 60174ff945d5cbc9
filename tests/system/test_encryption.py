"""Secrets at rest: two-factor secrets and webhook keys are encrypted, migrated and rotated."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from crm import create_app, crypto
from crm.crypto import decrypt
from crm.extensions import db
from crm.mailcapture import services as capture
from crm.models import Mailbox, User, WebhookSubscription
from crm.webhooks import signing


def raw(table: str, column: str, row_id: int) -> str | None:
    """Return the value the database holds, bypassing the model."""
    query = text(f"SELECT {column} FROM {table} WHERE id = :id")  # noqa: S608  (names from this file)
    return db.session.execute(query, {"id": row_id}).scalar()


@pytest.fixture
def secrets_held(make_user):
    """Return a user with a second factor and one of their webhook subscriptions, with the plain secrets."""
    admin = make_user("admin")
    key = signing.new_secret()
    subscription = WebhookSubscription(owner_id=admin.id, url="https://hooks.example.org/crm", secret=key,
                                       events=["stage.moved"], active=True, consecutive_failures=0)
    db.session.add(subscription)
    db.session.commit()
    return admin.id, admin.totp_secret, subscription.id, key


def test_the_database_holds_neither_secret_in_clear(secrets_held):
    user_id, totp, subscription_id, key = secrets_held
    sealed_totp = raw("users", "totp_secret_encrypted", user_id)
    sealed_key = raw("webhook_subscriptions", "secret_encrypted", subscription_id)
    assert totp not in sealed_totp and key not in sealed_key
    assert decrypt(sealed_totp) == totp and decrypt(sealed_key) == key
    db.session.expire_all()
    assert db.session.get(User, user_id).totp_secret == totp
    assert db.session.get(WebhookSubscription, subscription_id).secret == key


def test_the_migration_encrypts_and_its_downgrade_decrypts(app, secrets_held):
    user_id, totp, subscription_id, key = secrets_held
    db.session.remove()
    downgrade(revision="0023_consultants")
    assert raw("users", "totp_secret", user_id) == totp
    assert raw("webhook_subscriptions", "secret", subscription_id) == key
    db.session.remove()
    upgrade()
    assert decrypt(raw("users", "totp_secret_encrypted", user_id)) == totp
    assert decrypt(raw("webhook_subscriptions", "secret_encrypted", subscription_id)) == key


def test_rotation_moves_every_secret_to_the_new_key(app, secrets_held):
    user_id, totp, subscription_id, key = secrets_held
    values = {"name": "PMU", "kind": "shared", "address": "pmu@proyecto.pe", "owner_id": user_id,
              "host": "imap.example.org", "port": 993, "use_tls": True, "folder": "INBOX", "username": "pmu",
              "active": True}
    mailbox_id = capture.save_mailbox(None, values, "buzón-clave").id
    db.session.commit()
    old, new = app.config.get("ENCRYPTION_KEY"), Fernet.generate_key().decode()
    try:
        app.config.update(ENCRYPTION_KEY=new, ENCRYPTION_OLD_KEYS=crypto.keys()[0].decode())
        result = app.test_cli_runner().invoke(args=["crm", "rotate-encryption-key"])
        assert result.exit_code == 0, result.output
        assert "users.totp_secret_encrypted: 1" in result.output
        app.config.update(ENCRYPTION_OLD_KEYS=None)  # the old key is gone: only rotated values still open
        db.session.expire_all()
        assert db.session.get(User, user_id).totp_secret == totp
        assert db.session.get(WebhookSubscription, subscription_id).secret == key
        assert capture.mailbox_password(db.session.get(Mailbox, mailbox_id)) == "buzón-clave"
    finally:
        app.config.update(ENCRYPTION_KEY=old, ENCRYPTION_OLD_KEYS=None)
        db.session.rollback()


def test_a_secret_without_its_key_is_refused_not_guessed(app, secrets_held):
    user_id = secrets_held[0]
    old = app.config.get("ENCRYPTION_KEY")
    try:
        app.config.update(ENCRYPTION_KEY=Fernet.generate_key().decode())
        db.session.expire_all()
        with pytest.raises(ValueError, match="cannot decrypt"):
            db.session.get(User, user_id).totp_secret  # noqa: B018  (the read is the test)
    finally:
        app.config.update(ENCRYPTION_KEY=old)


def test_the_app_refuses_a_key_that_is_not_a_fernet_key():
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEY"):
        create_app("testing", ENCRYPTION_KEY="not-a-key")
