"""What every report section reads: the project, the recommendation of the survey shown, the
one the fix was chosen from, the comparison, the redactor and the page's content box."""

from __future__ import annotations

from dataclasses import dataclass

from survey.analysis.compare import SurveyComparison
from survey.analysis.recommend import Recommendation
from survey.analysis.survey_analysis import SurveyAnalysis
from survey.project.model import Project, Survey, TargetNetwork
from survey.project.units import format_length
from survey.report.redact import Redactor


@dataclass
class ReportContext:
    """What every section reads. ``main`` is the recommendation of the survey the report
    shows (the site as it is now: its verdict is the cover's); ``plan`` the one the fix was
    chosen from (the "before" survey when two are compared, else ``main``). Widths and
    heights in points."""

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

    def plan_height(self, share: float = 0.6) -> float:
        """Height (pt) of a plan drawing that takes ``share`` of the page's content height."""
        return self.content_height * share
