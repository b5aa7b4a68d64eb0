"""``evsurvey import``: saved iw, nmcli and netsh scans stored as samples of a survey, shown on
the heatmap and named in the report's appendix of samples."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from survey.analysis.survey_analysis import analyse_survey
from survey.cli import main
from survey.project.model import Device, DeviceKind, Project, TargetNetwork, Wall
from survey.project.store import ProjectStore
from survey.rf.materials import DEFAULT_MATERIALS

FIX = Path(__file__).parent / "fixtures" / "scan"
# Three formats, each with a 2.4 GHz BSS of the target network "Garage-EVSE".
SAVED = {
    "iw": "iw-scan-dump-6ghz-he-eht.txt",
    "nmcli": "nmcli-table-157-band.txt",
    "netsh": "netsh-trimmed-no-authentication.txt",
}
AT = {"iw": (1.5, 1.5), "nmcli": (6.0, 4.0), "netsh": (9.0, 7.0)}


def garage() -> Project:
    walls = tuple(Wall(*seg, "concrete_block") for seg in ((0, 0, 10, 0), (10, 0, 10, 8), (10, 8, 0, 8), (0, 8, 0, 0)))
    devices = (Device(DeviceKind.ROUTER, 1.0, 1.0, label="Router"), Device(DeviceKind.CHARGER, 9.5, 7.5))
    return Project(walls=walls, materials=DEFAULT_MATERIALS, devices=devices, target=TargetNetwork("Garage-EVSE"))


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "garage.evsurvey"
    ProjectStore.create(path, garage()).close()
    return path


@pytest.fixture
def saved(tmp_path):
    out = {}
    for fmt, name in SAVED.items():
        out[fmt] = tmp_path / f"saved-{fmt}.txt"
        shutil.copy(FIX / name, out[fmt])
    return out


def load(path):
    with ProjectStore.open(path, read_only=True) as store:
        return store.load()


def test_import_stores_each_format_as_a_sample_with_its_source(project_file, saved, capsys):
    for fmt, path in saved.items():
        x, y = AT[fmt]
        assert main(["import", str(project_file), str(path), "--survey", "Before", "--at", f"{x},{y}"]) == 0
    out = capsys.readouterr().out
    assert "Imported 1 file(s) into survey 'Before' (new survey) as sample" in out
    project = load(project_file)
    (survey,) = project.surveys
    assert [(s.x_m, s.y_m) for s in survey.samples] == list(AT.values())
    for sample, fmt in zip(survey.samples, saved):
        (scan,) = sample.scans
        assert scan.backend == f"file:{fmt} (saved-{fmt}.txt)"
        assert scan.started_at == pytest.approx(saved[fmt].stat().st_mtime)
    # The parser's warnings are kept with the scan (the iw file has a prompt line).
    assert any("Skipped 1 line" in w for w in survey.samples[0].scans[0].warnings)


def test_imported_samples_are_on_the_heatmap_and_in_the_report(project_file, saved, tmp_path):
    from pypdf import PdfReader

    from survey.report import build_report

    for fmt, path in saved.items():
        x, y = AT[fmt]
        assert main(["import", str(project_file), str(path), "--survey", "Before", "--at", f"{x},{y}"]) == 0
    project = load(project_file)
    heat = analyse_survey(project, project.surveys[0])
    assert heat.target_map is not None and heat.target_map.n_points == len(AT)
    assert sorted(map(tuple, heat.sample_xy_m.tolist())) == sorted(AT.values())
    # iw: -71 dBm measured; nmcli and netsh: NetworkManager's / Windows' percentages, estimated.
    by_xy = dict(zip(map(tuple, heat.sample_xy_m.tolist()), heat.sample_rssi_dbm.tolist()))
    assert by_xy[AT["iw"]] == pytest.approx(-71.0)
    assert by_xy[AT["nmcli"]] == pytest.approx(-100 + 0.6 * 82)
    assert by_xy[AT["netsh"]] == pytest.approx(70 / 2 - 100)
    pdf = tmp_path / "report.pdf"
    build_report(project, pdf, step_m=0.5)
    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages))
    appendix = text[text.index("Appendix:samples") :]
    for fmt in saved:
        assert f"file:{fmt}(saved-{fmt}.txt)" in appendix


def test_files_taken_at_one_spot_make_one_sample_in_an_existing_survey(project_file, saved):
    with ProjectStore.open(project_file) as store:
        store.add_survey("Before")
    assert (
        main(
            [
                "import",
                str(project_file),
                str(saved["iw"]),
                str(saved["nmcli"]),
                "--survey",
                "before",
                "--at",
                "5,5",
                "--json",
            ]
        )
        == 0
    )
    project = load(project_file)
    (survey,) = project.surveys
    (sample,) = survey.samples
    assert [s.backend for s in sample.scans] == ["file:iw (saved-iw.txt)", "file:nmcli (saved-nmcli.txt)"]
    # Both files heard the target: its readings are averaged in mW, like repeated scans.
    assert len({o.bssid for o in sample.observations}) == 5 + 6


def test_import_json(project_file, saved, capsys):
    assert main(["import", str(project_file), str(saved["netsh"]), "--survey", "After", "--at", "2,2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["survey"] == "After" and data["survey_created"] and data["at_m"] == [2.0, 2.0]
    (f,) = data["files"]
    assert (f["format"], f["backend"], f["observations"]) == ("netsh", "file:netsh (saved-netsh.txt)", 3)


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda d: d / "missing.txt", "Cannot read"),
        (lambda d: (d / "junk.txt").write_text("hello\n") and d / "junk.txt", "not a scan"),
        (
            lambda d: (d / "empty.txt").write_text("IN-USE  BSSID  SSID  CHAN  SIGNAL\n") and d / "empty.txt",
            "nothing to import",
        ),
        (lambda d: d, "not a regular file"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(project_file, saved, tmp_path, capsys, make_bad, message):
    """All files are read before anything is written: one bad file among good ones leaves
    the project as it was."""
    bad = make_bad(tmp_path)
    before = project_file.read_bytes()
    assert main(["import", str(project_file), str(saved["iw"]), str(bad), "--survey", "Before", "--at", "1,1"]) == 2
    assert message in capsys.readouterr().err
    assert project_file.read_bytes() == before


def test_position_off_the_plan_is_refused(project_file, saved, capsys):
    before = project_file.read_bytes()
    assert main(["import", str(project_file), str(saved["iw"]), "--survey", "Before", "--at", "40,3"]) == 2
    assert "off the plan" in capsys.readouterr().err
    assert project_file.read_bytes() == before
