"""Which devices were on the plan when each survey was taken, and what changed between two.

Devices carry no timestamps, so a report could not tell that the installer added a mesh
node between "Before" and "After" (it said "no change needed" and never mentioned the
node). The GUI records the devices in the project setting :data:`SURVEY_DEVICES_SETTING`
(a JSON value: no change to the file's schema) when a survey is created and again when its
first sample is taken (the site as it was surveyed). Files written before this have no
record; :func:`change_between` then says so instead of guessing.

The record is written by :class:`survey.project.store.ProjectStore` itself (when a survey
is added and when its first sample is written), so the GUI, the demo, ``evsurvey
simulate``, saved scans and link tests all keep it. :func:`as_surveyed` gives the site as
a survey saw it: the analysis of "Before" must not change when a mesh node is installed
for "After".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from survey.project.model import Device, DeviceKind, Project, Survey

#: Project setting: {survey id (text): [device, ...]} as the devices were when it was surveyed.
SURVEY_DEVICES_SETTING = "survey_devices"
#: A transmitter moved less than this was nudged on the plan, not moved on site.
MOVED_M = 0.5


def _device_json(d: Device) -> dict:
    return {
        "id": d.id,
        "kind": d.kind.value,
        "x_m": round(d.x_m, 3),
        "y_m": round(d.y_m, 3),
        "label": d.label,
        "planned": d.planned,
        "eirp_dbm": d.eirp_dbm,
        "bssids": list(d.bssids),
    }


def _device_from_json(data: dict) -> Device | None:
    try:
        eirp = data.get("eirp_dbm")
        bssids = data.get("bssids") or ()
        device = Device(
            DeviceKind(data["kind"]),
            float(data["x_m"]),
            float(data["y_m"]),
            label=str(data.get("label", "")),
            planned=bool(data.get("planned", False)),
            eirp_dbm=None if eirp is None else float(eirp),
            bssids=tuple(str(b) for b in bssids),
            id=data.get("id"),
        )
    except (KeyError, TypeError, ValueError):
        return None  # a damaged entry is skipped, the rest of the record still counts
    numbers = (device.x_m, device.y_m) + (() if device.eirp_dbm is None else (device.eirp_dbm,))
    finite = all(math.isfinite(v) for v in numbers)
    return device if finite else None


def recorded(settings: dict, survey_id: int, devices) -> dict:
    """The setting's new value with ``devices`` recorded for ``survey_id`` (``settings``: the
    project's settings as they are)."""
    current = settings.get(SURVEY_DEVICES_SETTING)
    value = dict(current) if isinstance(current, dict) else {}
    value[str(survey_id)] = [_device_json(d) for d in devices]
    return value


def with_record(project: Project, survey_id: int) -> Project:
    """``project`` noting the devices on its plan now as the site of ``survey_id``: what
    :class:`~survey.project.store.ProjectStore` writes to the file when the survey is added
    and at its first sample, for a project held in memory beside its file."""
    settings = dict(project.settings)
    settings[SURVEY_DEVICES_SETTING] = recorded(settings, survey_id, project.devices)
    return replace(project, settings=settings)


def devices_when_surveyed(project: Project, survey: Survey) -> tuple[Device, ...] | None:
    """The devices recorded for ``survey``; None for a file that recorded none."""
    value = project.settings.get(SURVEY_DEVICES_SETTING)
    entry = value.get(str(survey.id)) if isinstance(value, dict) and survey.id is not None else None
    if not isinstance(entry, list):
        return None
    return tuple(d for d in (_device_from_json(e) for e in entry if isinstance(e, dict)) if d is not None)


def as_surveyed(project: Project, survey: Survey | None) -> Project:
    """``project`` with the transmitters that were on the plan when ``survey`` was taken
    (the router, installed mesh nodes and access points); the charger and the planned
    devices are the plan's now. Unchanged when the survey has no record (older files)."""
    then = devices_when_surveyed(project, survey) if survey is not None else None
    if then is None:
        return project
    transmitting = tuple(d for d in then if d.kind.transmits and not d.planned)
    others = tuple(d for d in project.devices if not d.kind.transmits or d.planned)
    devices = transmitting + others
    return project if devices == project.devices else replace(project, devices=devices)


@dataclass(frozen=True)
class SiteChange:
    """What changed in the transmitters between two surveys. ``known`` is False when the
    earlier survey has no record (an older file): then ``added`` lists the transmitters
    other than the router on the plan now, which may or may not be new."""

    added: tuple[Device, ...]
    moved: tuple[tuple[Device, float], ...]  # (device as after, metres moved)
    removed: tuple[Device, ...]
    known: bool = True

    def __bool__(self) -> bool:
        return bool(self.added or self.moved or self.removed)


def change_between(project: Project, before: Survey, after: Survey) -> SiteChange:
    """The transmitters added, moved and removed between ``before`` and ``after`` (the
    devices of ``after`` default to the plan now when it has no record: it is the latest)."""
    then = devices_when_surveyed(project, before)
    now = devices_when_surveyed(project, after)
    if now is None:
        now = project.devices
    now = tuple(d for d in now if d.kind.transmits and not d.planned)
    if then is None:
        return SiteChange(tuple(d for d in now if d.kind is not DeviceKind.ROUTER), (), (), known=False)
    then = tuple(d for d in then if d.kind.transmits and not d.planned)
    by_id = {d.id: d for d in then if d.id is not None}
    added = tuple(d for d in now if d.id is None or d.id not in by_id)
    moved = []
    for d in now:
        old = None if d.id is None else by_id.get(d.id)
        if old is not None:
            distance = math.hypot(d.x_m - old.x_m, d.y_m - old.y_m)
            if distance >= MOVED_M:
                moved.append((d, distance))
    now_ids = {d.id for d in now}
    removed = tuple(d for d in then if d.id not in now_ids)
    return SiteChange(added, tuple(moved), removed)
