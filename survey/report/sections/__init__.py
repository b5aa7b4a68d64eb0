"""The report's sections: each function takes the :class:`~survey.report.context.ReportContext`
and returns the flowables of one part of the report, in the order the builder lays them out.
What they say is decided below the report (``survey.analysis``, ``survey.project``); these
modules lay it out."""

from survey.report.sections.appendix import appendix, engineer_appendix
from survey.report.sections.channels import channels
from survey.report.sections.cover import cover, summary
from survey.report.sections.maps import before_after, link_maps, predicted_map, signal_map
from survey.report.sections.network import checklist, network_checks, troubleshooting
from survey.report.sections.recommendation import findings

__all__ = [
    "appendix",
    "before_after",
    "channels",
    "checklist",
    "cover",
    "engineer_appendix",
    "findings",
    "link_maps",
    "network_checks",
    "predicted_map",
    "signal_map",
    "summary",
    "troubleshooting",
]
