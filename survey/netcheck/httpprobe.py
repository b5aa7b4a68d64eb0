"""One HTTP/1.1 request on a socket the caller connected (so the caller decides which address
is dialled and how long it may take), with the standard library's ``http.client``."""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass

#: Enough of a body to compare with an expected answer and to show a portal's page title.
MAX_BODY_BYTES = 4096


@dataclass(frozen=True)
class HttpAnswer:
    """The status line, the headers a verdict quotes and the first bytes of the body."""

    status: int
    reason: str
    location: str
    server: str
    body: bytes

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400


class _Connected(http.client.HTTPConnection):
    """``HTTPConnection`` on an already connected socket (plain TCP or TLS)."""

    def __init__(self, sock: socket.socket, host: str, timeout_s: float):
        super().__init__(host, timeout=timeout_s)
        sock.settimeout(timeout_s)
        self.sock = sock

    def connect(self) -> None:  # never dial again: the socket given is the connection
        raise http.client.NotConnected("the connection was closed")


def http_get(sock: socket.socket, host: str, path: str, timeout_s: float) -> HttpAnswer:
    """Send ``GET path`` with ``Host: host`` on the connected ``sock`` (consumed: closed
    afterwards) and read the answer, following no redirect. Raises ``OSError`` (timeout, reset)
    or ``http.client.HTTPException`` (the peer does not speak HTTP)."""
    conn = _Connected(sock, host, timeout_s)
    try:
        conn.request(
            "GET", path or "/", headers={"User-Agent": "evsurvey-check", "Accept": "*/*", "Connection": "close"}
        )
        response = conn.getresponse()
        body = response.read(MAX_BODY_BYTES)
        return HttpAnswer(
            status=response.status,
            reason=response.reason or "",
            location=response.getheader("Location", "") or "",
            server=response.getheader("Server", "") or "",
            body=body,
        )
    finally:
        conn.close()
