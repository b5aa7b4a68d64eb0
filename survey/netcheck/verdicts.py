"""Turn what one run saw (:class:`~survey.netcheck.outcomes.Observed`) into check results:
PASS/WARN/FAIL/SKIP, what was seen, and what to change in the network.

Only an answer from a public address counts as "leaves this network": a loopback, private,
link-local or carrier-grade-NAT address that answers is reported as local
(:func:`survey.netcheck.probes.address_scope`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

from survey.netcheck import modbus, probes
from survey.netcheck.httpprobe import HttpAnswer
from survey.netcheck.outcomes import (
    PENDING,
    DnsUnusable,
    EndpointOutcome,
    ExchangeOutcome,
    Observed,
    exc_text,
    is_timeout,
)
from survey.netcheck.plan import Endpoint, LocalApi
from survey.netcheck.results import CheckResult, Status
from survey.project.profiles import filter_rules

#: A clock further off than this fails: certificate and token lifetimes are checked against the
#: clock (DESIGN: "TLS fails on a drifted clock"); a synchronised clock is well under 1 s off.
MAX_CLOCK_OFFSET_S = 60.0

#: The advice when the charger cannot be found or reached locally (DESIGN "Field facts": an
#: mDNS reflector or a static IP reservation for local polling). Avahi's reflector is the
#: ``enable-reflector`` option of avahi-daemon.conf(5).
RESERVATION_ADVICE = (
    "For local polling (Home Assistant, REST, Modbus TCP), give the charger a DHCP reservation "
    "(a fixed IP) in the router and poll that IP; if an integration finds the charger by mDNS from "
    "another VLAN, add an mDNS reflector between the VLANs (Avahi: enable-reflector=yes; many "
    "routers call it an 'mDNS repeater')."
)
PORTAL_FIX = (
    "A charger cannot log in to a captive portal: put it on an SSID without one, or exempt its MAC address "
    "in the portal's settings (often called MAC bypass or allowed devices)."
)


def interpret(seen: Observed) -> list[CheckResult]:
    """Every result of the run, in a stable order: gateway, captive portal, the maker's domains,
    DNS, TCP, egress, TLS, NTP, mDNS, the charger's local API."""
    results = [_gateway_result(seen)]
    if seen.portal is not None:
        results.append(_portal_result(seen))
    if seen.plan.unchecked_note:
        results.append(_cloud_domains_result(seen))
    results += _dns_results(seen)
    results += _endpoint_results(seen)
    if seen.ntp:
        results += _ntp_results(seen)
    if seen.mdns is not None:
        results.append(_mdns_result(seen))
    results += _local_results(seen)
    return results


def _scope_note(address: str, port: int) -> str:
    scope = probes.address_scope(address)
    if scope == "public":
        return ""
    return (
        f" {address} is {probes.SCOPE_WORDS[scope]}: a local answer, which does not show that TCP {port} "
        "leaves this network."
    )


# --------------------------------------------------------------------------- gateway, maker


def _gateway_result(seen: Observed) -> CheckResult:
    title = "Default gateway"
    gateways = seen.gateways
    if isinstance(gateways, FileNotFoundError):
        return CheckResult(
            "gateway",
            title,
            Status.SKIP,
            f"No Linux routing table at {seen.route_table} on this system: the default gateway is not "
            "read here (the DNS, TCP and NTP checks still show whether the internet is reachable).",
        )
    if isinstance(gateways, BaseException):
        return CheckResult("gateway", title, Status.WARN, f"The routing table could not be read ({gateways}).")
    if not gateways:
        return CheckResult(
            "gateway",
            title,
            Status.FAIL,
            "This laptop has no default route: the network gives it no way to the internet.",
            "Check that the laptop is joined to the charger's SSID/VLAN and got a DHCP lease "
            "with a router (gateway) address; check the VLAN's DHCP settings.",
        )
    first = gateways[0]
    more = f" (and {len(gateways) - 1} more)" if len(gateways) > 1 else ""
    return CheckResult("gateway", title, Status.PASS, f"{first.address} via {first.interface}{more}.")


