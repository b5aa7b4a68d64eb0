"""The built wheel works on its own: installed outside the checkout, with pip-style and ``uv tool``.

Builds the wheel with ``uv build``, installs it into a fresh virtual environment and with
``uv tool install`` (its own UV_TOOL_DIR and UV_TOOL_BIN_DIR), each in a temporary
folder, and runs ``evsurvey --version``, ``demo --headless`` (project and PDF) and
``scan --from-file`` from there: assets, fonts, the demo site and the profiles must all
come from the installed package. Dependencies are pinned to uv.lock (exported as
constraints) so the installs come from uv's cache that ``uv sync`` filled. In the default
suite because it stays well under a minute (about 35 s on 2 shared cores with uv's cache
warm; uv hard-links the packages into both environments); marked ``slow`` so
``-m "not slow"`` skips it while iterating.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCAN_FIXTURE = ROOT / "tests" / "fixtures" / "scan" / "netsh-de-win11.txt"
SCAN_FIXTURE_BSSIDS = 9
UV = shutil.which("uv")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(UV is None, reason="uv is not on PATH (.ci/run installs it)"),
]


def _pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"', text, re.MULTILINE).group(1)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without the checkout's virtual environment or import path in it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT"}
    }
    env.update(extra)
    return env


def _run(argv, cwd: Path, env: dict[str, str], timeout_s: float = 240) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s)
    assert done.returncode == 0, f"{argv} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The wheel, and uv.lock's runtime pins as a constraints file."""
    out = tmp_path_factory.mktemp("wheel")
    env = _clean_env()
    _run([UV, "build", "--wheel", "--out-dir", out, ROOT], cwd=out, env=env)
    (wheel,) = out.glob("evsurvey-*.whl")
    pins = out / "constraints.txt"
    _run(
        [
            UV,
            "export",
            "--project",
            ROOT,
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--format",
            "requirements-txt",
            "-o",
            pins,
        ],
        cwd=out,
        env=env,
    )
    return wheel, pins


def _smoke(evsurvey: Path, work: Path, env: dict[str, str]) -> None:
    """The three commands an installer runs first, from a folder that is not the checkout."""
    version = _run([evsurvey, "--version"], work, env).stdout.strip()
    assert version == f"evsurvey {_pyproject_version()}"

    _run([evsurvey, "demo", "--headless", "-o", work / "demo"], work, env)
    project, report = work / "demo" / "demo.evsurvey", work / "demo" / "demo-report.pdf"
    assert project.stat().st_size > 0
    from pypdf import PdfReader

    pages = PdfReader(str(report)).pages
    assert len(pages) > 1
    assert version in pages[0].extract_text()  # the footer names the installed version

    scan_file = work / "networks.txt"
    shutil.copyfile(SCAN_FIXTURE, scan_file)
    scan = json.loads(_run([evsurvey, "scan", "--from-file", scan_file, "--json"], work, env).stdout)
    assert scan["format"] == "netsh" and len(scan["observations"]) == SCAN_FIXTURE_BSSIDS


def test_wheel_carries_the_assets_the_app_loads(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    for must in ("survey/_assets/demo/floorplan.png", "survey/_assets/icons/evsurvey-64.png"):
        assert must in names, must
    assert any(n.startswith("survey/_assets/fonts/") and n.endswith(".ttf") for n in names)
    assert any(n.startswith("survey/_assets/profiles/") for n in names)
    assert not any(n.startswith(("tests/", "packaging/")) for n in names)


def test_wheel_in_a_fresh_venv_outside_the_checkout(built, tmp_path):
    wheel, pins = built
    env = _clean_env()
    venv = tmp_path / "venv"
    _run([UV, "venv", "--python", sys.executable, venv], tmp_path, env)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([UV, "pip", "install", "--python", python, "-c", pins, wheel], tmp_path, env)
    where = _run(
        [python, "-c", "import survey.paths as p; print(p.__file__); print(p.assets_dir())"], tmp_path, env
    ).stdout.splitlines()
    assert all(Path(line).resolve().is_relative_to(venv.resolve()) for line in where), where
    _smoke(venv / ("Scripts/evsurvey.exe" if os.name == "nt" else "bin/evsurvey"), tmp_path, env)


def test_uv_tool_install_of_the_wheel(built, tmp_path):
    wheel, pins = built
    bin_dir = tmp_path / "bin"
    env = _clean_env(UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(bin_dir))
    _run([UV, "tool", "install", "--python", sys.executable, "-c", pins, wheel], tmp_path, env)
    assert (bin_dir / ("evsurvey-gui.exe" if os.name == "nt" else "evsurvey-gui")).exists()
    _smoke(bin_dir / ("evsurvey.exe" if os.name == "nt" else "evsurvey"), tmp_path, env)
