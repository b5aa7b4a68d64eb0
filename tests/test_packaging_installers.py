"""The installers' own files: the Inno Setup script, the macOS Info.plist, the lean Qt filter,
the Linux build script and CI step, and the freedesktop validators on the Linux metadata.

ISCC (Inno Setup's compiler) is a Windows program that no registry package provides for
Linux without Wine, so the .iss is checked here for the sections and values a per-user
installer with a file association needs; packaging/README.md tells how to compile it.
"""

from __future__ import annotations

import importlib.util
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ISS = PACKAGING / "windows" / "evsurvey.iss"
LINUX = PACKAGING / "linux"


def _bundle_info():
    spec = importlib.util.spec_from_file_location("bundle_info", PACKAGING / "pyinstaller" / "bundle_info.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_info = _bundle_info()


# -- Inno Setup --------------------------------------------------------------------------------


def _iss() -> tuple[list[str], dict[str, list[str]]]:
    """(preprocessor lines, {section: its lines}) of the .iss, comments and blanks dropped."""
    preprocessor: list[str] = []
    sections: dict[str, list[str]] = {}
    current = None
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("#"):
            preprocessor.append(line)
        elif re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            sections[current] = []
        else:
            sections[current].append(line)
    return preprocessor, sections


def _setup() -> dict[str, str]:
    return dict(line.split("=", 1) for line in _iss()[1]["Setup"])


def _entries(section: str) -> list[dict[str, str]]:
    """``Name: "x"; Flags: a b`` lines as dicts (Inno's quoting: "" is one quote)."""
    field = re.compile(r'\s*(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)')
    out = []
    for line in _iss()[1][section]:
        entry = {}
        for key, value in field.findall(line):
            entry[key] = value[1:-1].replace('""', '"') if value.startswith('"') else value.strip()
        out.append(entry)
    return out


def test_iss_is_a_per_user_install_with_an_uninstaller():
    setup = _setup()
    assert setup["PrivilegesRequired"] == "lowest"  # no UAC prompt, HKCU, %LOCALAPPDATA%\Programs
    assert setup["DefaultDirName"] == r"{autopf}\evsurvey"
    assert setup["Uninstallable"] == "yes" and setup["UninstallDisplayIcon"] == r"{app}\{#GuiExe}"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["ChangesAssociations"] == "yes"
    assert setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    for key in ("LicenseFile", "SetupIconFile"):  # relative to the .iss, as ISCC reads them
        assert (ISS.parent / setup[key].replace("\\", "/")).is_file(), key


def test_iss_takes_the_version_from_the_frozen_exe():
    preprocessor, _ = _iss()
    setup = _setup()
    assert f'#define GuiExe "{bundle_info.WINDOWS_GUI_EXE}.exe"' in preprocessor
    assert "#define AppVersion GetFileProductVersionString(AddBackslash(DistDir) + GuiExe)" in preprocessor
    assert any(line.startswith("#error") for line in preprocessor)  # no folder, no installer
    assert setup["AppVersion"] == "{#AppVersion}" and "{#AppVersion}" in setup["OutputBaseFilename"]
    assert setup["VersionInfoVersion"] == "{#GetVersionNumbersString(AddBackslash(DistDir) + GuiExe)}"


def test_iss_installs_the_whole_folder_and_a_start_menu_entry():
    (files,) = _entries("Files")
    assert files["Source"] == r"{#DistDir}\*" and files["DestDir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs"} <= set(files["Flags"].split())
    start_menu = [e for e in _entries("Icons") if e["Name"].startswith("{autoprograms}")]
    assert [e["Filename"] for e in start_menu] == [r"{app}\{#GuiExe}"]  # the windowed program


def test_iss_associates_evsurvey_files_with_the_windowed_program():
    registry = _entries("Registry")
    assert {e["Root"] for e in registry} == {"HKA"}  # HKCU in a per-user install
    by_key = {(e["Subkey"], e["ValueName"]): e for e in registry}
    ext = by_key[(r"Software\Classes\.evsurvey", "")]
    assert ext["ValueData"] == "{#ProgId}" and "uninsdeletevalue" in ext["Flags"]
    assert by_key[(r"Software\Classes\.evsurvey", "Content Type")]["ValueData"] == bundle_info.PROJECT_MIME_TYPE
    command = by_key[(r"Software\Classes\{#ProgId}\shell\open\command", "")]
    assert command["ValueData"] == r'"{app}\{#GuiExe}" "%1"'
    assert "uninsdeletekey" in by_key[(r"Software\Classes\{#ProgId}", "")]["Flags"]


def test_iss_offers_the_location_settings_after_install():
    pages = [e for e in _entries("Run") if e["Filename"] == "ms-settings:privacy-location"]
    assert len(pages) == 1 and {"shellexec", "postinstall", "unchecked"} <= set(pages[0]["Flags"].split())


# -- macOS ---------------------------------------------------------------------------------------


def test_info_plist_declares_location_use_bundle_id_and_the_project_document():
    plist = plistlib.loads(plistlib.dumps(bundle_info.macos_info_plist("1.2.3")))  # serialisable as written
    assert plist["CFBundleIdentifier"] == "io.github.evsurvey"
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == "1.2.3"
    assert "Wi-Fi" in plist["NSLocationWhenInUseUsageDescription"]
    (document,) = plist["CFBundleDocumentTypes"]
    (exported,) = plist["UTExportedTypeDeclarations"]
    assert document["LSItemContentTypes"] == [exported["UTTypeIdentifier"]] == ["io.github.evsurvey.project"]
    assert exported["UTTypeTagSpecification"]["public.filename-extension"] == ["evsurvey"]
    assert exported["UTTypeTagSpecification"]["public.mime-type"] == ["application/x-evsurvey"]


def test_spec_hands_the_plist_and_the_version_to_pyinstaller():
    spec = (PACKAGING / "pyinstaller" / "evsurvey.spec").read_text(encoding="utf-8")
    assert "info_plist=macos_info_plist(VERSION)" in spec and "bundle_identifier=BUNDLE_ID" in spec
    assert 'VERSION = importlib.metadata.version("evsurvey")' in spec
    assert "version=_windows_version_info() if IS_WIN else None" in spec


@pytest.mark.parametrize(
    "version, numbers",
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2.3.4.5", (1, 2, 3, 4)),
        ("2.0rc1", (2, 0, 0, 0)),
        ("3", (3, 0, 0, 0)),
    ],
)
def test_windows_version_numbers_from_pep440(version, numbers):
    assert bundle_info.windows_version_numbers(version) == numbers


