"""The link test: a few seconds of round trips to the default gateway (and to a host the
installer names), giving loss, RTT median / 95th percentile and RFC 3550 jitter.

Probes leave on a fixed schedule (``PROBE_INTERVAL_S`` apart) and replies are matched by
sequence number as they come, so a lost probe costs nothing extra: the test lasts
``count * interval + reply timeout`` whatever the loss, and a hard deadline bounds it. The
probe kind is chosen per target: ICMP echo through an unprivileged ``SOCK_DGRAM`` /
``IPPROTO_ICMP`` socket where the system allows it (Linux: ``net.ipv4.ping_group_range``;
macOS: always), else the time a TCP connect takes to be answered (SYN-ACK or RST) on a port
the gateway listens on. A named ``HOST:PORT`` can also be probed with UDP or TCP echo
(RFC 862 echo service). What was tried, and why it was not used, goes into the result.

ICMP is written here rather than taken from a ping library: the kernel fills in the
identifier and checksum of a ping socket, so the request is 8 header bytes and a payload, and
the scheduling loop (shared by every probe kind) is the part a library would not give.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import platform
import re
import secrets
import selectors
import socket
import statistics
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from survey.errors import EvSurveyError
from survey.netcheck import probes
from survey.project.link import GATEWAY_TARGET, LinkTest, LinkTestResult, ProbeKind

log = logging.getLogger(__name__)

#: Probes per target by default: 50 at 100 ms is a 5 s test, and one lost probe is 2 %.
DEFAULT_COUNT = 50
PROBE_INTERVAL_S = 0.1
#: A reply later than this counts as lost. 1 s is TCP's initial retransmission timeout
#: (RFC 6298 section 2.1): a segment unanswered that long is sent again, so for the charger's
#: WebSocket a later reply is as bad as none.
REPLY_TIMEOUT_S = 1.0
#: Hard deadline of a whole link test (every target, concurrently), seconds.
DEFAULT_DEADLINE_S = 15.0
#: TCP ports a home router usually answers on its LAN side: DNS forwarder, web admin over
#: HTTP and HTTPS. A closed port answered with RST is still a round trip.
GATEWAY_TCP_PORTS = (53, 80, 443)
#: RFC 862 echo service.
ECHO_PORT = 7
PING_GROUP_RANGE = Path("/proc/sys/net/ipv4/ping_group_range")


class LinkTestError(EvSurveyError):
    """The link test could not start (e.g. no default gateway): the message says what to do."""


# --------------------------------------------------------------------------- the gateway


def parse_route_get(text: str) -> str | None:
    """The gateway in macOS ``route -n get default`` output (a ``gateway: ADDRESS`` line)."""
    match = re.search(r"^\s*gateway:\s*(\S+)\s*$", text, re.MULTILINE)
    return match.group(1) if match and probes.ip_literal(match.group(1)) else None


def parse_route_print(text: str) -> str | None:
    """The gateway of the lowest-metric default route in Windows ``route print -4`` output.

    Rows of the IPv4 route table are ``destination netmask gateway interface metric``; the
    default route is 0.0.0.0/0.0.0.0 and its gateway an address ("On-link" for none). The
    columns are the same in every language, the headings are not, so only rows are read.
    """
    best: tuple[int, str] | None = None
    for line in text.splitlines():
        cols = line.split()
        if len(cols) == 5 and cols[0] == "0.0.0.0" and cols[1] == "0.0.0.0" and probes.ip_literal(cols[2]):
            try:
                metric = int(cols[4])
            except ValueError:
                continue
            if best is None or metric < best[0]:
                best = (metric, cols[2])
    return None if best is None else best[1]


Runner = Callable[[Sequence[str]], str]


def _run_command(argv: Sequence[str]) -> str:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=5, check=False).stdout


def find_gateway(*, route_table: Path | None = None, system: str | None = None, run: Runner = _run_command) -> str:
    """The default gateway's IPv4 address: from /proc/net/route on Linux, ``route -n get
    default`` on macOS, ``route print -4`` on Windows. Raises :class:`LinkTestError` when
    there is none (``route_table``, ``system`` and ``run`` are injectable for tests)."""
    system = system or platform.system()
    fix = "Join the laptop to the charger's Wi-Fi and check it got an address, or give --gateway ADDRESS."
    try:
        if system == "Darwin":
            found = parse_route_get(run(["route", "-n", "get", "default"]))
        elif system == "Windows":
            found = parse_route_print(run(["route", "print", "-4"]))
        else:
            gateways = probes.default_gateways(route_table or probes.ROUTE_TABLE)
            found = gateways[0].address if gateways else None
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise LinkTestError(f"The default gateway could not be read ({exc}). {fix}") from None
    if found is None:
        raise LinkTestError(f"This laptop has no default gateway: it is not on a network with a router. {fix}")
    return found


# --------------------------------------------------------------------------- statistics


def rfc3550_jitter_ms(rtts_ms: Sequence[float]) -> float | None:
    """Interarrival jitter of RFC 3550 section 6.4.1 over consecutive round-trip times:
    ``J += (|D| - J) / 16`` with ``D`` the difference of two consecutive values, starting from
    0. The round-trip time stands in for the one-way transit time (no clock is shared with
    the gateway); the gain of 1/16 is the RFC's noise-reduction choice. None for fewer than 2."""
    if len(rtts_ms) < 2:
        return None
    jitter = 0.0
    for previous, current in zip(rtts_ms, rtts_ms[1:]):
        jitter += (abs(current - previous) - jitter) / 16.0
    return jitter


