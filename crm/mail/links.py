"""Absolute links for e-mails, built from BASE_URL without a request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def adapter() -> MapAdapter:
    """Return a URL adapter bound to BASE_URL (kept per app and base: e-mails build many links)."""
    base_url = current_app.config["BASE_URL"]
    cache = current_app.extensions.setdefault("mail_url_adapters", {})
    if base_url not in cache:
        base = urlsplit(base_url)
        cache[base_url] = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
        )
    return cache[base_url]


def absolute_url(endpoint: str, _anchor: str | None = None, **values: Any) -> str:
    """Return the absolute URL of an endpoint under the configured BASE_URL."""
    url = adapter().build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def preferences_url() -> str:
    """Return the link to the page where users choose which e-mails they receive (built once per base)."""
    base_url = current_app.config["BASE_URL"]
    cache = current_app.extensions.setdefault("mail_preferences_urls", {})
    if base_url not in cache:
        cache[base_url] = absolute_url("auth.preferences", _anchor="mail")
    return cache[base_url]
