"""Fit the propagation model to samples of one access point whose position is known.

Unknowns: EIRP (dBm), path-loss exponent n, and one loss (dB) per wall material the
sample paths cross. The model (see :mod:`survey.rf.propagation`) is linear in all of them:

    rssi_i + PL(1 m) = EIRP - n * 10 log10(d_i) - sum_k count_ik * L_k

where count_ik is how many walls of material k the path AP -> sample i crosses.

Samples of one AP rarely pin every unknown: EIRP and n move together (both shift a sample
by its distance), and a material crossed by three paths is known to within its noise. A
plain bounded fit then parks such parameters at a bound (drywall 5 dB, block 17 dB). So the
fit is regularised toward the defaults (Tikhonov / ridge regression, equivalently the
maximum a posteriori estimate under a Gaussian prior centred on the defaults; Hastie,
Tibshirani & Friedman, "The Elements of Statistical Learning", 2nd ed., 3.4.1): each
material's prior spread is half its plausible range (the range is about +-1 sigma, so the
data decide wherever paths cross the wall),
the exponent's 1.2 (half of 1.6-4.0), EIRP's 10 dB; the residual noise is the first fit's
own scatter (from :data:`NOISE_DB` as the starting weight). Solved by bounded linear least
squares (``scipy.optimize.lsq_linear``) on the data rows stacked with the prior rows; the
plausible ranges stay as hard bounds.

What the data could not separate is reported: the condition number of the design matrix
with unit-norm columns, the parameters that share a near-null direction of it (condition
index above 30: Belsley, Kuh & Welsch, "Regression Diagnostics", 1980, ch. 3), the
correlation of the EIRP and exponent estimates, and which parameters the prior rather than
the data decided.

The fit is only worth keeping when it predicts samples it has not seen better than the
defaults do: both are scored by leave-one-out RMSE (the baseline fits EIRP only, with
default exponent and material losses), and ``improves`` says which won.
"""

from __future__ import annotations

import logging
import math
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
    #: Condition number of the design matrix (unit-norm columns): large = parameters confounded.
    condition_number: float = 1.0
    #: Groups of parameters ("eirp", "exponent", material ids) the samples cannot tell apart.
    unseparated: tuple[tuple[str, ...], ...] = ()
    #: Correlation of the EIRP and exponent estimates from the data alone (-1..1).
    eirp_exponent_correlation: float = 0.0
    #: Parameters the defaults (the prior) decided more than the samples did.
    prior_decided: tuple[str, ...] = ()

    @property
    def caveats(self) -> str:
        """What the fit could not tell, in plain words ("" when nothing)."""
        parts = []
        for group in self.unseparated:
            names = [PARAMETER_WORDS.get(g, g.replace("_", " ")) for g in group]
            parts.append(f"{' and '.join(names)} are not separated by these samples (only their combination is known)")
        decided = [
            PARAMETER_WORDS.get(g, g.replace("_", " "))
            for g in self.prior_decided
            if not any(g in grp for grp in self.unseparated)
        ]
        if decided:
            parts.append(
                f"{', '.join(decided)} kept near the default (too few paths cross "
                f"{'it' if len(decided) == 1 else 'them'})"
            )
        return "; ".join(parts)

    def to_json(self) -> dict:
        return {
            "eirp_dbm": round(self.eirp_dbm, 1),
            "exponent": round(self.exponent, 2),
            "material_loss_db": {k: round(v, 1) for k, v in self.material_loss_db.items()},
            "cv_rmse_db": round(self.loo_rmse_db, 2),
            "baseline_cv_rmse_db": round(self.baseline_loo_rmse_db, 2),
            "kept": self.improves,
            "samples": self.n_samples,
            "condition_number": round(self.condition_number, 1),
            "eirp_exponent_correlation": round(self.eirp_exponent_correlation, 2),
            "unseparated": [list(g) for g in self.unseparated],
            "prior_decided": list(self.prior_decided),
            "caveats": self.caveats,
        }


