"""survey.netcheck against local servers only (no internet): a TCP listener, a TLS server
with the test certificate, a UDP SNTP responder, refused ports, sinkhole and hanging resolvers."""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import struct
import threading
import time
from pathlib import Path

import pytest
from fakes.lan import tcp_server

import survey.netcheck.plan as planning
from survey.netcheck import mdns, probes, sntp
from survey.netcheck.plan import CheckPlan, Endpoint, NtpServer, plan_for_profile
from survey.netcheck.results import Status
from survey.netcheck.runner import run_checks
from survey.project.model import ChargerProfile
from survey.project.profiles import get_profile

FIX = Path(__file__).parent / "fixtures" / "netcheck"
CERT, KEY, EXPIRED_CERT = FIX / "localhost-cert.pem", FIX / "localhost-key.pem", FIX / "expired-cert.pem"
ROUTE = FIX / "route-linux.txt"


#: The laptop's address in the fixture routing table's subnet (192.0.2.0/24, RFC 5737).
LAPTOP_IP = "192.0.2.23"


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Nothing a netcheck test runs leaves the machine (the suite's network guard would fail it):
    the system resolver and the public test hosts are cut off, the routing table is a fixture,
    the laptop's address is given, and the one-shot mDNS query goes to a loopback port where
    nobody answers."""

    def no_dns(host):
        raise socket.gaierror(socket.EAI_NONAME, f"test resolver: {host} is not resolvable here")

    monkeypatch.setattr(probes, "system_resolve", no_dns)
    monkeypatch.setattr(planning, "GENERIC_ENDPOINTS", {})
    monkeypatch.setattr(probes, "ROUTE_TABLE", ROUTE)
    monkeypatch.setattr(probes, "local_address_towards", lambda address: LAPTOP_IP)
    monkeypatch.setattr(mdns, "MDNS_DESTINATION", ("127.0.0.1", refused_udp_port()))


# --------------------------------------------------------------------------- local servers


def _tls_handler(certfile: Path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, KEY)

    def handler(conn, stopped):
        conn.settimeout(3)
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)  # hold the session until the client closes it

    return handler


def _silent(conn, stopped):
    stopped.wait(5)  # accept and say nothing: a TLS handshake stalls


def refused_port() -> int:
    """A port nobody listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def refused_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def sntp_responder(offset_s: float = 0.0, *, stratum: int = 2, silent: bool = False, leap: int = 0):
    """A UDP SNTP server on localhost whose clock runs ``offset_s`` seconds ahead of this one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            if silent or len(data) < 48:
                continue
            t1 = data[40:48]
            sec, frac = sntp.unix_to_ntp(time.time() + offset_s)
            words = [0] * 11
            words[5], words[6] = struct.unpack("!II", t1)  # originate = the client's transmit
            words[7], words[8] = sec, frac  # receive
            words[9], words[10] = sec, frac  # transmit
            reply = struct.pack("!BBbb11I", (leap << 6) | (4 << 3) | 4, stratum, 6, -20, *words)
            if stratum == 0:
                reply = reply[:12] + b"RATE" + reply[16:]
            sock.sendto(reply, peer)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def trusting_context() -> ssl.SSLContext:
    """A client context that trusts the test certificate (as the system store trusts a real CA)."""
    return ssl.create_default_context(cafile=str(CERT))


#: Stands for a cloud host's public address in resolver answers; every connection the checks make
#: to it is redirected to loopback by :func:`loopback_dial`, so the verdict sees a public address
#: while the packet stays on this machine.
PUBLIC_IP = "20.50.2.10"


def public_resolver(host: str) -> tuple[str, ...]:
    return (PUBLIC_IP,)


def loopback_dial(address: str, port: int, timeout_s: float) -> socket.socket:
    """Connect to the same port on 127.0.0.1 instead of ``address``."""
    return probes.tcp_connect("127.0.0.1", port, timeout_s)


def plan(endpoints=(), domains=(), ntp=(), tcp_ports=None, generic=False) -> CheckPlan:
    endpoints = tuple(endpoints)
    return CheckPlan(
        "test",
        "Test charger",
        tuple(domains),
        endpoints,
        tuple(sorted({e.port for e in endpoints})) if tcp_ports is None else tuple(tcp_ports),
        tuple(ntp),
        generic,
    )


def by_id(report) -> dict:
    return {r.id: r for r in report.results}


# --------------------------------------------------------------------------- SNTP packets


def test_sntp_request_is_48_bytes_mode_3_version_4():
    request = sntp.build_request(1_700_000_000.25)
    assert len(request) == 48
    assert request[0] == 0x23  # LI 0, VN 4, mode 3
    sec, frac = struct.unpack("!II", request[40:48])
    assert sntp.ntp_to_unix(sec, frac) == pytest.approx(1_700_000_000.25, abs=1e-6)


def test_ntp_timestamps_survive_the_2036_wrap():
    for t in (1_700_000_000.5, 2_200_000_000.75):  # 2023 and 2039 (era 1)
        assert sntp.ntp_to_unix(*sntp.unix_to_ntp(t)) == pytest.approx(t, abs=1e-6)


def _reply(request: bytes, t2: float, t3: float, *, mode=4, stratum=2, leap=0) -> bytes:
    words = [0] * 11
    words[5], words[6] = struct.unpack("!II", request[40:48])
    words[7], words[8] = sntp.unix_to_ntp(t2)
    words[9], words[10] = sntp.unix_to_ntp(t3)
    return struct.pack("!BBbb11I", (leap << 6) | (4 << 3) | mode, stratum, 6, -20, *words)


def test_sntp_offset_and_delay_follow_rfc_4330():
    t1 = 1_700_000_000.0
    request = sntp.build_request(t1)
    # Server clock 30 s ahead, 10 ms each way, 1 ms in the server.
    reply = sntp.parse_reply(_reply(request, t1 + 30.010, t1 + 30.011), request, t1 + 0.021)
    assert reply.offset_s == pytest.approx(30.0, abs=1e-4)
    assert reply.delay_s == pytest.approx(0.020, abs=1e-4)
    assert reply.stratum == 2 and not reply.leap_alarm


@pytest.mark.parametrize("kwargs, match", [({"mode": 3}, "mode"), ({"stratum": 0}, "kiss")])
def test_sntp_rejects_unusable_replies(kwargs, match):
    request = sntp.build_request(1_700_000_000.0)
    with pytest.raises(sntp.SntpError, match=match):
        sntp.parse_reply(_reply(request, 1_700_000_000.0, 1_700_000_000.0, **kwargs), request, 1_700_000_000.0)


def test_sntp_rejects_a_reply_to_another_request():
    request = sntp.build_request(1_700_000_000.0)
    other = sntp.build_request(1_600_000_000.0)
    with pytest.raises(sntp.SntpMismatch):
        sntp.parse_reply(_reply(other, 1.7e9, 1.7e9), request, 1.7e9)
    with pytest.raises(sntp.SntpError, match="bytes"):
        sntp.parse_reply(b"\x24" * 20, request, 1.7e9)


def test_sntp_query_against_a_local_responder():
    with sntp_responder(offset_s=-2.5) as port:
        reply = sntp.query("127.0.0.1", port, timeout_s=2)
    assert reply.offset_s == pytest.approx(-2.5, abs=0.05)
    assert reply.delay_s < 0.5


# --------------------------------------------------------------------------- gateway, addresses


ROUTE_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"


def test_default_gateway_from_the_linux_route_table(tmp_path):
    table = tmp_path / "route"
    table.write_text(
        ROUTE_HEADER
        + "wlan0\t0000A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n"
        + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        + "eth0\t00000000\t FE1E0A0A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        + "tun0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0\n"
    )  # no gateway flag
    gateways = probes.default_gateways(table)
    assert [(g.interface, g.address, g.metric) for g in gateways] == [
        ("eth0", "10.10.30.254", 100),
        ("wlan0", "192.168.1.1", 600),
    ]


def test_gateway_check_pass_fail_and_skip(tmp_path):
    none = tmp_path / "route"
    none.write_text(ROUTE_HEADER + "wlan0\t0000A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n")
    assert by_id(run_checks(plan(), route_table=ROUTE, deadline_s=1))["gateway"].status is Status.PASS
    missing = by_id(run_checks(plan(), route_table=tmp_path / "absent", deadline_s=1))["gateway"]
    assert missing.status is Status.SKIP and "routing table" in missing.detail
    failed = by_id(run_checks(plan(), route_table=none, deadline_s=1))["gateway"]
    assert failed.status is Status.FAIL and "DHCP" in failed.fix


@pytest.mark.parametrize(
    "address, sinkhole",
    [
        ("0.0.0.0", True),
        ("::", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("::ffff:0.0.0.0", True),
        ("20.50.2.10", False),
        ("192.168.1.2", False),
        ("2606:4700::1", False),
    ],
)
def test_sinkhole_addresses(address, sinkhole):
    assert probes.is_sinkhole_address(address) is sinkhole


# --------------------------------------------------------------------------- plans


def test_zaptec_plan_tests_its_domains_on_tcp_ports_and_ntp_by_sntp():
    p = plan_for_profile(get_profile("zaptec_pro"))
    assert not p.generic and p.tcp_ports == (443, 8883)  # 53 and 123 are DNS / NTP, not TCP egress
    hosts = {e.host for e in p.endpoints}
    assert "zapcloud.azure-devices.net" in hosts and "no.pool.ntp.org" not in hosts
    assert "no.pool.ntp.org" in p.domains and p.ntp_servers == (NtpServer("no.pool.ntp.org"),)
    assert all(e.tls for e in p.endpoints)


def test_undocumented_maker_gets_generic_checks_and_says_what_cannot_be_checked(monkeypatch):
    # Stand-in for the public HTTPS test host: a loopback port nobody listens on (the suite never leaves the machine).
    https = refused_port()
    monkeypatch.setattr(planning, "GENERIC_ENDPOINTS", {443: Endpoint("127.0.0.1", https, tls=True, generic=True)})
    p = plan_for_profile(get_profile("emporia_ev"))
    assert p.generic and p.tcp_ports == (443, 8883)
    assert {e.label for e in p.endpoints} == {f"127.0.0.1:{https}"}
    assert "documents no cloud domains" in p.unchecked_note and "cannot be fully checked" in p.unchecked_note
    assert p.ntp_servers == (NtpServer("pool.ntp.org"),) and p.probe_domains == () and p.allowlist == ()
    results = by_id(run_checks(p, deadline_s=1))
    assert results["cloud_domains"].status is Status.SKIP
    assert results["egress:8883"].status is Status.SKIP  # no public host known for it here


@pytest.mark.parametrize(
    "profile_id, apex", [("chargepoint_home_flex", "chargepoint.com"), ("wallbox_pulsar_plus", "wallbox.com")]
)
def test_maker_wildcards_are_told_and_their_apex_names_resolved(profile_id, apex):
    p = plan_for_profile(get_profile(profile_id))
    assert p.allowlist == (f"*.{apex}",) and p.probe_domains == (apex,)
    assert apex in p.domains and all(e.generic for e in p.endpoints)  # the hosts under the apex are not documented
    assert f"*.{apex}" in p.unchecked_note
    blocked = by_id(run_checks(p, resolver=lambda host: ("0.0.0.0",), deadline_s=1))
    dns = blocked[f"dns:{apex}"]
    assert dns.status is Status.FAIL and dns.title == f"DNS {apex} (probe of *.{apex})"
    regex = "(\\.|^)" + apex.replace(".", "\\.") + "$"
    assert regex in dns.fix and f"@@||{apex}^" in dns.fix
    assert f"*.{apex}" in blocked["cloud_domains"].fix

    def only_the_apex(host):
        if host != apex:
            raise socket.gaierror(socket.EAI_NONAME, "not resolvable here")
        return (PUBLIC_IP,)

    assert by_id(run_checks(p, resolver=only_the_apex, deadline_s=1))[f"dns:{apex}"].status is Status.PASS


def test_installer_domains_replace_the_generic_checks():
    p = plan_for_profile(get_profile("generic_iot"), extra_endpoints=(("charger.example", None), ("10.0.0.5", 8443)))
    assert not p.generic
    assert {e.label for e in p.endpoints} == {"charger.example:443", "charger.example:8883", "10.0.0.5:8443"}
    assert p.domains == ("charger.example", "pool.ntp.org")


# --------------------------------------------------------------------------- TCP and TLS


def test_tcp_pass_and_refused_port_fails_with_the_firewall_fix():
    closed = refused_port()
    with tcp_server() as port:
        report = run_checks(
            plan(
                [
                    Endpoint("api.maker.example", port, tls=False),
                    Endpoint("api.maker.example", closed, tls=False, generic=True),
                ],
                tcp_ports=(port, closed),
            ),
            resolver=public_resolver,
            dial=loopback_dial,
            deadline_s=3,
        )
    r = by_id(report)
    assert r[f"tcp:api.maker.example:{port}"].status is Status.PASS
    assert r[f"egress:{port}"].status is Status.PASS and "from a public address" in r[f"egress:{port}"].detail
    # The same host answered on another port: a refusal there is a warning, not proof of a block ...
    assert r[f"tcp:api.maker.example:{closed}"].status is Status.WARN
    assert "Refused" in r[f"tcp:api.maker.example:{closed}"].detail
    # ... but nothing answered on that port at all, so the port verdict fails with the fix.
    assert r[f"egress:{closed}"].status is Status.FAIL
    assert f"Allow outbound TCP {closed}" in r[f"egress:{closed}"].fix
    assert report.failed


@pytest.mark.parametrize(
    "host, answer, words",
    [
        ("127.0.0.1", "127.0.0.1", "loopback"),  # an address given directly (a DNS answer of 127.0.0.1 is a sinkhole)
        ("api.maker.example", "192.168.1.5", "private LAN"),
        ("api.maker.example", "fd00::5", "private LAN"),
        ("api.maker.example", "169.254.7.7", "link-local"),
        ("api.maker.example", "100.64.1.1", "carrier-grade NAT"),
    ],
)
def test_a_local_answer_does_not_count_as_leaving_the_network(host, answer, words):
    with tcp_server() as port:
        r = by_id(
            run_checks(
                plan([Endpoint(host, port, tls=False)]),
                resolver=lambda name: (answer,),
                dial=loopback_dial,
                deadline_s=3,
            )
        )
    tcp, egress = r[f"tcp:{host}:{port}"], r[f"egress:{port}"]
    assert tcp.status is Status.PASS and words in tcp.detail and "does not show" in tcp.detail
    assert egress.status is Status.WARN
    assert egress.detail.startswith(f"Only local addresses answered on TCP {port}") and words in egress.detail
    assert f"--domain HOST:{port}" in egress.fix


def test_refused_everywhere_fails_the_endpoint():
    closed = refused_port()
    r = by_id(run_checks(plan([Endpoint("127.0.0.1", closed, tls=True)]), deadline_s=2))
    assert r[f"tcp:127.0.0.1:{closed}"].status is Status.FAIL
    assert r[f"tls:127.0.0.1:{closed}"].status is Status.SKIP


def test_tls_pass_reports_certificate_dates():
    with tcp_server(_tls_handler(CERT)) as port:
        report = run_checks(plan([Endpoint("127.0.0.1", port, tls=True)]), deadline_s=5, tls_context=trusting_context())
    tls = by_id(report)[f"tls:127.0.0.1:{port}"]
    assert tls.status is Status.PASS, tls.detail
    assert "2000-01-01" in tls.detail and "2100-01-01" in tls.detail and "evsurvey test fixture" in tls.detail
    assert not report.failed


def test_tls_with_the_system_trust_store_flags_interception():
    """The test certificate is self-signed: to the default context it looks like a TLS-inspecting firewall."""
    with tcp_server(_tls_handler(CERT)) as port:
        r = by_id(run_checks(plan([Endpoint("127.0.0.1", port, tls=True)]), deadline_s=5))
    tls = r[f"tls:127.0.0.1:{port}"]
    assert tls.status is Status.FAIL
    assert "intercepts TLS" in tls.detail and "inspection" in tls.fix


def test_expired_certificate_points_at_the_clock():
    with tcp_server(_tls_handler(EXPIRED_CERT)) as port:
        r = by_id(
            run_checks(
                plan([Endpoint("127.0.0.1", port, tls=True)]),
                deadline_s=5,
                tls_context=ssl.create_default_context(cafile=str(EXPIRED_CERT)),
            )
        )
    tls = r[f"tls:127.0.0.1:{port}"]
    assert tls.status is Status.FAIL
    assert "expired" in tls.detail and "clock" in tls.fix


def test_tls_against_a_plain_tcp_listener_fails_plainly():
    with tcp_server() as port:  # accepts and closes: no TLS
        r = by_id(run_checks(plan([Endpoint("127.0.0.1", port, tls=True)]), deadline_s=3))
    assert r[f"tcp:127.0.0.1:{port}"].status is Status.PASS
    tls = r[f"tls:127.0.0.1:{port}"]
    assert tls.status is Status.FAIL and "handshake failed" in tls.detail


def test_stalled_tls_handshake_times_out_within_the_deadline():
    with tcp_server(_silent) as port:
        start = time.monotonic()
        r = by_id(run_checks(plan([Endpoint("127.0.0.1", port, tls=True)]), deadline_s=1.5))
        took = time.monotonic() - start
    assert took < 3.5
    assert r[f"tls:127.0.0.1:{port}"].status is Status.FAIL
    assert "did not complete in time" in r[f"tls:127.0.0.1:{port}"].detail


# --------------------------------------------------------------------------- DNS


def test_sinkhole_answer_fails_dns_and_no_connection_is_tried():
    attempts = []

    def sinkhole(host):
        attempts.append(host)
        return ("0.0.0.0",)

    with tcp_server(lambda conn, stopped: attempts.append("connected")):
        report = run_checks(
            plan([Endpoint("api.maker.example", 443, tls=True)], domains=["api.maker.example"]),
            resolver=sinkhole,
            deadline_s=2,
        )
    r = by_id(report)
    dns = r["dns:api.maker.example"]
    assert dns.status is Status.FAIL
    assert "blocked by a DNS filter such as Pi-hole/AdGuard" in dns.detail and "api.maker.example" in dns.fix
    assert r["tcp:api.maker.example:443"].status is Status.SKIP
    assert r["tls:api.maker.example:443"].status is Status.SKIP
    assert attempts == ["api.maker.example"]  # resolved once, shared, and 0.0.0.0 never dialled


def test_the_same_private_answer_for_every_name_is_a_filter():
    names = ["a.maker.example", "b.maker.example", "c.maker.example"]
    r = by_id(run_checks(plan(domains=names), resolver=lambda h: ("192.168.1.2",), deadline_s=2))
    assert all(r[f"dns:{n}"].status is Status.WARN for n in names)
    assert r["dns:filter"].status is Status.FAIL
    assert "allow-list these domains" in r["dns:filter"].fix.lower() and "b.maker.example" in r["dns:filter"].fix


def test_public_answers_pass_and_resolver_errors_fail_without_raising():
    answers = {
        "ok.example": ("20.50.2.10", "2603:1020::1"),
        "gone.example": socket.gaierror(-2, "Name or service not known"),
        "odd.example": RuntimeError("resolver library broke"),
    }

    def resolver(host):
        value = answers[host]
        if isinstance(value, Exception):
            raise value
        return value

    r = by_id(run_checks(plan(domains=list(answers)), resolver=resolver, deadline_s=2))
    assert r["dns:ok.example"].status is Status.PASS and "20.50.2.10" in r["dns:ok.example"].detail
    assert r["dns:gone.example"].status is Status.FAIL and "Name or service not known" in r["dns:gone.example"].detail
    assert r["dns:odd.example"].status is Status.FAIL
    assert "dns:filter" not in r


def test_a_hanging_resolver_cannot_hold_the_run_past_its_deadline():
    release = threading.Event()

    def hangs(host):
        release.wait(30)
        return ("20.50.2.10",)

    try:
        start = time.monotonic()
        report = run_checks(
            plan(
                [Endpoint("slow.example", 443, tls=True)],
                domains=["slow.example"],
                ntp=[NtpServer("time.slow.example")],
            ),
            resolver=hangs,
            deadline_s=1.5,
        )
        took = time.monotonic() - start
    finally:
        release.set()
    assert took < 3.5  # deadline 1.5 s; generous for a loaded CI machine, far below a hang
    r = by_id(report)
    assert r["dns:slow.example"].status is Status.FAIL and "No answer" in r["dns:slow.example"].detail
    assert r["tcp:slow.example:443"].status is Status.SKIP and "timed out" in r["tcp:slow.example:443"].detail
    assert r["ntp"].status is Status.WARN


# --------------------------------------------------------------------------- NTP


@pytest.mark.parametrize(
    "offset_s, status", [(0.4, Status.PASS), (-45.0, Status.PASS), (120.0, Status.FAIL), (-3600.0, Status.FAIL)]
)
def test_ntp_offset_verdict(offset_s, status):
    with sntp_responder(offset_s) as port:
        ntp = by_id(run_checks(plan(ntp=[NtpServer("127.0.0.1", port)]), deadline_s=3))["ntp"]
    assert ntp.status is status, ntp.detail
    # The measured offset is reported in seconds (within half the loopback round trip).
    shown = float(re.search(r"clock is ([0-9.]+) s (ahead|behind)", ntp.detail).group(1))
    assert shown == pytest.approx(abs(offset_s), abs=0.05)
    assert ("behind" if offset_s > 0 else "ahead") in ntp.detail
    if status is Status.FAIL:
        assert "TLS fails on a drifted clock" in ntp.detail and "UDP 123" in ntp.fix


def test_silent_ntp_server_is_a_warning_about_udp_123():
    with sntp_responder(silent=True) as port:
        start = time.monotonic()
        ntp = by_id(run_checks(plan(ntp=[NtpServer("127.0.0.1", port)]), deadline_s=1.5))["ntp"]
        assert time.monotonic() - start < 3.5
    assert ntp.status is Status.WARN
    assert "UDP 123 may be blocked" in ntp.detail and "Allow outbound UDP 123" in ntp.fix


def test_kiss_of_death_and_unsynchronised_servers_warn():
    with sntp_responder(stratum=0) as port:
        ntp = by_id(run_checks(plan(ntp=[NtpServer("127.0.0.1", port)]), deadline_s=2))["ntp"]
    assert ntp.status is Status.WARN and "kiss" in ntp.detail
    with sntp_responder(leap=3) as port:
        ntp = by_id(run_checks(plan(ntp=[NtpServer("127.0.0.1", port)]), deadline_s=2))["ntp"]
    assert ntp.status is Status.WARN and "not synchronised" in ntp.detail


def test_everything_at_once_runs_concurrently():
    """Ten silent endpoints and a silent NTP server cost one deadline, not ten."""
    with tcp_server(_silent) as port, sntp_responder(silent=True) as ntp_port:
        endpoints = [Endpoint("127.0.0.1", port, tls=True, note=str(i)) for i in range(10)]
        start = time.monotonic()
        report = run_checks(plan(endpoints, ntp=[NtpServer("127.0.0.1", ntp_port)]), deadline_s=1.5)
        took = time.monotonic() - start
    assert took < 3.5  # deadline 1.5 s; generous for a loaded CI machine, far below a hang
    assert len(report.results) == 1 + 10 + 1 + 10 + 1  # gateway, tcp, egress, tls, ntp
    assert all(r.status is not Status.PASS for r in report.results if r.id.startswith("tls:"))


def test_report_json_shape():
    profile = ChargerProfile(id="x", name="X")
    report = run_checks(plan_for_profile(profile, ntp_servers=(NtpServer("127.0.0.1", refused_port()),)), deadline_s=1)
    data = report.to_json()
    assert set(data) == {
        "profile",
        "ran_at",
        "network",
        "generic",
        "deadline_s",
        "elapsed_ms",
        "ok",
        "summary",
        "checks",
    }
    assert data["network"] == {
        "ssid": None,
        "laptop_ip": LAPTOP_IP,
        "subnet": "192.0.2.0/24",
        "interface": "eth0",
        "gateway": "192.0.2.1",
    }
    assert set(data["summary"]) == {"pass", "warn", "fail", "skip"}
    for check in data["checks"]:
        assert set(check) == {"id", "title", "status", "detail", "fix", "elapsed_ms"}
        assert check["status"] in {"PASS", "WARN", "FAIL", "SKIP"}
