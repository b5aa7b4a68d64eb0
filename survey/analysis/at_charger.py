"""What is heard at the charger point: one observation per BSS from the samples taken there,
and the 2.4 GHz channel the charger's network uses there."""

from __future__ import annotations

import numpy as np

from survey.project.model import Device, Observation, Survey, TargetNetwork, merge_observations
from survey.rf.channels import is_24ghz, observation_channel

#: Samples within this distance of the charger point make up "what is heard at the charger".
#: One step either way (the verdict's "measured there" radius is 1 m); 1.5 m keeps a
#: sample taken beside a car parked in front of the charger.
AT_CHARGER_RADIUS_M = 1.5


def observations_at_charger(survey: Survey | None, charger: Device | None) -> tuple[Observation, ...]:
    """One observation per BSS heard at the ``charger`` point (samples within
    :data:`AT_CHARGER_RADIUS_M`, else the nearest sample; the whole survey without a
    charger), merged in mW."""
    if survey is None or not survey.samples:
        return ()
    if charger is None:
        chosen = list(survey.samples)
    else:
        d = np.array([np.hypot(s.x_m - charger.x_m, s.y_m - charger.y_m) for s in survey.samples])
        near = [s for s, dist in zip(survey.samples, d, strict=True) if dist <= AT_CHARGER_RADIUS_M]
        chosen = near or [survey.samples[int(np.argmin(d))]]
    scans = [scan for s in chosen for scan in s.scans]
    return merge_observations(scans) if scans else ()


def channel_at_charger(observed, target: TargetNetwork | None) -> int | None:
    """The 2.4 GHz channel of the strongest ``target`` BSS among ``observed`` (what is heard at
    the charger point; None if not heard). The survey-wide channel is
    :func:`survey.analysis.survey_analysis.target_channel`."""
    mine = [o for o in observed if target is not None and target.matches(o) and is_24ghz(o)]
    return observation_channel(max(mine, key=lambda o: o.rssi_dbm or -999)) if mine else None
