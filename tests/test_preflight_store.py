"""Pre-flight results kept in the project: the stored value round-trips through the store and
survives reopening and Save As; `evsurvey check --project P --save` writes them with the hosts
and charger IP the installer added; `evsurvey info` says when the last check ran; the network
checklist is pre-filled from them; each result is filed under one troubleshooting row."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_netcheck import LAPTOP_IP, _offline, refused_udp_port, sntp_responder, tcp_server  # noqa: F401 (autouse fixture)
from test_netcheck_cli import public_internet  # noqa: F401 (fixture)

from survey import cli
from survey.analysis.checklist import ACTION, CHECK, OK, build_checklist
from survey.analysis.recommend import recommend
from survey.project.model import ChargerProfile, Project
from survey.project.preflight import (
    CHARGER_IP_SETTING,
    CHECK_DOMAINS_SETTING,
    TROUBLE_LOCAL_API,
    TROUBLE_OFFLINE,
    CheckResult,
    NetcheckReport,
    NetworkContext,
    Status,
    checklist_item,
    troubleshooting_row,
)
from survey.project.profiles import get_profile
from survey.project.store import ProjectStore

RAN_AT = 1_780_000_000.0  # 2026-05-28


def report(*results: CheckResult, ran_at: float = RAN_AT) -> NetcheckReport:
    return NetcheckReport(
        "zaptec_pro",
        "Zaptec Pro",
        False,
        15.0,
        2345.678,
        tuple(results),
        ran_at=ran_at,
        network=NetworkContext("Garage-IoT", "192.168.20.23", "192.168.20.0/24", "wlan0", "192.168.20.1"),
    )


SAMPLE = report(
    CheckResult("gateway", "Default gateway", Status.PASS, "192.168.20.1 via wlan0."),
    CheckResult(
        "dns:api.zaptec.com",
        "DNS api.zaptec.com",
        Status.FAIL,
        "Answered 0.0.0.0: blocked by a DNS filter.",
        "Allow-list in the DNS filter: api.zaptec.com.",
        12.5,
    ),
    CheckResult("egress:8883", "Outbound TCP 8883", Status.PASS, "Leaves this network."),
    CheckResult("ntp", "NTP clock (UDP 123)", Status.WARN, "No NTP reply.", "Allow outbound UDP 123."),
    CheckResult("mdns", "mDNS on this network (one-shot query)", Status.PASS, "1 responder: charger (192.168.20.15)."),
    CheckResult("local:api", "Charger's local API", Status.SKIP, "Not probed: no charger IP was given."),
)


# --------------------------------------------------------------------------- the store


def test_stored_results_round_trip_and_survive_reopening_and_save_as(tmp_path):
    path = tmp_path / "site.evsurvey"
    with ProjectStore.create(path, Project(charger_profile_id="zaptec_pro")) as store:
        assert store.load().preflight is None
        store.set_preflight(SAMPLE)
    with ProjectStore.open(path, read_only=True) as store:
        loaded = store.load().preflight
    assert loaded.to_json() == SAMPLE.to_json()
    assert loaded.results[1] == SAMPLE.results[1] and loaded.network == SAMPLE.network
    assert loaded.ran_at == RAN_AT and loaded.failed
    with ProjectStore.open(path) as store, store.save_as(tmp_path / "copy.evsurvey") as copy:
        assert copy.load().preflight.to_json() == SAMPLE.to_json()
    # A project written whole (e.g. a new file from an opened one) carries the results too.
    with ProjectStore.create(tmp_path / "whole.evsurvey", Project(preflight=SAMPLE)) as store:
        assert store.load().preflight.to_json() == SAMPLE.to_json()


def test_a_damaged_stored_record_does_not_keep_the_project_from_opening(tmp_path, caplog):
    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, Project()).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO meta(key, value) VALUES ('preflight', ?)", (json.dumps({"profile": "nope"}),))
    db.commit()
    db.close()
    with ProjectStore.open(path, read_only=True) as store:
        project = store.load()
    assert project.preflight is None and "ignoring the stored pre-flight results" in caplog.text


def test_stored_checks_need_no_schema_step(tmp_path):
    """The results live in a meta key: storing them leaves the file's format as it was."""
    from survey.project.store import SCHEMA_VERSION

    path = tmp_path / "site.evsurvey"
    with ProjectStore.create(path, Project()) as store:
        store.set_preflight(SAMPLE)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --------------------------------------------------------------------------- the CLI


