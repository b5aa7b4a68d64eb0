"""Plan and run the pre-flight checks of a charger's network path, concurrently, under one
overall deadline, so a closed network yields answers instead of a hang.

``plan_for_profile(profile)`` says what to test (the maker's cloud domains on its TCP ports,
TLS on 443/8883, NTP; generic public hosts when the maker documents no domains);
``run_checks(plan)`` tests it and returns a :class:`NetcheckReport`. No check raises: every
error becomes a FAIL/WARN with what was seen and what to open or allow.
"""

from __future__ import annotations

import logging
import math
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from survey.netcheck import probes, sntp
from survey.netcheck.results import CheckResult, NetcheckReport, Status
from survey.project.model import ChargerProfile

log = logging.getLogger(__name__)

#: Overall deadline of one run (brief: a closed network must answer within ~15 s).
DEFAULT_DEADLINE_S = 15.0
#: One DNS lookup, connect, handshake or NTP query: a third of the deadline, so a chain of
#: DNS -> TCP -> TLS still ends inside it; at most 5 s (a healthy path answers in < 1 s).
MAX_STEP_TIMEOUT_S = 5.0
#: Ports the profiles list that are not TCP egress to the cloud hosts: DNS has its own check,
#: NTP (UDP 123) its own SNTP query.
DNS_PORT = 53
NON_TCP_PORTS = frozenset({DNS_PORT, sntp.NTP_PORT})
#: TLS is expected on HTTPS / OCPP-J over wss:// (443) and MQTT over TLS (8883, IANA secure-mqtt).
TLS_PORTS = frozenset({443, 8883})
#: DESIGN "Field facts": chargers need egress on TCP 443 and 8883 (the analysis checklist asks for both).
BASELINE_TCP_PORTS = (443, 8883)
#: Used when a profile names no NTP server; the NTP Pool Project's global name (https://www.ntppool.org/).
DEFAULT_NTP_SERVER = "pool.ntp.org"
#: A clock further off than this fails: certificate and token lifetimes are checked against the
#: clock (DESIGN: "TLS fails on a drifted clock"); a synchronised clock is well under 1 s off.
MAX_CLOCK_OFFSET_S = 60.0


@dataclass(frozen=True)
class Endpoint:
    """A host (name or IP address) and TCP port to connect to; ``tls`` runs a handshake after
    the connect; ``generic`` marks a public test host standing in for the maker's cloud."""

    host: str
    port: int
    tls: bool
    generic: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


#: Public hosts for generic reachability when the maker documents no domains, by port.
#: 443: Cloudflare's public resolver 1.1.1.1 also serves HTTPS (DNS over HTTPS), with a
#: certificate issued for the address itself, so the TLS check works without a name.
#: 8883: test.mosquitto.org, the public Eclipse Mosquitto test broker (https://test.mosquitto.org/),
#: listens for MQTT over TLS; its certificate is signed by the broker's own test CA, which no
#: system trust store holds, so only the TCP connect is tested there.
#: 80: 1.1.1.1 answers plain HTTP too (it redirects to HTTPS).
GENERIC_ENDPOINTS: dict[int, Endpoint] = {
    443: Endpoint("1.1.1.1", 443, tls=True, generic=True, note="Cloudflare 1.1.1.1, public HTTPS"),
    8883: Endpoint("test.mosquitto.org", 8883, tls=False, generic=True,
                   note="public Eclipse Mosquitto test broker, MQTT over TLS"),
    80: Endpoint("1.1.1.1", 80, tls=False, generic=True, note="Cloudflare 1.1.1.1, public HTTP"),
}


@dataclass(frozen=True)
class NtpServer:
    host: str
    port: int = sntp.NTP_PORT

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == sntp.NTP_PORT else f"{host}:{self.port}"


@dataclass(frozen=True)
class CheckPlan:
    """What one run tests. ``domains`` get a DNS check each (IP literals need none);
    ``endpoints`` a TCP connect and, where ``tls``, a handshake; ``tcp_ports`` an egress
    verdict each (any endpoint answering on that port passes it)."""

    profile_id: str
    profile_name: str
    domains: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]
    tcp_ports: tuple[int, ...]
    ntp_servers: tuple[NtpServer, ...]
    generic: bool
    unchecked_note: str = ""  # what cannot be checked for this profile, said in a SKIP result


