"""The demo garage: its data, the project it builds, the headless run and ``evsurvey demo``."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from survey.demo import (
    AFTER,
    BEFORE,
    build_demo_project,
    demo_project,
    load_demo_site,
    run_headless,
    walk_points_m,
)
from survey.project.model import DeviceKind
from survey.project.store import ProjectStore
from survey.rf.materials import DEFAULT_MATERIALS
from survey.scan.simulated import SimulatedScanner

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo():
    return load_demo_site()


def test_site_data_is_complete(demo):
    known = {m.id for m in DEFAULT_MATERIALS}
    assert {w.material_id for w in demo.walls} <= known
    for needed in ("concrete_block", "fire_rated_drywall", "steel_garage_door", "brick", "glass", "wood_door"):
        assert any(w.material_id == needed for w in demo.walls), needed
    kinds = [d.kind for d in demo.devices]
    assert kinds.count(DeviceKind.ROUTER) == 1 and kinds.count(DeviceKind.CHARGER) == 1
    assert DeviceKind.PANEL in kinds and DeviceKind.OUTLET in kinds and DeviceKind.ETHERNET_DROP not in kinds
    xs = [v for w in demo.walls for v in (w.x1_m, w.x2_m)]
    ys = [v for w in demo.walls for v in (w.y1_m, w.y2_m)]
    assert 12 <= max(xs) - min(xs) <= 16 and 8 <= max(ys) - min(ys) <= 12


def test_neighbours_outside_the_plan_on_several_channels(demo):
    neighbours = [a for a in demo.access_points if a.x_m is not None]
    assert len(neighbours) >= 3
    for ap in neighbours:
        nearest = min(math.hypot(ap.x_m - x, ap.y_m - y) for x, y in ((0, 0), (14, 0), (0, 10), (14, 7)))
        assert 12 <= nearest <= 40, ap.ssid
    assert {1, 3, 6, 11} <= {a.channel for a in neighbours if a.band == "2.4"}
    ssids = {a.ssid for a in demo.access_points}
    assert "<b>Free&amp;WiFi</b>" in ssids
    assert any(any(ord(c) > 0xFFFF for c in s) for s in ssids)  # an emoji
    target = [a for a in demo.access_points if a.ssid == demo.target_ssid]
    assert {a.band for a in target} == {"2.4", "5"}  # band steering


def test_floorplan_matches_its_scale(demo):
    fp = demo.floorplan
    width_m, height_m = fp.size_m
    assert fp.image_format == "png" and fp.width_px > 500
    # The image covers every wall.
    assert fp.origin_x_m <= 0 and fp.origin_x_m + width_m >= 14
    assert fp.origin_y_m <= 0 and fp.origin_y_m + height_m >= 10


def test_charger_is_marginal_to_poor_before_any_fix(demo):
    project = demo_project(demo)
    charger = project.charger
    scanner = SimulatedScanner(project, seed=0, delay_s=0)
    router_24 = next(a.bssid for a in demo.access_points if a.ssid == demo.target_ssid and a.band == "2.4")
    level = scanner.mean_rssi_dbm([[charger.x_m, charger.y_m]])[router_24][0]
    assert -77 <= level <= -65


def test_built_project_opens_ready_to_survey(tmp_path, demo):
    path = tmp_path / "demo.evsurvey"
    build_demo_project(path, demo=demo).close()
    with ProjectStore.open(path) as store:
        project = store.load()
    assert project.floorplan is not None and project.floorplan.image == demo.floorplan.image
    assert len(project.walls) == len(demo.walls)
    assert {m.id for m in project.materials} == {m.id for m in DEFAULT_MATERIALS}
    assert project.target.ssid == demo.target_ssid
    assert project.charger_profile_id == "generic_iot"
    assert [s.name for s in project.surveys] == [BEFORE]
    assert project.active_survey.name == BEFORE and project.active_survey.samples == ()
    # The simulated radios are stored in the project, so the GUI's scanner finds them.
    scanner = SimulatedScanner(project, delay_s=0)
    assert any(o.ssid == demo.target_ssid for o in scanner.scan().observations)
    # Building again replaces the file.
    build_demo_project(path, demo=demo).close()


def test_headless_run_writes_project_and_report(tmp_path):
    summary = run_headless(tmp_path, seed=0)
    with ProjectStore.open(summary.project_path, read_only=True) as store:
        project = store.load()
    points = walk_points_m()
    before = project.survey_named(BEFORE)
    assert len(before.samples) == len(points)
    assert all(len(s.scans) == 2 for s in before.samples)
    np.testing.assert_allclose([(s.x_m, s.y_m) for s in before.samples], points)
    by_name = {s.name: s for s in summary.surveys}
    assert -80 < by_name[BEFORE].charger_rssi_dbm < -64
    if summary.applied_fix is not None:
        after = project.survey_named(AFTER)
        assert len(after.samples) == len(points)
        assert by_name[AFTER].charger_rssi_dbm > by_name[BEFORE].charger_rssi_dbm + 10
        assert any(d.kind.transmits and d.kind is not DeviceKind.ROUTER for d in project.devices)
    assert summary.report_path is not None and summary.report_path.read_bytes()[:5] == b"%PDF-"
    assert json.dumps(summary.to_json(), ensure_ascii=False)


def _cli(*args, cwd, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-c", "from survey.cli import main; raise SystemExit(main())", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_cli_demo_headless(tmp_path):
    out = tmp_path / "out"
    proc = _cli("demo", "--headless", "-o", str(out), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert Path(summary["project"]).exists()
    assert summary["surveys"][0]["name"] == BEFORE and summary["surveys"][0]["samples"] == len(walk_points_m())
    with ProjectStore.open(out / "demo.evsurvey", read_only=True) as store:
        assert store.load().survey_named(BEFORE).samples


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the no-display fallback is Linux-only")
def test_cli_demo_without_display_runs_headless(tmp_path):
    env = {k: "" for k in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = _cli("demo", cwd=tmp_path, env_extra=env)
    assert proc.returncode == 0, proc.stderr
    assert "No display" in proc.stderr
    assert (tmp_path / "evsurvey-demo" / "demo.evsurvey").exists()
    assert "samples" in proc.stdout
