"""The verdict in words: the one line that sums up the site (the report's cover), and the plain
answer to "is the charger's spot good enough?" for each verdict."""

from __future__ import annotations

from survey.analysis.change_words import change_made, change_short
from survey.analysis.compare import SurveyComparison
from survey.analysis.placement import Option
from survey.analysis.recommend import Recommendation
from survey.project.model import Project
from survey.project.units import format_db, format_dbm

#: The answer to "Is the charger's spot good enough?" for each known verdict.
VERDICT_ANSWERS = {
    "GOOD": "Yes. The Wi-Fi at the charger's mounting point is strong enough for a reliable connection.",
    "MARGINAL": "Only just. The charger will connect, but with little reserve: a closed garage door, "
    "a parked car or rain on the siding can push it below the reliable level.",
    "POOR": "No. At the charger's mounting point the signal is too weak: the charger would drop "
    "its connection, fail updates and show as offline in the app.",
}
#: What to say when there is no verdict and the analysis gave no reason.
NO_VERDICT_ADVICE = "There is no verdict yet: mark the charger point and survey it."


def verdict_line(
    project: Project, main: Recommendation, chosen: Option | None, comparison: SurveyComparison | None
) -> str:
    """The one-line verdict: the site as it is now (``main``, the survey shown), the fix
    ``chosen`` (recommended or made), and the before -> after figures when ``comparison``
    measured the change."""
    v = main.verdict
    comp = comparison
    if v.status == "UNKNOWN":
        return "No verdict yet: " + (v.explanation or "survey the charger point first.")
    rssi = format_dbm(v.rssi_at_charger_dbm)
    change = change_made(project, comp)
    fix = chosen if comp is not None and chosen is not None and chosen.kind != "nothing" else None
    how = f" ({v.method_words})" if v.method_words else ""
    if v.status == "GOOD" and change:
        line = f"GOOD: the charger point gets {rssi}{how} after the change ({change_short(change)})."
    elif v.status == "GOOD" and fix is not None:
        line = f"GOOD: the charger point gets {rssi}{how} after the change ({fix.title})."
    elif v.status == "GOOD":
        line = f"GOOD: the charger point gets {rssi}{how}, no change needed."
    elif v.status == "MARGINAL":
        line = f"MARGINAL: {rssi} at the charger point{how}, little reserve."
    else:
        line = f"POOR: {rssi} at the charger point{how}, it will drop packets."
    if chosen is not None and v.status != "GOOD" and chosen.kind != "nothing":
        line += f" Recommended: {chosen.title}."
    if comp is not None and comp.charger_delta_db is not None:
        line += (
            f" '{comp.before.survey_name}' -> '{comp.after.survey_name}': "
            f"{comp.before.verdict.status} {format_dbm(comp.charger_rssi_before_dbm)} -> "
            f"{comp.after.verdict.status} {format_dbm(comp.charger_rssi_after_dbm)} "
            f"({format_db(comp.charger_delta_db)})."
        )
    return line
