"""``evsurvey`` command line: argument parsing and dispatch only.

Each data-producing subcommand lives in its layer's ``command`` module exposing
``configure(parser)`` and ``run(args) -> int``; this file wires them up, sets up logging,
and turns expected errors (:class:`survey.errors.EvSurveyError`) into a message on stderr
and exit code 2 (bad input) or 1 (failure), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import logging.handlers
import sys
from pathlib import Path

from survey import __version__
from survey.errors import EvSurveyError, UserInputError

log = logging.getLogger("survey")

#: subcommand -> (module with configure/run, help line)
_SUBCOMMANDS = {
    "demo": ("survey.demo", "the demo garage with the simulated scanner (GUI, or --headless)"),
    "scan": ("survey.scan.command", "one live Wi-Fi scan, or parse a saved scanner output"),
    "recommend": ("survey.analysis.command", "verdict at the charger, findings and the fix"),
    "report": ("survey.report.command", "write the customer PDF report"),
    "check": ("survey.netcheck.command", "pre-flight checks of the charger's network path"),
}


def _configure_logging(verbose: bool) -> None:
    from survey.paths import user_log_dir

    root = logging.getLogger("survey")
    root.setLevel(logging.DEBUG)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        log_dir = user_log_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_dir / "evsurvey.log", maxBytes=2_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(fmt)
        handler.setLevel(logging.DEBUG)
        root.addHandler(handler)
    except OSError:  # a read-only home must not stop a survey; stderr still works
        pass
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(fmt)
        stream.setLevel(logging.DEBUG)
        root.addHandler(stream)


def _add_gui(sub) -> None:
    p = sub.add_parser("gui", help="open the app (the default when no subcommand is given)")
    p.add_argument("project", nargs="?", help="a .evsurvey project file to open")
    p.add_argument("--scanner", default="auto", help="scanner backend: auto, simulated, nmcli, iw, ... (default auto)")
    p.set_defaults(handler=_run_gui)


def _run_gui(args) -> int:
    from survey.ui.app import run_gui

    project = args.project
    if project is not None and not Path(project).exists():
        raise UserInputError(f"{project} does not exist. Check the path, or start without it and use File → New.")
    return run_gui(project, scanner_name=args.scanner)


def _add_info(sub) -> None:
    p = sub.add_parser("info", help="what a project holds: site, surveys, sample counts, devices")
    p.add_argument("project", help="a .evsurvey project file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_run_info)


def _run_info(args) -> int:
    from survey.project.store import ProjectStore
    from survey.project.units import format_length

    with ProjectStore.open(args.project, read_only=True) as store:
        project = store.load()
    fp = project.floorplan
    x0, y0, x1, y1 = project.extent_m()
    info = {
        "file": str(args.project),
        "site": project.site.__dict__,
        "units": project.units,
        "floorplan": None if fp is None else {"width_px": fp.width_px, "height_px": fp.height_px,
                                              "metres_per_px": fp.metres_per_px, "source": fp.source_name},
        "extent_m": [x0, y0, x1, y1],
        "walls": len(project.walls),
        "target_ssid": project.target.ssid if project.target else None,
        "charger_profile": project.charger_profile_id,
        "surveys": [{"name": s.name, "samples": len(s.samples)} for s in project.surveys],
        "devices": [{"kind": d.kind.value, "label": d.label, "x_m": d.x_m, "y_m": d.y_m, "planned": d.planned}
                    for d in project.devices],
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    site = project.site
    units = project.units
    fp_text = "none" if fp is None else f"{fp.width_px}×{fp.height_px} px ({fp.source_name or 'image'})"
    lines = [
        f"Project:   {args.project}",
        f"Customer:  {site.customer or '–'}",
        f"Address:   {site.address or '–'}",
        f"Installer: {site.installer or '–'}",
        f"Date:      {site.survey_date or '–'}",
        f"Size:      {format_length(x1 - x0, units)} × {format_length(y1 - y0, units)}",
        f"Floorplan: {fp_text}",
        f"Walls:     {len(project.walls)}",
        f"Target:    {project.target.ssid!r}" if project.target else "Target:    not chosen",
        f"Charger:   {project.charger_profile_id}",
        "Surveys:   " + (", ".join(f"{s.name} ({len(s.samples)} samples)" for s in project.surveys) or "none"),
        "Devices:",
    ]
    for d in project.devices:
        planned = " (planned)" if d.planned else ""
        lines.append(f"  - {d.kind.label}{planned}: {d.label or '–'} at "
                     f"({format_length(d.x_m, units)}, {format_length(d.y_m, units)})")
    if not project.devices:
        lines.append("  none")
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evsurvey",
        description="Wi-Fi site survey for EV charger installers. Without a subcommand, opens the app.")
    parser.add_argument("--version", action="version", version=f"evsurvey {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="also write the log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_gui(sub)
    for name, (module_name, help_text) in _SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a layer not present in this build: leave its subcommand out
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(p)
        p.set_defaults(handler=module.run)
    _add_info(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    if args.command is None:
        args = parser.parse_args([*argv, "gui"])
    try:
        return int(args.handler(args) or 0)
    except EvSurveyError as exc:
        log.info("expected error: %s", exc)
        print(f"evsurvey: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("evsurvey: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `evsurvey scan | head`
        return 0


def gui_main() -> int:
    """Entry point of the ``evsurvey-gui`` script (no console on Windows)."""
    return main(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main())
