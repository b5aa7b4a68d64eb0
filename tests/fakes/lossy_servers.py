"""Loopback servers for the link and idle tests that misbehave on purpose: echo servers that
drop a chosen share of probes and delay the others, an ICMP echo responder reached through
an injected socket, a TCP port that never answers a SYN, and servers that drop connections
left idle. Everything binds 127.0.0.1; nothing leaves the machine."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Impairment:
    """Drop ``drop_share`` of the packets (evenly spread: 0.2 drops every fifth) and delay each
    answered one by the next value of ``delays_s`` (cycled)."""

    drop_share: float = 0.0
    delays_s: tuple[float, ...] = (0.0,)
    received: int = 0
    answered: int = 0
    _credit: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def decide(self) -> float | None:
        """Seconds to wait before answering this packet, or None to drop it."""
        with self._lock:
            self.received += 1
            self._credit += self.drop_share
            if self._credit >= 1.0 - 1e-9:
                self._credit -= 1.0
                return None
            delay = self.delays_s[self.answered % len(self.delays_s)]
            self.answered += 1
            return delay


def _later(delay_s: float, fn, *args) -> None:
    """``fn(*args)`` after ``delay_s`` seconds (at once for 0); a peer gone by then is ignored."""
    if delay_s <= 0:
        _safe(fn, *args)
        return
    timer = threading.Timer(delay_s, _safe, args=(fn, *args))
    timer.daemon = True
    timer.start()


def _safe(fn, *args) -> None:
    try:
        fn(*args)
    except OSError:
        pass


def _icmp_reply(request: bytes, ip_header: bool) -> bytes:
    """The echo reply a kernel would send for ``request`` (type 0, same id, seq and payload)."""
    _type, code, _sum, ident, seq = struct.unpack_from("!BBHHH", request)
    reply = struct.pack("!BBHHH", 0, code, 0, ident, seq) + request[8:]
    if ip_header:  # macOS hands the IPv4 header to a SOCK_DGRAM ICMP socket too
        reply = bytes([0x45]) + bytes(19) + reply
    return reply


@contextlib.contextmanager
def udp_echo_server(impairment: Impairment | None = None, *, icmp: bool = False, ip_header: bool = False):
    """A UDP echo service on 127.0.0.1 (yields its port). With ``icmp`` it answers ICMP echo
    requests carried in datagrams with echo replies, for an injected ICMP socket."""
    impairment = impairment or Impairment()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    stopped = threading.Event()

    def loop() -> None:
        while not stopped.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            delay = impairment.decide()
            if delay is not None:
                _later(delay, sock.sendto, _icmp_reply(data, ip_header) if icmp else data, peer)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stopped.set()
        thread.join(1)
        sock.close()


@contextlib.contextmanager
def tcp_echo_server(impairment: Impairment | None = None, frame_size: int = 12):
    """A TCP echo service on 127.0.0.1 that echoes whole ``frame_size``-byte messages, dropping
    and delaying them as ``impairment`` says (yields its port)."""
    impairment = impairment or Impairment()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stopped = threading.Event()

    def serve(conn: socket.socket) -> None:
        conn.settimeout(0.05)
        buffer = b""
        with conn:
            while not stopped.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while len(buffer) >= frame_size:
                    frame, buffer = buffer[:frame_size], buffer[frame_size:]
                    delay = impairment.decide()
                    if delay is not None:
                        _later(delay, conn.sendall, frame)

    def loop() -> None:
        while not stopped.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopped.set()
        thread.join(1)
        listener.close()


class UdpAsIcmpSocket:
    """Stands in for an unprivileged ICMP socket: what the prober sends to (address, 0) goes
    to a loopback UDP responder, whose datagrams come back as the "ICMP" replies."""

    def __init__(self, responder_port: int):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.connect(("127.0.0.1", responder_port))
        self.sent_to: list[tuple] = []

    def sendto(self, data: bytes, address) -> int:
        self.sent_to.append(address)
        return self._sock.send(data)

    def recv(self, size: int) -> bytes:
        return self._sock.recv(size)

    def setblocking(self, flag: bool) -> None:
        self._sock.setblocking(flag)

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()


@contextlib.contextmanager
def silent_tcp_port():
    """A TCP port on 127.0.0.1 whose SYNs go unanswered: a listener with a backlog of 0 that
    never accepts, its one queue slot taken, so the kernel drops every further SYN."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port), timeout=1)
    try:
        yield port
    finally:
        filler.close()
        listener.close()


@contextlib.contextmanager
def idle_dropping_server(limit_s: float, mode: str = "silent"):
    """A TCP service on 127.0.0.1 that answers every message with "ok\\n" while a connection has
    been quiet for less than ``limit_s`` seconds; past that it acts like a firewall that forgot
    the connection: ``"silent"`` ignores it from then on, ``"rst"`` resets it, ``"fin"`` closes
    it (the last two the moment the limit passes). Yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    stopped = threading.Event()

    def serve(conn: socket.socket) -> None:
        conn.settimeout(0.02)
        last = time.monotonic()
        forgotten = False
        try:
            while not stopped.is_set():
                if not forgotten and time.monotonic() - last >= limit_s:
                    forgotten = True
                    if mode == "rst":
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        return
                    if mode == "fin":
                        return
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                if not data:
                    return
                if not forgotten:
                    last = time.monotonic()
                    conn.sendall(b"ok\n")
        except OSError:
            pass
        finally:
            conn.close()

    def loop() -> None:
        while not stopped.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopped.set()
        thread.join(1)
        listener.close()
