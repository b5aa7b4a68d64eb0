"""Findings and the checklist, fed by real scanner output (parsed with survey.scan.parsers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.analysis.checklist import ACTION, CHECK, OK, build_checklist
from survey.analysis.findings import find_issues
from survey.project.model import ChargerProfile, Observation, TargetNetwork
from survey.scan.parsers import parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "analysis"
PROFILE = ChargerProfile(id="t", name="t", ports=(443,))


def observations(name: str):
    return parse_text((FIXTURES / name).read_text(encoding="utf-8")).observations


def codes(findings):
    return {f.code for f in findings}


def test_iw_wps_tkip_and_overlapping_channel():
    found = find_issues(observations("iw-scan-6bss-wps-bssload.txt"), TargetNetwork("hello"))
    assert {"tkip", "wps_enabled", "overlapping_channel"} <= codes(found)
    overlap = next(f for f in found if f.code == "overlapping_channel")
    assert "channel 10" in overlap.title
    assert any(f"channel to {ch}" in overlap.fix for ch in (1, 6, 11))
    assert "11:22:33:44:55:66" in next(f for f in found if f.code == "wps_enabled").bssids
    # The BSS Load of "hello" is 24/255 (9 %): not busy.
    assert "high_bss_load" not in codes(found)


def test_iw_40mhz_in_24ghz():
    found = find_issues(observations("iw-scan-6bss-wps-bssload.txt"), TargetNetwork("foo"))
    assert "width_40mhz_24ghz" in codes(found)
    assert "wps_enabled" in codes(found)
    assert "tkip" not in codes(found)  # foo is WPA2/CCMP


def test_nmcli_dual_band_ssid_is_a_band_steering_risk():
    found = find_issues(observations("nmcli-terse-escaped.txt"), TargetNetwork("NERMNET"))
    assert "band_steering_risk" in codes(found)
    assert "tkip" in codes(found)
    steering = next(f for f in found if f.code == "band_steering_risk")
    assert "61:ff:7b:43:b5:26" in steering.bssids
    assert "separate" in steering.fix.lower()


def test_nmcli_open_guest_network():
    found = find_issues(observations("nmcli-terse-escaped.txt"), TargetNetwork("Linksys01777-invité"))
    assert "open_network" in codes(found)
    assert found[0].severity == "critical"


def test_nmcli_5ghz_only_target_cannot_be_joined():
    found = find_issues(observations("nmcli-terse-escaped.txt"), TargetNetwork("Linksys01777_5GHz"))
    assert "target_no_24ghz" in codes(found)


def test_wpa_cli_wps_flag():
    found = find_issues(observations("wpa_cli-two-wps.txt"), TargetNetwork("Valparaiso_Guest_House 1"))
    assert {"wps_enabled", "tkip"} <= codes(found)
    clean = find_issues(observations("wpa_cli-two-wps.txt"), TargetNetwork("Valparaiso_Guest_House 2"))
    assert "wps_enabled" not in codes(clean)


def test_netsh_open_network_with_bss_load():
    found = find_issues(observations("netsh-en-win11-bssload.txt"), TargetNetwork("SSID-1"))
    assert "open_network" in codes(found)


def test_target_not_heard():
    found = find_issues(observations("wpa_cli-two-wps.txt"), TargetNetwork("Nope"))
    assert codes(found) == {"target_not_heard"}


def _obs(bssid, ssid, rssi, channel=6, **kw):
    return Observation(bssid, ssid, rssi, 2407.0 + 5 * channel, channel, "2.4", **kw)


def test_wpa3_sae_only_hidden_and_busy_channel():
    obs = [_obs("aa:00:00:00:00:01", "", -50, auth=("WPA3-SAE",), ciphers=("CCMP",), channel_utilization_pct=70.0)]
    found = find_issues(obs, TargetNetwork("Home", bssids=("aa:00:00:00:00:01",)))
    assert {"wpa3_sae_only", "hidden_ssid", "high_bss_load"} <= codes(found)
    transition = [_obs("aa:00:00:00:00:01", "Home", -50, auth=("WPA2-PSK", "WPA3-SAE"), ciphers=("CCMP",))]
    assert "wpa3_sae_only" not in codes(find_issues(transition, TargetNetwork("Home")))


def test_many_cochannel_networks():
    obs = [_obs("aa:00:00:00:00:01", "Home", -50, auth=("WPA2-PSK",))]
    obs += [_obs(f"bb:00:00:00:00:0{i}", f"N{i}", -70) for i in range(4)]
    obs += [_obs("cc:00:00:00:00:01", "Far", -60, channel=1)]
    found = find_issues(obs, TargetNetwork("Home"))
    many = next(f for f in found if f.code == "many_cochannel")
    assert "4 other" in many.title
    assert "channel to" in many.fix


def test_findings_are_sorted_by_severity():
    found = find_issues(observations("nmcli-terse-escaped.txt"), TargetNetwork("Linksys01777-invité"))
    order = ["critical", "warning", "info"]
    assert [order.index(f.severity) for f in found] == sorted(order.index(f.severity) for f in found)


@pytest.mark.parametrize(
    "ssid,code,status",
    [
        ("NERMNET", "band_24ghz", ACTION),
        ("VIRGIN172", "band_24ghz", OK),
        ("Linksys01777-invité", "security_mode", ACTION),
        ("VIRGIN172", "security_mode", OK),
        ("VIRGIN172", "wps_off", CHECK),  # nmcli does not report WPS
    ],
)
def test_checklist_prefilled_from_nmcli(ssid, code, status):
    items = {i.code: i for i in build_checklist(observations("nmcli-terse-escaped.txt"), TargetNetwork(ssid), PROFILE)}
    assert items[code].status == status
    assert items["iot_vlan"].status == CHECK


def test_checklist_wps_from_iw():
    items = {
        i.code: i
        for i in build_checklist(observations("iw-scan-6bss-wps-bssload.txt"), TargetNetwork("hello"), PROFILE)
    }
    assert items["wps_off"].status == ACTION and items["wps_off"].from_scans
    items = {
        i.code: i
        for i in build_checklist(observations("iw-scan-6bss-wps-bssload.txt"), TargetNetwork("world"), PROFILE)
    }
    assert items["wps_off"].status == OK


def test_checklist_names_profile_domains():
    profile = ChargerProfile(id="x", name="x", cloud_domains=("ocpp.example.com",), ports=(443, 8883))
    items = {i.code: i for i in build_checklist([], TargetNetwork("x"), profile)}
    assert "ocpp.example.com" in items["dns_allowlist"].detail
    assert "8883" in items["egress_ports"].detail
