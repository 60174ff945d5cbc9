"""Users, their roles and the associations a liaison works for."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from crm.crypto import encrypted
from crm.models.base import Base, Timestamped


class Role(StrEnum):
    """The role of a user."""

    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    LIAISON = "liaison"
    VIEWER = "viewer"


ROLES = tuple(member.value for member in Role)


class Locale(StrEnum):
    """A language of the interface."""

    ES = "es"
    EN = "en"


LOCALES = tuple(member.value for member in Locale)

liaison_associations = Table(
    "liaison_associations",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organisation_id",
        Integer,
        ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class User(UserMixin, Timestamped, Base):
    """A person who signs in; the role decides what they may do and see."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="es")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # TOTP second factor (crm/auth/twofactor.py): the shared secret, set while enrolling and kept once
    # confirmed (enabled_at), stored encrypted so that a copy of the database cannot make codes; the
    # last time step accepted, so that a code is never accepted twice.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    totp_secret = encrypted("totp_secret_encrypted", "The TOTP shared secret (base32), or None.")
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # Loaded when read (only liaisons have any): loading it with every user cost a query each time users
    # were read (the signed-in user, owners, authors); lists that show it ask for it (crm/users/services.py).
    associations = relationship(
        "Organisation", secondary=liaison_associations, lazy="select", order_by="Organisation.legal_name"
    )

    # The signed-in session's token (crm/auth/sessions.py), set when it is loaded; Flask-Login keeps it in
    # the cookie instead of the user's id, so that ending the session's record signs the browser out.
    session_token = None  # type: str | None

    @property
    def two_factor(self) -> bool:
        """Return whether a confirmed second factor is enrolled."""
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        """Give Flask-Login the session's token, never the bare user id."""
        return self.session_token or ""

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Let Flask-Login refuse deactivated accounts."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
