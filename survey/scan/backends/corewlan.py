"""macOS CoreWLAN through pyobjc (``pyobjc-framework-CoreWLAN``).

``CWWiFiClient.sharedWiFiClient().interface().scanForNetworksWithName_error_(None)`` runs a
real scan. Since macOS 10.15 (and strictly since 14 Sonoma) BSSIDs — and on Sonoma even
SSIDs — are withheld from apps without Location Services permission; this backend detects
that (via CoreLocation's authorisation status and nil BSSIDs) and says how to grant it.
``informationElementData`` gives the raw IEs, parsed by :mod:`survey.scan.ies` for
authentication, WPS, BSS Load and width.
"""

from __future__ import annotations

import logging
import sys
import time

from survey.project.model import Observation, ScanResult
from survey.scan.base import DEFAULT_TIMEOUT_S, ScanFailed, ScannerUnavailable
from survey.scan.ies import parse_ies
from survey.scan.observations import build_observation
from survey.scan.text import normalise_bssid

# CWChannelBand (CoreWLAN/CoreWLANTypes.h): 1 = 2 GHz, 2 = 5 GHz, 3 = 6 GHz.
_BANDS = {1: "2.4", 2: "5", 3: "6"}
# CWChannelWidth: 1 = 20 MHz, 2 = 40, 3 = 80, 4 = 160.
log = logging.getLogger(__name__)

_WIDTHS = {1: 20, 2: 40, 3: 80, 4: 160}
# CLAuthorizationStatus: 0 not determined, 1 restricted, 2 denied, 3 always, 4 when in use.
LOCATION_HELP = (
    "macOS hides Wi-Fi network names and BSSIDs from apps without Location Services permission. "
    "Open System Settings > Privacy & Security > Location Services and allow the app that runs "
    "evsurvey (Terminal, or evsurvey itself), then scan again."
)


def _location_status() -> int | None:
    try:
        import CoreLocation

        return int(CoreLocation.CLLocationManager.authorizationStatus())
    except Exception:
        return None


def network_to_observation(net) -> Observation:
    bssid = normalise_bssid(str(net.bssid())) if net.bssid() else ""
    ssid_data = net.ssidData()
    ssid_raw = bytes(ssid_data) if ssid_data is not None else None
    channel = net.wlanChannel()
    ch = int(channel.channelNumber()) if channel is not None else None
    band = _BANDS.get(int(channel.channelBand())) if channel is not None else None
    width = _WIDTHS.get(int(channel.channelWidth())) if channel is not None else None
    ie_data = net.informationElementData()
    summary = parse_ies(bytes(ie_data) if ie_data is not None else b"", privacy=None)
    kwargs = {"ssid_raw": ssid_raw} if ssid_raw is not None else {"ssid": str(net.ssid() or "")}
    return build_observation(
        bssid or "",
        rssi_dbm=float(net.rssiValue()),
        channel=ch,
        band=band,
        auth=summary.auth,
        ciphers=summary.ciphers,
        wps=summary.wps if ie_data is not None else None,
        station_count=summary.station_count,
        channel_utilization_pct=summary.channel_utilization_pct,
        channel_width_mhz=width or summary.channel_width_mhz,
        **kwargs,
    )


#: Kept alive for the life of the process: macOS drops a pending authorisation request
#: when its CLLocationManager is released.
_location_manager = None


def request_location_permission() -> None:
    """Ask macOS for Location permission once, when it has not been decided yet.

    A Wi-Fi scan alone does not make macOS show the prompt (it just withholds SSIDs and
    BSSIDs), so the app must ask. The prompt appears where a Cocoa run loop runs (the GUI,
    whose scanner is created on the main thread); in a terminal it may not, and the scan's
    warning then says where to grant it.
    """
    global _location_manager
    if _location_status() != 0 or _location_manager is not None:
        return
    try:
        import CoreLocation

        _location_manager = CoreLocation.CLLocationManager.alloc().init()
        _location_manager.requestWhenInUseAuthorization()
    except Exception:  # no CoreLocation bindings: the scan's warning still explains
        log.debug("could not request Location permission", exc_info=True)


class CoreWlanScanner:
    name = "corewlan"

    def __init__(self, interface: str | None = None):
        self.interface = interface
        request_location_permission()

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        try:
            import CoreWLAN
        except ImportError as exc:
            raise ScannerUnavailable(
                "pyobjc-framework-CoreWLAN is not installed; reinstall evsurvey with its macOS dependencies."
            ) from exc
        started = time.time()
        client = CoreWLAN.CWWiFiClient.sharedWiFiClient()
        iface = client.interfaceWithName_(self.interface) if self.interface else client.interface()
        if iface is None:
            raise ScannerUnavailable("macOS reports no Wi-Fi interface. Turn Wi-Fi on and retry.")
        nets, err = iface.scanForNetworksWithName_error_(None, None)
        if err is not None or nets is None:
            raise ScanFailed(f"CoreWLAN scan failed ({err}). Wait a few seconds and retry.")
        obs = tuple(network_to_observation(n) for n in nets)
        warnings = []
        status = _location_status()
        if obs and (all(o.bssid == "" for o in obs) or status in (0, 1, 2)):
            warnings.append(LOCATION_HELP)
        return ScanResult(obs, started, time.time(), self.name, True, tuple(warnings))


def availability() -> tuple[bool, str]:
    if sys.platform != "darwin":
        return False, "CoreWLAN exists only on macOS."
    try:
        import CoreWLAN  # noqa: F401
    except ImportError:
        return False, "pyobjc-framework-CoreWLAN is not installed."
    status = _location_status()
    if status in (1, 2):
        return True, "CoreWLAN works, but Location Services is denied: BSSIDs will be hidden. " + LOCATION_HELP
    return True, "CoreWLAN (pyobjc) runs real scans with dBm."
