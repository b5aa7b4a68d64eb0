"""`evsurvey check`: JSON shape, table, exit codes 0/1/2, with everything on localhost."""

from __future__ import annotations

import json

import pytest
from fakes.lan import Advertised, http_server, mdns_responder
from test_netcheck import PUBLIC_IP, _offline, refused_port, sntp_responder, tcp_server  # noqa: F401 (autouse fixture)

from survey import cli
from survey.errors import UserInputError
from survey.netcheck import command, mdns, probes
from survey.project.model import Project
from survey.project.store import ProjectStore


def check(*argv) -> int:
    return cli.main(["check", *argv])


@pytest.fixture
def public_internet(monkeypatch):
    """Every name resolves to a public-looking address, and every TCP connection the checks make
    is redirected to the same port on 127.0.0.1: the verdicts see the internet, the packets stay here."""
    real_connect = probes.tcp_connect
    monkeypatch.setattr(probes, "system_resolve", lambda host: (PUBLIC_IP,))
    monkeypatch.setattr(
        probes, "tcp_connect", lambda address, port, timeout_s: real_connect("127.0.0.1", port, timeout_s)
    )


def test_a_healthy_network_passes_every_check_and_exits_0_with_the_json_shape(capsys, public_internet, monkeypatch):
    device = Advertised("wallbox-5678._http._tcp.local.", "wallbox-5678.local.", "192.168.20.15")
    with (
        tcp_server() as port,
        sntp_responder(0.2) as ntp_port,
        http_server() as (portal_port, _),
        mdns_responder(device) as (mdns_port, _),
    ):
        monkeypatch.setattr(mdns, "MDNS_DESTINATION", ("127.0.0.1", mdns_port))
        code = check(
            "--profile",
            "generic_iot",
            "--domain",
            f"api.maker.example:{port}",
            "--ntp-server",
            f"127.0.0.1:{ntp_port}",
            "--portal-url",
            f"http://connectivity.example:{portal_port}/generate_204",
            "--ssid",
            "Garage-IoT",
            "--timeout",
            "3",
            "--json",
        )
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert data["ok"] is True and data["generic"] is False and data["saved_to"] is None
    assert data["profile"] == {"id": "generic_iot", "name": "Generic 2.4 GHz IoT charger"}
    assert data["network"]["ssid"] == "Garage-IoT"
    ids = [c["id"] for c in data["checks"]]
    assert ids == [
        "gateway",
        "portal",
        "dns:api.maker.example",
        f"tcp:api.maker.example:{port}",
        f"egress:{port}",
        "ntp",
        "mdns",
        "local:api",
    ]
    by_id = {c["id"]: c["status"] for c in data["checks"]}
    assert by_id.pop("mdns") == "WARN"  # 1 responder, but without --charger-ip it cannot say which is the charger
    assert by_id.pop("local:api") == "SKIP"
    assert set(by_id.values()) == {"PASS"}
    assert data["summary"] == {"pass": 6, "warn": 1, "fail": 0, "skip": 1}


def test_a_blocked_port_exits_1_and_the_table_says_what_to_open(capsys):
    closed = refused_port()
    with sntp_responder() as ntp_port:
        code = check("--domain", f"127.0.0.1:{closed}", "--ntp-server", f"127.0.0.1:{ntp_port}", "--timeout", "2")
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and f"fix: Allow outbound TCP {closed}" in out
    assert "Result: FAILED" in out


def test_project_profile_with_a_sinkholing_dns(tmp_path, monkeypatch, capsys):
    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, Project(charger_profile_id="zaptec_pro")).close()
    monkeypatch.setattr(probes, "system_resolve", lambda host: ("0.0.0.0",))
    code = check("--project", str(path), "--timeout", "2", "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["profile"]["id"] == "zaptec_pro"
    dns = {c["id"]: c for c in data["checks"] if c["id"].startswith("dns:")}
    assert "dns:zapcloud.azure-devices.net" in dns
    assert all(c["status"] == "FAIL" and "Pi-hole/AdGuard" in c["detail"] for c in dns.values())
    assert next(c for c in data["checks"] if c["id"] == "ntp")["status"] == "WARN"
    assert data["elapsed_ms"] < 2500


def test_generic_profile_says_what_cannot_be_checked(capsys):
    with sntp_responder() as ntp_port:
        code = check("--profile", "emporia_ev", "--ntp-server", f"127.0.0.1:{ntp_port}", "--timeout", "1")
    out = capsys.readouterr().out
    assert code == 0  # nothing failed; the generic hosts are cut off in this test, so their ports are skipped
    assert "documents no cloud domains" in out and "SKIP" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--profile", "no_such_charger"],
        ["--timeout", "0"],
        ["--timeout", "1000"],
        ["--domain", "a:b:c"],
        ["--domain", "host:99999"],
        ["--ntp-server", "[::1"],
        ["--project", "/nonexistent/site.evsurvey"],
        ["--save"],
        ["--forget-domain", "x.example"],
        ["--charger-ip", "charger.local"],
        ["--portal-url", "https://x.example/"],
        ["--portal-status", "42"],
        ["--modbus-unit", "300"],
        ["--modbus-register", "-1"],
    ],
)
def test_bad_input_exits_2(argv, capsys):
    assert check(*argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("evsurvey: ") and "Traceback" not in err


@pytest.mark.parametrize(
    "text, expected",
    [
        ("api.example.com", ("api.example.com", None)),
        ("api.example.com:8883", ("api.example.com", 8883)),
        ("10.0.0.1:443", ("10.0.0.1", 443)),
        ("[::1]:8443", ("::1", 8443)),
        ("2001:db8::1", ("2001:db8::1", None)),
    ],
)
def test_host_port_parsing(text, expected):
    assert command.parse_host_port(text, "--domain") == expected


def test_run_refuses_an_unknown_profile_directly():
    import argparse

    parser = argparse.ArgumentParser()
    command.configure(parser)
    with pytest.raises(UserInputError, match="Unknown charger profile"):
        command.run(parser.parse_args(["--profile", "nope"]))
