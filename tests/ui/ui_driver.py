"""Drive the site view like a user: clicks and drags at site-metre positions, key presses.

Import in tests as ``from ui_driver import click_site, drag_site, press_key`` (pytest puts
this folder on sys.path).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def site_point(window, x_m: float, y_m: float) -> QPoint:
    return window.view.site_to_viewport(x_m, y_m)


def click_site(
    qtbot, window, x_m: float, y_m: float, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier
):
    qtbot.mouseClick(window.view.viewport(), button, modifiers, site_point(window, x_m, y_m))


def _send(widget, kind, pos: QPoint, button, buttons):
    local = QPointF(pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag_site(qtbot, window, start_m, end_m, steps: int = 6):
    """Press at *start_m*, move in steps, release at *end_m* (left button)."""
    viewport = window.view.viewport()
    left = Qt.MouseButton.LeftButton
    a, b = site_point(window, *start_m), site_point(window, *end_m)
    _send(viewport, QEvent.Type.MouseButtonPress, a, left, left)
    for i in range(1, steps + 1):
        p = QPoint(round(a.x() + (b.x() - a.x()) * i / steps), round(a.y() + (b.y() - a.y()) * i / steps))
        _send(viewport, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, left)
        qtbot.wait(5)
    _send(viewport, QEvent.Type.MouseButtonRelease, b, left, Qt.MouseButton.NoButton)


def press_key(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier):
    """A key press where the user's focus is (the site view), so tool shortcuts and tool keys work."""
    window.view.setFocus()
    qtbot.keyClick(window.view, key, modifiers)


def hover_site(qtbot, window, x_m: float, y_m: float):
    """Move the mouse over the plan to a site position (no button held)."""
    viewport = window.view.viewport()
    _send(
        viewport, QEvent.Type.MouseMove, site_point(window, x_m, y_m), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton
    )
    qtbot.wait(20)


def choose_by_keyboard(qtbot, combo, index: int):
    """Pick item ``index`` of a combo box the way a person does without the mouse: focus it
    and press Down or Up until it is shown (emits ``activated`` like a real choice)."""
    combo.setFocus()
    key = Qt.Key.Key_Down if index > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, key)
