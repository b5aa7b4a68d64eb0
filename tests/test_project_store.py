"""The .evsurvey file: round trip, refusal of bad files without touching them, crash safety."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from survey.project.model import (
    Device,
    DeviceKind,
    Floorplan,
    Material,
    Observation,
    Project,
    Sample,
    SampleMode,
    ScanResult,
    Site,
    Survey,
    TargetNetwork,
    Wall,
    merge_observations,
)
from survey.project.store import (
    SCHEMA_VERSION,
    CorruptProjectError,
    NewerVersionError,
    NotAProjectError,
    ProjectReadOnlyError,
    ProjectStore,
)

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _obs(bssid: str, ssid: str, rssi: float, **kw) -> Observation:
    return Observation(bssid=bssid, ssid=ssid, rssi_dbm=rssi, freq_mhz=2437.0, channel=6, band="2.4", **kw)


def _sample(x: float, y: float, t: float, rssi: float) -> Sample:
    scan = ScanResult(
        observations=(
            _obs(
                "aa:bb:cc:00:00:01",
                "Home",
                rssi,
                auth=("WPA2-PSK",),
                ciphers=("CCMP",),
                wps=False,
                station_count=3,
                channel_utilization_pct=12.5,
                ssid_raw=b"Home",
            ),
            _obs("aa:bb:cc:00:00:02", "<b>&amp;\u202e😀", rssi - 10, ssid_raw="<b>&amp;\u202e😀".encode()),
            Observation(bssid="aa:bb:cc:00:00:03", ssid="", rssi_dbm=None, signal_pct=40.0, rssi_estimated=True),
        ),
        started_at=t,
        finished_at=t + 2.5,
        backend="simulated",
        warnings=("cached",),
    )
    return Sample(x_m=x, y_m=y, taken_at=t + 2.5, scans=(scan, scan), mode=SampleMode.POINT)


def full_project() -> Project:
    return Project(
        site=Site(
            customer="Ana Müller",
            address="1 Rue de l'Église",
            installer="Volt & Co",
            survey_date="2026-11-25",
            notes="gate code 1234",
            north_deg=90.0,
        ),
        units="ft",
        floorplan=Floorplan(
            image=PNG_1PX,
            image_format="png",
            width_px=1,
            height_px=1,
            metres_per_px=0.02,
            origin_x_m=1.0,
            origin_y_m=2.0,
            rotation_deg=90,
            opacity=0.7,
            source_name="plan.png",
        ),
        walls=(Wall(0, 0, 10, 0, "concrete_block"), Wall(10, 0, 10, 8, "steel_garage_door")),
        materials=(
            Material("concrete_block", "Concrete block", 13.6, 10, 18, "Muqaibel", "#777777"),
            Material("steel_garage_door", "Steel roll-up door", 11, 8, 20, "planner default", "#3366aa"),
        ),
        devices=(
            Device(DeviceKind.ROUTER, 2, 3, label="ISP router", eirp_dbm=20.0, bssids=("aa:bb:cc:00:00:01",)),
            Device(DeviceKind.CHARGER, 9, 7, label="Pulsar Plus"),
            Device(DeviceKind.MESH_NODE, 5, 4, planned=True),
        ),
        surveys=(
            Survey("Before", 1000.0, samples=(_sample(1, 1, 1000, -60), _sample(2, 1, 1010, -70))),
            Survey("After", 2000.0, samples=(_sample(1, 1, 2000, -50),)),
        ),
        target=TargetNetwork("Home", ("aa:bb:cc:00:00:01",)),
        charger_profile_id="wallbox_pulsar_plus",
        settings={"scans_per_point": 3},
    )


def _strip_ids(p: Project) -> Project:
    from dataclasses import replace

    return replace(
        p,
        walls=tuple(replace(w, id=None) for w in p.walls),
        devices=tuple(replace(d, id=None) for d in p.devices),
        surveys=tuple(replace(s, id=None, samples=tuple(replace(x, id=None) for x in s.samples)) for s in p.surveys),
        active_survey_id=None,
    )


def test_round_trip_equals_original(tmp_path):
    original = full_project()
    path = tmp_path / "site.evsurvey"
    ProjectStore.create(path, original).close()
    with ProjectStore.open(path) as store:
        loaded = store.load()
    assert _strip_ids(loaded) == _strip_ids(original)
    assert loaded.settings == original.settings
    assert all(w.id is not None for w in loaded.walls)
    assert [len(s.samples) for s in loaded.surveys] == [2, 1]


def test_edits_are_in_the_file_at_once(tmp_path):
    path = tmp_path / "p.evsurvey"
    store = ProjectStore.create(path, Project())
    survey = store.add_survey("Before")
    wall_id = store.add_wall(Wall(0, 0, 1, 1, "drywall"))
    store.add_device(Device(DeviceKind.PANEL, 1, 2))
    store.add_sample(survey.id, _sample(3, 3, 5, -66))
    store.set_target(TargetNetwork("Home"))
    store.set_active_survey(survey.id)
    # A second connection (another process would see the same) finds everything without a close.
    with ProjectStore.open(path, read_only=True) as other:
        p = other.load()
    assert [w.id for w in p.walls] == [wall_id]
    assert p.active_survey.name == "Before" and len(p.active_survey.samples) == 1
    assert p.target == TargetNetwork("Home")
    store.delete_wall(wall_id)
    assert store.load().walls == ()
    store.close()


def test_read_only_store_refuses_edits(tmp_path):
    path = tmp_path / "p.evsurvey"
    ProjectStore.create(path, full_project()).close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with ProjectStore.open(path, read_only=True) as store:
        assert store.load().site.customer == "Ana Müller"
        with pytest.raises(ProjectReadOnlyError):
            store.add_wall(Wall(0, 0, 1, 0, "drywall"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_closed_store_says_so_and_writes_nothing(tmp_path):
    path = tmp_path / "p.evsurvey"
    store = ProjectStore.create(path, full_project())
    store.add_wall(Wall(0, 0, 1, 0, "drywall"))  # it was writing before it was closed
    store.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(RuntimeError, match="closed"):
        store.load()
    with pytest.raises(RuntimeError, match="closed"):
        store.add_wall(Wall(0, 0, 1, 0, "drywall"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("p.evsurvey-*"))  # no log or lock of a writer opened again


def test_save_as_makes_a_self_contained_copy(tmp_path):
    path = tmp_path / "a.evsurvey"
    store = ProjectStore.create(path, full_project())
    copy = store.save_as(tmp_path / "b.evsurvey")
    copy.add_wall(Wall(0, 5, 5, 5, "brick"))
    assert len(copy.load().walls) == 3 and len(store.load().walls) == 2
    copy.close()
    store.close()
    assert not Path(str(tmp_path / "b.evsurvey") + "-wal").exists()


def test_merge_observations_averages_in_milliwatts():
    a = ScanResult((_obs("aa:00:00:00:00:01", "x", -50.0),), 0, 1, "t")
    b = ScanResult((_obs("aa:00:00:00:00:01", "x", -70.0),), 1, 2, "t")
    (merged,) = merge_observations([a, b])
    # mean of 1e-5 mW and 1e-7 mW is 5.05e-6 mW = -52.97 dBm, not the -60 of a dBm mean
    assert merged.rssi_dbm == pytest.approx(-52.97, abs=0.01)


# -- files that are not usable projects: a clear error, the file untouched ---------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_bad_files(tmp_path: Path) -> dict[str, tuple[Path, type]]:
    files = {}
    empty = tmp_path / "empty.evsurvey"
    empty.write_bytes(b"")
    files["zero-byte"] = (empty, NotAProjectError)
    png = tmp_path / "photo.evsurvey"
    png.write_bytes(PNG_1PX * 50)
    files["png renamed"] = (png, NotAProjectError)

    good = tmp_path / "good.evsurvey"
    ProjectStore.create(good, full_project()).close()
    data = good.read_bytes()
    truncated = tmp_path / "truncated.evsurvey"
    truncated.write_bytes(data[: len(data) // 2])
    files["truncated"] = (truncated, CorruptProjectError)

    future = tmp_path / "future.evsurvey"
    ProjectStore.create(future, full_project()).close()
    db = sqlite3.connect(future)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    files["from the future"] = (future, NewerVersionError)

    missing = tmp_path / "missing-table.evsurvey"
    ProjectStore.create(missing, full_project()).close()
    db = sqlite3.connect(missing)
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("DROP TABLE walls")
    db.commit()
    db.close()
    files["missing a table"] = (missing, CorruptProjectError)

    other = tmp_path / "other.evsurvey"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    files["other sqlite"] = (other, NotAProjectError)
    return files


@pytest.mark.parametrize("read_only", [False, True])
def test_bad_files_give_a_clear_error_and_stay_unchanged(tmp_path, read_only):
    for label, (path, error) in _make_bad_files(tmp_path).items():
        before = _digest(path)
        siblings = sorted(p.name for p in tmp_path.iterdir())
        with pytest.raises(error) as info:
            ProjectStore.open(path, read_only=read_only)
        message = str(info.value)
        assert path.name in message, label
        assert any(w in message for w in ("Restore", "Open a .evsurvey", "Update evsurvey", "copy")), (label, message)
        assert _digest(path) == before, f"{label}: file was modified"
        assert sorted(p.name for p in tmp_path.iterdir()) == siblings, f"{label}: side files were created"


def test_cli_info_reports_bad_file_without_traceback(tmp_path):
    bad = tmp_path / "x.evsurvey"
    bad.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "survey", "info", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "empty" in proc.stderr


def test_cli_info_json(tmp_path):
    import json

    path = tmp_path / "p.evsurvey"
    ProjectStore.create(path, full_project()).close()
    proc = subprocess.run([sys.executable, "-m", "survey", "info", str(path), "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["surveys"] == [{"name": "Before", "samples": 2}, {"name": "After", "samples": 1}]
    assert {d["kind"] for d in info["devices"]} == {"router", "charger", "mesh_node"}


# -- crash safety ---------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from survey.project.model import Observation, Sample, ScanResult
    from survey.project.store import ProjectStore
    store = ProjectStore.open(sys.argv[1])
    survey_id = int(sys.argv[2])
    i = 0
    while True:
        t = time.time()
        obs = tuple(Observation(bssid=f"02:00:00:00:{i % 256:02x}:{k:02x}", ssid=f"net{k}", rssi_dbm=-40.0 - k,
                                freq_mhz=2412.0 + 5 * (k % 13), channel=1 + k % 13, band="2.4") for k in range(30))
        sid = store.add_sample(survey_id, Sample(x_m=i * 0.1, y_m=1.0, taken_at=t,
                                                 scans=(ScanResult(obs, t, t, "fake"),)))
        print(sid, flush=True)
        i += 1
""")


