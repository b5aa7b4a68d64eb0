"""The cover (site, verdict box) and the summary's three questions for the customer."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Paragraph, Spacer, Table

from survey.analysis.change_words import change_sentence
from survey.analysis.target import survey_observations
from survey.analysis.verdict_words import NO_VERDICT_ADVICE, VERDICT_ANSWERS, verdict_line
from survey.project.model import Observation, Survey
from survey.project.rooms import describe_place
from survey.project.simulated import all_surveys_simulated, simulated_note
from survey.project.units import format_dbm
from survey.report.context import ReportContext
from survey.report.fonts import BODY_FONT, safe_markup
from survey.report.sections.text import cell, heading, markup_para, para
from survey.report.styles import MUTED, STATUS_COLOURS, styles, table_style
from survey.rf.channels import observation_band


def cover(ctx: ReportContext) -> list:
    site = ctx.project.site
    out = [Spacer(1, 30), heading("Wi-Fi survey for the EV charger", "cover", "title")]
    rows = [
        ("Customer", site.customer or "–"),
        ("Site", site.address or "–"),
        ("Installer", site.installer or "–"),
        ("Survey date", site.survey_date or _survey_date(ctx.survey)),
        ("Charger", ctx.main.profile.name),
        ("Network", ctx.target.ssid if ctx.target and ctx.target.ssid else "not set"),
    ]
    table = Table(
        [[cell(k, bold=True), cell(v)] for k, v in rows], colWidths=[32 * 2.83465, ctx.content_width - 32 * 2.83465]
    )
    table.setStyle(table_style(header=False, zebra=False))
    out += [table, Spacer(1, 24), _verdict_box(ctx)]
    if site.notes:
        out += [Spacer(1, 12), markup_para("<b>Notes:</b> " + safe_markup(site.notes))]
    simulated = simulated_note(ctx.project)
    if simulated:
        out += [Spacer(1, 12), markup_para("<b>" + safe_markup(simulated) + "</b>")]
    source = "from a simulated survey" if all_surveys_simulated(ctx.project) else "from measurements taken on site"
    out += [
        Spacer(1, 18),
        para(
            f"This report was produced with evsurvey {source}. "
            "Signal values are in dBm (closer to zero is stronger). A smart charger "
            "needs -65 dBm or better at its mounting point; below -75 dBm it loses "
            "packets and drops offline.",
            "small",
        ),
    ]
    return out


def _survey_date(survey: Survey | None) -> str:
    if survey is None or not survey.samples:
        return "–"
    return datetime.fromtimestamp(survey.samples[0].taken_at).strftime("%Y-%m-%d")


def _verdict_box(ctx: ReportContext) -> Table:
    status = ctx.main.verdict.status
    line = verdict_line(ctx.project, ctx.main, ctx.plan.chosen, ctx.comparison)
    box = Table([[Paragraph(safe_markup(line), styles()["verdict"])]], colWidths=[ctx.content_width])
    box.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),
            ("BACKGROUND", (0, 0), (-1, -1), STATUS_COLOURS.get(status, MUTED)),
            ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ("RIGHTPADDING", (0, 0), (-1, -1), 10),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
        ]
    )
    return box


def _target_observations(ctx: ReportContext) -> list[Observation]:
    if ctx.target is None:
        return []
    surveys = [s for s in ctx.project.surveys if s.samples]
    return [o for s in surveys for o in survey_observations(s) if ctx.target.matches(o)]


def summary(ctx: ReportContext) -> list:
    out = [heading("Summary", "summary")]
    v = ctx.main.verdict
    status = v.status
    # 1. is the charger point good?
    out.append(heading("Is the charger's spot good enough?", "summary-verdict", "h2"))
    if status == "UNKNOWN":
        out.append(para(v.explanation or NO_VERDICT_ADVICE))
    else:
        out.append(para(VERDICT_ANSWERS[status]))
        out.append(para(v.explanation, "small"))
    # 2. what was done / is recommended
    out.append(heading("What was done, or is recommended", "summary-fix", "h2"))
    chosen = ctx.plan.chosen
    comp = ctx.comparison
    if chosen is not None:
        lead = f"After survey '{comp.before.survey_name}'" if comp is not None else "For the charger"
        if chosen.kind == "nothing":
            out.append(para(f"{lead}, no change to the network was needed for the charger. {chosen.reason}"))
        else:
            where = ""
            if chosen.xy_m is not None:
                where = f", {describe_place(ctx.project, chosen.xy_m)} (marked on the recommendation page)"
            after = ""
            if chosen.predicted_charger_rssi_dbm is not None:
                after = f" The model predicts {format_dbm(chosen.predicted_charger_rssi_dbm)} at the charger with it."
            out.append(para(f"{lead}, recommended: {chosen.title}{where}. {chosen.reason}{after}"))
    elif comp is None:
        out.append(para("No recommendation could be made: mark the charger point and the router on the plan."))
    if comp is not None:
        done = change_sentence(ctx.project, comp, chosen)
        if done:
            out.append(para(done))
        out.append(
            para(
                f"The site was surveyed again after the change ('{comp.before.survey_name}' -> "
                f"'{comp.after.survey_name}'):"
            )
        )
        for line in comp.summary_lines():
            out.append(markup_para("• " + safe_markup(line), "bullet"))
    # 3. what to keep
    out.append(heading("What you must keep for the charger to stay connected", "summary-keep", "h2"))
    for line in keep_lines(ctx):
        out.append(markup_para("• " + line, "bullet"))
    return out


def keep_lines(ctx: ReportContext) -> list[str]:
    """Markup lines: the SSID name, the 2.4 GHz band, the security mode (from what was heard)."""
    mine = _target_observations(ctx)
    lines = []
    if ctx.target is not None and ctx.target.ssid:
        lines.append(
            "The network name (SSID) <b>" + safe_markup(ctx.target.ssid) + "</b>, spelled exactly so "
            "(capitals and spaces count). If you rename the network or change its password, the charger "
            "must be set up again."
        )
    else:
        lines.append("The network name (SSID) the charger was set up with: renaming the network disconnects it.")
    bands = sorted({b for b in (observation_band(o) for o in mine) if b})
    if "2.4" in bands:
        extra = (
            " It is also broadcast on 5 GHz under the same name; keep band steering off (or keep a separate "
            "2.4 GHz name) so the charger is not pushed to a band it cannot use."
            if len(bands) > 1
            else ""
        )
        lines.append("The <b>2.4 GHz</b> band switched on: the charger's radio cannot use 5 GHz." + extra)
    else:
        lines.append("A <b>2.4 GHz</b> network: the charger's radio cannot use 5 GHz.")
    auth = sorted({a for o in mine for a in o.auth})
    if auth:
        lines.append(
            "The security mode <b>" + safe_markup(" / ".join(auth)) + "</b>. Do not switch to "
            "WPA3-only (older charger chips cannot join) and never to WEP, WPA-TKIP or an open network."
        )
    else:
        lines.append("WPA2 or WPA2/WPA3 transition security. Do not switch to WPA3-only, WEP, WPA-TKIP or open.")
    return lines
