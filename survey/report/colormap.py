"""The RSSI colour map shared by the PDF and the GUI (Qt-free: numpy only).

The installer and the customer must see at a glance where the charger link is good
(>= -65 dBm), marginal (-75 to -65 dBm) and losing packets (< -75 dBm). A smooth
perceptual map (viridis) hides those two thresholds, so this map has three hue families
with a step at each threshold and a gradient inside each band:

* good, >= -65 dBm: greens, darker the stronger;
* marginal, -75 to -65 dBm: amber to yellow;
* packet loss, < -75 dBm: red to dark maroon.

Thresholds: DESIGN.md "Field facts" (-65 dBm target, packet loss below -75 dBm).

The GUI builds a ``pyqtgraph.ColorMap`` from :func:`colormap_stops` so both show the
same colours; the PDF uses :func:`rssi_to_rgb` / :func:`heatmap_rgb` directly.

The device marker colours live here too (:data:`DEVICE_COLOURS`), so a router or a planned
mesh node has the same colour on the screen and in the customer's PDF; each toolkit keeps
its own marker shapes. So do the verdict badge colours (:data:`VERDICT_COLOURS`).
"""

from __future__ import annotations

import numpy as np

from survey.analysis import thresholds
from survey.project.model import DeviceKind

#: The colour steps: the charger target and the packet-loss level (DESIGN.md field facts).
GOOD_DBM = thresholds.GOOD_DBM
LOSS_DBM = thresholds.PACKET_LOSS_DBM
#: Display range of the colour scale; readings outside are clamped to its ends.
#: -40 dBm is as strong as a laptop reads a few metres from an AP; -95 dBm is about the
#: noise floor of 2.4 GHz client radios.
SCALE_MIN_DBM = -95.0
SCALE_MAX_DBM = -40.0

# (dBm, RGB 0..1) stops per band; colours chosen for contrast between bands, and to stay
# distinguishable in greyscale print (the bands differ in lightness too).
_BANDS = (
    # packet loss: dark maroon at the bottom of the scale to red at -75
    ((SCALE_MIN_DBM, (0.36, 0.05, 0.10)), (LOSS_DBM, (0.90, 0.22, 0.17))),
    # marginal: amber at -75 to yellow at -65
    ((LOSS_DBM, (0.96, 0.62, 0.18)), (GOOD_DBM, (0.98, 0.88, 0.30))),
    # good: light green at -65 to deep green at the top
    ((GOOD_DBM, (0.55, 0.80, 0.35)), (SCALE_MAX_DBM, (0.05, 0.40, 0.18))),
)

BAND_LABELS = (
    (f">= {GOOD_DBM:.0f} dBm", "good for the charger"),
    (f"{LOSS_DBM:.0f} to {GOOD_DBM:.0f} dBm", "marginal"),
    (f"< {LOSS_DBM:.0f} dBm", "packet loss"),
)

NO_DATA_RGB = (1.0, 1.0, 1.0)


def rssi_to_rgb(rssi_dbm) -> np.ndarray:
    """RGB in 0..1, shape ``rssi_dbm.shape + (3,)``. NaN becomes white (no data)."""
    r = np.asarray(rssi_dbm, dtype=float)
    out = np.empty(r.shape + (3,), dtype=float)
    out[...] = NO_DATA_RGB
    clamped = np.clip(r, SCALE_MIN_DBM, SCALE_MAX_DBM)
    finite = np.isfinite(r)
    for (lo, lo_rgb), (hi, hi_rgb) in _BANDS:
        if hi == SCALE_MAX_DBM:
            in_band = finite & (clamped >= lo)
        else:
            in_band = finite & (clamped >= lo) & (clamped < hi)
        t = ((clamped[in_band] - lo) / (hi - lo))[:, None]
        out[in_band] = (1 - t) * np.asarray(lo_rgb) + t * np.asarray(hi_rgb)
    return out


def fade(rgb: np.ndarray, alpha) -> np.ndarray:
    """Blend toward white where ``alpha`` (0..1) is low: far from any sample the colour is
    a guess, and a faded colour says so without hiding it."""
    a = np.clip(np.asarray(alpha, dtype=float), 0.0, 1.0)[..., None]
    return rgb * a + (1.0 - a)


def heatmap_rgb(rssi_dbm, alpha=None) -> np.ndarray:
    """uint8 RGB image (H, W, 3) of an RSSI grid (H, W), faded by ``alpha`` when given."""
    rgb = rssi_to_rgb(rssi_dbm)
    if alpha is not None:
        rgb = fade(rgb, alpha)
    return np.round(rgb * 255).astype(np.uint8)


#: Colour limit of the difference map: +-15 dB is what a mesh node in the garage usually
#: adds or a misplaced node costs; larger changes saturate.
DIFF_LIMIT_DB = 15.0


def difference_rgb(delta_db, alpha=None, limit_db: float = DIFF_LIMIT_DB) -> np.ndarray:
    """uint8 RGB of a dB difference (after - before): blue better, white unchanged, red worse."""
    d = np.clip(np.asarray(delta_db, dtype=float) / limit_db, -1.0, 1.0)
    better = np.array((0.13, 0.40, 0.75))
    worse = np.array((0.80, 0.15, 0.15))
    white = np.ones(3)
    t = np.abs(np.nan_to_num(d))[..., None]
    target = np.where((np.nan_to_num(d) >= 0)[..., None], better, worse)
    rgb = white * (1 - t) + target * t
    rgb[~np.isfinite(np.asarray(delta_db, dtype=float))] = NO_DATA_RGB
    if alpha is not None:
        rgb = fade(rgb, alpha)
    return np.round(rgb * 255).astype(np.uint8)


