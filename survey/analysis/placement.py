"""Where to put the fix: the remediation ladder, computed on the site model.

Order (DESIGN "Field facts", the order a good installer thinks of them):
1 nothing needed; 2 change channel or move the router; 3 a mesh node; 4 a wired access
point; 5 a Powerline pair feeding a 2.4 GHz access point; never a repeater. The first
viable rung is chosen; every other rung keeps the reason it was not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from survey.analysis.radio import DEFAULT_EIRP_DBM, RadioModel, coverage_with
from survey.analysis.verdict import GOOD, GOOD_DBM, UNKNOWN, Verdict, round_db
from survey.project.model import DeviceKind, Project

#: Grid pitch of candidate spots. The brief allows 0.25-0.5 m; 0.5 m keeps the whole
#: recommendation inside its 250 ms budget and is finer than where a node can really be
#: mounted (studs, outlets).
CANDIDATE_STEP_M = 0.5
#: Keep devices off the wall itself (cabling, the wall's own shadow) but close enough to be
#: mounted on it or set on a shelf against it: spots 0.3-1.0 m from the nearest wall.
MIN_WALL_CLEARANCE_M = 0.3
MOUNTING_REACH_M = 1.0
#: A mesh backhaul link needs what a good client link needs: -67 dBm is the common design
#: minimum for reliable real-time Wi-Fi (Cisco Voice over WLAN design guide: cell edge
#: -67 dBm), used here as the minimum router-to-node signal.
BACKHAUL_MIN_DBM = -67.0
#: The router usually stays near where the ISP line enters; moving it further is rewiring.
ROUTER_MOVE_RADIUS_M = 3.0
#: A patch cable from an existing drop, or the reach of a Powerline adapter from the panel's outlets.
NEAR_DEVICE_RADIUS_M = 3.0
#: Spots within this of a marked outlet are preferred (a node needs power).
OUTLET_RADIUS_M = 1.5
#: Among spots whose score is within this of the best, prefer one near an outlet.
OUTLET_PREFERENCE_DB = 1.0

CHOSEN, ALTERNATIVE, REJECTED, NOT_NEEDED = "chosen", "alternative", "rejected", "not_needed"
#: ``Option.status`` in the words people read (the GUI, the CLI and the PDF).
STATUS_WORDS = {CHOSEN: "recommended", ALTERNATIVE: "alternative", REJECTED: "not suitable",
                NOT_NEEDED: "not needed"}

#: Planned devices get the EIRP of a typical router (see radio.DEFAULT_EIRP_DBM), lowered by
#: the site's measured bias (RadioModel.site_bias_db).
NEW_DEVICE_EIRP_DBM = DEFAULT_EIRP_DBM

REPEATER_REASON = (
    "Never a repeater: a single-radio repeater receives and re-sends every frame on the same "
    "channel, which halves the airtime, adds latency, and it sits where the signal is already "
    "weak; the charger's WebSocket sees the drops. A mesh node with a proper backhaul or a wired "
    "access point fixes coverage without those costs.")

POWERLINE_CONDITIONS = (
    "Both adapters on the same electrical panel, ideally the same phase (Powerline signals cross "
    "phases and sub-panels badly).",
    "Plug the adapters straight into wall outlets: surge-protected strips and UPSs filter the signal.",
    "A HomePlug AV2 pair; set the access point's 2.4 GHz SSID and password the same as the main network "
    "(or a separate IoT SSID), 20 MHz, channel 1, 6 or 11.",
)


@dataclass(frozen=True)
class Option:
    """One rung of the ladder.

    ``predicted_charger_rssi_dbm`` is what the charger would get after the change
    (reception offset already subtracted); ``xy_m`` where the device goes (None if nothing
    is placed); ``device_kind`` the planned device it would add.
    """

    kind: str  # nothing | channel_or_move | mesh_node | wired_ap | powerline_ap | repeater
    title: str
    status: str  # chosen | alternative | rejected | not_needed
    cost_class: str  # "", "$", "$$", "$$$"
    reason: str
    xy_m: tuple[float, float] | None = None
    predicted_charger_rssi_dbm: float | None = None
    device_kind: DeviceKind | None = None
    eirp_dbm: float | None = None
    conditions: tuple[str, ...] = ()
    backhaul_rssi_dbm: float | None = None

    @property
    def viable(self) -> bool:
        return self.status in (CHOSEN, ALTERNATIVE)

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "title": self.title, "status": self.status, "cost_class": self.cost_class,
            "reason": self.reason,
            "xy_m": None if self.xy_m is None else [round(self.xy_m[0], 2), round(self.xy_m[1], 2)],
            "predicted_charger_rssi_dbm": None if self.predicted_charger_rssi_dbm is None
            else round(self.predicted_charger_rssi_dbm, 1),
            "backhaul_rssi_dbm": None if self.backhaul_rssi_dbm is None else round(self.backhaul_rssi_dbm, 1),
            "device_kind": None if self.device_kind is None else self.device_kind.value,
            "eirp_dbm": self.eirp_dbm, "conditions": list(self.conditions),
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
    """The box the walls enclose (devices can go inside the building only); the plan without walls."""
    if project.walls:
        xs = [v for w in project.walls for v in (w.x1_m, w.x2_m)]
        ys = [v for w in project.walls for v in (w.y1_m, w.y2_m)]
        return min(xs), min(ys), max(xs), max(ys)
    return project.extent_m()


def candidate_spots(project: Project, walls_xy_m: np.ndarray, step_m: float = CANDIDATE_STEP_M) -> np.ndarray:
    """Sensible device spots (M, 2): inside the building, 0.3-1.0 m from a wall.

    Staying within 1 m of a wall keeps spots off a garage's car bays (the open floor away
    from the walls) and where a node can be mounted or set on a shelf.
    """
    x0, y0, x1, y1 = building_extent_m(project)
    xs = np.arange(x0 + step_m / 2, x1, step_m)
    ys = np.arange(y0 + step_m / 2, y1, step_m)
    if len(xs) == 0 or len(ys) == 0:
        return np.zeros((0, 2))
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    if len(walls_xy_m) == 0:
        return points
    d = distance_to_segments_m(points, walls_xy_m)
    return points[(d >= MIN_WALL_CLEARANCE_M) & (d <= MOUNTING_REACH_M)]


def _near(points: np.ndarray, xy, radius_m: float) -> np.ndarray:
    return np.hypot(points[:, 0] - xy[0], points[:, 1] - xy[1]) <= radius_m


def _pick(points: np.ndarray, score: np.ndarray, outlet_mask: np.ndarray) -> int:
    """Index of the best spot; an outlet spot wins if it is within 1 dB of the best."""
    best = int(np.argmax(score))
    near_best = (score >= score[best] - OUTLET_PREFERENCE_DB) & outlet_mask
    if near_best.any() and not outlet_mask[best]:
        idx = np.flatnonzero(near_best)
        return int(idx[np.argmax(score[idx])])
    return best


# -- the ladder -------------------------------------------------------------------------------

def build_ladder(project: Project, model: RadioModel, verdict: Verdict, offset_db: float,
                 channel_advice: str | None = None, *, step_m: float = CANDIDATE_STEP_M) -> tuple[Option, ...]:
    """The ordered remediation options for ``project`` given its verdict and site model."""
    charger = project.charger
    router = project.router
    current = verdict.rssi_at_charger_dbm
    good = verdict.status == GOOD
    options: list[Option] = []

    if verdict.status == UNKNOWN or current is None:
        nothing = Option("nothing", "Nothing needed", REJECTED, "", "No verdict yet: " + verdict.explanation)
    elif good:
        nothing = Option("nothing", "Nothing needed", CHOSEN, "",
                         f"The charger gets {current:.1f} dBm, {current - GOOD_DBM:+.0f} dB above -65 dBm."
                         + (f" {channel_advice}" if channel_advice else ""),
                         predicted_charger_rssi_dbm=current)
    else:
        nothing = Option("nothing", "Nothing needed", REJECTED, "",
                         f"The charger gets {current:.1f} dBm, {current - GOOD_DBM:.0f} dB short of -65 dBm.")
    options.append(nothing)

    spots = candidate_spots(project, model.walls_xy_m, step_m) if charger is not None else np.zeros((0, 2))
    outlets = project.devices_of(DeviceKind.OUTLET)
    outlet_mask = np.zeros(len(spots), dtype=bool)
    for outlet in outlets:
        outlet_mask |= _near(spots, (outlet.x_m, outlet.y_m), OUTLET_RADIUS_M)

    if charger is None:
        for kind, title, cost in (("channel_or_move", "Change channel or move the router", "$"),
                                  ("mesh_node", "Mesh node", "$$"), ("wired_ap", "Wired access point", "$$"),
                                  ("powerline_ap", "Powerline-fed access point", "$$")):
            options.append(Option(kind, title, REJECTED, cost, "Place the charger on the plan first."))
        options.append(Option("repeater", "Repeater / extender", REJECTED, "$", REPEATER_REASON))
        return tuple(options)

    charger_xy = (charger.x_m, charger.y_m)
    # What the charger would hear from a new device at each spot (reciprocity: one map from the charger).
    new_eirp = NEW_DEVICE_EIRP_DBM + model.site_bias_db
    coverage_dbm = (model.rssi_dbm(charger_xy, new_eirp, spots) - offset_db) if len(spots) else np.zeros(0)
    # The model's value at the charger for the existing router, to carry its bias into "after" numbers.
    model_now = None
    if router is not None:
        model_now = float(coverage_with(model, project, (), [charger_xy])[0]) - offset_db
    baseline = current if current is not None else model_now

    def with_existing(new_dbm: float) -> float:
        # The charger joins whichever BSS of the network is strongest.
        return max(new_dbm, baseline) if baseline is not None else new_dbm

    options.append(_move_router(project, model, spots, offset_db, charger_xy, baseline, model_now,
                                channel_advice, good))
    options.append(_mesh(project, model, spots, coverage_dbm, outlet_mask, with_existing, good, new_eirp))
    options.append(_wired(project, spots, coverage_dbm, outlet_mask, with_existing, charger_xy, good, new_eirp))
    options.append(_powerline(project, spots, coverage_dbm, outlet_mask, with_existing, charger_xy, good, new_eirp))
    options.append(Option("repeater", "Repeater / extender", REJECTED, "$", REPEATER_REASON))

    # The first viable rung below "nothing" is the recommendation; later viable rungs are
    # alternatives. Without a verdict nothing is chosen: a fix for an unknown problem is a guess.
    if verdict.status not in (GOOD, UNKNOWN):
        chosen_done = False
        final = []
        for opt in options:
            if opt.status == ALTERNATIVE and not chosen_done:
                opt = replace(opt, status=CHOSEN)
                chosen_done = True
            final.append(opt)
        options = final
    # Every number an option prints is the rounded one its JSON carries (0.1 dB).
    return tuple(replace(o, predicted_charger_rssi_dbm=round_db(o.predicted_charger_rssi_dbm),
                         backhaul_rssi_dbm=round_db(o.backhaul_rssi_dbm)) for o in options)


def _move_router(project, model, spots, offset_db, charger_xy, baseline, model_now, channel_advice, good) -> Option:
    title = "Change channel or move the router"
    router = project.router
    if good:
        return Option("channel_or_move", title, NOT_NEEDED, "$",
                      "Coverage is already good." + (f" {channel_advice}" if channel_advice else ""))
    if router is None:
        return Option("channel_or_move", title, REJECTED, "$",
                      "The router is not on the plan, so moving it cannot be judged." +
                      (f" {channel_advice}" if channel_advice else ""))
    near = spots[_near(spots, (router.x_m, router.y_m), ROUTER_MOVE_RADIUS_M)] if len(spots) else spots
    if len(near) == 0:
        return Option("channel_or_move", title, REJECTED, "$",
                      "No sensible spot within 3 m of the router to move it to." +
                      (f" {channel_advice}" if channel_advice else ""))
    moved = model.rssi_dbm(charger_xy, model.router_eirp_dbm, near) - offset_db
    i = int(np.argmax(moved))
    # Correct the model's absolute error with what was measured: apply only the change.
    after = float(baseline + (moved[i] - model_now)) if baseline is not None else float(moved[i])
    gain = after - (baseline if baseline is not None else after)
    channel_note = f" {channel_advice}" if channel_advice else " A channel change does not add signal strength."
    if after >= GOOD_DBM:
        return Option("channel_or_move", title, ALTERNATIVE, "$",
                      f"Moving the router up to 3 m to this spot gains {gain:.0f} dB and reaches {after:.1f} dBm "
                      f"at the charger.{channel_note}",
                      xy_m=(float(near[i][0]), float(near[i][1])), predicted_charger_rssi_dbm=after,
                      device_kind=DeviceKind.ROUTER, eirp_dbm=model.router_eirp_dbm)
    return Option("channel_or_move", title, REJECTED, "$",
                  f"The best spot within 3 m of the router gives only {after:.1f} dBm at the charger "
                  f"({gain:+.0f} dB).{channel_note}",
                  xy_m=(float(near[i][0]), float(near[i][1])), predicted_charger_rssi_dbm=after)


def _mesh(project, model, spots, coverage_dbm, outlet_mask, with_existing, good, new_eirp) -> Option:
    title = "Mesh node"
    router = project.router
    if good:
        return Option("mesh_node", title, NOT_NEEDED, "$$", "Coverage is already good.")
    if router is None:
        return Option("mesh_node", title, REJECTED, "$$",
                      "The router is not on the plan: a mesh node's backhaul cannot be predicted.")
    if len(spots) == 0:
        return Option("mesh_node", title, REJECTED, "$$", "No sensible mounting spot inside the building.")
    backhaul_dbm = model.rssi_dbm((router.x_m, router.y_m), model.router_eirp_dbm, spots)
    score = np.minimum(backhaul_dbm - BACKHAUL_MIN_DBM, coverage_dbm - GOOD_DBM)
    i = _pick(spots, score, outlet_mask)
    xy = (float(spots[i][0]), float(spots[i][1]))
    after = with_existing(float(coverage_dbm[i]))
    if score[i] >= 0:
        return Option("mesh_node", title, ALTERNATIVE, "$$",
                      f"The spot that balances the wireless hop and the coverage best: router to node {backhaul_dbm[i]:.1f} dBm "
                      f"(needs {BACKHAUL_MIN_DBM:.0f}), node to charger {coverage_dbm[i]:.1f} dBm (needs -65)."
                      + (" Near a marked outlet." if outlet_mask[i] else ""),
                      xy_m=xy, predicted_charger_rssi_dbm=after, device_kind=DeviceKind.MESH_NODE,
                      eirp_dbm=new_eirp, backhaul_rssi_dbm=float(backhaul_dbm[i]))
    return Option("mesh_node", title, REJECTED, "$$",
                  f"No spot gives both a usable backhaul and coverage: the best compromise has router to node "
                  f"{backhaul_dbm[i]:.1f} dBm and node to charger {coverage_dbm[i]:.1f} dBm "
                  f"({-score[i]:.0f} dB short). The walls between router and charger are too lossy for a wireless hop.",
                  xy_m=xy, predicted_charger_rssi_dbm=after, backhaul_rssi_dbm=float(backhaul_dbm[i]))


def _best_near(spots, coverage_dbm, outlet_mask, xy, radius_m):
    if len(spots) == 0:
        return None
    mask = _near(spots, xy, radius_m)
    if not mask.any():
        # Nothing that close (e.g. a charger drawn in the middle of the floor): take the
        # nearest mountable spots, up to 1 m further than the nearest one.
        nearest_m = float(np.min(np.hypot(spots[:, 0] - xy[0], spots[:, 1] - xy[1])))
        mask = _near(spots, xy, nearest_m + 1.0)
    idx = np.flatnonzero(mask)
    j = _pick(spots[idx], coverage_dbm[idx], outlet_mask[idx])
    return int(idx[j])


def _wired(project, spots, coverage_dbm, outlet_mask, with_existing, charger_xy, good, new_eirp) -> Option:
    title = "Wired access point"
    if good:
        return Option("wired_ap", title, NOT_NEEDED, "$$", "Coverage is already good.")
    drops = project.devices_of(DeviceKind.ETHERNET_DROP)
    can_run = bool(project.settings.get("ethernet_can_be_run", False))
    if not drops and not can_run:
        return Option("wired_ap", title, REJECTED, "$$",
                      "No Ethernet drop is marked and no cable run is allowed: mark a drop on the plan, "
                      "or tick 'Ethernet can be run to the garage' if Cat6 can be pulled.")
    best = None
    for drop in drops:
        i = _best_near(spots, coverage_dbm, outlet_mask, (drop.x_m, drop.y_m), NEAR_DEVICE_RADIUS_M)
        if i is not None and (best is None or coverage_dbm[i] > coverage_dbm[best[0]]):
            best = (i, "$$", f"patch-cabled to the Ethernet drop {drop.label or ''}".rstrip())
    if can_run:
        i = _best_near(spots, coverage_dbm, outlet_mask, charger_xy, NEAR_DEVICE_RADIUS_M)
        if i is not None and (best is None or coverage_dbm[i] > coverage_dbm[best[0]] + 3.0):
            best = (i, "$$$", "on a new Cat6 run near the charger")
    if best is None:
        return Option("wired_ap", title, REJECTED, "$$", "No sensible mounting spot near the Ethernet drop.")
    i, cost, how = best
    after = with_existing(float(coverage_dbm[i]))
    xy = (float(spots[i][0]), float(spots[i][1]))
    status = ALTERNATIVE if after >= GOOD_DBM else REJECTED
    verb = "reaches" if status == ALTERNATIVE else "only reaches"
    return Option("wired_ap", title, status, cost,
                  f"An access point {how} {verb} {after:.1f} dBm at the charger. A wired backhaul has no "
                  "wireless hop to lose.", xy_m=xy, predicted_charger_rssi_dbm=after,
                  device_kind=DeviceKind.WIRED_AP if status == ALTERNATIVE else None, eirp_dbm=new_eirp)


def _powerline(project, spots, coverage_dbm, outlet_mask, with_existing, charger_xy, good, new_eirp) -> Option:
    title = "Powerline-fed access point"
    if good:
        return Option("powerline_ap", title, NOT_NEEDED, "$$", "Coverage is already good.",
                      conditions=POWERLINE_CONDITIONS)
    panels = project.devices_of(DeviceKind.PANEL)
    anchor = (panels[0].x_m, panels[0].y_m) if panels else charger_xy
    where = "near the electrical panel" if panels else "near the charger (no panel marked: check it is on the same panel)"
    i = _best_near(spots, coverage_dbm, outlet_mask, anchor, NEAR_DEVICE_RADIUS_M)
    if i is None:
        return Option("powerline_ap", title, REJECTED, "$$", f"No sensible spot {where}.",
                      conditions=POWERLINE_CONDITIONS)
    after = with_existing(float(coverage_dbm[i]))
    xy = (float(spots[i][0]), float(spots[i][1]))
    if after >= GOOD_DBM:
        return Option("powerline_ap", title, ALTERNATIVE, "$$",
                      f"A HomePlug AV2 pair feeding a 2.4 GHz access point {where} gives {after:.1f} dBm at the "
                      "charger, with no Ethernet and no wireless hop.", xy_m=xy, predicted_charger_rssi_dbm=after,
                      device_kind=DeviceKind.POWERLINE_AP, eirp_dbm=new_eirp,
                      conditions=POWERLINE_CONDITIONS)
    return Option("powerline_ap", title, REJECTED, "$$",
                  f"An access point {where} would give only {after:.1f} dBm at the charger.",
                  xy_m=xy, predicted_charger_rssi_dbm=after, conditions=POWERLINE_CONDITIONS)
