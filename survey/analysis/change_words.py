"""The change an installer made between two compared surveys, in the customer's words, and
whether it was the change the analysis recommended."""

from __future__ import annotations

from survey.analysis.compare import SurveyComparison
from survey.analysis.placement import Option
from survey.analysis.recommend import option_device
from survey.project.model import Device, Project
from survey.project.rooms import describe_place
from survey.project.survey_devices import SiteChange, change_between
from survey.project.units import format_length

#: An added device counts as "the recommended change" when it is of the recommended kind and
#: within this Manhattan distance (m) of the recommended spot: an installer mounts it where
#: the wall and the socket allow, not on the exact grid cell.
RECOMMENDED_SPOT_TOLERANCE_M = 3.0


def change_made(project: Project, comparison: SurveyComparison | None) -> SiteChange | None:
    """The transmitters added, moved or removed between the compared surveys (None without
    a comparison)."""
    if comparison is None or comparison.before.survey is None or comparison.after.survey is None:
        return None
    return change_between(project, comparison.before.survey, comparison.after.survey)


def change_short(change: SiteChange) -> str:
    """ "mesh node added", "router moved" (for a one-line verdict)."""
    parts = [f"{d.kind.label.lower()} added" for d in change.added]
    parts += [f"{d.kind.label.lower()} moved" for d, _m in change.moved]
    parts += [f"{d.kind.label.lower()} removed" for d in change.removed]
    return ", ".join(parts)


def _a(device: Device) -> str:
    name = device.kind.label.lower()
    return ("an " if name[0] in "aeiou" else "a ") + name


def change_sentence(project: Project, comparison: SurveyComparison | None, chosen: Option | None) -> str:
    """What the installer changed between the compared surveys, in the customer's words, and
    whether it was the recommended change ``chosen`` ("" without a comparison or a record to
    tell). Distances in the project's units."""
    change = change_made(project, comparison)
    if comparison is None or change is None:
        return ""
    before, after = comparison.before.survey_name, comparison.after.survey_name
    if not change.known:
        if not change.added:
            return ""
        now = "; ".join(f"{_a(d)} {describe_place(project, (d.x_m, d.y_m))}" for d in change.added)
        return (
            f"This project has no record of the devices on the plan at survey '{before}', so the report "
            f"cannot tell what was added for '{after}'. On the plan now: {now}."
        )
    if not change:
        return f"No access point, mesh node or router was added or moved between '{before}' and '{after}'."
    done = [f"added {_a(d)} {describe_place(project, (d.x_m, d.y_m))}" for d in change.added]
    done += [
        f"moved the {d.kind.label.lower()} {format_length(m, project.units)}, now "
        f"{describe_place(project, (d.x_m, d.y_m))}"
        for d, m in change.moved
    ]
    done += [f"removed the {d.kind.label.lower()}" for d in change.removed]
    sentence = f"Done between '{before}' and '{after}': " + "; ".join(done) + "."
    if chosen is None:
        return sentence
    if chosen.kind == "nothing":
        return sentence + " No change was needed for the charger; this one was made all the same."
    recommended = option_device(chosen)
    if recommended is not None and any(
        d.kind is recommended.kind
        and abs(d.x_m - recommended.x_m) + abs(d.y_m - recommended.y_m) <= RECOMMENDED_SPOT_TOLERANCE_M
        for d in change.added
    ):
        return sentence + " This is the recommended change."
    return sentence + f" This is not the change recommended ({chosen.title})."
