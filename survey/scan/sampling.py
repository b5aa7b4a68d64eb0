"""The sampling workflow: which scans may become a sample, and the sample they become (Qt-free).

Every way a sample enters a project goes through here: a click of the Survey tool
(:mod:`survey.ui.survey_controller`), a continuous walk, ``evsurvey simulate`` and the demo
(:func:`survey.simulate.walk_survey`), and saved scanner output (``evsurvey import`` and a
file dropped on the plan, :mod:`survey.scan.saved`). So the rules are written once:

* a scan is accepted only when it is fresh, recent and heard at least one network
  (:func:`scan_problem`); a spot where nothing at all is heard is refused once (a scanner
  whose radio is off also hears nothing) and saved as a dead spot when the installer
  retries there (``nothing_heard_ok``); the simulated walk saves it at once (its radio
  field is the truth);
* stop-and-go: the scans taken at one spot make one point sample (:func:`accept_point`);
* continuous walk: a scan's position is its mid-time placed on the polyline of clicked
  waypoints, interpolating linearly in time between the two clicks that bracket it (the
  installer is told to walk at a steady pace between clicks) (:func:`place_walk_scans`);
* features that must finish first (a link test still measuring) hold the next sample
  (:func:`first_hold`).

The GUI keeps only the Qt adapter: signals, timers and the thread the scanner runs in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from survey.errors import EvSurveyError
from survey.project.model import Sample, SampleMode, ScanResult, merge_observations

#: A scan whose newest reading is older than this (s) is stale: the OS handed back a
#: cached list instead of scanning (NetworkManager rate-limits rescans to one per ~10 s
#: and Windows returns its last list), so it does not describe this spot.
STALE_SCAN_S = 30.0


class ScanRefused(EvSurveyError):
    """These scans must not become a sample; the message says why and to retry."""


class NothingHeard(ScanRefused):
    """Fresh scans that heard no network at all: a dead spot, or a radio that is off."""


NOTHING_HEARD = (
    "the scan found no networks at all. If Wi-Fi is on (adapter enabled, no airplane mode), "
    "press Retry: a second scan that hears nothing here is saved as a dead spot (nothing heard)"
)


def scan_problem(
    scans: Sequence[ScanResult], now: float, max_age_s: float | None = STALE_SCAN_S, nothing_heard_ok: bool = False
) -> str | None:
    """Why these scans must not become a sample (none, cached, stale or empty), or None.

    ``now`` is epoch seconds; ``max_age_s`` the age (s) of the newest reading past which a
    scan is stale, None to skip the age check (saved files are old by nature: they are
    timed by when they were saved, not by when they are imported). ``nothing_heard_ok``
    accepts fresh scans that heard nothing (a dead spot, confirmed by a retry).
    """
    if not scans:
        return "the scanner returned no scan; retry"
    for scan in scans:
        if not scan.fresh:
            return (
                "the scanner returned cached results instead of a fresh scan (the OS limits how often "
                "it rescans); wait a few seconds and retry"
            )
        seen = [o.last_seen for o in scan.observations if o.last_seen]
        if max_age_s is not None and seen and now - max(seen) > max_age_s:
            return f"the newest reading is {now - max(seen):.0f} s old (stale); retry"
    if not nothing_heard_ok and not merge_observations(scans):
        return NOTHING_HEARD
    return None


def accept_point(
    scans: Sequence[ScanResult],
    xy_m: tuple[float, float],
    now: float,
    max_age_s: float | None = STALE_SCAN_S,
    nothing_heard_ok: bool = False,
) -> Sample:
    """The point sample at ``xy_m`` (site metres) holding every scan taken there, timed by
    the last scan's end; raises :class:`ScanRefused` when :func:`scan_problem` finds one
    (:class:`NothingHeard` when the only problem is that nothing was heard)."""
    scans = tuple(scans)
    problem = scan_problem(scans, now, max_age_s, nothing_heard_ok)
    if problem:
        raise NothingHeard(problem) if problem == NOTHING_HEARD else ScanRefused(problem)
    return Sample(
        x_m=float(xy_m[0]),
        y_m=float(xy_m[1]),
        taken_at=max(s.finished_at for s in scans),
        scans=scans,
        mode=SampleMode.POINT,
    )


# -- continuous walk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Waypoint:
    """A click during a continuous walk: where (site metres) and when (epoch seconds)."""

    x_m: float
    y_m: float
    at: float


def scan_mid_time(started_at: float, finished_at: float) -> float:
    """The moment a scan stands for: half-way between its start and end (epoch seconds)."""
    return 0.5 * (started_at + finished_at)


def place_along_path(waypoints: Sequence[Waypoint], times_s) -> np.ndarray:
    """Positions (N, 2) in site metres for epoch times ``times_s`` on the walked path.

    Times before the first click or after the last one are clamped to the path's ends;
    waypoints must be in click order (their ``at`` non-decreasing). A single waypoint
    places everything on it.
    """
    times = np.atleast_1d(np.asarray(times_s, dtype=float))
    if not waypoints:
        raise ValueError("a walk needs at least one waypoint")
    at = np.array([w.at for w in waypoints], dtype=float)
    if np.any(np.diff(at) < 0):
        raise ValueError("waypoints must be in the order they were clicked")
    xs = np.array([w.x_m for w in waypoints], dtype=float)
    ys = np.array([w.y_m for w in waypoints], dtype=float)
    # np.interp clamps outside [at[0], at[-1]] and handles repeated times (double clicks)
    # by taking the later point, which is what a stop at a turn means.
    return np.column_stack([np.interp(times, at, xs), np.interp(times, at, ys)])


@dataclass(frozen=True)
class WalkPlacement:
    """What a walk's buffered scans became: ``samples`` to save (in scan order), scans
    still ``waiting`` for the path beyond the last click, and how many were ``dropped``
    (outside the clicked path, or refused by :func:`scan_problem`)."""

    samples: tuple[Sample, ...]
    waiting: tuple[ScanResult, ...]
    dropped: int


def place_walk_scans(
    waypoints: Sequence[Waypoint], scans: Iterable[ScanResult], now: float, final: bool = False
) -> WalkPlacement:
    """Turn every scan whose mid-time lies on the clicked path so far into a walk sample.

    Until the walk is ``final`` a scan after the last click waits (its stretch of path is
    not clicked yet); once final it is dropped like one before the first click. ``now`` is
    epoch seconds, for the staleness check. Fewer than two waypoints: nothing is placed yet.
    """
    scans = tuple(scans)
    if len(waypoints) < 2 or not scans:
        return WalkPlacement((), scans, 0)
    start, end = waypoints[0].at, waypoints[-1].at
    waiting, on_path, dropped = [], [], 0
    for scan in scans:
        mid = scan_mid_time(scan.started_at, scan.finished_at)
        if mid > end and not final:
            waiting.append(scan)
        elif mid < start or mid > end or scan_problem((scan,), now):
            dropped += 1
        else:
            on_path.append((mid, scan))
    samples: tuple[Sample, ...] = ()
    if on_path:
        xy = place_along_path(waypoints, [mid for mid, _ in on_path])
        samples = tuple(
            Sample(float(x), float(y), mid, (scan,), SampleMode.WALK)
            for (x, y), (mid, scan) in zip(xy, on_path, strict=True)
        )
    return WalkPlacement(samples, tuple(waiting), dropped)


@dataclass(frozen=True)
class Walk:
    """A continuous walk: the waypoints clicked so far (in click order), the scans not placed
    yet, and whether the last click has been made. Each step returns the walk after it.

    ``Walk()`` is no walk yet; :meth:`ended` is a walk whose samples are all saved.
    """

    waypoints: tuple[Waypoint, ...] = ()
    scans: tuple[ScanResult, ...] = ()
    finished: bool = False

    @property
    def walking(self) -> bool:
        """Started and not finished: a click is a turn of this walk."""
        return bool(self.waypoints) and not self.finished

    @classmethod
    def start(cls, x_m: float, y_m: float, at: float) -> Walk:
        """A walk starting at (x_m, y_m) site metres at epoch time ``at``."""
        return cls((Waypoint(x_m, y_m, at),))

    def turn(self, x_m: float, y_m: float, at: float) -> Walk:
        """The walk with one more clicked waypoint."""
        return replace(self, waypoints=self.waypoints + (Waypoint(x_m, y_m, at),))

    def heard(self, scan: ScanResult) -> Walk:
        """The walk with one more scan waiting to be placed."""
        return replace(self, scans=self.scans + (scan,))

    def finish(self, at: float) -> Walk:
        """The walk ended at its last click; a walk of one click stood there until ``at``."""
        waypoints = self.waypoints
        if len(waypoints) == 1:
            waypoints += (replace(waypoints[0], at=at),)
        return replace(self, waypoints=waypoints, finished=True)

    def place(self, now: float, final: bool = False) -> tuple[Walk, WalkPlacement]:
        """:func:`place_walk_scans` of this walk's scans, and the walk left with those waiting."""
        placement = place_walk_scans(self.waypoints, self.scans, now, final)
        return replace(self, scans=placement.waiting), placement

    @classmethod
    def ended(cls) -> Walk:
        return cls(finished=True)


# -- what holds the next sample ------------------------------------------------------------------


def first_hold(holds: Iterable[Callable[[], str]]) -> str:
    """Why the next sample must wait, from features that can hold sampling up (each says why
    in words, or "" when it does not hold it): the first reason, or "" to go ahead."""
    return next((reason for reason in (hold() for hold in holds) if reason), "")
