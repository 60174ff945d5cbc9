"""Sign a webhook body: HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any


def new_secret() -> str:
    """Return a fresh signing secret (shown to its owner once)."""
    return "whsec_" + secrets.token_urlsafe(32)


def body_of(delivery_id: str, event: str, occurred_at: str, data: dict[str, Any]) -> bytes:
    """Return the JSON body, byte for byte the same on every attempt of a delivery."""
    document = {"id": delivery_id, "event": event, "occurred_at": occurred_at, "data": data}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the X-CRM-Webhook-Signature header value."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headers(secret: str, delivery_id: str, timestamp: str, body: bytes) -> dict[str, str]:
    """Return the headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "CRM-PMU-Webhooks/1",
        "X-CRM-Webhook-Id": delivery_id,
        "X-CRM-Webhook-Timestamp": timestamp,
        "X-CRM-Webhook-Signature": signature(secret, timestamp, body),
    }
