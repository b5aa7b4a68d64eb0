"""Which surveys of a project were (partly) simulated, and the warning every page with their
measurements carries: the report, and any other surface that shows the samples, says the same."""

from __future__ import annotations

from survey.project.model import SIMULATED_BACKEND, Project


def simulated_surveys(project: Project) -> tuple[str, ...]:
    """Names of the surveys whose samples came (partly) from the simulated scanner."""
    return tuple(
        s.name
        for s in project.surveys
        if any(scan.backend == SIMULATED_BACKEND for sample in s.samples for scan in sample.scans)
    )


def all_surveys_simulated(project: Project) -> bool:
    """True when some survey was simulated and every survey with samples is among them."""
    names = simulated_surveys(project)
    return bool(names) and len(names) == len([s for s in project.surveys if s.samples])


def simulated_note(project: Project) -> str:
    """The plain warning every page with measurements carries when they were simulated ("" if not)."""
    names = simulated_surveys(project)
    if not names:
        return ""
    which = ", ".join(f"'{n}'" for n in names)
    return (
        f"Simulated data: the samples of survey {which} come from evsurvey's simulated scanner (a radio "
        "model of the plan), not from measurements taken on site."
    )
