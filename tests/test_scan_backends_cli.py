"""nmcli / iw / wpa_cli backends run against fake executables on PATH."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.executables import Behaviour, calls, install, only_path

from survey.scan.backends.iw import IwScanner
from survey.scan.backends.nmcli import NmcliScanner
from survey.scan.backends.wpa_cli import WpaCliScanner
from survey.scan.base import ScanFailed, ScannerError, ScannerUnavailable, ScanTimeout

FIX = Path(__file__).parent / "fixtures" / "scan"
NMCLI_OUT = (FIX / "nmcli-ssid-hex.txt").read_bytes()
IW_DUMP = (FIX / "iw-scan-6bss-wps-bssload.txt").read_bytes()
IW_DEV = b"phy#0\n\tInterface wlp2s0\n\t\tifindex 3\n\t\ttype managed\n"


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    d = tmp_path / "bin"
    only_path(monkeypatch, d)
    return d


# -- nmcli -----------------------------------------------------------------------------


def test_nmcli_success_without_iw_estimates(bin_dir):
    install(bin_dir, "nmcli", [("--rescan yes", Behaviour(NMCLI_OUT))])
    result = NmcliScanner().scan(timeout_s=10)
    assert result.backend == "nmcli" and result.fresh
    assert len(result.observations) == 4
    assert all(o.rssi_estimated for o in result.observations)
    assert any("estimated" in w for w in result.warnings)
    assert "--escape yes" in calls(bin_dir, "nmcli")[0]


def test_nmcli_enriched_by_iw_dump(bin_dir):
    # nmcli lists the BSSIDs of the iw fixture; iw's dump supplies real dBm and BSS Load.
    from survey.scan.text import join_terse

    rows = [
        join_terse(
            [
                " ",
                "11:22:33:44:55:66",
                "hello",
                "68656C6C6F",
                "Infra",
                "10",
                "2457 MHz",
                "59",
                "WPA1 WPA2",
                "pair_tkip",
                "pair_ccmp psk",
            ]
        ),
        join_terse([" ", "AA:AA:AA:AA:AA:AA", "other", "", "Infra", "1", "2412 MHz", "20", "", "(none)", "(none)"]),
    ]
    install(bin_dir, "nmcli", [("--rescan yes", Behaviour(("\n".join(rows) + "\n").encode()))])
    install(bin_dir, "iw", [("scan dump", Behaviour(IW_DUMP)), ("dev", Behaviour(IW_DEV))])
    result = NmcliScanner().scan(timeout_s=10)
    hello = next(o for o in result.observations if o.ssid == "hello")
    # the fixture's "last seen: 5939 ms ago" is older than this scan's start: not used
    assert hello.rssi_estimated
    assert any("1 of 2" in w or "2 of 2" in w for w in result.warnings)


def test_nmcli_enrichment_uses_fresh_iw_entries(bin_dir):
    from survey.scan.text import join_terse

    fresh_dump = IW_DUMP.replace(b"last seen: 5939 ms ago", b"last seen: 0 ms ago")
    row = join_terse(
        [
            " ",
            "11:22:33:44:55:66",
            "hello",
            "68656C6C6F",
            "Infra",
            "10",
            "2457 MHz",
            "59",
            "WPA1 WPA2",
            "pair_tkip",
            "pair_ccmp psk",
        ]
    )
    install(bin_dir, "nmcli", [("--rescan yes", Behaviour((row + "\n").encode()))])
    install(bin_dir, "iw", [("scan dump", Behaviour(fresh_dump)), ("dev", Behaviour(IW_DEV))])
    hello = NmcliScanner().scan(timeout_s=10).observations[0]
    assert hello.rssi_dbm == -67.0 and not hello.rssi_estimated
    assert hello.station_count == 2 and hello.wps is True


def test_nmcli_scanning_not_allowed_falls_back_to_cache(bin_dir):
    install(
        bin_dir,
        "nmcli",
        [
            ("--rescan yes", Behaviour(stderr="Error: Scanning not allowed while unavailable.\n", exit_code=1)),
            ("--rescan no", Behaviour(NMCLI_OUT)),
        ],
    )
    result = NmcliScanner(enrich_with_iw=False).scan(timeout_s=10)
    assert not result.fresh and len(result.observations) == 4
    assert any("refused to rescan" in w and "retry" in w for w in result.warnings)


def test_nmcli_exit_10_no_device(bin_dir):
    install(bin_dir, "nmcli", [("", Behaviour(stderr="Error: No Wi-Fi device found.\n", exit_code=10))])
    with pytest.raises(ScannerUnavailable, match="no Wi-Fi device.*nmcli radio wifi on"):
        NmcliScanner().scan(timeout_s=10)


def test_nmcli_not_running(bin_dir):
    install(bin_dir, "nmcli", [("", Behaviour(stderr="Error: NetworkManager is not running.\n", exit_code=8))])
    with pytest.raises(ScannerUnavailable, match="systemctl start NetworkManager"):
        NmcliScanner().scan(timeout_s=10)


def test_nmcli_busy_then_cache_fails(bin_dir):
    install(bin_dir, "nmcli", [("", Behaviour(stderr="Error: Device or resource busy\n", exit_code=1))])
    with pytest.raises(ScanFailed, match="exit code 1"):
        NmcliScanner().scan(timeout_s=10)


def test_nmcli_timeout(bin_dir):
    install(bin_dir, "nmcli", [("", Behaviour(sleep_s=5))])
    with pytest.raises(ScanTimeout, match="did not finish within 0.5 s"):
        NmcliScanner().scan(timeout_s=0.5)


def test_nmcli_missing_binary(bin_dir):
    with pytest.raises(ScannerUnavailable, match="not installed"):
        NmcliScanner().scan(timeout_s=5)


# -- iw ----------------------------------------------------------------------------------


def test_iw_success_drops_stale_entries(bin_dir):
    dump = IW_DUMP.replace(b"last seen: 5939 ms ago", b"last seen: 10 ms ago")
    install(bin_dir, "iw", [("wlp2s0 scan", Behaviour(dump)), ("dev", Behaviour(IW_DEV))])
    result = IwScanner().scan(timeout_s=10)
    assert [o.ssid for o in result.observations] == ["hello"]
    assert any("Dropped 5" in w for w in result.warnings)
    assert result.observations[0].last_seen is not None


@pytest.mark.parametrize(
    "code,stderr,exc,text",
    [
        (240, "command failed: Device or resource busy (-16)\n", ScanFailed, "busy"),
        (255, "command failed: Operation not permitted (-1)\n", ScannerUnavailable, "needs root"),
        (156, "command failed: Network is down (-100)\n", ScanFailed, "ip link set wlan9 up"),
        (237, "command failed: No such device (-19)\n", ScannerUnavailable, "iw dev"),
    ],
)
def test_iw_errors(bin_dir, code, stderr, exc, text):
    install(bin_dir, "iw", [("scan", Behaviour(stderr=stderr, exit_code=code))])
    with pytest.raises(exc, match=text):
        IwScanner("wlan9").scan(timeout_s=10)


def test_iw_timeout_and_missing(bin_dir):
    with pytest.raises(ScannerUnavailable, match="apt install iw"):
        IwScanner("wlan0").scan(timeout_s=5)
    install(bin_dir, "iw", [("scan", Behaviour(sleep_s=5))])
    with pytest.raises(ScanTimeout):
        IwScanner("wlan0").scan(timeout_s=0.5)


def test_iw_no_interface(bin_dir):
    install(bin_dir, "iw", [("dev", Behaviour(b"phy#0\n"))])
    with pytest.raises(ScannerUnavailable, match="no Wi-Fi interface"):
        IwScanner().scan(timeout_s=5)


# -- wpa_cli -----------------------------------------------------------------------------

WPA_OUT = (FIX / "wpa_cli-80bss-over-4k.txt").read_bytes()


def test_wpa_cli_success_large_output(bin_dir):
    install(
        bin_dir,
        "wpa_cli",
        [
            ("scan_results", Behaviour(b"Selected interface 'wlan0'\n" + WPA_OUT)),
            ("scan", Behaviour(b"Selected interface 'wlan0'\nOK\n")),
        ],
    )
    result = WpaCliScanner(scan_wait_s=0).scan(timeout_s=10)
    assert len(result.observations) == 80 and result.fresh and result.warnings == ()


def test_wpa_cli_busy_is_a_warning(bin_dir):
    install(bin_dir, "wpa_cli", [("scan_results", Behaviour(WPA_OUT)), ("scan", Behaviour(b"FAIL-BUSY\n"))])
    result = WpaCliScanner(scan_wait_s=0).scan(timeout_s=10)
    assert not result.fresh and any("FAIL-BUSY" in w for w in result.warnings)


def test_wpa_cli_no_supplicant(bin_dir):
    install(
        bin_dir,
        "wpa_cli",
        [
            (
                "",
                Behaviour(
                    b"Failed to connect to non-global ctrl_ifname: (nil)  error: No such file or directory\n",
                    exit_code=255,
                ),
            )
        ],
    )
    with pytest.raises(ScannerUnavailable, match="netdev"):
        WpaCliScanner(scan_wait_s=0).scan(timeout_s=10)


def test_wpa_cli_timeout_missing_and_fail(bin_dir):
    with pytest.raises(ScannerUnavailable, match="wpasupplicant"):
        WpaCliScanner(scan_wait_s=0).scan(timeout_s=5)
    install(bin_dir, "wpa_cli", [("", Behaviour(sleep_s=5))])
    with pytest.raises(ScanTimeout):
        WpaCliScanner(scan_wait_s=0).scan(timeout_s=0.5)
    install(bin_dir, "wpa_cli", [("", Behaviour(b"FAIL\n"))])
    with pytest.raises(ScannerError, match="refused"):
        WpaCliScanner(scan_wait_s=0).scan(timeout_s=5)
