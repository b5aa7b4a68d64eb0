"""The verdict at the charger's mounting point: GOOD / MARGINAL / POOR, the margin in dB and
how sure the estimate is.

The verdict does not fit anything of its own: it reads the survey's one target heatmap and
the survey's one radio model (both made by :mod:`survey.analysis.survey_analysis`), so the
number it prints is the number every map, the CLI and the PDF show.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from survey.analysis.thresholds import GOOD, GOOD_DBM, MARGINAL, PACKET_LOSS_DBM, POOR, UNKNOWN, classify
from survey.project.model import ChargerProfile
from survey.rf.interpolation.heatmap import DEGENERATE_SPREAD_DB

log = logging.getLogger(__name__)

#: A sample this close to the charger is "measured there" (a step either way).
MEASURED_RADIUS_M = 1.0
#: Interpolation is trusted up to this distance from the nearest sample; beyond it the
#: thin-plate/kriging surface is extrapolating and the wall model knows more.
INTERPOLATION_RADIUS_M = 3.0
#: A leave-one-out error computed over values this close together says nothing about the
#: map (every sample the same, e.g. all at the "not heard" stand-in): the heatmap's own
#: rule (survey.rf.interpolation), so the map and the verdict never disagree on it.
MIN_VALUE_SPREAD_DB = DEGENERATE_SPREAD_DB


def round_db(value: float | None) -> float | None:
    """A dB/dBm value as people see it: 0.1 dB. The verdict is classified on this rounded
    value, so the words never disagree with the number printed next to them."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def _rounded_db(value: float) -> float:
    """:func:`round_db` of a value that is a number by construction (a sample's, a fitted
    map's or the model's estimate, or a reading ``charger_reading_setting`` checked), dB."""
    rounded = round_db(value)
    if rounded is None:
        raise ValueError(f"an estimate at the charger is not a finite number: {value!r}")
    return rounded


#: ``Estimate.method`` in the words people read.
ESTIMATE_WORDS = {"measured_nearest": "nearest measurement", "interpolated": "signal map", "model": "wall model"}


@dataclass(frozen=True)
class Estimate:
    """One estimate of the target's RSSI at the charger, as the laptop would read it.

    ``method`` is the machine name (JSON); ``words`` how it is said to people.
    """

    method: str  # "measured_nearest" | "interpolated" | "model"
    rssi_dbm: float
    error_db: float | None  # LOO RMSE of the method, where known
    words: str

    def to_json(self) -> dict:
        return {
            "method": self.method,
            "rssi_dbm": round_db(self.rssi_dbm),
            "error_db": round_db(self.error_db),
            "words": self.words,
        }


@dataclass(frozen=True)
class ModelEstimate:
    """The radio model's value at the charger (laptop view) and how it was made."""

    rssi_dbm: float
    calibrated: bool
    error_db: float | None
    words: str


@dataclass(frozen=True)
class ChargerReading:
    """The RSSI the charger itself reports at its mounting point (its app, Home Assistant,
    OCPP diagnostics), entered by the installer, and the laptop's estimate at the same spot
    in the survey it was read during: their difference is this site's reception offset.

    ``laptop_dbm`` None: the reading belongs to the survey being judged (its own estimate
    is used); ``survey`` names the survey it was read in ("" when not recorded).
    """

    rssi_dbm: float
    survey: str = ""
    laptop_dbm: float | None = None


#: Where the verdict's reception offset came from (JSON values).
OFFSET_FROM_PROFILE, OFFSET_FROM_SITE, OFFSET_FROM_READING = "profile", "site", "charger_reading"


@dataclass(frozen=True)
class Verdict:
    """The verdict. ``rssi_at_charger_dbm`` already has the profile's reception offset
    subtracted and is rounded to 0.1 dB (:func:`round_db`)."""

    status: str  # GOOD | MARGINAL | POOR | UNKNOWN
    rssi_at_charger_dbm: float | None
    margin_db: float | None  # to -65 dBm; negative = short of the target
    estimates: tuple[Estimate, ...]
    chosen_method: str | None
    reception_offset_db: float
    nearest_sample_m: float | None
    confidence: str  # "high" | "medium" | "low"
    explanation: str
    #: How the chosen estimate was made, in plain words ("smoothed from 52 points").
    method_words: str = ""
    #: The link measured at the charger ("4 % loss, p95 180 ms"), "" when none was.
    link_words: str = ""
    #: The charger's own reading that set the offset, if one was entered (dBm).
    charger_reading_dbm: float | None = None
    #: "profile" | "site" (entered for this site) | "charger_reading".
    offset_source: str = OFFSET_FROM_PROFILE

    @property
    def chosen(self) -> Estimate | None:
        return next((e for e in self.estimates if e.method == self.chosen_method), None)

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "rssi_at_charger_dbm": self.rssi_at_charger_dbm,
            "margin_db": self.margin_db,
            "good_dbm": GOOD_DBM,
            "packet_loss_dbm": PACKET_LOSS_DBM,
            "chosen_method": self.chosen_method,
            "method_words": self.method_words,
            "reception_offset_db": self.reception_offset_db,
            "offset_source": self.offset_source,
            "charger_reading_dbm": self.charger_reading_dbm,
            "nearest_sample_m": None if self.nearest_sample_m is None else round(self.nearest_sample_m, 2),
            "confidence": self.confidence,
            "link_at_charger": self.link_words or None,
            "estimates": [e.to_json() for e in self.estimates],
            "explanation": self.explanation,
        }


