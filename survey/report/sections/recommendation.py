"""The findings and the remediation ladder, with the recommended option on the plan."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, KeepTogether, Table

from survey.analysis.placement import STATUS_WORDS
from survey.analysis.survey_analysis import grid_edges_m
from survey.project.model import Device, DeviceKind
from survey.report.context import ReportContext
from survey.report.fonts import safe_markup
from survey.report.plan import PlanFlowable, PlanOptions, RssiLegend, rssi_layer
from survey.report.sections.text import cell, fmt_dbm, heading, markup_para, para
from survey.report.styles import table_style

_SEVERITY_COLOURS = {"critical": "#b3261e", "warning": "#b7791f", "info": "#1f4e9c"}


def findings(ctx: ReportContext) -> list:
    out = [heading("Findings and recommendation", "findings")]
    a = ctx.plan
    if ctx.comparison is not None:
        out.append(para(f"From survey '{a.survey_name}', the survey the recommendation was made from.", "small"))
    found = a.findings
    if not found:
        out.append(para("The scans show no problem with the network's settings."))
    for f in found:
        colour = _SEVERITY_COLOURS.get(f.severity, "#333333")
        out.append(
            KeepTogether(
                [
                    markup_para(
                        f'<font color="{colour}"><b>{safe_markup(f.severity.upper())}</b></font> '
                        f"<b>{safe_markup(ctx.redactor.text(f.title))}</b>"
                    ),
                    markup_para("<i>Seen:</i> " + safe_markup(ctx.redactor.text(f.evidence)), "bullet"),
                    markup_para("<i>Fix:</i> " + safe_markup(ctx.redactor.text(f.fix)), "bullet"),
                ]
            )
        )
    options = a.options
    if options:
        out.append(heading("Remediation ladder", "ladder", "h2"))
        out.append(
            para("The remedies in the order a good installer considers them; the first that works is recommended.")
        )
        rows = [[cell(h, bold=True) for h in ("#", "Option", "Status", "Charger after", "Why")]]
        chosen_row = None
        for i, opt in enumerate(options):
            status = STATUS_WORDS[opt.status]
            if opt.status == "chosen":
                chosen_row = i + 1
            why = opt.reason
            if opt.conditions:
                why += " " + " ".join(opt.conditions)
            rows.append(
                [
                    cell(str(i + 1)),
                    cell(opt.title + (f" ({opt.cost_class})" if opt.cost_class else ""), True),
                    cell(status, opt.status == "chosen"),
                    cell(fmt_dbm(opt.predicted_charger_rssi_dbm)),
                    cell(ctx.redactor.text(why)),
                ]
            )
        w = ctx.content_width
        table = Table(rows, colWidths=[w * 0.04, w * 0.2, w * 0.15, w * 0.11, w * 0.5], repeatRows=1)
        style = table_style()
        if chosen_row is not None:
            style.add("BACKGROUND", (0, chosen_row), (-1, chosen_row), colors.HexColor("#e7f3e9"))
        table.setStyle(style)
        out.append(table)
    chosen = a.chosen
    if chosen is not None and chosen.xy_m is not None:
        device = Device(
            kind=chosen.device_kind or _device_kind(chosen),
            x_m=chosen.xy_m[0],
            y_m=chosen.xy_m[1],
            label=chosen.title,
            planned=True,
        )
        already = any(
            d.kind.transmits and abs(d.x_m - device.x_m) < 0.3 and abs(d.y_m - device.y_m) < 0.3
            for d in ctx.project.devices
        )
        layers = []
        # the map the recommendation was made from: "before" when two surveys are compared
        base = a.analysis.target_map
        if base is not None:
            layers.append(rssi_layer(base.values, base.alpha, grid_edges_m(base.grid)))
        out.append(CondPageBreak(ctx.plan_height(0.16) + 100))
        out.append(heading("The recommended option on the plan", "ladder-plan", "h2"))
        extent = grid_edges_m(base.grid) if base is not None else None
        out.append(
            PlanFlowable(
                ctx.project,
                layers,
                ctx.content_width,
                ctx.plan_height(0.55),
                PlanOptions(
                    show_samples=False,
                    highlight=device,
                    highlight_label="Recommended: " + chosen.title,
                    extra_devices=() if already else (device,),
                ),
                extent_m=extent,
                min_height=ctx.plan_height(0.16),
            )
        )
        out.append(RssiLegend(ctx.content_width))
    return out


def _device_kind(option):
    return {
        "mesh_node": DeviceKind.MESH_NODE,
        "wired_ap": DeviceKind.WIRED_AP,
        "powerline_ap": DeviceKind.POWERLINE_AP,
    }.get(option.kind, DeviceKind.ROUTER)
