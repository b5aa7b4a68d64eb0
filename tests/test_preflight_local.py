"""The pre-flight checks issue 17 added, each against a server on 127.0.0.1: the captive-portal
probe (exact answer vs redirect vs a portal page), the one-shot mDNS query (a responder on a
loopback socket), the charger's Modbus TCP (a listener that checks the request bytes) and its
web API (HTTP and HTTPS listeners). Every verdict and its message is checked."""

from __future__ import annotations

import socket
import ssl
import struct

import pytest
from fakes.lan import (
    Advertised,
    http_server,
    mdns_responder,
    modbus_exception,
    modbus_listener,
    modbus_registers,
    tcp_server,
)
from test_netcheck import CERT, KEY, LAPTOP_IP, PUBLIC_IP, _offline, by_id, loopback_dial, refused_port  # noqa: F401

from survey.netcheck import mdns, modbus
from survey.netcheck.plan import CheckPlan, LocalApi, PortalProbe
from survey.netcheck.results import Status
from survey.netcheck.runner import run_checks

WALLBOX = Advertised(
    instance="wallbox-5678._http._tcp.local.",
    host="wallbox-5678.local.",
    address="192.168.20.15",
    port=80,
    service_types=("_http._tcp.local.",),
)


def local_plan(
    *, portal: PortalProbe | None = None, mdns_services=(), local_api: LocalApi | None = None, maker: str = ""
) -> CheckPlan:
    return CheckPlan(
        "test",
        "Test charger",
        (),
        (),
        (),
        (),
        False,
        portal=portal,
        mdns_services=mdns_services,
        local_api=local_api,
        maker=maker,
    )


def check(result_id: str, **kwargs):
    """The result ``result_id`` of a run of the plan ``kwargs`` describe (run options split off)."""
    run_options = {k: kwargs.pop(k) for k in ("resolver", "dial", "mdns_destination", "deadline_s") if k in kwargs}
    run_options.setdefault("deadline_s", 3)
    return by_id(run_checks(local_plan(**kwargs), **run_options))[result_id]


# --------------------------------------------------------------------------- captive portal


def portal_at(port: int, **expect) -> PortalProbe:
    return PortalProbe.from_url(f"http://connectivity.example:{port}/generate_204", **expect)


def test_the_exact_expected_answer_from_a_public_address_passes():
    with http_server(204, "No Content") as (port, requests):
        r = check("portal", portal=portal_at(port), resolver=lambda host: (PUBLIC_IP,), dial=loopback_dial)
    assert r.status is Status.PASS, r.detail
    assert "answered 204 with an empty body, as a network without a captive portal does" in r.detail
    assert requests[0].startswith(b"GET /generate_204 HTTP/1.1\r\n")
    assert f"Host: connectivity.example:{port}".encode() in requests[0]


def test_a_redirect_is_a_captive_portal():
    with http_server(302, "Found", headers={"Location": "http://login.hotel.example/portal?mac=aa"}) as (port, _):
        r = check("portal", portal=portal_at(port), resolver=lambda host: (PUBLIC_IP,), dial=loopback_dial)
    assert r.status is Status.FAIL
    assert "redirected (302 Found) to http://login.hotel.example/portal?mac=aa" in r.detail
    assert "captive portal" in r.detail and "MAC" in r.fix


def test_a_portal_page_instead_of_the_exact_answer_fails_with_its_title():
    page = b"<html><head><title>Guest Wi-Fi - accept the terms</title></head><body>...</body></html>"
    with http_server(200, "OK", body=page) as (port, _):
        r = check("portal", portal=portal_at(port), resolver=lambda host: (PUBLIC_IP,), dial=loopback_dial)
    assert r.status is Status.FAIL
    assert f"answered 200 OK with {len(page)} bytes ('Guest Wi-Fi - accept the terms') instead of 204" in r.detail


def test_the_expected_answer_is_configurable_and_exact():
    probe = dict(expect_status=200, expect_body=b"success\n")  # e.g. a detectportal-style text endpoint
    with http_server(200, "OK", body=b"success\n") as (port, _):
        ok = check("portal", portal=portal_at(port, **probe), resolver=lambda host: (PUBLIC_IP,), dial=loopback_dial)
    with http_server(200, "OK", body=b"success") as (port, _):  # one byte short
        wrong = check("portal", portal=portal_at(port, **probe), resolver=lambda host: (PUBLIC_IP,), dial=loopback_dial)
    assert ok.status is Status.PASS and "the expected body" in ok.detail
    assert wrong.status is Status.FAIL


def test_an_expected_answer_from_a_local_server_does_not_prove_the_internet():
    with http_server() as (port, _):
        r = check("portal", portal=PortalProbe.from_url(f"http://127.0.0.1:{port}/generate_204"))
    assert r.status is Status.WARN
    assert "from 127.0.0.1, loopback (this laptop itself): a local server answered" in r.detail


