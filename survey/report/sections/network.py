"""The network pages: the checklist of what the charger's network needs, the stored network
checks with their evidence, and the troubleshooting matrix with what this site showed."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Spacer, Table

from survey.analysis.troubleshooting import TROUBLESHOOTING, evidence, status_word, symptom_of
from survey.project.preflight import Status, troubleshooting_row
from survey.report.context import ReportContext
from survey.report.sections.text import cell, heading, para
from survey.report.styles import table_style

_CHECK_WORDS = {"ok": "OK", "action": "ACTION", "check": "check"}
_CHECK_COLOURS = {"ok": "#e7f3e9", "action": "#fbe3e1", "check": "#ffffff"}


def checklist(ctx: ReportContext) -> list:
    out = [heading("Network checklist", "checklist")]
    source = "the scans and the network check" if ctx.project.preflight is not None else "the scans"
    out.append(
        para(
            f"What the network around the charger needs. OK and ACTION come from {source}; an ACTION "
            "is still to be done. 'check' items are verified on site by the installer (tick the box)."
        )
    )
    rows = [[cell(h, bold=True) for h in ("", "Item", "Status", "Detail")]]
    style = table_style(zebra=False)
    for i, item in enumerate(ctx.main.checklist):
        # Ticked only where the scans show it is fine: an ACTION is still to do, a 'check' to verify.
        rows.append(
            [
                cell("☑" if item.status == "ok" else "☐"),
                cell(item.title, True),
                cell(_CHECK_WORDS.get(item.status, item.status), item.status == "action"),
                cell(ctx.redactor.text(item.detail)),
            ]
        )
        style.add("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor(_CHECK_COLOURS.get(item.status, "#ffffff")))
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.04, w * 0.3, w * 0.1, w * 0.56], repeatRows=1)
    table.setStyle(style)
    out.append(table)
    return out


_CHECK_STATUS_COLOURS = {Status.PASS: "#e7f3e9", Status.WARN: "#fff4cc", Status.FAIL: "#fbe3e1"}


def network_checks(ctx: ReportContext) -> list:
    """The pre-flight checks stored in the project (`evsurvey check --save` or the window's
    "Check the internet path"): when, from which network, each result with its evidence and
    fix, and the troubleshooting row it backs."""
    report = ctx.project.preflight
    if report is None:
        return []
    out = [CondPageBreak(ctx.content_height * 0.4), heading("Network checks", "network-checks")]
    where = report.network.text() if report.network is not None else ""
    out.append(
        para(
            f"Run on {report.ran_at_text()} from the charger's network{': ' + where if where else ''}, "
            f"for the {report.profile_name} profile: {report.summary_text()}."
        )
    )
    if report.generic:
        out.append(para("The maker documents no cloud domains: only general reachability could be tested.", "small"))
    rows = [[cell(h, bold=True) for h in ("Check", "Result", "What was seen", "Fix", "Backs the row")]]
    style = table_style(zebra=False)
    for i, result in enumerate(report.results):
        rows.append(
            [
                cell(result.title, True),
                cell(status_word(result.status), result.status is Status.FAIL),
                cell(ctx.redactor.text(result.detail)),
                cell(ctx.redactor.text(result.fix)),
                cell(symptom_of(troubleshooting_row(result))),
            ]
        )
        colour = _CHECK_STATUS_COLOURS.get(result.status)
        if colour:
            style.add("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor(colour))
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.17, w * 0.07, w * 0.32, w * 0.26, w * 0.18], repeatRows=1)
    table.setStyle(style)
    out.append(table)
    return out


def troubleshooting(ctx: ReportContext) -> list:
    out = [Spacer(1, 10), heading("Troubleshooting", "troubleshooting")]
    rows = [[cell(h, bold=True) for h in ("Symptom", "Likely cause", "What to do", "This site")]]
    for row in TROUBLESHOOTING:
        found = evidence(row.key, ctx.main.verdict, ctx.plan.findings, ctx.project.preflight)
        rows.append([cell(row.symptom, True), cell(row.cause), cell(row.fix), cell(ctx.redactor.text(found))])
    w = ctx.content_width
    table = Table(rows, colWidths=[w * 0.2, w * 0.28, w * 0.3, w * 0.22], repeatRows=1)
    table.setStyle(table_style())
    out.append(table)
    return out