PARAMETER_WORDS = {"eirp": "the router's power (EIRP)", "exponent": "the path-loss exponent"}

#: Residual noise of one sample around the model (dB) that weighs the data against the prior:
#: 4 dB, between the 3 dB (line of sight) and 8 dB (none) shadow fading of 3GPP TR 38.901
#: Table 7.4.1-1 (InH), the walls being modelled explicitly.
NOISE_DB = 4.0
#: The noise is then re-estimated from the first fit's residuals, kept within these (dB):
#: whole-dB driver readings (1 dB) to the no-line-of-sight shadow fading (8 dB).
NOISE_BOUNDS_DB = (1.0, 8.0)
#: Prior spread of the exponent (half the 1.6-4.0 bounds) and of EIRP (dB).
EXPONENT_PRIOR_SD = 1.2
EIRP_PRIOR_SD_DB = 10.0
#: Centre of the EIRP prior: a typical router (propagation.DEFAULT_EIRP_DBM, ETSI EN 300 328).
EIRP_PRIOR_DBM = 20.0
#: Condition index above which columns are collinear (Belsley, Kuh & Welsch 1980).
COLLINEAR_CONDITION_INDEX = 30.0
#: A parameter with at least this share of its variance in a collinear direction belongs to it.
COLLINEAR_VARIANCE_SHARE = 0.5
#: The prior decided a parameter when the data shrank its prior variance by less than half.
PRIOR_DECIDED_SHARE = 0.5


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


def _bounded_fit(
    a: np.ndarray,
    b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    prior: np.ndarray,
    prior_sd: np.ndarray,
    noise_db: float | None = None,
) -> np.ndarray:
    """The regularised fit: data rows over the noise stacked with one prior row per parameter."""
    noise = NOISE_DB if noise_db is None else noise_db
    aa = np.vstack([a / noise, np.diag(1.0 / prior_sd)])
    bb = np.concatenate([b / noise, prior / prior_sd])
    return lsq_linear(aa, bb, bounds=(lo, hi), method="bvls").x