def test_an_unreachable_or_unresolvable_probe_is_a_warning():
    closed = refused_port()
    refused = check("portal", portal=PortalProbe.from_url(f"http://127.0.0.1:{closed}/generate_204"))
    assert refused.status is Status.WARN and "Could not connect" in refused.detail
    assert "cannot be ruled out" in refused.detail

    def no_dns(host):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    unresolved = check("portal", portal=portal_at(80), resolver=no_dns)
    assert unresolved.status is Status.WARN and "connectivity.example did not resolve" in unresolved.detail


@pytest.mark.parametrize(
    "url", ["https://connectivity.example/", "ftp://x.example/", "http:///nohost", "http://x.example:99999/"]
)
def test_the_probe_needs_a_plain_http_url(url):
    with pytest.raises(ValueError):
        PortalProbe.from_url(url)


# --------------------------------------------------------------------------- mDNS


def test_the_one_shot_query_asks_for_each_service_type_and_reads_a_unicast_answer():
    with mdns_responder(WALLBOX) as (port, queries):
        found = mdns.query(mdns.DEFAULT_SERVICE_TYPES, destination=("127.0.0.1", port), listen_s=0.5)
    assert len(queries) == 1
    query_id, flags, qdcount = struct.unpack(">HHH", queries[0][:6])
    assert flags == 0 and qdcount == len(mdns.DEFAULT_SERVICE_TYPES)  # a standard query (RFC 6762 section 18)
    assert all(label in queries[0] for label in (b"\x09_services", b"\x05_http", b"\x0f_home-assistant"))
    (responder,) = found
    assert responder.address == "127.0.0.1" and responder.has_address("192.168.20.15")
    assert responder.hostnames == ("wallbox-5678.local.",)
    assert responder.services == (
        mdns.MdnsService("wallbox-5678._http._tcp.local.", "_http._tcp.local.", "wallbox-5678.local.", 80),
    )
    assert responder.service_types == ("_http._tcp.local.",)
    assert responder.label == "wallbox-5678.local (127.0.0.1): _http._tcp"


def test_an_answer_to_another_query_is_ignored():
    with mdns_responder(WALLBOX, answer_id_offset=1) as (port, queries):
        found = mdns.query(destination=("127.0.0.1", port), listen_s=0.3)
    assert queries and found == ()


def test_the_charger_entered_by_ip_is_visible():
    with mdns_responder(WALLBOX) as (port, _):
        r = check(
            "mdns",
            mdns_services=mdns.DEFAULT_SERVICE_TYPES,
            mdns_destination=("127.0.0.1", port),
            local_api=LocalApi(
                "192.168.20.15", modbus_port=refused_port(), http_port=refused_port(), https_port=refused_port()
            ),
            dial=loopback_dial,
        )
    assert r.status is Status.PASS
    assert r.detail.startswith("1 responder: wallbox-5678.local (127.0.0.1): _http._tcp.")
    assert r.detail.endswith("The charger at 192.168.20.15 is visible from this network as wallbox-5678.local.")


def test_a_charger_missing_from_the_responders_gets_the_reservation_advice():
    with mdns_responder(WALLBOX) as (port, _):
        r = check(
            "mdns",
            mdns_services=mdns.DEFAULT_SERVICE_TYPES,
            mdns_destination=("127.0.0.1", port),
            local_api=LocalApi(
                "192.168.20.99", modbus_port=refused_port(), http_port=refused_port(), https_port=refused_port()
            ),
            dial=loopback_dial,
        )
    assert r.status is Status.WARN
    assert "The charger at 192.168.20.99 is not among them" in r.detail
    assert "DHCP reservation" in r.fix and "mDNS reflector" in r.fix


def test_a_responder_named_like_the_maker_is_probably_the_charger():
    with mdns_responder(WALLBOX) as (port, _):
        named = check(
            "mdns", mdns_services=mdns.DEFAULT_SERVICE_TYPES, mdns_destination=("127.0.0.1", port), maker="Wallbox"
        )
        other = check(
            "mdns", mdns_services=mdns.DEFAULT_SERVICE_TYPES, mdns_destination=("127.0.0.1", port), maker="Zaptec"
        )
    assert named.status is Status.PASS
    assert "wallbox-5678.local (127.0.0.1) is named like a Wallbox device: probably the charger" in named.detail
    assert other.status is Status.WARN and "None is recognisably the charger by name" in other.detail
    assert "--charger-ip" in other.fix


def test_silence_on_the_lan_is_a_warning_with_the_reservation_advice():
    with mdns_responder(None) as (port, queries):
        r = check(
            "mdns", mdns_services=mdns.DEFAULT_SERVICE_TYPES, mdns_destination=("127.0.0.1", port), deadline_s=1.5
        )
    assert queries  # it was asked, and said nothing
    assert r.status is Status.WARN
    assert (
        "No device answered a one-shot mDNS query for _services._dns-sd._udp, _http._tcp, _home-assistant._tcp"
        in r.detail
    )
    assert "DHCP reservation" in r.fix


# --------------------------------------------------------------------------- the charger's local API


def api_at(**ports) -> LocalApi:
    closed = {k: refused_port() for k in ("modbus_port", "http_port", "https_port")}
    return LocalApi("127.0.0.1", **{**closed, **ports})


