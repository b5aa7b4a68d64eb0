"""The live map of one survey, as values: the layer shown, the survey's analysis behind it,
and what each sample measured of the layer's quantity (Qt-free, no colours).

:func:`live_map` runs in the GUI's worker thread (``survey.ui.survey_layers`` colours what
it returns); the readouts built from it are :mod:`survey.analysis.readouts`'.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from survey.analysis.map_layer import LayerKind, MapLayer, sample_value
from survey.analysis.target import describe_network, survey_observations
from survey.project.model import Project, TargetNetwork
from survey.rf.propagation import SiteGrid

if TYPE_CHECKING:  # survey_analysis loads scipy: only the worker imports it (see live_map)
    from survey.analysis.survey_analysis import SurveyAnalysis

#: What the map says before the survey has a sample.
NO_SAMPLES_NOTE = "no samples yet: click where you stand on the plan"


@dataclass(frozen=True, eq=False)
class LiveMap:
    """One layer of a survey: the :class:`~survey.analysis.map_layer.MapLayer` (None, with
    ``note`` saying why, when the survey has no such map) and the survey's analysis
    (``analysis``: :class:`~survey.analysis.survey_analysis.SurveyAnalysis`, None when the
    project has no survey).

    ``sample_values`` (sample id -> value in the layer's unit, None where there is none) is
    what each sample of the survey measured of the layer's quantity, for the dots and their
    labels, with the analysis' own ``target`` and co-channel ``channel``; ``target_heard``
    the target's bands and security as heard in the survey ("2.4 + 5 GHz", "WPA2-PSK").
    ``timings_ms`` how long the analysis took ("analysis", ms).
    """

    kind: LayerKind
    layer: MapLayer | None
    note: str
    analysis: SurveyAnalysis | None
    sample_values: dict = field(default_factory=dict, compare=False)
    target: TargetNetwork | None = None
    channel: int | None = None
    target_heard: tuple[str, str] | None = None
    timings_ms: dict = field(default_factory=dict, compare=False)

    @property
    def grid(self) -> SiteGrid | None:
        return None if self.layer is None else self.layer.grid

    def value_at(self, x_m: float, y_m: float) -> float | None:
        """The layer's value (its unit) in the cell under site point (x_m, y_m); None off the map."""
        return None if self.layer is None else self.layer.value_at(x_m, y_m)


def live_map(project: Project, survey_id: int | None, kind: LayerKind | str, cache=None) -> LiveMap:
    """The ``kind`` layer of survey ``survey_id`` (else the active one). Pure: safe in any thread.

    ``cache`` is the fits the GUI's workers share (:class:`survey.analysis.fit_cache.FitCache`);
    None fits afresh.
    """
    # survey.analysis.survey_analysis loads scipy (~1-2 s on a 2-core laptop): it is
    # imported here, in the worker thread, never while the window starts (DESIGN.md: <= 2 s).
    from survey.analysis.survey_analysis import analyse_survey

    t0 = time.perf_counter()
    survey = project.survey(survey_id) or project.active_survey
    kind = LayerKind(kind)
    analysis = analyse_survey(project, survey, cache=cache) if survey is not None else None
    layer = None if analysis is None else analysis.layer(kind)
    t_fit = time.perf_counter()
    target = analysis.target.network if analysis is not None else None
    channel = analysis.cochannel_channel if analysis is not None and kind is LayerKind.COCHANNEL else None
    samples = survey.samples if survey is not None else ()
    values = {s.id: sample_value(kind, s, target, channel) for s in samples}
    heard = None
    if target is not None:
        mine = [o for o in survey_observations(survey) if target.matches(o)]
        heard = describe_network(mine) if mine else None
    if layer is None:
        note = analysis.why_no_layer(kind) if analysis is not None else NO_SAMPLES_NOTE
        timings = {}
    else:
        note, timings = layer.note, {"analysis": (t_fit - t0) * 1000}
    return LiveMap(kind, layer, note, analysis, values, target, channel, heard, timings)
