"""The propagation model the analysis uses: the router's EIRP and path-loss exponent, the
wall losses (calibrated from the survey when possible), evaluated with ``survey.rf``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np

from survey.analysis.target import target_samples
from survey.project.model import Device, DeviceKind, Project, TargetNetwork
from survey.rf import calibration, propagation
from survey.rf.materials import BAND_5GHZ_EDGES_MHZ, SPEED_OF_LIGHT_M_S, loss_5ghz_db, material_by_id

log = logging.getLogger(__name__)

#: EIRP (20 dBm) and path-loss exponent (2.5) when the survey cannot calibrate them: the
#: propagation module's defaults, each with its source there (ETSI EN 300 328; Rappaport).
DEFAULT_EIRP_DBM = propagation.DEFAULT_EIRP_DBM
DEFAULT_EXPONENT = propagation.DEFAULT_EXPONENT

#: Fewer target samples than this and a calibration is not attempted (3 parameters + walls).
MIN_SAMPLES_TO_CALIBRATE = 6

#: The model's error (dB, one sigma) when it was not fitted to this site: 8 dB is the shadow
#: fading of an indoor path without line of sight (3GPP TR 38.901 Table 7.4.1-1, InH NLOS:
#: sigma_SF = 8.03 dB), the spread of a path-loss model around the truth when nothing local
#: is known.
UNFITTED_ERROR_DB = 8.0
#: Never less than this (dB): drivers report RSSI in whole dB, so a cross-validated error of
#: a few tenths (samples that are the model's own output) is not a real precision.
MIN_ERROR_DB = 1.0


def ref_loss_db(freq_mhz: float) -> float:
    """Free-space loss at 1 m (dB), 20 log10(4 pi f / c) (Friis)."""
    return 20.0 * math.log10(4.0 * math.pi * freq_mhz * 1e6 / SPEED_OF_LIGHT_M_S)


@dataclass(frozen=True)
class RadioModel:
    """A propagation model for this site. ``source`` says where EIRP/exponent came from."""

    project: Project  # materials replaced by calibrated losses when calibrated
    walls_xy_m: np.ndarray  # (W, 4)
    wall_loss_db: np.ndarray  # (W,)
    router_eirp_dbm: float
    exponent: float
    source: str  # "calibrated" | "device" | "eirp_fitted" | "default"
    loo_rmse_db: float | None = None
    #: Free-space loss at 1 m of the band the model describes (2.4 GHz unless :meth:`at_5ghz`).
    ref_loss_db: float = propagation.REF_LOSS_DB
    band: str = "2.4"
    #: The calibration that was tried (kept or not), with what the data could not separate.
    calibration: calibration.CalibrationResult | None = None

    @property
    def error_db(self) -> float:
        """The model's error (dB, one sigma): its cross-validated RMSE on this survey, or
        :data:`UNFITTED_ERROR_DB` when nothing was fitted; at least :data:`MIN_ERROR_DB`."""
        loo = self.loo_rmse_db
        if loo is None or not math.isfinite(loo):
            return UNFITTED_ERROR_DB
        return max(MIN_ERROR_DB, float(loo))

    @property
    def fitted(self) -> bool:
        return self.loo_rmse_db is not None and math.isfinite(self.loo_rmse_db)

    def at_5ghz(self) -> RadioModel:
        """The same site at 5 GHz (a tri-band kit's backhaul): every wall's loss, as fitted or
        entered at 2.4 GHz, scaled by its material's ITU-R P.2040 ratio
        (:func:`survey.rf.materials.loss_5ghz_db`), and free space at the band's upper edge
        (5805 MHz), the worse of the channels a kit may pick. The exponent stays as fitted."""
        losses = np.array(
            [loss_5ghz_db(material_by_id(w.material_id, self.project.materials))[0] for w in self.project.walls],
            dtype=float,
        ).reshape(-1)
        if len(losses) != len(self.wall_loss_db):
            losses = np.asarray(self.wall_loss_db, dtype=float)
        return replace(self, wall_loss_db=losses, ref_loss_db=ref_loss_db(BAND_5GHZ_EDGES_MHZ[1]), band="5")

    def rssi_dbm(self, tx_xy_m, eirp_dbm: float, query_xy_m) -> np.ndarray:
        """Predicted RSSI (dBm) at ``query_xy_m`` (M, 2) from a transmitter at ``tx_xy_m``.

        By reciprocity (same antennas both ways, passive walls) the loss from A to B equals
        the loss from B to A, so ``rssi_dbm(charger, eirp, spots)`` is what the charger would
        hear from a transmitter of that EIRP at each spot.
        """
        query = np.asarray(query_xy_m, dtype=float).reshape(-1, 2)
        return np.asarray(
            propagation.predicted_rssi_dbm(
                np.asarray(tx_xy_m, dtype=float),
                float(eirp_dbm),
                self.walls_xy_m,
                self.wall_loss_db,
                query,
                exponent=self.exponent,
                ref_loss_db=self.ref_loss_db,
            ),
            dtype=float,
        )

    @property
    def site_bias_db(self) -> float:
        """How much worse (dB, <= 0) this site measured than the default model predicts.

        Only for an EIRP fitted without a full calibration: then the fitted EIRP absorbs what
        the default walls and exponent miss (furniture, thicker walls), which a new device in
        the same building suffers too. A site measuring better than the model is not trusted
        to help a device that does not exist yet.
        """
        if self.source != "eirp_fitted":
            return 0.0
        return min(0.0, self.router_eirp_dbm - DEFAULT_EIRP_DBM)

    def grid_dbm(self, tx_xy_m, eirp_dbm: float, grid: propagation.SiteGrid) -> np.ndarray:
        """Predicted RSSI (dBm, (ny, nx)) over a :class:`survey.rf.propagation.SiteGrid`."""
        return propagation.predicted_grid_dbm(
            np.asarray(tx_xy_m, dtype=float),
            float(eirp_dbm),
            self.walls_xy_m,
            self.wall_loss_db,
            grid,
            exponent=self.exponent,
            ref_loss_db=self.ref_loss_db,
        )

    @property
    def words(self) -> str:
        """How the model was made, in plain words (the exact ``source`` stays in JSON)."""
        return MODEL_WORDS[self.source]

    def trend(self, tx_xy_m) -> propagation.PropagationModel:
        """The router's prediction as a callable, the trend for :func:`survey.rf.interpolation.fit_heatmap`."""
        return propagation.PropagationModel(
            ap_xy_m=(float(tx_xy_m[0]), float(tx_xy_m[1])),
            eirp_dbm=self.router_eirp_dbm,
            walls_xy_m=self.walls_xy_m,
            wall_loss_db=self.wall_loss_db,
            exponent=self.exponent,
        )


#: ``RadioModel.source`` in the words people read.
MODEL_WORDS = {
    "calibrated": "wall model fitted to this survey",
    "device": "wall model with the router power as entered",
    "eirp_fitted": "wall model with the router power fitted to this survey",
    "default": "wall model with typical router power, not fitted",
}


def _transmitters(model: RadioModel, project: Project, planned):
    """(xy_m, eirp_dbm) of every transmitter: the router, the access points and nodes already
    installed, then the ``planned`` devices that transmit. A planned ROUTER is the router moved
    to a new spot (the ladder's second rung), not a second one. A device without an EIRP of
    its own is taken to be as strong as the router."""
    moved = [d for d in planned if d.kind == DeviceKind.ROUTER]
    router = moved[0] if moved else project.router
    if router is not None:
        yield (router.x_m, router.y_m), model.router_eirp_dbm
    installed = [d for d in project.devices if d.kind.transmits and d.kind != DeviceKind.ROUTER and not d.planned]
    for device in installed + [d for d in planned if d.kind != DeviceKind.ROUTER and d.kind.transmits]:
        yield (device.x_m, device.y_m), (device.eirp_dbm if device.eirp_dbm is not None else model.router_eirp_dbm)


def coverage_with(
    model: RadioModel, project: Project, planned: list[Device] | tuple[Device, ...], query_xy_m
) -> np.ndarray:
    """Predicted best RSSI (dBm, laptop view) at ``query_xy_m`` (M, 2) from every transmitter
    of the site plus the ``planned`` ones: what the map looks like after the change (with no
    ``planned``: the model's map of the site as it is). -inf where nothing transmits."""
    query = np.asarray(query_xy_m, dtype=float).reshape(-1, 2)
    best = np.full(len(query), -np.inf)
    for xy_m, eirp_dbm in _transmitters(model, project, planned):
        best = np.maximum(best, model.rssi_dbm(xy_m, eirp_dbm, query))
    return best


def coverage_grid_dbm(model: RadioModel, project: Project, planned, grid) -> np.ndarray:
    """Like :func:`coverage_with` over a :class:`survey.rf.propagation.SiteGrid`: (ny, nx) dBm."""
    best = np.full(grid.shape, -np.inf)
    for xy_m, eirp_dbm in _transmitters(model, project, planned):
        best = np.maximum(best, model.grid_dbm(xy_m, eirp_dbm, grid))
    return best


def has_transmitter(project: Project) -> bool:
    """Whether anything on the plan transmits (the model has something to predict from)."""
    return any(d.kind.transmits and not d.planned for d in project.devices)


def router_samples(project: Project, survey, target) -> tuple[np.ndarray, np.ndarray]:
    """(xy_m, rssi_dbm) of the samples that heard the router itself: its BSSIDs when they are
    known, else the target network (a single-AP home), 2.4 GHz only, not-heard samples dropped."""
    router = project.router
    if router is not None and router.bssids:
        target = TargetNetwork(ssid=target.ssid if target is not None else "", bssids=tuple(router.bssids))
    xy, rssi, heard = target_samples(survey, target)
    return xy[heard], rssi[heard]


def build_model(project: Project, xy_m: np.ndarray, rssi_dbm: np.ndarray) -> RadioModel:
    """The router's model, from the router's samples ``xy_m`` (N, 2) / ``rssi_dbm`` (N,).

    In order of preference: a full calibration (EIRP, exponent, wall losses) when its
    leave-one-out error beats the defaults (DESIGN "Calibration"); the EIRP entered on the
    router; the EIRP fitted as the mean offset of the samples from the default model (one
    number, robust with few samples: it removes the model's overall bias); the default.
    """
    router = project.router
    model_project = project
    eirp, exponent, source, loo = DEFAULT_EIRP_DBM, DEFAULT_EXPONENT, "default", None
    xy_m = np.asarray(xy_m, dtype=float).reshape(-1, 2)
    rssi_dbm = np.asarray(rssi_dbm, dtype=float).reshape(-1)
    walls_xy_m, wall_loss_db = propagation.walls_arrays(project)
    result = None
    if router is not None and len(rssi_dbm) >= MIN_SAMPLES_TO_CALIBRATE:
        try:
            result = calibration.calibrate(
                (router.x_m, router.y_m),
                xy_m,
                rssi_dbm,
                walls_xy_m,
                [w.material_id for w in project.walls],
                project.materials,
            )
        except calibration.CalibrationError as exc:
            log.info("No calibration: %s", exc)
    if result is not None and result.improves:
        eirp, exponent, source = float(result.eirp_dbm), float(result.exponent), "calibrated"
        loo = float(result.loo_rmse_db)
        model_project = replace(project, materials=calibration.calibrated_materials(project.materials, result))
        walls_xy_m, wall_loss_db = propagation.walls_arrays(model_project)
    elif router is not None and router.eirp_dbm is not None:
        eirp, source = float(router.eirp_dbm), "device"
    elif router is not None and len(rssi_dbm) >= MIN_SAMPLES_TO_CALIBRATE:
        default = propagation.predicted_rssi_dbm(
            (router.x_m, router.y_m), DEFAULT_EIRP_DBM, walls_xy_m, wall_loss_db, xy_m, exponent=DEFAULT_EXPONENT
        )
        eirp = DEFAULT_EIRP_DBM + float(np.mean(rssi_dbm - default))
        source = "eirp_fitted"
        loo = float(result.baseline_loo_rmse_db) if result is not None else None
    return RadioModel(
        model_project,
        np.asarray(walls_xy_m, dtype=float).reshape(-1, 4),
        np.asarray(wall_loss_db, dtype=float).reshape(-1),
        float(eirp),
        float(exponent),
        source,
        loo,
        calibration=result,
    )