def plan_for_profile(profile: ChargerProfile, *, extra_endpoints: tuple[tuple[str, int | None], ...] = (),
                     ntp_servers: tuple[NtpServer, ...] = ()) -> CheckPlan:
    """The checks for ``profile``. ``extra_endpoints`` are hosts the installer adds (e.g. names
    read from the charger's queries in the DNS filter's log): ``(host, None)`` tests the host on
    the profile's TCP ports, ``(host, port)`` on that port only. ``ntp_servers`` replace the
    profile's (default: the profile's, else pool.ntp.org)."""
    ntp = tuple(ntp_servers) or tuple(NtpServer(h) for h in profile.ntp_servers) or (NtpServer(DEFAULT_NTP_SERVER),)
    ntp_hosts = {s.host.casefold() for s in ntp}
    profile_tcp = tuple(dict.fromkeys(p for p in profile.ports if p not in NON_TCP_PORTS))
    # An NTP server listed among the cloud domains (Zaptec lists no.pool.ntp.org) is tested by
    # DNS and SNTP, not by TCP: NTP pools serve nothing on 443/8883.
    cloud = [d for d in dict.fromkeys(profile.cloud_domains) if d.casefold() not in ntp_hosts]
    endpoints: list[Endpoint] = []
    for host in cloud:
        endpoints += [Endpoint(host, port, tls=port in TLS_PORTS) for port in profile_tcp]
    for host, port in extra_endpoints:
        for p in ((port,) if port else profile_tcp or BASELINE_TCP_PORTS):
            endpoints.append(Endpoint(host, p, tls=p in TLS_PORTS))
    endpoints = list(dict.fromkeys(endpoints))
    generic = not endpoints
    note = ""
    if generic:
        tcp_ports = tuple(sorted(set(profile_tcp) | set(BASELINE_TCP_PORTS)))
        endpoints = [GENERIC_ENDPOINTS[p] for p in tcp_ports if p in GENERIC_ENDPOINTS]
        maker = profile.maker or profile.name
        note = (f"{maker} documents no cloud domains, so whether this network's DNS filter and firewall let "
                "the charger reach its maker's cloud cannot be checked; only generic reachability of the "
                "internet on the charger's ports is tested (public test hosts, labelled 'generic').")
    else:
        tcp_ports = tuple(sorted({e.port for e in endpoints}))
    domains = tuple(dict.fromkeys([*(e.host for e in endpoints if probes.ip_literal(e.host) is None),
                                   *(s.host for s in ntp if probes.ip_literal(s.host) is None)]))
    return CheckPlan(profile_id=profile.id, profile_name=profile.name, domains=domains,
                     endpoints=tuple(endpoints), tcp_ports=tcp_ports, ntp_servers=ntp, generic=generic,
                     unchecked_note=note)


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
                    done.set_result(_Resolved((literal,), 0.0))
                    self._futures[host] = done
                else:
                    self._futures[host] = _spawn(self._resolve, host, name=f"netcheck-dns-{host}")
            return self._futures[host]

    def _resolve(self, host: str) -> "_Resolved":
        start = time.monotonic()
        try:
            addresses = tuple(self._resolver(host))
        except Exception as exc:  # noqa: BLE001 - any resolver failure is a DNS verdict, never a crash
            raise _ResolveFailed(_exc_text(exc), (time.monotonic() - start) * 1000) from exc
        return _Resolved(addresses, (time.monotonic() - start) * 1000)


@dataclass(frozen=True)
class _Resolved:
    addresses: tuple[str, ...]
    elapsed_ms: float


class _ResolveFailed(Exception):
    def __init__(self, message: str, elapsed_ms: float):
        super().__init__(message)
        self.elapsed_ms = elapsed_ms


class _DnsUnusable(Exception):
    """The name did not resolve to an address a connection could use (the DNS check says why)."""


@dataclass(frozen=True)
class _EndpointOutcome:
    address: str = ""
    tcp_error: BaseException | None = None
    tcp_ms: float = 0.0
    tls: probes.TlsSession | None = None
    tls_error: BaseException | None = None
    tls_ms: float = 0.0


