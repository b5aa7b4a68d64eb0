"""Help menu: the keyboard shortcuts (read from the window's own actions, so the list is
never out of date) and a short guide to a survey, start to PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow

#: Keys a tool answers itself (not menu actions): what they do, in the tools' own words.
TOOL_KEYS = (
    ("Space", "Survey tool: take a sample where the cursor is"),
    ("Enter", "Survey tool, continuous walk: finish the walk"),
    ("Esc", "End a wall chain, cancel a scan, a calibration or the garage placement; clear the selection"),
    ("Del / Backspace", "Select tool: delete the selected wall, device or sample"),
    ("Alt (held)", "Wall tool: draw at any angle (no 15° snapping)"),
    ("Mouse wheel / drag on empty plan", "Zoom / pan the plan"),
)

GUIDE = """\
1. New project (Ctrl+N): customer, address, charger model, metres or feet.
2. The plan: Site → Import floorplan (Ctrl+I: an image, a PDF page or a DXF), then Calibrate \
scale (K): click both ends of a dimension you know and type its length. No plan? Site → \
Garage builder (Ctrl+G) draws a garage from its size.
3. Walls: the Wall tool (W); click each corner, Esc ends the chain. Pick the material in the \
tool bar first; a click on an existing corner joins it.
4. Devices: Router (R) where the router is, Charger (C) where the charger will be mounted, \
Mesh node (M) or Access point (A) if there is one.
5. Survey: the Survey tool (S). Stand still, click where you stand (or press Space at the \
cursor) and wait for the ring; one sample every metre or two through the garage, and several \
at the charger point. A sample in the wrong place: Select tool (V), drag it, or Del.
6. Read it: the Survey panel shows the verdict at the charger (GOOD at -65 dBm or better, \
packet loss below -75 dBm); the Live map switches between the target network, how sure the \
map is, the strongest signal, co-channel networks and the wall model. The Analysis panel says \
where the fix goes.
7. After the fix: "New phase..." in the Survey panel, name it After, survey again; then \
View → Compare surveys.
8. File → Export PDF (Ctrl+E) for the customer.
"""


def shortcut_rows(window: MainWindow) -> list[tuple[str, str]]:
    """(keys, what they do) of every action of the window that has a shortcut, then the keys
    the tools answer themselves."""
    rows, seen = [], set()
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        # Qt adds media keys to some standard bindings ("Redo", "Close"): not on a laptop.
        keys = [k for k in keys if not (k.isalpha() and len(k) > 3)]
        text = action.text().replace("&", "").rstrip(".…").strip()
        if not keys or not text or (text, keys[0]) in seen:
            continue
        seen.add((text, keys[0]))
        rows.append((", ".join(keys), text))
    rows.sort(key=lambda row: row[1].casefold())
    return rows + list(TOOL_KEYS)


def show_shortcuts(window: MainWindow) -> QDialog:
    dialog = QDialog(window)
    dialog.setWindowTitle("Keyboard shortcuts")
    rows = shortcut_rows(window)
    table = QTableWidget(len(rows), 2, dialog)
    table.setObjectName("shortcut_table")
    table.setHorizontalHeaderLabels(["Keys", "What it does"])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for row, (keys, text) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(keys))
        table.setItem(row, 1, QTableWidgetItem(text))
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    _finish(dialog, table, 560, 520)
    return dialog


def show_guide(window: MainWindow) -> QDialog:
    dialog = QDialog(window)
    dialog.setWindowTitle("A survey, start to PDF")
    text = QLabel(GUIDE, dialog)
    text.setObjectName("guide_text")
    text.setTextFormat(Qt.TextFormat.PlainText)
    text.setWordWrap(True)
    _finish(dialog, text, 560, 480)
    return dialog


def _finish(dialog: QDialog, body, width: int, height: int) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body, 1)
    layout.addWidget(buttons)
    # Never taller than the screen it opens on (a 1366 x 768 laptop).
    screen = dialog.screen().availableGeometry() if dialog.screen() is not None else None
    if screen is not None:
        width, height = min(width, screen.width() - 40), min(height, screen.height() - 80)
    dialog.resize(width, height)
    dialog.show()


def install(window: MainWindow) -> tuple[QAction, QAction]:
    """Put the guide and the shortcut list at the top of the Help menu; returns their actions."""
    menu = window.help_menu
    first = menu.actions()[0] if menu.actions() else None
    guide = QAction("&Quick guide", window)
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    guide.triggered.connect(lambda: show_guide(window))
    keys = QAction("&Keyboard shortcuts", window)
    keys.triggered.connect(lambda: show_shortcuts(window))
    for action in (guide, keys):
        if first is None:
            menu.addAction(action)
        else:
            menu.insertAction(first, action)
    return guide, keys
