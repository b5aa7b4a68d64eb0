"""The sentences about the live map and its samples (survey.analysis.readouts), without Qt."""

from __future__ import annotations

from dataclasses import replace

from survey.analysis.live_map import NO_SAMPLES_NOTE, live_map
from survey.analysis.map_layer import LayerKind
from survey.analysis.readouts import (
    charger_readout_text,
    format_layer_value,
    layer_info_text,
    sample_description_text,
    sample_saved_text,
    value_under_cursor_text,
)
from survey.demo import demo_project
from survey.project.model import Sample, SampleMode, TargetNetwork


def test_layer_values_read_in_their_unit():
    assert format_layer_value(-63.25, LayerKind.TARGET) == "-63.2 dBm"
    assert format_layer_value(1, "cochannel") == "1 other BSS on the channel"
    assert format_layer_value(3.4, LayerKind.COCHANNEL) == "3 other BSSs on the channel"
    assert format_layer_value(2.44, LayerKind.CONFIDENCE) == "± 2.4 dB"
    assert format_layer_value(None, LayerKind.CONFIDENCE) == "not known"


def test_a_project_without_a_survey_has_a_map_that_says_how_to_start():
    project = replace(demo_project(), surveys=(), active_survey_id=None)
    live = live_map(project, None, LayerKind.TARGET)
    assert live.layer is None and live.note == NO_SAMPLES_NOTE and live.value_at(1.0, 1.0) is None
    assert layer_info_text(live) == NO_SAMPLES_NOTE
    assert value_under_cursor_text(live, 1.0, 1.0) == ""
    assert charger_readout_text(live, project) == "At the charger: no estimate yet"


def test_before_any_sample_the_readout_says_it_is_an_estimate(tmp_path):
    from survey.demo import build_demo_project

    with build_demo_project(tmp_path / "demo.evsurvey") as store:  # an empty "Before"
        project = store.load()
    live = live_map(project, project.active_survey_id, LayerKind.TARGET)
    text = charger_readout_text(live, project)
    assert text.startswith("At the charger: ") and "wall model" in text
    assert "Nothing measured yet: an estimate from the plan. Take samples to measure it." in text


def test_a_sample_is_named_with_its_reading():
    sample = Sample(3.2, 1.0, 0.0, (), SampleMode.POINT, id=7)
    assert (
        sample_saved_text(4, sample, TargetNetwork("Home"), -61.04, 12)
        == "Sample 4 saved at (3.2, 1.0) m: -61.0 dBm on 'Home'."
    )
    assert sample_saved_text(4, sample, None, None, 12) == "Sample 4 saved at (3.2, 1.0) m: 12 networks heard."
    text = sample_description_text(4, "Before", sample, "m", LayerKind.TARGET, None)
    assert text.startswith("Sample 4 of 'Before' at x 3.20 m, y 1.00 m: not heard. Drag it")
    assert sample_description_text(4, "Before", sample, "m", LayerKind.CONFIDENCE, 2.0).startswith(
        "Sample 4 of 'Before' at x 3.20 m, y 1.00 m. Drag it"
    )
