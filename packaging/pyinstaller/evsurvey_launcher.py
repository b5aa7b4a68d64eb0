"""Entry point of the PyInstaller build: the GUI by default, the CLI when asked for one.

One frozen program serves both uses. Started from the desktop (no arguments, or a
``.evsurvey`` file the file manager, Explorer or Finder hands over) it opens the app through
``survey.cli:gui_main``, the same entry as the ``evsurvey-gui`` script; anything else
(``--version``, ``demo --headless``, ``scan``...) goes to ``survey.cli:main``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

from survey.cli import gui_main, main


def _opens_document(argv: list[str]) -> bool:
    """True when the first argument is a project file rather than an option or a subcommand."""
    first = argv[0]
    if first.startswith("-"):
        return False
    return first.lower().endswith(".evsurvey") or Path(first).is_file()


def _restore_child_environment() -> None:
    """Give programs started from evsurvey the user's own library path, not the bundle's.

    On Linux the PyInstaller bootloader prepends the bundle folder to LD_LIBRARY_PATH
    (the original is kept in LD_LIBRARY_PATH_ORIG) and every child inherits it, so nmcli,
    iw or the PDF viewer opened by xdg-open would load the bundle's copies of glib, ssl
    and friends and may crash. This process is unaffected by the change: the dynamic
    loader read LD_LIBRARY_PATH once, when it started.
    """
    if not (getattr(sys, "frozen", False) and sys.platform.startswith("linux")):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


def run() -> int:
    # The floorplan reader runs in a "spawn" child process (survey.project.plan_worker); in a
    # frozen program that child re-runs this executable, and this call turns it into the worker.
    multiprocessing.freeze_support()
    _restore_child_environment()
    # macOS before 10.9 passed a "-psn_0_12345" process serial number to apps started
    # from Finder; it is no argument of ours.
    sys.argv[1:] = [arg for arg in sys.argv[1:] if not arg.startswith("-psn_")]
    if sys.argv[1:] and _opens_document(sys.argv[1:]):
        return gui_main()
    # No arguments at all also ends in the GUI: main() treats a missing subcommand as "gui".
    return main()


if __name__ == "__main__":
    sys.exit(run())
