"""``iw``: the Linux nl80211 tool. ``iw dev IF scan`` triggers a scan (root only);
``iw dev IF scan dump`` reads the kernel's BSS table (no root), used to enrich nmcli.

iw exits with 256 minus the errno on failure: 255 = EPERM (not root), 240 = EBUSY (a scan
is already running), 237 = ENODEV, 156 = ENETDOWN (interface down).
"""

from __future__ import annotations

import os
import re
import shutil
import time

from survey.project.model import ScanResult
from survey.scan.base import DEFAULT_TIMEOUT_S, CommandOutput, ScanFailed, ScannerUnavailable, run_command
from survey.scan.parsers import iw as iw_parser
from survey.scan.staleness import drop_unseen

HINT = "Install it with `sudo apt install iw` (Debian/Ubuntu) or `sudo dnf install iw` (Fedora)."


def wifi_interfaces(timeout_s: float = 5.0) -> list[str]:
    """Names of wireless interfaces from ``iw dev``."""
    out = run_command(["iw", "dev"], timeout_s, tool_hint=HINT)
    return re.findall(r"^\s*Interface\s+(\S+)", out.text, re.MULTILINE)


def explain_failure(out: CommandOutput, iface: str) -> Exception:
    msg = out.message
    rc = out.returncode
    if rc == 255 or "Operation not permitted" in msg:
        return ScannerUnavailable(
            f"`iw dev {iface} scan` needs root (iw said: {msg}). Run `sudo evsurvey scan --backend iw`, "
            f"or use `--backend nmcli`, which needs no root."
        )
    if rc == 240 or "busy" in msg.lower():
        return ScanFailed(
            f"The Wi-Fi device {iface} is busy with another scan (iw said: {msg}). Wait a few seconds and retry."
        )
    if rc == 156 or "Network is down" in msg:
        return ScanFailed(
            f"Interface {iface} is down (iw said: {msg}). Bring it up with "
            f"`sudo ip link set {iface} up` or turn Wi-Fi on, then retry."
        )
    if rc == 237 or "No such device" in msg:
        return ScannerUnavailable(
            f"There is no Wi-Fi interface named {iface} (iw said: {msg}). List them with `iw dev`."
        )
    return ScanFailed(
        f"`iw dev {iface} scan` failed with exit code {rc}: {msg or 'no message'}. "
        f"Retry, or choose another backend with --backend."
    )


class IwScanner:
    """Active scan through ``iw dev IF scan`` (root). BSSs not heard during this scan are dropped."""

    name = "iw"

    def __init__(self, interface: str | None = None):
        self.interface = interface

    def _iface(self, timeout_s: float) -> str:
        if self.interface:
            return self.interface
        names = wifi_interfaces(timeout_s)
        if not names:
            raise ScannerUnavailable(
                "iw sees no Wi-Fi interface. Check that Wi-Fi is switched on "
                "(`rfkill list`) and that the adapter's driver is loaded."
            )
        return names[0]

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        started = time.time()
        iface = self._iface(timeout_s)
        out = run_command(["iw", "dev", iface, "scan"], timeout_s, tool_hint=HINT)
        if out.returncode != 0:
            raise explain_failure(out, iface)
        finished = time.time()
        parsed = iw_parser.parse(out.text, now=finished)
        obs, dropped = drop_unseen(parsed.observations, started)
        warnings = list(parsed.warnings)
        if dropped:
            warnings.append(f"Dropped {dropped} access point(s) not heard during this scan (kernel cache).")
        return ScanResult(obs, started, finished, self.name, True, tuple(warnings))


def dump(iface: str, timeout_s: float, since: float) -> dict:
    """BSS table of ``iface`` via ``iw dev IF scan dump`` (no root), keyed by BSSID.

    Only BSSs heard at or after ``since`` (epoch s) are returned; {} when iw fails.
    """
    try:
        out = run_command(["iw", "dev", iface, "scan", "dump"], timeout_s, tool_hint=HINT)
    except ScannerUnavailable:
        return {}
    if out.returncode != 0:
        return {}
    obs, _ = drop_unseen(iw_parser.parse(out.text, now=time.time()).observations, since)
    return {o.bssid: o for o in obs}


def availability() -> tuple[bool, str]:
    if shutil.which("iw") is None:
        return False, "iw is not installed. " + HINT
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return False, "iw can trigger a scan only as root (run `sudo evsurvey scan --backend iw`)."
    return True, "iw is installed and evsurvey runs as root."