def estimates_at(
    point_xy_m, xy_m: np.ndarray, rssi_dbm: np.ndarray, heatmap, heatmap_words: str, model: ModelEstimate | None
) -> tuple[list[Estimate], float | None]:
    """Every estimate of the target's RSSI at ``point_xy_m`` and the nearest-sample distance (m)."""
    point = np.asarray(point_xy_m, dtype=float).reshape(1, 2)
    estimates: list[Estimate] = []
    nearest = None
    if len(rssi_dbm):
        dist = np.hypot(*(xy_m - point).T)
        i = int(np.argmin(dist))
        nearest = float(dist[i])
        estimates.append(Estimate("measured_nearest", float(rssi_dbm[i]), None, f"the sample {nearest:.1f} m away"))
        if heatmap is not None:
            value = float(np.asarray(heatmap.predict(point)).reshape(-1)[0])
            loo = float(heatmap.loo_rmse_db)
            estimates.append(Estimate("interpolated", value, loo if math.isfinite(loo) else None, heatmap_words))
    if model is not None:
        estimates.append(Estimate("model", model.rssi_dbm, model.error_db, model.words))
    return estimates, nearest


def _choose(estimates: list[Estimate], nearest: float | None, model: ModelEstimate | None) -> Estimate | None:
    by = {e.method: e for e in estimates}
    if "measured_nearest" in by and nearest is not None and nearest <= MEASURED_RADIUS_M:
        return by.get("interpolated") or by["measured_nearest"]
    if "interpolated" in by and nearest is not None and nearest <= INTERPOLATION_RADIUS_M:
        return by["interpolated"]
    if "model" in by and model is not None and model.calibrated:
        return by["model"]
    return by.get("interpolated") or by.get("model") or by.get("measured_nearest")


def _confidence(chosen: Estimate, nearest: float | None, informative: bool, at_charger: float) -> str:
    """high / medium / low from the distance to the evidence, the method's own error and how
    close the value sits to a class boundary.

    ``informative`` is False when the samples cannot carry a verdict: the target was never
    heard on 2.4 GHz, or every value is the same so the leave-one-out error is void. A value
    within its own error of -65 or -75 dBm could be either class: never "high" then.
    """
    if not informative:
        return "low"
    err = chosen.error_db
    if (
        chosen.method != "model"
        and nearest is not None
        and nearest <= MEASURED_RADIUS_M
        and (err is None or err <= 4.0)
    ):
        boundary_db = min(abs(at_charger - GOOD_DBM), abs(at_charger - PACKET_LOSS_DBM))
        return "high" if err is None or boundary_db >= err else "medium"
    if (nearest is not None and nearest <= INTERPOLATION_RADIUS_M and (err is None or err <= 6.0)) or (
        chosen.method == "model" and err is not None and err <= 5.0
    ):
        return "medium"
    return "low"


#: Verdict levels from best to worst (a measured link can only make a verdict worse).
_SEVERITY = {GOOD: 0, MARGINAL: 1, POOR: 2}