def _allowlist_text(patterns) -> str:
    return "; ".join(filter_rules(p) for p in patterns)


def _cloud_domains_result(seen: Observed) -> CheckResult:
    plan = seen.plan
    allow = f"Allow-list in the DNS filter: {_allowlist_text(plan.allowlist)}. Then r" if plan.allowlist else "R"
    return CheckResult(
        "cloud_domains",
        "Maker's cloud domains",
        Status.SKIP,
        plan.unchecked_note,
        f"{allow}ead the exact names the charger looks up in the DNS filter's or router's query log "
        "after it is connected, allow them, and test them with `evsurvey check --domain NAME`.",
    )


# --------------------------------------------------------------------------- captive portal


def _portal_result(seen: Observed) -> CheckResult:
    portal = seen.plan.portal
    if portal is None:  # interpret() asks only when the run probed the portal the plan names
        raise ValueError("a captive-portal outcome without a captive-portal probe in the plan")
    title = "Captive portal (HTTP connectivity check)"
    o = seen.portal
    url = portal.url
    if o is PENDING:
        return CheckResult(
            "portal",
            title,
            Status.WARN,
            f"{url} gave no answer within {seen.deadline_s:.0f} s.",
            elapsed_ms=seen.deadline_s * 1000,
        )
    if isinstance(o, DnsUnusable):
        return CheckResult("portal", title, Status.WARN, f"Not tested: {o}, so a captive portal cannot be ruled out.")
    if not isinstance(o, ExchangeOutcome):
        return CheckResult("portal", title, Status.WARN, f"Could not be tested: {exc_text(o)}.")
    if o.error is not None:
        if o.stage == "connect":
            return CheckResult(
                "portal",
                title,
                Status.WARN,
                f"Could not connect to {url} ({o.address}): {exc_text(o.error)}. Plain HTTP (TCP "
                f"{portal.port}) may be blocked here, so a captive portal cannot be ruled out.",
                elapsed_ms=o.elapsed_ms,
            )
        return CheckResult(
            "portal",
            title,
            Status.WARN,
            f"{o.address} accepted the connection but gave no HTTP answer ({exc_text(o.error)}): "
            "a firewall or proxy may sit in the way.",
            elapsed_ms=o.elapsed_ms,
        )
    answer: HttpAnswer = o.answer
    expected = f"{portal.expect_status} with " + ("an empty body" if not portal.expect_body else "the expected body")
    if answer.status == portal.expect_status and answer.body == portal.expect_body:
        scope = probes.address_scope(o.address)
        if scope != "public":
            return CheckResult(
                "portal",
                title,
                Status.WARN,
                f"{url} answered {expected}, but from {o.address}, {probes.SCOPE_WORDS[scope]}: a "
                "local server answered, so this does not show the internet is reachable without a "
                "portal.",
                elapsed_ms=o.elapsed_ms,
            )
        return CheckResult(
            "portal",
            title,
            Status.PASS,
            f"{url} answered {expected}, as a network without a captive portal does "
            f"({o.address}, {o.elapsed_ms:.0f} ms).",
            elapsed_ms=o.elapsed_ms,
        )
    if answer.is_redirect:
        where = f" to {answer.location}" if answer.location else ""
        return CheckResult(
            "portal",
            title,
            Status.FAIL,
            f"{url} was redirected ({answer.status} {answer.reason}){where} instead of answering "
            f"{expected}: a captive portal (a guest or hotel Wi-Fi login page) intercepts web traffic "
            "on this network.",
            PORTAL_FIX,
            o.elapsed_ms,
        )
    page = _page_title(answer.body)
    return CheckResult(
        "portal",
        title,
        Status.FAIL,
        f"{url} answered {answer.status} {answer.reason} with {len(answer.body)} bytes"
        + (f" ('{page}')" if page else "")
        + f" instead of {expected}: a captive portal or a web proxy "
        "intercepts plain HTTP on this network.",
        PORTAL_FIX,
        o.elapsed_ms,
    )


