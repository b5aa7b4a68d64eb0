"""The gallery of reference sites (tests/fixtures/sites/*.json), each run through
``evsurvey simulate``: the verdict and the chosen remedy each file expects, the chosen
device inside the building or an outdoor kind, the fix working in the After walk, and every
option naming its assumptions (band, margin, power and mounting)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from survey.analysis.placement import ALSO, CHOSEN
from survey.analysis.recommend import recommend
from survey.cli import main
from survey.project.rooms import site_rooms
from survey.project.store import ProjectStore
from survey.simulate import BEFORE, load_site, simulate_site

SITES = Path(__file__).parent / "fixtures" / "sites"
NAMES = sorted(p.stem for p in SITES.glob("*.json"))

#: The kinds of site the gallery must hold (issue 14, "Must show"), by file.
REQUIRED = {
    "attached_block_garage",
    "detached_metal_garage",
    "charger_next_to_router",
    "wifi_24ghz_off",
    "wpa3_only",
    "congested_channel",
    "powerline_only",
    "needs_nothing",
}


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """Every site simulated once (no PDF: one test below writes one through the CLI)."""
    out = tmp_path_factory.mktemp("gallery")
    runs = {}
    for name in NAMES:
        summary = simulate_site(SITES / f"{name}.json", out / name, report=False)
        with ProjectStore.open(summary.project_path, read_only=True) as store:
            project = store.load()
        runs[name] = (summary, project)
    return runs


def test_the_gallery_holds_every_required_site():
    assert REQUIRED <= set(NAMES) and len(NAMES) >= 8
    for name in NAMES:
        expect = load_site(SITES / f"{name}.json").expect
        assert {"verdict", "chosen"} <= set(expect), name


@pytest.mark.parametrize("name", NAMES)
def test_site_gets_its_expected_verdict_and_remedy(gallery, name):
    summary, project = gallery[name]
    assert summary.expectation["met"], summary.expectation["mismatches"]
    chosen = summary.chosen
    # The chosen device is inside the building, or an outdoor-rated kind by design.
    if chosen["xy_m"] is not None:
        assert chosen["device_in"] in ("building", "outdoor_kind"), chosen
        if chosen["device_in"] == "building":
            assert site_rooms(project).inside([chosen["xy_m"]])[0]
    if summary.applied_fix is not None:
        # The fix, applied to the simulated site, works when walked again.
        assert summary.surveys[-1].name == "After" and summary.surveys[-1].verdict == "GOOD", summary.surveys


@pytest.mark.parametrize("name", NAMES)
def test_every_option_names_its_assumptions(gallery, name):
    _summary, project = gallery[name]
    rec = recommend(project, project.survey_named(BEFORE))
    for option in rec.options:
        text = option.text
        if option.predicted_charger_rssi_dbm is None:
            continue  # a rung ruled out before anything was predicted ("mark a drop first")
        assert "GHz" in text or "Powerline" in text, (option.kind, text)
        assert "margin" in text or "short" in text, (option.kind, text)
        if option.xy_m is not None and option.kind != "move_router":
            assert "Mounting" in text and ("outlet" in text or "PoE" in text), (option.kind, text)
        if option.kind in ("mesh_node", "outdoor_mesh_node"):
            assert f"{option.backhaul_band} GHz backhaul" in text
        if option.status in (CHOSEN, ALSO) and option.device_kind is not None:
            assert option.margin_db is not None and option.margin_db >= 0


def test_a_network_off_on_24ghz_gets_a_setting_not_hardware(gallery):
    summary, project = gallery["wifi_24ghz_off"]
    rec = recommend(project, project.survey_named(BEFORE))
    assert rec.verdict.confidence == "low" and "not heard on 2.4 GHz" in rec.verdict.explanation
    assert rec.chosen.kind == "settings" and [c.code for c in rec.chosen.setting_changes] == ["enable_24ghz"]
    assert "Survey again" in rec.chosen.reason and "the 8.0 dB model error" in rec.chosen.reason


def test_detached_garage_gets_an_outdoor_kind_with_its_mounting_and_power(gallery):
    summary, project = gallery["detached_metal_garage"]
    rec = recommend(project, project.survey_named(BEFORE))
    kinds = [o.kind for o in rec.options]
    assert "outdoor_mesh_node" in kinds and "bridge" in kinds
    bridge = rec.chosen
    assert bridge.kind == "bridge" and bridge.outdoor and bridge.link_xy_m is not None
    rooms = site_rooms(project)
    assert not rooms.inside(list(bridge.link_xy_m)).any(), "both radios on the outside walls"
    assert rooms.inside([bridge.xy_m])[0], "its access point inside the garage"
    assert any("line of sight" in c for c in bridge.conditions) and any("PoE" in c for c in bridge.conditions)


def test_attached_garage_node_is_never_outside_the_steel_door(gallery):
    _summary, project = gallery["attached_block_garage"]
    rec = recommend(project, project.survey_named(BEFORE))
    rooms = site_rooms(project)
    for option in rec.options:
        if option.xy_m is not None and not option.outdoor:
            assert rooms.inside([option.xy_m])[0], (option.kind, option.xy_m)


def test_simulate_cli_writes_project_and_report_and_checks_the_expectation(tmp_path, capsys):
    assert main(["simulate", str(SITES / "wpa3_only.json"), "-o", str(tmp_path), "--check", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["expectation"]["met"] and out["chosen"]["kind"] == "settings"
    assert Path(out["report"]).read_bytes()[:5] == b"%PDF-"
    assert [s["name"] for s in out["surveys"]] == ["Before", "After"]
    assert "transition mode" in out["applied_fix"]


def test_simulate_check_fails_when_the_site_does_not_do_what_it_says(tmp_path, capsys):
    data = json.loads((SITES / "needs_nothing.json").read_text(encoding="utf-8"))
    data["expect"] = {"verdict": "POOR", "chosen": "mesh_node"}
    site = tmp_path / "wrong.json"
    site.write_text(json.dumps(data), encoding="utf-8")
    assert main(["simulate", str(site), "-o", str(tmp_path / "out"), "--no-report", "--check"]) == 1
    err = capsys.readouterr().err
    assert "verdict: expected 'POOR', got 'GOOD'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "content,message",
    [
        ("{", "not valid JSON"),
        ('{"format": "something"}', "not an evsurvey site file"),
        (
            '{"format": "evsurvey-site", "target_ssid": "x", "walls": [{"x1_m": 0, "y1_m": 0, "x2_m": "far", '
            '"y2_m": 1, "material_id": "brick"}]}',
            "walls[0].x2_m must be a number",
        ),
        (
            '{"format": "evsurvey-site", "target_ssid": "x", "walls": [{"x1_m": 0, "y1_m": 0, "x2_m": 1, '
            '"y2_m": 1, "material_id": "cheese"}]}',
            "materials not defined: cheese",
        ),
    ],
)
def test_bad_site_files_are_user_errors(tmp_path, capsys, content, message):
    site = tmp_path / "site.json"
    site.write_text(content, encoding="utf-8")
    assert main(["simulate", str(site), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_documented_example_is_a_working_site(tmp_path):
    """docs/site-format.md's example loads, simulates and does what its expect block says."""
    doc = (Path(__file__).parent.parent / "docs" / "site-format.md").read_text(encoding="utf-8")
    example = doc.split("```json", 1)[1].split("```", 1)[0]
    site = tmp_path / "example.json"
    site.write_text(example, encoding="utf-8")
    summary = simulate_site(site, tmp_path / "out", report=False)
    assert summary.expectation["met"], summary.expectation["mismatches"]
