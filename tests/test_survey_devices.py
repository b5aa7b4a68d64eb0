"""The site as each survey saw it (survey.project.survey_devices): recorded by the store for
every writer, and read by the analysis so a survey's number never changes when a device is
installed for a later one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from survey.analysis.map_layer import LayerKind
from survey.analysis.survey_analysis import analyse_survey
from survey.demo import build_demo_project, walk_points_m
from survey.project.model import Device, DeviceKind
from survey.project.store import ProjectStore
from survey.project.survey_devices import SURVEY_DEVICES_SETTING, as_surveyed, change_between, devices_when_surveyed
from survey.scan.simulated import SimulatedScanner
from survey.simulate import walk_survey


@pytest.fixture
def walked(tmp_path):
    """The demo garage with a walked "Before" (one sample in three, for speed)."""
    store = build_demo_project(tmp_path / "site.evsurvey")
    with store:
        project = store.load()
        before = project.survey_named("Before")
        walk_survey(
            store, before.id, SimulatedScanner(project, seed=1, delay_s=0.0), walk_points_m()[::3], scans_per_stop=1
        )
    return tmp_path / "site.evsurvey"


def test_the_store_records_the_plan_when_a_survey_is_added_and_at_its_first_sample(walked):
    with ProjectStore.open(walked) as store:
        project = store.load()
        before = project.survey_named("Before")
        assert {d.id for d in devices_when_surveyed(project, before)} == {d.id for d in project.devices}
        after = store.add_survey("After")
        node_id = store.add_device(Device(DeviceKind.MESH_NODE, 8.0, 5.0, eirp_dbm=17.0))
        # Added after "New phase", before the walk: it is part of what "After" surveys.
        assert node_id not in {d.id for d in devices_when_surveyed(store.load(), after)}
        project = store.load()
        walk_survey(
            store, after.id, SimulatedScanner(project, seed=2, delay_s=0.0), walk_points_m()[:2], scans_per_stop=1
        )
        project = store.load()
        then = devices_when_surveyed(project, project.survey_named("After"))
        assert node_id in {d.id for d in then}
        node = next(d for d in then if d.id == node_id)
        assert (node.x_m, node.y_m, node.eirp_dbm) == (8.0, 5.0, 17.0)
        change = change_between(project, project.survey_named("Before"), project.survey_named("After"))
        assert change.known and [d.id for d in change.added] == [node_id] and not change.removed


def test_a_survey_keeps_its_number_when_a_node_is_installed_later(walked):
    with ProjectStore.open(walked) as store:
        project = store.load()
        first = analyse_survey(project, project.survey_named("Before"))
        store.add_survey("After")
        store.add_device(Device(DeviceKind.MESH_NODE, 8.0, 5.0))
        project = store.load()
        again = analyse_survey(project, project.survey_named("Before"))
    assert again.verdict == first.verdict
    predicted = first.layer(LayerKind.PREDICTED).values
    assert np.array_equal(again.layer(LayerKind.PREDICTED).values, predicted, equal_nan=True)
    # Without the record the node would be counted: the map Before would change.
    forgot = replace(project, settings={k: v for k, v in project.settings.items() if k != SURVEY_DEVICES_SETTING})
    assert not np.array_equal(
        analyse_survey(forgot, forgot.survey_named("Before")).layer(LayerKind.PREDICTED).values,
        predicted,
        equal_nan=True,
    )
    assert not any(d.kind is DeviceKind.MESH_NODE for d in again.project.devices)
    # The charger and planned devices are the plan's now; the transmitters are the survey's.
    assert as_surveyed(project, None) is project


def test_a_file_without_a_record_is_analysed_with_the_plan_as_it_is(walked):
    with ProjectStore.open(walked) as store:
        store.set_setting(SURVEY_DEVICES_SETTING, {"999": [{"kind": "nonsense"}]})
        project = store.load()
    before = project.survey_named("Before")
    assert devices_when_surveyed(project, before) is None
    assert as_surveyed(project, before) is project
    assert not change_between(project, before, before).known


def test_the_project_in_memory_notes_the_first_sample_as_the_file_does(walked):
    """Every way a first sample is added (the Survey tool, a dropped scan, a link test) is one
    edit: the project it returns holds the same record as the file, so the window and the CLI
    analyse the survey with the same devices."""
    from survey.project.edits import AddSample, EditHistory

    with ProjectStore.open(walked) as store:
        after = store.add_survey("After")
        store.add_device(Device(DeviceKind.MESH_NODE, 8.0, 5.0))
        history = EditHistory(store)
        (sample,) = store.load().survey_named("Before").samples[:1]
        history.run(AddSample(after.id, sample))
        in_memory = history.project.settings[SURVEY_DEVICES_SETTING]
        assert in_memory == store.load().settings[SURVEY_DEVICES_SETTING]
        assert any(d["kind"] == "mesh_node" for d in in_memory[str(after.id)])
