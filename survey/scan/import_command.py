"""``evsurvey import``: store saved scanner output as a sample of a project's survey.

    evsurvey import PROJECT FILE... --survey NAME --at X,Y [--format auto|iw|nmcli|...] [--json]

Every FILE is read and parsed before anything is written; the files taken at X,Y make
one sample, written in one transaction (see :mod:`survey.scan.saved`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from survey.project.display import escape_text
from survey.scan.command import SafeOut, parse_xy_m
from survey.scan.parsers import FORMATS
from survey.scan.saved import check_on_plan, import_sample, read_saved_scan, sample_of


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Store saved scanner output (a scan taken with another laptop or a phone app) as a "
        "sample of a survey, at the spot where it was taken."
    )
    parser.add_argument("project", type=Path, help="the .evsurvey project file to add the sample to")
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="saved output of iw, nmcli, wpa_cli, netsh, airport, wdutil or system_profiler; "
        "several files taken at the same spot make one sample",
    )
    parser.add_argument(
        "--survey",
        required=True,
        metavar="NAME",
        help="the survey (phase) to add it to, e.g. Before; created when it does not exist",
    )
    parser.add_argument(
        "--at",
        required=True,
        metavar="X,Y",
        type=parse_xy_m,
        help="where the scan was taken, in metres on the plan (x right, y down from the top-left)",
    )
    parser.add_argument(
        "--format", default="auto", choices=("auto",) + FORMATS, help="format of the files (default: detect each)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args) -> int:
    from survey.project.store import ProjectStore

    saved = [read_saved_scan(path, format=args.format) for path in args.files]  # all read before any write
    with ProjectStore.open(args.project) as store:
        project = store.load()
        check_on_plan(project, args.at, args.project.name)
        done = import_sample(store, project, args.survey, sample_of(saved, args.at))
    out = SafeOut()
    if args.json:
        json.dump(
            {
                "project": str(args.project),
                "survey": done.survey.name,
                "survey_created": done.created_survey,
                "sample_id": done.sample_id,
                "at_m": list(args.at),
                "files": [
                    {
                        "file": str(path),
                        "format": s.parsed.format,
                        "backend": s.result.backend,
                        "observations": len(s.parsed.observations),
                        "warnings": list(s.parsed.warnings),
                    }
                    for path, s in zip(args.files, saved)
                ],
            },
            out,
            indent=2,
        )
        out.write("\n")
        return 0
    created = " (new survey)" if done.created_survey else ""
    out.write(
        f"Imported {len(saved)} file(s) into survey '{escape_text(done.survey.name)}'{created} as sample "
        f"{done.sample_id} at ({args.at[0]:g}, {args.at[1]:g}) m:\n"
    )
    for s in saved:
        out.write(f"  {escape_text(s.name)}: {s.parsed.format}, {len(s.parsed.observations)} access point(s)\n")
    out.write("Times are the files' modification times.\n")
    for s in saved:
        for w in s.parsed.warnings:
            sys.stderr.write(f"warning: {escape_text(s.name)}: {escape_text(w)}\n")
    return 0
