"""Refuse webhook URLs that point into our own network (SSRF), at subscription and at send time."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from crm.errors import UserError


def allowed_hosts() -> set[str]:
    """Return the hosts an administrator allowed even on private addresses."""
    return {host.lower() for host in current_app.config.get("WEBHOOK_ALLOWED_HOSTS", ())}


def addresses(host: str, port: int) -> list[ipaddress._BaseAddress]:
    """Resolve the host to every address it answers with."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise UserError(_("The address %(host)s could not be found.", host=host), field="url") from error
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def internal(address: ipaddress._BaseAddress) -> bool:
    """Return whether the address belongs to a loopback, private or otherwise non-public range."""
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped  # type: ignore[union-attr]
    return (
        address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified or not address.is_global
    )


def check_url(url: str) -> str:
    """Return the resolved address to connect to, or raise a user error saying why the URL is refused."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(_("The address must start with http:// or https:// and name a server."), field="url")
    host = parts.hostname.lower()
    resolved = addresses(host, parts.port or (443 if parts.scheme == "https" else 80))
    if host not in allowed_hosts() and any(internal(a) for a in resolved):
        raise UserError(
            _("The address %(host)s points to an internal network (local, private or reserved addresses);"
              " webhooks can only be sent to public servers.", host=host),
            field="url",
        )
    return str(resolved[0])
