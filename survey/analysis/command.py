"""``evsurvey recommend PROJECT [--survey NAME] [--profile ID] [--json]``: the verdict at the
charger, the findings, where to put the fix and the network checklist."""

from __future__ import annotations

import argparse
import json

from survey.project.profiles import get_profile, load_profiles


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="a .evsurvey project file")
    parser.add_argument("--survey", metavar="NAME", help="survey to analyse (default: the latest survey with samples)")
    parser.add_argument("--profile", metavar="ID",
                        help="charger profile id (default: the project's); one of: "
                             + ", ".join(p.id for p in load_profiles()))
    parser.add_argument("--charger-reading", metavar="DBM", type=float,
                        help="the RSSI the charger itself reports at its mounting point (its app, Home Assistant, "
                             "OCPP diagnostics), for this run: it sets the site's reception offset "
                             "(`evsurvey set --charger-reading` stores it)")
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
    profile = get_profile(args.profile) if args.profile else None
    rec = recommend(project, survey, profile)
    if args.json:
        print(json.dumps(rec.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_text(rec))
    return 0