def test_samples_survive_sigkill(tmp_path):
    path = tmp_path / "crash.evsurvey"
    store = ProjectStore.create(path, Project())
    survey_id = store.add_survey("Before").id
    store.close()
    rng = random.Random(20261125)
    reported: set[int] = set()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for _ in range(24):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(survey_id)], stdout=subprocess.PIPE, text=True, env=env
        )
        # Kill at a random moment after the writer has started writing (first id seen).
        first = proc.stdout.readline()
        assert first.strip(), "writer did not start"
        reported.add(int(first))
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        # Only complete lines were reported saved; a line cut by the kill is not a report.
        lines = out.split("\n")
        reported.update(int(x) for x in lines[:-1] if x.strip())
        with ProjectStore.open(path, read_only=True) as check:
            stored = {s.id for s in check.load().surveys[0].samples}
        assert reported <= stored
    assert len(reported) > 24
    with ProjectStore.open(path) as store:
        project = store.load()
        assert all(len(s.scans[0].observations) == 30 for s in project.surveys[0].samples)
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_undecodable_ssid_is_stored_with_its_raw_bytes(tmp_path):
    raw = b"caf\xe9\xff"
    broken = raw.decode("utf-8", "surrogateescape")  # what a careless decoder hands over
    scan = ScanResult((Observation(bssid="02:00:00:00:00:01", ssid=broken, ssid_raw=raw, rssi_dbm=-60.0),), 0, 1, "t")
    with ProjectStore.create(tmp_path / "p.evsurvey", Project()) as store:
        survey = store.add_survey("Before")
        store.add_sample(survey.id, Sample(0, 0, 1, (scan,)))
        (obs,) = store.load().surveys[0].samples[0].scans[0].observations
    assert obs.ssid_raw == raw and obs.ssid == "caf\ufffd\ufffd"


def test_move_samples_keeps_ids_and_scans(tmp_path):
    with ProjectStore.create(tmp_path / "p.evsurvey", full_project()) as store:
        before = store.load().surveys[0].samples
        store.move_samples({s.id: (s.x_m * 2, s.y_m * 2) for s in before})
        after = store.load().surveys[0].samples
    assert [s.id for s in after] == [s.id for s in before]
    assert [(s.x_m, s.y_m) for s in after] == [(s.x_m * 2, s.y_m * 2) for s in before]
    assert [s.scans for s in after] == [s.scans for s in before]
