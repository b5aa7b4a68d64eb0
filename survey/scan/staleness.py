"""Keeping old results out of a "fresh" scan.

Operating systems keep a BSS table and hand it back as scan results: Linux's cfg80211
keeps entries for 30 s after the last beacon (``IEEE80211_SCAN_RESULT_EXPIRE``,
net/wireless/core.h), Windows caches the list netsh prints, NetworkManager refuses to
rescan for a while after the previous scan. A survey sample must describe the spot where
the installer stands *now*, so: BSSs not heard since the scan started are dropped, and a
scan identical to the previous one is flagged as not fresh.
"""

from __future__ import annotations

import dataclasses
import logging

from survey.project.model import Observation, ScanResult
from survey.scan.base import Scanner

log = logging.getLogger(__name__)

#: Slack for clock rounding between the kernel's "last seen" and our own clock (s).
TOLERANCE_S = 1.0


def drop_unseen(
    observations, started_at: float, tolerance_s: float = TOLERANCE_S
) -> tuple[tuple[Observation, ...], int]:
    """Keep observations whose ``last_seen`` (epoch s) is at or after ``started_at``.

    Observations without ``last_seen`` are kept (the source cannot tell). Returns the
    kept observations and how many were dropped.
    """
    kept = [o for o in observations if o.last_seen is None or o.last_seen >= started_at - tolerance_s]
    return tuple(kept), len(observations) - len(kept)


def fingerprint(result: ScanResult) -> tuple:
    return tuple(sorted((o.bssid, o.ssid, o.rssi_dbm, o.signal_pct) for o in result.observations))


class StalenessGuard:
    """Wraps a scanner: flags a scan whose results equal the previous scan's exactly.

    Real radio readings fluctuate by a few dB between scans; the same RSSI for every BSS
    twice in a row means the OS returned its cache.
    """

    def __init__(self, scanner: Scanner) -> None:
        self.inner = scanner
        self.name = scanner.name
        self._previous: tuple | None = None

    def __getattr__(self, item):  # move_to() and friends of the wrapped scanner
        return getattr(self.inner, item)

    def scan(self, timeout_s: float = 20.0) -> ScanResult:
        result = self.inner.scan(timeout_s)
        fp = fingerprint(result)
        if self._previous is not None and fp == self._previous and result.observations and result.fresh:
            result = dataclasses.replace(
                result,
                fresh=False,
                warnings=result.warnings
                + (
                    "This scan is identical to the previous one: the operating system probably returned "
                    "cached results. Wait a few seconds and scan again before saving this sample.",
                ),
            )
        self._previous = fp
        return result
