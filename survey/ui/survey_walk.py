"""Continuous-walk placement: where was the laptop when a scan finished? (Qt-free)

During a continuous walk the installer clicks the start, every turn and the end while
walking at a steady pace; scans run back to back meanwhile. A scan's position is its
mid-time placed on the polyline of clicked waypoints, interpolating linearly in time
between the two waypoint clicks that bracket it (steady pace between clicks is the
assumption the installer is told to honour).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Waypoint:
    """A click during a continuous walk: where (site metres) and when (epoch seconds)."""

    x_m: float
    y_m: float
    at: float


def scan_mid_time(started_at: float, finished_at: float) -> float:
    """The moment a scan stands for: half-way between its start and end (epoch seconds)."""
    return 0.5 * (started_at + finished_at)


def place_along_path(waypoints: list[Waypoint] | tuple[Waypoint, ...], times_s) -> np.ndarray:
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
