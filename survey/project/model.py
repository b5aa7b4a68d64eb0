"""Domain values of evsurvey: small frozen dataclasses, no behaviour beyond derived views.

Units everywhere: metres (``_m``), dBm (``_dbm``), dB (``_db``), MHz (``_mhz``), seconds
since the Unix epoch for times (``_at``). The site frame is the plan as drawn: x to the
right, y downward (like the image), origin at the plan's top-left corner.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property

import numpy as np

from survey.project.link import LinkTest
from survey.project.preflight import NetcheckReport

#: Authentication values an :class:`Observation` may carry (JSON and storage use these).
AUTH_VALUES = ("OPEN", "WEP", "WPA-PSK", "WPA2-PSK", "WPA3-SAE", "WPA-EAP", "WPA2-EAP", "WPA3-EAP", "OWE")


@dataclass(frozen=True)
class Observation:
    """One BSS heard in one scan.

    ``bssid`` is lower-case ``aa:bb:cc:dd:ee:ff`` or ``""`` when the OS hides it (macOS
    without Location permission). ``ssid`` is text for people (``""`` = hidden);
    ``ssid_raw`` the bytes as broadcast when the source gives them. ``rssi_estimated``
    is true when ``rssi_dbm`` was derived from a percentage.
    """

    bssid: str
    ssid: str
    rssi_dbm: float | None
    freq_mhz: float | None = None
    channel: int | None = None
    band: str | None = None
    ssid_raw: bytes | None = None
    rssi_estimated: bool = False
    signal_pct: float | None = None
    auth: tuple[str, ...] = ()
    ciphers: tuple[str, ...] = ()
    wps: bool | None = None
    station_count: int | None = None
    channel_utilization_pct: float | None = None
    channel_width_mhz: int | None = None
    last_seen: float | None = None

    @property
    def hidden(self) -> bool:
        return self.ssid == "" and not self.ssid_raw


#: ``ScanResult.backend`` of scans made by the simulated scanner (a radio model of the plan,
#: not a measurement): the report and the GUI say so wherever such samples are shown.
SIMULATED_BACKEND = "simulated"


@dataclass(frozen=True)
class ScanResult:
    """What one scan returned. ``fresh`` is false when the backend could only give cached results."""

    observations: tuple[Observation, ...]
    started_at: float
    finished_at: float
    backend: str
    fresh: bool = True
    warnings: tuple[str, ...] = ()


#: Readings taken closer together than this (m) are taken at one spot: the map averages
#: them into one value. A click on a floorplan is no finer than this (a pixel of a garage
#: plan is 1-3 cm), and the heatmap's kernels need distinct spots to stay well conditioned.
SAME_SPOT_M = 0.01


def dbm_to_mw(rssi_dbm):
    return 10.0 ** (rssi_dbm / 10.0)


def mw_to_dbm(power_mw):
    return 10.0 * math.log10(power_mw)


def mean_dbm(readings_dbm, spots=None):
    """Readings (dBm) averaged as power: in mW, and back to dBm.

    A receiver integrates power; a mean of dBm biases low (a deep fade counts as much as a
    strong reading). ``readings_dbm``: a non-empty sequence -> one float. With ``spots``
    (an integer 0..S-1 per reading, e.g. ``np.unique(..., return_inverse=True)``), the mean
    of each spot's readings -> array (S,) in dBm.
    """
    if spots is None:
        return mw_to_dbm(sum(dbm_to_mw(r) for r in readings_dbm) / len(readings_dbm))
    power_mw = dbm_to_mw(np.asarray(readings_dbm, dtype=float))
    return 10.0 * np.log10(np.bincount(spots, weights=power_mw) / np.bincount(spots))


def merge_observations(scans: Iterable[ScanResult]) -> tuple[Observation, ...]:
    """One observation per BSSID over several scans at one spot, RSSI averaged in mW.

    Averaging in dBm would bias low (a deep fade counts as much as a strong reading);
    averaging power is what a receiver integrates. Hidden-BSSID observations (macOS
    without permission) are kept per (ssid, channel).
    """
    scans = tuple(scans)
    groups: dict[tuple, list[Observation]] = {}
    for scan in scans:
        for obs in scan.observations:
            key = (obs.bssid,) if obs.bssid else ("", obs.ssid, obs.channel)
            groups.setdefault(key, []).append(obs)
    if len(groups) == sum(len(scan.observations) for scan in scans):
        # Every BSS heard once (one scan, the common case): nothing to average. Spares
        # rebuilding each observation, the bulk of loading a 5,000-sample survey.
        return tuple(obs for scan in scans for obs in scan.observations)
    merged = []
    for group in groups.values():
        last = max(group, key=lambda o: o.last_seen or 0.0)
        rssis = [o.rssi_dbm for o in group if o.rssi_dbm is not None]
        rssi = mean_dbm(rssis) if rssis else None
        pcts = [o.signal_pct for o in group if o.signal_pct is not None]
        merged.append(replace(last, rssi_dbm=rssi, signal_pct=(sum(pcts) / len(pcts)) if pcts else None))
    return tuple(merged)


class SampleMode(str, Enum):
    POINT = "point"  # stop-and-go: the installer stood here
    WALK = "walk"  # continuous walk: placed along the path by time


@dataclass(frozen=True)
class Sample:
    """A position, a time and the scans taken there; ``link`` the link test made there, if any."""

    x_m: float
    y_m: float
    taken_at: float
    scans: tuple[ScanResult, ...]
    mode: SampleMode = SampleMode.POINT
    id: int | None = None
    link: LinkTest | None = None

    @cached_property
    def observations(self) -> tuple[Observation, ...]:
        """The scans merged per BSS (:func:`merge_observations`), computed once per sample:
        the verdict, the maps, the findings and the appendix each read every sample."""
        return merge_observations(self.scans)


@dataclass(frozen=True)
class Survey:
    """A named phase ("Before", "After", ...) holding samples in the order taken."""

    name: str
    created_at: float
    samples: tuple[Sample, ...] = ()
    notes: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Material:
    """A wall material: loss at 2.4 GHz with its plausible range and where it comes from."""

    id: str
    name: str
    loss_db: float
    loss_min_db: float
    loss_max_db: float
    source: str
    colour: str = "#808080"


@dataclass(frozen=True)
class Wall:
    x1_m: float
    y1_m: float
    x2_m: float
    y2_m: float
    material_id: str
    id: int | None = None

    @property
    def length_m(self) -> float:
        return math.hypot(self.x2_m - self.x1_m, self.y2_m - self.y1_m)


class DeviceKind(str, Enum):
    ROUTER = "router"  # the existing main router / gateway
    ACCESS_POINT = "access_point"  # an existing extra AP
    MESH_NODE = "mesh_node"
    WIRED_AP = "wired_ap"
    POWERLINE_AP = "powerline_ap"
    CHARGER = "charger"  # the charger's mounting point
    PANEL = "panel"  # electrical panel
    ETHERNET_DROP = "ethernet_drop"
    OUTLET = "outlet"

    @property
    def transmits(self) -> bool:
        return self in (
            DeviceKind.ROUTER,
            DeviceKind.ACCESS_POINT,
            DeviceKind.MESH_NODE,
            DeviceKind.WIRED_AP,
            DeviceKind.POWERLINE_AP,
        )

    @property
    def label(self) -> str:
        return {
            "router": "Router",
            "access_point": "Access point",
            "mesh_node": "Mesh node",
            "wired_ap": "Wired access point",
            "powerline_ap": "Powerline access point",
            "charger": "Charger mounting point",
            "panel": "Electrical panel",
            "ethernet_drop": "Ethernet drop",
            "outlet": "Outlet",
        }[self.value]


@dataclass(frozen=True)
class Device:
    """A thing on the plan. ``planned`` devices are proposals, not installed yet.

    ``eirp_dbm`` is the transmit power the propagation model uses for transmitters
    (None: use the model's default or the calibrated value); ``bssids`` link a
    transmitter to what scans hear from it.
    """

    kind: DeviceKind
    x_m: float
    y_m: float
    label: str = ""
    planned: bool = False
    eirp_dbm: float | None = None
    bssids: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class Floorplan:
    """The imported plan image. Pixels exist only here and in ``ui``.

    The image's top-left pixel sits at (``origin_x_m``, ``origin_y_m``) in the site frame;
    ``rotation_deg`` (0/90/180/270, clockwise) is applied to the image before placing it.
    """

    image: bytes
    image_format: str  # "png", "jpeg", ...: what the bytes are
    width_px: int
    height_px: int
    metres_per_px: float
    origin_x_m: float = 0.0
    origin_y_m: float = 0.0
    rotation_deg: int = 0
    opacity: float = 1.0
    source_name: str = ""

    @property
    def size_m(self) -> tuple[float, float]:
        w, h = self.width_px, self.height_px
        if self.rotation_deg % 180:
            w, h = h, w
        return w * self.metres_per_px, h * self.metres_per_px


@dataclass(frozen=True)
class Site:
    customer: str = ""
    address: str = ""
    installer: str = ""
    survey_date: str = ""  # ISO date
    notes: str = ""
    north_deg: float | None = None  # direction of north, clockwise from "up" on the plan


@dataclass(frozen=True)
class TargetNetwork:
    """The network the charger will join: an SSID and optionally specific BSSIDs."""

    ssid: str
    bssids: tuple[str, ...] = ()

    def matches(self, obs: Observation) -> bool:
        if self.bssids:
            return obs.bssid in self.bssids
        return obs.ssid == self.ssid and obs.ssid != ""


@dataclass(frozen=True)
class ChargerProfile:
    """What a charger model needs from the network (shipped in ``assets/profiles``).

    ``reception_offset_db`` is how many dB worse the charger hears than the surveying
    laptop (small antenna inside a metal or plastic box on a wall); subtracted from the
    measured RSSI for the verdict.
    """

    id: str
    name: str
    maker: str = ""
    radio: str = "802.11b/g/n, 2.4 GHz only"
    bands: tuple[str, ...] = ("2.4",)
    reception_offset_db: float = 3.0
    cloud_domains: tuple[str, ...] = ()
    #: What to allow through a DNS filter, as the installer enters it: exact names or
    #: ``*.maker.com`` wildcards (empty: the ``cloud_domains`` themselves).
    allowlist_domains: tuple[str, ...] = ()
    ports: tuple[int, ...] = (443,)
    ntp_servers: tuple[str, ...] = ()
    notes: str = ""
    sources: tuple[str, ...] = ()
    user_defined: bool = False


UNITS = ("m", "ft")


@dataclass(frozen=True)
class Project:
    site: Site = field(default_factory=Site)
    units: str = "m"
    floorplan: Floorplan | None = None
    walls: tuple[Wall, ...] = ()
    materials: tuple[Material, ...] = ()
    devices: tuple[Device, ...] = ()
    surveys: tuple[Survey, ...] = ()
    target: TargetNetwork | None = None
    charger_profile_id: str = "generic_iot"
    active_survey_id: int | None = None
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    #: The last network pre-flight run saved with the project (``evsurvey check --save``).
    preflight: NetcheckReport | None = None

    # -- derived views -------------------------------------------------------
    def material(self, material_id: str) -> Material | None:
        return next((m for m in self.materials if m.id == material_id), None)

    def survey(self, survey_id: int | None) -> Survey | None:
        return next((s for s in self.surveys if s.id == survey_id), None)

    def survey_named(self, name: str) -> Survey | None:
        lowered = name.casefold()
        return next((s for s in self.surveys if s.name.casefold() == lowered), None)

    @property
    def active_survey(self) -> Survey | None:
        return self.survey(self.active_survey_id) or (self.surveys[-1] if self.surveys else None)

    def devices_of(self, *kinds: DeviceKind) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind in kinds)

    @property
    def charger(self) -> Device | None:
        found = self.devices_of(DeviceKind.CHARGER)
        return found[0] if found else None

    @property
    def router(self) -> Device | None:
        found = self.devices_of(DeviceKind.ROUTER)
        return found[0] if found else None

    def extent_m(self, margin_m: float = 0.0) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) covering floorplan, walls, devices and samples."""
        xs: list[float] = []
        ys: list[float] = []
        if self.floorplan is not None:
            w, h = self.floorplan.size_m
            xs += [self.floorplan.origin_x_m, self.floorplan.origin_x_m + w]
            ys += [self.floorplan.origin_y_m, self.floorplan.origin_y_m + h]
        for wall in self.walls:
            xs += [wall.x1_m, wall.x2_m]
            ys += [wall.y1_m, wall.y2_m]
        for dev in self.devices:
            xs.append(dev.x_m)
            ys.append(dev.y_m)
        for survey in self.surveys:
            for s in survey.samples:
                xs.append(s.x_m)
                ys.append(s.y_m)
        if not xs:
            return (0.0, 0.0, 10.0, 10.0)
        return (min(xs) - margin_m, min(ys) - margin_m, max(xs) + margin_m, max(ys) + margin_m)
