"""Heatmaps from measured samples, each carrying its cross-validated error in dB.

Method (see DESIGN.md, "Interpolation"):

1. Readings repeated at one spot are averaged in mW, not dBm (:func:`average_repeats`,
   mean of the readings in mW: :func:`survey.project.model.mean_dbm`).
2. Candidates are compared by cross-validation on the samples themselves, in closed form
   (:mod:`.selection`): leave-one-out up to 30 samples, 10-fold beyond, on at most 120
   spots (a seeded random subsample above). The candidate with the lowest RMSE (dB) wins.
   The mean of the best candidate of each family competes too, and is used outright below
   20 samples, where picking one winner is mostly noise.

   * inverse-distance weighting (power 2): the only candidate below 4 samples;
   * thin-plate spline at several smoothings;
   * Gaussian-process regression (kriging): Matern nu = 1.5 plus a white-noise term,
     hyperparameters by maximum marginal likelihood (:mod:`.hyper`). On real held-out RSSI
     it beat the spline and IDW (DESIGN.md), and it gives a posterior standard deviation;
   * each of them either on the raw dBm or on the residual of a trend (:mod:`.trends`): a
     log-distance law from a known AP position, or a given callable model such as a
     calibrated :class:`survey.rf.propagation.PropagationModel`.

3. The winner is fitted to all samples (:mod:`.interpolators`): exactly up to 2,000, on
   tiles of 600 above (:mod:`.local`). Its cross-validated error is reported (above 120
   spots measured on the folds that hold the first 120 samples). Away from the samples the
   interpolated part is held within the range of the values it was fitted to, so no method
   invents a strong signal where nobody measured.

4. The map (:class:`Heatmap`): values, per-cell standard deviation (for every method) and
   the coverage fade over a display grid, each evaluated on a lattice of 0.5 m (1 m at
   most for the standard deviation) and upsampled (:mod:`.grids`). ``degenerate`` flags
   values that are all one reading, whose small error means nothing.

5. A live survey refits after every sample (:mod:`.reuse`): given the previous fit of the
   same data set (``fit_heatmap(..., previous=heatmap)``), a set that grew by under 20 %
   since the last full selection keeps the chosen method and its parameters and only
   solves again.

scipy is imported where it is first used, not with this package: importing
scipy.interpolate/linalg/spatial costs ~1 s on a 2-core laptop, which must stay off the
window's start (DESIGN.md: shown <= 2 s).
"""

from survey.rf.interpolation._runtime import warm_imports
from survey.rf.interpolation.heatmap import Heatmap, NoSamplesError, average_repeats, fit_heatmap

__all__ = ["Heatmap", "NoSamplesError", "average_repeats", "fit_heatmap", "warm_imports"]
