"""The live map's layers (Qt-free): one heatmap fit per set of samples, cheap UI imports."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace

import pytest

from survey.demo import demo_project, walk_points_m
from survey.project.model import Sample, SampleMode, Survey
from survey.scan.simulated import SimulatedScanner
from survey.ui import survey_layers
from survey.ui.survey_layers import HeatmapCache, LayerKind, LayerRequest, compute_layer


@pytest.fixture(scope="module")
def surveyed_project():
    project = demo_project()
    scanner = SimulatedScanner(project, delay_s=0.0, seed=1)
    samples = []
    for i, (x, y) in enumerate(walk_points_m(step_m=1.6)):
        scanner.move_to(float(x), float(y))
        samples.append(Sample(float(x), float(y), time.time(), (scanner.scan(),), SampleMode.POINT, id=i + 1))
    return replace(project, surveys=(Survey(name="Before", created_at=time.time(), samples=tuple(samples), id=1),), active_survey_id=1)


@pytest.fixture
def fit_calls(monkeypatch):
    calls = []
    real = survey_layers.fit_layer_heatmap

    def counting(xy, values, previous=None):
        calls.append((len(xy), previous))
        return real(xy, values, previous=previous)

    monkeypatch.setattr(survey_layers, "fit_layer_heatmap", counting)
    return calls


def test_charger_readout_reuses_the_target_fit(surveyed_project, fit_calls):
    cache = HeatmapCache()
    target = compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1, cache=cache))
    assert len(fit_calls) == 1 and target.charger_interp_dbm is not None
    # Switching to a layer that draws something else: the readout at the charger still
    # speaks of the target network, read from the same fit (no second target fit).
    strongest = compute_layer(LayerRequest(LayerKind.STRONGEST, surveyed_project, 1, cache=cache))
    predicted = compute_layer(LayerRequest(LayerKind.PREDICTED, surveyed_project, 1, cache=cache))
    assert len(fit_calls) == 2  # the strongest-signal map only
    assert strongest.charger_interp_dbm == predicted.charger_interp_dbm == target.charger_interp_dbm
    # The same samples again (a device moved, a wall drawn): nothing is refitted.
    compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1, cache=cache))
    assert len(fit_calls) == 2


def test_a_new_sample_refits(surveyed_project, fit_calls):
    cache = HeatmapCache()
    compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1, cache=cache))
    survey = surveyed_project.active_survey
    extra = replace(survey.samples[0], x_m=survey.samples[0].x_m + 0.7, id=999)
    more = replace(surveyed_project, surveys=(replace(survey, samples=survey.samples + (extra,)),))
    layer = compute_layer(LayerRequest(LayerKind.TARGET, more, 1, cache=cache))
    assert len(fit_calls) == 2 and layer.n_points == len(survey.samples) + 1
    # The refit starts from the last fit of this layer (fit_heatmap(previous=...)).
    assert fit_calls[0][1] is None and fit_calls[1][1] is not None


def test_charger_value_is_the_layers_own_value(surveyed_project):
    layer = compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1))
    charger = surveyed_project.charger
    # The readout is the heatmap at the charger point, as the map colours it (to the grid pitch).
    assert layer.value_at(charger.x_m, charger.y_m) == pytest.approx(layer.charger_interp_dbm, abs=2.0)


def test_ui_modules_import_without_scipy():
    """The window must appear within 2 s (DESIGN.md): scipy/sklearn load in workers, later."""
    code = ("import sys\n"
            "import survey.ui.survey_panel, survey.ui.analysis_panel, survey.ui.compare_view, "
            "survey.ui.site_panel\n"
            "heavy = sorted(m for m in ('scipy', 'sklearn', 'survey.rf.interpolation', 'survey.rf.calibration') "
            "if m in sys.modules)\n"
            "print(','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_display_upsampling_keeps_values_between_cell_centres():
    import numpy as np

    from survey.ui.survey_layers import upsample_bilinear

    coarse = np.array([[-60.0, -70.0], [-80.0, -90.0]])
    fine = upsample_bilinear(coarse, 3)
    assert fine.shape == (6, 6)
    # The middle sub-cell of each cell is the cell's value; edges are clamped, never beyond.
    assert fine[1, 1] == -60.0 and fine[4, 4] == -90.0
    assert fine.min() >= -90.0 and fine.max() <= -60.0
    assert np.all(np.diff(fine[1]) <= 0)  # monotone across, as the coarse row is


def test_layer_image_is_finer_than_its_grid(surveyed_project):
    from survey.ui.survey_layers import DISPLAY_UPSAMPLE

    layer = compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1))
    ny, nx = layer.grid.shape
    assert layer.rgba.shape == (ny * DISPLAY_UPSAMPLE, nx * DISPLAY_UPSAMPLE, 4)
    assert layer.values.shape == (ny, nx)
