"""Installer and desktop metadata are well-formed and agree with each other (no PyInstaller run)."""

from __future__ import annotations

import configparser
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "assets" / "icons"
SPEC = ROOT / "packaging" / "pyinstaller" / "evsurvey.spec"
PNG_SIZES_PX = (16, 32, 48, 64, 128, 256, 512)
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _desktop_entry() -> configparser.SectionProxy:
    # interpolation off: Exec's %f must stay literal; optionxform keeps the keys' case.
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string((LINUX / "evsurvey.desktop").read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_has_the_keys_a_launcher_needs():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "evsurvey"
    assert entry["Icon"] == "evsurvey"
    assert entry["Terminal"] == "false"
    program, *args = entry["Exec"].split()
    assert program == "evsurvey-gui"  # pyproject's gui-script: no console window
    assert args == ["%f"]  # one project file from the file manager
    assert entry["TryExec"] == program
    categories = entry["Categories"].split(";")
    assert categories[-1] == ""  # list values end with ';' in the spec
    assert "Network" in categories  # a registered main category, so menus file it
    assert entry["MimeType"].split(";") == ["application/x-evsurvey", ""]


def test_desktop_entry_wm_class_matches_the_qt_application_name():
    from survey.ui import app

    assert _desktop_entry()["StartupWMClass"] == app.APPLICATION


def test_mime_type_globs_evsurvey_files_and_knows_the_sqlite_header():
    root = ET.parse(LINUX / "evsurvey-mime.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime_type,) = root.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == "application/x-evsurvey"
    assert [g.get("pattern") for g in mime_type.findall(f"{MIME_NS}glob")] == ["*.evsurvey"]
    assert mime_type.find(f"{MIME_NS}sub-class-of").get("type") == "application/vnd.sqlite3"
    assert mime_type.find(f"{MIME_NS}icon").get("name") == "evsurvey"
    outer = mime_type.find(f"{MIME_NS}magic/{MIME_NS}match")
    inner = outer.find(f"{MIME_NS}match")
    assert (outer.get("offset"), outer.get("value")) == ("0", "SQLite format 3\\0")
    assert (inner.get("type"), inner.get("offset")) == ("big32", "68")


def test_mime_magic_is_the_application_id_the_project_store_writes():
    from survey.project.store import APPLICATION_ID, SQLITE_MAGIC

    root = ET.parse(LINUX / "evsurvey-mime.xml").getroot()
    outer = root.find(f"{MIME_NS}mime-type/{MIME_NS}magic/{MIME_NS}match")
    inner = outer.find(f"{MIME_NS}match")
    assert int(inner.get("value"), 16) == APPLICATION_ID
    assert outer.get("value").replace("\\0", "\0").encode() == SQLITE_MAGIC


def test_appstream_metainfo_names_the_app_and_its_launcher():
    root = ET.parse(LINUX / "io.github.evsurvey.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.github.evsurvey"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    launchable = root.find("launchable")
    assert (launchable.get("type"), launchable.text) == ("desktop-id", "evsurvey.desktop")
    assert root.find("provides/mediatype").text == "application/x-evsurvey"
    assert {b.text for b in root.findall("provides/binary")} == {"evsurvey", "evsurvey-gui"}
    assert root.findtext("icon") == "evsurvey"


def test_metainfo_release_matches_the_package_version():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    root = ET.parse(LINUX / "io.github.evsurvey.metainfo.xml").getroot()
    releases = [r.get("version") for r in root.findall("releases/release")]
    assert releases and releases[0] == version  # newest first, as AppStream wants


def _png_size_px(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format puts right after the signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("size_px", PNG_SIZES_PX)
def test_icon_png_exists_at_its_stated_size(size_px):
    assert _png_size_px(ICONS / f"evsurvey-{size_px}.png") == (size_px, size_px)


def test_icon_svgs_parse_and_are_square():
    for name in ("evsurvey.svg", "evsurvey-small.svg"):
        root = ET.parse(ICONS / name).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        _, _, width, height = root.get("viewBox").split()
        assert width == height


def test_windows_ico_and_macos_icns_hold_the_sizes_each_os_picks_from():
    from PIL import Image

    with Image.open(ICONS / "evsurvey.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(ICONS / "evsurvey.icns") as icns:
        # Pillow writes the PNG slots (ic07-ic14): 128..1024 px and the Retina 16@2x, 32@2x;
        # macOS scales those down for the rare 1x 16/32 px request.
        sizes = {(w, h, scale) for w, h, scale in icns.info["sizes"]}
        assert {(16, 16, 2), (32, 32, 2), (128, 128, 1), (256, 256, 1), (512, 512, 1), (512, 512, 2)} <= sizes


def test_every_icon_the_installers_copy_is_there():
    install_sh = (LINUX / "install.sh").read_text(encoding="utf-8")
    sizes_line = next(line for line in install_sh.splitlines() if line.startswith("sizes="))
    for size_px in sizes_line.split("=", 1)[1].strip('"').split():
        assert (ICONS / f"evsurvey-{size_px}.png").is_file()
    spec = SPEC.read_text(encoding="utf-8")
    for name in ("evsurvey.icns", "evsurvey.ico"):
        assert f'"{name}"' in spec and (ICONS / name).is_file()


def test_pyinstaller_spec_compiles():
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
    launcher = SPEC.parent / "evsurvey_launcher.py"
    compile(launcher.read_text(encoding="utf-8"), str(launcher), "exec")


def test_spec_bundles_assets_where_paths_looks_for_them():
    spec = SPEC.read_text(encoding="utf-8")
    assert 'Path("survey/_assets")' in spec  # survey/paths.py: here / "_assets"


@pytest.mark.skipif(sys.platform == "win32", reason="install.sh is a POSIX shell script")
def test_install_sh_is_valid_shell_and_installs_into_xdg_data_home(tmp_path):
    script = LINUX / "install.sh"
    subprocess.run(["sh", "-n", str(script)], check=True)
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    share = tmp_path / "share"
    assert (share / "applications" / "evsurvey.desktop").is_file()
    assert (share / "mime" / "packages" / "evsurvey.xml").is_file()
    assert (share / "metainfo" / "io.github.evsurvey.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "evsurvey.svg").is_file()
    for size_px in PNG_SIZES_PX:
        assert _png_size_px(share / "icons" / "hicolor" / f"{size_px}x{size_px}" / "apps" / "evsurvey.png") == (
            size_px,
            size_px,
        )
    done = subprocess.run(["sh", str(script), "--uninstall"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (share / "applications" / "evsurvey.desktop").exists()
    assert not list((share / "icons").rglob("evsurvey.*"))


@pytest.mark.skipif(sys.platform == "win32", reason="install.sh is a POSIX shell script")
def test_install_sh_points_the_launcher_at_a_given_program(tmp_path):
    program = tmp_path / "dist" / "evsurvey"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        ["sh", str(LINUX / "install.sh"), "--exec", str(program)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    desktop = (tmp_path / "share" / "applications" / "evsurvey.desktop").read_text(encoding="utf-8")
    assert f"\nExec={program} %f\n" in desktop and f"\nTryExec={program}\n" in desktop
