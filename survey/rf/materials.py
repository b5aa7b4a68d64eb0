"""Default wall materials at 2.4 GHz and the ITU-R P.2040 slab loss they derive from.

Dielectric materials (plasterboard, concrete, brick, glass) get their default loss from
the single-layer slab model of Recommendation ITU-R P.2040-3 (2023), "Effects of building
materials and structures on radiowave propagation above about 100 MHz": the material's
complex relative permittivity from its Table 3 coefficients, and the transmission
coefficient of a slab including the multiple internal reflections (section 3, "single
layer slab"). Materials the slab model cannot describe (a door with panels, a steel
door, corrugated siding, coated glass) take measured values, each cited.

Every default is only a starting point: the installer can edit it, and
:mod:`survey.rf.calibration` fits it, within the plausible range, to samples.
"""

from __future__ import annotations

import cmath
import math
from dataclasses import dataclass

from survey.errors import UserInputError
from survey.project.model import Material

#: Speed of light in vacuum, m/s (SI definition).
SPEED_OF_LIGHT_M_S = 299_792_458.0
#: Frequency the defaults are computed at: 2.4 GHz channel 6 (IEEE 802.11), MHz.
DEFAULT_FREQ_MHZ = 2437.0


class UnknownMaterialError(UserInputError):
    """A wall refers to a material id that neither the project nor the defaults define."""


@dataclass(frozen=True)
class P2040Coefficients:
    """ITU-R P.2040-3 Table 3: eta' = a * f**b, sigma = c * f**d (f in GHz, sigma in S/m).

    ``f_min_ghz``..``f_max_ghz`` is the range the Recommendation gives for the fit.
    """

    a: float
    b: float
    c: float
    d: float
    f_min_ghz: float
    f_max_ghz: float


#: ITU-R P.2040-3, Table 3 ("Material properties"), rows used here.
P2040_TABLE3: dict[str, P2040Coefficients] = {
    "vacuum": P2040Coefficients(1.0, 0.0, 0.0, 0.0, 0.001, 100.0),
    "concrete": P2040Coefficients(5.24, 0.0, 0.0462, 0.7822, 1.0, 100.0),
    "brick": P2040Coefficients(3.91, 0.0, 0.0238, 0.16, 1.0, 40.0),
    "plasterboard": P2040Coefficients(2.73, 0.0, 0.0085, 0.9395, 1.0, 100.0),
    "wood": P2040Coefficients(1.99, 0.0, 0.0047, 1.0718, 0.001, 100.0),
    "glass": P2040Coefficients(6.31, 0.0, 0.0036, 1.3394, 0.1, 100.0),
    "ceiling_board": P2040Coefficients(1.48, 0.0, 0.0011, 1.0750, 1.0, 100.0),
    "chipboard": P2040Coefficients(2.58, 0.0, 0.0217, 0.7800, 1.0, 100.0),
    "plywood": P2040Coefficients(2.71, 0.0, 0.33, 0.0, 1.0, 40.0),
    "marble": P2040Coefficients(7.074, 0.0, 0.0055, 0.9262, 1.0, 60.0),
    "metal": P2040Coefficients(1.0, 0.0, 1e7, 0.0, 1.0, 100.0),
}


def p2040_permittivity(material: str, freq_mhz: float = DEFAULT_FREQ_MHZ) -> complex:
    """Complex relative permittivity eta' - j eta'' of a P.2040 Table 3 material.

    eta'' = sigma / (2 pi f eps0) = 17.98 * sigma / f with f in GHz (P.2040-3, eq. 9b).
    """
    try:
        k = P2040_TABLE3[material]
    except KeyError:
        raise UnknownMaterialError(
            f"ITU-R P.2040 has no coefficients for {material!r}; use one of {', '.join(sorted(P2040_TABLE3))}."
        ) from None
    f_ghz = freq_mhz / 1000.0
    real = k.a * f_ghz**k.b
    sigma = k.c * f_ghz**k.d
    return complex(real, -17.98 * sigma / f_ghz)