def _noise_db(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> float:
    """The samples' own scatter around a first fit (dB, degrees of freedom counted), within
    NOISE_BOUNDS_DB: a calm survey then trusts its data more than a noisy one does."""
    n, p = a.shape
    rms = float(np.sqrt(np.sum((a @ x - b) ** 2) / max(n - p, 1)))
    return float(np.clip(rms, *NOISE_BOUNDS_DB))


def _identifiability(a: np.ndarray, names: list[str], prior_sd: np.ndarray, noise_db: float):
    """(condition number, collinear groups, EIRP-exponent correlation, prior-decided names).

    Collinear groups follow Belsley-Kuh-Welsch: scale the columns to unit length, take the
    SVD; each singular value whose condition index (largest / it) exceeds 30 marks a
    near-dependency, and the parameters with most of their variance in it are confounded.
    """
    norms = np.linalg.norm(a, axis=0)
    norms[norms == 0] = 1.0
    _u, sv, vt = np.linalg.svd(a / norms, full_matrices=False)
    sv = np.maximum(sv, 1e-12 * sv[0])
    condition = float(sv[0] / sv[-1])
    # Variance-decomposition proportions: share of each parameter's variance per component.
    phi = (vt.T**2) / sv[None, :] ** 2  # (p, k)
    share = phi / phi.sum(axis=1, keepdims=True)
    groups = []
    for k in range(len(sv)):
        if sv[0] / sv[k] > COLLINEAR_CONDITION_INDEX:
            group = tuple(names[j] for j in range(len(names)) if share[j, k] >= COLLINEAR_VARIANCE_SHARE)
            if len(group) >= 2 and group not in groups:
                groups.append(group)
    cov = np.linalg.pinv(a.T @ a)
    denom = math.sqrt(max(cov[0, 0] * cov[1, 1], 1e-300))
    corr = float(np.clip(cov[0, 1] / denom, -1.0, 1.0))
    if abs(corr) >= 0.95 and ("eirp", "exponent") not in groups:
        # Strongly correlated even if not past the condition index: still not separately known.
        groups.insert(0, ("eirp", "exponent"))
    posterior = np.linalg.inv(a.T @ a / noise_db**2 + np.diag(1.0 / prior_sd**2))
    ratio = np.diag(posterior) * (1.0 / prior_sd**2)
    decided = tuple(names[j] for j in range(len(names)) if ratio[j] > PRIOR_DECIDED_SHARE)
    return condition, tuple(groups), corr, decided


def calibrate(
    ap_xy_m,
    sample_xy_m,
    rssi_dbm,
    walls_xy_m,
    wall_material_ids,
    materials=(),
    *,
    exponent_bounds=(1.6, 4.0),
    default_exponent: float = DEFAULT_EXPONENT,
    ref_loss_db: float = REF_LOSS_DB,
) -> CalibrationResult:
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
            f"near and far and behind each kind of wall."
        )

    log_d = distance_db(ap_xy_m, xy[:, 0], xy[:, 1])
    a = np.column_stack([np.ones_like(z), -log_d, -counts])
    b = z + ref_loss_db
    lo = np.array([EIRP_BOUNDS_DBM[0], exponent_bounds[0]] + [m.loss_min_db for m in mats])
    hi = np.array([EIRP_BOUNDS_DBM[1], exponent_bounds[1]] + [m.loss_max_db for m in mats])
    prior = np.clip(np.array([EIRP_PRIOR_DBM, default_exponent] + [m.loss_db for m in mats]), lo, hi)
    prior_sd = np.array(
        [EIRP_PRIOR_SD_DB, EXPONENT_PRIOR_SD] + [max((m.loss_max_db - m.loss_min_db) / 2.0, 0.5) for m in mats]
    )
    noise = _noise_db(a, b, _bounded_fit(a, b, lo, hi, prior, prior_sd))
    x = _bounded_fit(a, b, lo, hi, prior, prior_sd, noise)

    n = z.shape[0]
    errors = np.empty(n)
    for test in _folds(n):
        train = np.ones(n, dtype=bool)
        train[test] = False
        xi = _bounded_fit(a[train], b[train], lo, hi, prior, prior_sd, noise)
        errors[test] = a[test] @ xi - b[test]
    loo = float(np.sqrt(np.mean(errors**2)))
    names = ["eirp", "exponent"] + [m.id for m in mats]
    condition, unseparated, corr, decided = _identifiability(a, names, prior_sd, noise)

    # Baseline: defaults for exponent and losses; EIRP (the mean offset) fitted on the others.
    default_losses = np.array([m.loss_db for m in mats])
    offset = b + default_exponent * log_d + counts @ default_losses  # each sample's EIRP estimate
    loo_offset = (offset.sum() - offset) / (n - 1)
    baseline = float(np.sqrt(np.mean((loo_offset - offset) ** 2)))

    result = CalibrationResult(
        eirp_dbm=float(x[0]),
        exponent=float(x[1]),
        material_loss_db={m.id: float(v) for m, v in zip(mats, x[2:])},
        loo_rmse_db=loo,
        baseline_loo_rmse_db=baseline,
        improves=loo < baseline,
        n_samples=n,
        condition_number=condition,
        unseparated=unseparated,
        eirp_exponent_correlation=corr,
        prior_decided=decided,
    )
    log.info(
        "calibration of %d samples: EIRP %.1f dBm, n %.2f, losses %s; CV %.2f dB vs default %.2f dB; "
        "condition %.0f, not separated %s",
        n,
        result.eirp_dbm,
        result.exponent,
        result.material_loss_db,
        loo,
        baseline,
        condition,
        unseparated,
    )
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
        new = replace(
            base,
            loss_db=round(loss, 1),
            source=f"Calibrated on site ({result.n_samples} samples, LOO RMSE "
            f"{result.loo_rmse_db:.1f} dB); default: {material_by_id(mid, materials).source}",
        )
        if mid in by_id:
            out[by_id[mid]] = new
        else:
            out.append(new)
    return tuple(out)