def _page_title(body: bytes) -> str:
    match = re.search(rb"<title[^>]*>([^<]{1,80})", body, re.IGNORECASE)
    text = match.group(1) if match else body[:60]
    return "".join(ch for ch in text.decode("utf-8", "replace") if ch.isprintable()).strip()


# --------------------------------------------------------------------------- DNS


def _dns_results(seen: Observed) -> list[CheckResult]:
    plan = seen.plan
    generic_hosts = {e.host for e in plan.endpoints if e.generic}
    wildcard_of = {p[2:]: p for p in plan.allowlist if p.startswith("*.")}
    out: list[CheckResult] = []
    answers: dict[str, tuple[str, ...]] = {}
    for host, o in seen.dns.items():
        probe = host in plan.probe_domains
        title = f"DNS {host}" + (
            " (generic)"
            if host in generic_hosts
            else f" (probe of {wildcard_of[host]})"
            if probe and host in wildcard_of
            else ""
        )
        cid = f"dns:{host}"
        allow = f"Allow-list in the DNS filter: {filter_rules(wildcard_of.get(host, host))}."
        if o is PENDING:
            out.append(
                CheckResult(
                    cid,
                    title,
                    Status.FAIL,
                    f"No answer within {seen.step_s:.1f} s: the DNS server this network hands out does not respond.",
                    "Let the charger's network reach its DNS server (UDP and TCP 53), or hand out a "
                    "working DNS server by DHCP.",
                    seen.step_s * 1000,
                )
            )
            continue
        if isinstance(o, BaseException):
            out.append(
                CheckResult(
                    cid,
                    title,
                    Status.FAIL,
                    f"Does not resolve: {exc_text(o)}.",
                    f"The DNS server on this network does not know {host}. If it is a DNS filter "
                    f"(Pi-hole, AdGuard Home), look for the name in its query log. {allow} Otherwise "
                    "check the DNS server handed out by DHCP.",
                    getattr(o, "elapsed_ms", 0.0),
                )
            )
            continue
        answers[host] = o.addresses
        shown = ", ".join(o.addresses[:4]) + (" ..." if len(o.addresses) > 4 else "")
        if not o.addresses:
            out.append(
                CheckResult(
                    cid,
                    title,
                    Status.FAIL,
                    "The DNS server answered with no address.",
                    f"{allow} Or check the DNS server.",
                    o.elapsed_ms,
                )
            )
        elif any(probes.is_sinkhole_address(a) for a in o.addresses):
            out.append(
                CheckResult(
                    cid,
                    title,
                    Status.FAIL,
                    f"Answered {shown}: blocked by a DNS filter such as Pi-hole/AdGuard.",
                    allow,
                    o.elapsed_ms,
                )
            )
        elif not any(probes.is_public_address(a) for a in o.addresses):
            scopes = sorted({probes.SCOPE_WORDS[probes.address_scope(a)] for a in o.addresses})
            out.append(
                CheckResult(
                    cid,
                    title,
                    Status.WARN,
                    f"Answered {shown} ({', '.join(scopes)}): a public cloud name should resolve to a "
                    "public address (a DNS filter's block page or a split-horizon DNS answers so).",
                    f"If a DNS filter blocks {host}: {allow}",
                    o.elapsed_ms,
                )
            )
        else:
            out.append(
                CheckResult(cid, title, Status.PASS, f"{shown} ({o.elapsed_ms:.0f} ms).", elapsed_ms=o.elapsed_ms)
            )
    # A filter that answers every blocked name with its own LAN address (a block page) shows
    # as the same private address for every name.
    if len(answers) >= 2:
        sets = {frozenset(a) for a in answers.values()}
        only = next(iter(sets))
        if len(sets) == 1 and len(only) == 1 and probes.is_private_address(next(iter(only))):
            address = next(iter(only))
            names = ", ".join(answers)
            out.append(
                CheckResult(
                    "dns:filter",
                    "DNS filter",
                    Status.FAIL,
                    f"Every name resolved to the same private address {address}: blocked by a DNS "
                    "filter such as Pi-hole/AdGuard (it answers blocked names with its own address).",
                    f"Allow-list these domains in the DNS filter: {names}."
                    + (f" ({_allowlist_text(plan.allowlist)})" if plan.allowlist else ""),
                )
            )
    return out