def _usable_addresses(host: str, resolved: _Resolved) -> list[str]:
    """Addresses worth dialling. A name answered with a sinkhole address is blocked: dialling
    0.0.0.0 would reach this laptop itself, so nothing is tried. An IP address given directly
    (e.g. a local test server) is used as it is."""
    if probes.ip_literal(host) is not None:
        return list(resolved.addresses)
    if not resolved.addresses or any(probes.is_sinkhole_address(a) for a in resolved.addresses):
        raise _DnsUnusable(f"DNS answered {host} with a blocking address ({', '.join(resolved.addresses) or 'none'})")
    return list(resolved.addresses)


def _probe_endpoint(endpoint: Endpoint, lookups: _Lookups, deadline: _Deadline,
                    tls_context: ssl.SSLContext | None) -> _EndpointOutcome:
    try:
        resolved: _Resolved = lookups.get(endpoint.host).result(timeout=deadline.step())
    except BaseException as exc:  # noqa: BLE001 - reported by the DNS check
        raise _DnsUnusable(f"{endpoint.host} did not resolve ({_exc_text(exc)})") from exc
    usable = _usable_addresses(endpoint.host, resolved)
    start = time.monotonic()
    sock = None
    error: BaseException | None = None
    address = usable[0]
    for address in usable:  # e.g. an IPv6 address first on a network without IPv6: try the next
        try:
            sock = probes.tcp_connect(address, endpoint.port, deadline.step())
            break
        except OSError as exc:
            error = exc
            if deadline.remaining() <= 0:
                break
    tcp_ms = (time.monotonic() - start) * 1000
    if sock is None:
        return _EndpointOutcome(address=address, tcp_error=error or TimeoutError("no address tried"), tcp_ms=tcp_ms)
    if not endpoint.tls:
        sock.close()
        return _EndpointOutcome(address=address, tcp_ms=tcp_ms)
    start = time.monotonic()
    try:
        context = tls_context or ssl.create_default_context()
        session = probes.tls_handshake(sock, endpoint.host, context, deadline.step())
        return _EndpointOutcome(address=address, tcp_ms=tcp_ms, tls=session, tls_ms=(time.monotonic() - start) * 1000)
    except (OSError, ssl.SSLError, ValueError) as exc:
        return _EndpointOutcome(address=address, tcp_ms=tcp_ms, tls_error=exc,
                                tls_ms=(time.monotonic() - start) * 1000)
    finally:
        sock.close()


def _query_ntp(server: NtpServer, lookups: _Lookups, deadline: _Deadline,
               clock: Callable[[], float]) -> sntp.SntpReply:
    try:
        resolved: _Resolved = lookups.get(server.host).result(timeout=deadline.step())
    except BaseException as exc:  # noqa: BLE001
        raise _DnsUnusable(f"did not resolve ({_exc_text(exc)})") from exc
    usable = _usable_addresses(server.host, resolved)
    last: BaseException | None = None
    for address in usable[:3]:  # a pool name gives several servers; one answer is enough
        try:
            return replace(sntp.query(address, server.port, deadline.step(), clock=clock), server=address)
        except (OSError, sntp.SntpError) as exc:
            last = exc
            if deadline.remaining() <= 0:
                break
    raise last or TimeoutError("no NTP reply")


# --------------------------------------------------------------------------- the run


@dataclass
class _Run:
    plan: CheckPlan
    deadline: _Deadline
    clock: Callable[[], float]
    dns: dict[str, Future] = field(default_factory=dict)
    endpoints: dict[Endpoint, Future] = field(default_factory=dict)
    ntp: dict[NtpServer, Future] = field(default_factory=dict)


