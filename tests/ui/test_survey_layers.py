"""The live map's layers (Qt-free): one heatmap fit per set of samples, cheap UI imports."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace

import pytest

from survey.analysis.fit_cache import FitCache
from survey.analysis.map_layer import LayerKind
from survey.demo import demo_project, walk_points_m
from survey.project.model import Sample, SampleMode, Survey
from survey.scan.simulated import SimulatedScanner
from survey.ui.survey_layers import LayerRequest, compute_layer


@pytest.fixture(scope="module")
def surveyed_project():
    project = demo_project()
    scanner = SimulatedScanner(project, delay_s=0.0, seed=1)
    samples = []
    for i, (x, y) in enumerate(walk_points_m(step_m=1.6)):
        scanner.move_to(float(x), float(y))
        samples.append(Sample(float(x), float(y), time.time(), (scanner.scan(),), SampleMode.POINT, id=i + 1))
    return replace(
        project,
        surveys=(Survey(name="Before", created_at=time.time(), samples=tuple(samples), id=1),),
        active_survey_id=1,
    )


@pytest.fixture
def fit_calls(monkeypatch):
    """Every heatmap fit made while the test runs (the sample count of each)."""
    from survey.rf import interpolation

    calls = []
    real = interpolation.fit_heatmap

    def counting(xy, values, **kw):
        calls.append(len(xy))
        return real(xy, values, **kw)

    monkeypatch.setattr(interpolation, "fit_heatmap", counting)
    return calls


def test_layers_and_readout_share_one_fit_per_set_of_samples(surveyed_project, fit_calls):
    cache = FitCache()
    target = compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1, cache=cache))
    assert len(fit_calls) == 1 and target.analysis.verdict.rssi_at_charger_dbm is not None
    # Switching to a layer that draws something else: the readout at the charger still
    # speaks of the target network, read from the same fit (no second target fit).
    strongest = compute_layer(LayerRequest(LayerKind.STRONGEST, surveyed_project, 1, cache=cache))
    predicted = compute_layer(LayerRequest(LayerKind.PREDICTED, surveyed_project, 1, cache=cache))
    assert len(fit_calls) == 2  # the strongest-signal map only
    verdicts = {image.analysis.verdict.rssi_at_charger_dbm for image in (target, strongest, predicted)}
    assert len(verdicts) == 1
    # The same samples again (a device moved, a wall drawn): nothing is refitted.
    compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1, cache=cache))
    assert len(fit_calls) == 2


def test_a_new_sample_refits(surveyed_project, fit_calls):
    cache = FitCache()
    compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1, cache=cache))
    survey = surveyed_project.active_survey
    extra = replace(survey.samples[0], x_m=survey.samples[0].x_m + 0.7, id=999)
    more = replace(surveyed_project, surveys=(replace(survey, samples=survey.samples + (extra,)),))
    image = compute_layer(LayerRequest(LayerKind.TARGET, more, 1, cache=cache))
    assert len(fit_calls) == 2 and image.layer.n_points == len(survey.samples) + 1


def test_a_combo_value_selects_the_layer(surveyed_project):
    """QComboBox.itemData hands back the plain value: it must pick the same layer."""
    image = compute_layer(LayerRequest("strongest", surveyed_project, 1))
    assert image.kind is LayerKind.STRONGEST and image.layer.kind is LayerKind.STRONGEST


def test_charger_readout_is_the_verdict_and_the_map_agrees(surveyed_project):
    from survey.analysis.recommend import recommend

    image = compute_layer(LayerRequest(LayerKind.TARGET, surveyed_project, 1))
    charger = surveyed_project.charger
    verdict = image.analysis.verdict
    assert (
        verdict.rssi_at_charger_dbm
        == recommend(surveyed_project, surveyed_project.active_survey).verdict.rssi_at_charger_dbm
    )
    interpolated = next(e for e in verdict.estimates if e.method == "interpolated")
    # The map colours the same fit: its cell under the charger is the interpolated value (to the grid pitch).
    assert image.value_at(charger.x_m, charger.y_m) == pytest.approx(interpolated.rssi_dbm, abs=0.5)


def test_predicted_layer_at_the_charger_is_the_models_value(surveyed_project):
    image = compute_layer(LayerRequest(LayerKind.PREDICTED, surveyed_project, 1))
    charger = surveyed_project.charger
    model = next(e for e in image.analysis.verdict.estimates if e.method == "model")
    assert image.value_at(charger.x_m, charger.y_m) == pytest.approx(model.rssi_dbm, abs=0.5)
    assert image.analysis.model_at_charger_dbm == model.rssi_dbm


def test_every_layer_has_its_own_unit(surveyed_project):
    from survey.project.link import LinkTest, LinkTestResult, ProbeKind

    survey = surveyed_project.active_survey
    tested = LinkTest(
        (LinkTestResult("gateway", "192.0.2.1", ProbeKind.ICMP_ECHO, None, 50, 48, 4.0, 9.0, 1.0, time.time(), 5.0),)
    )
    with_links = replace(
        surveyed_project,
        surveys=(
            replace(
                survey,
                samples=tuple(replace(s, link=tested) if i % 3 == 0 else s for i, s in enumerate(survey.samples)),
            ),
        ),
    )
    units = {"cochannel": "BSSs", "confidence": "dB", "loss": "%", "latency": "ms"}
    for kind in LayerKind:
        image = compute_layer(LayerRequest(kind, with_links, 1))
        assert image.layer is not None and image.rgba.shape[:2] == image.layer.grid.shape, kind
        assert image.layer.kind.unit == units.get(kind.value, "dBm")
        assert image.layer.method_words
    # Without link tests the link layers say how to get them.
    image = compute_layer(LayerRequest(LayerKind.LOSS, surveyed_project, 1))
    assert image.layer is None and "link test" in image.note


def test_ui_modules_import_without_scipy():
    """The window must appear within 2 s (DESIGN.md): scipy/sklearn load in workers, later."""
    code = (
        "import sys\n"
        "import survey.ui.survey_panel, survey.ui.analysis_panel, survey.ui.compare_view, "
        "survey.ui.site_panel\n"
        "heavy = sorted(m for m in ('scipy', 'sklearn', 'survey.rf.interpolation', 'survey.rf.calibration') "
        "if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_many_dots_are_recoloured_a_chunk_per_turn_and_all_end_in_their_colour(qtbot):
    """5,000 dots: no single turn of the event loop re-colours more than RECOLOUR_CHUNK of
    them, and once the loop has run every dot has its value's colour."""
    import numpy as np
    import pyqtgraph as pg

    from survey.ui.survey_heatmap import RECOLOUR_CHUNK, SurveyOverlay, dot_colours

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    overlay = SurveyOverlay(widget.addViewBox())
    n = 5000
    ids = list(range(1, n + 1))
    overlay.set_samples(np.column_stack([np.arange(n) % 70, np.arange(n) // 70]).astype(float), ids)
    values = {i: -40.0 - (i % 60) for i in ids}
    calls = []
    real = overlay.samples.setBrush
    overlay.samples.setBrush = lambda brushes, **kw: (calls.append(len(brushes)), real(brushes, **kw))[1]
    overlay.set_values(values, LayerKind.TARGET)
    assert calls == [RECOLOUR_CHUNK]  # the first chunk at once, the rest on later turns
    qtbot.waitUntil(lambda: sum(calls) == n, timeout=5000)
    assert max(calls) <= RECOLOUR_CHUNK
    want = dot_colours([values[i] for i in ids], LayerKind.TARGET)
    got = [b.color().name() for b in overlay.samples.data["brush"]]
    assert got == want