def run_cli(*argv) -> int:
    return cli.main(list(argv))


@pytest.mark.usefixtures("public_internet")
def test_check_save_keeps_results_domains_and_charger_ip_and_info_shows_them(tmp_path, capsys):
    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, Project(charger_profile_id="generic_iot")).close()
    with tcp_server() as port, sntp_responder() as ntp_port:
        code = run_cli(
            "check",
            "--project",
            str(path),
            "--save",
            "--domain",
            f"api.maker.example:{port}",
            "--charger-ip",
            "192.168.20.15",
            "--ntp-server",
            f"127.0.0.1:{ntp_port}",
            "--ssid",
            "Garage-IoT",
            "--timeout",
            "2",
            "--json",
        )
    out = json.loads(capsys.readouterr().out)
    assert out["saved_to"] == str(path)
    with ProjectStore.open(path, read_only=True) as store:
        project = store.load()
    stored = project.preflight
    assert stored is not None and stored.to_json()["checks"] == out["checks"]
    assert stored.network.ssid == "Garage-IoT" and stored.network.laptop_ip == LAPTOP_IP
    assert stored.network.subnet == "192.0.2.0/24" and stored.profile_id == "generic_iot"
    assert project.settings[CHECK_DOMAINS_SETTING] == [f"api.maker.example:{port}"]
    assert project.settings[CHARGER_IP_SETTING] == "192.168.20.15"
    assert code == (1 if stored.failed else 0)

    assert run_cli("info", str(path)) == 0
    text = capsys.readouterr().out
    assert f"Network:   checked {stored.ran_at_text()} (generic_iot): " in text and "SSID 'Garage-IoT'" in text
    assert run_cli("info", str(path), "--json") == 0
    info = json.loads(capsys.readouterr().out)["preflight"]
    assert info["ran_at"] == stored.ran_at and info["summary"] == out["summary"] and info["profile"] == "generic_iot"

    # The next check of the project tests the kept host and the charger without being told again ...
    with tcp_server() as port2:
        run_cli(
            "check",
            "--project",
            str(path),
            "--domain",
            f"api.maker.example:{port2}",
            "--timeout",
            "1",
            "--json",
            "--ntp-server",
            f"127.0.0.1:{refused_udp_port()}",
        )
    ids = {c["id"] for c in json.loads(capsys.readouterr().out)["checks"]}
    assert {f"tcp:api.maker.example:{port}", f"tcp:api.maker.example:{port2}", "local:modbus"} <= ids
    # ... and --forget-domain drops a kept host (without --save nothing else is written).
    run_cli(
        "check",
        "--project",
        str(path),
        "--forget-domain",
        f"API.maker.example:{port}",
        "--timeout",
        "1",
        "--ntp-server",
        f"127.0.0.1:{refused_udp_port()}",
    )
    capsys.readouterr()
    with ProjectStore.open(path, read_only=True) as store:
        after = store.load()
    assert after.settings[CHECK_DOMAINS_SETTING] == [] and after.preflight.ran_at == stored.ran_at


def test_a_project_that_cannot_be_written_still_shows_the_results_then_says_why(tmp_path, capsys, monkeypatch):
    from survey.project.store import ProjectReadOnlyError

    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, Project()).close()

    def read_only(self, report):  # as on a read-only medium (tests run as root, where chmod does not stop writes)
        raise ProjectReadOnlyError(f"{path.name} is read-only. Save a copy with File → Save As to keep surveying.")

    monkeypatch.setattr(ProjectStore, "set_preflight", read_only)
    code = run_cli(
        "check", "--project", str(path), "--save", "--ntp-server", f"127.0.0.1:{refused_udp_port()}", "--timeout", "1"
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "Network pre-flight for" in captured.out and "Result:" in captured.out
    assert "read-only" in captured.err and "Traceback" not in captured.err


def test_info_says_when_no_check_was_saved(tmp_path, capsys):
    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, Project()).close()
    assert run_cli("info", str(path)) == 0
    assert "Network:   not checked yet (evsurvey check --project FILE --save)" in capsys.readouterr().out


