"""The main window's features, built in order, each given the objects it works with.

``install_features(window)`` is the one place that says what the window is made of: the
Site panel, the survey walk, the Analysis panel, the Compare dock, File -> Export PDF,
saved scans dropped on the plan, the link test at each point, the internet-path checks and
the Help entries. Each feature's ``install`` gets the window's hooks (``session``, ``view``,
``add_side_panel``, ``add_tool``, the menus) and the features it builds on as parameters,
and returns what it built; this module keeps it in the window's typed attribute.

Importing this module imports every feature (scipy, the analysis code: ~1.5 s), so
``run_gui`` imports it in a background thread after the first paint
(:meth:`survey.ui.main_window.MainWindow.install_after_shown`).
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import TYPE_CHECKING

# In the order they are built, not sorted: they are imported in the background while the
# window paints for the first time, the light Site panel first and the scipy of the Analysis
# panel later, as the old list of names had them (sorted, the first paint looked ~0.1 s
# later in 12 interleaved `evsurvey demo` launches; in this order it matches the old one).
from survey.ui import (  # isort: skip
    site_panel,
    survey_panel,
    analysis_panel,
    compare_view,
    export_pdf,
    scan_drop,
    linktest_option,
    netcheck_panel,
    help,
)

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow


class Feature(enum.Enum):
    """A part of the window that can be left out (tests build windows with only what they need)."""

    SITE = "site"
    SURVEY = "survey"
    ANALYSIS = "analysis"
    COMPARE = "compare"
    EXPORT_PDF = "export_pdf"
    SCAN_DROP = "scan_drop"  # needs SURVEY
    LINK_TEST = "link_test"  # needs SURVEY
    NETCHECK = "netcheck"  # needs ANALYSIS
    HELP = "help"


ALL_FEATURES: frozenset[Feature] = frozenset(Feature)


def install_features(window: MainWindow, features: Collection[Feature] = ALL_FEATURES) -> None:
    """Build *features* onto *window*, in this order (a feature comes after those it builds on).

    A feature that fails is left None (the window names it in the status bar) and so are the
    features that build on it; the rest of the window still works.
    """
    if Feature.SITE in features:
        window.site_panel = window.add_feature(site_panel.__name__, lambda: site_panel.install(window))
    if Feature.SURVEY in features:
        window.survey = window.add_feature(survey_panel.__name__, lambda: survey_panel.install(window))
    survey = window.survey
    if Feature.ANALYSIS in features:
        # The panel hides the live survey map while it previews an option's map.
        overlay = survey.overlay if survey is not None else None
        window.analysis_panel = window.add_feature(
            analysis_panel.__name__, lambda: analysis_panel.install(window, overlay)
        )
    if Feature.COMPARE in features:
        compare = window.add_feature(compare_view.__name__, lambda: compare_view.install(window))
        if compare is not None:
            window.compare_view, window.compare_dock = compare
    if Feature.EXPORT_PDF in features:
        window.pdf_export = window.add_feature(export_pdf.__name__, lambda: export_pdf.install(window))
    if survey is not None and Feature.SCAN_DROP in features:
        window.scan_drop = window.add_feature(scan_drop.__name__, lambda: scan_drop.install(window, survey))
    if survey is not None and Feature.LINK_TEST in features:
        window.linktest = window.add_feature(linktest_option.__name__, lambda: linktest_option.install(window, survey))
    analysis = window.analysis_panel
    if analysis is not None and Feature.NETCHECK in features:
        window.netcheck = window.add_feature(netcheck_panel.__name__, lambda: netcheck_panel.install(window, analysis))
    if Feature.HELP in features:
        actions = window.add_feature(help.__name__, lambda: help.install(window))
        if actions is not None:
            window.guide_action, window.shortcuts_action = actions