def rtt_summary_ms(rtts_ms: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """(median, 95th percentile, RFC 3550 jitter) of the answered round trips in send order, ms.
    The percentile interpolates linearly between order statistics (``statistics.quantiles``'
    inclusive method, the same as numpy's default)."""
    if not rtts_ms:
        return None, None, None
    values = list(rtts_ms)
    p95 = values[0] if len(values) == 1 else statistics.quantiles(values, n=100, method="inclusive")[94]
    return statistics.median(values), p95, rfc3550_jitter_ms(values)


# --------------------------------------------------------------------------- probers

#: Every probe carries the test's random token and its sequence number, so a reply is matched
#: to its probe (and replies to other programs' probes are ignored).
_FRAME = struct.Struct("!8sI")
_ICMP_HEADER = struct.Struct("!BBHHH")
_ICMP_ECHO_REQUEST, _ICMP_ECHO_REPLY = 8, 0
#: ``connect`` still under way (POSIX, Winsock).
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, 10035}


def internet_checksum(data: bytes) -> int:
    """RFC 1071 ones'-complement sum of 16-bit words (macOS expects it; Linux rewrites it)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class _Prober:
    """Sends probe ``seq`` and reports which probes were answered when. ``note`` is set when
    the prober learns why probes cannot be answered (e.g. the port refuses)."""

    kind: ProbeKind
    port: int | None = None

    def __init__(self) -> None:
        self.token = secrets.token_bytes(8)
        self.selector = selectors.DefaultSelector()
        self.note = ""

    def send(self, seq: int) -> None:
        raise NotImplementedError

    def poll(self, timeout_s: float) -> list[tuple[int, float]]:
        """(seq, arrival time on the monotonic clock) of the replies within ``timeout_s``."""
        answered: list[tuple[int, float]] = []
        if not self.selector.get_map():
            time.sleep(timeout_s)
            return answered
        for key, _events in self.selector.select(timeout_s):
            arrived = time.monotonic()
            answered += [(seq, arrived) for seq in self._ready(key)]
        return answered

    def _ready(self, key: selectors.SelectorKey) -> list[int]:
        raise NotImplementedError

    def close(self) -> None:
        for key in list(self.selector.get_map().values()):
            self.selector.unregister(key.fileobj)
            # Only sockets are registered; the selector's key types its object as any file.
            cast(socket.socket, key.fileobj).close()
        self.selector.close()


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def open_icmp_socket() -> socket.socket:
    """An unprivileged ICMP echo socket. Raises ``PermissionError`` where the system does not
    allow one (Linux: the user's group is outside ``net.ipv4.ping_group_range``)."""
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)


