"""The work of each probe of a run, within the run's deadline: one DNS lookup per host shared by
every check of that host, TCP connects (the next address when one fails), TLS handshakes, NTP
queries and the HTTP / Modbus exchanges with the captive-portal probe and the charger's local
API. Each returns what it saw (:mod:`survey.netcheck.outcomes`) or raises; what that means is
:mod:`survey.netcheck.verdicts`' job, running them concurrently :mod:`survey.netcheck.runner`'s.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace

from survey.netcheck import httpprobe, modbus, probes, sntp
from survey.netcheck.outcomes import DnsUnusable, EndpointOutcome, ExchangeOutcome, Resolved, ResolveFailed, exc_text
from survey.netcheck.plan import Endpoint, LocalApi, NtpServer, PortalProbe
from survey.netcheck.threads import spawn

#: One DNS lookup, connect, handshake or NTP query: a third of the deadline, so a chain of
#: DNS -> TCP -> TLS still ends inside it; at most 5 s (a healthy path answers in < 1 s).
MAX_STEP_TIMEOUT_S = 5.0

#: ``dial(address, port, timeout_s)`` -> a connected TCP socket, or ``OSError``.
Dialer = Callable[[str, int, float], socket.socket]


class Deadline:
    """The overall deadline. Probes work to a slightly earlier end than the run waits for, so a
    probe that gives up on time still delivers its own, more precise reason (e.g. "DNS timed
    out") instead of being reported as having said nothing."""

    def __init__(self, seconds: float):
        self.total_s = seconds
        self.end = time.monotonic() + seconds
        self.probe_end = self.end - min(0.5, 0.1 * seconds)
        self.step_s = min(MAX_STEP_TIMEOUT_S, seconds / 3)

    def remaining(self) -> float:
        """Seconds a probe may still spend."""
        return max(0.0, self.probe_end - time.monotonic())

    def remaining_overall(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def step(self) -> float:
        """Timeout for one blocking step: the step budget, never past the deadline."""
        return max(0.05, min(self.step_s, self.remaining()))


class Lookups:
    """One DNS lookup per host name, shared by its DNS check and every connection to it."""

    def __init__(self, resolver: probes.Resolver):
        self._resolver = resolver
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()

    def get(self, host: str) -> Future:
        with self._lock:
            if host not in self._futures:
                literal = probes.ip_literal(host)
                if literal is not None:
                    done: Future = Future()
                    done.set_result(Resolved((literal,), 0.0))
                    self._futures[host] = done
                else:
                    self._futures[host] = spawn(self._resolve, host, name=f"netcheck-dns-{host}")
            return self._futures[host]

    def _resolve(self, host: str) -> Resolved:
        start = time.monotonic()
        try:
            addresses = tuple(self._resolver(host))
        except Exception as exc:  # noqa: BLE001 - any resolver failure is a DNS verdict, never a crash
            raise ResolveFailed(exc_text(exc), (time.monotonic() - start) * 1000) from exc
        return Resolved(addresses, (time.monotonic() - start) * 1000)

    def usable(self, host: str, deadline: Deadline) -> list[str]:
        """Addresses of ``host`` worth dialling. A name answered with a sinkhole address is
        blocked: dialling 0.0.0.0 would reach this laptop itself, so nothing is tried. An IP
        address given directly (e.g. a local test server) is used as it is."""
        try:
            resolved: Resolved = self.get(host).result(timeout=deadline.step())
        except BaseException as exc:  # noqa: BLE001 - reported by the DNS check
            raise DnsUnusable(f"{host} did not resolve ({exc_text(exc)})") from exc
        if probes.ip_literal(host) is not None:
            return list(resolved.addresses)
        if not resolved.addresses or any(probes.is_sinkhole_address(a) for a in resolved.addresses):
            raise DnsUnusable(
                f"DNS answered {host} with a blocking address ({', '.join(resolved.addresses) or 'none'})"
            )
        return list(resolved.addresses)


def dial_first(
    addresses: list[str], port: int, dial: Dialer, deadline: Deadline
) -> tuple[str, socket.socket | None, BaseException | None]:
    """Connect to the first address that answers (e.g. an IPv6 address first on a network
    without IPv6: try the next); (address tried last, socket or None, last error)."""
    error: BaseException | None = None
    address = addresses[0]
    for address in addresses:
        try:
            return address, dial(address, port, deadline.step()), None
        except OSError as exc:
            error = exc
            if deadline.remaining() <= 0:
                break
    return address, None, error or TimeoutError("no address tried")


def probe_endpoint(
    endpoint: Endpoint, lookups: Lookups, deadline: Deadline, dial: Dialer, tls_context: ssl.SSLContext | None
) -> EndpointOutcome:
    usable = lookups.usable(endpoint.host, deadline)
    start = time.monotonic()
    address, sock, error = dial_first(usable, endpoint.port, dial, deadline)
    tcp_ms = (time.monotonic() - start) * 1000
    if sock is None:
        return EndpointOutcome(address=address, tcp_error=error, tcp_ms=tcp_ms)
    if not endpoint.tls:
        sock.close()
        return EndpointOutcome(address=address, tcp_ms=tcp_ms)
    start = time.monotonic()
    try:
        context = tls_context or ssl.create_default_context()
        session = probes.tls_handshake(sock, endpoint.host, context, deadline.step())
        return EndpointOutcome(address=address, tcp_ms=tcp_ms, tls=session, tls_ms=(time.monotonic() - start) * 1000)
    except (OSError, ssl.SSLError, ValueError) as exc:
        return EndpointOutcome(address=address, tcp_ms=tcp_ms, tls_error=exc, tls_ms=(time.monotonic() - start) * 1000)
    finally:
        sock.close()


def query_ntp(server: NtpServer, lookups: Lookups, deadline: Deadline, clock: Callable[[], float]) -> sntp.SntpReply:
    usable = lookups.usable(server.host, deadline)
    last: BaseException | None = None
    for address in usable[:3]:  # a pool name gives several servers; one answer is enough
        try:
            return replace(sntp.query(address, server.port, deadline.step(), clock=clock), server=address)
        except (OSError, sntp.SntpError) as exc:
            last = exc
            if deadline.remaining() <= 0:
                break
    raise last or TimeoutError("no NTP reply")


def exchange(
    addresses: list[str], port: int, dial: Dialer, deadline: Deadline, ask: Callable[[socket.socket], object]
) -> ExchangeOutcome:
    """Connect to ``port`` and run ``ask(sock)`` on the connection (which it may consume)."""
    start = time.monotonic()
    address, sock, error = dial_first(addresses, port, dial, deadline)
    if sock is None:
        return ExchangeOutcome(address, error=error, stage="connect", elapsed_ms=(time.monotonic() - start) * 1000)
    try:
        answer = ask(sock)
    except Exception as exc:  # noqa: BLE001 - whatever the peer did is reported, never raised
        return ExchangeOutcome(address, error=exc, stage="answer", elapsed_ms=(time.monotonic() - start) * 1000)
    finally:
        sock.close()
    return ExchangeOutcome(address, answer=answer, elapsed_ms=(time.monotonic() - start) * 1000)


def probe_portal(portal: PortalProbe, lookups: Lookups, deadline: Deadline, dial: Dialer) -> ExchangeOutcome:
    usable = lookups.usable(portal.host, deadline)
    return exchange(
        usable,
        portal.port,
        dial,
        deadline,
        lambda sock: httpprobe.http_get(sock, portal.netloc, portal.path, deadline.step()),
    )


def _unverified_tls() -> ssl.SSLContext:
    # The charger's own web API serves a self-signed certificate: this probe asks whether it
    # answers from here, not whether it is trusted (the cloud checks verify certificates).
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def probe_local(api: LocalApi, what: str, deadline: Deadline, dial: Dialer) -> ExchangeOutcome:
    if what == "modbus":
        return exchange(
            [api.ip],
            api.modbus_port,
            dial,
            deadline,
            lambda sock: modbus.read_holding_registers(sock, api.modbus_unit, api.modbus_register, deadline.step()),
        )
    if what == "http":
        return exchange(
            [api.ip],
            api.http_port,
            dial,
            deadline,
            lambda sock: httpprobe.http_get(sock, api.label(api.http_port), "/", deadline.step()),
        )

    def https(sock: socket.socket):
        sock.settimeout(deadline.step())
        tls = _unverified_tls().wrap_socket(sock, server_hostname=None)
        return httpprobe.http_get(tls, api.label(api.https_port), "/", deadline.step())

    return exchange([api.ip], api.https_port, dial, deadline, https)


LOCAL_PROBES = ("modbus", "http", "https")
LOCAL_PROBE_WORDS = {"modbus": "Modbus TCP", "http": "web API (HTTP)", "https": "web API (HTTPS)"}
