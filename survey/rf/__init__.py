"""Radio-frequency engine of evsurvey: numpy/scipy/scikit-learn over plain arrays.

What belongs here, and only here:

* ``channels``: the Wi-Fi channel plans (frequency <-> channel, band of a frequency),
  spectral overlap between 2.4 GHz channels, per-channel occupancy of a scan and the
  1/6/11 channel recommendation.
* ``materials``: default wall materials with their loss at 2.4 GHz and where each
  number comes from, and the ITU-R P.2040 single-slab loss those defaults derive from.
* ``propagation``: the log-distance + multi-wall (Motley-Keenan) prediction of RSSI from
  an access point over arbitrary points and over a metric site grid.
* ``interpolation``: heatmaps from measured samples (IDW, thin-plate spline, Gaussian
  process, optionally on the residual of a propagation trend), each with its
  cross-validated error in dB.
* ``calibration``: fitting EIRP, path-loss exponent and per-material wall losses to
  samples of an access point whose position is known.

Everything works in site metres (x right, y down), dBm, dB and MHz. This layer may read
values of :mod:`survey.project` (``Observation``, ``Material``, ``Project``) and imports
nothing above it: no Qt, no analysis, no reporting.
"""
