"""What the installers promise inside the app: About shows the package version; a scan that
Windows refuses for lack of Location consent offers to open the Settings page that grants it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from survey import __version__
from survey.demo import build_demo_project
from survey.scan.base import WINDOWS_LOCATION_MESSAGE, LocationPermissionDenied
from survey.ui.compose import Feature

FEATURES = {Feature.SURVEY}


class RefusedScanner:
    """A Windows backend on 24H2 without Location consent."""

    name = "refused-fake"

    def scan(self, timeout_s=20.0):
        raise LocationPermissionDenied(WINDOWS_LOCATION_MESSAGE)


@pytest.fixture
def survey_window(make_window, tmp_path):
    path = tmp_path / "demo.evsurvey"
    build_demo_project(path).close()
    window = make_window(features=FEATURES, scanner_name="simulated")
    window.session.open(path)
    window.view.fit_to_site()
    window.activate_tool("survey")
    yield window
    window.survey.controller.cancel()


@pytest.fixture
def opened_urls(monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toString()) or True)
    return urls


def _press_button_of_the_box(qtbot, monkeypatch, text: str, seen: list[QMessageBox]):
    """QMessageBox.exec shows the box and a mouse click on the button named ``text`` closes it."""

    def exec_(box):
        seen.append(box)
        box.show()
        qtbot.waitExposed(box)
        (button,) = [b for b in box.buttons() if b.text() == text]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)


def test_about_shows_the_package_version(qtbot, window, message_boxes):
    # Help menu by keyboard, as a person would: Alt+H opens it, A picks "About evsurvey".
    def pick_about():
        menu = QApplication.activePopupWidget()
        assert menu is window.help_menu
        qtbot.keyClick(menu, Qt.Key.Key_A)

    QTimer.singleShot(200, pick_about)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=3000)
    title, text = message_boxes[-1]
    assert title == "About evsurvey"
    assert text.startswith(f"evsurvey {__version__}\n")
    assert __version__ not in ("", "0.0.0+source")  # the installed package's metadata, not a fallback


def test_location_refusal_offers_the_settings_page_and_opens_it(qtbot, survey_window, monkeypatch, opened_urls):
    seen: list[QMessageBox] = []
    _press_button_of_the_box(qtbot, monkeypatch, "Open Location settings", seen)
    controller = survey_window.survey.controller
    controller.set_scanner(RefusedScanner())
    pos = survey_window.view.site_to_viewport(3.0, 3.0)
    qtbot.mouseClick(survey_window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    (box,) = seen
    assert box.windowTitle() == "Wi-Fi scanning needs Location"
    assert "Let desktop apps access your location" in box.text()
    assert opened_urls == ["ms-settings:privacy-location"]
    assert "Scan failed, nothing saved" in survey_window.statusBar().currentMessage()
    assert not survey_window.session.project.active_survey.samples


def test_closing_the_location_box_opens_nothing(qtbot, survey_window, monkeypatch, opened_urls):
    seen: list[QMessageBox] = []
    _press_button_of_the_box(qtbot, monkeypatch, "Close", seen)
    survey_window.survey.controller.set_scanner(RefusedScanner())
    pos = survey_window.view.site_to_viewport(3.0, 3.0)
    qtbot.mouseClick(survey_window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert opened_urls == []
