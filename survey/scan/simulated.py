"""A scanner that simulates what a laptop would hear at a point of a project's plan.

Used by ``evsurvey demo`` and by anyone who wants to try the app without walking a
garage. The simulation is driven by a :class:`~survey.project.model.Project` (one design,
so the demo, the GUI and tests all use the same input):

* walls and their losses come from ``project.walls`` / ``project.materials``;
* every transmitting device on the plan (router, access point, and *planned* mesh nodes,
  wired or Powerline access points) radiates from where it stands, so placing a mesh node
  in the app and surveying again shows the improvement;
* what each BSS broadcasts (SSID, channel, security, WPS, BSS Load) and the neighbours'
  access points outside the plan are described in ``project.settings["simulation"]``::

      {"version": 1, "bss": [{"bssid": "...", "ssid": "...", "band": "2.4", "channel": 6,
        "eirp_dbm": 16.0, "auth": ["WPA2-PSK"], "ciphers": ["CCMP"], "wps": true,
        "station_count": 7, "channel_utilization_pct": 31.0, "channel_width_mhz": 20,
        "x_m": 22.0, "y_m": 24.0}, ...]}

  An entry without ``x_m``/``y_m`` belongs to the transmitting device whose ``bssids``
  list its BSSID and moves with it (a deleted device takes its BSSs with it). A
  transmitting device with no entry gets a 2.4 GHz BSS (and a 5 GHz one) on the target
  network, with the router's channel and security.

The received level at a point is the log-distance + multi-wall prediction of
:func:`survey.rf.propagation.predicted_rssi_dbm`, plus a fixed, spatially correlated
shadowing field per BSS (so heatmaps have believable structure), plus independent
reading-to-reading jitter, rounded to whole dBm like real drivers report it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from survey.project.model import Device, Observation, Project, ScanResult
from survey.rf.channels import channel_to_freq_mhz
from survey.rf.materials import p2040_slab_loss_db
from survey.rf.propagation import DEFAULT_EIRP_DBM, REF_LOSS_DB, predicted_rssi_dbm, walls_arrays
from survey.scan.base import DEFAULT_TIMEOUT_S, ScanFailed, ScanTimeout

log = logging.getLogger(__name__)

#: Key of the radio description in ``Project.settings``.
SIMULATION_SETTING = "simulation"
SIMULATION_FORMAT_VERSION = 1

#: Time one simulated scan takes (s). A full active scan of the 13 channels of 2.4 GHz
#: dwells ~20-100 ms per channel (IEEE 802.11 MinChannelTime/MaxChannelTime as drivers set
#: them) and takes ~1-3 s end to end on real adapters; 2 s makes the demo feel like one.
DEFAULT_DELAY_S = 2.0

#: Reading-to-reading spread (dB, 1 sigma) at a fixed spot. Repeated RSSI readings of a
#: stationary laptop vary by a few dB from small-scale fading and people moving
#: (Kaemarungsi & Krishnamurthy, "Properties of indoor received signal strength for WLAN
#: location fingerprinting", MobiQuitous 2004); 1.5 dB is a calm garage.
DEFAULT_JITTER_DB = 1.5

#: Log-normal shadowing (dB, 1 sigma). Indoor measurements give 3-8 dB (3GPP TR 38.901
#: Table 7.4.1-1, InH: 3 dB line of sight, 8.03 dB without); 4 dB sits between, since the
#: walls that block the line of sight are already modelled explicitly.
DEFAULT_SHADOWING_SIGMA_DB = 4.0

#: Decorrelation distance of the shadowing (m). Gudmundson ("Correlation model for shadow
#: fading in mobile radio systems", Electronics Letters 27(23), 1991) models the shadowing
#: correlation as exp(-d / d_corr); indoor d_corr is a few metres at room scale (38.901
#: gives 6-10 m for whole office floors); 2 m gives a garage visible structure.
DEFAULT_CORRELATION_LENGTH_M = 2.0

#: Path-loss exponent of the simulated "truth". It is deliberately steeper than the
#: planner's default (2.5) so that calibration has something real to find: ITU-R P.1238
#: gives distance power-loss coefficients N = 28 (residential) to 30 (office) at 2.4 GHz,
#: i.e. n = 2.8-3.0, for paths with furniture and people.
DEFAULT_TRUTH_EXPONENT = 3.0

#: Below this level a BSS is not reported (dBm). Beacons go out at 1 Mb/s DSSS, whose
#: receiver sensitivity on laptop chipsets is about -92 to -95 dBm; drivers rarely list
#: anything weaker.
HEARD_THRESHOLD_DBM = -92.0

#: Extra loss of a 5 GHz path. Free space loses 20 log10(f5 / f2.4) more at 1 m (Friis)
#: and walls lose more: ITU-R P.2040-3's 150 mm concrete goes from 11.5 dB at 2437 MHz to
#: 19.4 dB at 5180 MHz (x 1.68); the same factor is applied to every wall, because the
#: heavy walls dominate what 5 GHz loses in a garage.
_FREQ_5_MHZ = 5180.0
_FREQ_24_MHZ = 2437.0
REF_LOSS_5GHZ_DB = REF_LOSS_DB + 20.0 * math.log10(_FREQ_5_MHZ / _FREQ_24_MHZ)
WALL_LOSS_FACTOR_5GHZ = p2040_slab_loss_db("concrete", 0.150, _FREQ_5_MHZ) / p2040_slab_loss_db(
    "concrete", 0.150, _FREQ_24_MHZ
)

#: Number of random plane waves in a shadowing field. With 64 the field's distribution is
#: Gaussian to within a few percent (central limit) and evaluating it costs microseconds.
_N_WAVES = 64


class ScanCancelled(ScanFailed):
    """The scan was cancelled (the installer pressed Stop)."""


@dataclass(frozen=True)
class SimulatedBss:
    """One simulated BSS: where it transmits from and what its beacons say.

    ``eirp_dbm`` is the radiated power, ``x_m``/``y_m`` the position in the site frame
    (metres), ``channel_utilization_pct`` 0-100 (None: the AP sends no BSS Load element).
    """

    bssid: str
    ssid: str
    band: str
    channel: int
    eirp_dbm: float
    x_m: float | None = None
    y_m: float | None = None
    auth: tuple[str, ...] = ("WPA2-PSK",)
    ciphers: tuple[str, ...] = ("CCMP",)
    wps: bool | None = False
    station_count: int | None = None
    channel_utilization_pct: float | None = None
    channel_width_mhz: int = 20

    @property
    def freq_mhz(self) -> float:
        return channel_to_freq_mhz(self.channel, self.band)


def bss_from_dict(data: dict) -> SimulatedBss:
    """A :class:`SimulatedBss` from its JSON form (site.json / the project setting)."""
    return SimulatedBss(
        bssid=str(data["bssid"]).lower(),
        ssid=str(data.get("ssid", "")),
        band=str(data.get("band", "2.4")),
        channel=int(data["channel"]),
        eirp_dbm=float(data.get("eirp_dbm", DEFAULT_EIRP_DBM)),
        x_m=None if data.get("x_m") is None else float(data["x_m"]),
        y_m=None if data.get("y_m") is None else float(data["y_m"]),
        auth=tuple(data.get("auth", ("WPA2-PSK",))),
        ciphers=tuple(data.get("ciphers", ("CCMP",))),
        wps=data.get("wps", False),
        station_count=data.get("station_count"),
        channel_utilization_pct=data.get("channel_utilization_pct"),
        channel_width_mhz=int(data.get("channel_width_mhz", 20)),
    )


def bss_to_dict(bss: SimulatedBss) -> dict:
    out = {
        "bssid": bss.bssid,
        "ssid": bss.ssid,
        "band": bss.band,
        "channel": bss.channel,
        "eirp_dbm": bss.eirp_dbm,
        "auth": list(bss.auth),
        "ciphers": list(bss.ciphers),
        "wps": bss.wps,
        "station_count": bss.station_count,
        "channel_utilization_pct": bss.channel_utilization_pct,
        "channel_width_mhz": bss.channel_width_mhz,
    }
    if bss.x_m is not None and bss.y_m is not None:
        out["x_m"], out["y_m"] = bss.x_m, bss.y_m
    return out


def simulation_setting(bsss: Iterable[SimulatedBss]) -> dict:
    """The ``project.settings["simulation"]`` value describing ``bsss``."""
    return {"version": SIMULATION_FORMAT_VERSION, "bss": [bss_to_dict(b) for b in bsss]}


def _derived_bssid(device: Device, index: int) -> str:
    """A stable, locally administered BSSID for a device that has none (e.g. a planned mesh node)."""
    key = (
        f"{device.id}"
        if device.id is not None
        else f"{device.kind.value}|{device.label}|{device.x_m:.3f}|{device.y_m:.3f}"
    )
    digest = hashlib.blake2s(key.encode("utf-8"), digest_size=4).digest()
    # 0x02: locally administered, unicast (IEEE 802 MAC address U/L bit).
    return ":".join(f"{b:02x}" for b in (0x02, *digest, index * 4))


def radio_plan(project: Project) -> tuple[SimulatedBss, ...]:
    """Every BSS the simulation radiates for ``project``, each with its position.

    See the module docstring for how settings entries and devices combine.
    """
    setting = project.settings.get(SIMULATION_SETTING) or {}
    described = [bss_from_dict(d) for d in setting.get("bss", ())]
    by_bssid = {b.bssid: b for b in described}
    transmitters = [d for d in project.devices if d.kind.transmits]
    placed: list[SimulatedBss] = []
    owned: set[str] = set()
    for dev in transmitters:
        for bssid in dev.bssids:
            spec = by_bssid.get(bssid.lower())
            if spec is not None:
                placed.append(_at(spec, dev.x_m, dev.y_m))
                owned.add(spec.bssid)
    # Neighbours and other fixed sources: entries with their own position, not owned by a device.
    for spec in described:
        if spec.bssid not in owned and spec.x_m is not None and spec.y_m is not None:
            placed.append(spec)

    template_24, template_5 = _network_templates(project, described, transmitters)
    for dev in transmitters:
        if any(b.lower() in by_bssid for b in dev.bssids):
            continue
        eirp = dev.eirp_dbm if dev.eirp_dbm is not None else DEFAULT_EIRP_DBM
        bssids = [b.lower() for b in dev.bssids] or [_derived_bssid(dev, 0), _derived_bssid(dev, 1)]
        placed.append(
            _at(SimulatedBss(**{**template_24.__dict__, "bssid": bssids[0], "eirp_dbm": eirp}), dev.x_m, dev.y_m)
        )
        if len(bssids) > 1:
            # 5 GHz consumer radios are allowed more power (FCC 15.407 U-NII-1: 30 dBm
            # conducted); the same setting as the 2.4 GHz radio is the conservative choice.
            placed.append(
                _at(SimulatedBss(**{**template_5.__dict__, "bssid": bssids[1], "eirp_dbm": eirp}), dev.x_m, dev.y_m)
            )
    return tuple(placed)


def _at(spec: SimulatedBss, x_m: float, y_m: float) -> SimulatedBss:
    return SimulatedBss(**{**spec.__dict__, "x_m": float(x_m), "y_m": float(y_m)})


def _network_templates(
    project: Project, described: list[SimulatedBss], transmitters: list[Device]
) -> tuple[SimulatedBss, SimulatedBss]:
    """What a device without a description broadcasts: the target network, as the router does."""
    ssid = project.target.ssid if project.target is not None else ""
    owned_bssids = {b.lower() for d in transmitters for b in d.bssids}
    home = [b for b in described if (ssid and b.ssid == ssid) or b.bssid in owned_bssids]
    if not ssid and home:
        ssid = home[0].ssid
    base_24 = next((b for b in home if b.band == "2.4"), None)
    base_5 = next((b for b in home if b.band == "5"), None)
    if base_24 is None:
        base_24 = SimulatedBss(bssid="", ssid=ssid or "evsurvey-sim", band="2.4", channel=6, eirp_dbm=DEFAULT_EIRP_DBM)
    if base_5 is None:
        base_5 = SimulatedBss(**{**base_24.__dict__, "band": "5", "channel": 36, "channel_width_mhz": 80})
    # A new node adds no stations of its own yet; the channel's load is shared airtime.
    return (
        SimulatedBss(**{**base_24.__dict__, "ssid": ssid or base_24.ssid, "station_count": 0}),
        SimulatedBss(**{**base_5.__dict__, "ssid": ssid or base_5.ssid, "station_count": 0}),
    )


@dataclass(frozen=True, eq=False)
class ShadowingField:
    """A fixed, smooth random field of shadowing in dB over the site plane.

    A sum of plane waves with random directions, wave numbers and phases (the spectral
    method of generating a stationary Gaussian field): with wave vectors drawn from a
    bivariate Cauchy distribution of scale 1/L, the field's correlation is exp(-d / L),
    Gudmundson's model, and its standard deviation is ``sigma_db``.
    """

    wave_vectors: np.ndarray  # (K, 2) rad/m
    phases: np.ndarray  # (K,)
    amplitude_db: float

    def __call__(self, xy_m) -> np.ndarray:
        pts = np.atleast_2d(np.asarray(xy_m, dtype=np.float64))
        return self.amplitude_db * np.cos(pts @ self.wave_vectors.T + self.phases).sum(axis=1)


def shadowing_field(
    seed: int,
    bssid: str,
    *,
    sigma_db: float = DEFAULT_SHADOWING_SIGMA_DB,
    correlation_length_m: float = DEFAULT_CORRELATION_LENGTH_M,
) -> ShadowingField:
    """The shadowing field of one BSS; the same (seed, bssid) always gives the same field."""
    key = int.from_bytes(hashlib.blake2s(bssid.encode("utf-8"), digest_size=8).digest(), "little")
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, key])
    gauss = rng.standard_normal((_N_WAVES, 2))
    scale = np.abs(rng.standard_normal((_N_WAVES, 1)))  # chi with 1 dof: makes the Cauchy law
    wave_vectors = gauss / (np.maximum(scale, 1e-6) * correlation_length_m)
    phases = rng.uniform(0.0, 2.0 * math.pi, _N_WAVES)
    # Each cosine has variance 1/2, so K of them scaled by sigma*sqrt(2/K) have variance sigma^2.
    return ShadowingField(wave_vectors, phases, sigma_db * math.sqrt(2.0 / _N_WAVES))


class SimulatedScanner:
    """Scans of a simulated site, at the position set with :meth:`move_to`.

    Deterministic for a given ``seed`` and sequence of calls. ``delay_s`` is how long a scan
    takes; :meth:`cancel` (from any thread) ends a scan that is waiting. No Qt involved.
    """

    name = "simulated"

    def __init__(
        self,
        project: Project,
        *,
        seed: int = 0,
        delay_s: float = DEFAULT_DELAY_S,
        jitter_db: float = DEFAULT_JITTER_DB,
        include_5ghz: bool = True,
        exponent: float = DEFAULT_TRUTH_EXPONENT,
        shadowing_sigma_db: float = DEFAULT_SHADOWING_SIGMA_DB,
        correlation_length_m: float = DEFAULT_CORRELATION_LENGTH_M,
        clock: Callable[[], float] = time.time,
    ):
        if delay_s < 0 or jitter_db < 0 or shadowing_sigma_db < 0 or correlation_length_m <= 0:
            raise ValueError("delay, jitter and shadowing must not be negative; correlation length must be positive")
        self.seed = int(seed)
        self.delay_s = float(delay_s)
        self.jitter_db = float(jitter_db)
        self.include_5ghz = include_5ghz
        self.exponent = float(exponent)
        self.shadowing_sigma_db = float(shadowing_sigma_db)
        self.correlation_length_m = float(correlation_length_m)
        self._clock = clock
        self._rng = np.random.default_rng(self.seed)
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._scanning = False
        self._fields: dict[str, ShadowingField] = {}
        x0, y0, x1, y1 = project.extent_m()
        self._xy_m = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
        self.set_project(project)

    # -- configuration ----------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Use ``project``'s current walls and devices (call after adding a mesh node)."""
        walls_xy, loss_db = walls_arrays(project)
        plan = radio_plan(project)
        if not self.include_5ghz:
            plan = tuple(b for b in plan if b.band == "2.4")
        # One immutable tuple swapped in at once: a scan running on a worker thread sees
        # either the old site or the new one, never half of each.
        self._site = (plan, walls_xy, loss_db)
        log.debug("simulated site: %d BSSs, %d walls", len(plan), len(walls_xy))

    @property
    def bsss(self) -> tuple[SimulatedBss, ...]:
        return self._site[0]

    def move_to(self, x_m: float, y_m: float) -> None:
        """Where the laptop stands now (site metres)."""
        self._xy_m = (float(x_m), float(y_m))

    def cancel(self) -> None:
        """End the scan that is waiting out ``delay_s`` (it raises :class:`ScanCancelled`).

        Does nothing when no scan runs, so a late cancel never spoils the next scan.
        """
        with self._lock:
            if self._scanning:
                self._cancel.set()

    # -- the model --------------------------------------------------------------------
    def _field(self, bssid: str) -> ShadowingField:
        found = self._fields.get(bssid)
        if found is None:
            found = shadowing_field(
                self.seed, bssid, sigma_db=self.shadowing_sigma_db, correlation_length_m=self.correlation_length_m
            )
            self._fields[bssid] = found
        return found

    def mean_rssi_dbm(self, query_xy_m) -> dict[str, np.ndarray]:
        """Per BSSID, the level without jitter (prediction + shadowing) at ``query_xy_m`` (M, 2)."""
        plan, walls_xy, loss_db = self._site
        pts = np.atleast_2d(np.asarray(query_xy_m, dtype=np.float64))
        out = {}
        for bss in plan:
            five = bss.band != "2.4"
            rssi = predicted_rssi_dbm(
                (bss.x_m, bss.y_m),
                bss.eirp_dbm,
                walls_xy,
                loss_db * (WALL_LOSS_FACTOR_5GHZ if five else 1.0),
                pts,
                exponent=self.exponent,
                ref_loss_db=REF_LOSS_5GHZ_DB if five else REF_LOSS_DB,
            )
            out[bss.bssid] = rssi + self._field(bss.bssid)(pts)
        return out

    # -- scanning ---------------------------------------------------------------------
    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        started = self._clock()
        with self._lock:
            self._cancel.clear()
            self._scanning = True
        try:
            wait_s = min(self.delay_s, max(0.0, timeout_s))
            cancelled = self._cancel.wait(wait_s) if wait_s > 0 else self._cancel.is_set()
        finally:
            with self._lock:
                self._scanning = False
                self._cancel.clear()
        if cancelled:
            raise ScanCancelled("The scan was cancelled.")
        if self.delay_s > timeout_s:
            raise ScanTimeout(f"The simulated scan takes {self.delay_s:g} s, longer than the {timeout_s:g} s allowed.")
        plan = self._site[0]
        levels = self.mean_rssi_dbm([self._xy_m])
        finished = self._clock()
        observations = []
        for bss in plan:
            reading = float(levels[bss.bssid][0]) + self.jitter_db * float(self._rng.standard_normal())
            util = bss.channel_utilization_pct
            if util is not None:
                # The BSS Load element is a moving average the AP updates; it wanders a little.
                util = float(min(100.0, max(0.0, util + 2.0 * self._rng.standard_normal())))
            if reading < HEARD_THRESHOLD_DBM:
                continue
            observations.append(
                Observation(
                    bssid=bss.bssid,
                    ssid=bss.ssid,
                    ssid_raw=bss.ssid.encode("utf-8") if bss.ssid else None,
                    rssi_dbm=float(round(reading)),
                    freq_mhz=bss.freq_mhz,
                    channel=bss.channel,
                    band=bss.band,
                    auth=bss.auth,
                    ciphers=bss.ciphers,
                    wps=bss.wps,
                    station_count=bss.station_count,
                    channel_utilization_pct=None if util is None else round(util, 1),
                    channel_width_mhz=bss.channel_width_mhz,
                    last_seen=finished,
                )
            )
        return ScanResult(
            observations=tuple(observations), started_at=started, finished_at=finished, backend=self.name, fresh=True
        )
