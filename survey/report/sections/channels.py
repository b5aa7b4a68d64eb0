"""The 2.4 GHz channels page: what is heard at the charger point, per channel and per network."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Spacer, Table

from survey.analysis.at_charger import channel_at_charger, observations_at_charger
from survey.report.charts import OccupancyChart
from survey.report.context import ReportContext
from survey.report.sections.text import cell, fmt_dbm, heading, para
from survey.report.styles import table_style
from survey.rf.channels import channel_occupancy, observation_band


def channels(ctx: ReportContext) -> list:
    out = [heading("2.4 GHz channels", "channels")]
    observed = observations_at_charger(ctx.survey, ctx.project.charger)
    if not observed:
        out.append(para("No scans near the charger point."))
        return out
    occupancy = channel_occupancy(observed)
    channel = channel_at_charger(observed, ctx.target)
    where = "at the charger point" if ctx.project.charger is not None else "over the whole survey"
    out.append(
        para(
            f"Networks heard {where} on each 2.4 GHz channel. Dark: heard at -82 dBm or stronger "
            "(they share airtime with the charger's network); light: weaker ones. "
            + (f"Outlined: channel {channel}, the charger's network." if channel else "")
        )
    )
    out.append(OccupancyChart(occupancy, channel, ctx.content_width))
    out.append(Spacer(1, 6))
    rows = [[cell(h, bold=True) for h in ("Network (SSID)", "BSSID", "Ch.", "Band", "Signal", "Security", "Load")]]
    ordered = sorted(observed, key=lambda o: -(o.rssi_dbm if o.rssi_dbm is not None else -999))
    target_rows = []
    for i, obs in enumerate(ordered):
        is_target = ctx.target is not None and ctx.target.matches(obs)
        if is_target:
            target_rows.append(i + 1)
        load = "–" if obs.channel_utilization_pct is None else f"{obs.channel_utilization_pct:.0f} %"
        rows.append(
            [
                cell(ctx.redactor.ssid(obs), bold=is_target),
                cell(ctx.redactor.bssid(obs)),
                cell("–" if obs.channel is None else str(obs.channel)),
                cell(observation_band(obs) or "–"),
                cell(fmt_dbm(obs.rssi_dbm)),
                cell(" ".join(obs.auth) or "–"),
                cell(load),
            ]
        )
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.28, w * 0.2, w * 0.06, w * 0.07, w * 0.1, w * 0.19, w * 0.1], repeatRows=1)
    style = table_style()
    for r in target_rows:
        style.add("BACKGROUND", (0, r), (-1, r), colors.HexColor("#fff4cc"))
    table.setStyle(style)
    out.append(table)
    if ctx.redactor.enabled:
        out.append(para("Neighbours' network names and addresses are hidden in this report.", "small"))
    return out