def verdict_at_charger(
    charger_xy_m,
    xy_m,
    rssi_dbm,
    profile: ChargerProfile,
    *,
    heatmap=None,
    heatmap_words: str = "",
    model: ModelEstimate | None = None,
    heard_any: bool = True,
    reading: ChargerReading | None = None,
    offset_source: str = OFFSET_FROM_PROFILE,
    heard=None,
    link=None,
) -> Verdict:
    """The verdict at the charger from the survey's target samples, its heatmap and its model.

    ``rssi_dbm`` are laptop readings; the reception offset is subtracted before comparing
    with -65 dBm (good) and -75 dBm (packet loss): the profile's (or the one entered for the
    site, ``offset_source`` "site"), unless the charger's own ``reading`` sets it: then the
    offset is the laptop's estimate at the charger (in the reading's survey) minus the
    reading. ``heard_any``: whether any sample heard the target on 2.4 GHz; ``heard`` (N,)
    which samples did (the others carry the "not heard" stand-in). ``link``: the link test
    measured at the charger (a :class:`survey.netcheck.linktest_verdict.LinkAssessment`):
    the signal is a proxy, the measured loss and latency are the link itself, so they can
    only lower the verdict.
    """
    offset = float(profile.reception_offset_db)
    if charger_xy_m is None:
        return Verdict(
            UNKNOWN,
            None,
            None,
            (),
            None,
            offset,
            None,
            "low",
            "Place the charger's mounting point on the plan to get a verdict.",
        )
    xy = np.asarray(xy_m, float).reshape(-1, 2)
    rssi = np.asarray(rssi_dbm, float).reshape(-1)
    estimates, nearest = estimates_at(charger_xy_m, xy, rssi, heatmap, heatmap_words, model)
    chosen = _choose(estimates, nearest, model)
    if chosen is None:
        return Verdict(
            UNKNOWN,
            None,
            None,
            tuple(estimates),
            None,
            offset,
            nearest,
            "low",
            "No samples of the target network and no router on the plan: survey first.",
        )
    reading_note = ""
    if reading is not None and heard_any:
        laptop = chosen.rssi_dbm if reading.laptop_dbm is None else reading.laptop_dbm
        offset = _rounded_db(laptop - reading.rssi_dbm)
        offset_source = OFFSET_FROM_READING
        where = f" during the survey {reading.survey!r}" if reading.survey else ""
        reading_note = (
            f" The charger itself reported {reading.rssi_dbm:.1f} dBm at its mounting point{where}, "
            f"where the laptop read {laptop:.1f} dBm: that sets this site's reception offset to "
            f"{offset:.1f} dB."
        )
    at_charger = _rounded_db(chosen.rssi_dbm - offset)
    status = classify(at_charger)
    spread = float(np.ptp(rssi)) if len(rssi) else 0.0
    informative = heard_any and (chosen.method == "model" or len(rssi) < 2 or spread >= MIN_VALUE_SPREAD_DB)
    unheard_here = False
    if heard is not None and len(rssi) and chosen.method != "model":
        near = np.hypot(*(xy - np.asarray(charger_xy_m, float).reshape(1, 2)).T) <= max(
            MEASURED_RADIUS_M, nearest or 0.0
        )
        unheard_here = bool(near.any() and not np.asarray(heard, bool)[near].any())
    if reading is not None and reading.laptop_dbm is None and heard_any:
        confidence = "high"  # the charger measured it there itself
    else:
        confidence = _confidence(chosen, nearest, informative, at_charger)
        if unheard_here and confidence == "high":
            confidence = "medium"  # POOR for sure, but the number is the stand-in
    margin = round_db(at_charger - GOOD_DBM)
    words = {GOOD: "reliable", MARGINAL: "usable but with little reserve", POOR: "will drop packets"}[status]
    explanation = (
        f"{chosen.rssi_dbm:.1f} dBm at the charger ({chosen.words}) minus {offset:.1f} dB reception "
        f"offset = {at_charger:.1f} dBm: {words} ({margin:+.1f} dB to the -65 dBm target)."
    ) + reading_note
    if not heard_any:
        explanation += (
            " The target network was not heard on 2.4 GHz at any sample: this value is the "
            "'not heard' stand-in, not a measurement."
        )
    elif unheard_here:
        explanation += (
            " The network was not heard at the samples nearest the charger: it is weaker than the "
            "laptop can hear there, and the number is the 'not heard' stand-in."
        )
    link_words = ""
    if link is not None and link.level in _SEVERITY:
        link_words = link.words
        explanation += f" Measured at the charger: {link.words} ({link.level.lower()} for the charger's link)."
        if _SEVERITY[link.level] > _SEVERITY[status]:
            status = link.level
            explanation += " The measured link sets the verdict: " + " ".join(link.reasons)
    return Verdict(
        status,
        at_charger,
        margin,
        tuple(estimates),
        chosen.method,
        offset,
        nearest,
        confidence,
        explanation,
        method_words=chosen.words,
        link_words=link_words,
        charger_reading_dbm=None if reading is None else reading.rssi_dbm,
        offset_source=offset_source,
    )
