"""Held-out accuracy of survey.rf.interpolation.fit_heatmap on measured RSSI.

Data: "WiFi RTT RSS dataset for indoor positioning", Feng, Nguyen & Luo (2024), Zenodo,
doi:10.5281/zenodo.11558192 (repository Fx386483710/WiFi-RTT-RSS-dataset). Train and test
reference points do not overlap; for every AP we fit on the median RSSI per train point and
predict the median RSSI per test point. -200 dBm means "not heard" and is dropped.

Usage:  uv run python tests/benchmarks/accuracy_realworld.py [DATA_DIR] [--json OUT] [--before BEFORE.json]

Prints the held-out RMSE (dB, averaged over the APs of each building) of fit_heatmap with
and without the AP position as trend, next to inverse-distance weighting (power 2) and a
fixed thin-plate spline (smoothing 10): on all train points, and on random subsets of
8, 15 and 30 train points per AP (averaged over the APs and :data:`SUBSET_SEEDS` seeds; a
survey with few samples is where the choice of method matters most).

``--json OUT`` writes the table; ``--before BEFORE.json`` compares with a table written
earlier (e.g. on the main branch) and fails if fit_heatmap got worse at any size by more
than :data:`TOLERANCE_DB`. Exit status 1 also if fit_heatmap on all train points is worse
than the better baseline on a building.
"""

from __future__ import annotations

import argparse
import csv
import json
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
#: Train points per AP of the random subsets ("full" is every train point).
SUBSET_SIZES = (8, 15, 30)
#: Seeds of the random subsets: every (AP, size) is drawn this many times.
SUBSET_SEEDS = range(20)
#: A change within this of the earlier figure is no change (the subsets' mean moves by
#: about this much between runs of equivalent methods).
TOLERANCE_DB = 0.02
COLUMNS = ("fit_heatmap", "fit_heatmap+ap", "idw", "tps10")


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


def held_out(xy, z, qxy, qz, ap_xy, fit_times=None) -> dict[str, float]:
    """RMSE (dB) at the test points of every column, fitted on (xy, z)."""
    t = time.perf_counter()
    hm = fit_heatmap(xy, z)
    if fit_times is not None:
        fit_times.append(time.perf_counter() - t)
    hm_ap = fit_heatmap(xy, z, ap_xy_m=ap_xy)
    return (
        {
            "fit_heatmap": rmse(hm.predict(qxy), qz),
            "fit_heatmap+ap": rmse(hm_ap.predict(qxy), qz),
            "idw": rmse(idw(xy, z, qxy), qz),
            "tps10": rmse(RBFInterpolator(xy, z, kernel="thin_plate_spline", smoothing=10)(qxy), qz),
        },
        hm,
        hm_ap,
    )


def evaluate(root: Path, name: str, ap_coords) -> dict[str, dict[str, float]]:
    """{size: {column: mean held-out RMSE dB}} with size "full" or a subset size."""
    pitch = PITCH_M[name]
    train, test = read_set(root / f"{name}_train.csv"), read_set(root / f"{name}_test.csv")
    aps = sorted(train, key=lambda a: int(a[2:]))
    table: dict[str, dict[str, list[float]]] = {}
    methods_used = []
    fit_times: list[float] = []
    for i, ap in enumerate(aps):
        xy, z = medians(train[ap], pitch)
        qxy, qz = medians(test[ap], pitch)
        ap_xy = None
        if name in ap_coords and i < len(ap_coords[name]):
            ap_xy = np.array(ap_coords[name][i]) * pitch
        scores, hm, hm_ap = held_out(xy, z, qxy, qz, ap_xy, fit_times)
        for col, v in scores.items():
            table.setdefault("full", {}).setdefault(col, []).append(v)
        methods_used.append(f"{ap}: n={len(z)} {hm.method} (cv {hm.loo_rmse_db:.2f}) / {hm_ap.method}")
        for size in SUBSET_SIZES:
            if size >= len(z):
                continue
            for seed in SUBSET_SEEDS:
                pick = np.sort(np.random.default_rng([seed, size, i]).choice(len(z), size, replace=False))
                scores, _, _ = held_out(xy[pick], z[pick], qxy, qz, ap_xy)
                for col, v in scores.items():
                    table.setdefault(str(size), {}).setdefault(col, []).append(v)
    print(f"\n{name}: {len(aps)} APs, fit time (all train points) median {np.median(fit_times) * 1000:.0f} ms")
    for line in methods_used:
        print("   ", line)
    mean = {size: {col: float(np.mean(v)) for col, v in cols.items()} for size, cols in table.items()}
    print(f"  {'train points':>12s} " + " ".join(f"{c:>15s}" for c in COLUMNS))
    for size, cols in mean.items():
        print(f"  {size:>12s} " + " ".join(f"{cols[c]:15.2f}" for c in COLUMNS))
    return mean


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--json", type=Path, help="write the table of mean held-out RMSE (dB) here")
    parser.add_argument("--before", type=Path, help="a table written earlier with --json to compare with")
    args = parser.parse_args(argv[1:])
    root = args.root
    if not (root / "apartment_train.csv").exists():
        print(f"No data set at {root}; pass the folder holding apartment_train.csv", file=sys.stderr)
        return 2
    coords = read_ap_coords(root / "ap_coords.txt") if (root / "ap_coords.txt").exists() else {}
    print("Data: Feng, Nguyen & Luo (2024), WiFi RTT RSS dataset, doi:10.5281/zenodo.11558192")
    ok = True
    results = {}
    for name in ("apartment", "office"):
        mean = evaluate(root, name, coords)
        results[name] = mean
        best_baseline = min(mean["full"]["idw"], mean["full"]["tps10"])
        verdict = "OK" if mean["full"]["fit_heatmap"] <= best_baseline + 1e-9 else "WORSE"
        ok &= verdict == "OK"
        print(
            f"  -> fit_heatmap {mean['full']['fit_heatmap']:.2f} dB vs best baseline {best_baseline:.2f} dB: {verdict}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.before:
        before = json.loads(args.before.read_text())
        print("\nagainst", args.before)
        for name, sizes in results.items():
            for size, cols in sizes.items():
                for col in ("fit_heatmap", "fit_heatmap+ap"):
                    old = before.get(name, {}).get(size, {}).get(col)
                    if old is None:
                        continue
                    worse = cols[col] > old + TOLERANCE_DB
                    ok &= not worse
                    print(
                        f"  {name:9s} {size:>4s} {col:15s} before {old:.2f} now {cols[col]:.2f} dB"
                        f"{'  WORSE' if worse else ''}"
                    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
