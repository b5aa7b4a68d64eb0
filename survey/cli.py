"""``evsurvey`` command line: argument parsing and dispatch only.

Each data-producing subcommand lives in its layer's ``command`` module exposing
``configure(parser)`` and ``run(args) -> int``; this file wires them up, sets up logging,
and turns expected errors (:class:`survey.errors.EvSurveyError`) into a message on stderr
and exit code 2 (bad input) or 1 (failure), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import logging.handlers
import sys

from survey import __version__
from survey.errors import EvSurveyError

log = logging.getLogger("survey")

#: subcommand -> (module with configure/run, help line)
_SUBCOMMANDS = {
    "demo": ("survey.demo", "the demo garage with the simulated scanner (GUI, or --headless)"),
    "scan": ("survey.scan.command", "one live Wi-Fi scan, or parse a saved scanner output"),
    "import": ("survey.scan.import_command", "store saved scanner output files as a sample of a survey"),
    "recommend": ("survey.analysis.command", "verdict at the charger, findings and the fix"),
    "set": ("survey.analysis.set_command", "store site settings: the charger's own reading, offset, Ethernet, region"),
    "simulate": ("survey.simulate", "build a project from a site file, walk it with the simulated scanner, report"),
    "report": ("survey.report.command", "write the customer PDF report"),
    "info": ("survey.project.command", "what a project holds: site, surveys, sample counts, devices"),
    "check": ("survey.netcheck.command", "pre-flight checks of the charger's network path"),
    "linktest": ("survey.netcheck.linktest_command", "loss, latency and jitter from here; the idle-timeout test"),
}


def _configure_logging(verbose: bool) -> None:
    from survey.paths import user_log_dir

    root = logging.getLogger("survey")
    root.setLevel(logging.DEBUG)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        log_dir = user_log_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "evsurvey.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
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
    from survey.demo import write_gui_demo
    from survey.ui.app import run_gui

    # A missing project file is the window's to say (evsurvey-gui has no console to print to).
    # The demo comes from up here: nothing in survey.ui imports survey.demo.
    return run_gui(args.project, scanner_name=args.scanner, write_demo=write_gui_demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evsurvey", description="Wi-Fi site survey for EV charger installers. Without a subcommand, opens the app."
    )
    parser.add_argument("--version", action="version", version=f"evsurvey {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="also write the log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_gui(sub)
    for name, (module_name, help_text) in _SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(p)
        p.set_defaults(handler=module.run)
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
