"""NetworkManager's ``nmcli``: the no-root scanner on most Linux desktops.

``nmcli --terse --escape yes --fields ... device wifi list --rescan yes`` asks for a new
scan and waits for it; NetworkManager may refuse ("Scanning not allowed" right after
another scan or while connecting), in which case the cached list is read and the result
is marked not fresh. SIGNAL is a percentage, so where ``iw`` exists the kernel's BSS
table (``iw dev IF scan dump``, no root) supplies real dBm, BSS Load, WPS and channel width
for every BSS heard since the scan started.

nmcli exit codes (nmcli(1) "EXIT STATUS"): 8 = NetworkManager is not running,
10 = the device/access point does not exist, 3 = timeout.
"""

from __future__ import annotations

import dataclasses
import shutil
import time

from survey.project.model import Observation, ScanResult
from survey.scan import signal
from survey.scan.backends import iw as iw_backend
from survey.scan.base import DEFAULT_TIMEOUT_S, CommandOutput, ScanFailed, ScannerUnavailable, run_command
from survey.scan.parsers import nmcli as nmcli_parser

HINT = "Install NetworkManager (`sudo apt install network-manager`), or use --backend iw / wpa_cli."


def _refused(msg: str) -> bool:
    m = msg.lower()
    return "not allowed" in m or "scanning not allowed" in m or "busy" in m


def explain_failure(out: CommandOutput) -> Exception:
    msg = out.message
    rc = out.returncode
    if rc == 8 or "NetworkManager is not running" in msg:
        return ScannerUnavailable(
            f"NetworkManager is not running (nmcli said: {msg}). Start it with "
            f"`sudo systemctl start NetworkManager`, or use --backend iw / wpa_cli."
        )
    if rc == 10:
        return ScannerUnavailable(
            f"nmcli found no Wi-Fi device (exit 10: {msg}). Check that Wi-Fi is "
            f"switched on (`nmcli radio wifi on`, `rfkill list`) and the adapter is "
            f"managed by NetworkManager (`nmcli device`)."
        )
    if rc == 3:
        return ScanFailed(f"nmcli timed out waiting for the scan ({msg}). Wait a few seconds and retry.")
    return ScanFailed(
        f"nmcli failed with exit code {rc}: {msg or 'no message'}. Retry, or choose "
        f"another backend with --backend iw (as root) or --backend wpa_cli."
    )


class NmcliScanner:
    name = "nmcli"

    def __init__(self, interface: str | None = None, enrich_with_iw: bool = True):
        self.interface = interface
        self.enrich_with_iw = enrich_with_iw

    def _list(self, rescan: str, timeout_s: float) -> CommandOutput:
        argv = [
            "nmcli",
            "--terse",
            "--escape",
            "yes",
            "--fields",
            ",".join(nmcli_parser.SCAN_FIELDS),
            "device",
            "wifi",
            "list",
        ]
        if self.interface:
            argv += ["ifname", self.interface]
        argv += ["--rescan", rescan]
        return run_command(argv, timeout_s, tool_hint=HINT)

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        started = time.time()
        warnings: list[str] = []
        fresh = True
        out = self._list("yes", timeout_s)
        if out.returncode != 0:
            if not _refused(out.message):
                raise explain_failure(out)
            warnings.append(
                f"nmcli refused to rescan ({out.message}: the interface is busy, connecting, or was "
                f"scanned moments ago). These are NetworkManager's cached results. Wait a few seconds "
                f"and retry, or run `sudo evsurvey scan --backend iw`."
            )
            fresh = False
            remaining = max(1.0, timeout_s - (time.time() - started))
            out = self._list("no", remaining)
            if out.returncode != 0:
                raise explain_failure(out)
        parsed = nmcli_parser.parse(out.text, fields=nmcli_parser.SCAN_FIELDS)
        warnings.extend(parsed.warnings)
        obs = parsed.observations
        if self.enrich_with_iw and shutil.which("iw"):
            obs, note = self._enrich(obs, started, timeout_s)
            if note:
                warnings.append(note)
        elif obs:
            warnings.append(signal.describe(signal.NETWORKMANAGER) + " Install `iw` for real dBm.")
        return ScanResult(tuple(obs), started, time.time(), self.name, fresh, tuple(warnings))

    def _enrich(self, obs, started: float, timeout_s: float) -> tuple[tuple[Observation, ...], str]:
        try:
            ifaces = [self.interface] if self.interface else iw_backend.wifi_interfaces(min(5.0, timeout_s))
        except (ScannerUnavailable, ScanFailed):
            return tuple(obs), ""
        table: dict[str, Observation] = {}
        for iface in ifaces:
            table.update(iw_backend.dump(iface, min(10.0, timeout_s), since=started))
        out = []
        enriched = 0
        for o in obs:
            d = table.get(o.bssid)
            if d is None or d.rssi_dbm is None:
                out.append(o)
                continue
            enriched += 1
            out.append(
                dataclasses.replace(
                    o,
                    rssi_dbm=d.rssi_dbm,
                    rssi_estimated=False,
                    auth=d.auth or o.auth,
                    ciphers=d.ciphers or o.ciphers,
                    wps=d.wps,
                    station_count=d.station_count,
                    channel_utilization_pct=d.channel_utilization_pct,
                    channel_width_mhz=d.channel_width_mhz,
                    last_seen=d.last_seen,
                    ssid_raw=o.ssid_raw or d.ssid_raw,
                    freq_mhz=o.freq_mhz or d.freq_mhz,
                )
            )
        missing = len(obs) - enriched
        note = ""
        if missing:
            note = f"iw's table had no fresh entry for {missing} of {len(obs)} access point(s): " + signal.describe(
                signal.NETWORKMANAGER
            )
        return tuple(out), note


def availability() -> tuple[bool, str]:
    if shutil.which("nmcli") is None:
        return False, "nmcli (NetworkManager) is not installed."
    try:
        out = run_command(["nmcli", "-t", "-f", "RUNNING", "general"], 5.0)
    except (ScannerUnavailable, ScanFailed) as exc:
        return False, str(exc)
    if out.returncode != 0 or "running" not in out.text:
        return False, f"NetworkManager is not running ({out.message or 'nmcli general failed'})."
    extra = (
        " iw is installed: real dBm from `iw scan dump`."
        if shutil.which("iw")
        else " iw is missing: signal will be estimated from percentages."
    )
    return True, "NetworkManager is running; nmcli can rescan without root." + extra
