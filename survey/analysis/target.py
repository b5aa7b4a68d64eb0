"""Which observations belong to the network the charger will join, and the RSSI per sample.

The charger has a 2.4 GHz-only radio, so only 2.4 GHz BSSs of the target count for
coverage; 5/6 GHz BSSs of the same SSID matter only for findings (band steering).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from survey.project.model import (
    SAME_SPOT_M,
    Observation,
    Project,
    Sample,
    Survey,
    TargetNetwork,
    mean_dbm,
)
from survey.rf.channels import is_24ghz, observation_band

#: RSSI used for a sample where the target was not heard at all. Dropping such samples
#: would bias the map upward exactly where coverage is worst; -95 dBm sits just above
#: the 802.11b 1 Mb/s sensitivity of common IoT chipsets (ESP32 datasheet: -98 dBm),
#: i.e. "at the edge of hearing at best".
NOT_HEARD_DBM = -95.0


def describe_network(group: Sequence[Observation]) -> tuple[str, str]:
    """(bands, security) of an SSID's BSSs, e.g. ("2.4 + 5 GHz", "WPA2-PSK / WPA3-SAE")."""
    bands = sorted({b for b in (observation_band(o) for o in group) if b}, key=float)
    auths = sorted({a for o in group for a in o.auth})
    return (" + ".join(bands) + " GHz" if bands else "band unknown"), (" / ".join(auths) or "unknown")


@dataclass(frozen=True)
class ResolvedTarget:
    """The target network and how it was decided (``assumed`` when the project had none)."""

    network: TargetNetwork | None
    assumed: bool
    reason: str


def sample_observations(sample: Sample) -> tuple[Observation, ...]:
    """``sample.observations`` (merged in mW over its scans, computed once per sample)."""
    return sample.observations


def survey_observations(survey: Survey | None) -> tuple[Observation, ...]:
    """Every observation of a survey, all samples together."""
    if survey is None:
        return ()
    return tuple(obs for sample in survey.samples for obs in sample_observations(sample))


def strongest_per_bssid(observations) -> tuple[Observation, ...]:
    """One observation per BSS (the strongest reading), for survey-wide findings."""
    best: dict[tuple, Observation] = {}
    for obs in observations:
        key = (obs.bssid,) if obs.bssid else ("", obs.ssid, obs.channel, obs.freq_mhz)
        current = best.get(key)
        if current is None or (obs.rssi_dbm or -999.0) > (current.rssi_dbm or -999.0):
            best[key] = obs
    return tuple(best.values())


#: The last project resolved and its target (weak reference, result). A project is a frozen
#: value, so the answer for the same object never changes: the live map's worker resolves
#: it, and the window reading it for the same project then costs nothing (unset on a
#: 5,000-sample survey it walks ~150,000 observations, ~60 ms).
_last_resolved: tuple[weakref.ref, ResolvedTarget] | None = None


def project_target(project: Project) -> ResolvedTarget:
    """The target network of the whole project: the one rule every view, the CLI and the PDF use.

    The project's target; otherwise the router's BSSIDs; otherwise the strongest SSID heard.
    Resolved over the observations of every survey, so Before and After (and the report
    that compares them) map the same network even when the project has no target set.
    """
    global _last_resolved
    last = _last_resolved  # one read: another thread may replace it meanwhile
    if last is not None and last[0]() is project:
        return last[1]
    resolved = _resolve(project)
    _last_resolved = (weakref.ref(project), resolved)
    return resolved


def _resolve(project: Project) -> ResolvedTarget:
    if project.target is not None and (project.target.ssid or project.target.bssids):
        return ResolvedTarget(project.target, False, "set in the project")
    observations = [obs for survey in project.surveys for obs in survey_observations(survey)]
    router = project.router
    if router is not None and router.bssids:
        ssids = {o.ssid for o in observations if o.bssid in router.bssids and o.ssid}
        ssid = sorted(ssids)[0] if ssids else ""
        return ResolvedTarget(
            TargetNetwork(ssid=ssid, bssids=tuple(router.bssids)), True, "not set; assumed the router's BSSIDs"
        )
    totals: dict[str, float] = {}
    for obs in observations:
        if obs.ssid and obs.rssi_dbm is not None:
            totals[obs.ssid] = max(totals.get(obs.ssid, -999.0), obs.rssi_dbm)
    if not totals:
        return ResolvedTarget(None, True, "not set and no named network was heard")
    ssid = max(totals, key=lambda s: totals[s])
    return ResolvedTarget(
        TargetNetwork(ssid=ssid), True, "not set; assumed the strongest network heard (set it in the project)"
    )


def target_rssi_at_sample(sample: Sample, target: TargetNetwork) -> float | None:
    """Best 2.4 GHz RSSI of the target at one sample (the charger joins the best BSS); None if not heard."""
    values = [
        o.rssi_dbm for o in sample_observations(sample) if o.rssi_dbm is not None and target.matches(o) and is_24ghz(o)
    ]
    return max(values) if values else None


def target_samples(survey: Survey | None, target: TargetNetwork | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xy_m (N,2), rssi_dbm (N,), heard (N,) bool) of the target over a survey's samples.

    Repeated samples at the same spot are averaged in mW (DESIGN: average power, not dBm).
    """
    if survey is None or target is None or not survey.samples:
        return np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=bool)
    groups: dict[tuple[float, float], list[float]] = {}
    heard_any: dict[tuple[float, float], bool] = {}
    for sample in survey.samples:
        if not sample.scans:
            continue  # a link test stored without a Wi-Fi scan says nothing about the signal
        key = (round(sample.x_m / SAME_SPOT_M), round(sample.y_m / SAME_SPOT_M))
        best_dbm = target_rssi_at_sample(sample, target)
        groups.setdefault(key, []).append(NOT_HEARD_DBM if best_dbm is None else best_dbm)
        heard_any[key] = heard_any.get(key, False) or best_dbm is not None
    xy = np.array(list(groups.keys()), dtype=float).reshape(-1, 2) * SAME_SPOT_M
    rssi = np.array([mean_dbm(vals) for vals in groups.values()])
    heard = np.array([heard_any[k] for k in groups.keys()], dtype=bool)
    return xy, rssi, heard
