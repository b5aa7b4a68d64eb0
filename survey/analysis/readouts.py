"""The sentences a person reads about a survey's map, its samples and the verdict at the
charger (Qt-free): the Survey panel, the status bar, the Analysis panel and ``evsurvey
recommend`` build them here, from the one analysis of the survey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from survey.analysis.live_map import LiveMap
from survey.analysis.map_layer import LayerKind
from survey.project.display import display_ssid
from survey.project.model import Project, Sample, TargetNetwork
from survey.project.units import format_db, format_dbm, format_length

if TYPE_CHECKING:  # survey_analysis loads scipy, which the window must not load at start-up
    from survey.analysis.survey_analysis import SurveyAnalysis


def format_layer_value(value: float | None, kind: LayerKind | str) -> str:
    """A value of a layer in words and its unit: "-63.2 dBm", "3 other BSSs", "± 2.4 dB"."""
    kind = LayerKind(kind)
    if kind is LayerKind.COCHANNEL:
        if value is None:
            return "no count"
        n = int(round(value))
        return f"{n} other BSS{'' if n == 1 else 's'} on the channel"
    if kind is LayerKind.CONFIDENCE:
        return "not known" if value is None else f"± {value:.1f} dB"
    return format_dbm(value)


def signal_map_text(analysis: SurveyAnalysis) -> str | None:
    """ "smoothed from 52 points, leave-one-out error 2.1 dB": how the survey's target map
    was made; None when it has no map."""
    if analysis.heatmap is None:
        return None
    error = f", leave-one-out error {analysis.map_error_db:.1f} dB" if analysis.map_error_db is not None else ""
    return f"{analysis.map_words}{error}"


def layer_info_text(live: LiveMap) -> str:
    """What the live map shows and how it was made, in plain words, from the survey's analysis."""
    layer = live.layer
    if layer is None:
        return live.note
    parts = [layer.method_words]
    if layer.loo_rmse_db is not None:
        parts.append(f"leave-one-out error {format_db(layer.loo_rmse_db, signed=False)}")
    elif layer.kind in (LayerKind.TARGET, LayerKind.STRONGEST):
        parts.append("leave-one-out error: needs more samples")
    if layer.note:
        parts.append(layer.note)
    analysis = live.analysis
    target = analysis.target if analysis is not None else None
    if target is not None and target.network is not None and target.assumed:
        parts.append(f"target '{display_ssid(target.network.ssid)}': {target.reason}")
    return "; ".join(p for p in parts if p)


def charger_readout_text(live: LiveMap, project: Project) -> str:
    """The verdict at the charger and the estimates behind it: the same numbers as the
    Analysis panel, ``evsurvey recommend`` and the PDF (one analysis of the survey)."""
    if project.charger is None:
        return "Place the charger mounting point on the plan for a readout there."
    analysis = live.analysis
    if analysis is None or analysis.verdict.rssi_at_charger_dbm is None:
        return "At the charger: no estimate yet"
    # survey.analysis.verdict loads the interpolation stack (scipy): the window imports this
    # module at start-up, the verdict exists only once a worker has analysed the survey.
    from survey.analysis.verdict import ESTIMATE_WORDS

    v = analysis.verdict
    lines = [
        f"At the charger: {v.status} {format_dbm(v.rssi_at_charger_dbm)} ({v.method_words}; "
        f"laptop reading minus {v.reception_offset_db:.1f} dB for the charger)"
    ]
    if not len(analysis.sample_xy_m):
        lines.append("Nothing measured yet: an estimate from the plan. Take samples to measure it.")
    if v.link_words:
        lines.append(f"Link measured there: {v.link_words}")
    for estimate in v.estimates:
        if estimate.method != "measured_nearest":
            lines.append(f"{ESTIMATE_WORDS[estimate.method].capitalize()} there: {format_dbm(estimate.rssi_dbm)}")
    return "\n".join(lines)


def value_under_cursor_text(live: LiveMap | None, x_m: float, y_m: float) -> str:
    """ "Map here: -63.2 dBm" (or "3 other BSSs on the channel", "± 2.1 dB") for the cell under the
    cursor, from the layer's own MapLayer.value_at; "" off the map."""
    if live is None or live.layer is None:
        return ""
    value = live.layer.value_at(x_m, y_m)
    if value is None:
        return ""
    return f"Map here: {format_layer_value(value, live.kind)}"


def sample_saved_text(
    number: int, sample: Sample, target: TargetNetwork | None, target_rssi_dbm: float | None, networks_heard: int
) -> str:
    """ "Sample 4 saved at (3.2, 1.0) m: -61.0 dBm on 'Home'." (or "... 12 networks heard.")."""
    shown = (
        f"{format_dbm(target_rssi_dbm)} on '{display_ssid(target.ssid)}'"
        if target is not None and target_rssi_dbm is not None
        else f"{networks_heard} networks heard"
    )
    return f"Sample {number} saved at ({sample.x_m:.1f}, {sample.y_m:.1f}) m: {shown}."


def sample_description_text(
    number: int, survey_name: str, sample: Sample, units: str, kind: LayerKind, value: float | None
) -> str:
    """ "Sample 4 of 'Before' at x 3.2 m, y 1.0 m: -61.0 dBm. Drag it ...": a sample as the Select
    tool names it, with its ``value`` on the layer ``kind`` shown (None: not heard)."""
    if kind is LayerKind.CONFIDENCE:
        reading = ""
    elif value is None:
        reading = ": not heard" if kind.unit == "dBm" else ""
    else:
        reading = f": {format_layer_value(value, kind)}"
    return (
        f"Sample {number} of '{survey_name}' at x {format_length(sample.x_m, units)}, "
        f"y {format_length(sample.y_m, units)}{reading}. Drag it to where it was taken; Del deletes it."
    )