def slab_transmission(permittivity: complex, thickness_m: float, freq_mhz: float = DEFAULT_FREQ_MHZ) -> complex:
    """Transmission coefficient of a homogeneous slab in air at normal incidence.

    ITU-R P.2040-3 section 3 (single-layer slab): with the air-slab interface
    reflection R' = (1 - sqrt(eta)) / (1 + sqrt(eta)) and the one-way phase
    q = 2 pi d sqrt(eta) / lambda, T = (1 - R'^2) e^{-jq} / (1 - R'^2 e^{-j2q}),
    which sums every internal reflection.
    """
    if thickness_m < 0:
        raise ValueError("thickness_m must not be negative")
    wavelength_m = SPEED_OF_LIGHT_M_S / (freq_mhz * 1e6)
    n = cmath.sqrt(permittivity)
    if n.imag > 0:  # the decaying branch: e^{-jq} must shrink through a lossy slab
        n = n.conjugate()
    r = (1 - n) / (1 + n)
    q = 2 * math.pi * thickness_m * n / wavelength_m
    return (1 - r * r) * cmath.exp(-1j * q) / (1 - r * r * cmath.exp(-2j * q))


def p2040_slab_loss_db(material: str, thickness_m: float, freq_mhz: float = DEFAULT_FREQ_MHZ) -> float:
    """Loss in dB through a slab of ``material`` (a P.2040 Table 3 name), normal incidence."""
    t = slab_transmission(p2040_permittivity(material, freq_mhz), thickness_m, freq_mhz)
    return -20.0 * math.log10(abs(t))


def _r(x: float) -> float:
    return round(x, 1)


# Gypsum partitions are two sheets on studs; the cavity adds little at 2.4 GHz, so twice
# the one-sheet slab loss. 12.7 mm (1/2 in) standard board; 15.9 mm (5/8 in) Type X
# fire-rated board, the code minimum between a garage and a dwelling (IRC R302.6).
_DRYWALL_DB = 2 * p2040_slab_loss_db("plasterboard", 0.0127)
_FIRE_DRYWALL_DB = 2 * p2040_slab_loss_db("plasterboard", 0.0159)
_CONCRETE_150_DB = p2040_slab_loss_db("concrete", 0.150)
_BRICK_90_DB = p2040_slab_loss_db("brick", 0.090)
_GLASS_6_DB = p2040_slab_loss_db("glass", 0.006)
# 3GPP TR 38.901 v17, Table 7.4.3-1: IRR (low-E) glass loss 23 + 0.3 f dB, f in GHz.
_LOW_E_DB = 23.0 + 0.3 * DEFAULT_FREQ_MHZ / 1000.0

