"""Windows 11 24H2+ Location consent: both Windows backends name the refusal (Qt-free part).

The GUI half (a dialog whose button opens ms-settings:privacy-location) is in
tests/ui/test_packaging_gui.py.
"""

from __future__ import annotations

import ctypes
import sys
import types

import pytest
from fakes.executables import Behaviour, install, only_path

from survey.scan.backends import pywifi_backend
from survey.scan.backends.netsh import NetshScanner
from survey.scan.base import WINDOWS_LOCATION_SETTINGS_URI, LocationPermissionDenied, ScannerUnavailable

# What netsh prints on Windows 11 24H2 without Location consent (the English text, as quoted
# in public bug reports of netsh users), exit code 1.
NETSH_REFUSAL_EN = (
    b"\r\nInterface name : Wi-Fi\r\n"
    b"Network shell commands need location permission to access WLAN information. Turn on Location services "
    b"on the Location page in Privacy & security settings.\r\n\r\n"
    b"Here is the URI for the Location page in the Settings app:\r\nms-settings:privacy-location\r\n"
    b"To open the Location page in the Settings app, hold down the Ctrl key and select the link, or run the "
    b"following command:\r\nstart ms-settings:privacy-location\r\n\r\n"
    b"Function WlanGetNetworkBssList returns error 5:\r\n"
    b"The requested operation requires elevation (Run as administrator).\r\n"
)
# A refusal in another display language (illustrative wording): only the URI stays untranslated.
NETSH_REFUSAL_DE = (
    "Für Netzwerkshellbefehle ist eine Standortberechtigung für den Zugriff auf WLAN-Informationen "
    "erforderlich.\r\nms-settings:privacy-location\r\n"
).encode("cp850")


def _netsh(tmp_path, monkeypatch, behaviour: Behaviour) -> NetshScanner:
    bin_dir = tmp_path / "bin"
    only_path(monkeypatch, bin_dir)
    install(bin_dir, "netsh", [("mode=bssid", behaviour)])
    return NetshScanner(trigger=lambda: False)


@pytest.mark.parametrize("stdout, exit_code", [(NETSH_REFUSAL_EN, 1), (NETSH_REFUSAL_DE, 1), (NETSH_REFUSAL_EN, 0)])
def test_netsh_refusal_is_a_location_permission_error_with_the_settings_page(tmp_path, monkeypatch, stdout, exit_code):
    scanner = _netsh(tmp_path, monkeypatch, Behaviour(stdout, exit_code=exit_code))
    with pytest.raises(LocationPermissionDenied) as caught:
        scanner.scan(timeout_s=10)
    assert caught.value.settings_uri == WINDOWS_LOCATION_SETTINGS_URI == "ms-settings:privacy-location"
    assert isinstance(caught.value, ScannerUnavailable)  # the CLI's exit 1, no traceback
    message = str(caught.value)
    assert "Let desktop apps access your location" in message and "start ms-settings:privacy-location" in message


def test_a_network_named_like_the_settings_uri_is_just_a_network(tmp_path, monkeypatch):
    listing = (
        b"Interface name : Wi-Fi\r\nThere are 1 networks currently visible.\r\n\r\n"
        b"SSID 1 : ms-settings:privacy-location\r\n    Network type            : Infrastructure\r\n"
        b"    Authentication          : WPA2-Personal\r\n    Encryption              : CCMP\r\n"
        b"    BSSID 1                 : 02:00:00:00:00:01\r\n         Signal             : 80%\r\n"
        b"         Radio type         : 802.11n\r\n         Channel            : 6\r\n"
    )
    result = _netsh(tmp_path, monkeypatch, Behaviour(listing)).scan(timeout_s=10)
    assert [o.ssid for o in result.observations] == ["ms-settings:privacy-location"]


# -- pywifi on Windows: the WLAN API's ERROR_ACCESS_DENIED, which pywifi drops ------------------------


class _NetworkList(ctypes.Structure):
    _fields_ = [("dwNumberOfItems", ctypes.c_ulong)]


class _FakeWlanUtil:
    """pywifi's Windows WifiUtil as far as evsurvey touches it: a handle and the list call."""

    def __init__(self, status: int):
        self._handle = ctypes.c_void_p(1)
        self.status = status

    def _wlan_get_available_network_list(self, handle, guid, networks):
        assert handle is self._handle
        return self.status


class _FakeInterface:
    def __init__(self, status: int):
        self._wifi_ctrl = _FakeWlanUtil(status)
        self._raw_obj = {"guid": ctypes.c_ulong(0), "name": "Intel Wi-Fi 6 AX201"}

    def name(self):
        return self._raw_obj["name"]

    def scan(self):
        pass

    def scan_results(self):
        return []  # what pywifi returns when Windows refuses: nothing, and no error


@pytest.fixture
def fake_windows_pywifi(monkeypatch):
    """pywifi's Windows module and interfaces, faked so the Windows path runs on any OS."""
    freed = []
    wlan = types.SimpleNamespace(
        WLAN_AVAILABLE_NETWORK_LIST=_NetworkList, native_wifi=types.SimpleNamespace(WlanFreeMemory=freed.append)
    )
    monkeypatch.setitem(sys.modules, "pywifi._wifiutil_win", wlan)

    def with_status(status: int):
        iface = _FakeInterface(status)
        fake = types.SimpleNamespace(PyWiFi=lambda: types.SimpleNamespace(interfaces=lambda: [iface]))
        monkeypatch.setattr(pywifi_backend, "_import_pywifi", lambda: fake)
        return pywifi_backend.PywifiScanner(scan_wait_s=0)

    return with_status, freed


def test_pywifi_windows_access_denied_is_a_location_permission_error(fake_windows_pywifi):
    with_status, _ = fake_windows_pywifi
    scanner = with_status(pywifi_backend.ERROR_ACCESS_DENIED)
    with pytest.raises(LocationPermissionDenied, match="Location") as caught:
        scanner._scan_windows(timeout_s=1.0)
    assert caught.value.settings_uri == "ms-settings:privacy-location"


def test_pywifi_windows_empty_street_stays_an_empty_scan(fake_windows_pywifi):
    with_status, freed = fake_windows_pywifi
    result = with_status(0)._scan_windows(timeout_s=1.0)
    assert result.observations == () and result.backend == "pywifi"
    assert len(freed) == 1  # the probe's list went back to the WLAN API
