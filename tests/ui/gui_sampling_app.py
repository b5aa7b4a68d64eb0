"""Not collected by the suite: run by tests/ui/test_session_kill_gui.py in a subprocess,
which kills it. The real window samples through pytest-qt clicks with the survey tool and
prints "saved ID" each time the survey panel reports a sample saved."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from ui_driver import click_site

from survey.scan.simulated import SimulatedScanner
from survey.ui.compose import Feature, install_features
from survey.ui.main_window import MainWindow

# Spots on the demo garage's plan (site metres), half a metre apart.
POINTS = [(2.0 + 0.5 * (i % 8), 2.0 + 0.5 * (i // 8 % 6)) for i in range(48)]


def test_sample_until_killed(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, scanner_name="simulated")
    install_features(window, {Feature.SURVEY})
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_project(os.environ["EVSURVEY_KILL_PROJECT"])
    window.view.fit_to_site()
    controller = window.survey.controller
    controller.set_scanner(SimulatedScanner(window.session.project, delay_s=0.0))
    controller.sampleAdded.connect(lambda sample_id: print("saved", sample_id, flush=True))
    window.activate_tool("survey")
    for n in range(100_000):  # until the test that started this kills it
        survey = window.session.project.active_survey
        count = len(survey.samples) if survey else 0
        click_site(qtbot, window, *POINTS[n % len(POINTS)])
        qtbot.waitUntil(
            lambda count=count: (
                not controller.runner.busy
                and window.session.project.active_survey is not None
                and len(window.session.project.active_survey.samples) == count + 1
            ),
            timeout=10_000,
        )
