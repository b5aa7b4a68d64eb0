"""`evsurvey scan` subcommand, backend registry, staleness guard, netsh backend."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from fakes.executables import Behaviour, install, only_path

from survey.errors import UserInputError
from survey.project.model import Observation, ScanResult
from survey.scan import command, registry
from survey.scan.backends.netsh import NetshScanner
from survey.scan.base import ScannerUnavailable
from survey.scan.staleness import StalenessGuard, drop_unseen

FIX = Path(__file__).parent / "fixtures" / "scan"
JSON_KEYS = {
    "bssid",
    "ssid",
    "rssi_dbm",
    "rssi_estimated",
    "signal_pct",
    "freq_mhz",
    "channel",
    "band",
    "auth",
    "ciphers",
    "wps",
    "station_count",
    "channel_utilization_pct",
}
AUTH = {"OPEN", "WEP", "WPA-PSK", "WPA2-PSK", "WPA3-SAE", "WPA-EAP", "WPA2-EAP", "WPA3-EAP", "OWE"}


def run_cli(*argv) -> int:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    return command.run(parser.parse_args(list(argv)))


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.txt")))
def test_from_file_json_shape(name, capsys):
    assert run_cli("--from-file", str(FIX / name), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"format", "warnings", "observations"}
    for o in data["observations"]:
        assert JSON_KEYS <= set(o)
        assert set(o["auth"]) <= AUTH
        assert o["wps"] in (True, False, None)


def test_from_file_table_escapes_controls_and_filters_band(capsys):
    assert run_cli("--from-file", str(FIX / "wpa_cli-escapes-crlf.txt"), "--band", "2.4") == 0
    out = capsys.readouterr().out
    assert "tab\\x09here" in out and "(hidden network)" in out and "日本語" not in out  # 5 GHz filtered


def test_from_file_forced_format_and_errors(tmp_path, capsys):
    assert run_cli("--from-file", str(FIX / "iw-scan-two-networks.txt"), "--format", "iw", "--json") == 0
    assert json.loads(capsys.readouterr().out)["format"] == "iw"
    with pytest.raises(UserInputError, match="Cannot read"):
        run_cli("--from-file", str(tmp_path / "missing.txt"))
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    with pytest.raises(UserInputError, match="not a scan"):
        run_cli("--from-file", str(junk))


def test_list_backends(capsys):
    assert run_cli("--list-backends", "--json") == 0
    reports = json.loads(capsys.readouterr().out)
    names = [r["name"] for r in reports]
    assert "simulated" in names and all(r["reason"] for r in reports)


def test_registry_candidates_per_os():
    assert registry.candidates("linux")[0] == "nmcli"
    assert registry.candidates("win32") == ("pywifi", "netsh")
    assert registry.candidates("darwin")[0] == "corewlan"


def test_auto_with_nothing_usable_explains_every_candidate(tmp_path, monkeypatch):
    only_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setattr("survey.scan.backends.pywifi_backend.DEFAULT_CTRL_DIR", str(tmp_path / "none"))
    with pytest.raises(ScannerUnavailable) as info:
        registry.make_scanner("auto")
    msg = str(info.value)
    for name in registry.candidates():
        assert f"{name}:" in msg
    assert "--from-file" in msg


def test_auto_picks_nmcli_when_running(tmp_path, monkeypatch, capsys):
    bin_dir = tmp_path / "bin"
    only_path(monkeypatch, bin_dir)
    if not registry.candidates()[0] == "nmcli":
        pytest.skip("Linux only")
    install(
        bin_dir,
        "nmcli",
        [("RUNNING", Behaviour(b"running\n")), ("--rescan yes", Behaviour((FIX / "nmcli-ssid-hex.txt").read_bytes()))],
    )
    assert run_cli("--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "nmcli" and data["fresh"] is True and len(data["observations"]) == 4


def test_simulated_needs_a_site():
    with pytest.raises(ScannerUnavailable, match="evsurvey demo"):
        registry.make_scanner("simulated")


class _Repeating:
    name = "fake"

    def scan(self, timeout_s=20.0):
        obs = (Observation("02:00:00:00:00:01", "x", -60.0),)
        return ScanResult(obs, 0.0, 1.0, "fake")


def test_identical_scan_is_flagged():
    guard = StalenessGuard(_Repeating())
    assert guard.scan().fresh
    second = guard.scan()
    assert not second.fresh and "identical" in second.warnings[0]


def test_drop_unseen():
    old = Observation("02:00:00:00:00:01", "a", -60.0, last_seen=100.0)
    new = Observation("02:00:00:00:00:02", "b", -60.0, last_seen=205.0)
    unknown = Observation("02:00:00:00:00:03", "c", -60.0)
    kept, dropped = drop_unseen((old, new, unknown), started_at=200.0)
    assert kept == (new, unknown) and dropped == 1


def test_netsh_backend_cached_and_oem(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    only_path(monkeypatch, bin_dir)
    install(bin_dir, "netsh", [("mode=bssid", Behaviour((FIX / "netsh-es-cp850-bytes.txt").read_bytes()))])
    result = NetshScanner(trigger=lambda: False).scan(timeout_s=10)
    assert not result.fresh and len(result.observations) == 7
    assert any("cached" in w for w in result.warnings) and any("cp850" in w for w in result.warnings)
    fresh = NetshScanner(trigger=lambda: True, wait_s=0).scan(timeout_s=10)
    assert fresh.fresh


def test_netsh_backend_service_down(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    only_path(monkeypatch, bin_dir)
    install(
        bin_dir,
        "netsh",
        [("", Behaviour(b"The Wireless AutoConfig Service (wlansvc) is not running.\r\n", exit_code=1))],
    )
    with pytest.raises(ScannerUnavailable, match="net start wlansvc"):
        NetshScanner(trigger=lambda: False).scan(timeout_s=10)


# -- the simulated scanner over a project's plan -----------------------------------------------------


@pytest.fixture
def demo_file(tmp_path):
    from survey.demo import build_demo_project

    path = tmp_path / "demo.evsurvey"
    build_demo_project(path).close()
    return path


def test_simulated_scan_at_a_point_of_a_project(demo_file, capsys):
    before = demo_file.read_bytes()
    assert run_cli("--backend", "simulated", "--project", str(demo_file), "--at", "10,4", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "simulated" and data["at_m"] == [10.0, 4.0]
    ssids = {o["ssid"] for o in data["observations"]}
    assert "Rivera-Home" in ssids  # the demo's target network
    for o in data["observations"]:
        assert JSON_KEYS <= set(o)
    assert demo_file.read_bytes() == before  # opened read-only


def test_simulated_scan_is_stronger_near_the_router(demo_file, capsys):
    def best(at):
        assert (
            run_cli("--backend", "simulated", "--project", str(demo_file), "--at", at, "--band", "2.4", "--json") == 0
        )
        data = json.loads(capsys.readouterr().out)
        return max(o["rssi_dbm"] for o in data["observations"] if o["ssid"] == "Rivera-Home")

    # The demo router stands at (0.5, 9.3) m; the charger at the far end of the garage.
    assert best("1.5,9.0") > best("13.5,2.5") + 10


def test_simulated_scan_defaults_to_the_charger_and_prints_a_table(demo_file, capsys):
    assert run_cli("--backend", "simulated", "--project", str(demo_file)) == 0
    out = capsys.readouterr().out
    assert "Rivera-Home" in out and "(simulated)" in out


def test_simulated_scan_input_errors(demo_file, tmp_path):
    with pytest.raises(UserInputError, match="--project FILE"):
        run_cli("--backend", "simulated", "--at", "10,4")
    with pytest.raises(UserInputError, match="off the plan"):
        run_cli("--backend", "simulated", "--project", str(demo_file), "--at", "100,4")
    with pytest.raises(UserInputError, match="use them with --backend simulated"):
        run_cli("--backend", "nmcli", "--project", str(demo_file))
    not_a_project = tmp_path / "notes.evsurvey"
    not_a_project.write_text("hello")
    with pytest.raises(UserInputError):
        run_cli("--backend", "simulated", "--project", str(not_a_project), "--at", "1,1")
    with pytest.raises(SystemExit):
        run_cli("--backend", "simulated", "--project", str(demo_file), "--at", "10")
    assert command.parse_xy_m(" 10.5 , 4 ") == (10.5, 4.0)
