"""The report's sections: each function returns the flowables of one section.

Every string that comes from the project or from the air (customer, labels, SSIDs, notes)
passes through :func:`safe_markup`; the markup written here around it is our own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table

from survey.analysis.compare import SurveyComparison
from survey.analysis.placement import STATUS_WORDS
from survey.analysis.radio import coverage_grid_dbm
from survey.analysis.recommend import Recommendation, option_device
from survey.analysis.survey_analysis import SurveyAnalysis, grid_edges_m
from survey.analysis.target import survey_observations
from survey.project.display import is_imported
from survey.project.link import LINK_MAP_LIMITS
from survey.project.preflight import (
    TROUBLE_DROPS, TROUBLE_LOCAL_API, TROUBLE_OFFLINE, TROUBLE_SETUP_99, Status, troubleshooting_row,
)
from survey.project.model import SIMULATED_BACKEND, Device, Observation, Project, Survey, TargetNetwork
from survey.project.rooms import describe_place
from survey.project.survey_devices import SiteChange, change_between
from survey.project.units import format_area, format_db, format_dbm, format_length
from survey.report import colormap
from survey.report.fonts import BODY_FONT, draw_string, safe_markup
from survey.report.plan import (
    DifferenceLegend, PlanFlowable, PlanOptions, RssiLegend, UncertaintyLegend, WallKey, difference_layer,
    level_layer, rssi_layer, uncertainty_layer,
)
from survey.report.redact import Redactor
from survey.report.styles import ACCENT, MUTED, STATUS_COLOURS, styles, table_style
from survey.rf.channels import channel_occupancy, is_24ghz, observation_band, observation_channel

log = logging.getLogger(__name__)

#: Samples within this distance of the charger point make up "what is heard at the charger".
#: One step either way (the verdict's "measured there" radius is 1 m); 1.5 m keeps a
#: sample taken beside a car parked in front of the charger.
AT_CHARGER_RADIUS_M = 1.5

#: Font size (pt) of the sample appendix's rows: the size of the other tables' cells (styles "cell").
APPENDIX_FONT_SIZE = 8
#: Their height: the cells' 10 pt leading plus the table's 2 + 2 pt padding.
APPENDIX_ROW_HEIGHT_PT = 14
#: Room (pt) the heading and the note above a survey's first appendix table take.
APPENDIX_INTRO_PT = 90

#: DESIGN.md "Field facts": the troubleshooting matrix the report carries, each row under
#: the key the network checks file their evidence by (survey.project.preflight).
TROUBLESHOOTING = (
    (TROUBLE_OFFLINE, "Charger shows offline in the app",
     "A DNS sinkhole (Pi-hole, AdGuard Home) blocks the maker's cloud domains, or outbound TCP 443 / 8883 is blocked.",
     "Allow the maker's domains in the DNS filter; open TCP 443 and 8883 outbound from the charger's network; "
     "run `evsurvey check` from that network."),
    (TROUBLE_DROPS, "Charging sessions drop intermittently",
     "Signal at the charger below -75 dBm: packets are lost, the WebSocket times out.",
     "Bring the signal at the charger to -65 dBm or better: the recommendation in this report."),
    (TROUBLE_LOCAL_API, "Local API polling fails (Home Assistant, REST, Modbus TCP)",
     "mDNS does not cross VLANs, so the charger's name does not resolve from the home network.",
     "Add an mDNS reflector between the VLANs, or give the charger a DHCP reservation and poll its IP."),
    (TROUBLE_SETUP_99, "App setup fails at 99 %",
     "The network is WPA3-SAE only and the charger's older chipset cannot do SAE.",
     "Switch the network to WPA2/WPA3 transition mode (or a WPA2 IoT SSID), then repeat the setup."),
)


@dataclass
class ReportContext:
    """What every section reads. ``main`` is the recommendation of the survey the report
    shows (the site as it is now: its verdict is the cover's); ``plan`` the one the fix was
    chosen from (the "before" survey when two are compared, else ``main``)."""

    project: Project
    main: Recommendation
    plan: Recommendation
    redactor: Redactor
    content_width: float
    content_height: float
    comparison: SurveyComparison | None = None

    @property
    def analysis(self) -> SurveyAnalysis:
        return self.main.analysis

    @property
    def survey(self) -> Survey | None:
        return self.main.analysis.survey

    @property
    def target(self) -> TargetNetwork | None:
        return self.main.analysis.target.network

    @property
    def units(self) -> str:
        return self.project.units

    def length(self, metres: float) -> str:
        return format_length(metres, self.units)


def _p(text: str, style: str = "body") -> Paragraph:
    """Trusted text (written here), still escaped so '<' or '&' in numbers cannot break markup."""
    return Paragraph(safe_markup(text), styles()[style])


def _pm(markup: str, style: str = "body") -> Paragraph:
    """Markup built here from trusted pieces and :func:`safe_markup` of untrusted ones."""
    return Paragraph(markup, styles()[style])


def _cell(text: str, bold: bool = False) -> Paragraph:
    return Paragraph(safe_markup(text), styles()["cell_bold" if bold else "cell"])


def _heading(text: str, key: str, style: str = "h1"):
    from survey.report.builder import heading  # the builder owns the outline bookkeeping
    return heading(text, key, style)


def _fmt_dbm(value: float | None) -> str:
    return "–" if value is None or not np.isfinite(value) else format_dbm(value)


# -- cover ------------------------------------------------------------------------------------

def cover(ctx: ReportContext) -> list:
    site = ctx.project.site
    out = [Spacer(1, 30), _heading("Wi-Fi survey for the EV charger", "cover", "title")]
    rows = [
        ("Customer", site.customer or "–"),
        ("Site", site.address or "–"),
        ("Installer", site.installer or "–"),
        ("Survey date", site.survey_date or _survey_date(ctx.survey)),
        ("Charger", _charger_name(ctx)),
        ("Network", ctx.target.ssid if ctx.target and ctx.target.ssid else "not set"),
    ]
    table = Table([[_cell(k, bold=True), _cell(v)] for k, v in rows],
                  colWidths=[32 * 2.83465, ctx.content_width - 32 * 2.83465])
    table.setStyle(table_style(header=False, zebra=False))
    out += [table, Spacer(1, 24), _verdict_box(ctx)]
    if site.notes:
        out += [Spacer(1, 12), _pm("<b>Notes:</b> " + safe_markup(site.notes))]
    simulated = simulated_note(ctx)
    if simulated:
        out += [Spacer(1, 12), _pm("<b>" + safe_markup(simulated) + "</b>")]
    source = ("from a simulated survey" if simulated and len(simulated_surveys(ctx.project)) == len(
        [s for s in ctx.project.surveys if s.samples]) else "from measurements taken on site")
    out += [Spacer(1, 18), _p(f"This report was produced with evsurvey {source}. "
                              "Signal values are in dBm (closer to zero is stronger). A smart charger "
                              "needs -65 dBm or better at its mounting point; below -75 dBm it loses "
                              "packets and drops offline.", "small")]
    return out


def _survey_date(survey: Survey | None) -> str:
    if survey is None or not survey.samples:
        return "–"
    return datetime.fromtimestamp(survey.samples[0].taken_at).strftime("%Y-%m-%d")


def _charger_name(ctx: ReportContext) -> str:
    return ctx.main.profile.name


def simulated_surveys(project: Project) -> tuple[str, ...]:
    """Names of the surveys whose samples came (partly) from the simulated scanner."""
    return tuple(s.name for s in project.surveys
                 if any(scan.backend == SIMULATED_BACKEND for sample in s.samples for scan in sample.scans))


def simulated_note(ctx: ReportContext) -> str:
    """The plain warning every page with measurements carries when they were simulated ("" if not)."""
    names = simulated_surveys(ctx.project)
    if not names:
        return ""
    which = ", ".join(f"'{n}'" for n in names)
    return (f"Simulated data: the samples of survey {which} come from evsurvey's simulated scanner (a radio "
            "model of the plan), not from measurements taken on site.")


def verdict_line(ctx: ReportContext) -> str:
    """The one-line verdict for the cover: the site as it is now (the main survey), the fix
    recommended or made, and the before -> after figures when the change was measured."""
    v = ctx.main.verdict
    chosen = ctx.plan.chosen
    comp = ctx.comparison
    if v.status == "UNKNOWN":
        return "No verdict yet: " + (v.explanation or "survey the charger point first.")
    rssi = format_dbm(v.rssi_at_charger_dbm)
    change = change_made(ctx)
    fixed = comp is not None and chosen is not None and chosen.kind != "nothing"
    how = f" ({v.method_words})" if v.method_words else ""
    if v.status == "GOOD" and change:
        line = f"GOOD: the charger point gets {rssi}{how} after the change ({change_short(change)})."
    elif v.status == "GOOD" and fixed:
        line = f"GOOD: the charger point gets {rssi}{how} after the change ({chosen.title})."
    elif v.status == "GOOD":
        line = f"GOOD: the charger point gets {rssi}{how}, no change needed."
    elif v.status == "MARGINAL":
        line = f"MARGINAL: {rssi} at the charger point{how}, little reserve."
    else:
        line = f"POOR: {rssi} at the charger point{how}, it will drop packets."
    if chosen is not None and v.status != "GOOD" and chosen.kind != "nothing":
        line += f" Recommended: {chosen.title}."
    if comp is not None and comp.charger_delta_db is not None:
        line += (f" '{comp.before.survey_name}' -> '{comp.after.survey_name}': "
                 f"{comp.before.verdict.status} {format_dbm(comp.charger_rssi_before_dbm)} -> "
                 f"{comp.after.verdict.status} {format_dbm(comp.charger_rssi_after_dbm)} "
                 f"({format_db(comp.charger_delta_db)}).")
    return line


def change_made(ctx: ReportContext) -> SiteChange | None:
    """The transmitters added, moved or removed between the compared surveys (None without
    a comparison)."""
    comp = ctx.comparison
    if comp is None or comp.before.survey is None or comp.after.survey is None:
        return None
    return change_between(ctx.project, comp.before.survey, comp.after.survey)


def change_short(change: SiteChange) -> str:
    """"mesh node added", "router moved" (for the cover's one line)."""
    parts = [f"{d.kind.label.lower()} added" for d in change.added]
    parts += [f"{d.kind.label.lower()} moved" for d, _m in change.moved]
    parts += [f"{d.kind.label.lower()} removed" for d in change.removed]
    return ", ".join(parts)


def _a(device: Device) -> str:
    name = device.kind.label.lower()
    return ("an " if name[0] in "aeiou" else "a ") + name


def change_sentence(ctx: ReportContext) -> str:
    """What the installer changed between the compared surveys, in the customer's words, and
    whether it was the recommended change ("" without a comparison or a record to tell)."""
    change, comp, chosen = change_made(ctx), ctx.comparison, ctx.plan.chosen
    if change is None:
        return ""
    before, after = comp.before.survey_name, comp.after.survey_name
    if not change.known:
        if not change.added:
            return ""
        now = "; ".join(f"{_a(d)} {describe_place(ctx.project, (d.x_m, d.y_m))}" for d in change.added)
        return (f"This project has no record of the devices on the plan at survey '{before}', so the report "
                f"cannot tell what was added for '{after}'. On the plan now: {now}.")
    if not change:
        return f"No access point, mesh node or router was added or moved between '{before}' and '{after}'."
    done = [f"added {_a(d)} {describe_place(ctx.project, (d.x_m, d.y_m))}" for d in change.added]
    done += [f"moved the {d.kind.label.lower()} {ctx.length(m)}, now {describe_place(ctx.project, (d.x_m, d.y_m))}"
             for d, m in change.moved]
    done += [f"removed the {d.kind.label.lower()}" for d in change.removed]
    sentence = f"Done between '{before}' and '{after}': " + "; ".join(done) + "."
    if chosen is None:
        return sentence
    if chosen.kind == "nothing":
        return sentence + " No change was needed for the charger; this one was made all the same."
    recommended = option_device(chosen)
    if recommended is not None and any(
            d.kind is recommended.kind and abs(d.x_m - recommended.x_m) + abs(d.y_m - recommended.y_m) <= 3.0
            for d in change.added):
        return sentence + " This is the recommended change."
    return sentence + f" This is not the change recommended ({chosen.title})."


def _verdict_box(ctx: ReportContext) -> Table:
    status = ctx.main.verdict.status
    box = Table([[Paragraph(safe_markup(verdict_line(ctx)), styles()["verdict"])]], colWidths=[ctx.content_width])
    box.setStyle([("FONTNAME", (0, 0), (-1, -1), BODY_FONT),
                  ("BACKGROUND", (0, 0), (-1, -1), STATUS_COLOURS.get(status, MUTED)),
                  ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                  ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)])
    return box


# -- summary ----------------------------------------------------------------------------------

def _target_observations(ctx: ReportContext) -> list[Observation]:
    if ctx.target is None:
        return []
    surveys = [s for s in ctx.project.surveys if s.samples]
    return [o for s in surveys for o in survey_observations(s) if ctx.target.matches(o)]


def summary(ctx: ReportContext) -> list:
    out = [_heading("Summary", "summary")]
    v = ctx.main.verdict
    status = v.status
    # 1. is the charger point good?
    out.append(_heading("Is the charger's spot good enough?", "summary-verdict", "h2"))
    if status == "UNKNOWN":
        out.append(_p(v.explanation or "There is no verdict yet: mark the charger point and survey it."))
    else:
        words = {"GOOD": "Yes. The Wi-Fi at the charger's mounting point is strong enough for a reliable connection.",
                 "MARGINAL": "Only just. The charger will connect, but with little reserve: a closed garage door, "
                             "a parked car or rain on the siding can push it below the reliable level.",
                 "POOR": "No. At the charger's mounting point the signal is too weak: the charger would drop "
                         "its connection, fail updates and show as offline in the app."}[status]
        out.append(_p(words))
        out.append(_p(v.explanation, "small"))
    # 2. what was done / is recommended
    out.append(_heading("What was done, or is recommended", "summary-fix", "h2"))
    chosen = ctx.plan.chosen
    comp = ctx.comparison
    if chosen is not None:
        lead = f"After survey '{comp.before.survey_name}'" if comp is not None else "For the charger"
        if chosen.kind == "nothing":
            out.append(_p(f"{lead}, no change to the network was needed for the charger. {chosen.reason}"))
        else:
            where = ""
            if chosen.xy_m is not None:
                where = f", {describe_place(ctx.project, chosen.xy_m)} (marked on the recommendation page)"
            after = ""
            if chosen.predicted_charger_rssi_dbm is not None:
                after = f" The model predicts {format_dbm(chosen.predicted_charger_rssi_dbm)} at the charger with it."
            out.append(_p(f"{lead}, recommended: {chosen.title}{where}. {chosen.reason}{after}"))
    elif comp is None:
        out.append(_p("No recommendation could be made: mark the charger point and the router on the plan."))
    if comp is not None:
        done = change_sentence(ctx)
        if done:
            out.append(_p(done))
        out.append(_p(f"The site was surveyed again after the change ('{comp.before.survey_name}' -> "
                      f"'{comp.after.survey_name}'):"))
        for line in comp.summary_lines():
            out.append(_pm("• " + safe_markup(line), "bullet"))
    # 3. what to keep
    out.append(_heading("What you must keep for the charger to stay connected", "summary-keep", "h2"))
    for line in keep_lines(ctx):
        out.append(_pm("• " + line, "bullet"))
    return out


def keep_lines(ctx: ReportContext) -> list[str]:
    """Markup lines: the SSID name, the 2.4 GHz band, the security mode (from what was heard)."""
    mine = _target_observations(ctx)
    lines = []
    if ctx.target is not None and ctx.target.ssid:
        lines.append("The network name (SSID) <b>" + safe_markup(ctx.target.ssid) + "</b>, spelled exactly so "
                     "(capitals and spaces count). If you rename the network or change its password, the charger "
                     "must be set up again.")
    else:
        lines.append("The network name (SSID) the charger was set up with: renaming the network disconnects it.")
    bands = sorted({b for b in (observation_band(o) for o in mine) if b})
    if "2.4" in bands:
        extra = " It is also broadcast on 5 GHz under the same name; keep band steering off (or keep a separate " \
                "2.4 GHz name) so the charger is not pushed to a band it cannot use." if len(bands) > 1 else ""
        lines.append("The <b>2.4 GHz</b> band switched on: the charger's radio cannot use 5 GHz." + extra)
    else:
        lines.append("A <b>2.4 GHz</b> network: the charger's radio cannot use 5 GHz.")
    auth = sorted({a for o in mine for a in o.auth})
    if auth:
        lines.append("The security mode <b>" + safe_markup(" / ".join(auth)) + "</b>. Do not switch to "
                     "WPA3-only (older charger chips cannot join) and never to WEP, WPA-TKIP or an open network.")
    else:
        lines.append("WPA2 or WPA2/WPA3 transition security. Do not switch to WPA3-only, WEP, WPA-TKIP or open.")
    return lines


# -- signal map --------------------------------------------------------------------------------

def _plan_height(ctx: ReportContext, share: float = 0.6) -> float:
    return ctx.content_height * share


def signal_map(ctx: ReportContext) -> list:
    a = ctx.analysis
    layer = a.target_map
    out = [_heading("Signal map", "signal-map")]
    if layer is None:
        out.append(_p("No signal map: this project has no samples of the target network yet."))
        return out
    name = a.target_ssid or "the target network"
    out.append(_pm("Measured signal of " + safe_markup(name, bold=False) +
                   f" in survey '{safe_markup(a.survey_name)}' ({len(a.sample_rssi_dbm)} measuring points), "
                   "interpolated between the points. Faded colours are far from any measuring point."))
    simulated = simulated_note(ctx)
    if simulated:
        out.append(_pm("<b>" + safe_markup(simulated) + "</b>", "small"))
    extent = grid_edges_m(layer.grid)
    plan = PlanFlowable(ctx.project, [rssi_layer(layer.values, layer.alpha, extent)], ctx.content_width,
                        _plan_height(ctx), PlanOptions(sample_xy_m=a.sample_xy_m,
                                                       caption=f"grid {ctx.length(layer.grid.step_m)}"),
                        extent_m=extent)
    out += [plan, Spacer(1, 4), RssiLegend(ctx.content_width), WallKey(ctx.project, ctx.content_width)]
    if layer.loo_rmse_db is not None:
        out.append(_p(f"How the map was made: {layer.method_words}. Its accuracy: leave-one-out error "
                      f"{layer.loo_rmse_db:.1f} dB: each measuring point was predicted from all the others; on "
                      "average the prediction was off by this much.", "small"))
    else:
        out.append(_p(f"How the map was made: {layer.method_words}. It has no error estimate (too few distinct "
                      "measurements).", "small"))
    mask = a.measured_area_mask()
    if mask is not None and mask.any():
        good = 100.0 * float((layer.values[mask] >= colormap.GOOD_DBM).mean())
        loss = 100.0 * float((layer.values[mask] < colormap.LOSS_DBM).mean())
        area = float(mask.sum()) * layer.grid.step_m ** 2
        out.append(_p(f"Of the measured floor area ({format_area(area, ctx.units)}), {good:.0f} % is at -65 dBm or "
                      f"better and {loss:.0f} % below -75 dBm.", "small"))
    return out


def link_maps(ctx: ReportContext) -> list:
    """The link tests of the survey: the figures at the charger and the loss / round-trip maps."""
    from survey.analysis.map_layer import LayerKind

    a = ctx.analysis
    loss, latency = a.layer(LayerKind.LOSS), a.layer(LayerKind.LATENCY)
    if loss is None and latency is None:
        return []
    out = [CondPageBreak(ctx.content_height * 0.5), _heading("Link tests", "link-tests", "h2")]
    v = a.verdict
    at_charger = (f"At the charger the link to the router measured {v.link_words}."
                  if v.link_words else "No link test was made at the charger's mounting point.")
    out.append(_p(f"Besides the signal, the laptop measured the link itself at {loss.n_points if loss else 0} "
                  f"points: packets lost and the round-trip time to the router (95 % of round trips were faster). "
                  f"{at_charger}"))
    half = (ctx.content_width - 8) / 2
    cells = []
    for layer, title in ((loss, "Packet loss (%)"), (latency, "Round trip, p95 (ms)")):
        if layer is None:
            continue
        good, marginal = LINK_MAP_LIMITS[layer.kind.value]
        extent = grid_edges_m(layer.grid)
        cells.append(PlanFlowable(ctx.project, [level_layer(layer.values, layer.alpha, extent, good, marginal)],
                                  half, _plan_height(ctx, 0.3),
                                  PlanOptions(show_labels=False,
                                              caption=f"{title}: good up to {good:g}, marginal up to {marginal:g}"),
                                  extent_m=extent))
    pair = Table([cells], colWidths=[half + 4] * len(cells))
    pair.setStyle([("FONTNAME", (0, 0), (-1, -1), BODY_FONT), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    out.append(pair)
    return out


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
    out = [CondPageBreak(ctx.content_height * 0.7), _heading("Predicted signal map", "predicted-map")]
    with_device = f" with the recommended {chosen.title}" if device is not None else ""
    loo = (f" Its leave-one-out error is {model.loo_rmse_db:.1f} dB." if model.loo_rmse_db is not None else "")
    out.append(_p(f"The {model.words} '{plan.analysis.survey_name}', predicting the signal everywhere from the "
                  f"router{with_device} and the walls. Fitted router power {model.router_eirp_dbm:.1f} dBm EIRP, "
                  f"path-loss exponent {model.exponent:.2f}.{loo}"))
    layer = rssi_layer(rssi, np.ones_like(rssi), extent)
    out += [PlanFlowable(ctx.project, [layer], ctx.content_width, _plan_height(ctx, 0.55),
                         PlanOptions(show_samples=False), extent_m=extent),
            Spacer(1, 4), RssiLegend(ctx.content_width, symbols=False)]
    return out


# -- channels ---------------------------------------------------------------------------------

def observations_at_charger(ctx: ReportContext) -> tuple[Observation, ...]:
    """One observation per BSS heard at the charger point (samples within
    :data:`AT_CHARGER_RADIUS_M`, else the nearest sample), merged in mW."""
    from survey.project.model import merge_observations
    survey, charger = ctx.survey, ctx.project.charger
    if survey is None or not survey.samples:
        return ()
    if charger is None:
        chosen = list(survey.samples)
    else:
        d = np.array([np.hypot(s.x_m - charger.x_m, s.y_m - charger.y_m) for s in survey.samples])
        near = [s for s, dist in zip(survey.samples, d) if dist <= AT_CHARGER_RADIUS_M]
        chosen = near or [survey.samples[int(np.argmin(d))]]
    scans = [scan for s in chosen for scan in s.scans]
    return merge_observations(scans) if scans else ()


class OccupancyChart(Flowable):
    """Bars of networks per 2.4 GHz channel: all heard (light) and those at >= -82 dBm (dark).

    Drawn straight on the canvas with the embedded fonts (reportlab.graphics would register
    an unembedded Helvetica as its initial font)."""

    def __init__(self, occupancy, target_channel: int | None, width: float, height: float = 120):
        super().__init__()
        self.occupancy = occupancy
        self.target_channel = target_channel
        self.width = width
        self.height = height

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        left, bottom, top = 28, 18, 14
        plot_w, plot_h = self.width - left - 10, self.height - bottom - top
        max_count = max([o.bss_count for o in self.occupancy] + [1])
        ymax = max(4, int(np.ceil(max_count / 2.0) * 2))
        bar_w = plot_w / len(self.occupancy)
        c.setLineWidth(0.4)
        for tick in range(0, ymax + 1, max(1, ymax // 4)):
            y = bottom + tick / ymax * plot_h
            c.setStrokeColor(colors.HexColor("#dddddd"))
            c.line(left, y, left + plot_w, y)
            c.setFillColor(colors.black)
            draw_string(c, left - 4, y - 2.5, str(tick), 7, anchor="end")
        for i, occ in enumerate(self.occupancy):
            x = left + i * bar_w + bar_w * 0.15
            w = bar_w * 0.7
            h_all = occ.bss_count / ymax * plot_h
            h_strong = occ.cochannel_strong_count / ymax * plot_h
            c.setFillColor(colors.HexColor("#b8c7e0"))
            c.rect(x, bottom, w, h_all, stroke=0, fill=1)
            c.setFillColor(ACCENT)
            c.rect(x, bottom, w, h_strong, stroke=0, fill=1)
            if occ.channel == self.target_channel:
                c.setStrokeColor(colors.HexColor("#e0a800"))
                c.setLineWidth(1.6)
                c.rect(x - 1.5, bottom, w + 3, max(h_all, 4) + 1.5, stroke=1, fill=0)
                c.setLineWidth(0.4)
            c.setFillColor(colors.black)
            draw_string(c, x + w / 2, bottom - 10, str(occ.channel), 7.5, bold=occ.channel in (1, 6, 11),
                        anchor="middle")
        draw_string(c, left - 22, self.height - 8, "networks", 7)
        draw_string(c, left + plot_w, self.height - 8, "channel (1, 6, 11 do not overlap)", 7, anchor="end")


def channels(ctx: ReportContext) -> list:
    out = [_heading("2.4 GHz channels", "channels")]
    observed = observations_at_charger(ctx)
    if not observed:
        out.append(_p("No scans near the charger point."))
        return out
    occupancy = channel_occupancy(observed)
    mine = [o for o in observed if ctx.target is not None and ctx.target.matches(o) and is_24ghz(o)]
    target_channel = observation_channel(max(mine, key=lambda o: o.rssi_dbm or -999)) if mine else None
    where = "at the charger point" if ctx.project.charger is not None else "over the whole survey"
    out.append(_p(f"Networks heard {where} on each 2.4 GHz channel. Dark: heard at -82 dBm or stronger "
                  "(they share airtime with the charger's network); light: weaker ones. "
                  + (f"Outlined: channel {target_channel}, the charger's network." if target_channel else "")))
    out.append(OccupancyChart(occupancy, target_channel, ctx.content_width))
    out.append(Spacer(1, 6))
    rows = [[_cell(h, bold=True) for h in ("Network (SSID)", "BSSID", "Ch.", "Band", "Signal", "Security", "Load")]]
    ordered = sorted(observed, key=lambda o: -(o.rssi_dbm if o.rssi_dbm is not None else -999))
    target_rows = []
    for i, obs in enumerate(ordered):
        is_target = ctx.target is not None and ctx.target.matches(obs)
        if is_target:
            target_rows.append(i + 1)
        load = "–" if obs.channel_utilization_pct is None else f"{obs.channel_utilization_pct:.0f} %"
        rows.append([
            _cell(ctx.redactor.ssid(obs), bold=is_target), _cell(ctx.redactor.bssid(obs)),
            _cell("–" if obs.channel is None else str(obs.channel)), _cell(observation_band(obs) or "–"),
            _cell(_fmt_dbm(obs.rssi_dbm)), _cell(" ".join(obs.auth) or "–"), _cell(load),
        ])
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.28, w * 0.2, w * 0.06, w * 0.07, w * 0.1, w * 0.19, w * 0.1], repeatRows=1)
    style = table_style()
    for r in target_rows:
        style.add("BACKGROUND", (0, r), (-1, r), colors.HexColor("#fff4cc"))
    table.setStyle(style)
    out.append(table)
    if ctx.redactor.enabled:
        out.append(_p("Neighbours' network names and addresses are hidden in this report.", "small"))
    return out


# -- findings and ladder ----------------------------------------------------------------------

_SEVERITY_COLOURS = {"critical": "#b3261e", "warning": "#b7791f", "info": "#1f4e9c"}


def findings(ctx: ReportContext) -> list:
    out = [_heading("Findings and recommendation", "findings")]
    a = ctx.plan
    if ctx.comparison is not None:
        out.append(_p(f"From survey '{a.survey_name}', the survey the recommendation was made from.", "small"))
    found = a.findings
    if not found:
        out.append(_p("The scans show no problem with the network's settings."))
    for f in found:
        colour = _SEVERITY_COLOURS.get(f.severity, "#333333")
        out.append(KeepTogether([
            _pm(f'<font color="{colour}"><b>{safe_markup(f.severity.upper())}</b></font> '
                f"<b>{safe_markup(ctx.redactor.text(f.title))}</b>"),
            _pm("<i>Seen:</i> " + safe_markup(ctx.redactor.text(f.evidence)), "bullet"),
            _pm("<i>Fix:</i> " + safe_markup(ctx.redactor.text(f.fix)), "bullet"),
        ]))
    options = a.options
    if options:
        out.append(_heading("Remediation ladder", "ladder", "h2"))
        out.append(_p("The remedies in the order a good installer considers them; the first that works is "
                      "recommended."))
        rows = [[_cell(h, bold=True) for h in ("#", "Option", "Status", "Charger after", "Why")]]
        chosen_row = None
        for i, opt in enumerate(options):
            status = STATUS_WORDS[opt.status]
            if opt.status == "chosen":
                chosen_row = i + 1
            why = opt.reason
            if opt.conditions:
                why += " " + " ".join(opt.conditions)
            rows.append([_cell(str(i + 1)), _cell(opt.title + (f" ({opt.cost_class})" if opt.cost_class else ""), True),
                         _cell(status, opt.status == "chosen"), _cell(_fmt_dbm(opt.predicted_charger_rssi_dbm)),
                         _cell(ctx.redactor.text(why))])
        w = ctx.content_width
        table = Table(rows, colWidths=[w * 0.04, w * 0.2, w * 0.15, w * 0.11, w * 0.5], repeatRows=1)
        style = table_style()
        if chosen_row is not None:
            style.add("BACKGROUND", (0, chosen_row), (-1, chosen_row), colors.HexColor("#e7f3e9"))
        table.setStyle(style)
        out.append(table)
    chosen = a.chosen
    if chosen is not None and chosen.xy_m is not None:
        device = Device(kind=chosen.device_kind or _device_kind(chosen), x_m=chosen.xy_m[0], y_m=chosen.xy_m[1],
                        label=chosen.title, planned=True)
        already = any(d.kind.transmits and abs(d.x_m - device.x_m) < 0.3 and abs(d.y_m - device.y_m) < 0.3
                      for d in ctx.project.devices)
        layers = []
        # the map the recommendation was made from: "before" when two surveys are compared
        base = a.analysis.target_map
        if base is not None:
            layers.append(rssi_layer(base.values, base.alpha, grid_edges_m(base.grid)))
        out.append(CondPageBreak(_plan_height(ctx, 0.16) + 100))
        out.append(_heading("The recommended option on the plan", "ladder-plan", "h2"))
        extent = grid_edges_m(base.grid) if base is not None else None
        out.append(PlanFlowable(ctx.project, layers, ctx.content_width, _plan_height(ctx, 0.55),
                                PlanOptions(show_samples=False, highlight=device,
                                            highlight_label="Recommended: " + chosen.title,
                                            extra_devices=() if already else (device,)), extent_m=extent,
                                min_height=_plan_height(ctx, 0.16)))
        out.append(RssiLegend(ctx.content_width))
    return out


def _device_kind(option):
    from survey.project.model import DeviceKind
    return {"mesh_node": DeviceKind.MESH_NODE, "wired_ap": DeviceKind.WIRED_AP,
            "powerline_ap": DeviceKind.POWERLINE_AP}.get(option.kind, DeviceKind.ROUTER)


# -- before / after -----------------------------------------------------------------------------

def _fmt_error(error_db: float | None) -> str:
    return "–" if error_db is None else f"{error_db:.1f} dB"


def before_after(ctx: ReportContext) -> list:
    comp = ctx.comparison
    out = [_heading("Before and after", "before-after")]
    out.append(_pm("Survey '" + safe_markup(comp.before.survey_name) + "' (left) and '" +
                   safe_markup(comp.after.survey_name) + "' (right) on one colour scale."))
    half = (ctx.content_width - 8) / 2
    extent = grid_edges_m(comp.grid)
    mb, ma = comp.before.target_map, comp.after.target_map
    left = PlanFlowable(ctx.project, [rssi_layer(mb.values, mb.alpha, extent)], half,
                        _plan_height(ctx, 0.33), PlanOptions(sample_xy_m=comp.before.sample_xy_m, show_labels=False,
                                                             caption=comp.before.survey_name), extent_m=extent)
    right = PlanFlowable(ctx.project, [rssi_layer(ma.values, ma.alpha, extent)], half,
                         _plan_height(ctx, 0.33), PlanOptions(sample_xy_m=comp.after.sample_xy_m, show_labels=False,
                                                              caption=comp.after.survey_name), extent_m=extent)
    pair = Table([[left, right]], colWidths=[half + 4, half + 4])
    pair.setStyle([("FONTNAME", (0, 0), (-1, -1), BODY_FONT), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    out += [pair, RssiLegend(ctx.content_width, symbols=False)]
    numbers = [[_cell(h, bold=True) for h in ("", comp.before.survey_name, comp.after.survey_name, "Change")]]
    numbers.append([_cell(f"Floor area at -65 dBm or better (of {format_area(comp.area_m2, ctx.units)})"),
                    _cell(f"{comp.coverage_good_pct_before:.0f} %"), _cell(f"{comp.coverage_good_pct_after:.0f} %"),
                    _cell(f"{comp.coverage_delta_pct:+.0f} points", True)])
    if comp.charger_delta_db is not None:
        numbers.append([_cell("Signal at the charger (as the charger hears it)"),
                        _cell(f"{comp.before.verdict.status} {_fmt_dbm(comp.charger_rssi_before_dbm)}"),
                        _cell(f"{comp.after.verdict.status} {_fmt_dbm(comp.charger_rssi_after_dbm)}"),
                        _cell(format_db(comp.charger_delta_db), True)])
    numbers.append([_cell("Map error (leave-one-out)"), _cell(_fmt_error(comp.before.map_error_db)),
                    _cell(_fmt_error(comp.after.map_error_db)), _cell("")])
    w = ctx.content_width
    table = Table(numbers, colWidths=[w * 0.46, w * 0.18, w * 0.18, w * 0.18])
    table.setStyle(table_style())
    out += [Spacer(1, 4), table, Spacer(1, 8)]
    out.append(_heading("Difference map", "difference", "h2"))
    out.append(_p("After minus before, in dB, where both surveys measured: blue is stronger after the change, "
                  "red weaker."))
    out.append(PlanFlowable(ctx.project, [difference_layer(comp.difference_db, extent)], ctx.content_width,
                            _plan_height(ctx, 0.3), PlanOptions(show_samples=False, show_labels=True), extent_m=extent))
    out.append(DifferenceLegend(ctx.content_width))
    return out


# -- checklist, troubleshooting, appendix --------------------------------------------------------

_CHECK_WORDS = {"ok": "OK", "action": "ACTION", "check": "check"}
_CHECK_COLOURS = {"ok": "#e7f3e9", "action": "#fbe3e1", "check": "#ffffff"}


def checklist(ctx: ReportContext) -> list:
    out = [_heading("Network checklist", "checklist")]
    source = "the scans and the network check" if ctx.project.preflight is not None else "the scans"
    out.append(_p(f"What the network around the charger needs. OK and ACTION come from {source}; an ACTION "
                  "is still to be done. 'check' items are verified on site by the installer (tick the box)."))
    rows = [[_cell(h, bold=True) for h in ("", "Item", "Status", "Detail")]]
    style = table_style(zebra=False)
    for i, item in enumerate(ctx.main.checklist):
        # Ticked only where the scans show it is fine: an ACTION is still to do, a 'check' to verify.
        rows.append([_cell("☑" if item.status == "ok" else "☐"), _cell(item.title, True),
                     _cell(_CHECK_WORDS.get(item.status, item.status), item.status == "action"),
                     _cell(ctx.redactor.text(item.detail))])
        style.add("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor(_CHECK_COLOURS.get(item.status, "#ffffff")))
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.04, w * 0.3, w * 0.1, w * 0.56], repeatRows=1)
    table.setStyle(style)
    out.append(table)
    return out


_STATUS_MARKS = {Status.PASS: "pass", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIP: "skipped"}
_CHECK_STATUS_COLOURS = {Status.PASS: "#e7f3e9", Status.WARN: "#fff4cc", Status.FAIL: "#fbe3e1"}


def network_checks(ctx: ReportContext) -> list:
    """The pre-flight checks stored in the project (`evsurvey check --save` or the window's
    "Check the internet path"): when, from which network, each result with its evidence and
    fix, and the troubleshooting row it backs."""
    report = ctx.project.preflight
    if report is None:
        return []
    out = [CondPageBreak(ctx.content_height * 0.4), _heading("Network checks", "network-checks")]
    where = report.network.text() if report.network is not None else ""
    out.append(_p(f"Run on {report.ran_at_text()} from the charger's network{': ' + where if where else ''}, "
                  f"for the {report.profile_name} profile: {report.summary_text()}."))
    if report.generic:
        out.append(_p("The maker documents no cloud domains: only general reachability could be tested.", "small"))
    symptoms = {key: symptom for key, symptom, _cause, _fix in TROUBLESHOOTING}
    rows = [[_cell(h, bold=True) for h in ("Check", "Result", "What was seen", "Fix", "Backs the row")]]
    style = table_style(zebra=False)
    for i, result in enumerate(report.results):
        row_key = troubleshooting_row(result)
        rows.append([_cell(result.title, True), _cell(_STATUS_MARKS.get(result.status, str(result.status)),
                                                      result.status is Status.FAIL),
                     _cell(ctx.redactor.text(result.detail)), _cell(ctx.redactor.text(result.fix)),
                     _cell(symptoms.get(row_key, "–"))])
        colour = _CHECK_STATUS_COLOURS.get(result.status)
        if colour:
            style.add("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor(colour))
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.17, w * 0.07, w * 0.32, w * 0.26, w * 0.18], repeatRows=1)
    table.setStyle(style)
    out.append(table)
    return out


def _evidence(ctx: ReportContext, key: str) -> str:
    """What this survey found for one troubleshooting row: the stored network checks filed
    under it, the verdict for drops, the security findings for setup."""
    if key == TROUBLE_DROPS:
        v = ctx.main.verdict
        return "–" if v.rssi_at_charger_dbm is None else f"{v.status}: {format_dbm(v.rssi_at_charger_dbm)} at the charger"
    if key == TROUBLE_SETUP_99:
        wpa3 = [f for f in ctx.plan.findings if "wpa3" in f.code]
        return wpa3[0].title if wpa3 else "not seen in the scans"
    report = ctx.project.preflight
    if report is None:
        return ("not checked: run Analysis > Check the internet path (or `evsurvey check --project FILE --save`) "
                "from the charger's network")
    filed = [r for r in report.results if troubleshooting_row(r) == key]
    if not filed:
        return "not checked"
    bad = [r for r in filed if r.status in (Status.FAIL, Status.WARN)]
    if not bad:
        return f"checked, all {len(filed)} passed"
    return "; ".join(f"{r.title}: {_STATUS_MARKS.get(r.status, str(r.status))}" for r in bad)


def troubleshooting(ctx: ReportContext) -> list:
    out = [Spacer(1, 10), _heading("Troubleshooting", "troubleshooting")]
    rows = [[_cell(h, bold=True) for h in ("Symptom", "Likely cause", "What to do", "This site")]]
    for key, symptom, cause, fix in TROUBLESHOOTING:
        rows.append([_cell(symptom, True), _cell(cause), _cell(fix), _cell(ctx.redactor.text(_evidence(ctx, key)))])
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.2, w * 0.28, w * 0.3, w * 0.22], repeatRows=1)
    table.setStyle(table_style())
    out.append(table)
    return out


def appendix(ctx: ReportContext) -> list:
    out = [_heading("Appendix: samples", "appendix")]
    surveys = [s for s in ctx.project.surveys if s.samples]
    if not surveys:
        out.append(_p("No samples were taken."))
        return out
    from survey.analysis.target import sample_observations, target_rssi_at_sample
    for survey in surveys:
        backends = sorted({scan.backend for s in survey.samples for scan in s.scans})
        out.append(_heading(f"Survey '{survey.name}': {len(survey.samples)} samples", f"appendix-{id(survey)}", "h2"))
        out.append(_p("Scanner used: " + (", ".join(backends) if backends else "unknown") +
                      f". Positions in {'feet' if ctx.units == 'ft' else 'metres'} from the plan's top-left corner; "
                      "times are local.", "small"))
        header = [_cell(h, bold=True) for h in ("#", "x", "y", "Time", "Target signal", "Scans", "Networks heard")]
        imported = any(is_imported(scan.backend) for sample in survey.samples for scan in sample.scans)
        # Plain strings, not Paragraphs: every value here is a number we formatted (no
        # markup, no untrusted text), and a Paragraph per cell made a 5,000-sample
        # appendix take half a minute to lay out. Only the names of imported scan files
        # (which may wrap) are Paragraphs.
        rows = []
        for i, sample in enumerate(survey.samples, start=1):
            rssi = target_rssi_at_sample(sample, ctx.target) if ctx.target is not None else None
            scans = str(len(sample.scans))
            sources = [scan.backend for scan in sample.scans if is_imported(scan.backend)]
            rows.append([
                str(i), ctx.length(sample.x_m), ctx.length(sample.y_m),
                datetime.fromtimestamp(sample.taken_at).strftime("%Y-%m-%d %H:%M:%S"),
                _fmt_dbm(rssi) if rssi is not None else "not heard",
                # An imported saved scan names its file ("file:iw (garage.txt)").
                _cell(" ".join([scans] + sources)) if sources else scans,
                str(len(sample_observations(sample))),
            ])
        w = ctx.content_width
        widths = [w * 0.07, w * 0.13, w * 0.13, w * 0.25, w * 0.16, w * 0.1, w * 0.16]
        style = table_style()
        style.add("FONTSIZE", (0, 1), (-1, -1), APPENDIX_FONT_SIZE)
        # One table per page, each with the header: reportlab copies and re-measures every
        # remaining row of a long table at each page break (5,000 rows: 3 s more).
        per_page = max(10, int(ctx.content_height // APPENDIX_ROW_HEIGHT_PT) - 2)
        first = max(5, per_page - int(APPENDIX_INTRO_PT // APPENDIX_ROW_HEIGHT_PT))
        start = 0
        while start < len(rows):
            size = first if start == 0 else per_page
            if start:
                out.append(PageBreak())
            chunk = [header] + rows[start:start + size]
            heights = None if imported else [None] + [APPENDIX_ROW_HEIGHT_PT] * (len(chunk) - 1)
            table = Table(chunk, colWidths=widths, rowHeights=heights, repeatRows=1)
            table.setStyle(style)
            out.append(table)
            start += size
        out.append(Spacer(1, 8))
    return out


def engineer_appendix(ctx: ReportContext) -> list:
    """For the engineer: exactly how each survey's map and model were made, the estimates at
    the charger, and how sure the signal map is, cell by cell."""
    out = [_heading("Appendix: how the maps were made", "engineer")]
    out.append(_p("For the engineer who checks this survey: the exact methods behind the numbers above. "
                  "Every figure in this report, in the evsurvey window and in `evsurvey recommend` comes from "
                  "this one analysis per survey.", "small"))
    shown = [ctx.main.analysis]
    if ctx.comparison is not None:
        shown = [ctx.comparison.before, ctx.comparison.after]
    for a in shown:
        out.append(_heading(f"Survey '{a.survey_name}'", f"engineer-{id(a)}", "h2"))
        rows = [[_cell(h, bold=True) for h in ("", "Method", "Value")]]
        hm = a.heatmap
        if hm is not None:
            tried = ", ".join(f"{name} {rmse:.2f}" for name, rmse in sorted(
                hm.cv_rmse_db.items(), key=lambda kv: kv[1]) if np.isfinite(rmse))
            rows.append([_cell("Signal map"), _cell(f"{a.map_method} ({a.map_words}), grid {ctx.length(a.grid.step_m)}"),
                         _cell(_fmt_error(a.map_error_db) + " leave-one-out")])
            if tried:
                rows.append([_cell("Candidates (cross-validated RMSE, dB)"), _cell(tried), _cell("")])
        m = a.model
        rows.append([_cell("Radio model"), _cell(f"{m.source}: {m.words}"),
                     _cell(f"EIRP {m.router_eirp_dbm:.1f} dBm, exponent {m.exponent:.2f}, "
                           + _fmt_error(m.loo_rmse_db) + " leave-one-out")])
        v = a.verdict
        for e in v.estimates:
            chosen = " (used)" if e.method == v.chosen_method else ""
            rows.append([_cell(f"At the charger: {e.method}{chosen}"), _cell(e.words),
                         _cell(_fmt_dbm(e.rssi_dbm) + (f" ± {e.error_db:.1f} dB" if e.error_db is not None else ""))])
        rows.append([_cell("Verdict"), _cell(f"minus {v.reception_offset_db:.1f} dB reception offset; "
                                             f"confidence {v.confidence}"),
                     _cell(f"{v.status} {_fmt_dbm(v.rssi_at_charger_dbm)}", True)])
        w = ctx.content_width
        table = Table(rows, colWidths=[w * 0.26, w * 0.46, w * 0.28], repeatRows=1)
        table.setStyle(table_style())
        out += [table, Spacer(1, 6)]
        confidence = a.confidence_map
        if confidence is not None:
            extent = grid_edges_m(confidence.grid)
            out.append(KeepTogether([
                _p("How sure the signal map is: the standard deviation of each cell's value. White is well "
                   "backed by measurements; dark means the colour there is little more than a guess.", "small"),
                PlanFlowable(ctx.project, [uncertainty_layer(confidence.values, extent)], ctx.content_width * 0.6,
                             _plan_height(ctx, 0.28), PlanOptions(sample_xy_m=a.sample_xy_m, show_labels=False),
                             extent_m=extent),
                UncertaintyLegend(ctx.content_width)]))
    return out
