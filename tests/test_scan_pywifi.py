"""pywifi's real Linux code path against a fake wpa_supplicant control socket, and the
corrections for pywifi's Windows mistakes."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import pytest
from fakes.wpa_supplicant import FakeBss, FakeWpaSupplicant

from survey.scan import ies
from survey.scan.backends.pywifi_backend import PywifiScanner, correct_windows_profile
from survey.scan.base import ScannerUnavailable

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Unix datagram sockets")


def _bsss(n: int) -> list[FakeBss]:
    out = []
    for i in range(n):
        ssid = f"neighbour-{i:03d}".encode() if i else 'Café "garage" \\ 📶'.encode()
        blob = (
            ies.element(0, ssid)
            + ies.rsn_element(akm_types=(2, 8), pairwise=(4,))
            + ies.bss_load_element(stations=i % 7, utilization_255=51)
            + (ies.wps_element() if i % 2 == 0 else b"")
        )
        out.append(
            FakeBss(
                bssid=f"02:00:00:00:{i // 256:02x}:{i % 256:02x}",
                freq=[2412, 2437, 2462, 5180][i % 4],
                level=-40 - i % 50,
                flags="[WPA2-PSK+SAE-CCMP][ESS]" + ("[WPS]" if i % 2 == 0 else ""),
                ssid_raw=ssid,
                ies=blob,
            )
        )
    return out


@pytest.fixture
def ctrl_dir(tmp_path):
    # AF_UNIX paths are limited to 108 bytes: keep the directory short.
    import tempfile

    d = tempfile.mkdtemp(prefix="evs-")
    yield d
    import shutil

    shutil.rmtree(d, ignore_errors=True)


def test_pywifi_linux_end_to_end_with_reply_over_4k(ctrl_dir):
    bsss = _bsss(80)
    with FakeWpaSupplicant(ctrl_dir, "wlfake0", bsss) as fake:
        result = PywifiScanner(scan_wait_s=0, ctrl_dir=ctrl_dir).scan(timeout_s=10)
    # pywifi's own code path sent PING and SCAN; we read the BSS table with a big buffer
    assert fake.commands[0] == "PING" and "SCAN" in fake.commands
    assert any(c.startswith("BSS RANGE=0-") for c in fake.commands)
    assert fake.reply_sizes["BSS"] > 4096
    assert len(result.observations) == 80 and result.fresh and result.backend == "pywifi"
    first = result.observations[0]
    assert first.ssid == 'Café "garage" \\ 📶'
    assert first.auth == ("WPA2-PSK", "WPA3-SAE") and first.ciphers == ("CCMP",)
    assert first.wps is True and result.observations[1].wps is False
    assert first.channel_utilization_pct == pytest.approx(20.0)
    assert result.observations[79].bssid == "02:00:00:00:00:4f"


def test_scan_results_fallback_over_4k(ctrl_dir):
    bsss = _bsss(80)
    with FakeWpaSupplicant(ctrl_dir, "wlfake1", bsss, support_bss=False) as fake:
        result = PywifiScanner(scan_wait_s=0, ctrl_dir=ctrl_dir).scan(timeout_s=10)
    assert fake.reply_sizes["SCAN_RESULTS"] > 4096
    assert len(result.observations) == 80
    assert result.observations[0].ssid == 'Café "garage" \\ 📶'
    assert any("BSS RANGE" in w for w in result.warnings)


def test_pywifi_own_scan_results_truncates_at_4096(ctrl_dir):
    """Why the backend does not use pywifi.scan_results(): its 4096-byte recv cuts the reply."""
    import pywifi
    from pywifi import _wifiutil_linux as wu

    bsss = _bsss(80)
    saved = wu.CTRL_IFACE_DIR
    wu.CTRL_IFACE_DIR = ctrl_dir
    try:
        with FakeWpaSupplicant(ctrl_dir, "wlfake2", bsss):
            iface = pywifi.PyWiFi().interfaces()[0]
            try:
                got = len(iface.scan_results())
            except (ValueError, IndexError):
                got = -1  # the cut last line crashes pywifi's parser
    finally:
        wu.CTRL_IFACE_DIR = saved
    assert got < 80


def test_missing_ctrl_dir(tmp_path):
    with pytest.raises(ScannerUnavailable, match="does not exist.*nmcli"):
        PywifiScanner(ctrl_dir=str(tmp_path / "nope")).scan(timeout_s=2)


def test_empty_ctrl_dir(tmp_path):
    with pytest.raises(ScannerUnavailable, match="no wpa_supplicant control socket"):
        PywifiScanner(ctrl_dir=str(tmp_path)).scan(timeout_s=2)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_permission_denied_ctrl_dir(tmp_path):
    d = tmp_path / "locked"
    d.mkdir()
    d.chmod(0)
    try:
        with pytest.raises(ScannerUnavailable, match="permission.*netdev"):
            PywifiScanner(ctrl_dir=str(d)).scan(timeout_s=2)
    finally:
        d.chmod(0o700)


def test_permission_denied_ctrl_dir_simulated(tmp_path, monkeypatch):
    # As root the chmod test cannot fail; simulate the kernel's answer instead.
    def denied(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "listdir", denied)
    with pytest.raises(ScannerUnavailable, match="No permission.*netdev"):
        PywifiScanner(ctrl_dir=str(tmp_path)).scan(timeout_s=2)


def test_windows_profile_corrections():
    prof = SimpleNamespace(bssid="AA:BB:CC:DD:EE:0F:", freq=2437000, ssid="CafÃ©", signal=-63, akm=[4])
    obs = correct_windows_profile(prof)
    assert obs.bssid == "aa:bb:cc:dd:ee:0f"
    assert obs.freq_mhz == 2437.0 and obs.channel == 6 and obs.band == "2.4"
    assert obs.ssid == "Café" and obs.ssid_raw == "Café".encode()
    assert obs.ciphers == ("CCMP",) and obs.auth == ()  # the "AKM" was the cipher
    assert obs.rssi_dbm == -63 and not obs.rssi_estimated
    assert correct_windows_profile(SimpleNamespace(bssid="junk")) is None
