"""``evsurvey report PROJECT -o OUT.pdf``: write the customer PDF report.

Options: ``--paper A4|Letter``, ``--redact-neighbors`` (hide other people's SSIDs and
BSSIDs), ``--survey NAME`` (the survey the signal map shows), ``--compare BEFORE AFTER``
(the surveys of the before/after page), ``--json``. The project is opened read-only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="a .evsurvey project file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="where to write the PDF")
    parser.add_argument(
        "--paper",
        default="A4",
        type=lambda s: s.upper(),
        choices=("A4", "LETTER"),
        help="paper size: A4 (default) or Letter",
    )
    parser.add_argument(
        "--redact-neighbors", action="store_true", help="hide neighbours' network names and BSSIDs (privacy)"
    )
    parser.add_argument(
        "--survey",
        metavar="NAME",
        help="survey shown on the cover and the signal map (default: the latest with samples)",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("BEFORE", "AFTER"),
        help="surveys for the before/after page (default: the first and last with samples)",
    )
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")


def run(args) -> int:
    from survey.errors import UserInputError
    from survey.project.store import ProjectStore
    from survey.report.builder import build_report

    with ProjectStore.open(args.project, read_only=True) as store:  # refuses loops, FIFOs, non-projects
        project = store.load()
    if os.path.realpath(args.output) == os.path.realpath(args.project):
        raise UserInputError(
            f"The report would overwrite the project {args.project}; give the PDF another name, such as report.pdf."
        )
    result = build_report(
        project,
        Path(args.output),
        paper=args.paper,
        redact_neighbors=args.redact_neighbors,
        survey=args.survey,
        compare=tuple(args.compare) if args.compare else None,
    )
    for warning in result.warnings:
        print(f"evsurvey: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Report written to {result.path} ({result.pages} pages, {result.seconds:.1f} s).")
        if result.comparison is not None:
            for line in result.comparison.summary_lines():
                print("  " + line)
    return 0
