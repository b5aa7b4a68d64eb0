"""The verdict at the charger's mounting point: GOOD / MARGINAL / POOR, the margin in dB and
how sure the estimate is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from survey.analysis.radio import RadioModel
from survey.analysis.thresholds import GOOD, GOOD_DBM, MARGINAL, PACKET_LOSS_DBM, POOR, UNKNOWN, classify
from survey.project.model import ChargerProfile
from survey.rf.interpolation import fit_heatmap

log = logging.getLogger(__name__)

#: A sample this close to the charger is "measured there" (a step either way).
MEASURED_RADIUS_M = 1.0
#: Interpolation is trusted up to this distance from the nearest sample; beyond it the
#: thin-plate/kriging surface is extrapolating and the wall model knows more.
INTERPOLATION_RADIUS_M = 3.0

#: Interpolators tried for the verdict when the caller has no heatmap of its own. The GP's
#: hyperparameter search took ~0.7 s on 80 samples on the 2-core target machine, which alone
#: breaks the 250 ms budget of the whole recommendation; at a point within 1-3 m of samples
#: the thin-plate spline agreed with the GP within 1 dB on the constructed test sites. The
#: GUI passes its own (GP) heatmap, so the panel still shows the best estimate.
VERDICT_METHODS = ("idw", "tps")

@dataclass(frozen=True)
class Estimate:
    """One estimate of the target's RSSI at the charger, as the laptop would read it."""

    method: str  # "measured_nearest" | "interpolated" | "model"
    rssi_dbm: float
    error_db: float | None  # LOO RMSE of the method, where known
    note: str

    def to_json(self) -> dict:
        return {"method": self.method, "rssi_dbm": round(self.rssi_dbm, 1),
                "error_db": None if self.error_db is None else round(self.error_db, 1), "note": self.note}


@dataclass(frozen=True)
class Verdict:
    """The verdict. ``rssi_at_charger_dbm`` already has the profile's reception offset subtracted."""

    status: str  # GOOD | MARGINAL | POOR | UNKNOWN
    rssi_at_charger_dbm: float | None
    margin_db: float | None  # to -65 dBm; negative = short of the target
    estimates: tuple[Estimate, ...]
    chosen_method: str | None
    reception_offset_db: float
    nearest_sample_m: float | None
    confidence: str  # "high" | "medium" | "low"
    explanation: str

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "rssi_at_charger_dbm": None if self.rssi_at_charger_dbm is None else round(self.rssi_at_charger_dbm, 1),
            "margin_db": None if self.margin_db is None else round(self.margin_db, 1),
            "good_dbm": GOOD_DBM, "packet_loss_dbm": PACKET_LOSS_DBM,
            "chosen_method": self.chosen_method,
            "reception_offset_db": self.reception_offset_db,
            "nearest_sample_m": None if self.nearest_sample_m is None else round(self.nearest_sample_m, 2),
            "confidence": self.confidence,
            "estimates": [e.to_json() for e in self.estimates],
            "explanation": self.explanation,
        }