#: Uncertainty (dB) that saturates the "how sure" map: indoor shadowing at 2.4 GHz spreads
#: readings by 3-6 dB (log-normal, Gudmundson-correlated; the simulated site uses 4 dB), so
#: beyond 8 dB the signal map's colour says little about the place.
UNCERTAINTY_MAX_DB = 8.0


def uncertainty_rgb(std_db) -> np.ndarray:
    """uint8 RGB of a per-cell standard deviation (dB): white (sure) through grey-blue to
    dark slate (:data:`UNCERTAINTY_MAX_DB` or more). NaN is white (no data)."""
    std = np.asarray(std_db, dtype=float)
    t = np.clip(np.nan_to_num(std) / UNCERTAINTY_MAX_DB, 0.0, 1.0)[..., None]
    low, mid, high = np.ones(3), np.array((0.55, 0.65, 0.80)), np.array((0.12, 0.16, 0.30))
    rgb = np.where(t < 0.5, low + (mid - low) * (t / 0.5), mid + (high - mid) * ((t - 0.5) / 0.5))
    rgb[~np.isfinite(std)] = NO_DATA_RGB
    return np.round(rgb * 255).astype(np.uint8)


def level_rgb(values, good_max: float, marginal_max: float) -> np.ndarray:
    """uint8 RGB of a measured link figure where lower is better (loss %, round trip ms):
    the good / marginal / bad colours of the RSSI bands, so a link map reads like the signal
    map. ``good_max`` and ``marginal_max`` are the limits (the link verdict's)."""
    v = np.asarray(values, dtype=float)
    good, marginal, bad = (rssi_to_rgb(np.array([d]))[0] for d in (-55.0, -70.0, -82.0))
    rgb = np.where((v <= good_max)[..., None], good, np.where((v <= marginal_max)[..., None], marginal, bad))
    rgb[~np.isfinite(v)] = NO_DATA_RGB
    return np.round(rgb * 255).astype(np.uint8)


def colormap_stops(
    vmin_dbm: float = SCALE_MIN_DBM, vmax_dbm: float = SCALE_MAX_DBM, n: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """(positions 0..1 (n,), uint8 RGBA colours (n, 4)) over [vmin, vmax] for a GUI colour
    map (``pyqtgraph.ColorMap(pos, colors)``). Sampled finely so the steps at -65/-75 stay
    sharp."""
    pos = np.linspace(0.0, 1.0, n)
    rgb = rssi_to_rgb(vmin_dbm + pos * (vmax_dbm - vmin_dbm))
    rgba = np.concatenate([np.round(rgb * 255), np.full((n, 1), 255.0)], axis=1).astype(np.uint8)
    return pos, rgba


#: Marker fill per device kind, on the GUI's plan and the PDF's. Dark tones that stay
#: visible over every band of the heatmap and apart in greyscale print; the charger is the
#: one bright mark (yellow with a black outline): it is what the verdict is about.
DEVICE_COLOURS: dict[DeviceKind, str] = {
    DeviceKind.ROUTER: "#1f4e9c",
    DeviceKind.ACCESS_POINT: "#1f4e9c",
    DeviceKind.MESH_NODE: "#6a2c91",
    DeviceKind.WIRED_AP: "#6a2c91",
    DeviceKind.POWERLINE_AP: "#6a2c91",
    DeviceKind.CHARGER: "#ffd400",
    DeviceKind.PANEL: "#555555",
    DeviceKind.ETHERNET_DROP: "#2e7d32",
    DeviceKind.OUTLET: "#795548",
}
#: Fill of a device kind missing from :data:`DEVICE_COLOURS`.
OTHER_DEVICE_COLOUR = "#444444"
#: The recommended fix (a new transmitter): its highlight ring in the PDF, its draggable
#: preview marker in the GUI. The colour of the new transmitters above.
PLANNED_FIX_COLOUR = DEVICE_COLOURS[DeviceKind.MESH_NODE]


def device_colour(kind: DeviceKind) -> str:
    """The marker fill (``#rrggbb``) of a device kind."""
    return DEVICE_COLOURS.get(kind, OTHER_DEVICE_COLOUR)


def device_outline(kind: DeviceKind) -> str:
    """The outline of a built (not planned) device's marker: white sets the dark fills off
    the plan; the charger's yellow needs black."""
    return "#000000" if kind == DeviceKind.CHARGER else "#ffffff"


#: Background of the verdict badge (GOOD / MARGINAL / POOR / UNKNOWN), drawn under white
#: bold text in the GUI panel and on the PDF cover alike, so the installer and the customer
#: see the same verdict colour. Hues follow the heatmap's bands; the tones are dark enough
#: for white text: WCAG 2.x contrast ratios 5.2 / 3.6 / 6.5 / 7.5, all above the 3:1 that
#: WCAG sets for large bold text (https://www.w3.org/TR/WCAG21/#contrast-minimum).
VERDICT_COLOURS: dict[str, str] = {
    thresholds.GOOD: "#1e7d34",
    thresholds.MARGINAL: "#b7791f",
    thresholds.POOR: "#b3261e",
    thresholds.UNKNOWN: "#555555",
}


def verdict_colour(status: str) -> str:
    """The verdict badge's background (``#rrggbb``); an unknown status gets UNKNOWN's grey."""
    return VERDICT_COLOURS.get(status, VERDICT_COLOURS[thresholds.UNKNOWN])
