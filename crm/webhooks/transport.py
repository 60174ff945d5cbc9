"""POST a body to a checked address: connect to the IP the guard approved, so DNS cannot change it."""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a fixed IP that still verifies the certificate of the URL's host."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        """Open the TCP connection to the pinned address and wrap it with SNI for the real host."""
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def connection(url: str, address: str, timeout: float) -> http.client.HTTPConnection:
    """Return a connection to the URL's server at the approved address."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return PinnedHTTPSConnection(parts.hostname or "", address, parts.port or 443, timeout)
    return http.client.HTTPConnection(address, parts.port or 80, timeout=timeout)


def post(url: str, address: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; return the HTTP status (network errors raise OSError)."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = connection(url, address, timeout)
    try:
        conn.request("POST", path, body=body, headers={**headers, "Host": parts.netloc})
        response = conn.getresponse()
        response.read(1024)  # the receiver's answer is not ours to keep
        return response.status
    finally:
        conn.close()