# --------------------------------------------------------------------------- TCP, egress, TLS


def _endpoint_results(seen: Observed) -> list[CheckResult]:
    outcomes = seen.endpoints

    def connected(e: Endpoint) -> bool:
        o = outcomes[e]
        return isinstance(o, EndpointOutcome) and o.tcp_error is None

    def left_network(e: Endpoint) -> bool:
        return connected(e) and probes.is_public_address(outcomes[e].address)

    answered_hosts = {e.host for e in outcomes if connected(e)}
    tcp, tls = [], []
    timeout_ms = seen.deadline_s * 1000
    for e, o in outcomes.items():
        tag = " (generic)" if e.generic else ""
        title = f"TCP {e.port} to {e.host}{tag}"
        cid = f"tcp:{e.label}"
        open_fix = (
            f"Allow outbound TCP {e.port} from the charger's network to the internet "
            "(router / firewall rules of the IoT VLAN)."
        )
        note = f" [{e.note}]" if e.note else ""
        if o is PENDING:
            tcp.append(
                CheckResult(
                    cid, title, Status.FAIL, f"No answer within {seen.deadline_s:.0f} s.{note}", open_fix, timeout_ms
                )
            )
        elif isinstance(o, DnsUnusable):
            # Already a FAIL of the DNS check; failing it again per port would only repeat it.
            tcp.append(CheckResult(cid, title, Status.SKIP, f"Not tried: {o} (see the DNS check).{note}"))
        elif isinstance(o, BaseException):
            tcp.append(CheckResult(cid, title, Status.FAIL, f"Could not be tested: {exc_text(o)}.{note}", open_fix))
        elif o.tcp_error is None:
            tcp.append(
                CheckResult(
                    cid,
                    title,
                    Status.PASS,
                    f"Connected to {o.address} in {o.tcp_ms:.0f} ms." + _scope_note(o.address, e.port) + note,
                    elapsed_ms=o.tcp_ms,
                )
            )
        else:
            seen_text = _tcp_error_text(o.tcp_error, o.address, e.port)
            if e.host in answered_hosts:
                # The host took another of the listed ports, so it is reachable: most likely it does
                # not serve this port (profiles list ports, not which host uses which).
                other = sorted(x.port for x in outcomes if x.host == e.host and connected(x))
                tcp.append(
                    CheckResult(
                        cid,
                        title,
                        Status.WARN,
                        f"{seen_text} The host answered on TCP {', '.join(map(str, other))}, so it may "
                        f"simply not serve {e.port}; the 'Outbound TCP {e.port}' check says whether the "
                        f"port leaves this network.{note}",
                        elapsed_ms=o.tcp_ms,
                    )
                )
            else:
                tcp.append(CheckResult(cid, title, Status.FAIL, seen_text + note, open_fix, o.tcp_ms))
        if e.tls:
            tls.append(_tls_result(e, o, seen))
    egress = []
    for port in seen.plan.tcp_ports:
        on_port = [e for e in outcomes if e.port == port]
        cid, title = f"egress:{port}", f"Outbound TCP {port}" + (" (generic)" if seen.plan.generic else "")
        if not on_port:
            egress.append(
                CheckResult(
                    cid,
                    title,
                    Status.SKIP,
                    f"No public test host is known for TCP {port}: it cannot be checked without the "
                    "maker's host names.",
                    f"Ask the maker which host the charger uses on {port}, "
                    "then run `evsurvey check --domain HOST:PORT`.",
                )
            )
            continue
        public = [e for e in on_port if left_network(e)]
        local = [e for e in on_port if connected(e) and not left_network(e)]
        if public:
            egress.append(
                CheckResult(
                    cid,
                    title,
                    Status.PASS,
                    f"Leaves this network: {', '.join(e.host for e in public)} answered from a public address.",
                )
            )
        elif local:
            shown = ", ".join(
                f"{e.host} at {outcomes[e].address} ({probes.SCOPE_WORDS[probes.address_scope(outcomes[e].address)]})"
                for e in local
            )
            egress.append(
                CheckResult(
                    cid,
                    title,
                    Status.WARN,
                    f"Only local addresses answered on TCP {port} ({shown}): whether TCP {port} "
                    "leaves this network is not shown.",
                    f"Test a public or maker host on TCP {port}: `evsurvey check --domain HOST:{port}`.",
                )
            )
        elif all(isinstance(outcomes[e], DnsUnusable) for e in on_port):
            egress.append(
                CheckResult(cid, title, Status.SKIP, "Not tested: no host on this port resolved (see the DNS checks).")
            )
        else:
            egress.append(
                CheckResult(
                    cid,
                    title,
                    Status.FAIL,
                    f"No host answered on TCP {port}: outbound {port} is blocked on this network.",
                    f"Allow outbound TCP {port} from the charger's network in the router/firewall"
                    + (
                        " (443: HTTPS / OCPP over wss://)."
                        if port == 443
                        else " (8883: MQTT over TLS)."
                        if port == 8883
                        else "."
                    ),
                )
            )
    return tcp + egress + tls


