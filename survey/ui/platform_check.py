"""Can Qt open a window here? Checked before the QApplication exists (no Qt imports).

On Linux, Qt's xcb platform plugin aborts the whole process (no exception to catch)
when one of the X11 libraries it links is missing; Qt >= 6.5 needs ``libxcb-cursor0``,
which minimal desktops and containers lack. So look for them first and say the one
``apt`` line that fixes it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from dataclasses import dataclass

#: Libraries the xcb plugin links (soname stem for find_library -> Debian/Ubuntu package):
#: the output of ``ldd libQt6XcbQpa.so.6`` of the PySide6 6.12 wheel, minus what every
#: desktop has (libxcb1, libX11, glib); Qt's "Qt for X11 Requirements" page lists the same.
XCB_LIBRARIES: dict[str, str] = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-util": "libxcb-util1",
    "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "X11-xcb": "libx11-xcb1",
    "GL": "libgl1",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
}


@dataclass(frozen=True)
class PlatformReport:
    ok: bool
    missing_packages: tuple[str, ...] = ()
    message: str = ""


def _loadable(stem: str) -> bool:
    name = ctypes.util.find_library(stem) or _bundled_library(stem)
    if name is None:
        return False
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def _bundled_library(stem: str) -> str | None:
    """The copy of ``lib<stem>.so.N`` a PyInstaller bundle carries, which the system may lack.

    find_library only asks the system (ldconfig), but the frozen Linux build ships the X11
    libraries its build machine had, and Qt loads those first.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if not (getattr(sys, "frozen", False) and bundle):
        return None
    copies = sorted(glob.glob(os.path.join(glob.escape(bundle), f"lib{glob.escape(stem)}.so.*")))
    return copies[0] if copies else None


def _uses_xcb(env: dict) -> bool:
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    # Qt picks wayland on a Wayland session when its plugin works, xcb otherwise; a
    # Wayland session usually has XWayland too, so the xcb libraries matter there as well.
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def check_platform(env: dict | None = None, platform: str | None = None, loadable=_loadable) -> PlatformReport:
    """Whether Qt's window system plugin can start; on failure, what to install and how."""
    env = dict(os.environ) if env is None else env
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return PlatformReport(ok=True)
    if not _uses_xcb(env):
        if env.get("QT_QPA_PLATFORM"):
            return PlatformReport(ok=True)  # offscreen, wayland, vnc...: the user chose
        return PlatformReport(
            ok=False,
            message=(
                "No display found (DISPLAY and WAYLAND_DISPLAY are not set). Run evsurvey on the desktop, "
                "or use 'evsurvey demo --headless' / the command-line subcommands."
            ),
        )
    missing = tuple(pkg for stem, pkg in XCB_LIBRARIES.items() if not loadable(stem))
    if not missing:
        return PlatformReport(ok=True)
    return PlatformReport(
        ok=False,
        missing_packages=missing,
        message=(
            "Qt needs X11 libraries that are not installed: " + ", ".join(missing) + ".\n"
            "Install them with:\n    sudo apt install " + " ".join(missing) + "\n"
            "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image "
            "xcb-util-renderutil libxkbcommon-x11)"
        ),
    )
