"""``netsh wlan show networks mode=bssid``: the Windows fallback when pywifi cannot load.

netsh prints Windows' cached list and never scans by itself, so the result is marked
``fresh=False`` unless a scan could be triggered first (WlanScan through pywifi, then the
4 s Windows allows a scan to complete, per the WlanScan documentation). Its signal is a
percentage (estimated dBm, Windows' documented scale). Output comes in the console's OEM
code page and the display language; the parser reads it by structure.
"""

from __future__ import annotations

import shutil
import sys
import time

from survey.project.model import ScanResult
from survey.scan import signal
from survey.scan.base import (
    DEFAULT_TIMEOUT_S,
    WINDOWS_LOCATION_MESSAGE,
    LocationPermissionDenied,
    ScanFailed,
    ScannerUnavailable,
    run_command,
)
from survey.scan.parsers import netsh as netsh_parser
from survey.scan.parsers.detect import decode_scan_bytes

WLANSCAN_WAIT_S = 4.0  # WlanScan: "the driver must complete a scan within 4 seconds"


def _trigger_scan() -> bool:
    """Ask Windows for a fresh scan via pywifi's WlanScan; False when that is not possible."""
    try:
        from survey.scan.backends.pywifi_backend import _import_pywifi

        pywifi = _import_pywifi()
        ifaces = pywifi.PyWiFi().interfaces()
        for iface in ifaces:
            iface.scan()
        return bool(ifaces)
    except Exception:  # any failure only means we cannot vouch for freshness
        return False


class NetshScanner:
    name = "netsh"

    def __init__(self, interface: str | None = None, trigger=_trigger_scan, wait_s: float = WLANSCAN_WAIT_S):
        self.interface = interface
        self._trigger = trigger
        self.wait_s = wait_s

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        started = time.time()
        warnings: list[str] = []
        fresh = self._trigger()
        if fresh:
            time.sleep(min(self.wait_s, max(0.0, timeout_s - 2.0)))
        else:
            warnings.append(
                "netsh shows Windows' cached network list and evsurvey could not trigger a new scan "
                "(pywifi/WlanScan unavailable). Readings may be up to a minute old: open the Wi-Fi "
                "menu in the taskbar to force a scan, then scan again."
            )
        argv = ["netsh", "wlan", "show", "networks", "mode=bssid"]
        if self.interface:
            argv.append(f"interface={self.interface}")
        out = run_command(
            argv,
            max(1.0, timeout_s - (time.time() - started)),
            tool_hint="netsh is part of Windows; this backend works only on Windows.",
        )
        text, notes = decode_scan_bytes(out.stdout)
        if out.returncode != 0:
            # Windows 11 24H2+ without Location consent: exit 1 and "Network shell commands need
            # location permission to access WLAN information..." in the display language, with
            # the untranslated Settings URI. (A network list never comes with a non-zero exit,
            # so an SSID that spells the URI cannot trigger this.)
            if netsh_parser.LOCATION_DENIED in text:
                raise LocationPermissionDenied(WINDOWS_LOCATION_MESSAGE)
            msg = text.strip()[:300] or out.stderr.strip()
            if "wlansvc" in msg.lower() or "autoconfig" in msg.lower():
                raise ScannerUnavailable(
                    f"The WLAN AutoConfig service is not running ({msg}). Start it with "
                    f"`net start wlansvc` in an administrator prompt."
                )
            raise ScanFailed(f"netsh failed (exit {out.returncode}): {msg}. Check that Wi-Fi is on and retry.")
        try:
            parsed = netsh_parser.parse(text)
        except netsh_parser.NetshLocationDenied as exc:  # the same refusal with exit 0 (no network listed)
            raise LocationPermissionDenied(WINDOWS_LOCATION_MESSAGE) from exc
        warnings += notes + list(parsed.warnings)
        if parsed.observations:
            warnings.append(signal.describe(signal.WINDOWS) + " Use --backend pywifi for real dBm.")
        return ScanResult(parsed.observations, started, time.time(), self.name, fresh, tuple(warnings))


def availability() -> tuple[bool, str]:
    if not sys.platform.startswith("win"):
        return False, "netsh exists only on Windows."
    if shutil.which("netsh") is None:
        return False, "netsh.exe is not on PATH."
    return True, "netsh is available (cached results, percentages): a fallback when pywifi does not work."