def test_forgetting_a_host_the_project_does_not_keep_is_bad_input(tmp_path, capsys):
    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, Project(settings={CHECK_DOMAINS_SETTING: ["a.example"]})).close()
    assert run_cli("check", "--project", str(path), "--forget-domain", "b.example") == 2
    assert "keeps no such host (it keeps: a.example)" in capsys.readouterr().err


# --------------------------------------------------------------------------- where results are filed


@pytest.mark.parametrize(
    "result_id, row, item",
    [
        ("gateway", TROUBLE_OFFLINE, None),
        ("portal", TROUBLE_OFFLINE, None),
        ("cloud_domains", TROUBLE_OFFLINE, "dns_allowlist"),
        ("dns:api.zaptec.com", TROUBLE_OFFLINE, "dns_allowlist"),
        ("dns:filter", TROUBLE_OFFLINE, "dns_allowlist"),
        ("tcp:api.zaptec.com:443", TROUBLE_OFFLINE, "egress_ports"),
        ("egress:8883", TROUBLE_OFFLINE, "egress_ports"),
        ("tls:[2001:db8::1]:443", TROUBLE_OFFLINE, "egress_ports"),
        ("ntp", TROUBLE_OFFLINE, "ntp"),
        ("mdns", TROUBLE_LOCAL_API, "local_access"),
        ("local:modbus", TROUBLE_LOCAL_API, "local_access"),
        ("local:charger", TROUBLE_LOCAL_API, "local_access"),
        ("something_new", None, None),
    ],
)
def test_each_result_is_filed_under_one_troubleshooting_row_and_checklist_item(result_id, row, item):
    result = CheckResult(result_id, "t", Status.PASS, "d")
    assert troubleshooting_row(result) == row and checklist_item(result) == item


def test_every_checklist_code_a_result_fills_exists():
    items = {i.code for i in build_checklist([], None, get_profile("generic_iot"))}
    filed = {
        checklist_item(CheckResult(k, "t", Status.PASS, "d"))
        for k in ("dns", "tcp", "ntp", "mdns", "local", "gateway", "portal")
    } - {None}
    assert filed <= items


def test_the_checklist_is_prefilled_from_the_stored_check():
    items = {i.code: i for i in build_checklist([], None, get_profile("zaptec_pro"), SAMPLE)}
    when = f"network check of {SAMPLE.ran_at_text()}"
    dns, egress, ntp, local = items["dns_allowlist"], items["egress_ports"], items["ntp"], items["local_access"]
    assert dns.status == ACTION and dns.from_check
    assert (
        dns.detail == f"{when}: DNS api.zaptec.com: Answered 0.0.0.0: blocked by a DNS filter. Fix: Allow-list in "
        "the DNS filter: api.zaptec.com."
    )
    assert egress.status == OK and egress.detail == f"{when}: 1 check passed (Outbound TCP 8883)."
    assert ntp.status == CHECK and ntp.detail.endswith(f"Last {when}: NTP clock (UDP 123): No NTP reply.")
    assert local.status == OK and local.from_check  # the SKIP of the local API says nothing
    assert items["idle_timeout"].status == CHECK and not items["idle_timeout"].from_check
    assert items["wps_off"].to_json()["from_check"] is False


def test_recommend_reads_the_projects_stored_check():
    rec = recommend(Project(charger_profile_id="zaptec_pro", preflight=SAMPLE))
    assert {c.code: c.status for c in rec.checklist}["dns_allowlist"] == ACTION
    assert rec.to_json()["checklist"][0]["from_check"] is False


def test_the_dns_allowlist_item_tells_the_makers_wildcard():
    items = {i.code: i for i in build_checklist([], None, get_profile("chargepoint_home_flex"))}
    assert "*.chargepoint.com" in items["dns_allowlist"].detail
    custom = ChargerProfile(id="x", name="x", cloud_domains=("ocpp.example.com",))
    assert "ocpp.example.com" in {i.code: i for i in build_checklist([], None, custom)}["dns_allowlist"].detail
