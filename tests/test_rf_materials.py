import re

import pytest

from survey.project.model import Material
from survey.rf.materials import (
    DEFAULT_MATERIALS,
    P2040_TABLE3,
    UnknownMaterialError,
    material_by_id,
    p2040_permittivity,
    p2040_slab_loss_db,
    slab_transmission,
)

EXPECTED_IDS = [
    "drywall",
    "fire_rated_drywall",
    "concrete_block",
    "poured_concrete",
    "brick",
    "wood_door",
    "glass",
    "low_e_glass",
    "steel_garage_door",
    "metal_siding",
    "custom",
]


@pytest.mark.parametrize(
    "material,thickness_m,loss_db",
    [
        ("concrete", 0.150, 11.5),
        ("brick", 0.090, 2.5),
        ("plasterboard", 0.0127, 1.1),
        ("glass", 0.006, 1.9),
    ],
)
def test_p2040_slab_losses_at_2437(material, thickness_m, loss_db):
    assert p2040_slab_loss_db(material, thickness_m) == pytest.approx(loss_db, abs=0.3)


def test_permittivity_and_limits():
    eta = p2040_permittivity("concrete", 2437)
    assert eta.real == pytest.approx(5.24)
    assert eta.imag < 0
    assert p2040_slab_loss_db("vacuum", 0.2) == pytest.approx(0.0, abs=1e-9)
    assert p2040_slab_loss_db("concrete", 0.0) == pytest.approx(0.0, abs=1e-9)
    assert p2040_slab_loss_db("concrete", 0.3) > p2040_slab_loss_db("concrete", 0.15)
    assert p2040_slab_loss_db("metal", 0.001) > 100
    assert abs(slab_transmission(complex(4.0, 0.0), 0.05)) <= 1.0 + 1e-12
    with pytest.raises(UnknownMaterialError):
        p2040_permittivity("unobtainium")


def test_defaults_complete_and_sane():
    assert [m.id for m in DEFAULT_MATERIALS] == EXPECTED_IDS
    colours = [m.colour.lower() for m in DEFAULT_MATERIALS]
    assert len(set(colours)) == len(colours)
    for m in DEFAULT_MATERIALS:
        assert isinstance(m, Material)
        assert m.loss_min_db <= m.loss_db <= m.loss_max_db, m.id
        assert m.source
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", m.colour)
    assert "P.2040" in material_by_id("poured_concrete").source
    assert material_by_id("poured_concrete").loss_db == pytest.approx(11.5, abs=0.3)
    assert material_by_id("concrete_block").loss_db == 13.6
    assert material_by_id("metal_siding").loss_db >= 25


def test_material_by_id_prefers_project():
    mine = Material("brick", "My brick", 7.0, 2.0, 9.0, "measured here")
    assert material_by_id("brick", [mine]).loss_db == 7.0
    assert material_by_id("glass", [mine]).id == "glass"
    with pytest.raises(UnknownMaterialError, match="pick one of"):
        material_by_id("nope")
    assert set(P2040_TABLE3) >= {"concrete", "brick", "plasterboard", "glass", "wood"}


def test_5ghz_losses_come_from_p2040_and_never_drop_below_24ghz():
    from survey.rf.materials import loss_5ghz_db

    by_id = {m.id: m for m in DEFAULT_MATERIALS}
    for m in DEFAULT_MATERIALS:
        loss5, source = loss_5ghz_db(m)
        assert loss5 >= m.loss_db - 1e-9, m.id
        assert source
    # A concrete block loses about twice as much at 5 GHz (P.2040 concrete of the measured
    # block's equivalent thickness), brick and drywall a little more, metal the same.
    block = loss_5ghz_db(by_id["concrete_block"])[0]
    assert 22.0 <= block <= 30.0
    assert loss_5ghz_db(by_id["metal_siding"])[0] == by_id["metal_siding"].loss_db
    assert "P.2040" in loss_5ghz_db(by_id["brick"])[1]


def test_5ghz_loss_follows_a_calibrated_24ghz_value():
    from dataclasses import replace

    from survey.rf.materials import loss_5ghz_db, material_by_id

    block = material_by_id("concrete_block")
    thicker = replace(block, loss_db=18.0)  # fitted on site
    ratio = loss_5ghz_db(block)[0] / block.loss_db
    assert loss_5ghz_db(thicker)[0] == pytest.approx(18.0 * ratio)
    unknown = replace(block, id="rammed_earth", loss_db=10.0)
    assert loss_5ghz_db(unknown)[0] == pytest.approx(10.0 * ratio)  # scaled like block, the steepest
