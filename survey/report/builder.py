"""Project -> PDF: the report the installer hands to the customer.

Sections (their headings are stable; tests look for them):
cover, "Summary", "Signal map", "Predicted signal map" (when the wall model is calibrated),
"2.4 GHz channels", "Findings and recommendation", "Before and after" (two surveys),
"Network checklist", "Troubleshooting", "Appendix: samples", "Appendix: how the maps were made".

All text from the project (customer, labels, SSIDs, notes) is untrusted and goes through
:func:`survey.report.fonts.safe_markup` / :func:`~survey.report.fonts.draw_string`.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    PageBreak,
    PageTemplate,
)

from survey.analysis.compare import SurveyComparison, compare_analyses, pick_before_after
from survey.analysis.recommend import recommend
from survey.analysis.survey_analysis import ANALYSIS_STEP_M, FitCache, analyse_survey, analysis_grid, pick_survey
from survey.analysis.target import survey_observations
from survey.errors import EvSurveyError, UserInputError
from survey.project.model import Project, Survey
from survey.report import sections
from survey.report.context import ReportContext
from survey.report.fonts import BODY_FONT, bounded_text, draw_string, register_fonts, truncate
from survey.report.plan import report_plan_image
from survey.report.redact import Redactor

log = logging.getLogger(__name__)

PAPER_SIZES = {"A4": A4, "LETTER": letter}
MARGIN = 16 * mm


class ReportError(EvSurveyError):
    """The report could not be written."""


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote: the path, page count, section headings, seconds taken,
    the comparison it printed (None without two surveys), and warnings about what the
    project holds but the report had to leave out (a plan image that cannot be decoded)."""

    path: Path
    pages: int
    sections: tuple[str, ...]
    seconds: float
    comparison: SurveyComparison | None = None
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "pages": self.pages,
            "sections": list(self.sections),
            "seconds": round(self.seconds, 3),
            "comparison": self.comparison.as_dict() if self.comparison is not None else None,
            "warnings": list(self.warnings),
        }


def _resolve_survey(project: Project, survey) -> Survey | None:
    if isinstance(survey, Survey):
        return survey
    return pick_survey(project, None if survey is None else str(survey))


class _Doc(BaseDocTemplate):
    """Records the section headings it lays out (for the result and the PDF outline)."""

    def __init__(self, filename, project: Project, **kw):
        super().__init__(filename, **kw)
        self.project = project
        self.section_titles: list[str] = []

    def afterFlowable(self, flowable):
        key = getattr(flowable, "_section_key", None)
        if key:
            self.section_titles.append(flowable._section_title)
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable._section_title, key, level=0)


def _footer(canvas, doc) -> None:
    from survey import __version__

    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#777777"))
    width, _ = doc.pagesize
    site = doc.project.site
    # The version is the installed package's (survey.__version__, from pyproject via
    # importlib.metadata), so a report names the build that computed it.
    left = f"evsurvey {__version__} Wi-Fi survey"
    if site.customer:
        left += " · " + truncate(site.customer, 7, width / 2)
    draw_string(canvas, MARGIN, 9 * mm, left, 7)
    draw_string(canvas, width - MARGIN, 9 * mm, f"page {doc.page}", 7, anchor="end")
    canvas.restoreState()


