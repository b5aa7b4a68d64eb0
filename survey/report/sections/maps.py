"""The map pages: the measured signal map, the link-test maps, the predicted signal map of the
fitted radio model, and the before / after maps with their difference."""

from __future__ import annotations

import numpy as np
from reportlab.platypus import CondPageBreak, Spacer, Table

from survey.analysis.coverage import measured_coverage
from survey.analysis.map_layer import LayerKind
from survey.analysis.radio import coverage_grid_dbm
from survey.analysis.recommend import option_device
from survey.analysis.survey_analysis import grid_edges_m
from survey.project.link import LINK_MAP_LIMITS
from survey.project.simulated import simulated_note
from survey.project.units import format_area, format_db
from survey.report.context import ReportContext
from survey.report.fonts import BODY_FONT, safe_markup
from survey.report.plan import (
    DifferenceLegend,
    PlanFlowable,
    PlanOptions,
    RssiLegend,
    WallKey,
    difference_layer,
    level_layer,
    rssi_layer,
)
from survey.report.sections.text import cell, fmt_dbm, fmt_error, heading, markup_para, para
from survey.report.styles import table_style


def signal_map(ctx: ReportContext) -> list:
    a = ctx.analysis
    layer = a.target_map
    out = [heading("Signal map", "signal-map")]
    if layer is None:
        out.append(para("No signal map: this project has no samples of the target network yet."))
        return out
    name = a.target_ssid or "the target network"
    out.append(
        markup_para(
            "Measured signal of "
            + safe_markup(name, bold=False)
            + f" in survey '{safe_markup(a.survey_name)}' ({len(a.sample_rssi_dbm)} measuring points), "
            "interpolated between the points. Faded colours are far from any measuring point."
        )
    )
    simulated = simulated_note(ctx.project)
    if simulated:
        out.append(markup_para("<b>" + safe_markup(simulated) + "</b>", "small"))
    extent = grid_edges_m(layer.grid)
    plan = PlanFlowable(
        ctx.project,
        [rssi_layer(layer.values, layer.alpha, extent)],
        ctx.content_width,
        ctx.plan_height(),
        PlanOptions(sample_xy_m=a.sample_xy_m, caption=f"grid {ctx.length(layer.grid.step_m)}"),
        extent_m=extent,
    )
    out += [plan, Spacer(1, 4), RssiLegend(ctx.content_width), WallKey(ctx.project, ctx.content_width)]
    if layer.loo_rmse_db is not None:
        out.append(
            para(
                f"How the map was made: {layer.method_words}. Its accuracy: leave-one-out error "
                f"{layer.loo_rmse_db:.1f} dB: each measuring point was predicted from all the others; on "
                "average the prediction was off by this much.",
                "small",
            )
        )
    else:
        out.append(
            para(
                f"How the map was made: {layer.method_words}. It has no error estimate (too few distinct "
                "measurements).",
                "small",
            )
        )
    coverage = measured_coverage(a)
    if coverage is not None:
        out.append(
            para(
                f"Of the measured floor area ({format_area(coverage.area_m2, ctx.units)}), "
                f"{coverage.good_pct:.0f} % is at -65 dBm or better and {coverage.loss_pct:.0f} % below "
                "-75 dBm.",
                "small",
            )
        )
    return out


def link_maps(ctx: ReportContext) -> list:
    """The link tests of the survey: the figures at the charger and the loss / round-trip maps."""
    a = ctx.analysis
    loss, latency = a.layer(LayerKind.LOSS), a.layer(LayerKind.LATENCY)
    if loss is None and latency is None:
        return []
    out = [CondPageBreak(ctx.content_height * 0.5), heading("Link tests", "link-tests", "h2")]
    v = a.verdict
    at_charger = (
        f"At the charger the link to the router measured {v.link_words}."
        if v.link_words
        else "No link test was made at the charger's mounting point."
    )
    out.append(
        para(
            f"Besides the signal, the laptop measured the link itself at {loss.n_points if loss else 0} "
            f"points: packets lost and the round-trip time to the router (95 % of round trips were faster). "
            f"{at_charger}"
        )
    )
    half = (ctx.content_width - 8) / 2
    cells = []
    for layer, title in ((loss, "Packet loss (%)"), (latency, "Round trip, p95 (ms)")):
        if layer is None:
            continue
        good, marginal = LINK_MAP_LIMITS[layer.kind.value]
        extent = grid_edges_m(layer.grid)
        cells.append(
            PlanFlowable(
                ctx.project,
                [level_layer(layer.values, layer.alpha, extent, good, marginal)],
                half,
                ctx.plan_height(0.3),
                PlanOptions(show_labels=False, caption=f"{title}: good up to {good:g}, marginal up to {marginal:g}"),
                extent_m=extent,
            )
        )
    out.append(_side_by_side(cells, half))
    return out


def _side_by_side(plans: list, width: float) -> Table:
    """Plans of ``width`` (pt) next to each other, in cells 4 pt wider and without padding."""
    pair = Table([plans], colWidths=[width + 4] * len(plans))
    pair.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return pair


