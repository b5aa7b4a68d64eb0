"""Time from a scan result to the updated heatmap on screen, with 500 samples in the survey.

Run: QT_QPA_PLATFORM=offscreen uv run pytest tests/benchmarks/test_bench_ui_heatmap.py --benchmark-only -p no:randomly
Budget (DESIGN.md): heatmap from 500 samples <= 50 ms; UI thread never blocked > 50 ms.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from survey.demo import build_demo_project
from survey.project.model import Sample
from survey.scan.simulated import SimulatedScanner
from survey.ui.compose import Feature, install_features
from survey.ui.main_window import MainWindow
from survey.ui.survey_layers import LayerKind, LayerRequest, compute_layer

N_SAMPLES = 500


@pytest.fixture
def survey_window(qtbot, tmp_path):
    path = tmp_path / "bench.evsurvey"
    store = build_demo_project(path)
    project = store.load()
    scanner = SimulatedScanner(project, delay_s=0.0, seed=3)
    x0, y0, x1, y1 = project.extent_m()
    rng = np.random.default_rng(0)
    survey_id = project.active_survey.id
    for x, y in rng.uniform((x0, y0), (x1, y1), size=(N_SAMPLES - 1, 2)):
        scanner.move_to(x, y)
        store.add_sample(survey_id, Sample(float(x), float(y), time.time(), (scanner.scan(),)))
    store.close()
    win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat), scanner_name="simulated")
    install_features(win, {Feature.SURVEY})
    qtbot.addWidget(win)
    win.session.open(path)
    win.show()
    qtbot.waitExposed(win)
    return win, scanner


def test_scan_result_to_updated_heatmap_500_samples(benchmark, qtbot, survey_window):
    win, scanner = survey_window
    controller = win.survey.controller
    rng = np.random.default_rng(1)
    x0, y0, x1, y1 = win.session.project.extent_m()

    def one_round():
        x, y = rng.uniform((x0, y0), (x1, y1))
        scanner.move_to(x, y)
        scan = scanner.scan()
        controller.pending_xy = (float(x), float(y))
        with qtbot.waitSignal(
            controller.layerUpdated, timeout=10000, check_params_cb=lambda layer: layer.n_points >= N_SAMPLES
        ):
            controller._on_point_done(0, (scan,))

    benchmark.pedantic(one_round, rounds=5, iterations=1, warmup_rounds=1)
    assert controller.layer.n_points >= N_SAMPLES
    assert controller.layer.rgba is not None


def test_ui_thread_part_of_a_heatmap_update(benchmark, survey_window):
    """What the UI thread does per update (hand the finished RGBA image to pyqtgraph)."""
    win, _ = survey_window
    project = win.session.project
    layer = compute_layer(LayerRequest(LayerKind.TARGET, project, project.active_survey_id))
    overlay = win.survey.overlay
    benchmark(overlay.set_layer, layer)
    assert benchmark.stats.stats.median < 0.05


def test_background_fit_500_samples(benchmark, survey_window):
    win, _ = survey_window
    project = win.session.project
    layer = benchmark(compute_layer, LayerRequest(LayerKind.TARGET, project, project.active_survey_id))
    assert layer.n_points >= N_SAMPLES - 1