# -- lean bundle ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, unused",
    [
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6\\translations\\qt_fr.qm", True),  # Windows layout and separators
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", True),
        ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
        ("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6", False),  # pyqtgraph needs it
        ("survey/_assets/demo/floorplan.png", False),
    ],
)
def test_unused_qt_filter(path, unused):
    assert bundle_info.is_unused_qt_file(path) is unused


def test_frozen_platform_check_finds_the_bundled_x11_library(tmp_path, monkeypatch):
    from survey.ui import platform_check

    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")
    assert platform_check._bundled_library("xcb-cursor") is None  # not frozen: the system decides
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert platform_check._bundled_library("xcb-cursor") == str(tmp_path / "libxcb-cursor.so.0")
    assert platform_check._bundled_library("xcb-icccm") is None


# -- Linux build script and CI -------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("bash") is None, reason="build-linux is a bash script")
def test_build_linux_is_valid_bash():
    subprocess.run(["bash", "-n", str(PACKAGING / "build-linux")], check=True)


def test_ci_runs_the_linux_build_only_when_asked():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r'if \[ "\$\{CI_PACKAGING:-0\}" = 1 \]; then', ci)
    assert "packaging/build-linux" in ci


# -- freedesktop validators ----------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is missing (Debian: desktop-file-utils; .ci/run installs it)",
)
def test_desktop_file_validates():
    done = subprocess.run(
        ["desktop-file-validate", str(LINUX / "evsurvey.desktop")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr  # hints count too


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None, reason="appstreamcli is missing (Debian: appstream; .ci/run installs it)"
)
def test_metainfo_validates():
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--explain", str(LINUX / "io.github.evsurvey.metainfo.xml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="install.sh is a POSIX shell script")
def test_install_sh_in_the_linux_download_points_at_the_bundles_program(tmp_path):
    """The tarball's layout (packaging/build-linux): desktop/ with icons/ beside the program."""
    top = tmp_path / "evsurvey-1.0-linux-x86_64"
    (top / "_internal").mkdir(parents=True)
    program = top / "evsurvey"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    desktop = top / "desktop"
    shutil.copytree(LINUX, desktop)
    shutil.copytree(ROOT / "assets" / "icons", desktop / "icons")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["sh", str(desktop / "install.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    entry = (tmp_path / "share" / "applications" / "evsurvey.desktop").read_text(encoding="utf-8")
    assert f"\nExec={program} %f\n" in entry
    assert (tmp_path / "share" / "icons" / "hicolor" / "64x64" / "apps" / "evsurvey.png").is_file()
