"""What the window shows when no project is open: start a project, open one, or try the
demo garage, instead of an empty canvas."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow


class WelcomePage(QWidget):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("welcome_page")
        self.main_window = window
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(460)
        inner = QVBoxLayout(box)
        title = QLabel("evsurvey")
        title.setStyleSheet("font-size: 26px; font-weight: 600;")
        inner.addWidget(title)
        intro = QLabel(
            "Wi-Fi site survey for EV charger installers: walk the garage, see the signal, "
            "get the verdict at the charger and where to put the fix."
        )
        intro.setWordWrap(True)
        inner.addWidget(intro)
        inner.addSpacing(12)
        choices = [
            ("New project…  (Ctrl+N)", "welcome_new", window.new_project),
            ("Open a project…  (Ctrl+O)", "welcome_open", window.open_project_dialog),
        ]
        if window.write_demo is not None:  # the app passes the demo in; a bare window has none
            choices.append(("Try the demo garage (simulated scanner)", "welcome_demo", window.open_demo))
        for text, name, slot in choices:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            inner.addWidget(button)
        inner.addSpacing(12)
        self.recent_label = QLabel("Recent projects")
        inner.addWidget(self.recent_label)
        self.recent = QListWidget()
        self.recent.setObjectName("welcome_recent")
        self.recent.setMaximumHeight(140)
        self.recent.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.recent.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent.itemActivated.connect(lambda item: window.open_project(item.data(Qt.ItemDataRole.UserRole)))
        inner.addWidget(self.recent)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def refresh(self) -> None:
        """List the recent files that still exist (QListWidget items are plain text)."""
        self.recent.clear()
        files = [p for p in self.main_window.recent_files() if Path(p).exists()]
        for path in files:
            item = QListWidgetItem(f"{Path(path).name}    {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        self.recent.setVisible(bool(files))
        self.recent_label.setVisible(bool(files))
