"""Charger profiles: shipped files, user profiles, fallback to generic."""

from __future__ import annotations

import json

import pytest

from survey.project import profiles
from survey.project.model import ChargerProfile
from survey.project.profiles import ProfileError, get_profile, load_profiles, profile_from_dict, save_user_profile


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(profiles, "user_data_dir", lambda: tmp_path)
    return tmp_path


def test_shipped_profiles_cite_sources_and_are_24ghz_only():
    loaded = {p.id: p for p in load_profiles()}
    assert {"generic_iot", "chargepoint_home_flex", "wallbox_pulsar_plus", "emporia_ev"} <= set(loaded)
    assert load_profiles()[0].id == "generic_iot"
    for p in loaded.values():
        assert p.bands == ("2.4",)
        assert p.sources, p.id
        assert "offset" in p.notes.lower() or p.id == "generic_iot"
        assert 0 <= p.reception_offset_db <= 10
        assert not p.user_defined
    assert 123 in loaded["wallbox_pulsar_plus"].ports


def test_unknown_profile_falls_back_to_generic():
    assert get_profile("no_such_charger").id == "generic_iot"
    assert get_profile(None).id == "generic_iot"


def test_user_profile_is_saved_loaded_and_overrides(user_dir):
    mine = ChargerProfile(id="wallbox_pulsar_plus", name="Wallbox (measured)", reception_offset_db=6.0, ports=(443,))
    path = save_user_profile(mine)
    assert path.parent == user_dir / "profiles"
    got = get_profile("wallbox_pulsar_plus")
    assert got.reception_offset_db == 6.0 and got.user_defined
    save_user_profile(ChargerProfile(id="my_box", name="My box"))
    assert "my_box" in {p.id for p in load_profiles()}


def test_bad_user_file_is_skipped_not_fatal(user_dir):
    (user_dir / "profiles").mkdir()
    (user_dir / "profiles" / "broken.json").write_text("{not json", encoding="utf-8")
    (user_dir / "profiles" / "bad_port.json").write_text(json.dumps({"id": "x", "name": "x", "ports": [99999]}))
    ids = {p.id for p in load_profiles()}
    assert "x" not in ids and "generic_iot" in ids


@pytest.mark.parametrize(
    "data",
    [
        {"name": "no id"},
        {"id": "Bad Id!", "name": "x"},
        {"id": "ok"},
        {"id": "ok", "name": "x", "reception_offset_db": "lots"},
    ],
)
def test_malformed_profiles_raise_a_user_error(data):
    with pytest.raises(ProfileError):
        profile_from_dict(data)