def test_modbus_read_of_a_holding_register_with_function_code_3():
    with modbus_listener(modbus_registers(0x1234)) as (port, requests):
        r = check("local:modbus", local_api=api_at(modbus_port=port, modbus_unit=7, modbus_register=100))
    assert r.status is Status.PASS
    assert f"Modbus TCP answers at 127.0.0.1:{port}: holding register 100 of unit 7 reads 4660" in r.detail
    tid, protocol, length, unit, function, address, count = struct.unpack(">HHHBBHH", requests[0])
    assert (protocol, length, unit, function, address, count) == (0, 6, 7, 0x03, 100, 1)


def test_a_modbus_exception_still_shows_the_server_answers():
    with modbus_listener(modbus_exception(0x02)) as (port, _):
        r = check("local:modbus", local_api=api_at(modbus_port=port))
    assert r.status is Status.PASS and "exception 2 (illegal data address)" in r.detail
    assert "the server is reachable" in r.detail


def test_a_gateway_exception_asks_for_the_unit_id():
    with modbus_listener(modbus_exception(0x0B)) as (port, _):
        r = check("local:modbus", local_api=api_at(modbus_port=port))
    assert r.status is Status.WARN and "gateway target device failed to respond" in r.detail
    assert "--modbus-unit" in r.fix


def test_a_port_502_that_does_not_speak_modbus():
    with modbus_listener(lambda request: b"HTTP/1.1 400 Bad Request\r\n\r\n") as (port, _):
        r = check("local:modbus", local_api=api_at(modbus_port=port))
    assert r.status is Status.WARN
    assert "accepted the connection but did not answer a Modbus TCP read" in r.detail


def test_modbus_reply_parsing_follows_the_spec():
    request = modbus.build_read_request(9, 1, 0)
    assert request == bytes.fromhex("0009 0000 0006 01 03 0000 0001".replace(" ", ""))
    assert modbus.parse_reply(bytes.fromhex("000900000005010302002a"), 9, 1).registers == (42,)
    assert modbus.parse_reply(bytes.fromhex("0009000000030183 02".replace(" ", "")), 9, 1).exception_code == 2
    for bad in ("000800000005010302002a", "000900010005010302002a", "000900000006010302002a", "0009000000050104020001"):
        with pytest.raises(modbus.ModbusProtocolError):
            modbus.parse_reply(bytes.fromhex(bad), 9, 1)


def _tls_http_handler(conn, stopped):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    conn.settimeout(3)
    with context.wrap_socket(conn, server_side=True) as tls:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = tls.recv(4096)
            if not chunk:
                return
            head += chunk
        tls.sendall(b"HTTP/1.1 401 Unauthorized\r\nServer: charger-fw/2.1\r\nContent-Length: 0\r\n\r\n")


def test_the_web_api_over_http_and_https():
    with (
        http_server(200, "OK", body=b'{"status": "ready"}', headers={"Server": "charger-fw/2.1"}) as (http_port, req),
        tcp_server(_tls_http_handler) as https_port,
    ):
        results = by_id(
            run_checks(local_plan(local_api=api_at(http_port=http_port, https_port=https_port)), deadline_s=3)
        )
    http, https = results["local:http"], results["local:https"]
    assert http.status is Status.PASS
    assert http.detail.startswith(f"127.0.0.1:{http_port} answers HTTP: 200 OK, server 'charger-fw/2.1'")
    assert https.status is Status.PASS  # a self-signed certificate: reachability, not trust, is the question
    assert https.detail.startswith(f"127.0.0.1:{https_port} answers HTTPS: 401 Unauthorized")
    assert results["local:modbus"].status is Status.WARN and "Nothing listens" in results["local:modbus"].detail
    assert "local:charger" not in results  # the charger answered on some port


def test_a_charger_that_answers_nowhere_fails_with_the_reservation_advice():
    def unreachable(address, port, timeout_s):
        raise TimeoutError("timed out")

    results = by_id(run_checks(local_plan(local_api=LocalApi("192.168.20.15")), dial=unreachable, deadline_s=2))
    assert {results[f"local:{w}"].status for w in ("modbus", "http", "https")} == {Status.WARN}
    whole = results["local:charger"]
    assert whole.status is Status.FAIL
    assert "answers on none of TCP 502, 80, 443 from this network" in whole.detail
    assert "DHCP reservation" in whole.fix


def test_without_a_charger_ip_the_local_api_is_skipped_with_how_to_probe_it():
    with mdns_responder(None) as (port, _):
        r = check(
            "local:api", mdns_services=mdns.DEFAULT_SERVICE_TYPES, mdns_destination=("127.0.0.1", port), deadline_s=1
        )
    assert r.status is Status.SKIP and "--charger-ip" in r.fix


def test_the_laptop_network_is_recorded():
    report = run_checks(local_plan(), deadline_s=1, ssid="Garage-IoT")
    assert report.network.laptop_ip == LAPTOP_IP and report.network.subnet == "192.0.2.0/24"
    assert report.network.text() == f"SSID 'Garage-IoT', laptop {LAPTOP_IP} in 192.0.2.0/24 via eth0, gateway 192.0.2.1"
