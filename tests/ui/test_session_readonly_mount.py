"""A valid project on a really read-only medium: a tmpfs mounted read-only in a private
mount namespace (``unshare``, so nothing outside this test sees it). The CLI reads it, the
store refuses to write it with a "read-only" message (not "damaged"), the window opens it
read-only and File → Save As works from there; nothing appears on the medium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from project_files import make_project, sample_xs, subprocess_env

INSIDE = textwrap.dedent("""
    import contextlib, io, json, os, sys
    sys.path.insert(0, sys.argv[3])
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from project_files import sample_at
    from survey.cli import main
    from survey.errors import EvSurveyError
    from survey.project.store import ProjectReadOnlyError, ProjectStore
    from survey.ui import dialogs
    from survey.ui.main_window import MainWindow
    from survey.ui.survey_commands import AddSampleCommand

    mount, out_dir = sys.argv[1], sys.argv[2]
    path = os.path.join(mount, "site.evsurvey")
    before = sorted(os.listdir(mount))
    result = {}
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result["info"] = [main(["info", path, "--json"]), json.loads(out.getvalue())["surveys"], err.getvalue()]
    try:
        ProjectStore.open(path)
        result["store"] = "opened for writing"
    except ProjectReadOnlyError as exc:
        result["store"] = str(exc)

    app = QApplication([])
    shown = []
    dialogs.show_error = lambda parent, title, message: shown.append([title, message])
    copy = os.path.join(out_dir, "copy.evsurvey")
    dialogs.ask_save_project_path = lambda *a, **k: copy
    window = MainWindow(settings=QSettings(os.path.join(out_dir, "s.ini"), QSettings.Format.IniFormat))
    result["opened"] = window.open_project(path)
    result["title"] = window.windowTitle()
    result["shown"] = shown
    result["wall tool"] = window.tool_actions["wall"].isEnabled()
    session = window.session
    try:
        session.push(AddSampleCommand(session, session.project.active_survey.id, sample_at(50)))
        result["sample"] = "saved"
    except EvSurveyError as exc:
        result["sample"] = str(exc)
    window.save_as_action.trigger()
    result["after save as"] = [window.windowTitle(), str(session.path), session.writable,
                               window.tool_actions["wall"].isEnabled()]
    session.close()
    result["medium unchanged"] = sorted(os.listdir(mount)) == before
    print(json.dumps(result))
""")


def _read_only_mounts_possible() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt && mount -o remount,ro /mnt"],
        capture_output=True,
        timeout=20,
    )
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _read_only_mounts_possible(), reason="no private mount namespace (unshare -rm) here")
def test_a_project_on_read_only_media(tmp_path):
    source = tmp_path / "site.evsurvey"
    make_project(source, n_samples=3)
    mount = tmp_path / "medium"
    mount.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    shell = (
        'mount -t tmpfs -o size=64m tmpfs "$1" && cp "$2" "$1"/ && mount -o remount,ro "$1" '
        '&& exec "$3" -c "$4" "$1" "$5" "$6"'
    )
    proc = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            shell,
            "sh",
            str(mount),
            str(source),
            sys.executable,
            INSIDE,
            str(out),
            str(Path(__file__).parents[1]),
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    code, surveys, stderr = result["info"]
    assert code == 0 and surveys == [{"name": "Before", "samples": 3}] and stderr == ""
    assert result["store"].startswith("read-only: site.evsurvey") and "Save As" in result["store"]
    assert "damaged" not in result["store"]
    assert result["opened"] and "(read-only)" in result["title"]
    assert result["shown"][0][0] == "Opened read-only" and "Save As" in result["shown"][0][1]
    assert result["wall tool"] is False
    assert "read-only" in result["sample"] and "kept in memory" in result["sample"]
    title, new_path, writable, wall_tool = result["after save as"]
    assert "read-only" not in title and new_path == str(out / "copy.evsurvey") and writable and wall_tool
    assert result["medium unchanged"]
    assert sample_xs(out / "copy.evsurvey") == [0.0, 0.1, 0.2, 5.0]
