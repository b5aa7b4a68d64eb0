"""The link test against loopback servers only: echo servers told to drop a share of probes and
delay the rest, an injected ICMP socket, a TCP port that never answers, hanging lookups.

Tolerances: loss is exact (the servers drop an exact share; one probe of slack for a stalled
CI machine), RTTs may exceed the server's delay by scheduling on a shared 2-core machine
(median +25 ms, p95 +60 ms) but never fall below it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fakes.lossy_servers import Impairment, UdpAsIcmpSocket, silent_tcp_port, tcp_echo_server, udp_echo_server

from survey.netcheck import linktest, probes
from survey.netcheck.linktest import (
    LinkTestError,
    Target,
    find_gateway,
    parse_route_get,
    parse_route_print,
    rfc3550_jitter_ms,
    rtt_summary_ms,
    run_link_test,
)
from survey.netcheck.linktest_verdict import GOOD, MARGINAL, POOR, UNKNOWN, assess_gateway, assess_link
from survey.project.link import GATEWAY_TARGET, LinkTest, LinkTestResult, ProbeKind

FIX = Path(__file__).parent / "fixtures" / "linktest"
SLACK_MEDIAN_MS, SLACK_P95_MS = 25.0, 60.0
#: Faster than the real schedule (100 ms, 1 s) so the suite stays quick; the loop is the same.
INTERVAL_S, REPLY_TIMEOUT_S = 0.02, 0.5


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """The default gateway is 127.0.0.1 and no name resolves: nothing can leave the machine."""
    monkeypatch.setattr(probes, "ROUTE_TABLE", FIX / "route-loopback.txt")

    def no_dns(host):
        raise OSError(f"test resolver: {host} is not resolvable here")

    monkeypatch.setattr(probes, "system_resolve", no_dns)


def _refuse_icmp():
    raise PermissionError(13, "Permission denied")


def _one(target: Target, **kw) -> LinkTestResult:
    kw.setdefault("count", 50)
    kw.setdefault("interval_s", INTERVAL_S)
    kw.setdefault("reply_timeout_s", REPLY_TIMEOUT_S)
    return run_link_test([target], open_icmp=kw.pop("open_icmp", _refuse_icmp), **kw).results[0]


# --------------------------------------------------------------------------- statistics


def test_jitter_follows_rfc3550_recurrence():
    assert rfc3550_jitter_ms([5.0]) is None
    assert rfc3550_jitter_ms([5.0] * 20) == 0.0
    # |D| = 40 ms every time: J_n = 40 (1 - (15/16)^n), the recurrence's closed form.
    alternating = [0.0, 40.0] * 25
    assert rfc3550_jitter_ms(alternating) == pytest.approx(40 * (1 - (15 / 16) ** 49))
    # One 16 ms step from J = 0 moves J by 1/16 of it.
    assert rfc3550_jitter_ms([0.0, 16.0]) == pytest.approx(1.0)


def test_median_and_95th_percentile():
    median, p95, _ = rtt_summary_ms([float(v) for v in range(1, 101)])
    assert median == 50.5 and p95 == pytest.approx(95.05)  # linear between order statistics, as numpy
    assert rtt_summary_ms([]) == (None, None, None)
    assert rtt_summary_ms([7.0])[:2] == (7.0, 7.0)


def test_icmp_checksum_of_a_checked_packet_is_zero():
    packet = bytes.fromhex("0800 0000 1234 0001") + b"evsurvey!"  # odd length: padded with a zero byte
    checksum = linktest.internet_checksum(packet)
    filled = packet[:2] + checksum.to_bytes(2, "big") + packet[4:]
    assert linktest.internet_checksum(filled) == 0  # RFC 1071: the sum over a checked packet is all ones


# --------------------------------------------------------------------------- loopback servers


def test_udp_echo_loss_and_delay_match_the_server():
    impairment = Impairment(drop_share=0.2, delays_s=(0.030,))
    with udp_echo_server(impairment) as port:
        r = _one(Target("echo", "127.0.0.1", ProbeKind.UDP_ECHO, port))
    assert (r.probe, r.port, r.sent) == (ProbeKind.UDP_ECHO, port, 50)
    assert impairment.received == 50
    assert abs(r.loss_pct - 20.0) <= 2.0
    assert 30.0 <= r.rtt_median_ms <= 30.0 + SLACK_MEDIAN_MS
    assert 30.0 <= r.rtt_p95_ms <= 30.0 + SLACK_P95_MS
    assert r.duration_s < 50 * INTERVAL_S + REPLY_TIMEOUT_S + 0.5


def test_alternating_delay_shows_as_rfc3550_jitter():
    with udp_echo_server(Impairment(delays_s=(0.0, 0.040))) as port:
        r = _one(Target("echo", "127.0.0.1", ProbeKind.UDP_ECHO, port))
    assert r.loss_pct == 0.0
    expected = 40 * (1 - (15 / 16) ** 49)  # ~38 ms after 49 differences of 40 ms
    assert abs(r.jitter_ms - expected) <= 8.0
    assert r.rtt_p95_ms >= 40.0


def test_tcp_echo_loss_and_delay_match_the_server():
    impairment = Impairment(drop_share=0.1, delays_s=(0.025,))
    with tcp_echo_server(impairment) as port:
        r = _one(Target("echo", "127.0.0.1", ProbeKind.TCP_ECHO, port))
    assert (r.probe, r.sent) == (ProbeKind.TCP_ECHO, 50)
    assert abs(r.loss_pct - 10.0) <= 2.0
    assert 25.0 <= r.rtt_median_ms <= 25.0 + SLACK_MEDIAN_MS


@pytest.mark.parametrize("ip_header", [False, True], ids=["linux", "macos-ip-header"])
def test_icmp_path_through_an_injected_socket(ip_header):
    impairment = Impairment(drop_share=0.1, delays_s=(0.020,))
    with udp_echo_server(impairment, icmp=True, ip_header=ip_header) as port:
        sockets: list[UdpAsIcmpSocket] = []

        def open_icmp():
            sockets.append(UdpAsIcmpSocket(port))
            return sockets[-1]

        r = _one(linktest.gateway_target("127.0.0.1"), count=30, open_icmp=open_icmp)
    assert r.probe is ProbeKind.ICMP_ECHO and r.port is None
    assert sockets and all(address == ("127.0.0.1", 0) for address in sockets[0].sent_to)
    # One trial probe, then the series of 30: every tenth packet dropped.
    assert r.sent == 30 and abs(r.loss_pct - 10.0) <= 3.4
    assert 20.0 <= r.rtt_median_ms <= 20.0 + SLACK_MEDIAN_MS
    (tried,) = r.tried
    assert tried.startswith("ICMP echo: ") and tried.endswith("answered (used)")


def _icmp_permitted() -> tuple[bool, str]:
    try:
        linktest.open_icmp_socket().close()
        return True, ""
    except OSError as exc:
        return False, linktest._icmp_refusal_text(exc)


def test_icmp_echo_to_loopback_when_the_kernel_allows_it():
    permitted, why = _icmp_permitted()
    if not permitted:
        pytest.skip(f"unprivileged ICMP echo is {why}; the ICMP path is tested through an injected socket")
    r = run_link_test([linktest.gateway_target("127.0.0.1")], count=10).results[0]
    assert r.probe is ProbeKind.ICMP_ECHO and r.received == 10 and r.rtt_p95_ms < 50


def test_icmp_echo_in_a_private_network_namespace():
    """Where the host forbids unprivileged ping, root can still test the real kernel path in a
    network namespace of its own (only a loopback device; its ping_group_range is its own)."""
    if sys.platform != "linux" or not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("needs Linux with unshare and ip")
    code = (
        "from survey.netcheck.linktest import run_link_test, gateway_target\n"
        "r = run_link_test([gateway_target('127.0.0.1')], count=10).results[0]\n"
        "print(r.probe.value, r.received)\n"
    )
    script = (
        "ip link set lo up && echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range && echo ready && "
        f'{sys.executable} -c "$0"'
    )
    proc = subprocess.run(
        ["unshare", "--net", "sh", "-c", script, code],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).resolve().parents[1],
    )
    if not proc.stdout.startswith("ready"):  # the namespace could not be set up: the test never ran
        pytest.skip(f"no private network namespace with ping allowed here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ready", "icmp", "10"]


# --------------------------------------------------------------------------- choosing the probe


def test_without_icmp_the_gateway_is_probed_by_tcp_connect_and_says_what_was_tried():
    with silent_tcp_port() as silent, tcp_echo_server() as listening:
        r = _one(linktest.gateway_target("127.0.0.1"), count=20, tcp_ports=(silent, listening))
    assert (r.probe, r.port, r.received) == (ProbeKind.TCP_CONNECT, listening, 20)
    assert r.tried[0].startswith("ICMP echo: not permitted")
    assert r.tried[1] == f"TCP connect {silent}: no answer within {REPLY_TIMEOUT_S:g} s"
    assert r.tried[2].startswith(f"TCP connect {listening}: 20 of 20 answered") and r.tried[2].endswith("(used)")
    assert r.rtt_median_ms < 20


def test_a_closed_port_answers_with_a_reset():
    with tcp_echo_server() as port:
        pass  # now closed: connecting is refused at once
    r = _one(Target("closed", "127.0.0.1", port=port), count=10)
    assert (r.probe, r.received) == (ProbeKind.TCP_CONNECT, 10)
    assert "reset (RST) is the answer" in r.tried[-1]


def test_a_gateway_that_answers_nothing_is_poor_and_says_why():
    with silent_tcp_port() as silent:
        started = time.monotonic()
        r = _one(linktest.gateway_target("127.0.0.1"), count=10, tcp_ports=(silent,))
        elapsed = time.monotonic() - started
    assert r.sent == 0 and not r.answered
    assert [t.split(":")[0] for t in r.tried] == ["ICMP echo", f"TCP connect {silent}"]
    assessment = assess_link(r)
    assert assessment.level == UNKNOWN and f"no answer within {REPLY_TIMEOUT_S:g} s" in assessment.reasons[0]
    assert elapsed < 2 * REPLY_TIMEOUT_S + 1.0


# --------------------------------------------------------------------------- timeouts and cancel


def test_a_probe_that_hangs_ends_at_its_reply_timeout():
    with udp_echo_server(Impairment(drop_share=1.0)) as port:
        started = time.monotonic()
        r = _one(Target("black hole", "127.0.0.1", ProbeKind.UDP_ECHO, port), count=10)
        elapsed = time.monotonic() - started
    assert (r.sent, r.received, r.loss_pct) == (10, 0, 100.0)
    assert elapsed <= 10 * INTERVAL_S + REPLY_TIMEOUT_S + 0.5
    a = assess_link(r)
    assert a.level == POOR and a.words == "no answer to 10 probes"


def test_a_hanging_name_lookup_ends_at_its_timeout_with_a_message():
    def hang(host):
        time.sleep(30)

    started = time.monotonic()
    r = run_link_test([Target("slow.example", "slow.example")], count=5, deadline_s=3.0, resolver=hang).results[0]
    assert time.monotonic() - started < 2.5
    assert r.sent == 0 and "did not resolve within 1.0 s" in r.tried[0]


def test_the_hard_deadline_stops_a_long_series():
    with udp_echo_server() as port:
        started = time.monotonic()
        r = _one(Target("echo", "127.0.0.1", ProbeKind.UDP_ECHO, port), count=200, deadline_s=1.5, interval_s=0.1)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert 5 < r.sent < 20 and r.received == r.sent
    assert "stopped at the deadline" in r.tried[-1]


def test_cancel_from_another_thread_ends_the_test_soon():
    cancel = threading.Event()
    with udp_echo_server() as port:
        threading.Timer(0.5, cancel.set).start()
        started = time.monotonic()
        r = _one(Target("echo", "127.0.0.1", ProbeKind.UDP_ECHO, port), count=100, cancel=cancel, interval_s=0.1)
        elapsed = time.monotonic() - started
    assert elapsed < 0.9
    assert 2 <= r.sent <= 8 and "cancelled" in r.tried[-1]


def test_gateway_and_host_are_measured_together():
    with udp_echo_server(Impairment(delays_s=(0.02,))) as port:
        started = time.monotonic()
        link = run_link_test(
            [linktest.gateway_target("127.0.0.1"), Target("echo", "127.0.0.1", ProbeKind.UDP_ECHO, port)],
            count=20,
            open_icmp=_refuse_icmp,
        )
        elapsed = time.monotonic() - started
    assert [r.target for r in link.results] == [GATEWAY_TARGET, "echo"]
    assert link.gateway is link.results[0] and all(r.received == 20 for r in link.results)
    # Concurrently, not in turn: 2 s of probes each, plus the gateway's trial probes.
    assert elapsed < 2 * 20 * linktest.PROBE_INTERVAL_S


# --------------------------------------------------------------------------- the gateway


def test_gateway_from_linux_route_table():
    assert find_gateway(route_table=FIX / "route-loopback.txt", system="Linux") == "127.0.0.1"
    assert find_gateway(system="Linux") == "127.0.0.1"  # the module default, pointed at the fixture


def test_gateway_from_macos_and_windows_command_output():
    mac = (FIX / "route-get-default-macos.txt").read_text()
    win = (FIX / "route-print-windows.txt").read_text(encoding="utf-8")
    assert parse_route_get(mac) == "192.0.2.1"
    assert parse_route_print(win) == "198.51.100.1"  # the lower metric of two default routes
    seen = []

    def run(argv):
        seen.append(list(argv))
        return mac if argv[0] == "route" and "get" in argv else win

    assert find_gateway(system="Darwin", run=run) == "192.0.2.1"
    assert find_gateway(system="Windows", run=run) == "198.51.100.1"
    assert seen == [["route", "-n", "get", "default"], ["route", "print", "-4"]]


def test_no_default_route_is_a_plain_error(tmp_path):
    table = tmp_path / "route"
    table.write_text((FIX / "route-loopback.txt").read_text().splitlines()[0] + "\n")
    with pytest.raises(LinkTestError, match="no default gateway.*--gateway"):
        find_gateway(route_table=table, system="Linux")
    with pytest.raises(LinkTestError, match="could not be read"):
        find_gateway(route_table=tmp_path / "missing", system="Linux")
    with pytest.raises(LinkTestError, match="no default gateway"):
        find_gateway(system="Darwin", run=lambda argv: "route: writing to routing socket: not in table\n")


# --------------------------------------------------------------------------- the words for a verdict


def _result(sent=50, received=50, median=3.0, p95=8.0, jitter=1.0) -> LinkTestResult:
    return LinkTestResult(
        target=GATEWAY_TARGET,
        address="127.0.0.1",
        probe=ProbeKind.ICMP_ECHO,
        port=None,
        sent=sent,
        received=received,
        rtt_median_ms=median if received else None,
        rtt_p95_ms=p95 if received else None,
        jitter_ms=jitter if received else None,
        started_at=0.0,
        duration_s=5.0,
    )


@pytest.mark.parametrize(
    "kw, level, words",
    [
        ({}, GOOD, "0 % loss, p95 8.0 ms"),
        ({"received": 48, "p95": 180.0}, MARGINAL, "4 % loss, p95 180 ms"),
        ({"received": 49}, MARGINAL, "2 % loss, p95 8.0 ms"),
        ({"received": 45}, POOR, "10 % loss, p95 8.0 ms"),
        ({"p95": 450.0}, POOR, "0 % loss, p95 450 ms"),
        ({"jitter": 70.0}, MARGINAL, "0 % loss, p95 8.0 ms, jitter 70 ms"),
        ({"received": 0}, POOR, "no answer to 50 probes"),
        ({"sent": 0, "received": 0}, UNKNOWN, "not measured"),
    ],
)
def test_assessment_levels_and_words(kw, level, words):
    a = assess_link(_result(**kw))
    assert (a.level, a.words) == (level, words)
    assert bool(a.reasons) == (level != GOOD)


def test_assess_gateway_reads_the_gateway_result():
    assert assess_gateway(None) is None
    assert assess_gateway(LinkTest()) is None
    assert assess_gateway(LinkTest(results=(_result(received=48, p95=180.0),))).level == MARGINAL