def predicted_map(ctx: ReportContext) -> list:
    """The plan's radio model (the one its ladder used), with the recommended device, when
    the model was fitted to the survey."""
    plan = ctx.plan
    model = plan.model
    if model.source != "calibrated" or ctx.project.router is None:
        return []
    grid = plan.analysis.grid
    chosen = plan.chosen
    device = option_device(chosen) if chosen is not None else None
    rssi = coverage_grid_dbm(model, ctx.project, [device] if device is not None else [], grid)
    extent = grid_edges_m(grid)
    out = [CondPageBreak(ctx.content_height * 0.7), heading("Predicted signal map", "predicted-map")]
    with_device = f" with the recommended {chosen.title}" if chosen is not None and device is not None else ""
    loo = f" Its leave-one-out error is {model.loo_rmse_db:.1f} dB." if model.loo_rmse_db is not None else ""
    out.append(
        para(
            f"The {model.words} '{plan.analysis.survey_name}', predicting the signal everywhere from the "
            f"router{with_device} and the walls. Fitted router power {model.router_eirp_dbm:.1f} dBm EIRP, "
            f"path-loss exponent {model.exponent:.2f}.{loo}"
        )
    )
    layer = rssi_layer(rssi, np.ones_like(rssi), extent)
    out += [
        PlanFlowable(
            ctx.project,
            [layer],
            ctx.content_width,
            ctx.plan_height(0.55),
            PlanOptions(show_samples=False),
            extent_m=extent,
        ),
        Spacer(1, 4),
        RssiLegend(ctx.content_width, symbols=False),
    ]
    return out


def before_after(ctx: ReportContext) -> list:
    """The two compared surveys side by side, their figures and the difference map (nothing
    without a comparison)."""
    comp = ctx.comparison
    if comp is None:
        return []
    out = [heading("Before and after", "before-after")]
    out.append(
        markup_para(
            "Survey '"
            + safe_markup(comp.before.survey_name)
            + "' (left) and '"
            + safe_markup(comp.after.survey_name)
            + "' (right) on one colour scale."
        )
    )
    half = (ctx.content_width - 8) / 2
    extent = grid_edges_m(comp.grid)
    mb, ma = comp.before.target_map, comp.after.target_map
    if mb is None or ma is None:  # compare_analyses refuses a survey without a target map
        raise ValueError("a comparison of surveys without a signal map")
    left = PlanFlowable(
        ctx.project,
        [rssi_layer(mb.values, mb.alpha, extent)],
        half,
        ctx.plan_height(0.33),
        PlanOptions(sample_xy_m=comp.before.sample_xy_m, show_labels=False, caption=comp.before.survey_name),
        extent_m=extent,
    )
    right = PlanFlowable(
        ctx.project,
        [rssi_layer(ma.values, ma.alpha, extent)],
        half,
        ctx.plan_height(0.33),
        PlanOptions(sample_xy_m=comp.after.sample_xy_m, show_labels=False, caption=comp.after.survey_name),
        extent_m=extent,
    )
    out += [_side_by_side([left, right], half), RssiLegend(ctx.content_width, symbols=False)]
    numbers = [[cell(h, bold=True) for h in ("", comp.before.survey_name, comp.after.survey_name, "Change")]]
    numbers.append(
        [
            cell(f"Floor area at -65 dBm or better (of {format_area(comp.area_m2, ctx.units)})"),
            cell(f"{comp.coverage_good_pct_before:.0f} %"),
            cell(f"{comp.coverage_good_pct_after:.0f} %"),
            cell(f"{comp.coverage_delta_pct:+.0f} points", True),
        ]
    )
    if comp.charger_delta_db is not None:
        numbers.append(
            [
                cell("Signal at the charger (as the charger hears it)"),
                cell(f"{comp.before.verdict.status} {fmt_dbm(comp.charger_rssi_before_dbm)}"),
                cell(f"{comp.after.verdict.status} {fmt_dbm(comp.charger_rssi_after_dbm)}"),
                cell(format_db(comp.charger_delta_db), True),
            ]
        )
    numbers.append(
        [
            cell("Map error (leave-one-out)"),
            cell(fmt_error(comp.before.map_error_db)),
            cell(fmt_error(comp.after.map_error_db)),
            cell(""),
        ]
    )
    w = ctx.content_width
    table = Table(numbers, colWidths=[w * 0.46, w * 0.18, w * 0.18, w * 0.18])
    table.setStyle(table_style())
    out += [Spacer(1, 4), table, Spacer(1, 8)]
    out.append(heading("Difference map", "difference", "h2"))
    out.append(
        para("After minus before, in dB, where both surveys measured: blue is stronger after the change, red weaker.")
    )
    out.append(
        PlanFlowable(
            ctx.project,
            [difference_layer(comp.difference_db, extent)],
            ctx.content_width,
            ctx.plan_height(0.3),
            PlanOptions(show_samples=False, show_labels=True),
            extent_m=extent,
        )
    )
    out.append(DifferenceLegend(ctx.content_width))
    return out
