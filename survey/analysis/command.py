"""``evsurvey recommend PROJECT [--survey NAME] [--profile ID] [--json]``: the verdict at the
charger, the findings, where to put the fix and the network checklist."""

from __future__ import annotations

import argparse
import json

from survey.errors import UserInputError
from survey.project.profiles import load_profiles


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="a .evsurvey project file")
    parser.add_argument("--survey", metavar="NAME", help="survey to analyse (default: the latest survey with samples)")
    parser.add_argument(
        "--profile",
        metavar="ID",
        help="charger profile id (default: the project's); one of: " + ", ".join(p.id for p in load_profiles()),
    )
    parser.add_argument(
        "--charger-reading",
        metavar="DBM",
        type=float,
        help="the RSSI the charger itself reports at its mounting point (its app, Home Assistant, "
        "OCPP diagnostics), for this run: it sets the site's reception offset "
        "(`evsurvey set --charger-reading` stores it)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    # Imported here: the CLI builds every subcommand's parser at start-up, and the
    # recommendation pulls in scipy.optimize (~1 s) that only this command needs.
    from survey.analysis.recommend import format_text, pick_survey, recommend
    from survey.project.store import ProjectStore

    with ProjectStore.open(args.project, read_only=True) as store:
        project = store.load()
    survey = pick_survey(project, args.survey)
    if args.charger_reading is not None:
        from survey.analysis.survey_analysis import with_charger_reading

        project = with_charger_reading(project, args.charger_reading, survey.name if survey is not None else "")
    profile = _named_profile(args.profile) if args.profile else None
    rec = recommend(project, survey, profile)
    if args.json:
        print(json.dumps(rec.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_text(rec))
    return 0


def _named_profile(profile_id: str):
    """The charger profile called ``profile_id``; an unknown id is bad input (exit 2), not a
    silent fall-back to the generic profile that would print a verdict for another charger."""
    profiles = load_profiles()
    for profile in profiles:
        if profile.id == profile_id:
            return profile
    known = ", ".join(p.id for p in profiles)
    raise UserInputError(
        f"There is no charger profile {profile_id!r}. Known profiles: {known}. "
        "Add your own as a JSON file in the user profile folder."
    )
