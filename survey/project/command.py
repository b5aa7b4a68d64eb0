"""``evsurvey info PROJECT [--json]``: what a project holds (site, surveys, sample counts,
devices), read without changing the file or creating anything beside it. What opening
noticed (a stale log beside the file, not replayed) goes to stderr and into ``notes``."""

from __future__ import annotations

import argparse
import json
import sys

from survey.project.display import display_ssid
from survey.project.display import escape_text as shown
from survey.project.store import ProjectStore
from survey.project.units import format_length


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="a .evsurvey project file")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    with ProjectStore.open(args.project, read_only=True) as store:
        project = store.load()
        notes = list(store.notices)
    for note in notes:
        print(f"evsurvey: note: {note}", file=sys.stderr)
    fp = project.floorplan
    x0, y0, x1, y1 = project.extent_m()
    info = {
        "file": str(args.project),
        "site": project.site.__dict__,
        "units": project.units,
        "floorplan": None
        if fp is None
        else {
            "width_px": fp.width_px,
            "height_px": fp.height_px,
            "metres_per_px": fp.metres_per_px,
            "source": fp.source_name,
        },
        "extent_m": [x0, y0, x1, y1],
        "walls": len(project.walls),
        "target_ssid": project.target.ssid if project.target else None,
        "charger_profile": project.charger_profile_id,
        "surveys": [{"name": s.name, "samples": len(s.samples)} for s in project.surveys],
        "devices": [
            {"kind": d.kind.value, "label": d.label, "x_m": d.x_m, "y_m": d.y_m, "planned": d.planned}
            for d in project.devices
        ],
        "preflight": _preflight_json(project.preflight),
        "notes": notes,
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    # Text from the file is shown by the one display rule (survey.project.display): a
    # mailed project's fields cannot carry terminal escapes or bidi overrides to the screen.
    site = project.site
    units = project.units
    fp_text = "none" if fp is None else f"{fp.width_px}×{fp.height_px} px ({shown(fp.source_name) or 'image'})"
    lines = [
        f"Project:   {shown(str(args.project))}",
        f"Customer:  {shown(site.customer) or '–'}",
        f"Address:   {shown(site.address) or '–'}",
        f"Installer: {shown(site.installer) or '–'}",
        f"Date:      {shown(site.survey_date) or '–'}",
        f"Size:      {format_length(x1 - x0, units)} × {format_length(y1 - y0, units)}",
        f"Floorplan: {fp_text}",
        f"Walls:     {len(project.walls)}",
        f"Target:    {display_ssid(project.target.ssid)}" if project.target else "Target:    not chosen",
        f"Charger:   {shown(project.charger_profile_id)}",
        "Surveys:   " + (", ".join(f"{shown(s.name)} ({len(s.samples)} samples)" for s in project.surveys) or "none"),
        "Network:   " + _preflight_text(project.preflight),
        "Devices:",
    ]
    for d in project.devices:
        planned = " (planned)" if d.planned else ""
        lines.append(
            f"  - {d.kind.label}{planned}: {shown(d.label) or '–'} at "
            f"({format_length(d.x_m, units)}, {format_length(d.y_m, units)})"
        )
    if not project.devices:
        lines.append("  none")
    print("\n".join(lines))
    return 0


def _preflight_json(report) -> dict | None:
    if report is None:
        return None
    return {
        "ran_at": report.ran_at,
        "ran_at_text": report.ran_at_text(),
        "profile": report.profile_id,
        "ok": not report.failed,
        "summary": report.summary(),
        "network": report.network.to_json(),
    }


def _preflight_text(report) -> str:
    """When the last network check ran and what it found (the checks are `evsurvey check`'s)."""
    if report is None:
        return "not checked yet (evsurvey check --project FILE --save)"
    return (
        f"checked {report.ran_at_text()} ({report.profile_id}): {'FAILED' if report.failed else 'OK'}, "
        f"{report.summary_text()}; on {report.network.text()}"
    )
