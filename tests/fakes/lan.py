"""Servers on 127.0.0.1 standing in for what is on a charger's network: a TCP listener with a
handler per connection, an HTTP server with a fixed answer (a connectivity-check endpoint or
a captive portal), a Modbus TCP listener and an mDNS responder. Each records what it was sent."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from dataclasses import dataclass, field


class _Server:
    def __init__(self, sock: socket.socket, handler):
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, args=(handler,), daemon=True)
        self.thread.start()

    def _loop(self, handler):
        self.sock.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(handler, conn), daemon=True).start()

    def _serve(self, handler, conn):
        with contextlib.suppress(OSError, ssl.SSLError), conn:
            handler(conn, self.stopped)

    def close(self):
        self.stopped.set()
        self.thread.join(2)
        self.sock.close()


@contextlib.contextmanager
def tcp_server(handler=lambda conn, stopped: None):
    """A local TCP listener; ``handler(conn, stopped)`` serves each connection (default: close it)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = _Server(sock, handler)
    try:
        yield server.port
    finally:
        server.close()


def _read_until(conn: socket.socket, end: bytes, limit: int = 65536) -> bytes:
    data = b""
    conn.settimeout(3)
    while end not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@contextlib.contextmanager
def http_server(status: int = 204, reason: str = "No Content", body: bytes = b"", headers: dict | None = None):
    """An HTTP/1.1 server answering every request with ``status``/``body``; yields
    ``(port, requests)``, the raw request heads received."""
    requests: list[bytes] = []
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())

    def handler(conn, stopped):
        requests.append(_read_until(conn, b"\r\n\r\n"))
        conn.sendall(
            f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n".encode(
                "ascii"
            )
            + body
        )

    with tcp_server(handler) as port:
        yield port, requests


@contextlib.contextmanager
def modbus_listener(reply):
    """A Modbus TCP server: ``reply(request_bytes) -> bytes`` answers each 12-byte request.
    Yields ``(port, requests)``."""
    requests: list[bytes] = []

    def handler(conn, stopped):
        conn.settimeout(3)
        request = b""
        while len(request) < 12:
            chunk = conn.recv(12 - len(request))
            if not chunk:
                return
            request += chunk
        requests.append(request)
        conn.sendall(reply(request))

    with tcp_server(handler) as port:
        yield port, requests


def modbus_registers(*values: int):
    """A reply function answering a read of holding registers with ``values``."""

    def reply(request: bytes) -> bytes:
        tid, _protocol, _length, unit, function = struct.unpack(">HHHBB", request[:8])
        data = struct.pack(f">{len(values)}H", *values)
        pdu = bytes([function, len(data)]) + data
        return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu

    return reply


def modbus_exception(code: int):
    """A reply function answering with exception ``code`` (function code | 0x80)."""

    def reply(request: bytes) -> bytes:
        tid, _protocol, _length, unit, function = struct.unpack(">HHHBB", request[:8])
        pdu = bytes([function | 0x80, code])
        return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu

    return reply


# --------------------------------------------------------------------------- mDNS


def dns_name(name: str) -> bytes:
    """A name in DNS wire format, uncompressed (RFC 1035 section 3.1)."""
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("utf-8")
    return out + b"\x00"


def _rr(name: str, rtype: int, rdata: bytes, *, cache_flush: bool, ttl: int = 120) -> bytes:
    rclass = 0x0001 | (0x8000 if cache_flush else 0)  # RFC 6762 section 10.2: cache-flush bit
    return dns_name(name) + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


@dataclass(frozen=True)
class Advertised:
    """What a fake device answers: a service instance, its host name and IPv4 address."""

    instance: str  # "wallbox-5678._http._tcp.local."
    host: str  # "wallbox-5678.local."
    address: str  # "192.168.20.15"
    port: int = 80
    service_types: tuple[str, ...] = field(default=())  # answered to the type enumeration


def _records(device: Advertised) -> tuple[bytes, int]:
    service_type = device.instance.split(".", 1)[1]
    records = [
        _rr(service_type, 12, dns_name(device.instance), cache_flush=False),  # PTR, shared
        _rr(
            device.instance, 33, struct.pack(">HHH", 0, 0, device.port) + dns_name(device.host), cache_flush=True
        ),  # SRV
        _rr(device.instance, 16, b"\x09path=/api", cache_flush=True),  # TXT
        _rr(device.host, 1, socket.inet_aton(device.address), cache_flush=True),
    ]  # A
    records += [_rr("_services._dns-sd._udp.local.", 12, dns_name(t), cache_flush=False) for t in device.service_types]
    return b"".join(records), len(records)


@contextlib.contextmanager
def mdns_responder(device: Advertised | None, *, answer_id_offset: int = 0):
    """An mDNS responder on a UDP socket on 127.0.0.1 that answers a one-shot query by unicast
    to its source port, repeating the query id and question (RFC 6762 section 6.7), with
    ``device``'s records (None: it hears but never answers). ``answer_id_offset`` != 0 answers
    with a wrong id. Yields ``(port, queries)``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    queries: list[bytes] = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(9000)
            except TimeoutError:
                continue
            except OSError:
                return
            queries.append(data)
            if device is None or len(data) < 12:
                continue
            query_id, _flags, qdcount = struct.unpack(">HHH", data[:6])
            answers, count = _records(device)
            header = struct.pack(">HHHHHH", (query_id + answer_id_offset) & 0xFFFF, 0x8400, qdcount, count, 0, 0)
            sock.sendto(header + data[12:] + answers, peer)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], queries
    finally:
        stop.set()
        thread.join(2)
        sock.close()