def build_report(
    project: Project,
    out_path,
    *,
    paper: str = "A4",
    redact_neighbors: bool = False,
    survey=None,
    compare: tuple | None = None,
    step_m: float = ANALYSIS_STEP_M,
) -> ReportResult:
    """Write the PDF report of ``project`` to ``out_path``.

    ``survey``: the survey (or its name) the signal map and the cover verdict show; default
    the latest survey with samples (never the one last viewed in the GUI). ``compare``:
    (before, after) surveys or names; default the first and last survey with samples when
    there are two or more. ``paper``: "A4" or "Letter". Units follow ``project.units``. The
    file is written to a temporary name beside ``out_path`` and renamed, so a failed run
    never leaves half a PDF behind; it gets the user's normal file mode (0666 less the
    umask), like any file the user saves.
    """
    started = time.perf_counter()
    pagesize = PAPER_SIZES.get(str(paper).upper())
    if pagesize is None:
        raise UserInputError(f"Paper size {paper!r} is not supported; use A4 or Letter.")
    register_fonts()
    out_path = Path(out_path)
    tmp_path = _reserve_file_beside(out_path)  # before the work: a folder we cannot write fails at once
    try:
        return _build(
            project,
            out_path,
            tmp_path,
            pagesize,
            started,
            redact_neighbors=redact_neighbors,
            survey=survey,
            compare=compare,
            step_m=step_m,
        )
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _build(
    project: Project,
    out_path: Path,
    tmp_path: Path,
    pagesize,
    started: float,
    *,
    redact_neighbors: bool,
    survey,
    compare,
    step_m: float,
) -> ReportResult:
    # What the report shows follows from the project and the arguments only, never from the
    # survey last viewed in the GUI: by default the first and the last survey with samples
    # are compared and the last one is the site as it is now.
    pair: tuple[Survey | None, ...] | None  # (before, after)
    if compare is not None:
        pair = tuple(_resolve_survey(project, s) for s in compare)
    else:
        pair = pick_before_after(project)
    main_survey = _resolve_survey(project, survey if survey is not None else (pair[1] if pair else None))

    cache = FitCache()
    grid = analysis_grid(project, step_m)
    main = recommend(project, analysis=analyse_survey(project, main_survey, grid=grid, cache=cache))
    comparison = None
    plan = main
    if pair is not None:
        before = main.analysis if pair[0] is main_survey else analyse_survey(project, pair[0], grid=grid, cache=cache)
        after = main.analysis if pair[1] is main_survey else analyse_survey(project, pair[1], grid=grid, cache=cache)
        try:
            comparison = compare_analyses(before, after)
        except UserInputError as exc:
            if compare is not None:
                raise
            log.info("before/after left out of the report: %s", exc)
        if comparison is not None:
            # The ladder is the one the fix was chosen from: the "before" survey's.
            plan = main if before is main.analysis else recommend(project, analysis=before)

    target = main.analysis.target.network
    redactor = Redactor(target, enabled=redact_neighbors)
    for s in project.surveys:
        redactor.note_own(survey_observations(s))

    ctx = ReportContext(
        project=project,
        main=main,
        plan=plan,
        comparison=comparison,
        redactor=redactor,
        content_width=pagesize[0] - 2 * MARGIN,
        content_height=pagesize[1] - 2 * MARGIN - 10 * mm,
    )

    story = []
    story += sections.cover(ctx)
    story.append(PageBreak())
    story += sections.summary(ctx)
    story.append(PageBreak())
    story += sections.signal_map(ctx)
    story += sections.link_maps(ctx)
    story += sections.predicted_map(ctx)
    story.append(CondPageBreak(ctx.content_height * 0.45))
    story += sections.channels(ctx)
    story.append(PageBreak())
    story += sections.findings(ctx)
    if comparison is not None:
        story.append(PageBreak())
        story += sections.before_after(ctx)
    story.append(PageBreak())
    story += sections.checklist(ctx)
    story += sections.network_checks(ctx)
    story += sections.troubleshooting(ctx)
    story.append(PageBreak())
    story += sections.appendix(ctx)
    story.append(PageBreak())
    story += sections.engineer_appendix(ctx)

    try:
        doc = _Doc(
            str(tmp_path),
            project,
            pagesize=pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=_title(project),
            author=project.site.installer or "evsurvey",
            subject="Wi-Fi survey for an EV charger",
            creator="evsurvey",
            initialFontName=BODY_FONT,
            initialFontSize=9,
        )  # no unembedded Helvetica
        frame = Frame(MARGIN, MARGIN + 6 * mm, pagesize[0] - 2 * MARGIN, pagesize[1] - 2 * MARGIN - 6 * mm, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_footer)])
        doc.build(story)
        os.replace(tmp_path, out_path)
    except OSError as exc:
        raise _write_error(out_path, exc) from None
    seconds = time.perf_counter() - started
    log.info("report written to %s: %d pages in %.2f s", out_path, doc.page, seconds)
    fp = project.floorplan
    warnings = (report_plan_image(fp).problem,) if fp is not None and fp.image else ()
    return ReportResult(
        out_path, doc.page, tuple(doc.section_titles), seconds, comparison, tuple(w for w in warnings if w)
    )


#: errno values that mean the output path itself is wrong (bad input, exit 2); any other
#: OSError (permission, read-only file system, disk full) is a failure to write (exit 1).
_BAD_PATH_ERRNOS = {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EINVAL, errno.ELOOP}


def _write_error(out_path: Path, exc: OSError) -> EvSurveyError:
    """A plain message for an OSError met while writing the report."""
    reason = exc.strerror or str(exc)
    if exc.errno in _BAD_PATH_ERRNOS:
        return UserInputError(
            f"Cannot write the report to {out_path}: {reason}. Choose another output path, "
            "such as report.pdf in an existing folder."
        )
    return ReportError(
        f"Could not write the report to {out_path}: {reason}. Choose a folder you can write to "
        "(the file must not be open in a PDF viewer), or free some disk space."
    )


def _reserve_file_beside(out_path: Path) -> Path:
    """Create an empty file with a fresh name in ``out_path``'s folder and return its path.

    ``os.open`` with mode 0o666 lets the umask decide the permissions (``tempfile.mkstemp``
    would make the report 0600, unreadable to the rest of the user's group); O_EXCL keeps
    the name ours. reportlab later opens the path with "wb", which keeps the mode.
    """
    if out_path.is_dir():
        raise UserInputError(f"{out_path} is a folder; give the report a file name, such as {out_path / 'report.pdf'}.")
    folder = out_path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UserInputError(f"The folder {folder} {what}; create it or choose another output path.")
    for _attempt in range(16):
        candidate = folder / f".{out_path.name}.{secrets.token_hex(4)}.part"
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _write_error(out_path, exc) from None
        os.close(fd)
        return candidate
    raise ReportError(f"Could not create a temporary file in {folder}; remove old .part files there and try again.")


def _title(project: Project) -> str:
    customer = bounded_text(project.site.customer).strip()
    return f"Wi-Fi survey for the EV charger – {customer}" if customer else "Wi-Fi survey for the EV charger"