# Colours: the Okabe-Ito colour-blind-safe palette first (Okabe & Ito 2008, "Color
# Universal Design"), then Paul Tol's "muted" scheme for the rest; every one distinct.
DEFAULT_MATERIALS: tuple[Material, ...] = (
    Material(
        "drywall",
        "Drywall partition (2 x 12.7 mm)",
        _r(_DRYWALL_DB),
        1.0,
        5.0,
        "ITU-R P.2040-3 slab model, plasterboard 12.7 mm x 2 sheets at 2437 MHz",
        "#56B4E9",
    ),
    Material(
        "fire_rated_drywall",
        "Fire-rated drywall (2 x 15.9 mm Type X)",
        _r(_FIRE_DRYWALL_DB),
        1.5,
        6.0,
        "ITU-R P.2040-3 slab model, plasterboard 15.9 mm x 2 sheets at 2437 MHz",
        "#0072B2",
    ),
    Material(
        "concrete_block",
        "Concrete block (CMU, 190 mm)",
        13.6,
        8.0,
        20.0,
        "Measured 194.5 mm concrete block 13.6 dB (Muqaibel et al.); NIST NISTIR 6055: 102 mm concrete 12.6-18 dB",
        "#999999",
    ),
    Material(
        "poured_concrete",
        "Poured concrete (150 mm)",
        _r(_CONCRETE_150_DB),
        8.0,
        30.0,
        "ITU-R P.2040-3 slab model, concrete 150 mm at 2437 MHz; NISTIR 6055: 12.6-18 dB for 102 mm",
        "#000000",
    ),
    Material(
        "brick",
        "Brick (90 mm)",
        _r(_BRICK_90_DB),
        2.0,
        8.0,
        "ITU-R P.2040-3 slab model, brick 90 mm at 2437 MHz; measured 87 mm 3.6 dB "
        "(Muqaibel et al.), NISTIR 6055 90 mm 5.4 dB",
        "#D55E00",
    ),
    Material(
        "wood_door",
        "Wooden door (45 mm)",
        1.0,
        0.5,
        4.0,
        "Measured 44.5 mm wooden door 1.0 dB (Muqaibel et al.)",
        "#E69F00",
    ),
    Material(
        "glass",
        "Window glass (6 mm)",
        _r(_GLASS_6_DB),
        1.0,
        4.0,
        "ITU-R P.2040-3 slab model, glass 6 mm at 2437 MHz",
        "#009E73",
    ),
    Material(
        "low_e_glass",
        "Low-E / coated glass",
        _r(_LOW_E_DB),
        15.0,
        40.0,
        "3GPP TR 38.901 Table 7.4.3-1, IRR glass 23 + 0.3 f(GHz) dB",
        "#44AA99",
    ),
    Material(
        "steel_garage_door",
        "Steel roll-up garage door",
        11.0,
        6.0,
        30.0,
        "Default of a commercial Wi-Fi planner for a metal door (gaps and seams leak)",
        "#CC79A7",
    ),
    Material(
        "metal_siding",
        "Metal siding",
        30.0,
        25.0,
        40.0,
        "Near-opaque sheet metal: 25-40 dB through seams and openings (field reports)",
        "#882255",
    ),
    Material("custom", "Custom", 5.0, 0.0, 50.0, "User-defined: set the loss measured on site", "#F0E442"),
)

_BY_ID = {m.id: m for m in DEFAULT_MATERIALS}


def material_by_id(material_id: str, materials=None) -> Material:
    """The material with ``material_id`` from ``materials`` (e.g. ``project.materials``),
    falling back to :data:`DEFAULT_MATERIALS`. Raises :class:`UnknownMaterialError`."""
    for m in materials or ():
        if m.id == material_id:
            return m
    try:
        return _BY_ID[material_id]
    except KeyError:
        raise UnknownMaterialError(
            f"Material {material_id!r} is not defined. Add it in the materials list or pick "
            f"one of: {', '.join(_BY_ID)}."
        ) from None


# -- 5 GHz ------------------------------------------------------------------------------------
#
# Tri-band mesh kits relay on 5 GHz, where every wall costs more. The backhaul radios sit
# anywhere from U-NII-1 (5180 MHz) to U-NII-3 (5805 MHz), so a wall's 5 GHz loss is taken as
# the larger of the two band edges: a kit that passes at the worse one passes on any channel.

#: The 5 GHz band edges a tri-band kit's backhaul may use (IEEE 802.11 channels 36 and 161), MHz.
BAND_5GHZ_EDGES_MHZ = (5180.0, 5805.0)


def _equivalent_thickness_m(material: str, loss_db: float, freq_mhz: float = DEFAULT_FREQ_MHZ) -> float:
    """Thickness (m) of a P.2040 slab of ``material`` that loses ``loss_db`` at ``freq_mhz``:
    how a measured 2.4 GHz loss is carried to another frequency when the wall is a lossy
    dielectric the slab model cannot describe by itself (a hollow concrete block)."""
    from scipy.optimize import brentq

    return float(brentq(lambda t: p2040_slab_loss_db(material, t, freq_mhz) - loss_db, 1e-4, 1.0))


def _worst_5ghz(loss_at) -> float:
    return max(loss_at(f) for f in BAND_5GHZ_EDGES_MHZ)


def _ratio(loss_5_db: float, loss_24_db: float) -> float:
    # Never below 1: a thin slab can resonate to a lower 5 GHz loss in the model (one sheet of
    # plasterboard at 5.8 GHz), which a stud wall with its cavity and fixings does not do; a
    # backhaul is not planned on that.
    return max(1.0, loss_5_db / loss_24_db)


