"""Signal percentage <-> dBm, for sources that only give a percentage.

A percentage is not a measurement: every OS maps dBm to percent its own way, and some
drivers report a vendor "quality". The estimate below lets such scans sit on the same
dBm axis as real readings; every observation built from it carries
``rssi_estimated=True`` and the UI and report say so.

Conversions (both linear, both clamped):

* Windows: ``WLAN_BSS_ENTRY.uLinkQuality`` / ``WLAN_AVAILABLE_NETWORK.wlanSignalQuality``
  (what ``netsh wlan show networks mode=bssid`` prints as "Signal") is documented in the
  Native Wifi API reference (wlanapi.h, ``WLAN_AVAILABLE_NETWORK``): "a value of 0 implies
  an actual RSSI signal strength of -100 dbm. A value of 100 implies an actual RSSI signal
  strength of -50 dbm", linear in between: ``dBm = pct / 2 - 100``.
* NetworkManager: ``nm_wifi_utils_level_to_quality()`` (libnm-core, nm-wifi-utils.c) maps
  -100..-40 dBm linearly to 0..100 %: ``dBm = -100 + 0.6 * pct``. This is what ``nmcli``
  prints as SIGNAL.
"""

from __future__ import annotations

WINDOWS = "windows"
NETWORKMANAGER = "networkmanager"

_RANGES_DBM = {
    # source: (dBm at 0 %, dBm at 100 %) -- see the module docstring for the documents.
    WINDOWS: (-100.0, -50.0),
    NETWORKMANAGER: (-100.0, -40.0),
}


def percent_to_dbm(signal_pct: float, source: str) -> float:
    """Estimated RSSI in dBm for a signal percentage as ``source`` computes it.

    ``source`` is :data:`WINDOWS` or :data:`NETWORKMANAGER`. 100 % only says "at least"
    the top of the range: a -30 dBm and a -50 dBm AP both read 100 % on Windows.
    """
    lo, hi = _RANGES_DBM[source]
    pct = min(100.0, max(0.0, float(signal_pct)))
    return round(lo + (hi - lo) * pct / 100.0, 1)


def describe(source: str) -> str:
    """One sentence for warnings and reports on how an estimate was made."""
    lo, hi = _RANGES_DBM[source]
    name = {
        WINDOWS: "Windows' documented signal-quality scale",
        NETWORKMANAGER: "NetworkManager's signal-quality scale",
    }[source]
    return (
        f"RSSI estimated from a signal percentage using {name} "
        f"(0 % = {lo:g} dBm, 100 % = {hi:g} dBm, linear); treat it as +/- 5 dB or worse."
    )
