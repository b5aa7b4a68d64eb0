"""The simulated scanner: deterministic, physically plausible, and faithful to hostile SSIDs."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from survey.project.model import Device, DeviceKind, Project, TargetNetwork, Wall
from survey.rf.materials import DEFAULT_MATERIALS
from survey.scan.base import Scanner, ScanTimeout
from survey.scan.simulated import (
    HEARD_THRESHOLD_DBM,
    SIMULATION_SETTING,
    ScanCancelled,
    SimulatedBss,
    SimulatedScanner,
    radio_plan,
    shadowing_field,
    simulation_setting,
)

ROUTER_24 = "aa:00:00:00:00:01"
ROUTER_5 = "aa:00:00:00:00:05"
HOSTILE = "<b>Free&amp;WiFi</b>"
EMOJI = "Café Ünïcödé 📶🏠"
CONTROL = "tab\there\x1b[31m"


def garage_project(*, extra_devices=()) -> Project:
    """A 10 m x 6 m box split by a steel roll-up door at x = 5, router on the left."""
    walls = (
        Wall(0, 0, 10, 0, "concrete_block"),
        Wall(0, 6, 10, 6, "concrete_block"),
        Wall(0, 0, 0, 6, "concrete_block"),
        Wall(10, 0, 10, 6, "concrete_block"),
        Wall(5, 0, 5, 6, "steel_garage_door"),
    )
    bss = [
        SimulatedBss(ROUTER_24, "Home", "2.4", 6, 20.0, wps=True, station_count=3, channel_utilization_pct=20.0),
        SimulatedBss(ROUTER_5, "Home", "5", 36, 20.0),
        SimulatedBss("bb:00:00:00:00:01", HOSTILE, "2.4", 6, 20.0, x_m=-8.0, y_m=3.0, auth=("OPEN",)),
        SimulatedBss("bb:00:00:00:00:02", EMOJI, "2.4", 11, 20.0, x_m=-8.0, y_m=1.0, auth=("WPA3-SAE",)),
        SimulatedBss("bb:00:00:00:00:03", CONTROL, "2.4", 1, 20.0, x_m=-8.0, y_m=5.0),
        SimulatedBss("bb:00:00:00:00:04", "far away", "2.4", 3, 0.0, x_m=400.0, y_m=400.0),
    ]
    devices = (
        Device(DeviceKind.ROUTER, 1.0, 3.0, bssids=(ROUTER_24, ROUTER_5)),
        Device(DeviceKind.CHARGER, 9.5, 3.0),
        *extra_devices,
    )
    return Project(
        walls=walls,
        materials=DEFAULT_MATERIALS,
        devices=devices,
        target=TargetNetwork("Home"),
        settings={SIMULATION_SETTING: simulation_setting(bss)},
    )


def scan_at(scanner, x, y):
    scanner.move_to(x, y)
    return {o.bssid: o for o in scanner.scan().observations}


def test_satisfies_the_scanner_protocol():
    scanner = SimulatedScanner(garage_project(), delay_s=0)
    assert isinstance(scanner, Scanner)
    assert scanner.name == "simulated"
    assert scanner.scan().backend == "simulated"


def test_same_seed_same_readings_other_seed_other_field():
    def walk(seed):
        s = SimulatedScanner(garage_project(), seed=seed, delay_s=0)
        out = []
        for x in (2.0, 4.0, 7.0, 9.0):
            out.append(sorted((o.bssid, o.rssi_dbm, o.channel_utilization_pct) for o in scan_at(s, x, 2.0).values()))
        return out

    assert walk(3) == walk(3)
    assert walk(3) != walk(4)


def test_steel_door_attenuates():
    scanner = SimulatedScanner(garage_project(), delay_s=0, shadowing_sigma_db=0.0, jitter_db=0.0)
    front, behind = scanner.mean_rssi_dbm([[4.8, 3.0], [5.2, 3.0]])[ROUTER_24]
    # 3.8 m -> 4.2 m costs 30 log10(4.2 / 3.8) = 1.3 dB; the rest is the door's 11 dB.
    assert 11.0 < front - behind - 1.3 < 11.1


def test_five_ghz_dies_faster_through_walls():
    scanner = SimulatedScanner(garage_project(), delay_s=0, shadowing_sigma_db=0.0, jitter_db=0.0)
    levels = scanner.mean_rssi_dbm([[4.8, 3.0], [5.2, 3.0]])
    drop_24 = levels[ROUTER_24][0] - levels[ROUTER_24][1]
    drop_5 = levels[ROUTER_5][0] - levels[ROUTER_5][1]
    assert drop_5 > drop_24 + 5.0
    assert np.all(levels[ROUTER_5] < levels[ROUTER_24])


def test_jitter_is_about_one_and_a_half_db():
    scanner = SimulatedScanner(garage_project(), seed=1, delay_s=0)
    scanner.move_to(3.0, 3.0)
    readings = [next(o.rssi_dbm for o in scanner.scan().observations if o.bssid == ROUTER_24) for _ in range(400)]
    assert 1.3 < np.std(readings) < 1.8  # 1.5 dB plus the whole-dBm rounding (1/12 dB^2)
    assert all(float(r).is_integer() for r in readings)


def test_shadowing_field_has_the_asked_spread_and_correlation():
    xy = np.random.default_rng(0).uniform(0, 200, size=(4000, 2))
    values = np.concatenate(
        [shadowing_field(seed, "aa:bb", sigma_db=4.0, correlation_length_m=2.0)(xy) for seed in range(20)]
    )
    assert 3.5 < values.std() < 4.5
    field = shadowing_field(0, "aa:bb", sigma_db=4.0, correlation_length_m=2.0)
    a = np.random.default_rng(1).uniform(0, 50, size=(3000, 2))
    near = np.corrcoef(field(a), field(a + [0.2, 0.0]))[0, 1]
    far = np.corrcoef(field(a), field(a + [10.0, 0.0]))[0, 1]
    assert near > 0.8 and abs(far) < 0.35


def test_hostile_ssids_pass_through_untouched():
    scanner = SimulatedScanner(garage_project(), delay_s=0)
    heard = {o.ssid for o in scanner.scan().observations}
    assert {HOSTILE, EMOJI, CONTROL} <= heard
    obs = next(o for o in scanner.scan().observations if o.ssid == EMOJI)
    assert obs.ssid_raw == EMOJI.encode("utf-8")


def test_weak_bss_not_heard_and_flags_reported():
    scanner = SimulatedScanner(garage_project(), delay_s=0)
    observations = scan_at(scanner, 2.0, 3.0)
    assert "bb:00:00:00:00:04" not in observations  # 0 dBm EIRP 560 m away
    assert all(o.rssi_dbm >= HEARD_THRESHOLD_DBM for o in observations.values())
    router = observations[ROUTER_24]
    assert router.wps is True and router.station_count == 3 and router.channel == 6 and router.freq_mhz == 2437
    assert 0 <= router.channel_utilization_pct <= 100
    assert observations[ROUTER_5].band == "5" and observations[ROUTER_5].ssid == "Home"
    assert observations["bb:00:00:00:00:01"].auth == ("OPEN",)


def test_no_5ghz_when_disabled():
    scanner = SimulatedScanner(garage_project(), delay_s=0, include_5ghz=False)
    assert all(o.band == "2.4" for o in scanner.scan().observations)


def test_planned_mesh_node_transmits_the_target_network():
    mesh = Device(DeviceKind.MESH_NODE, 8.0, 3.0, planned=True)
    before = SimulatedScanner(garage_project(), delay_s=0, shadowing_sigma_db=0, jitter_db=0)
    after = SimulatedScanner(garage_project(extra_devices=(mesh,)), delay_s=0, shadowing_sigma_db=0, jitter_db=0)
    plan = radio_plan(garage_project(extra_devices=(mesh,)))
    mesh_bss = [b for b in plan if (b.x_m, b.y_m) == (8.0, 3.0)]
    assert {b.band for b in mesh_bss} == {"2.4", "5"}
    assert all(b.ssid == "Home" and b.channel in (6, 36) for b in mesh_bss)

    def best_home(scanner):
        scanner.move_to(9.5, 3.0)
        return max(o.rssi_dbm for o in scanner.scan().observations if o.ssid == "Home" and o.band == "2.4")

    assert best_home(after) > best_home(before) + 15


def test_moving_the_router_moves_its_signal():
    project = garage_project()
    scanner = SimulatedScanner(project, delay_s=0, shadowing_sigma_db=0, jitter_db=0)
    far = scanner.mean_rssi_dbm([[9.0, 3.0]])[ROUTER_24][0]
    moved = tuple(
        Device(DeviceKind.ROUTER, 8.0, 3.0, bssids=d.bssids) if d.kind is DeviceKind.ROUTER else d
        for d in project.devices
    )
    from dataclasses import replace

    scanner.set_project(replace(project, devices=moved))
    assert scanner.mean_rssi_dbm([[9.0, 3.0]])[ROUTER_24][0] > far + 15


def test_delay_is_interruptible():
    scanner = SimulatedScanner(garage_project(), delay_s=5.0)
    threading.Timer(0.1, scanner.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(ScanCancelled):
        scanner.scan()
    assert time.monotonic() - t0 < 2.0
    scanner.delay_s = 0.0
    assert scanner.scan().observations  # a cancel affects only the scan it ended
    scanner.cancel()  # no scan running: ignored
    assert scanner.scan().observations


def test_delay_longer_than_timeout_times_out():
    scanner = SimulatedScanner(garage_project(), delay_s=0.3)
    with pytest.raises(ScanTimeout):
        scanner.scan(timeout_s=0.05)