def _default_5ghz_ratios() -> dict[str, tuple[float, str]]:
    """Per default material id: (5 GHz loss / 2.4 GHz loss, where the 5 GHz value comes from)."""
    block_t = _equivalent_thickness_m("concrete", 13.6)
    door_t = 0.0445  # Muqaibel's measured door: 44.5 mm of wood
    out = {
        "drywall": (
            _ratio(_worst_5ghz(lambda f: 2 * p2040_slab_loss_db("plasterboard", 0.0127, f)), _DRYWALL_DB),
            "ITU-R P.2040-3 slab model, plasterboard 2 x 12.7 mm at 5180-5805 MHz",
        ),
        "fire_rated_drywall": (
            _ratio(_worst_5ghz(lambda f: 2 * p2040_slab_loss_db("plasterboard", 0.0159, f)), _FIRE_DRYWALL_DB),
            "ITU-R P.2040-3 slab model, plasterboard 2 x 15.9 mm at 5180-5805 MHz",
        ),
        "concrete_block": (
            _ratio(
                _worst_5ghz(lambda f: p2040_slab_loss_db("concrete", block_t, f)),
                p2040_slab_loss_db("concrete", block_t),
            ),
            f"ITU-R P.2040-3 concrete slab of the thickness that loses the measured 13.6 dB at "
            f"2437 MHz ({block_t * 1000:.0f} mm), at 5180-5805 MHz",
        ),
        "poured_concrete": (
            _ratio(_worst_5ghz(lambda f: p2040_slab_loss_db("concrete", 0.150, f)), _CONCRETE_150_DB),
            "ITU-R P.2040-3 slab model, concrete 150 mm at 5180-5805 MHz",
        ),
        "brick": (
            _ratio(_worst_5ghz(lambda f: p2040_slab_loss_db("brick", 0.090, f)), _BRICK_90_DB),
            "ITU-R P.2040-3 slab model, brick 90 mm at 5180-5805 MHz",
        ),
        "wood_door": (
            _ratio(_worst_5ghz(lambda f: p2040_slab_loss_db("wood", door_t, f)), p2040_slab_loss_db("wood", door_t)),
            "ITU-R P.2040-3 slab model, wood 44.5 mm at 5180-5805 MHz, scaled from the measured 1.0 dB",
        ),
        "glass": (
            _ratio(_worst_5ghz(lambda f: p2040_slab_loss_db("glass", 0.006, f)), _GLASS_6_DB),
            "ITU-R P.2040-3 slab model, glass 6 mm at 5180-5805 MHz",
        ),
        "low_e_glass": (
            _ratio(23.0 + 0.3 * BAND_5GHZ_EDGES_MHZ[1] / 1000.0, _LOW_E_DB),
            "3GPP TR 38.901 Table 7.4.3-1, IRR glass 23 + 0.3 f(GHz) dB at 5.8 GHz",
        ),
        # Sheet steel is opaque at both bands; what passes leaks through seams and gaps, and
        # no measurement at 5 GHz is cited here, so no frequency trend is assumed.
        "steel_garage_door": (1.0, "metal: leakage through seams, no frequency trend assumed (same as 2.4 GHz)"),
        "metal_siding": (1.0, "metal: leakage through seams, no frequency trend assumed (same as 2.4 GHz)"),
    }
    # A user's own material: scaled like concrete block, the steepest of the walls above, so a
    # 5 GHz hop through an unknown wall is never judged better than through block.
    out["custom"] = (out["concrete_block"][0], "unknown material: scaled like concrete block (the steepest)")
    return out


_RATIOS_5GHZ: dict[str, tuple[float, str]] | None = None


def loss_5ghz_db(material: Material) -> tuple[float, str]:
    """(loss in dB at 5 GHz, source) of ``material``: its own 2.4 GHz loss (edited or calibrated
    on site) times the 5 GHz / 2.4 GHz ratio of its default, so what the survey learnt about
    the wall carries over. A material id the defaults do not know is scaled like concrete
    block (the steepest), the cautious choice for a backhaul."""
    global _RATIOS_5GHZ
    if _RATIOS_5GHZ is None:
        _RATIOS_5GHZ = _default_5ghz_ratios()
    ratio, source = _RATIOS_5GHZ.get(material.id, _RATIOS_5GHZ["custom"])
    return material.loss_db * ratio, source
