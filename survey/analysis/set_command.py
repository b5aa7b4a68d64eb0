"""``evsurvey set PROJECT [--charger-reading DBM|none] [--reception-offset DB|none]
[--ethernet-can-be-run yes|no] [--region EU|US] [--json]``: store the site settings the
recommendation reads, in the project file (its settings; no schema change).

The charger's own reading is recorded with the survey it was read during (``--survey``,
default the latest survey with samples), so an After survey keeps the offset the Before
reading set.
"""

from __future__ import annotations

import argparse
import json

from survey.errors import UserInputError


def _db_or_none(text: str):
    if text.strip().lower() in ("none", "off", ""):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of dB(m) or 'none'") from None


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("yes", "true", "1", "on"):
        return True
    if value in ("no", "false", "0", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r}: say yes or no")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="a .evsurvey project file (changed in place)")
    parser.add_argument(
        "--charger-reading",
        metavar="DBM",
        type=_db_or_none,
        default=argparse.SUPPRESS,
        help="the RSSI the charger itself reports at its mounting point (its app, Home Assistant, "
        "OCPP diagnostics); it sets this site's reception offset. 'none' removes it",
    )
    parser.add_argument(
        "--survey",
        metavar="NAME",
        help="the survey the charger reading was taken during (default: the latest with samples)",
    )
    parser.add_argument(
        "--reception-offset",
        metavar="DB",
        type=_db_or_none,
        default=argparse.SUPPRESS,
        help="how many dB worse the charger hears than the laptop, for this site; 'none' goes back "
        "to the charger profile's",
    )
    parser.add_argument(
        "--ethernet-can-be-run",
        metavar="yes|no",
        type=_yes_no,
        default=argparse.SUPPRESS,
        help="whether Cat6 can be pulled to the garage (allows a wired access point)",
    )
    parser.add_argument(
        "--region",
        choices=("EU", "US"),
        default=argparse.SUPPRESS,
        help="regulatory region for the router transmit-power cap (default EU: ETSI EN 300 328)",
    )
    parser.add_argument("--json", action="store_true", help="print the project's settings that the analysis reads")


def run(args) -> int:
    from survey.analysis.placement import ETHERNET_SETTING, REGION_SETTING
    from survey.analysis.survey_analysis import (
        CHARGER_READING_SETTING,
        OFFSET_SETTING,
        pick_survey,
        with_charger_reading,
    )
    from survey.project.store import ProjectStore

    changes = {
        k: getattr(args, k)
        for k in ("charger_reading", "reception_offset", "ethernet_can_be_run", "region")
        if hasattr(args, k)
    }
    with ProjectStore.open(args.project) as store:
        project = store.load()
        if "charger_reading" in changes:
            reading = changes["charger_reading"]
            survey = pick_survey(project, args.survey)
            if reading is not None and (survey is None or not survey.samples):
                raise UserInputError(
                    "The charger's reading belongs to a survey with samples at the charger: "
                    "survey first, or name the survey with --survey."
                )
            updated = with_charger_reading(project, reading, survey.name if survey is not None else "")
            store.set_setting(CHARGER_READING_SETTING, updated.settings.get(CHARGER_READING_SETTING))
        if "reception_offset" in changes:
            offset = changes["reception_offset"]
            if offset is not None and not 0.0 <= offset <= 30.0:
                raise UserInputError(
                    f"A reception offset of {offset:g} dB is not plausible: give 0-30 dB "
                    "(how much worse the charger hears than the laptop)."
                )
            store.set_setting(OFFSET_SETTING, offset)
        if "ethernet_can_be_run" in changes:
            store.set_setting(ETHERNET_SETTING, changes["ethernet_can_be_run"])
        if "region" in changes:
            store.set_setting(REGION_SETTING, changes["region"])
        settings = store.load().settings
    shown = {k: settings.get(k) for k in (CHARGER_READING_SETTING, OFFSET_SETTING, ETHERNET_SETTING, REGION_SETTING)}
    if args.json:
        print(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        for key, value in shown.items():
            print(f"{key}: {'not set' if value is None else json.dumps(value, ensure_ascii=False)}")
    return 0