def run_checks(plan: CheckPlan, *, deadline_s: float = DEFAULT_DEADLINE_S, resolver: probes.Resolver | None = None,
               tls_context: ssl.SSLContext | None = None, route_table: Path | None = None,
               clock: Callable[[], float] = time.time) -> NetcheckReport:
    """Run every check of ``plan`` concurrently and return within about ``deadline_s`` seconds.

    ``resolver`` (default: the system resolver), ``tls_context`` (default:
    ``ssl.create_default_context()``, the system trust store), ``route_table`` (default
    /proc/net/route) and ``clock`` (the wall clock NTP measures) are injectable for tests.
    """
    started = time.monotonic()
    deadline = _Deadline(max(0.5, float(deadline_s)))
    lookups = _Lookups(resolver or probes.system_resolve)
    run = _Run(plan, deadline, clock)
    for host in plan.domains:
        run.dns[host] = lookups.get(host)
    for endpoint in plan.endpoints:
        run.endpoints[endpoint] = _spawn(_probe_endpoint, endpoint, lookups, deadline, tls_context,
                                         name=f"netcheck-{endpoint.label}")
    for server in plan.ntp_servers:
        run.ntp[server] = _spawn(_query_ntp, server, lookups, deadline, clock, name=f"netcheck-ntp-{server.label}")
    gateway = _gateway_result(route_table or probes.ROUTE_TABLE)
    # A lookup gets one step (5 s by default, the system resolver's own per-try timeout in
    # resolv.conf(5)): a DNS server silent for longer fails the charger too, and a silent one
    # then costs one step instead of the whole deadline. The probes waiting on a lookup give up
    # after that step, so waiting for them bounds the run.
    wait([*run.endpoints.values(), *run.ntp.values()], timeout=deadline.remaining_overall())
    dns_end = started + deadline.step_s
    wait(list(run.dns.values()), timeout=max(0.0, min(dns_end - time.monotonic(), deadline.remaining_overall())))
    results = [gateway]
    if plan.unchecked_note:
        results.append(CheckResult("cloud_domains", "Maker's cloud domains", Status.SKIP, plan.unchecked_note,
                                   "After the charger is connected, read the names it looks up in the DNS filter's "
                                   "or router's query log, allow them, and test them with "
                                   "`evsurvey check --domain NAME`."))
    results += _dns_results(run)
    results += _endpoint_results(run)
    results += _ntp_results(run)
    elapsed_ms = (time.monotonic() - started) * 1000
    log.info("netcheck %s: %d checks in %.0f ms", plan.profile_id, len(results), elapsed_ms)
    return NetcheckReport(plan.profile_id, plan.profile_name, plan.generic, deadline.total_s, elapsed_ms,
                          tuple(results))


# --------------------------------------------------------------------------- verdicts


def _gateway_result(route_table: Path) -> CheckResult:
    start = time.monotonic()
    title = "Default gateway"
    try:
        gateways = probes.default_gateways(route_table)
    except FileNotFoundError:
        return CheckResult("gateway", title, Status.SKIP,
                           f"No Linux routing table at {route_table} on this system: the default gateway is not "
                           "read here (the DNS, TCP and NTP checks still show whether the internet is reachable).",
                           elapsed_ms=(time.monotonic() - start) * 1000)
    except (OSError, ValueError) as exc:
        return CheckResult("gateway", title, Status.WARN, f"The routing table could not be read ({exc}).",
                           elapsed_ms=(time.monotonic() - start) * 1000)
    ms = (time.monotonic() - start) * 1000
    if not gateways:
        return CheckResult("gateway", title, Status.FAIL,
                           "This laptop has no default route: the network gives it no way to the internet.",
                           "Check that the laptop is joined to the charger's SSID/VLAN and got a DHCP lease "
                           "with a router (gateway) address; check the VLAN's DHCP settings.", ms)
    first = gateways[0]
    more = f" (and {len(gateways) - 1} more)" if len(gateways) > 1 else ""
    return CheckResult("gateway", title, Status.PASS, f"{first.address} via {first.interface}{more}.", elapsed_ms=ms)


