"""What the PyInstaller spec writes into the bundles, kept apart from PyInstaller so tests can read it.

Plain data and functions of the version string; no PyInstaller import. ``evsurvey.spec``
loads this file beside itself, and tests/test_packaging_installers.py checks the values.
"""

from __future__ import annotations

import fnmatch
import re

APP_NAME = "evsurvey"
BUNDLE_ID = "io.github.evsurvey"
DOCUMENT_UTI = "io.github.evsurvey.project"
PROJECT_MIME_TYPE = "application/x-evsurvey"  # packaging/linux/evsurvey-mime.xml
#: The two Windows programs (see the spec); the installer's shortcuts and file association use the first.
WINDOWS_GUI_EXE = f"{APP_NAME}-gui"
WINDOWS_CLI_EXE = APP_NAME

#: Parts of Qt that PyInstaller's PySide6 hooks bring in but evsurvey never loads, as
#: fnmatch patterns over bundle paths ("/" separators; Linux and macOS put Qt under
#: PySide6/Qt/, Windows under PySide6/). The Python modules behind them are excluded in
#: the spec: QtNetwork (nothing of evsurvey goes online through Qt; netcheck uses sockets)
#: and QtTest (pyqtgraph imports it inside try/except and runs without). Not here:
#: QtOpenGL and QtOpenGLWidgets, which pyqtgraph.Qt.OpenGLHelpers imports unconditionally
#: when the first plot item loads (a frozen GUI without them dies at start); QtDBus, which
#: the GTK and XDG-portal platform themes link; the xcb, wayland and offscreen platforms.
UNUSED_QT_PATTERNS = (
    "PySide6/*translations/*",  # Qt's own UI strings in other languages; evsurvey is English only
    "PySide6/*plugins/tls/*",  # TLS backends for QtNetwork
    "PySide6/*plugins/networkinformation/*",  # QNetworkInformation backends (QtNetwork)
    "PySide6/*plugins/generic/*",  # evdev/tslib/TUIO input for framebuffer devices
    "PySide6/*plugins/egldeviceintegrations/*",  # eglfs on embedded boards
    "PySide6/*plugins/platforms/*qeglfs*",
    "PySide6/*plugins/platforms/*qlinuxfb*",
    "PySide6/*plugins/platforms/*qminimalegl*",
    "PySide6/*plugins/platforms/*qvnc*",
    "PySide6/*plugins/platforms/*qvkkhrdisplay*",
    "PySide6/*Qt6EglFSDeviceIntegration*",
    "PySide6/*Qt6EglFsKmsSupport*",
    "PySide6/*Qt6EglFsKmsGbmSupport*",
)
UNUSED_QT_MODULES = ("PySide6.QtNetwork", "PySide6.QtTest")


def is_unused_qt_file(bundle_path: str) -> bool:
    """True for a file of Qt that evsurvey never loads (``bundle_path`` as in a PyInstaller TOC)."""
    path = bundle_path.replace("\\", "/")
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in UNUSED_QT_PATTERNS)


def windows_version_numbers(version: str) -> tuple[int, int, int, int]:
    """The four numbers of a Windows version resource from a PEP 440 version ("0.1.0rc1" -> 0, 1, 0, 0)."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    numbers = [int(n) for n in release.group(0).split(".")][:4] if release else []
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def macos_info_plist(version: str) -> dict:
    """The Info.plist keys of evsurvey.app beyond those PyInstaller's BUNDLE writes itself."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHighResolutionCapable": True,
        "NSHumanReadableCopyright": "MIT License, evsurvey developers",
        # Qt 6.8 and later need macOS 12.
        "LSMinimumSystemVersion": "12.0",
        "LSApplicationCategoryType": "public.app-category.utilities",
        # CoreWLAN withholds BSSIDs (since macOS 10.15) and SSIDs too (since 14 Sonoma)
        # from apps without Location permission (see survey/scan/backends/corewlan.py);
        # macOS shows this text in the permission prompt and refuses it without one.
        "NSLocationWhenInUseUsageDescription": (
            "evsurvey reads the names (SSIDs) and addresses (BSSIDs) of nearby Wi-Fi networks to "
            "map their signal where the EV charger will hang. macOS only reveals them to apps "
            "allowed to use Location. evsurvey does not look up or store where you are."
        ),
        "NSLocationUsageDescription": (
            "evsurvey needs Location access only because macOS hides the names and addresses of "
            "nearby Wi-Fi networks without it; they are what a site survey measures. "
            "evsurvey does not look up or store where you are."
        ),
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "evsurvey project",
                "CFBundleTypeRole": "Editor",
                "LSHandlerRank": "Owner",
                "LSItemContentTypes": [DOCUMENT_UTI],
                "CFBundleTypeIconFile": "evsurvey.icns",
            }
        ],
        # The type the document entry above refers to: *.evsurvey, an SQLite database.
        "UTExportedTypeDeclarations": [
            {
                "UTTypeIdentifier": DOCUMENT_UTI,
                "UTTypeDescription": "evsurvey project",
                "UTTypeConformsTo": ["public.database", "public.data"],
                "UTTypeIconFile": "evsurvey.icns",
                "UTTypeTagSpecification": {
                    "public.filename-extension": ["evsurvey"],
                    "public.mime-type": [PROJECT_MIME_TYPE],
                },
            }
        ],
    }
