"""Held-out accuracy of survey.rf.interpolation.fit_heatmap on measured RSSI.

Data: "WiFi RTT RSS dataset for indoor positioning", Feng, Nguyen & Luo (2024), Zenodo,
doi:10.5281/zenodo.11558192 (repository Fx386483710/WiFi-RTT-RSS-dataset). Train and test
reference points do not overlap; for every AP we fit on the median RSSI per train point and
predict the median RSSI per test point. -200 dBm means "not heard" and is dropped.

Usage:  uv run python tests/benchmarks/accuracy_realworld.py [path/to/rssi]

Prints the held-out RMSE (dB, averaged over the APs of each building) of fit_heatmap with
and without the AP position as trend, next to inverse-distance weighting (power 2) and a
fixed thin-plate spline (smoothing 10). Exit status 1 if fit_heatmap is worse than the
better baseline on a building.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path

import numpy as np
from scipy.interpolate import RBFInterpolator

from survey.rf.interpolation import fit_heatmap

DEFAULT_DIR = Path("/work/shared/realworld/rssi")
#: Grid pitch (m per grid unit) of each building, from the data set's README.
PITCH_M = {"apartment": 0.48, "office": 0.455}
NOT_HEARD_DBM = -200.0


def read_set(path: Path):
    """{ap_name: {(x, y): [rssi, ...]}} in grid units from one CSV."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    rss_cols = {re.match(r"(AP\d+) RSS", h).group(1): i for i, h in enumerate(header) if "RSS(dBm)" in h}
    ix, iy = header.index("X"), header.index("Y")
    out: dict[str, dict[tuple[float, float], list[float]]] = {ap: {} for ap in rss_cols}
    for row in rows[1:]:
        if not row:
            continue
        key = (float(row[ix]), float(row[iy]))
        for ap, col in rss_cols.items():
            v = float(row[col])
            if v != NOT_HEARD_DBM:
                out[ap].setdefault(key, []).append(v)
    return out


def medians(points, pitch_m: float):
    keys = sorted(points)
    xy = np.array(keys, dtype=float) * pitch_m
    z = np.array([np.median(points[k]) for k in keys])
    return xy, z


def read_ap_coords(path: Path) -> dict[str, list[tuple[float, float]]]:
    """{"office": [(x, y), ...], "apartment": [...]} in grid units, in column order."""
    text = path.read_text()
    result = {}
    for name in ("office", "apartment"):
        m = re.search(name + r"\W*AP X:([^\n]*)\n\s*AP Y:([^\n]*)", text, re.IGNORECASE)
        if m:
            xs = [float(v) for v in m.group(1).replace(" ", "").split(",") if v]
            ys = [float(v) for v in re.split(r"[,\s]+", m.group(2).strip()) if v]
            result[name] = list(zip(xs, ys))
    return result


def idw(xy, z, q, power=2.0):
    d2 = ((q[:, None, :] - xy[None]) ** 2).sum(-1)
    w = 1.0 / np.maximum(d2, 1e-12) ** (power / 2)
    return (w @ z) / w.sum(1)


def rmse(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def evaluate(root: Path, name: str, ap_coords) -> dict[str, float]:
    pitch = PITCH_M[name]
    train, test = read_set(root / f"{name}_train.csv"), read_set(root / f"{name}_test.csv")
    aps = sorted(train, key=lambda a: int(a[2:]))
    results: dict[str, list[float]] = {"idw": [], "tps10": [], "fit_heatmap": [], "fit_heatmap+ap": []}
    methods_used = []
    fit_times = []
    for i, ap in enumerate(aps):
        xy, z = medians(train[ap], pitch)
        qxy, qz = medians(test[ap], pitch)
        results["idw"].append(rmse(idw(xy, z, qxy), qz))
        results["tps10"].append(rmse(RBFInterpolator(xy, z, kernel="thin_plate_spline", smoothing=10)(qxy), qz))
        t = time.perf_counter()
        hm = fit_heatmap(xy, z)
        fit_times.append(time.perf_counter() - t)
        results["fit_heatmap"].append(rmse(hm.predict(qxy), qz))
        ap_xy = None
        if name in ap_coords and i < len(ap_coords[name]):
            ap_xy = np.array(ap_coords[name][i]) * pitch
        hm_ap = fit_heatmap(xy, z, ap_xy_m=ap_xy)
        results["fit_heatmap+ap"].append(rmse(hm_ap.predict(qxy), qz))
        methods_used.append(f"{ap}: n={len(z)} {hm.method} (cv {hm.loo_rmse_db:.2f}) / {hm_ap.method}")
    print(f"\n{name}: {len(aps)} APs, fit time median {np.median(fit_times) * 1000:.0f} ms")
    for line in methods_used:
        print("   ", line)
    mean = {k: float(np.mean(v)) for k, v in results.items()}
    for k, v in results.items():
        print(f"  {k:16s} mean held-out RMSE {mean[k]:.2f} dB   per AP: " + ", ".join(f"{x:.2f}" for x in v))
    return mean


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    if not (root / "apartment_train.csv").exists():
        print(f"No data set at {root}; pass the folder holding apartment_train.csv", file=sys.stderr)
        return 2
    coords = read_ap_coords(root / "ap_coords.txt") if (root / "ap_coords.txt").exists() else {}
    print("Data: Feng, Nguyen & Luo (2024), WiFi RTT RSS dataset, doi:10.5281/zenodo.11558192")
    ok = True
    for name in ("apartment", "office"):
        mean = evaluate(root, name, coords)
        best_baseline = min(mean["idw"], mean["tps10"])
        verdict = "OK" if mean["fit_heatmap"] <= best_baseline + 1e-9 else "WORSE"
        ok &= verdict == "OK"
        print(f"  -> fit_heatmap {mean['fit_heatmap']:.2f} dB vs best baseline {best_baseline:.2f} dB: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