def estimate_at(point_xy_m, xy_m: np.ndarray, rssi_dbm: np.ndarray, model: RadioModel | None,
                router_xy_m=None, *, heatmap=None) -> tuple[list[Estimate], float | None]:
    """All available estimates of the target's RSSI at ``point_xy_m`` and the nearest-sample distance."""
    point = np.asarray(point_xy_m, dtype=float).reshape(1, 2)
    estimates: list[Estimate] = []
    nearest = None
    if len(rssi_dbm):
        dist = np.hypot(*(xy_m - point).T)
        i = int(np.argmin(dist))
        nearest = float(dist[i])
        estimates.append(Estimate("measured_nearest", float(rssi_dbm[i]), None,
                                  f"the sample {nearest:.1f} m away"))
        if heatmap is None and len(rssi_dbm) >= 3:
            try:
                # The site model is offered as a trend; cross-validation inside fit_heatmap
                # keeps it only where it helps (DESIGN "Interpolation").
                trend = model.trend(router_xy_m) if model is not None and router_xy_m is not None else None
                heatmap = fit_heatmap(xy_m, rssi_dbm, ap_xy_m=router_xy_m, model=trend, methods=VERDICT_METHODS)
            except Exception as exc:  # noqa: BLE001 - too few/degenerate samples: keep the other estimates
                log.info("No interpolation at the charger: %s", exc)
        if heatmap is not None:
            value = float(np.asarray(heatmap.predict(point)).reshape(-1)[0])
            estimates.append(Estimate("interpolated", value, float(heatmap.loo_rmse_db),
                                      f"{heatmap.method} over {len(rssi_dbm)} samples"))
    if model is not None and router_xy_m is not None:
        value = float(model.rssi_dbm(router_xy_m, model.router_eirp_dbm, point)[0])
        note = {"calibrated": "wall model calibrated on this survey",
                "device": "wall model, router EIRP as entered, uncalibrated",
                "eirp_fitted": "wall model, router EIRP fitted to this survey, default walls",
                "default": "wall model with default EIRP and exponent, uncalibrated"}[model.source]
        estimates.append(Estimate("model", value, model.loo_rmse_db, note))
    return estimates, nearest


def _choose(estimates: list[Estimate], nearest: float | None, model: RadioModel | None) -> Estimate | None:
    by = {e.method: e for e in estimates}
    if "measured_nearest" in by and nearest is not None and nearest <= MEASURED_RADIUS_M:
        return by.get("interpolated") or by["measured_nearest"]
    if "interpolated" in by and nearest is not None and nearest <= INTERPOLATION_RADIUS_M:
        return by["interpolated"]
    if "model" in by and model is not None and model.source == "calibrated":
        return by["model"]
    return by.get("interpolated") or by.get("model") or by.get("measured_nearest")


def _confidence(chosen: Estimate, nearest: float | None) -> str:
    err = chosen.error_db
    if chosen.method != "model" and nearest is not None and nearest <= MEASURED_RADIUS_M and (err is None or err <= 4.0):
        return "high"
    if (nearest is not None and nearest <= INTERPOLATION_RADIUS_M and (err is None or err <= 6.0)) or (
            chosen.method == "model" and err is not None and err <= 5.0):
        return "medium"
    return "low"


def verdict_at_charger(charger_xy_m, xy_m, rssi_dbm, profile: ChargerProfile, model: RadioModel | None,
                       router_xy_m=None, *, heatmap=None) -> Verdict:
    """The verdict at the charger from the target's samples and the site model.

    ``rssi_dbm`` are laptop readings; the profile's reception offset is subtracted before
    comparing with -65 dBm (good) and -75 dBm (packet loss).
    """
    offset = float(profile.reception_offset_db)
    if charger_xy_m is None:
        return Verdict(UNKNOWN, None, None, (), None, offset, None, "low",
                       "Place the charger's mounting point on the plan to get a verdict.")
    estimates, nearest = estimate_at(charger_xy_m, np.asarray(xy_m, float).reshape(-1, 2),
                                     np.asarray(rssi_dbm, float).reshape(-1), model, router_xy_m, heatmap=heatmap)
    chosen = _choose(estimates, nearest, model)
    if chosen is None:
        return Verdict(UNKNOWN, None, None, tuple(estimates), None, offset, nearest, "low",
                       "No samples of the target network and no router on the plan: survey first.")
    at_charger = chosen.rssi_dbm - offset
    status = classify(at_charger)
    confidence = _confidence(chosen, nearest)
    margin = at_charger - GOOD_DBM
    words = {GOOD: "reliable", MARGINAL: "usable but with little reserve", POOR: "will drop packets"}[status]
    explanation = (f"{chosen.rssi_dbm:.0f} dBm at the charger ({chosen.method.replace('_', ' ')}, {chosen.note}) "
                   f"minus {offset:.0f} dB reception offset = {at_charger:.0f} dBm: {words} "
                   f"({margin:+.0f} dB to the -65 dBm target).")
    return Verdict(status, at_charger, margin, tuple(estimates), chosen.method, offset, nearest, confidence, explanation)
