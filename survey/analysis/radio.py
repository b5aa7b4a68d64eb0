"""The propagation model the analysis uses: the router's EIRP and path-loss exponent, the
wall losses (calibrated from the survey when possible), evaluated with ``survey.rf``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from survey.project.model import Project
from survey.rf import calibration, propagation

log = logging.getLogger(__name__)

#: EIRP (20 dBm) and path-loss exponent (2.5) when the survey cannot calibrate them: the
#: propagation module's defaults, each with its source there (ETSI EN 300 328; Rappaport).
DEFAULT_EIRP_DBM = propagation.DEFAULT_EIRP_DBM
DEFAULT_EXPONENT = propagation.DEFAULT_EXPONENT

#: Fewer target samples than this and a calibration is not attempted (3 parameters + walls).
MIN_SAMPLES_TO_CALIBRATE = 6


@dataclass(frozen=True)
class RadioModel:
    """A propagation model for this site. ``source`` says where EIRP/exponent came from."""

    project: Project  # materials replaced by calibrated losses when calibrated
    walls_xy_m: np.ndarray  # (W, 4)
    wall_loss_db: np.ndarray  # (W,)
    router_eirp_dbm: float
    exponent: float
    source: str  # "calibrated" | "device" | "default"
    loo_rmse_db: float | None = None

    def rssi_dbm(self, tx_xy_m, eirp_dbm: float, query_xy_m) -> np.ndarray:
        """Predicted RSSI (dBm) at ``query_xy_m`` (M, 2) from a transmitter at ``tx_xy_m``.

        By reciprocity (same antennas both ways, passive walls) the loss from A to B equals
        the loss from B to A, so ``rssi_dbm(charger, eirp, spots)`` is what the charger would
        hear from a transmitter of that EIRP at each spot.
        """
        query = np.asarray(query_xy_m, dtype=float).reshape(-1, 2)
        return np.asarray(propagation.predicted_rssi_dbm(
            np.asarray(tx_xy_m, dtype=float), float(eirp_dbm), self.walls_xy_m, self.wall_loss_db,
            query, exponent=self.exponent), dtype=float)

    def grid_dbm(self, tx_xy_m, eirp_dbm: float, grid: "propagation.SiteGrid") -> np.ndarray:
        """Predicted RSSI (dBm, (ny, nx)) over a :class:`survey.rf.propagation.SiteGrid`."""
        return propagation.predicted_grid_dbm(np.asarray(tx_xy_m, dtype=float), float(eirp_dbm), self.walls_xy_m,
                                              self.wall_loss_db, grid, exponent=self.exponent)

    def trend(self, tx_xy_m) -> "propagation.PropagationModel":
        """The router's prediction as a callable, the trend for :func:`survey.rf.interpolation.fit_heatmap`."""
        return propagation.PropagationModel(ap_xy_m=(float(tx_xy_m[0]), float(tx_xy_m[1])),
                                            eirp_dbm=self.router_eirp_dbm, walls_xy_m=self.walls_xy_m,
                                            wall_loss_db=self.wall_loss_db, exponent=self.exponent)


def _with_materials(project: Project, losses: dict) -> Project:
    if not losses:
        return project
    materials = tuple(replace(m, loss_db=float(losses[m.id])) if m.id in losses else m
                      for m in project.materials)
    return replace(project, materials=materials)


def build_model(project: Project, xy_m: np.ndarray, rssi_dbm: np.ndarray) -> RadioModel:
    """The router's model: calibrated from the target's samples when possible, else defaults.

    ``xy_m``/``rssi_dbm`` are the target network's samples (heard ones only). Calibration
    needs the router's position; its result is kept only when leave-one-out error improves
    on the uncalibrated model (the calibration module decides, DESIGN "Calibration").
    """
    router = project.router
    eirp = router.eirp_dbm if router is not None and router.eirp_dbm is not None else DEFAULT_EIRP_DBM
    source = "device" if router is not None and router.eirp_dbm is not None else "default"
    exponent = DEFAULT_EXPONENT
    model_project = project
    loo = None
    if router is not None and len(rssi_dbm) >= MIN_SAMPLES_TO_CALIBRATE:
        try:
            result = calibration.calibrate(project, (router.x_m, router.y_m), xy_m, rssi_dbm)
        except Exception as exc:  # noqa: BLE001 - a failed fit falls back to defaults, and says so
            log.warning("Calibration failed, using the default model: %s", exc)
            result = None
        if result is not None and result.improves:
            eirp, exponent, source = float(result.eirp_dbm), float(result.exponent), "calibrated"
            model_project = _with_materials(project, dict(result.material_loss_db))
            loo = float(result.loo_rmse_db)
    walls_xy_m, wall_loss_db = propagation.walls_arrays(model_project)
    return RadioModel(model_project, np.asarray(walls_xy_m, dtype=float).reshape(-1, 4),
                      np.asarray(wall_loss_db, dtype=float).reshape(-1), float(eirp), float(exponent), source, loo)