def _tcp_error_text(exc: BaseException, address: str, port: int) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return f"Refused by {address}: the host, or a firewall on the way, rejected TCP {port}."
    if is_timeout(exc):
        return f"No answer from {address} (timed out): a firewall drops TCP {port}, or the host is down."
    if isinstance(exc, OSError) and exc.errno in (101, 113, 10051, 10065):  # ENETUNREACH/EHOSTUNREACH (Linux, Winsock)
        return f"No route to {address}: this network has no way to the internet (or IPv6 is missing)."
    return f"Failed: {exc_text(exc)}."


# OpenSSL verify codes (include/openssl/x509_vfy.h) that have a plain explanation here.
_NOT_YET_VALID, _EXPIRED = 9, 10
_UNTRUSTED = {18, 19, 20, 21}  # self-signed leaf / in chain, issuer unknown, leaf not verifiable
_MISMATCH = {62, 64}  # host name / IP address not in the certificate


def _utc(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _tls_result(e: Endpoint, o, seen: Observed) -> CheckResult:
    title = f"TLS {e.port} to {e.host}" + (" (generic)" if e.generic else "")
    cid = f"tls:{e.label}"
    if not isinstance(o, EndpointOutcome) or o.tcp_error is not None:
        return CheckResult(cid, title, Status.SKIP, "No TCP connection to hand-shake on (see the TCP check).")
    if o.tls is not None:
        s = o.tls
        days_left = (s.not_after_s - seen.now_s) / 86400
        detail = (
            f"{s.version}, certificate from {s.issuer} valid {_utc(s.not_before_s)} to {_utc(s.not_after_s)} "
            f"({days_left:.0f} days left by this laptop's clock), {o.tls_ms:.0f} ms."
        )
        return CheckResult(cid, title, Status.PASS, detail, elapsed_ms=o.tls_ms)
    exc = o.tls_error
    if exc is None:  # a TLS endpoint's outcome holds its session or the handshake's error
        raise ValueError(f"TLS to {e.host}:{e.port} has neither a session nor an error")
    code = getattr(exc, "verify_code", None)
    clock_text = f"this laptop's clock reads {_utc(seen.now_s)}"
    skew = _ntp_offset_text(seen)
    if code in (_NOT_YET_VALID, _EXPIRED):
        what = "is not valid yet" if code == _NOT_YET_VALID else "has expired"
        return CheckResult(
            cid,
            title,
            Status.FAIL,
            f"The certificate {what} by this laptop's clock ({clock_text}{skew}).",
            "A wrong clock breaks TLS: set this laptop's clock from NTP and re-run. If the clock is "
            "right, something on the path (a TLS-inspecting firewall) serves an outdated "
            "certificate: exempt the charger's network from TLS inspection.",
            o.tls_ms,
        )
    if code in _UNTRUSTED or code in _MISMATCH:
        why = (
            "the certificate is not for this host"
            if code in _MISMATCH
            else "the certificate is not signed by a trusted authority"
        )
        return CheckResult(
            cid,
            title,
            Status.FAIL,
            f"The server's certificate was refused: {why} ({getattr(exc, 'verify_message', '') or exc}); "
            "something on this network intercepts TLS (a firewall's SSL inspection, a captive portal).",
            "Exempt the charger's network from TLS/SSL inspection and captive portals: a charger "
            "trusts only its maker's certificates.",
            o.tls_ms,
        )
    if is_timeout(exc):
        return CheckResult(
            cid,
            title,
            Status.FAIL,
            "The TLS handshake did not complete in time: a firewall or IPS may stall TLS to this host.",
            f"Allow TLS on TCP {e.port} to {e.host} without inspection.",
            o.tls_ms,
        )
    return CheckResult(
        cid,
        title,
        Status.FAIL,
        f"The TLS handshake failed: {exc_text(exc)} (the port answered, but not with TLS: a proxy, "
        "captive portal or firewall may sit in the way).",
        f"Allow TLS on TCP {e.port} to {e.host} straight through, without a proxy or inspection.",
        o.tls_ms,
    )


# --------------------------------------------------------------------------- NTP


def _ntp_offset_text(seen: Observed) -> str:
    for o in seen.ntp.values():
        if o is not PENDING and not isinstance(o, BaseException):
            return f"; NTP says it is {o.offset_s:+.0f} s off"
    return ""


def _ntp_results(seen: Observed) -> list[CheckResult]:
    replies, errors = [], []
    silent = False  # some server stayed silent: the signature of UDP 123 being dropped
    for server, o in seen.ntp.items():
        if o is PENDING:
            silent = True
            errors.append(f"{server.label}: no reply within {seen.deadline_s:.0f} s")
        elif isinstance(o, BaseException):
            if is_timeout(o):
                silent = True
                errors.append(f"{server.label}: no reply (timed out)")
            elif isinstance(o, DnsUnusable):
                errors.append(f"{server.label}: {o}")
            else:
                errors.append(f"{server.label}: {exc_text(o)}")
        else:
            replies.append((server, o))
    servers = ", ".join(s.label for s in seen.plan.ntp_servers)
    title = "NTP clock (UDP 123)"
    if not replies:
        hint = " UDP 123 may be blocked on this network." if silent else ""
        fix = (
            f"Allow outbound UDP 123 (NTP) to {servers}: TLS fails on a drifted clock."
            if silent
            else f"Make {servers} resolve and reachable on UDP 123 (see the DNS checks): TLS fails on a drifted clock."
        )
        return [
            CheckResult(
                "ntp",
                title,
                Status.WARN,
                "No NTP reply: " + "; ".join(errors) + "." + hint,
                fix,
                seen.deadline_s * 1000 if silent else 0.0,
            )
        ]
    server, reply = replies[0]
    offset = reply.offset_s
    detail = (
        f"{server.label} ({reply.server}, stratum {reply.stratum}): this laptop's clock is "
        f"{abs(offset):.3f} s {'behind' if offset > 0 else 'ahead'}, round trip {reply.delay_s * 1000:.0f} ms."
    )
    if not math.isfinite(offset) or abs(offset) > MAX_CLOCK_OFFSET_S:
        return [
            CheckResult(
                "ntp",
                title,
                Status.FAIL,
                detail + " TLS fails on a drifted clock.",
                "Set this laptop's clock from NTP and re-run; if it drifts again on this network, the "
                f"network blocks or redirects NTP: allow outbound UDP 123 to {servers}.",
                reply.delay_s * 1000,
            )
        ]
    if reply.leap_alarm:
        return [
            CheckResult(
                "ntp",
                title,
                Status.WARN,
                detail + " The server says its own clock is not synchronised.",
                "Use another NTP server (e.g. pool.ntp.org) on this network.",
                reply.delay_s * 1000,
            )
        ]
    return [CheckResult("ntp", title, Status.PASS, detail, elapsed_ms=reply.delay_s * 1000)]


# --------------------------------------------------------------------------- local network


def _mdns_result(seen: Observed) -> CheckResult:
    plan = seen.plan
    title = "mDNS on this network (one-shot query)"
    o = seen.mdns
    types = ", ".join(t.removesuffix(".local.") for t in plan.mdns_services)
    if o is PENDING or isinstance(o, BaseException):
        why = exc_text(o) if isinstance(o, BaseException) else "it did not finish in time"
        return CheckResult("mdns", title, Status.WARN, f"The mDNS query could not be sent ({why}).", RESERVATION_ADVICE)
    if not o:
        return CheckResult(
            "mdns",
            title,
            Status.WARN,
            f"No device answered a one-shot mDNS query for {types} within {seen.mdns_listen_s:.1f} s: "
            "multicast DNS does not reach this laptop here (blocked, or the devices are on another "
            "VLAN without an mDNS reflector), or nothing on this network advertises.",
            RESERVATION_ADVICE,
        )
    shown = "; ".join(r.label for r in o[:6]) + (f"; and {len(o) - 6} more" if len(o) > 6 else "")
    listed = f"{len(o)} responder{'s' if len(o) != 1 else ''}: {shown}."
    charger_ip = plan.local_api.ip if plan.local_api is not None else None
    if charger_ip:
        charger = [r for r in o if r.has_address(charger_ip)]
        if charger:
            known_as = f" as {charger[0].name}" if charger[0].name else ""
            return CheckResult(
                "mdns",
                title,
                Status.PASS,
                f"{listed} The charger at {charger_ip} is visible from this network{known_as}.",
            )
        return CheckResult(
            "mdns",
            title,
            Status.WARN,
            f"{listed} The charger at {charger_ip} is not among them: it advertises nothing by mDNS, "
            "or its mDNS does not reach this network (another VLAN without a reflector).",
            RESERVATION_ADVICE,
        )
    token = re.sub(r"[^a-z0-9]", "", plan.maker.casefold())
    named = [r for r in o if token and any(token in re.sub(r"[^a-z0-9]", "", n.casefold()) for n in r.names())]
    if named:
        return CheckResult(
            "mdns",
            title,
            Status.PASS,
            f"{listed} {named[0].name} ({named[0].address}) is named like a {plan.maker} device: "
            "probably the charger, visible from this network.",
        )
    return CheckResult(
        "mdns",
        title,
        Status.WARN,
        f"{listed} None is recognisably the charger by name, so whether the charger is visible from "
        "this network is not shown.",
        "Enter the charger's IP (`evsurvey check --charger-ip IP`) to look for it among the responders.",
    )


_LOCAL_TITLES = {
    "modbus": "Charger's Modbus TCP",
    "http": "Charger's web API (HTTP)",
    "https": "Charger's web API (HTTPS)",
}


def _local_results(seen: Observed) -> list[CheckResult]:
    api = seen.plan.local_api
    if api is None:
        if not seen.plan.mdns_services:
            return []
        return [
            CheckResult(
                "local:api",
                "Charger's local API",
                Status.SKIP,
                "Not probed: no charger IP was given.",
                "Enter the charger's IP (`evsurvey check --charger-ip IP`) to probe its Modbus TCP "
                "(502) and web API (HTTP 80, HTTPS 443) from this network.",
            )
        ]
    ports = {"modbus": api.modbus_port, "http": api.http_port, "https": api.https_port}
    out = [_local_result(seen, api, what, ports[what], o) for what, o in seen.local.items()]
    unanswered = [
        o
        for o in seen.local.values()
        if o is PENDING
        or (isinstance(o, ExchangeOutcome) and o.stage == "connect" and not isinstance(o.error, ConnectionRefusedError))
    ]
    if seen.local and len(unanswered) == len(seen.local):
        out.append(
            CheckResult(
                "local:charger",
                f"Charger at {api.ip}",
                Status.FAIL,
                f"The charger at {api.ip} answers on none of TCP {', '.join(map(str, ports.values()))} "
                "from this network, not even with a refusal: it is off, at another address, or a "
                "firewall between this network and the charger's drops the traffic.",
                "Check the charger's IP in the router's DHCP list, allow this network (where Home "
                "Assistant polls from) to reach the charger's VLAN on these ports, and "
                + RESERVATION_ADVICE[0].lower()
                + RESERVATION_ADVICE[1:],
            )
        )
    return out


def _local_result(seen: Observed, api: LocalApi, what: str, port: int, o) -> CheckResult:
    cid, title, where = f"local:{what}", _LOCAL_TITLES[what], api.label(port)
    if o is PENDING or not isinstance(o, ExchangeOutcome):
        why = exc_text(o) if isinstance(o, BaseException) else f"no answer within {seen.deadline_s:.0f} s"
        return CheckResult(cid, title, Status.WARN, f"{where}: {why}.", RESERVATION_ADVICE)
    if o.stage == "connect":
        if o.error is None:  # probe_tasks.exchange records the connect stage only with the dial's error
            raise ValueError(f"{where}: a failed connection without its error")
        if isinstance(o.error, ConnectionRefusedError):
            off = (
                "Modbus TCP is off in the charger's settings, or this charger has none"
                if what == "modbus"
                else "the charger serves no web API on this port"
            )
            return CheckResult(cid, title, Status.WARN, f"Nothing listens on {where}: {off}.", elapsed_ms=o.elapsed_ms)
        return CheckResult(
            cid,
            title,
            Status.WARN,
            f"No answer from {where} ({exc_text(o.error)}): a firewall between this network and the "
            "charger drops it, or nothing is at that IP.",
            RESERVATION_ADVICE,
            o.elapsed_ms,
        )
    if o.error is not None:
        expected = "a Modbus TCP read" if what == "modbus" else "an HTTP request"
        return CheckResult(
            cid,
            title,
            Status.WARN,
            f"{where} accepted the connection but did not answer {expected} ({exc_text(o.error)})"
            + (f": it is not Modbus TCP, or it ignores unit {api.modbus_unit}." if what == "modbus" else "."),
            elapsed_ms=o.elapsed_ms,
        )
    if what == "modbus":
        reply: modbus.ModbusReply = o.answer
        if reply.exception_code is None:
            return CheckResult(
                cid,
                title,
                Status.PASS,
                f"Modbus TCP answers at {where}: holding register {api.modbus_register} of unit "
                f"{api.modbus_unit} reads {reply.registers[0]} ({o.elapsed_ms:.0f} ms).",
                elapsed_ms=o.elapsed_ms,
            )
        code = f"exception {reply.exception_code} ({reply.exception_text})"
        if reply.exception_code in modbus.GATEWAY_EXCEPTIONS:
            return CheckResult(
                cid,
                title,
                Status.WARN,
                f"{where} answered with Modbus {code}: the server is reachable, but unit {api.modbus_unit} is not.",
                "Set the unit id from the charger's manual (`--modbus-unit N`).",
                o.elapsed_ms,
            )
        return CheckResult(
            cid,
            title,
            Status.PASS,
            f"Modbus TCP answers at {where}: {code} for holding register {api.modbus_register}, so "
            "the server is reachable; which registers exist is in the maker's register map.",
            elapsed_ms=o.elapsed_ms,
        )
    answer: HttpAnswer = o.answer
    server = f", server '{answer.server}'" if answer.server else ""
    return CheckResult(
        cid,
        title,
        Status.PASS,
        f"{where} answers HTTP{'S' if what == 'https' else ''}: {answer.status} {answer.reason}{server} "
        f"({o.elapsed_ms:.0f} ms).",
        elapsed_ms=o.elapsed_ms,
    )
