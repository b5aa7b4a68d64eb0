"""Run the pre-flight checks of a :class:`~survey.netcheck.plan.CheckPlan` concurrently, under
one overall deadline, so a closed network yields answers instead of a hang.

``run_checks(plan)`` starts every probe on its own daemon thread, waits at most the deadline,
collects what each probe saw into an :class:`~survey.netcheck.outcomes.Observed` and has
:mod:`survey.netcheck.verdicts` turn it into a :class:`NetcheckReport`. No check raises: every
error becomes a FAIL/WARN with what was seen and what to open or allow.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import replace
from pathlib import Path

from survey.errors import EvSurveyError
from survey.netcheck import httpprobe, mdns, modbus, probes, sntp, verdicts
from survey.netcheck.outcomes import (
    PENDING, DnsUnusable, EndpointOutcome, ExchangeOutcome, Observed, ResolveFailed, Resolved, exc_text)
from survey.netcheck.plan import CheckPlan, Endpoint, LocalApi, NtpServer, PortalProbe
from survey.netcheck.results import NetcheckReport, NetworkContext

log = logging.getLogger(__name__)

#: Overall deadline of one run (brief: a closed network must answer within ~15 s).
DEFAULT_DEADLINE_S = 15.0
#: One DNS lookup, connect, handshake or NTP query: a third of the deadline, so a chain of
#: DNS -> TCP -> TLS still ends inside it; at most 5 s (a healthy path answers in < 1 s).
MAX_STEP_TIMEOUT_S = 5.0

#: ``dial(address, port, timeout_s)`` -> a connected TCP socket, or ``OSError``.
Dialer = Callable[[str, int, float], socket.socket]
#: ``on_progress(done, total, label)``: ``done`` of the run's ``total`` probes have finished, the
#: last one being ``label`` ("DNS api.zaptec.com"); called once with 0 and "" when the run starts.
Progress = Callable[[int, int, str], None]
#: How often a cancellable run looks at its cancel flag while it waits, seconds.
CANCEL_POLL_S = 0.05


class ChecksCancelled(EvSurveyError):
    """The run was cancelled before it finished: there are no results to keep."""


# --------------------------------------------------------------------------- concurrency


def _spawn(fn: Callable, *args, name: str = "netcheck") -> Future:
    """Run ``fn(*args)`` on a daemon thread and return its Future.

    Not a ThreadPoolExecutor: its workers are joined when the interpreter exits, so one
    resolver call stuck inside getaddrinfo (which cannot be cancelled) would keep
    ``evsurvey check`` alive long after its deadline. A daemon thread is simply abandoned.
    """
    future: Future = Future()

    def target() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting side, which reports it
            future.set_exception(exc)

    threading.Thread(target=target, name=name, daemon=True).start()
    return future


def _wait_for(futures: list[Future], timeout_s: float, cancel: threading.Event | None) -> None:
    """Wait until every future is done or ``timeout_s`` has passed; raise :class:`ChecksCancelled`
    as soon as ``cancel`` is set (the probes' daemon threads are then abandoned)."""
    end = time.monotonic() + timeout_s
    while True:
        left = end - time.monotonic()
        if cancel is not None and cancel.is_set():
            raise ChecksCancelled("The checks were cancelled before they finished; nothing was kept.")
        if left <= 0 or not wait(futures, timeout=left if cancel is None else min(left, CANCEL_POLL_S)).not_done:
            return


def _report_progress(labelled: dict[Future, str], on_progress: Progress | None) -> None:
    """Call ``on_progress`` as each probe finishes, from the probe's own thread."""
    if on_progress is None:
        return
    lock = threading.Lock()
    done = [0]

    def finished(label: str) -> Callable[[Future], None]:
        def callback(_future: Future) -> None:
            with lock:  # one call at a time, in the order the probes finished
                done[0] += 1
                on_progress(done[0], len(labelled), label)
        return callback

    on_progress(0, len(labelled), "")
    for future, label in labelled.items():
        future.add_done_callback(finished(label))


def _settled(future: Future):
    """What a probe ended with: its result, the exception it raised, or PENDING."""
    if not future.done():
        return PENDING
    return future.exception() if future.exception() is not None else future.result()


class _Deadline:
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


class _Lookups:
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
                    self._futures[host] = _spawn(self._resolve, host, name=f"netcheck-dns-{host}")
            return self._futures[host]

    def _resolve(self, host: str) -> Resolved:
        start = time.monotonic()
        try:
            addresses = tuple(self._resolver(host))
        except Exception as exc:  # noqa: BLE001 - any resolver failure is a DNS verdict, never a crash
            raise ResolveFailed(exc_text(exc), (time.monotonic() - start) * 1000) from exc
        return Resolved(addresses, (time.monotonic() - start) * 1000)

    def usable(self, host: str, deadline: _Deadline) -> list[str]:
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
            raise DnsUnusable(f"DNS answered {host} with a blocking address "
                              f"({', '.join(resolved.addresses) or 'none'})")
        return list(resolved.addresses)


def _dial_first(addresses: list[str], port: int, dial: Dialer, deadline: _Deadline) -> tuple[str, socket.socket | None,
                                                                                              BaseException | None]:
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


# --------------------------------------------------------------------------- probes


def _probe_endpoint(endpoint: Endpoint, lookups: _Lookups, deadline: _Deadline, dial: Dialer,
                    tls_context: ssl.SSLContext | None) -> EndpointOutcome:
    usable = lookups.usable(endpoint.host, deadline)
    start = time.monotonic()
    address, sock, error = _dial_first(usable, endpoint.port, dial, deadline)
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


def _query_ntp(server: NtpServer, lookups: _Lookups, deadline: _Deadline,
               clock: Callable[[], float]) -> sntp.SntpReply:
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


def _exchange(addresses: list[str], port: int, dial: Dialer, deadline: _Deadline,
              ask: Callable[[socket.socket], object]) -> ExchangeOutcome:
    """Connect to ``port`` and run ``ask(sock)`` on the connection (which it may consume)."""
    start = time.monotonic()
    address, sock, error = _dial_first(addresses, port, dial, deadline)
    if sock is None:
        return ExchangeOutcome(address, error=error, stage="connect", elapsed_ms=(time.monotonic() - start) * 1000)
    try:
        answer = ask(sock)
    except Exception as exc:  # noqa: BLE001 - whatever the peer did is reported, never raised
        return ExchangeOutcome(address, error=exc, stage="answer", elapsed_ms=(time.monotonic() - start) * 1000)
    finally:
        sock.close()
    return ExchangeOutcome(address, answer=answer, elapsed_ms=(time.monotonic() - start) * 1000)


def _probe_portal(portal: PortalProbe, lookups: _Lookups, deadline: _Deadline, dial: Dialer) -> ExchangeOutcome:
    usable = lookups.usable(portal.host, deadline)
    return _exchange(usable, portal.port, dial, deadline,
                     lambda sock: httpprobe.http_get(sock, portal.netloc, portal.path, deadline.step()))


def _unverified_tls() -> ssl.SSLContext:
    # The charger's own web API serves a self-signed certificate: this probe asks whether it
    # answers from here, not whether it is trusted (the cloud checks verify certificates).
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _probe_local(api: LocalApi, what: str, deadline: _Deadline, dial: Dialer) -> ExchangeOutcome:
    if what == "modbus":
        return _exchange([api.ip], api.modbus_port, dial, deadline,
                         lambda sock: modbus.read_holding_registers(sock, api.modbus_unit, api.modbus_register,
                                                                    deadline.step()))
    if what == "http":
        return _exchange([api.ip], api.http_port, dial, deadline,
                         lambda sock: httpprobe.http_get(sock, api.label(api.http_port), "/", deadline.step()))

    def https(sock: socket.socket):
        sock.settimeout(deadline.step())
        tls = _unverified_tls().wrap_socket(sock, server_hostname=None)
        return httpprobe.http_get(tls, api.label(api.https_port), "/", deadline.step())

    return _exchange([api.ip], api.https_port, dial, deadline, https)


LOCAL_PROBES = ("modbus", "http", "https")
LOCAL_PROBE_WORDS = {"modbus": "Modbus TCP", "http": "web API (HTTP)", "https": "web API (HTTPS)"}


def _network_context(table, ssid: str | None, local_address: Callable[[str], str]) -> NetworkContext:
    """Where this laptop is: the default gateway's interface, its own address towards it and
    that interface's subnet, from the routing table (each unknown where it cannot be read)."""
    if isinstance(table, BaseException):
        return NetworkContext(ssid=ssid)
    gateways = probes.default_gateways_of(table)
    if not gateways:
        return NetworkContext(ssid=ssid)
    first = gateways[0]
    try:
        laptop_ip = local_address(first.address)
    except OSError as exc:
        log.info("laptop address towards %s unknown: %s", first.address, exc)
        laptop_ip = None
    subnet = probes.subnet_of(laptop_ip, first.interface, table) if laptop_ip else None
    return NetworkContext(ssid=ssid, laptop_ip=laptop_ip, subnet=subnet, interface=first.interface,
                          gateway=first.address)


# --------------------------------------------------------------------------- the run


def run_checks(plan: CheckPlan, *, deadline_s: float = DEFAULT_DEADLINE_S, resolver: probes.Resolver | None = None,
               tls_context: ssl.SSLContext | None = None, route_table: Path | None = None,
               clock: Callable[[], float] = time.time, dial: Dialer | None = None,
               mdns_destination: tuple[str, int] | None = None,
               local_address: Callable[[str], str] | None = None, ssid: str | None = None,
               cancel: threading.Event | None = None, on_progress: Progress | None = None) -> NetcheckReport:
    """Run every check of ``plan`` concurrently and return within about ``deadline_s`` seconds.

    Injectable for tests (each defaults to the real thing): ``resolver`` (the system
    resolver), ``tls_context`` (``ssl.create_default_context()``, the system trust store),
    ``route_table`` (/proc/net/route), ``clock`` (the wall clock NTP measures), ``dial``
    (a TCP connect), ``mdns_destination`` (the mDNS group 224.0.0.251:5353) and
    ``local_address`` (this laptop's address towards the gateway). ``ssid`` is recorded as
    the network the checks ran on. ``cancel`` set from another thread ends the run within
    :data:`CANCEL_POLL_S` with :class:`ChecksCancelled`; ``on_progress`` hears of each probe
    as it finishes (from the probe's thread).
    """
    started = time.monotonic()
    ran_at = clock()
    deadline = _Deadline(max(0.5, float(deadline_s)))
    dial = dial or probes.tcp_connect
    table_path = route_table or probes.ROUTE_TABLE
    try:
        table = probes.routes(table_path)
    except (OSError, ValueError) as exc:
        table = exc
    network = _network_context(table, ssid, local_address or probes.local_address_towards)
    lookups = _Lookups(resolver or probes.system_resolve)

    dns = {host: lookups.get(host) for host in plan.domains}
    endpoints = {e: _spawn(_probe_endpoint, e, lookups, deadline, dial, tls_context, name=f"netcheck-{e.label}")
                 for e in plan.endpoints}
    ntp = {s: _spawn(_query_ntp, s, lookups, deadline, clock, name=f"netcheck-ntp-{s.label}") for s in plan.ntp_servers}
    portal = (_spawn(_probe_portal, plan.portal, lookups, deadline, dial, name="netcheck-portal")
              if plan.portal is not None else None)
    listen_s = min(mdns.LISTEN_S, deadline.remaining())
    destination = mdns_destination or mdns.MDNS_DESTINATION
    mdns_future = (_spawn(lambda: mdns.query(plan.mdns_services, destination=destination,
                                             interface_ip=network.laptop_ip, listen_s=listen_s), name="netcheck-mdns")
                   if plan.mdns_services else None)
    local = ({what: _spawn(_probe_local, plan.local_api, what, deadline, dial, name=f"netcheck-local-{what}")
              for what in LOCAL_PROBES} if plan.local_api is not None else {})

    # A lookup gets one step (5 s by default, the system resolver's own per-try timeout in
    # resolv.conf(5)): a DNS server silent for longer fails the charger too, and a silent one
    # then costs one step instead of the whole deadline. The probes waiting on a lookup give up
    # after that step, so waiting for them bounds the run.
    probes_running = [*endpoints.values(), *ntp.values(), *local.values(),
                      *(f for f in (portal, mdns_future) if f is not None)]
    _report_progress({**{f: f"DNS {host}" for host, f in dns.items()},
                      **{f: f"{'TLS' if e.tls else 'TCP'} {e.label}" for e, f in endpoints.items()},
                      **{f: f"NTP {s.label}" for s, f in ntp.items()},
                      **{f: f"charger's {LOCAL_PROBE_WORDS[what]}" for what, f in local.items()},
                      **({portal: "captive-portal probe"} if portal is not None else {}),
                      **({mdns_future: "mDNS query"} if mdns_future is not None else {})}, on_progress)
    _wait_for(probes_running, deadline.remaining_overall(), cancel)
    dns_end = started + deadline.step_s
    _wait_for(list(dns.values()), max(0.0, min(dns_end - time.monotonic(), deadline.remaining_overall())), cancel)

    observed = Observed(
        plan=plan, deadline_s=deadline.total_s, step_s=deadline.step_s, now_s=clock(), route_table=table_path,
        gateways=table if isinstance(table, BaseException) else probes.default_gateways_of(table),
        dns={h: _settled(f) for h, f in dns.items()},
        endpoints={e: _settled(f) for e, f in endpoints.items()},
        ntp={s: _settled(f) for s, f in ntp.items()},
        portal=None if portal is None else _settled(portal),
        mdns=None if mdns_future is None else _settled(mdns_future), mdns_listen_s=listen_s,
        local={what: _settled(f) for what, f in local.items()},
    )
    results = verdicts.interpret(observed)
    elapsed_ms = (time.monotonic() - started) * 1000
    log.info("netcheck %s: %d checks in %.0f ms", plan.profile_id, len(results), elapsed_ms)
    return NetcheckReport(plan.profile_id, plan.profile_name, plan.generic, deadline.total_s, elapsed_ms,
                          tuple(results), ran_at=ran_at, network=network)