def _exc_text(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    return str(exc) or type(exc).__name__


def _dns_results(run: _Run) -> list[CheckResult]:
    generic_hosts = {e.host for e in run.plan.endpoints if e.generic}
    out: list[CheckResult] = []
    answers: dict[str, tuple[str, ...]] = {}
    for host, future in run.dns.items():
        title = f"DNS {host}" + (" (generic)" if host in generic_hosts else "")
        cid = f"dns:{host}"
        if not future.done():
            out.append(CheckResult(cid, title, Status.FAIL,
                                   f"No answer within {run.deadline.step_s:.1f} s: the DNS server this network "
                                   "hands out does not respond.",
                                   "Let the charger's network reach its DNS server (UDP and TCP 53), or hand out a "
                                   "working DNS server by DHCP.", run.deadline.step_s * 1000))
            continue
        exc = future.exception()
        if exc is not None:
            out.append(CheckResult(cid, title, Status.FAIL, f"Does not resolve: {_exc_text(exc)}.",
                                   f"The DNS server on this network does not know {host}. If it is a DNS filter "
                                   "(Pi-hole, AdGuard Home), look for the name in its query log and allow it; "
                                   "otherwise check the DNS server handed out by DHCP.",
                                   getattr(exc, "elapsed_ms", 0.0)))
            continue
        resolved: _Resolved = future.result()
        answers[host] = resolved.addresses
        shown = ", ".join(resolved.addresses[:4]) + (" ..." if len(resolved.addresses) > 4 else "")
        if not resolved.addresses:
            out.append(CheckResult(cid, title, Status.FAIL, "The DNS server answered with no address.",
                                   f"Allow {host} in the DNS filter, or check the DNS server.", resolved.elapsed_ms))
        elif any(probes.is_sinkhole_address(a) for a in resolved.addresses):
            out.append(CheckResult(cid, title, Status.FAIL,
                                   f"Answered {shown}: blocked by a DNS filter such as Pi-hole/AdGuard.",
                                   f"Allow-list {host} in the DNS filter (Pi-hole: Domains / whitelist; AdGuard Home "
                                   f"custom rule @@||{host}^).", resolved.elapsed_ms))
        elif all(probes.is_private_address(a) for a in resolved.addresses):
            out.append(CheckResult(cid, title, Status.WARN,
                                   f"Answered the private address {shown}: a public cloud name should resolve to a "
                                   "public address (a DNS filter's block page or a split-horizon DNS answers so).",
                                   f"If a DNS filter blocks {host}, allow-list it.", resolved.elapsed_ms))
        else:
            out.append(CheckResult(cid, title, Status.PASS, f"{shown} ({resolved.elapsed_ms:.0f} ms).",
                                   elapsed_ms=resolved.elapsed_ms))
    # A filter that answers every blocked name with its own LAN address (a block page) shows
    # as the same private address for every name.
    if len(answers) >= 2:
        sets = {frozenset(a) for a in answers.values()}
        only = next(iter(sets))
        if len(sets) == 1 and len(only) == 1 and probes.is_private_address(next(iter(only))):
            address = next(iter(only))
            names = ", ".join(answers)
            out.append(CheckResult("dns:filter", "DNS filter", Status.FAIL,
                                   f"Every name resolved to the same private address {address}: blocked by a DNS "
                                   "filter such as Pi-hole/AdGuard (it answers blocked names with its own address).",
                                   f"Allow-list these domains in the DNS filter: {names}."))
    return out


def _endpoint_results(run: _Run) -> list[CheckResult]:
    outcomes: dict[Endpoint, _EndpointOutcome | BaseException | None] = {}
    for endpoint, future in run.endpoints.items():
        if not future.done():
            outcomes[endpoint] = None
        elif future.exception() is not None:
            outcomes[endpoint] = future.exception()
        else:
            outcomes[endpoint] = future.result()

    def connected(e: Endpoint) -> bool:
        o = outcomes[e]
        return isinstance(o, _EndpointOutcome) and o.tcp_error is None

    answered_hosts = {e.host for e in outcomes if connected(e)}
    tcp, tls = [], []
    timeout_ms = run.deadline.total_s * 1000
    for e, o in outcomes.items():
        tag = " (generic)" if e.generic else ""
        title = f"TCP {e.port} to {e.host}{tag}"
        cid = f"tcp:{e.label}"
        open_fix = (f"Allow outbound TCP {e.port} from the charger's network to the internet "
                    "(router / firewall rules of the IoT VLAN).")
        note = f" [{e.note}]" if e.note else ""
        if o is None:
            tcp.append(CheckResult(cid, title, Status.FAIL, f"No answer within {run.deadline.total_s:.0f} s.{note}",
                                   open_fix, timeout_ms))
        elif isinstance(o, _DnsUnusable):
            # Already a FAIL of the DNS check; failing it again per port would only repeat it.
            tcp.append(CheckResult(cid, title, Status.SKIP, f"Not tried: {o} (see the DNS check).{note}"))
        elif isinstance(o, BaseException):
            tcp.append(CheckResult(cid, title, Status.FAIL, f"Could not be tested: {_exc_text(o)}.{note}", open_fix))
        elif o.tcp_error is None:
            tcp.append(CheckResult(cid, title, Status.PASS, f"Connected to {o.address} in {o.tcp_ms:.0f} ms.{note}",
                                   elapsed_ms=o.tcp_ms))
        else:
            seen = _tcp_error_text(o.tcp_error, o.address, e.port)
            if e.host in answered_hosts:
                # The host took another of the listed ports, so it is reachable: most likely it does
                # not serve this port (profiles list ports, not which host uses which).
                other = sorted(x.port for x in outcomes if x.host == e.host and connected(x))
                tcp.append(CheckResult(cid, title, Status.WARN,
                                       f"{seen} The host answered on TCP {', '.join(map(str, other))}, so it may simply "
                                       f"not serve {e.port}; the 'Outbound TCP {e.port}' check says whether the port "
                                       f"leaves this network.{note}", elapsed_ms=o.tcp_ms))
            else:
                tcp.append(CheckResult(cid, title, Status.FAIL, seen + note, open_fix, o.tcp_ms))
        if e.tls:
            tls.append(_tls_result(e, o, run))
    egress = []
    for port in run.plan.tcp_ports:
        on_port = [e for e in outcomes if e.port == port]
        title = f"Outbound TCP {port}" + (" (generic)" if run.plan.generic else "")
        if not on_port:
            egress.append(CheckResult(f"egress:{port}", title, Status.SKIP,
                                      f"No public test host is known for TCP {port}: it cannot be checked without the "
                                      "maker's host names.", f"Ask the maker which host the charger uses on {port}, "
                                      "then run `evsurvey check --domain HOST:PORT`."))
            continue
        ok = [e for e in on_port if connected(e)]
        if ok:
            egress.append(CheckResult(f"egress:{port}", title, Status.PASS,
                                      f"Leaves this network: {', '.join(e.host for e in ok)} answered."))
        elif all(isinstance(outcomes[e], _DnsUnusable) for e in on_port):
            egress.append(CheckResult(f"egress:{port}", title, Status.SKIP,
                                      "Not tested: no host on this port resolved (see the DNS checks)."))
        else:
            egress.append(CheckResult(f"egress:{port}", title, Status.FAIL,
                                      f"No host answered on TCP {port}: outbound {port} is blocked on this network.",
                                      f"Allow outbound TCP {port} from the charger's network in the router/firewall"
                                      + (" (443: HTTPS / OCPP over wss://)." if port == 443 else
                                         " (8883: MQTT over TLS)." if port == 8883 else ".")))
    return tcp + egress + tls


def _tcp_error_text(exc: BaseException, address: str, port: int) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return (f"Refused by {address}: the host, or a firewall on the way, rejected TCP {port}.")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"No answer from {address} (timed out): a firewall drops TCP {port}, or the host is down."
    if isinstance(exc, OSError) and exc.errno in (101, 113, 10051, 10065):  # ENETUNREACH/EHOSTUNREACH (Linux, Winsock)
        return f"No route to {address}: this network has no way to the internet (or IPv6 is missing)."
    return f"Failed: {_exc_text(exc)}."


# OpenSSL verify codes (include/openssl/x509_vfy.h) that have a plain explanation here.
_NOT_YET_VALID, _EXPIRED = 9, 10
_UNTRUSTED = {18, 19, 20, 21}  # self-signed leaf / in chain, issuer unknown, leaf not verifiable
_MISMATCH = {62, 64}  # host name / IP address not in the certificate


def _utc(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _tls_result(e: Endpoint, o, run: _Run) -> CheckResult:
    title = f"TLS {e.port} to {e.host}" + (" (generic)" if e.generic else "")
    cid = f"tls:{e.label}"
    if not isinstance(o, _EndpointOutcome) or o.tcp_error is not None:
        return CheckResult(cid, title, Status.SKIP, "No TCP connection to hand-shake on (see the TCP check).")
    if o.tls is not None:
        s = o.tls
        now = run.clock()
        days_left = (s.not_after_s - now) / 86400
        detail = (f"{s.version}, certificate from {s.issuer} valid {_utc(s.not_before_s)} to {_utc(s.not_after_s)} "
                  f"({days_left:.0f} days left by this laptop's clock), {o.tls_ms:.0f} ms.")
        return CheckResult(cid, title, Status.PASS, detail, elapsed_ms=o.tls_ms)
    exc = o.tls_error
    code = getattr(exc, "verify_code", None)
    clock_text = f"this laptop's clock reads {_utc(run.clock())}"
    skew = _ntp_offset_text(run)
    if code in (_NOT_YET_VALID, _EXPIRED):
        what = "is not valid yet" if code == _NOT_YET_VALID else "has expired"
        return CheckResult(cid, title, Status.FAIL,
                           f"The certificate {what} by this laptop's clock ({clock_text}{skew}).",
                           "A wrong clock breaks TLS: set this laptop's clock from NTP and re-run. If the clock is "
                           "right, something on the path (a TLS-inspecting firewall) serves an outdated "
                           "certificate: exempt the charger's network from TLS inspection.", o.tls_ms)
    if code in _UNTRUSTED or code in _MISMATCH:
        why = ("the certificate is not for this host" if code in _MISMATCH
               else "the certificate is not signed by a trusted authority")
        return CheckResult(cid, title, Status.FAIL,
                           f"The server's certificate was refused: {why} ({getattr(exc, 'verify_message', '') or exc}); something "
                           "on this network intercepts TLS (a firewall's SSL inspection, a captive portal).",
                           "Exempt the charger's network from TLS/SSL inspection and captive portals: a charger "
                           "trusts only its maker's certificates.", o.tls_ms)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return CheckResult(cid, title, Status.FAIL,
                           "The TLS handshake did not complete in time: a firewall or IPS may stall TLS to this host.",
                           f"Allow TLS on TCP {e.port} to {e.host} without inspection.", o.tls_ms)
    return CheckResult(cid, title, Status.FAIL,
                       f"The TLS handshake failed: {_exc_text(exc)} (the port answered, but not with TLS: a proxy, "
                       "captive portal or firewall may sit in the way).",
                       f"Allow TLS on TCP {e.port} to {e.host} straight through, without a proxy or inspection.",
                       o.tls_ms)


def _ntp_offset_text(run: _Run) -> str:
    for future in run.ntp.values():
        if future.done() and future.exception() is None:
            return f"; NTP says it is {future.result().offset_s:+.0f} s off"
    return ""


def _ntp_results(run: _Run) -> list[CheckResult]:
    replies, errors = [], []
    silent = False  # some server stayed silent: the signature of UDP 123 being dropped
    for server, future in run.ntp.items():
        if not future.done():
            silent = True
            errors.append(f"{server.label}: no reply within {run.deadline.total_s:.0f} s")
        elif future.exception() is not None:
            exc = future.exception()
            if isinstance(exc, (TimeoutError, socket.timeout)):
                silent = True
                errors.append(f"{server.label}: no reply (timed out)")
            elif isinstance(exc, _DnsUnusable):
                errors.append(f"{server.label}: {exc}")
            else:
                errors.append(f"{server.label}: {_exc_text(exc)}")
        else:
            replies.append((server, future.result()))
    servers = ", ".join(s.label for s in run.plan.ntp_servers)
    title = "NTP clock (UDP 123)"
    if not replies:
        hint = " UDP 123 may be blocked on this network." if silent else ""
        fix = (f"Allow outbound UDP 123 (NTP) to {servers}: TLS fails on a drifted clock." if silent else
               f"Make {servers} resolve and reachable on UDP 123 (see the DNS checks): TLS fails on a drifted clock.")
        return [CheckResult("ntp", title, Status.WARN, "No NTP reply: " + "; ".join(errors) + "." + hint, fix,
                            run.deadline.total_s * 1000 if silent else 0.0)]
    server, reply = replies[0]
    offset = reply.offset_s
    detail = (f"{server.label} ({reply.server}, stratum {reply.stratum}): this laptop's clock is "
              f"{abs(offset):.3f} s {'behind' if offset > 0 else 'ahead'}, round trip {reply.delay_s * 1000:.0f} ms.")
    if not math.isfinite(offset) or abs(offset) > MAX_CLOCK_OFFSET_S:
        return [CheckResult("ntp", title, Status.FAIL, detail + " TLS fails on a drifted clock.",
                            "Set this laptop's clock from NTP and re-run; if it drifts again on this network, the "
                            f"network blocks or redirects NTP: allow outbound UDP 123 to {servers}.",
                            reply.delay_s * 1000)]
    if reply.leap_alarm:
        return [CheckResult("ntp", title, Status.WARN, detail + " The server says its own clock is not synchronised.",
                            "Use another NTP server (e.g. pool.ntp.org) on this network.", reply.delay_s * 1000)]
    return [CheckResult("ntp", title, Status.PASS, detail, elapsed_ms=reply.delay_s * 1000)]
