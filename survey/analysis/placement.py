"""Where to put the fix: the remediation ladder, computed on the site model.

Order (DESIGN "Field facts", the order a good installer thinks of them), settings before
hardware:

1 nothing needed; 2 a router setting (2.4 GHz on, WPA2/WPA3 transition mode, a quieter
channel); 3 the router's 2.4 GHz transmit power; 4 move the router; 5 a mesh node indoors
(tri-band kit with a 5 GHz backhaul, else dual-band with a 2.4 GHz one); for a detached
garage 6 an outdoor mesh node and 7 a point-to-point bridge; 8 a wired access point;
9 a Powerline pair feeding an access point at an outlet near the charger; never a repeater.

The first viable rung is chosen; every other rung keeps the reason it was not. A rung is
viable only when its predicted value minus ``K_SIGMA`` (1.28, 90 % one-sided) times the
model's error (the radio model's cross-validated RMSE on this survey, or 8 dB when nothing
was fitted) still clears its threshold, and its text says by how much. Devices go inside the building footprint
(:mod:`survey.project.rooms`), never outdoors, except the outdoor kinds of a detached
garage, which say how they are mounted and powered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from survey.analysis.findings import SettingChange, setting_changes
from survey.analysis.radio import DEFAULT_EIRP_DBM, RadioModel, coverage_with
from survey.analysis.verdict import GOOD, GOOD_DBM, UNKNOWN, Verdict, round_db
from survey.project.model import Device, DeviceKind, Project
from survey.project.rooms import DEVICE_REACH_M, detached, place_words, site_rooms
from survey.rf.materials import SPEED_OF_LIGHT_M_S
from survey.rf.propagation import wall_crossings

#: Grid pitch of candidate spots. 0.5 m keeps the whole recommendation inside its 250 ms
#: budget and is finer than where a node can really be mounted (studs, outlets).
CANDIDATE_STEP_M = 0.5
#: Keep devices off the wall itself (cabling, the wall's own shadow) but close enough to be
#: mounted on it or set on a shelf against it: spots 0.3-1.0 m from the nearest wall.
MIN_WALL_CLEARANCE_M = 0.3
MOUNTING_REACH_M = 1.0
#: A mesh backhaul link needs what a good client link needs: -67 dBm is the common design
#: minimum for reliable real-time Wi-Fi (Cisco Voice over WLAN design guide: cell edge
#: -67 dBm), used here as the minimum router-to-node signal.
BACKHAUL_MIN_DBM = -67.0
#: An option passes when predicted - K_SIGMA x error clears its threshold: with a Gaussian
#: model error, 1.28 sigma (the one-sided 90 % quantile of the normal distribution) leaves a
#: 90 % chance that the real value clears it, the usual reliability of a link budget.
K_SIGMA = 1.28
#: The router usually stays near where the ISP line enters; moving it further is rewiring.
ROUTER_MOVE_RADIUS_M = 3.0
#: A patch cable from an existing drop.
NEAR_DEVICE_RADIUS_M = 3.0
#: Spots within this of a marked outlet count as "at the outlet" (a device needs power).
OUTLET_RADIUS_M = 1.5
#: Among spots whose score is within this of the best, prefer one near an outlet.
OUTLET_PREFERENCE_DB = 1.0

#: Planned 2.4 GHz devices get the EIRP of a typical router (see radio.DEFAULT_EIRP_DBM),
#: lowered by the site's measured bias (RadioModel.site_bias_db).
NEW_DEVICE_EIRP_DBM = DEFAULT_EIRP_DBM
#: A tri-band kit's 5 GHz backhaul radio (dBm EIRP): 23 dBm is the EU limit of 5150-5350 MHz
#: (ETSI EN 301 893, 200 mW mean EIRP), the lowest cap of the bands kits use indoors.
BACKHAUL_5GHZ_EIRP_DBM = 23.0

#: The legal 2.4 GHz EIRP cap per region (dBm): EU ETSI EN 300 328 (4.3.2.2: 20 dBm e.i.r.p.);
#: US FCC 47 CFR 15.247(b)(3)-(4): 1 W conducted with up to 6 dBi antenna gain, 36 dBm.
TX_POWER_CAP_DBM = {"EU": 20.0, "US": 36.0}
#: Project setting: Cat6 can be pulled to the garage (a wired access point on a new run).
ETHERNET_SETTING = "ethernet_can_be_run"
#: Project setting of the regulatory region; the EU cap (the lower) when unset.
REGION_SETTING = "region"
DEFAULT_REGION = "EU"
#: A link is as good as its weaker direction: the charger answers with its own radio,
#: +19.5 dBm conducted (ESP32 datasheet, 802.11b 1 Mb/s), heard through the router's own
#: antennas (about 3 dBi, a typical dipole). A router radiating more than ~23 dBm EIRP is
#: louder than the charger can answer, so the power rung counts the gain up to the lower of
#: the legal cap and this balance point.
LINK_BALANCE_EIRP_DBM = 23.0
#: Less than this and a power change is not worth a rung (drivers' 1 dB resolution).
MIN_POWER_GAIN_DB = 1.0

#: A point-to-point bridge: a pair of 5 GHz radios with directional antennas. 20 dBm EIRP is
#: below every 5 GHz outdoor cap (ETSI EN 301 893 5470-5725 MHz: 30 dBm; FCC 15.407 U-NII-3:
#: 30 dBm conducted); 10 dBi is the smallest panel antenna such kits carry. Outdoors with a
#: clear line of sight the path is free space (exponent 2) at the band's upper edge.
BRIDGE_EIRP_DBM = 20.0
BRIDGE_RX_GAIN_DBI = 10.0
BRIDGE_FREQ_MHZ = 5805.0
#: Outdoor spots on an outside wall of the house or the garage for the outdoor kinds.
OUTDOOR_REACH_M = 1.0

CHOSEN, ALTERNATIVE, REJECTED, NOT_NEEDED, ALSO = "chosen", "alternative", "rejected", "not_needed", "also"
#: ``Option.status`` in the words people read (the GUI, the CLI and the PDF). "also": a
#: setting to make as well as the chosen fix (it does not fix the charger alone).
STATUS_WORDS = {
    CHOSEN: "recommended",
    ALTERNATIVE: "alternative",
    REJECTED: "not suitable",
    NOT_NEEDED: "not needed",
    ALSO: "do as well",
}
#: The mark in front of an option in text lists (the CLI; the GUI keeps its own).
STATUS_MARKS = {CHOSEN: "=>", ALTERNATIVE: " +", REJECTED: " x", NOT_NEEDED: " -", ALSO: " &"}

REPEATER_REASON = (
    "Never a repeater: a single-radio repeater receives and re-sends every frame on the same "
    "channel, which halves the airtime, adds latency, and it sits where the signal is already "
    "weak; the charger's WebSocket sees the drops. A mesh node with a proper backhaul or a wired "
    "access point fixes coverage without those costs."
)

POWERLINE_CONDITIONS = (
    "Both adapters on the same electrical panel and, ideally, the same phase and circuit (Powerline signals "
    "cross phases and sub-panels badly): the house adapter beside the router, on an Ethernet cable to it.",
    "Plug the adapters straight into wall outlets: surge-protected strips and UPSs filter the signal.",
    "A HomePlug AV2 pair; set the access point's 2.4 GHz SSID and password the same as the main network "
    "(or a separate IoT SSID), 20 MHz, channel 1, 6 or 11.",
)
BRIDGE_CONDITIONS = (
    "Mounting: both radios outdoor-rated, on the facing outside walls 2-3 m up, aimed at each other with a "
    "clear line of sight (no tree, shed or parked van in between).",
    "Power: PoE injectors indoors at each end; outdoor (UV-rated, shielded) cable, grounded where it enters "
    "each building.",
    "An Ethernet cable from the router to the house radio, and from the garage radio to the access point "
    "near the charger.",
)


@dataclass(frozen=True)
class Option:
    """One rung of the ladder.

    ``predicted_charger_rssi_dbm`` is what the charger would get after the change
    (reception offset already subtracted); ``xy_m`` where the device goes (None if nothing
    is placed); ``device_kind`` the planned device it would add. ``margin_db`` is the
    smallest of the option's links' margins once ``K_SIGMA x error_db`` is allowed for
    (negative: short); ``backhaul_band`` "2.4" | "5" | "wired" | "powerline" for devices;
    ``outdoor`` marks the outdoor kinds; ``place`` says where the device goes in words;
    ``setting_changes`` the router settings the option makes; ``link_xy_m`` the two ends
    of a point-to-point bridge. ``conditions`` are the assumptions the prediction rests on
    (band, power and mounting) and what must hold for it to come true.
    """

    kind: str  # nothing | settings | router_power | move_router | mesh_node | outdoor_mesh_node | bridge
    #            | wired_ap | powerline_ap | repeater
    title: str
    status: str  # chosen | alternative | rejected | not_needed | also
    cost_class: str  # "", "$", "$$", "$$$"
    reason: str
    xy_m: tuple[float, float] | None = None
    predicted_charger_rssi_dbm: float | None = None
    device_kind: DeviceKind | None = None
    eirp_dbm: float | None = None
    conditions: tuple[str, ...] = ()
    backhaul_rssi_dbm: float | None = None
    margin_db: float | None = None
    error_db: float | None = None
    backhaul_band: str | None = None
    outdoor: bool = False
    place: str = ""
    setting_changes: tuple[SettingChange, ...] = ()
    link_xy_m: tuple[tuple[float, float], tuple[float, float]] | None = field(default=None)

    @property
    def viable(self) -> bool:
        return self.status in (CHOSEN, ALTERNATIVE)

    @property
    def text(self) -> str:
        """The reason and every condition, as one paragraph (what a reader of the option sees)."""
        return " ".join((self.reason,) + self.conditions)

    def to_json(self) -> dict:
        def xy(p):
            return None if p is None else [round(p[0], 2), round(p[1], 2)]

        return {
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "cost_class": self.cost_class,
            "reason": self.reason,
            "xy_m": xy(self.xy_m),
            "predicted_charger_rssi_dbm": round_db(self.predicted_charger_rssi_dbm),
            "backhaul_rssi_dbm": round_db(self.backhaul_rssi_dbm),
            "device_kind": None if self.device_kind is None else self.device_kind.value,
            "eirp_dbm": self.eirp_dbm,
            "conditions": list(self.conditions),
            "margin_db": round_db(self.margin_db),
            "error_db": round_db(self.error_db),
            "k_sigma": K_SIGMA,
            "backhaul_band": self.backhaul_band,
            "outdoor": self.outdoor,
            "place": self.place,
            "setting_changes": [c.to_json() for c in self.setting_changes],
            "link_xy_m": None if self.link_xy_m is None else [xy(p) for p in self.link_xy_m],
        }


# -- candidate spots --------------------------------------------------------------------------


def distance_to_segments_m(points_xy_m: np.ndarray, walls_xy_m: np.ndarray) -> np.ndarray:
    """Distance (m) from each point (M, 2) to the nearest wall segment (W, 4); inf without walls."""
    points = np.asarray(points_xy_m, dtype=float).reshape(-1, 2)
    walls = np.asarray(walls_xy_m, dtype=float).reshape(-1, 4)
    if len(walls) == 0:
        return np.full(len(points), np.inf)
    a = walls[:, 0:2][None, :, :]
    ab = (walls[:, 2:4] - walls[:, 0:2])[None, :, :]
    ap = points[:, None, :] - a
    denom = np.maximum((ab * ab).sum(-1), 1e-12)
    t = np.clip((ap * ab).sum(-1) / denom, 0.0, 1.0)
    closest = a + t[..., None] * ab
    return np.sqrt(((points[:, None, :] - closest) ** 2).sum(-1)).min(axis=1)


def building_extent_m(project: Project) -> tuple[float, float, float, float]:
    """The box the walls span; the plan without walls."""
    if project.walls:
        xs = [v for w in project.walls for v in (w.x1_m, w.x2_m)]
        ys = [v for w in project.walls for v in (w.y1_m, w.y2_m)]
        return min(xs), min(ys), max(xs), max(ys)
    return project.extent_m()


@dataclass(frozen=True, eq=False)
class Spots:
    """Candidate device spots (M, 2) with the building each is in (-1 outdoors) and whether
    the plan had a closed outline to judge "inside" by (else the walls' box was used)."""

    xy_m: np.ndarray
    building: np.ndarray
    footprint: bool
    room: np.ndarray | None = None  # room index per spot (-1 outdoors); None without rooms

    def __len__(self) -> int:
        return len(self.xy_m)


def candidate_spots(
    project: Project, walls_xy_m: np.ndarray, step_m: float = CANDIDATE_STEP_M, *, outdoor: bool = False
) -> Spots:
    """Sensible device spots, 0.3-1.0 m from a wall: inside the building footprint (rooms
    from closed wall loops and the installer's rooms, not those marked outdoors), or with
    ``outdoor`` on the outside of an outside wall (for outdoor-rated kinds only).

    Staying within 1 m of a wall keeps spots off a garage's car bays (the open floor away
    from the walls) and where a node can be mounted or set on a shelf. Without a closed
    outline the walls' box stands in for the building (:attr:`Spots.footprint` False).
    """
    x0, y0, x1, y1 = building_extent_m(project)
    margin = OUTDOOR_REACH_M if outdoor else 0.0
    xs = np.arange(x0 - margin + step_m / 2, x1 + margin, step_m)
    ys = np.arange(y0 - margin + step_m / 2, y1 + margin, step_m)
    if len(xs) == 0 or len(ys) == 0:
        return Spots(np.zeros((0, 2)), np.zeros(0, dtype=int), False)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    if len(walls_xy_m):
        d = distance_to_segments_m(points, walls_xy_m)
        points = points[(d >= MIN_WALL_CLEARANCE_M) & (d <= MOUNTING_REACH_M)]
    rooms = site_rooms(project)
    if not rooms.closed:
        if outdoor:
            return Spots(np.zeros((0, 2)), np.zeros(0, dtype=int), False)
        return Spots(points, np.zeros(len(points), dtype=int), False)
    inside = rooms.inside(points)
    keep = ~inside if outdoor else inside
    points = points[keep]
    return Spots(points, rooms.building_at(points), True, rooms.room_index_at(points))


def _near(points: np.ndarray, xy, radius_m: float) -> np.ndarray:
    return np.hypot(points[:, 0] - xy[0], points[:, 1] - xy[1]) <= radius_m


def _pick(score: np.ndarray, outlet_mask: np.ndarray) -> int:
    """Index of the best spot; an outlet spot wins if it is within 1 dB of the best."""
    best = int(np.argmax(score))
    near_best = (score >= score[best] - OUTLET_PREFERENCE_DB) & outlet_mask
    if near_best.any() and not outlet_mask[best]:
        idx = np.flatnonzero(near_best)
        return int(idx[np.argmax(score[idx])])
    return best


def _outlet_mask(project: Project, spots: Spots) -> np.ndarray:
    """Spots at a marked outlet: within 1.5 m of it and in its room (not behind the wall)."""
    points = spots.xy_m
    mask = np.zeros(len(points), dtype=bool)
    rooms = site_rooms(project) if spots.room is not None else None
    for outlet in project.devices_of(DeviceKind.OUTLET):
        near = _near(points, (outlet.x_m, outlet.y_m), OUTLET_RADIUS_M)
        if rooms is not None:
            near &= spots.room == rooms.nearest_room_index((outlet.x_m, outlet.y_m), DEVICE_REACH_M)
        mask |= near
    return mask


def _margin_words(margin_db: float, error_db: float, what: str = "model") -> str:
    allowance = f"{K_SIGMA:g} x the {error_db:.1f} dB {what} error (90 % sure)"
    if margin_db >= 0:
        return f"margin {margin_db:.1f} dB after allowing {allowance}"
    return f"{-margin_db:.1f} dB short once {allowance} is allowed for"


# -- the ladder -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Site:
    """What every rung needs: the project, its model and the state at the charger."""

    project: Project
    model: RadioModel
    verdict: Verdict
    offset_db: float
    charger_xy: tuple[float, float]
    #: The verdict's value at the charger (charger view, dBm): a ladder is built only with one.
    current_dbm: float
    #: The charger's value now (charger view): measured, or the model's when 2.4 GHz is off.
    baseline: float
    #: The error of ``baseline`` (dB, one sigma) and the model's error for new devices.
    baseline_error_db: float
    model_error_db: float
    #: The model's value at the charger from the router as it is (charger view).
    model_now: float | None
    changes: tuple[SettingChange, ...]
    coverage_good: bool
    spots: Spots
    outlet_mask: np.ndarray
    new_eirp: float
    coverage_dbm: np.ndarray  # new 2.4 GHz device at each spot -> charger (charger view)

    def with_existing(self, new_dbm: float) -> float:
        # The charger joins whichever BSS of the network is strongest.
        return max(new_dbm, self.baseline)

    @property
    def blocked(self) -> bool:
        return any(c.blocking for c in self.changes)

    def place(self, xy) -> str:
        return place_words(self.project, xy)

    @property
    def placed_router(self) -> Device:
        """The router, for the rungs offered only when it is on the plan."""
        router = self.project.router
        if router is None:
            raise ValueError("the router is not on the plan: this option cannot be judged")
        return router

    @property
    def eirp_words(self) -> str:
        """The EIRP assumed for a new 2.4 GHz device, and why when it is not the typical 20 dBm."""
        bias = self.model.site_bias_db
        if bias < 0:
            return (
                f"{self.new_eirp:.0f} dBm EIRP (a typical {NEW_DEVICE_EIRP_DBM:.0f} dBm, less the {-bias:.0f} dB "
                "this site measured below the model)"
            )
        return f"{self.new_eirp:.0f} dBm EIRP"


def _region(project: Project) -> str:
    region = str(project.settings.get(REGION_SETTING) or DEFAULT_REGION).upper()
    return region if region in TX_POWER_CAP_DBM else DEFAULT_REGION


def build_ladder(
    project: Project,
    model: RadioModel,
    verdict: Verdict,
    offset_db: float,
    findings=(),
    *,
    step_m: float = CANDIDATE_STEP_M,
) -> tuple[Option, ...]:
    """The ordered remediation options for ``project`` given its verdict, site model and the
    survey's findings (the router settings they call for)."""
    charger = project.charger
    router = project.router
    changes = setting_changes(findings)
    off_24 = any(c.code == "enable_24ghz" for c in changes)
    current = verdict.rssi_at_charger_dbm

    if charger is None or verdict.status == UNKNOWN or current is None:
        reason = "Place the charger on the plan first." if charger is None else "No verdict yet: " + verdict.explanation
        options = [Option("nothing", "Nothing needed", REJECTED, "", reason)]
        for kind, title, cost in (
            ("settings", "Change a router setting", ""),
            ("router_power", "Raise the router's 2.4 GHz transmit power", ""),
            ("move_router", "Move the router", "$"),
            ("mesh_node", "Mesh node", "$$"),
            ("wired_ap", "Wired access point", "$$"),
            ("powerline_ap", "Powerline-fed access point", "$$"),
        ):
            options.append(Option(kind, title, REJECTED, cost, reason))
        options.append(Option("repeater", "Repeater / extender", REJECTED, "$", REPEATER_REASON))
        return tuple(options)

    charger_xy = (charger.x_m, charger.y_m)
    spots = candidate_spots(project, model.walls_xy_m, step_m)
    new_eirp = NEW_DEVICE_EIRP_DBM + model.site_bias_db
    # What the charger would hear from a new device at each spot (reciprocity: one map from the charger).
    coverage_dbm = (model.rssi_dbm(charger_xy, new_eirp, spots.xy_m) - offset_db) if len(spots) else np.zeros(0)
    model_now = None
    if router is not None:
        model_now = float(coverage_with(model, project, (), [charger_xy])[0]) - offset_db
    chosen_est = verdict.chosen
    if off_24 and model_now is not None:
        # Nothing was heard on 2.4 GHz: what the charger gets once it is on is the model's to say.
        baseline, baseline_error = model_now, model.error_db
    else:
        baseline = current
        baseline_error = (
            chosen_est.error_db
            if chosen_est is not None and chosen_est.error_db is not None
            else (model.error_db if verdict.chosen_method == "model" else 1.0)
        )
    site = _Site(
        project,
        model,
        verdict,
        offset_db,
        charger_xy,
        current,
        baseline,
        max(1.0, baseline_error),
        model.error_db,
        model_now,
        changes,
        verdict.status == GOOD and not off_24,
        spots,
        _outlet_mask(project, spots),
        new_eirp,
        coverage_dbm,
    )

    options = [_nothing(site), _settings(site), _router_power(site), _move_router(site), _mesh(site)]
    if router is not None and detached(project, (router.x_m, router.y_m), charger_xy):
        options += [_outdoor_mesh(site), _bridge(site)]
    options += [
        _wired(site),
        _powerline(site),
        Option("repeater", "Repeater / extender", REJECTED, "$", REPEATER_REASON),
    ]

    # The first viable rung is the recommendation; later viable rungs are alternatives.
    final, chosen_done = [], False
    for opt in options:
        if opt.status == ALTERNATIVE and not chosen_done:
            opt = replace(opt, status=CHOSEN)
            chosen_done = True
        final.append(opt)
    # Every number an option prints is the rounded one its JSON carries (0.1 dB).
    return tuple(
        replace(
            o,
            predicted_charger_rssi_dbm=round_db(o.predicted_charger_rssi_dbm),
            backhaul_rssi_dbm=round_db(o.backhaul_rssi_dbm),
            margin_db=round_db(o.margin_db),
            error_db=round_db(o.error_db),
        )
        for o in final
    )


def _changes_words(changes) -> str:
    text = "; ".join(c.words for c in changes)
    return text[:1].upper() + text[1:]


def _nothing(site: _Site) -> Option:
    current = site.current_dbm
    margin = current - GOOD_DBM
    band = "on 2.4 GHz, as the charger hears it"
    if site.coverage_good and not site.changes:
        caution = ""
        if margin < K_SIGMA * site.baseline_error_db:
            caution = (
                f" That is within the {site.baseline_error_db:.1f} dB error of the estimate: read the "
                "charger's own signal strength once it is installed."
            )
        return Option(
            "nothing",
            "Nothing needed",
            ALTERNATIVE,
            "",
            f"The charger gets {current:.1f} dBm {band}: a margin of {margin:+.1f} dB over -65 dBm.{caution}",
            predicted_charger_rssi_dbm=current,
            margin_db=margin,
            error_db=site.baseline_error_db,
        )
    if site.coverage_good:
        why = (
            "the charger cannot join until " + _changes_words([c for c in site.changes if c.blocking]).lower()
            if site.blocked
            else "the channel is crowded: " + _changes_words(site.changes).lower()
        )
        return Option(
            "nothing",
            "Nothing needed",
            REJECTED,
            "",
            f"The signal is good ({current:.1f} dBm {band}, a margin of {margin:+.1f} dB), but {why}.",
            predicted_charger_rssi_dbm=current,
            margin_db=margin,
            error_db=site.baseline_error_db,
        )
    if any(c.code == "enable_24ghz" for c in site.changes):
        return Option(
            "nothing",
            "Nothing needed",
            REJECTED,
            "",
            "The network was not heard on 2.4 GHz, the only band the charger has: it cannot join.",
        )
    return Option(
        "nothing",
        "Nothing needed",
        REJECTED,
        "",
        f"The charger gets {current:.1f} dBm {band}, {-margin:.1f} dB short of -65 dBm.",
        predicted_charger_rssi_dbm=current,
        margin_db=margin,
        error_db=site.baseline_error_db,
    )


def _settings(site: _Site) -> Option:
    title = "Change a router setting"
    changes = site.changes
    if not changes:
        return Option(
            "settings",
            title,
            NOT_NEEDED,
            "",
            "No router setting stands in the way: the network is on 2.4 GHz, its security mode suits IoT "
            "chipsets and its channel is not crowded.",
        )
    what = _changes_words(changes) + "."
    if any(c.code == "enable_24ghz" for c in changes):
        if site.model_now is None:
            return Option(
                "settings",
                title,
                ALSO,
                "",
                what + " Needed whatever else is done; place the router on "
                "the plan to predict the 2.4 GHz signal once it is on.",
                setting_changes=changes,
            )
        margin = site.model_now - K_SIGMA * site.model_error_db - GOOD_DBM
        predicted = (
            f" Once 2.4 GHz is on, the wall model predicts {site.model_now:.1f} dBm at the charger "
            f"({site.model.words}); {_margin_words(margin, site.model_error_db)}. Survey again afterwards."
        )
        status = ALTERNATIVE if margin >= 0 else ALSO
        tail = "" if margin >= 0 else " Needed whatever else is done, but not enough by itself."
        return Option(
            "settings",
            title,
            status,
            "",
            what + predicted + tail,
            predicted_charger_rssi_dbm=site.model_now,
            margin_db=margin,
            error_db=site.model_error_db,
            setting_changes=changes,
        )
    current = site.current_dbm
    margin = current - GOOD_DBM
    if site.coverage_good:
        effect = (
            f" The 2.4 GHz signal is already good ({current:.1f} dBm, a margin of {margin:+.1f} dB over -65 dBm), "
            "so this alone is the fix."
        )
        return Option(
            "settings",
            title,
            ALTERNATIVE,
            "",
            what + effect,
            predicted_charger_rssi_dbm=current,
            margin_db=margin,
            error_db=site.baseline_error_db,
            setting_changes=changes,
        )
    effect = (
        f" Do it as well as the fix below: a setting adds no signal strength, and the charger gets "
        f"{current:.1f} dBm, {-margin:.1f} dB short of -65 dBm."
    )
    return Option("settings", title, ALSO, "", what + effect, setting_changes=changes)


def _router_power(site: _Site) -> Option:
    title = "Raise the router's 2.4 GHz transmit power"
    model, router = site.model, site.project.router
    if site.coverage_good:
        return Option("router_power", title, NOT_NEEDED, "", "The 2.4 GHz signal at the charger is already good.")
    if router is None:
        return Option("router_power", title, REJECTED, "", "The router is not on the plan.")
    if model.source == "default":
        return Option(
            "router_power",
            title,
            REJECTED,
            "",
            "The router's 2.4 GHz transmit power is not known (nothing was fitted to its samples and none "
            "is entered), so what raising it gains cannot be judged.",
        )
    region = _region(site.project)
    legal = TX_POWER_CAP_DBM[region]
    cap = min(legal, LINK_BALANCE_EIRP_DBM)
    cal = model.calibration
    eirp, how = model.router_eirp_dbm, model.words
    if model.source == "eirp_fitted" and cal is not None:
        # The EIRP-only fit folds the fall-off with distance into the power; the full fit
        # (exponent fitted too) is the better estimate of what the router radiates.
        eirp, how = cal.eirp_dbm, "fitted with the path-loss exponent"
    gain = cap - eirp
    law = "ETSI EN 300 328: 20 dBm EIRP in the EU" if region == "EU" else "FCC 15.247: 36 dBm EIRP in the US"
    basis = (
        f"the router radiates about {eirp:.1f} dBm EIRP ({how}); the most worth running is "
        f"{cap:.1f} dBm, the lower of the legal cap ({law}) and ~{LINK_BALANCE_EIRP_DBM:.0f} dBm, where the "
        "router would be louder than the charger can answer (a link is as good as its weaker direction)"
    )
    if cal is not None and (
        abs(cal.eirp_exponent_correlation) >= 0.8 or any("eirp" in group for group in cal.unseparated)
    ):
        basis += (
            f". From one access point its power and the fall-off with distance are hard to tell apart "
            f"(correlation {cal.eirp_exponent_correlation:.2f}), so the gain is an estimate"
        )
    if gain < MIN_POWER_GAIN_DB:
        return Option("router_power", title, REJECTED, "", f"Nothing to gain on 2.4 GHz: {basis}.")
    after = site.baseline + gain
    margin = after - K_SIGMA * site.baseline_error_db - GOOD_DBM
    change = SettingChange(
        "tx_power",
        f"raise the router's 2.4 GHz transmit power to {cap:.0f} dBm EIRP (often 'Transmit power: 100 %')",
        False,
        int(round(cap)),
    )
    conditions = (
        "Assumes the router is not at its maximum already (check its 2.4 GHz transmit-power setting): "
        "the fitted power includes the laptop's own antenna, so it is an estimate.",
    )
    text = (
        f"{basis[0].upper()}{basis[1:]}. Raising it by {gain:.1f} dB gives {after:.1f} dBm at the charger; "
        f"{_margin_words(margin, site.baseline_error_db, 'estimate')}."
    )
    status = ALTERNATIVE if margin >= 0 else REJECTED
    return Option(
        "router_power",
        title,
        status,
        "",
        text,
        predicted_charger_rssi_dbm=after,
        margin_db=margin,
        error_db=site.baseline_error_db,
        setting_changes=(change,),
        conditions=conditions,
        eirp_dbm=cap if status == ALTERNATIVE else None,
    )


def _move_router(site: _Site) -> Option:
    title = "Move the router"
    router, model = site.project.router, site.model
    if site.coverage_good:
        return Option("move_router", title, NOT_NEEDED, "$", "The 2.4 GHz signal at the charger is already good.")
    if router is None:
        return Option(
            "move_router", title, REJECTED, "$", "The router is not on the plan, so moving it cannot be judged."
        )
    spots = site.spots.xy_m
    same = np.ones(len(spots), dtype=bool)
    if site.spots.room is not None:
        # Within its own room: through a wall is a new cable run, not a move.
        home = site_rooms(site.project).nearest_room_index((router.x_m, router.y_m), DEVICE_REACH_M)
        same = site.spots.room == home
    near = spots[same & _near(spots, (router.x_m, router.y_m), ROUTER_MOVE_RADIUS_M)] if len(spots) else spots
    if len(near) == 0:
        return Option("move_router", title, REJECTED, "$", "No sensible spot in the router's room within 3 m of it.")
    router_xy = (router.x_m, router.y_m)
    moved = model.rssi_dbm(site.charger_xy, model.router_eirp_dbm, near)
    i = int(np.argmax(moved))
    # Correct the model's absolute error with what was measured: apply only the change of the
    # router's own path (other transmitters on the plan stay where they are).
    gain = float(moved[i] - model.rssi_dbm(site.charger_xy, model.router_eirp_dbm, [router_xy])[0])
    after = float(site.baseline + gain)
    margin = after - K_SIGMA * site.model_error_db - GOOD_DBM
    xy = (float(near[i][0]), float(near[i][1]))
    words = (
        f"Moving the router up to 3 m, to this spot in {site.place(xy) or 'the building'}, changes the 2.4 GHz "
        f"signal at the charger by {gain:+.1f} dB to {after:.1f} dBm; {_margin_words(margin, site.model_error_db)}."
    )
    conditions = (
        "The router keeps its power, mains outlet and the line from the ISP (a longer cable); set on a "
        "shelf, not on the floor or in a cabinet.",
    )
    if margin >= 0:
        return Option(
            "move_router",
            title,
            ALTERNATIVE,
            "$",
            words,
            xy_m=xy,
            predicted_charger_rssi_dbm=after,
            device_kind=DeviceKind.ROUTER,
            eirp_dbm=model.router_eirp_dbm,
            margin_db=margin,
            error_db=site.model_error_db,
            place=site.place(xy),
            conditions=conditions,
        )
    return Option(
        "move_router",
        title,
        REJECTED,
        "$",
        words,
        xy_m=xy,
        predicted_charger_rssi_dbm=after,
        margin_db=margin,
        error_db=site.model_error_db,
        place=site.place(xy),
    )


# -- mesh nodes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kit:
    band: str
    name: str
    words: str


TRI_BAND = _Kit("5", "tri-band kit", "a dedicated 5 GHz backhaul radio")
DUAL_BAND = _Kit("2.4", "dual-band kit", "a 2.4 GHz backhaul")


def _kit_hop(site: _Site, kit: _Kit, points: np.ndarray):
    """(backhaul dBm at each point from the kit's main unit at the router, its EIRP, the model used)."""
    router = site.placed_router
    if kit.band == "5":
        model = site.model.at_5ghz()
        eirp = BACKHAUL_5GHZ_EIRP_DBM + site.model.site_bias_db
    else:
        model, eirp = site.model, site.new_eirp
    return model.rssi_dbm((router.x_m, router.y_m), eirp, points), eirp


def _kit_conditions(site: _Site, kit: _Kit, xy, outlet: bool, outdoor: bool) -> tuple[str, ...]:
    if kit.band == "5":
        band = (
            f"Backhaul: 5 GHz ({kit.words}; main unit beside the router, wired to it, {BACKHAUL_5GHZ_EIRP_DBM:.0f} "
            "dBm EIRP). Walls at 5.2-5.8 GHz from ITU-R P.2040-3, scaled from the survey's 2.4 GHz losses "
            "(not measured at 5 GHz)."
        )
    else:
        band = (
            "Backhaul: 2.4 GHz on the charger's own channel (main unit beside the router, wired to it, "
            f"{site.eirp_words}): every frame to the charger crosses the air twice, which halves its "
            "airtime, like a repeater. A charger's few kbit/s live with that; a tri-band kit would not need it."
        )
    if outdoor:
        mount = (
            "Mounting and power: an outdoor-rated (IP65) mesh node on the outside wall, 2-3 m up, powered by PoE "
            "from indoors or a weatherproof outlet."
        )
    else:
        where = site.place(xy) or "the building"
        mount = f"Mounting and power: indoors in {where}, on a shelf or the wall 1-2 m up, " + (
            "at a marked outlet." if outlet else "within reach of a wall outlet (none marked here: check)."
        )
    return (band, mount)


def _best_kit_spot(site: _Site, kit: _Kit, points: np.ndarray, coverage_dbm: np.ndarray, outlet_mask: np.ndarray):
    backhaul, eirp = _kit_hop(site, kit, points)
    error = site.model_error_db
    back_margin = backhaul - K_SIGMA * error - BACKHAUL_MIN_DBM
    cover_margin = coverage_dbm - K_SIGMA * error - GOOD_DBM
    score = np.minimum(back_margin, cover_margin)
    i = _pick(score, outlet_mask)
    return i, float(backhaul[i]), float(score[i])


def _mesh_option(
    site: _Site,
    kind: str,
    title: str,
    cost: str,
    points: np.ndarray,
    coverage_dbm: np.ndarray,
    outlet_mask: np.ndarray,
    outdoor: bool,
) -> Option:
    error = site.model_error_db
    tried: list[tuple[Option, float]] = []  # (the kit's option, its margin dB)
    for kit in (TRI_BAND, DUAL_BAND):
        i, backhaul, margin = _best_kit_spot(site, kit, points, coverage_dbm, outlet_mask)
        xy = (float(points[i][0]), float(points[i][1]))
        cover = float(coverage_dbm[i])
        after = site.with_existing(cover)
        line = (
            f"{kit.name[0].upper()}{kit.name[1:]} ({kit.band} GHz backhaul): router to node {backhaul:.1f} dBm "
            f"(needs {BACKHAUL_MIN_DBM:.0f}), node to charger {cover:.1f} dBm on 2.4 GHz (needs -65); "
            f"{_margin_words(margin, error)}."
        )
        option = Option(
            kind,
            title,
            ALTERNATIVE if margin >= 0 else REJECTED,
            cost,
            line,
            xy_m=xy,
            predicted_charger_rssi_dbm=after,
            backhaul_rssi_dbm=backhaul,
            margin_db=margin,
            error_db=error,
            backhaul_band=kit.band,
            outdoor=outdoor,
            place=site.place(xy),
            eirp_dbm=site.new_eirp,
            conditions=_kit_conditions(site, kit, xy, bool(outlet_mask[i]), outdoor),
        )
        if margin >= 0:
            if tried:  # the tri-band kit failed: say why the dual-band one is offered instead
                failed = tried[0][0].reason
                option = replace(option, reason=f"{option.reason} (A {failed[0].lower()}{failed[1:]})")
            return replace(option, device_kind=DeviceKind.MESH_NODE)
        tried.append((option, margin))
    best = max(tried, key=lambda tried_kit: tried_kit[1])[0]
    other = next(o for o, _margin in tried if o is not best)
    return replace(
        best,
        reason=f"{best.reason} {other.reason} The walls between router and charger are too lossy "
        "for a wireless hop from here.",
    )


def _mesh(site: _Site) -> Option:
    title = "Mesh node"
    if site.coverage_good:
        return Option("mesh_node", title, NOT_NEEDED, "$$", "The 2.4 GHz signal at the charger is already good.")
    if site.project.router is None:
        return Option(
            "mesh_node",
            title,
            REJECTED,
            "$$",
            "The router is not on the plan: a mesh node's backhaul cannot be predicted.",
        )
    if len(site.spots) == 0:
        return Option("mesh_node", title, REJECTED, "$$", "No sensible mounting spot inside the building.")
    option = _mesh_option(site, "mesh_node", title, "$$", site.spots.xy_m, site.coverage_dbm, site.outlet_mask, False)
    if not site.spots.footprint:
        option = replace(
            option,
            conditions=option.conditions
            + (
                "The walls on the plan do not close into rooms, so 'inside' is the walls' box: "
                "close the outline to keep spots indoors.",
            ),
        )
    return option


def _outdoor_mesh(site: _Site) -> Option:
    title = "Outdoor mesh node"
    if site.coverage_good:
        return Option(
            "outdoor_mesh_node", title, NOT_NEEDED, "$$$", "The 2.4 GHz signal at the charger is already good."
        )
    spots = candidate_spots(site.project, site.model.walls_xy_m, CANDIDATE_STEP_M, outdoor=True)
    if len(spots) == 0:
        return Option("outdoor_mesh_node", title, REJECTED, "$$$", "No outside wall to mount a node on.")
    coverage = site.model.rssi_dbm(site.charger_xy, site.new_eirp, spots.xy_m) - site.offset_db
    return _mesh_option(
        site, "outdoor_mesh_node", title, "$$$", spots.xy_m, coverage, np.zeros(len(spots), dtype=bool), True
    )


def _free_space_5ghz_dbm(distance_m: np.ndarray) -> np.ndarray:
    fspl = 20.0 * np.log10(4.0 * np.pi * np.maximum(distance_m, 1.0) * BRIDGE_FREQ_MHZ * 1e6 / SPEED_OF_LIGHT_M_S)
    return BRIDGE_EIRP_DBM + BRIDGE_RX_GAIN_DBI - fspl


def _bridge(site: _Site) -> Option:
    title = "Point-to-point bridge to an access point in the garage"
    if site.coverage_good:
        return Option("bridge", title, NOT_NEEDED, "$$$", "The 2.4 GHz signal at the charger is already good.")
    project, router = site.project, site.placed_router
    outside = candidate_spots(project, site.model.walls_xy_m, CANDIDATE_STEP_M, outdoor=True)
    rooms = site_rooms(project)
    home, garage = (
        rooms.building_at([(router.x_m, router.y_m)])[0],
        rooms.nearest_room_index(site.charger_xy, DEVICE_REACH_M),
    )
    garage_building = rooms.rooms[garage].building if garage >= 0 else -1
    # Which building each outside spot hangs on: the building of the indoor spot nearest to it.
    indoor = site.spots
    if len(outside) == 0 or len(indoor) == 0 or garage_building < 0:
        return Option("bridge", title, REJECTED, "$$$", "No outside walls facing each other to mount a bridge on.")
    from scipy.spatial import cKDTree

    _d, idx = cKDTree(indoor.xy_m).query(outside.xy_m)
    on = indoor.building[idx]
    house_ends, garage_ends = outside.xy_m[on == home], outside.xy_m[on == garage_building]
    if len(house_ends) == 0 or len(garage_ends) == 0:
        return Option("bridge", title, REJECTED, "$$$", "No outside walls facing each other to mount a bridge on.")
    # The facing walls: the ends closest to the other building (a handful each is plenty).
    house_ends = house_ends[np.argsort(cKDTree(garage_ends).query(house_ends)[0])[:12]]
    garage_ends = garage_ends[np.argsort(cKDTree(house_ends).query(garage_ends)[0])[:12]]
    best = None
    walls = site.model.walls_xy_m
    for h in house_ends:
        clear = ~wall_crossings(h, walls, garage_ends).any(axis=1) if len(walls) else np.ones(len(garage_ends), bool)
        if not clear.any():
            continue
        d = np.hypot(*(garage_ends - h).T)
        d = np.where(clear, d, np.inf)
        j = int(np.argmin(d))
        if best is None or d[j] < best[2]:
            best = (h, garage_ends[j], float(d[j]))
    if best is None:
        return Option(
            "bridge",
            title,
            REJECTED,
            "$$$",
            "No clear line of sight between the outside walls of the house and the garage on the plan.",
            outdoor=True,
        )
    h, g, dist = best
    link = float(_free_space_5ghz_dbm(np.array([dist]))[0])
    error = site.model_error_db
    link_margin = link - K_SIGMA * error - BACKHAUL_MIN_DBM
    in_garage = indoor.building == garage_building
    ap_idx = np.flatnonzero(in_garage)
    j = ap_idx[_pick(site.coverage_dbm[ap_idx], site.outlet_mask[ap_idx])]
    cover = float(site.coverage_dbm[j])
    cover_margin = cover - K_SIGMA * error - GOOD_DBM
    margin = min(link_margin, cover_margin)
    xy = (float(indoor.xy_m[j][0]), float(indoor.xy_m[j][1]))
    text = (
        f"A 5 GHz bridge over {dist:.1f} m of open air between the outside walls ({BRIDGE_EIRP_DBM:.0f} dBm EIRP, "
        f"{BRIDGE_RX_GAIN_DBI:.0f} dBi antennas, free space at {BRIDGE_FREQ_MHZ / 1000:.1f} GHz): {link:.1f} dBm "
        f"(needs {BACKHAUL_MIN_DBM:.0f}); its access point in {site.place(xy)} gives {cover:.1f} dBm on 2.4 GHz "
        f"at the charger (needs -65); {_margin_words(margin, error)}."
    )
    status = ALTERNATIVE if margin >= 0 else REJECTED
    return Option(
        "bridge",
        title,
        status,
        "$$$",
        text,
        xy_m=xy,
        predicted_charger_rssi_dbm=site.with_existing(cover),
        device_kind=DeviceKind.WIRED_AP if status == ALTERNATIVE else None,
        eirp_dbm=site.new_eirp,
        backhaul_rssi_dbm=link,
        margin_db=margin,
        error_db=error,
        backhaul_band="5",
        outdoor=True,
        place=site.place(xy),
        conditions=BRIDGE_CONDITIONS,
        link_xy_m=((float(h[0]), float(h[1])), (float(g[0]), float(g[1]))),
    )


# -- wired and Powerline access points --------------------------------------------------------


def _in_charger_building(site: _Site) -> np.ndarray:
    spots = site.spots
    if not spots.footprint or len(spots) == 0:
        return np.ones(len(spots), dtype=bool)
    rooms = site_rooms(site.project)
    room = rooms.nearest_room_index(site.charger_xy, DEVICE_REACH_M)
    if room < 0:
        return np.ones(len(spots), dtype=bool)
    return spots.building == rooms.rooms[room].building


def _best_near(site: _Site, xy, radius_m: float, allowed: np.ndarray | None = None) -> int | None:
    points = site.spots.xy_m
    if len(points) == 0:
        return None
    allowed = np.ones(len(points), dtype=bool) if allowed is None else allowed
    mask = allowed & _near(points, xy, radius_m)
    if not mask.any():
        # Nothing that close (e.g. a charger drawn in the middle of the floor): take the
        # nearest mountable spots, up to 1 m further than the nearest one.
        d = np.where(allowed, np.hypot(points[:, 0] - xy[0], points[:, 1] - xy[1]), np.inf)
        if not np.isfinite(d).any():
            return None
        mask = allowed & (d <= float(np.min(d)) + 1.0)
    idx = np.flatnonzero(mask)
    return int(idx[_pick(site.coverage_dbm[idx], site.outlet_mask[idx])])


def _ap_verdict(site: _Site, i: int) -> tuple[float, float, float, str]:
    cover = float(site.coverage_dbm[i])
    margin = cover - K_SIGMA * site.model_error_db - GOOD_DBM
    return cover, site.with_existing(cover), margin, _margin_words(margin, site.model_error_db)


def _wired(site: _Site) -> Option:
    title = "Wired access point"
    if site.coverage_good:
        return Option("wired_ap", title, NOT_NEEDED, "$$", "The 2.4 GHz signal at the charger is already good.")
    project = site.project
    drops = project.devices_of(DeviceKind.ETHERNET_DROP)
    can_run = bool(project.settings.get(ETHERNET_SETTING, False))
    if not drops and not can_run:
        return Option(
            "wired_ap",
            title,
            REJECTED,
            "$$",
            "No Ethernet drop is marked and no cable run is allowed: mark a drop on the plan, "
            "or tick 'Ethernet can be run to the garage' if Cat6 can be pulled.",
        )
    best = None
    rooms = site_rooms(project)
    for drop in drops:
        same = None
        if site.spots.footprint:
            same = site.spots.building == rooms.building_at([(drop.x_m, drop.y_m)])[0]
        i = _best_near(site, (drop.x_m, drop.y_m), NEAR_DEVICE_RADIUS_M, same)
        if i is not None and (best is None or site.coverage_dbm[i] > site.coverage_dbm[best[0]]):
            best = (i, "$$", f"patch-cabled to the Ethernet drop {drop.label or ''}".rstrip())
    if can_run:
        i = _best_near(site, site.charger_xy, NEAR_DEVICE_RADIUS_M, _in_charger_building(site))
        if i is not None and (best is None or site.coverage_dbm[i] > site.coverage_dbm[best[0]] + 3.0):
            best = (i, "$$$", "on a new Cat6 run near the charger")
    if best is None:
        return Option("wired_ap", title, REJECTED, "$$", "No sensible mounting spot indoors near the Ethernet drop.")
    i, cost, how = best
    cover, after, margin, margin_text = _ap_verdict(site, i)
    xy = (float(site.spots.xy_m[i][0]), float(site.spots.xy_m[i][1]))
    status = ALTERNATIVE if margin >= 0 else REJECTED
    conditions = (
        "Backhaul: wired (Ethernet), nothing relayed over the air; an access point, or a mesh node with "
        f"its Ethernet backhaul, at {site.eirp_words} on 2.4 GHz.",
        f"Mounting and power: indoors in {site.place(xy) or 'the building'}, on the wall 1-2 m up, PoE from "
        "the switch or a power adapter at an outlet.",
    )
    return Option(
        "wired_ap",
        title,
        status,
        cost,
        f"An access point {how} gives {cover:.1f} dBm on 2.4 GHz at the charger (needs -65); {margin_text}.",
        xy_m=xy,
        predicted_charger_rssi_dbm=after,
        margin_db=margin,
        error_db=site.model_error_db,
        device_kind=DeviceKind.WIRED_AP if status == ALTERNATIVE else None,
        eirp_dbm=site.new_eirp,
        backhaul_band="wired",
        place=site.place(xy),
        conditions=conditions,
    )


def _powerline(site: _Site) -> Option:
    title = "Powerline-fed access point"
    if site.coverage_good:
        return Option(
            "powerline_ap",
            title,
            NOT_NEEDED,
            "$$",
            "The 2.4 GHz signal at the charger is already good.",
            conditions=POWERLINE_CONDITIONS,
        )
    project = site.project
    allowed = _in_charger_building(site)
    if site.spots.room is not None:
        # The charger's own room first: an outlet in the garage beats one in the house.
        room = site_rooms(project).nearest_room_index(site.charger_xy, DEVICE_REACH_M)
        own = allowed & (site.spots.room == room)
        if (own & site.outlet_mask).any() or not (allowed & site.outlet_mask).any():
            allowed = own if own.any() else allowed
    at_outlet = allowed & site.outlet_mask
    i: int | None
    outlet_note: tuple[str, ...]
    if at_outlet.any():
        idx = np.flatnonzero(at_outlet)
        i = int(idx[int(np.argmax(site.coverage_dbm[idx]))])
        where = "at the marked outlet"
        outlet_note = ()
    else:
        i = _best_near(site, site.charger_xy, NEAR_DEVICE_RADIUS_M, allowed)
        where = "near the charger"
        outlet_note = (
            "No outlet is marked near the charger: this assumes a wall outlet at that spot; mark the one "
            "the adapter will use.",
        )
    if i is None:
        return Option(
            "powerline_ap",
            title,
            REJECTED,
            "$$",
            "No sensible spot indoors near the charger.",
            conditions=POWERLINE_CONDITIONS,
        )
    cover, after, margin, margin_text = _ap_verdict(site, i)
    xy = (float(site.spots.xy_m[i][0]), float(site.spots.xy_m[i][1]))
    panels = project.devices_of(DeviceKind.PANEL)
    panel_note: tuple[str, ...] = ()
    rooms = site_rooms(project)
    if panels and rooms.closed:
        buildings = set(int(b) for b in rooms.building_at([(p.x_m, p.y_m) for p in panels]))
        if len(buildings) > 1:
            panel_note = (
                "The garage has its own (sub-)panel: a Powerline link across panels often fails; test the "
                "pair's link rate before mounting.",
            )
    conditions = (
        (
            f"Backhaul: Powerline (HomePlug AV2) over the mains; the access point at {site.eirp_words} on 2.4 GHz.",
            f"Mounting and power: the access point indoors in {site.place(xy) or 'the building'}, on the wall "
            "1-2 m up beside the outlet its Powerline adapter plugs into.",
        )
        + POWERLINE_CONDITIONS
        + outlet_note
        + panel_note
    )
    text = (
        f"A HomePlug AV2 pair feeding a 2.4 GHz access point {where} in {site.place(xy) or 'the building'} gives "
        f"{cover:.1f} dBm at the charger (needs -65), with no Ethernet and no wireless hop; {margin_text}."
    )
    status = ALTERNATIVE if margin >= 0 else REJECTED
    return Option(
        "powerline_ap",
        title,
        status,
        "$$",
        text,
        xy_m=xy,
        predicted_charger_rssi_dbm=after,
        device_kind=DeviceKind.POWERLINE_AP if status == ALTERNATIVE else None,
        eirp_dbm=site.new_eirp,
        margin_db=margin,
        error_db=site.model_error_db,
        backhaul_band="powerline",
        place=site.place(xy),
        conditions=conditions,
    )
