"""Fit the propagation model to samples of one access point whose position is known.

Unknowns: EIRP (dBm), path-loss exponent n, and one loss (dB) per wall material the
sample paths cross. The model (see :mod:`survey.rf.propagation`) is linear in all of them:

    rssi_i + PL(1 m) = EIRP - n * 10 log10(d_i) - sum_k count_ik * L_k

where count_ik is how many walls of material k the path AP -> sample i crosses. Solved by
bounded linear least squares (``scipy.optimize.lsq_linear``), each material's loss held
within its plausible range and n within ``exponent_bounds``, so a handful of samples
cannot produce nonsense such as a negative wall loss.

The fit is only worth keeping when it predicts samples it has not seen better than the
defaults do: both are scored by leave-one-out RMSE (the baseline fits EIRP only, with
default exponent and material losses), and ``improves`` says which won.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import lsq_linear

from survey.errors import UserInputError
from survey.rf.materials import material_by_id
from survey.rf.propagation import DEFAULT_EXPONENT, REF_LOSS_DB, distance_db, finite_samples, wall_crossings

log = logging.getLogger(__name__)

#: EIRP search range (dBm): from a weak IoT radio to well above any legal 2.4 GHz limit
#: (US FCC 15.247 allows 36 dBm EIRP); the measuring laptop's own antenna gain and body
#: loss fold into this number too.
EIRP_BOUNDS_DBM = (-20.0, 45.0)


class CalibrationError(UserInputError):
    """Too few or unusable samples to calibrate."""


@dataclass(frozen=True)
class CalibrationResult:
    """Fitted model of one AP.

    ``material_loss_db``: fitted loss per material id crossed by at least one sample path.
    ``loo_rmse_db``: cross-validated RMSE of the fitted model (leave-one-out up to
    :data:`LOO_MAX_SAMPLES` samples, else 10-fold); ``baseline_loo_rmse_db``: the
    leave-one-out RMSE of the defaults with only EIRP fitted; ``improves``: keep the fit.
    """

    eirp_dbm: float
    exponent: float
    material_loss_db: dict = field(hash=False)
    loo_rmse_db: float
    baseline_loo_rmse_db: float
    improves: bool
    n_samples: int


#: Up to this many samples the fit's error is leave-one-out; above, 10-fold cross-validation
#: (folds fixed by a seeded permutation): N bounded fits of N samples grow as N^2 and took
#: minutes at 5,000 samples, while 10 folds estimate the same held-out error (Hastie,
#: Tibshirani & Friedman, "The Elements of Statistical Learning", 2nd ed., 7.10).
LOO_MAX_SAMPLES = 60
CV_FOLDS = 10


def _folds(n: int) -> list[np.ndarray]:
    if n <= LOO_MAX_SAMPLES:
        return [np.array([i]) for i in range(n)]
    perm = np.random.default_rng(12345).permutation(n)
    return [perm[k::CV_FOLDS] for k in range(CV_FOLDS)]


def _bounded_fit(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lsq_linear(a, b, bounds=(lo, hi), method="bvls").x


def calibrate(ap_xy_m, sample_xy_m, rssi_dbm, walls_xy_m, wall_material_ids, materials=(), *,
              exponent_bounds=(1.6, 4.0), default_exponent: float = DEFAULT_EXPONENT,
              ref_loss_db: float = REF_LOSS_DB) -> CalibrationResult:
    """Fit EIRP, exponent and per-material losses to RSSI samples of the AP at ``ap_xy_m``.

    ``sample_xy_m`` (N, 2) m, ``rssi_dbm`` (N,) dBm (non-finite readings are dropped),
    ``walls_xy_m`` (W, 4) m with ``wall_material_ids`` (W,) resolved against ``materials``
    (e.g. ``project.materials``) and then the defaults. Raises :class:`CalibrationError`
    when there are fewer samples than unknowns + 2.
    """
    xy, z = finite_samples(sample_xy_m, rssi_dbm)
    walls = np.asarray(walls_xy_m, dtype=np.float64).reshape(-1, 4)
    ids = list(wall_material_ids)
    if len(ids) != walls.shape[0]:
        raise ValueError("wall_material_ids must have one entry per wall")

    crossings = wall_crossings(ap_xy_m, walls, xy).astype(np.float64)  # (N, W)
    material_ids = sorted(set(ids))
    onehot = np.array([[1.0 if i == m else 0.0 for m in material_ids] for i in ids]).reshape(len(ids), -1)
    counts = crossings @ onehot  # (N, K)
    present = [k for k in range(len(material_ids)) if counts[:, k].any()]
    mats = [material_by_id(material_ids[k], materials) for k in present]
    counts = counts[:, present]

    n_unknowns = 2 + len(present)
    if z.shape[0] < n_unknowns + 2:
        raise CalibrationError(
            f"Calibration needs at least {n_unknowns + 2} samples of this access point "
            f"({len(present)} wall materials on the paths); it has {z.shape[0]}. Take more samples, "
            f"near and far and behind each kind of wall.")

    log_d = distance_db(ap_xy_m, xy[:, 0], xy[:, 1])
    a = np.column_stack([np.ones_like(z), -log_d, -counts])
    b = z + ref_loss_db
    lo = np.array([EIRP_BOUNDS_DBM[0], exponent_bounds[0]] + [m.loss_min_db for m in mats])
    hi = np.array([EIRP_BOUNDS_DBM[1], exponent_bounds[1]] + [m.loss_max_db for m in mats])
    x = _bounded_fit(a, b, lo, hi)

    n = z.shape[0]
    errors = np.empty(n)
    for test in _folds(n):
        train = np.ones(n, dtype=bool)
        train[test] = False
        xi = _bounded_fit(a[train], b[train], lo, hi)
        errors[test] = a[test] @ xi - b[test]
    loo = float(np.sqrt(np.mean(errors ** 2)))

    # Baseline: defaults for exponent and losses; EIRP (the mean offset) fitted on the others.
    default_losses = np.array([m.loss_db for m in mats])
    offset = b + default_exponent * log_d + counts @ default_losses  # each sample's EIRP estimate
    loo_offset = (offset.sum() - offset) / (n - 1)
    baseline = float(np.sqrt(np.mean((loo_offset - offset) ** 2)))

    result = CalibrationResult(
        eirp_dbm=float(x[0]), exponent=float(x[1]),
        material_loss_db={m.id: float(v) for m, v in zip(mats, x[2:])},
        loo_rmse_db=loo, baseline_loo_rmse_db=baseline, improves=loo < baseline, n_samples=n)
    log.info("calibration of %d samples: EIRP %.1f dBm, n %.2f, losses %s; LOO %.2f dB vs default %.2f dB",
             n, result.eirp_dbm, result.exponent, result.material_loss_db, loo, baseline)
    return result


def calibrated_materials(materials, result: CalibrationResult) -> tuple:
    """``materials`` (project materials, else the defaults for the fitted ids) with the fitted
    losses applied; unchanged when the fit does not improve on the defaults."""
    out = list(materials)
    if not result.improves:
        return tuple(out)
    by_id = {m.id: i for i, m in enumerate(out)}
    for mid, loss in result.material_loss_db.items():
        base = out[by_id[mid]] if mid in by_id else material_by_id(mid)
        new = replace(base, loss_db=round(loss, 1),
                      source=f"Calibrated on site ({result.n_samples} samples, LOO RMSE "
                             f"{result.loo_rmse_db:.1f} dB); default: {material_by_id(mid, materials).source}")
        if mid in by_id:
            out[by_id[mid]] = new
        else:
            out.append(new)
    return tuple(out)
