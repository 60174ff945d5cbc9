"""The TOTP second factor: enrolment, codes, one-time recovery codes, and resetting it."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, or_, update

from crm.auth import sessions
from crm.extensions import db
from crm.models import ChangeLog, RecoveryCode, User, utcnow
from crm.permissions import can

STEP = 30  # seconds per code (RFC 6238's default, what every authenticator app uses)
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required(user: User) -> bool:
    """Return whether the user's role must sign in with a second factor."""
    return can(user, "auth.require_2fa")


def begin_enrolment(user: User) -> str:
    """Give the user a new secret to confirm (kept while they have none confirmed); return it."""
    if user.totp_secret is None or not user.two_factor:
        user.totp_secret = user.totp_secret or pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    issuer = current_app.config["TWO_FACTOR_ISSUER"]
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """Draw the QR code as inline SVG (no image service sees the secret)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title="QR")
    return Markup(svg)  # noqa: S704 - segno's own SVG, no user text inside but the escaped address


def current_step() -> int:
    """Return the number of the current 30-second time step."""
    return int(time.time()) // STEP


def verify_totp(user: User, code: str) -> bool:
    """Accept a code of the previous, current or next step, each step at most once (no replay)."""
    if user.totp_secret is None or not re.fullmatch(r"\d{6}", code):
        return False
    totp, now = pyotp.TOTP(user.totp_secret), current_step()
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * STEP), code) and claim_step(user, step):
            return True
    return False


def claim_step(user: User, step: int) -> bool:
    """Record the step as used unless it (or a later one) already was; safe against a parallel request."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    user.totp_last_step = step if result.rowcount == 1 else user.totp_last_step
    return result.rowcount == 1


def normalised(code: str) -> str:
    """Return a recovery code without spaces, dashes or capitals."""
    return re.sub(r"[\s-]", "", code or "").lower()


def code_hash(code: str) -> str:
    """Return the stored form of a recovery code (random and long, so a plain SHA-256 suffices)."""
    return hashlib.sha256(normalised(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (shown once, stored hashed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=code_hash(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code of the user; return whether it was one."""
    if len(normalised(code)) != 10:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return result.rowcount == 1


def check(user: User, code: str) -> bool:
    """Accept the authenticator's code or one of the recovery codes."""
    code = (code or "").strip().replace(" ", "")
    if not user.two_factor:
        return False
    return verify_totp(user, code) or use_recovery_code(user, code)


def confirm(user: User, code: str) -> list[str] | None:
    """Turn the second factor on if the code matches the new secret; return the recovery codes."""
    if user.two_factor or not verify_totp(user, (code or "").strip().replace(" ", "")):
        return None
    user.totp_enabled_at = utcnow()
    db.session.flush()
    return new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    """Return how many recovery codes the user has not used."""
    from sqlalchemy import func, select

    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def turn_off(user: User) -> None:
    """Forget the user's secret and recovery codes."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reset(admin: User, user: User) -> None:
    """Remove a user's second factor for them (lost phone): end their sessions and record who did it."""
    was_on = user.two_factor
    turn_off(user)
    sessions.end_all(user.id)
    db.session.add(
        ChangeLog(
            user_id=admin.id,
            action="update",
            entity_type="user",
            entity_id=user.id,
            changes={"two_factor": ["on" if was_on else "off", "reset"]},
        )
    )
    db.session.flush()
    current_app.logger.warning("second factor of %s reset by %s", user.email, admin.email)
