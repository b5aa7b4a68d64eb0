"""Fixtures that open the real main window and drive it like a user (site metres -> clicks)."""

from __future__ import annotations

import datetime as _dt

import pytest
from PySide6.QtCore import Qt

from survey.project.model import Site
from survey.ui import dialogs


@pytest.fixture(autouse=True)
def _isolated_qsettings(_isolated_user_dirs):
    """A default-constructed QSettings (what the app uses) writes under the test's folder."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(_isolated_user_dirs / "qsettings"))


@pytest.fixture
def qsettings(tmp_path):
    """A QSettings in an INI file of its own, so tests never touch the real settings."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, qsettings):
    """A factory of main windows sharing one isolated QSettings (so reopening can be tested),
    composed as the app composes them: every feature (or *features*), the demo from the top."""
    from survey.demo import write_gui_demo
    from survey.ui.compose import ALL_FEATURES, install_features
    from survey.ui.main_window import MainWindow

    def make(features=ALL_FEATURES, **kwargs):
        kwargs.setdefault("write_demo", write_gui_demo)
        window = MainWindow(settings=qsettings, **kwargs)
        install_features(window, features)
        qtbot.addWidget(window)
        if window.settings.value("window/geometry") is None:
            window.resize(1100, 760)
        window.show()
        qtbot.waitExposed(window)
        # Menu shortcuts (Ctrl+N, W, C...) only fire in the active window.
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def new_project(window, qtbot, tmp_path, monkeypatch):
    """Create a project through File → New (Ctrl+N) with the dialogs answered; returns its path."""
    path = tmp_path / "garage.evsurvey"
    values = dialogs.NewProjectValues(
        site=Site(
            customer="Ada Lovelace",
            address="1 Analytical St",
            installer="Sparky Ltd",
            survey_date=_dt.date.today().isoformat(),
        ),
        units="m",
        charger_profile_id="generic_iot",
    )
    monkeypatch.setattr(dialogs, "ask_new_project", lambda *a, **k: values)
    monkeypatch.setattr(dialogs, "ask_save_project_path", lambda *a, **k: str(path))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.session.is_open
    return path


@pytest.fixture(autouse=True)
def message_boxes(monkeypatch):
    """Every message box is recorded and answered at once: a modal box nobody clicks would
    hang the whole run (as one did when a test's own patch missed a code path)."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def answer(box):
        shown.append((box.windowTitle(), box.text()))
        return int(QMessageBox.StandardButton.Ok.value)

    def answer_static(default):
        def static(parent, title, text, *args, **kwargs):
            shown.append((title, text))
            return default

        return static

    monkeypatch.setattr(QMessageBox, "exec", answer)
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, answer_static(QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "question", answer_static(QMessageBox.StandardButton.Yes))
    return shown
