"""``wpa_cli``: talks to wpa_supplicant (Linux without NetworkManager, Raspberry Pi OS...).

``wpa_cli scan`` answers ``OK`` or ``FAIL-BUSY`` (a scan is already running); results are
read with ``scan_results`` after the scan had time to finish. wpa_cli exits 255 when it
cannot reach wpa_supplicant's control socket (not running, or no permission).
"""

from __future__ import annotations

import shutil
import time

from survey.project.model import ScanResult
from survey.scan.base import DEFAULT_TIMEOUT_S, CommandOutput, ScanFailed, ScannerUnavailable, run_command
from survey.scan.parsers import wpa_cli as wpa_parser

HINT = "Install it with `sudo apt install wpasupplicant`."
#: Time for an active scan of 2.4 + 5 GHz to complete: ~20-40 channels at 40-110 ms dwell
#: (wpa_supplicant/cfg80211 defaults) is 2-4 s; 4 s leaves a margin.
SCAN_WAIT_S = 4.0


def explain_failure(out: CommandOutput, what: str) -> Exception:
    msg = out.message
    low = msg.lower()
    if "failed to connect" in low or "no such file" in low or "could not connect" in low:
        return ScannerUnavailable(
            f"wpa_cli cannot reach wpa_supplicant ({msg}). Either wpa_supplicant is not running (on a "
            f"NetworkManager system use --backend nmcli) or you lack permission to its control socket: "
            f"run as root or add yourself to the `netdev` group."
        )
    if "permission denied" in low:
        return ScannerUnavailable(
            f"No permission to wpa_supplicant's control socket ({msg}). Run as root "
            f"or add yourself to the `netdev` group."
        )
    return ScanFailed(
        f"`wpa_cli {what}` failed (exit {out.returncode}): {msg or 'no message'}. Retry, "
        f"or choose another backend with --backend."
    )


class WpaCliScanner:
    name = "wpa_cli"

    def __init__(self, interface: str | None = None, scan_wait_s: float = SCAN_WAIT_S):
        self.interface = interface
        self.scan_wait_s = scan_wait_s

    def _argv(self, *cmd: str) -> list[str]:
        return ["wpa_cli"] + (["-i", self.interface] if self.interface else []) + list(cmd)

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        started = time.time()
        warnings: list[str] = []
        fresh = True
        out = run_command(self._argv("scan"), timeout_s, tool_hint=HINT)
        reply = out.text.strip().split("\n")[-1].strip() if out.text.strip() else ""
        if out.returncode != 0 or not reply.startswith("OK"):
            if "FAIL-BUSY" in reply:
                warnings.append(
                    "wpa_supplicant was already scanning (FAIL-BUSY); the results come from "
                    "that scan or the previous one. Scan again in a few seconds to be sure."
                )
                fresh = False
            elif out.returncode != 0:
                raise explain_failure(out, "scan")
            else:
                raise ScanFailed(
                    f"wpa_supplicant refused to scan (reply {reply!r}). Check that Wi-Fi is "
                    f"enabled (`rfkill list`) and retry."
                )
        wait = min(self.scan_wait_s, max(0.0, timeout_s - (time.time() - started) - 1.0))
        if wait:
            time.sleep(wait)
        remaining = max(1.0, timeout_s - (time.time() - started))
        out = run_command(self._argv("scan_results"), remaining, tool_hint=HINT)
        if out.returncode != 0:
            raise explain_failure(out, "scan_results")
        parsed = wpa_parser.parse(out.text)
        warnings.extend(parsed.warnings)
        return ScanResult(parsed.observations, started, time.time(), self.name, fresh, tuple(warnings))


def availability() -> tuple[bool, str]:
    if shutil.which("wpa_cli") is None:
        return False, "wpa_cli is not installed. " + HINT
    try:
        out = run_command(["wpa_cli", "ping"], 5.0)
    except (ScannerUnavailable, ScanFailed) as exc:
        return False, str(exc)
    if "PONG" not in out.text:
        return False, str(explain_failure(out, "ping"))
    return True, "wpa_supplicant answers on its control socket."