def _icmp_refusal_text(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        try:
            allowed = " ".join(PING_GROUP_RANGE.read_text().split())
            return f"not permitted for this user (net.ipv4.ping_group_range is {allowed})"
        except OSError:
            return "not permitted for this user"
    return f"not available here ({exc.strerror or exc})"


class IcmpEchoProber(_Prober):
    kind = ProbeKind.ICMP_ECHO

    def __init__(self, address: str, open_socket: Callable[[], socket.socket] = open_icmp_socket):
        super().__init__()
        self.address = address
        self.ident = secrets.randbits(16)  # Linux replaces it by the socket's own; macOS keeps it
        sock = open_socket()
        sock.setblocking(False)
        self.sock = sock
        self.selector.register(sock, selectors.EVENT_READ)

    def send(self, seq: int) -> None:
        payload = _FRAME.pack(self.token, seq)
        header = _ICMP_HEADER.pack(_ICMP_ECHO_REQUEST, 0, 0, self.ident, seq & 0xFFFF)
        checksum = internet_checksum(header + payload)
        packet = _ICMP_HEADER.pack(_ICMP_ECHO_REQUEST, 0, checksum, self.ident, seq & 0xFFFF) + payload
        self.sock.sendto(packet, (self.address, 0))

    def _ready(self, key) -> list[int]:
        seqs: list[int] = []
        while True:
            try:
                data = self.sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return seqs
            except OSError as exc:  # e.g. host unreachable reported on the socket
                self.note = exc.strerror or str(exc)
                return seqs
            if data and data[0] >> 4 == 4:  # macOS hands over the IP header too
                data = data[(data[0] & 0x0F) * 4 :]
            if len(data) < _ICMP_HEADER.size + _FRAME.size or data[0] != _ICMP_ECHO_REPLY:
                continue
            token, seq = _FRAME.unpack_from(data, _ICMP_HEADER.size)
            if token == self.token:
                seqs.append(seq)


class UdpEchoProber(_Prober):
    kind = ProbeKind.UDP_ECHO

    def __init__(self, address: str, port: int):
        super().__init__()
        self.port = port
        sock = socket.socket(_family(address), socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect((address, port))  # connected: ICMP port-unreachable is reported as refused
        self.sock = sock
        self.selector.register(sock, selectors.EVENT_READ)

    def send(self, seq: int) -> None:
        self.sock.send(_FRAME.pack(self.token, seq))

    def _ready(self, key) -> list[int]:
        seqs: list[int] = []
        while True:
            try:
                data = self.sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return seqs
            except ConnectionRefusedError:
                self.note = f"UDP {self.port} refused: no echo service listens there"
                continue
            except OSError as exc:
                self.note = exc.strerror or str(exc)
                return seqs
            if len(data) == _FRAME.size:
                token, seq = _FRAME.unpack(data)
                if token == self.token:
                    seqs.append(seq)


class TcpEchoProber(_Prober):
    """Round trips of a small message over one open connection (what a WebSocket sees: a lost
    segment shows as a late reply after TCP's retransmission)."""

    kind = ProbeKind.TCP_ECHO

    def __init__(self, address: str, port: int, connect_timeout_s: float):
        super().__init__()
        self.port = port
        sock = probes.tcp_connect(address, port, connect_timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each probe leaves at once
        sock.setblocking(False)
        self.sock = sock
        self.buffer = b""
        self.selector.register(sock, selectors.EVENT_READ)

    def send(self, seq: int) -> None:
        self.sock.send(_FRAME.pack(self.token, seq))

    def _ready(self, key) -> list[int]:
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError as exc:
            data, self.note = b"", f"connection lost ({exc.strerror or exc})"
        if not data:
            self.note = self.note or f"the echo service on TCP {self.port} closed the connection"
            self.selector.unregister(self.sock)
            self.sock.close()
            return []
        self.buffer += data
        seqs = []
        while (start := self.buffer.find(self.token)) >= 0 and len(self.buffer) >= start + _FRAME.size:
            seqs.append(_FRAME.unpack_from(self.buffer, start)[1])
            self.buffer = self.buffer[start + _FRAME.size :]
        return seqs


class TcpConnectProber(_Prober):
    """Each probe opens a connection; the answer is the SYN-ACK or the RST (a closed port
    answers too), the connection is closed at once."""

    kind = ProbeKind.TCP_CONNECT

    def __init__(self, address: str, port: int):
        super().__init__()
        self.address = address
        self.port = port
        self.immediate: list[int] = []  # probes answered inside connect_ex itself

    def send(self, seq: int) -> None:
        sock = socket.socket(_family(self.address), socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex((self.address, self.port))
        if code in _IN_PROGRESS:
            self.selector.register(sock, selectors.EVENT_WRITE, seq)
            return
        sock.close()
        if code in (0, errno.ECONNREFUSED):
            self._answered(code)
            self.immediate.append(seq)
        else:
            raise OSError(code, os.strerror(code))

    def _answered(self, code: int) -> None:
        if code:
            self.note = "the port is closed: its reset (RST) is the answer"

    def poll(self, timeout_s: float) -> list[tuple[int, float]]:
        if self.immediate:
            now = time.monotonic()
            answered, self.immediate = [(seq, now) for seq in self.immediate], []
            return answered
        return super().poll(timeout_s)

    def _ready(self, key) -> list[int]:
        sock = key.fileobj
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self.selector.unregister(sock)
        sock.close()
        if code in (0, errno.ECONNREFUSED, 10061):  # 10061: WSAECONNREFUSED
            self._answered(code)
            return [key.data]
        self.note = os.strerror(code)
        return []


# --------------------------------------------------------------------------- one series


@dataclass(frozen=True)
class _Series:
    sent: int
    rtts_ms: tuple[float, ...]  # answered probes, in send order
    started_at: float
    duration_s: float
    stopped_early: str = ""  # why the series ended before every probe was sent and waited for


def run_series(
    prober: _Prober,
    count: int,
    *,
    interval_s: float = PROBE_INTERVAL_S,
    reply_timeout_s: float = REPLY_TIMEOUT_S,
    end_at: float | None = None,
    cancel: threading.Event | None = None,
) -> _Series:
    """Send ``count`` probes ``interval_s`` apart and collect the replies that come within
    ``reply_timeout_s``; stop at ``end_at`` (monotonic clock) or when ``cancel`` is set.
    Probes whose reply window was still open when the series was stopped are not counted."""
    cancel = cancel or threading.Event()
    end_at = time.monotonic() + count * interval_s + reply_timeout_s + 1.0 if end_at is None else end_at
    prober.token = secrets.token_bytes(8)  # a late reply to an earlier series is not one of these
    sent_at: list[float | None] = [None] * count
    rtt_ms: list[float | None] = [None] * count
    started_at, start = time.time(), time.monotonic()
    seq, stopped = 0, ""
    while True:
        now = time.monotonic()
        if cancel.is_set():
            stopped = "cancelled"
            break
        if now >= end_at:
            stopped = "stopped at the deadline"
            break
        if seq < count and now >= start + seq * interval_s:
            sent_at[seq] = time.monotonic()
            try:
                prober.send(seq)
            except OSError as exc:  # e.g. network unreachable: this probe is lost
                prober.note = exc.strerror or str(exc)
            seq += 1
            continue
        if seq < count:
            wake = start + seq * interval_s
        else:
            waiting = [t for i, t in enumerate(sent_at) if t is not None and rtt_ms[i] is None]
            if not waiting or now >= max(waiting) + reply_timeout_s:
                break
            wake = max(waiting) + reply_timeout_s
        # Short polls keep a cancel or the deadline noticed within 0.1 s.
        for i, arrived in prober.poll(max(0.0, min(wake, end_at, now + 0.1) - now)):
            if not 0 <= i < count:
                continue
            sent = sent_at[i]
            if sent is not None and rtt_ms[i] is None and arrived - sent <= reply_timeout_s:
                rtt_ms[i] = (arrived - sent) * 1000.0
    end = time.monotonic()
    decided = [
        i for i, t in enumerate(sent_at) if t is not None and (rtt_ms[i] is not None or end - t >= reply_timeout_s)
    ]
    answered = [rtt_ms[i] for i in decided]
    return _Series(
        sent=len(decided),
        rtts_ms=tuple(rtt for rtt in answered if rtt is not None),
        started_at=started_at,
        duration_s=end - start,
        stopped_early=stopped,
    )


# --------------------------------------------------------------------------- one target


@dataclass(frozen=True)
class Target:
    """What to probe: ``name`` is "gateway" or the host as typed; ``probe`` None picks ICMP
    where permitted, else TCP connect (on ``port``, or ``tcp_ports`` in turn)."""

    name: str
    host: str
    probe: ProbeKind | None = None
    port: int | None = None


def _open(
    kind: ProbeKind, address: str, port: int | None, reply_timeout_s: float, open_icmp: Callable[[], socket.socket]
) -> _Prober:
    if kind is ProbeKind.ICMP_ECHO:
        if _family(address) != socket.AF_INET:
            raise OSError(errno.EAFNOSUPPORT, "ICMP echo is tested over IPv4 only")
        return IcmpEchoProber(address, open_icmp)
    if kind is ProbeKind.UDP_ECHO:
        return UdpEchoProber(address, port or ECHO_PORT)
    if kind is ProbeKind.TCP_ECHO:
        return TcpEchoProber(address, port or ECHO_PORT, reply_timeout_s)
    if port is None:  # every caller names the port of a TCP connect (the CLI's default is 443)
        raise ValueError("a TCP connect probe needs a port")
    return TcpConnectProber(address, port)


def _label(kind: ProbeKind, port: int | None) -> str:
    return kind.label if port is None else f"{kind.label} {port}"


def _first_answer(prober: _Prober, reply_timeout_s: float, cancel: threading.Event) -> str:
    """One trial probe: "" when answered, else what happened instead."""
    trial = run_series(
        prober,
        1,
        interval_s=0.0,
        reply_timeout_s=reply_timeout_s,
        end_at=time.monotonic() + reply_timeout_s + 0.2,
        cancel=cancel,
    )
    if trial.rtts_ms:
        return ""
    return prober.note or f"no answer within {reply_timeout_s:g} s"


def measure_target(
    target: Target,
    address: str,
    count: int,
    *,
    end_at: float,
    cancel: threading.Event,
    interval_s: float = PROBE_INTERVAL_S,
    reply_timeout_s: float = REPLY_TIMEOUT_S,
    tcp_ports: Sequence[int] = GATEWAY_TCP_PORTS,
    open_icmp: Callable[[], socket.socket] = open_icmp_socket,
) -> LinkTestResult:
    """Probe one resolved target. Never raises for the network's doing: a target that answers
    no probe kind gives a result with nothing received and ``tried`` saying why."""
    if target.probe is not None:
        candidates = [(target.probe, target.port)]
    elif target.port is not None:
        candidates = [(ProbeKind.TCP_CONNECT, target.port)]
    else:
        candidates = [(ProbeKind.ICMP_ECHO, None)] + [(ProbeKind.TCP_CONNECT, p) for p in tcp_ports]
    choose = len(candidates) > 1
    tried: list[str] = []
    started_at = time.time()
    for kind, port in candidates:
        label = _label(kind, port)
        try:
            prober = _open(kind, address, port, reply_timeout_s, open_icmp)
        except OSError as exc:
            why = _icmp_refusal_text(exc) if kind is ProbeKind.ICMP_ECHO else _error_text(exc)
            tried.append(f"{label}: {why}")
            continue
        try:
            if choose:
                why = _first_answer(prober, reply_timeout_s, cancel)
                if why:
                    tried.append(f"{label}: {why}")
                    continue
            series = run_series(
                prober, count, interval_s=interval_s, reply_timeout_s=reply_timeout_s, end_at=end_at, cancel=cancel
            )
        finally:
            prober.close()
        outcome = f"{len(series.rtts_ms)} of {series.sent} answered"
        if series.stopped_early:
            outcome += f", {series.stopped_early}"
        if prober.note:
            outcome += f" ({prober.note})"
        tried.append(f"{label}: {outcome}" + (" (used)" if choose else ""))
        median, p95, jitter = rtt_summary_ms(series.rtts_ms)
        return LinkTestResult(
            target=target.name,
            address=address,
            probe=kind,
            port=port,
            sent=series.sent,
            received=len(series.rtts_ms),
            rtt_median_ms=median,
            rtt_p95_ms=p95,
            jitter_ms=jitter,
            started_at=series.started_at,
            duration_s=series.duration_s,
            tried=tuple(tried),
        )
    kind, port = candidates[-1]
    return _nothing(target, address, kind, port, started_at, tuple(tried))


def _error_text(exc: BaseException) -> str:
    """A socket error as a few plain words."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- the whole test


def resolve_address(host: str, resolver: probes.Resolver, timeout_s: float) -> str:
    """The first IPv4 address of ``host`` (else the first address), within ``timeout_s``:
    the lookup runs on a daemon thread, since a stuck resolver call cannot be interrupted."""
    literal = probes.ip_literal(host)
    if literal is not None:
        return literal
    box: list = []
    worker = threading.Thread(
        target=lambda: box.append(_call(resolver, host)), name=f"linktest-dns-{host}", daemon=True
    )
    worker.start()
    worker.join(timeout_s)
    if not box:
        raise LinkTestError(f"{host} did not resolve within {timeout_s:.1f} s: the DNS server does not answer.")
    ok, value = box[0]
    if not ok:
        raise LinkTestError(f"{host} does not resolve ({_error_text(value)}). Check the name, or give an IP address.")
    addresses = list(value)
    if not addresses:
        raise LinkTestError(f"{host} resolved to no address.")
    v4 = [a for a in addresses if ipaddress.ip_address(a).version == 4]
    return (v4 or addresses)[0]


def _call(fn, *args):
    try:
        return True, fn(*args)
    except Exception as exc:  # noqa: BLE001 - handed to the waiting side, which words it
        return False, exc


def run_link_test(
    targets: Sequence[Target],
    *,
    count: int = DEFAULT_COUNT,
    deadline_s: float = DEFAULT_DEADLINE_S,
    cancel: threading.Event | None = None,
    resolver: probes.Resolver | None = None,
    interval_s: float = PROBE_INTERVAL_S,
    reply_timeout_s: float = REPLY_TIMEOUT_S,
    tcp_ports: Sequence[int] = GATEWAY_TCP_PORTS,
    open_icmp: Callable[[], socket.socket] = open_icmp_socket,
) -> LinkTest:
    """Probe every target concurrently; return within about ``deadline_s`` seconds, or soon
    after ``cancel`` is set (the caller may run this on a background thread). A target whose
    name does not resolve gives a result with nothing sent and the reason in ``tried``."""
    cancel = cancel or threading.Event()
    end_at = time.monotonic() + deadline_s
    results: list[LinkTestResult | None] = [None] * len(targets)

    def measure(i: int, target: Target) -> None:
        started_at = time.time()
        try:
            address = resolve_address(
                target.host,
                resolver or probes.system_resolve,
                max(0.1, min(_lookup_timeout_s(deadline_s), end_at - time.monotonic())),
            )
        except LinkTestError as exc:
            results[i] = _nothing(target, "", target.probe or ProbeKind.ICMP_ECHO, target.port, started_at, (str(exc),))
            return
        results[i] = measure_target(
            target,
            address,
            count,
            end_at=end_at,
            cancel=cancel,
            interval_s=interval_s,
            reply_timeout_s=reply_timeout_s,
            tcp_ports=tcp_ports,
            open_icmp=open_icmp,
        )

    workers = [
        threading.Thread(target=measure, args=(i, t), name=f"linktest-{t.name}", daemon=True)
        for i, t in enumerate(targets)
    ]
    for w in workers:
        w.start()
    try:
        for w in workers:
            w.join(max(0.0, end_at - time.monotonic()) + 1.0)
    except KeyboardInterrupt:
        cancel.set()
        raise
    # A missing result is defensive: every step has its own timeout, so this should not happen.
    finished = tuple(
        r
        if r is not None
        else _nothing(
            target,
            "",
            target.probe or ProbeKind.ICMP_ECHO,
            target.port,
            time.time(),
            (f"did not finish within the {deadline_s:g} s deadline",),
        )
        for r, target in zip(results, targets, strict=True)
    )
    log.info(
        "link test of %s: %s",
        ", ".join(t.name for t in targets),
        "; ".join(f"{r.received}/{r.sent} via {r.probe.value}" for r in finished),
    )
    return LinkTest(results=finished)


def _lookup_timeout_s(deadline_s: float) -> float:
    """Time a name lookup may take: a third of the deadline, at most 5 s (resolv.conf(5)'s
    default per-try timeout)."""
    return min(5.0, deadline_s / 3)


def _nothing(
    target: Target, address: str, kind: ProbeKind, port: int | None, started_at: float, tried: tuple[str, ...]
) -> LinkTestResult:
    """A target that could not be measured: nothing sent, ``tried`` says why."""
    return LinkTestResult(
        target=target.name,
        address=address,
        probe=kind,
        port=port,
        sent=0,
        received=0,
        rtt_median_ms=None,
        rtt_p95_ms=None,
        jitter_ms=None,
        started_at=started_at,
        duration_s=time.time() - started_at,
        tried=tried,
    )


def gateway_target(address: str) -> Target:
    return Target(name=GATEWAY_TARGET, host=address)


def minimum_deadline_s(
    count: int, interval_s: float = PROBE_INTERVAL_S, reply_timeout_s: float = REPLY_TIMEOUT_S
) -> float:
    """The shortest deadline that lets ``count`` probes run: the probes, the last reply
    window, and trial probes while choosing the probe kind (ICMP and each TCP port)."""
    return count * interval_s + reply_timeout_s * (2 + len(GATEWAY_TCP_PORTS))
