"""`evsurvey recommend PROJECT [--survey NAME] [--json]` end to end on a stored project."""

from __future__ import annotations

import json

import pytest
from test_analysis_sites import steel_door_site

from survey.cli import main
from survey.project.store import ProjectStore


@pytest.fixture
def project_file(tmp_path):
    project = steel_door_site()
    path = tmp_path / "garage.evsurvey"
    ProjectStore.create(path, project).close()
    return path


def test_recommend_json(project_file, capsys):
    assert main(["recommend", str(project_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"]["status"] == "POOR"
    assert data["chosen"] == "mesh_node"
    mesh = next(o for o in data["options"] if o["kind"] == "mesh_node")
    assert mesh["predicted_charger_rssi_dbm"] >= -65
    assert data["options"][-1]["kind"] == "repeater" and data["options"][-1]["status"] == "rejected"


def test_recommend_text_and_profile(project_file, capsys):
    assert main(["recommend", str(project_file), "--survey", "before", "--profile", "wallbox_pulsar_plus"]) == 0
    out = capsys.readouterr().out
    assert "VERDICT: POOR" in out and "Wallbox Pulsar Plus" in out
    assert "=> 5. Mesh node" in out


def test_recommend_unknown_survey_is_a_user_error(project_file, capsys):
    assert main(["recommend", str(project_file), "--survey", "After"]) == 2
    assert "no survey named 'After'" in capsys.readouterr().err


def test_recommend_does_not_modify_the_project(project_file):
    before = project_file.read_bytes()
    main(["recommend", str(project_file), "--json"])
    assert project_file.read_bytes() == before


def test_recommend_unknown_profile_is_a_user_error_listing_the_known_ones(project_file, capsys):
    assert main(["recommend", str(project_file), "--profile", "tesla"]) == 2
    err = capsys.readouterr().err
    assert "no charger profile 'tesla'" in err and "wallbox_pulsar_plus" in err and "generic_iot" in err
    assert "Traceback" not in err
