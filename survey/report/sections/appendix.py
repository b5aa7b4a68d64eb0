"""The appendices: every sample as a table, and for the engineer how each survey's maps and
model were made."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table

from survey.analysis.survey_analysis import grid_edges_m
from survey.analysis.target import sample_observations, target_rssi_at_sample
from survey.project.display import is_imported
from survey.report.context import ReportContext
from survey.report.plan import PlanFlowable, PlanOptions, UncertaintyLegend, uncertainty_layer
from survey.report.sections.text import cell, fmt_dbm, fmt_error, heading, para
from survey.report.styles import table_style

#: Font size (pt) of the sample appendix's rows: the size of the other tables' cells (styles "cell").
APPENDIX_FONT_SIZE = 8
#: Their height: the cells' 10 pt leading plus the table's 2 + 2 pt padding.
APPENDIX_ROW_HEIGHT_PT = 14
#: Room (pt) the heading and the note above a survey's first appendix table take.
APPENDIX_INTRO_PT = 90


def appendix(ctx: ReportContext) -> list:
    out = [heading("Appendix: samples", "appendix")]
    surveys = [s for s in ctx.project.surveys if s.samples]
    if not surveys:
        out.append(para("No samples were taken."))
        return out
    for survey in surveys:
        backends = sorted({scan.backend for s in survey.samples for scan in s.scans})
        out.append(heading(f"Survey '{survey.name}': {len(survey.samples)} samples", f"appendix-{id(survey)}", "h2"))
        out.append(
            para(
                "Scanner used: "
                + (", ".join(backends) if backends else "unknown")
                + f". Positions in {'feet' if ctx.units == 'ft' else 'metres'} from the plan's top-left corner; "
                "times are local.",
                "small",
            )
        )
        header = [cell(h, bold=True) for h in ("#", "x", "y", "Time", "Target signal", "Scans", "Networks heard")]
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
            rows.append(
                [
                    str(i),
                    ctx.length(sample.x_m),
                    ctx.length(sample.y_m),
                    datetime.fromtimestamp(sample.taken_at).strftime("%Y-%m-%d %H:%M:%S"),
                    fmt_dbm(rssi) if rssi is not None else "not heard",
                    # An imported saved scan names its file ("file:iw (garage.txt)").
                    cell(" ".join([scans] + sources)) if sources else scans,
                    str(len(sample_observations(sample))),
                ]
            )
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
            chunk = [header] + rows[start : start + size]
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
    out = [heading("Appendix: how the maps were made", "engineer")]
    out.append(
        para(
            "For the engineer who checks this survey: the exact methods behind the numbers above. "
            "Every figure in this report, in the evsurvey window and in `evsurvey recommend` comes from "
            "this one analysis per survey.",
            "small",
        )
    )
    shown = [ctx.main.analysis]
    if ctx.comparison is not None:
        shown = [ctx.comparison.before, ctx.comparison.after]
    for a in shown:
        out.append(heading(f"Survey '{a.survey_name}'", f"engineer-{id(a)}", "h2"))
        rows = [[cell(h, bold=True) for h in ("", "Method", "Value")]]
        hm = a.heatmap
        if hm is not None:
            tried = ", ".join(
                f"{name} {rmse:.2f}"
                for name, rmse in sorted(hm.cv_rmse_db.items(), key=lambda kv: kv[1])
                if np.isfinite(rmse)
            )
            rows.append(
                [
                    cell("Signal map"),
                    cell(f"{a.map_method} ({a.map_words}), grid {ctx.length(a.grid.step_m)}"),
                    cell(fmt_error(a.map_error_db) + " leave-one-out"),
                ]
            )
            if tried:
                rows.append([cell("Candidates (cross-validated RMSE, dB)"), cell(tried), cell("")])
        m = a.model
        rows.append(
            [
                cell("Radio model"),
                cell(f"{m.source}: {m.words}"),
                cell(
                    f"EIRP {m.router_eirp_dbm:.1f} dBm, exponent {m.exponent:.2f}, "
                    + fmt_error(m.loo_rmse_db)
                    + " leave-one-out"
                ),
            ]
        )
        v = a.verdict
        for e in v.estimates:
            chosen = " (used)" if e.method == v.chosen_method else ""
            rows.append(
                [
                    cell(f"At the charger: {e.method}{chosen}"),
                    cell(e.words),
                    cell(fmt_dbm(e.rssi_dbm) + (f" ± {e.error_db:.1f} dB" if e.error_db is not None else "")),
                ]
            )
        rows.append(
            [
                cell("Verdict"),
                cell(f"minus {v.reception_offset_db:.1f} dB reception offset; confidence {v.confidence}"),
                cell(f"{v.status} {fmt_dbm(v.rssi_at_charger_dbm)}", True),
            ]
        )
        w = ctx.content_width
        table = Table(rows, colWidths=[w * 0.26, w * 0.46, w * 0.28], repeatRows=1)
        table.setStyle(table_style())
        out += [table, Spacer(1, 6)]
        confidence = a.confidence_map
        if confidence is not None:
            extent = grid_edges_m(confidence.grid)
            out.append(
                KeepTogether(
                    [
                        para(
                            "How sure the signal map is: the standard deviation of each cell's value. White is well "
                            "backed by measurements; dark means the colour there is little more than a guess.",
                            "small",
                        ),
                        PlanFlowable(
                            ctx.project,
                            [uncertainty_layer(confidence.values, extent)],
                            ctx.content_width * 0.6,
                            ctx.plan_height(0.28),
                            PlanOptions(sample_xy_m=a.sample_xy_m, show_labels=False),
                            extent_m=extent,
                        ),
                        UncertaintyLegend(ctx.content_width),
                    ]
                )
            )
    return out
