"""Channel views of one sample: the 2.4 GHz occupancy chart, the sortable BSS table and the
"Channels" side panel that shows them for the selected sample.

SSIDs are untrusted text (anyone can broadcast ``<font size=80>``): every place here
shows them through plain-text paths only (``QStandardItem`` display data, pyqtgraph
``TextItem`` which calls ``setPlainText``), after the one display rule
(:func:`survey.project.display.display_ssid`) has escaped invisible and bidi characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from survey.analysis.target import project_target, sample_observations
from survey.project import display
from survey.project.model import Observation, TargetNetwork
from survey.rf.channels import CCA_THRESHOLD_DBM, channel_occupancy, is_24ghz, observation_band, observation_channel

if TYPE_CHECKING:
    from survey.ui.survey_controller import SurveyController

#: Half-width of a drawn 2.4 GHz channel: 802.11b DSSS occupies 22 MHz (IEEE 802.11-2020
#: 15.4.5.5), i.e. +-11 MHz = +-2.2 channel steps of 5 MHz.
HALF_WIDTH_CHANNELS = 2.2
#: Floor of the chart's y axis (dBm): below the noise floor of 2.4 GHz client radios.
CHART_FLOOR_DBM = -100.0
#: Characters of an SSID shown on the chart (the table shows it whole).
MAX_CHART_LABEL = 14
#: Channels shown: 1-13 and room for the channel masks at both ends.
X_RANGE = (-1.0, 15.0)

TARGET_PEN = pg.mkPen(QColor(20, 90, 200), width=3.5)
OTHER_COLOURS = [(150, 150, 150), (120, 120, 160), (160, 120, 120), (120, 150, 120), (170, 140, 90), (140, 110, 170)]


def display_ssid(obs: Observation) -> str:
    """The SSID as literal, printable text; hidden networks are named as such."""
    return display.display_ssid(obs.ssid, obs.ssid_raw)


def observation_channel_24(obs: Observation) -> float | None:
    """The 2.4 GHz channel as a float (its centre) or None for other bands."""
    if not is_24ghz(obs):
        return None
    ch = observation_channel(obs)
    return float(ch) if ch else None


def bss_load_text(obs: Observation) -> str:
    """BSS Load element as text ("24 % busy, 5 stations"), or "" when not advertised."""
    parts = []
    if obs.channel_utilization_pct is not None:
        parts.append(f"{obs.channel_utilization_pct:.0f} % busy")
    if obs.station_count is not None:
        parts.append(f"{obs.station_count} station{'s' if obs.station_count != 1 else ''}")
    return ", ".join(parts)


class ChannelChart(pg.PlotWidget):
    """One curve per 2.4 GHz BSS over channels 1-13; the target network drawn bold and blue.

    Each BSS is a trapezoid as wide as its channel mask with its height at the RSSI; the
    dashed line is the -82 dBm clear-channel threshold (co-channel contention above it).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent, background="w")
        self.setMinimumHeight(180)
        item = self.getPlotItem()
        item.setLabel("bottom", "2.4 GHz channel")
        item.setLabel("left", "RSSI (dBm)")
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setXRange(*X_RANGE, padding=0)
        item.setYRange(CHART_FLOOR_DBM, -20, padding=0)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.getAxis("bottom").setTicks([[(c, str(c)) for c in range(1, 14)]])
        self._static = [
            pg.InfiniteLine(
                pos=CCA_THRESHOLD_DBM, angle=0, pen=pg.mkPen((200, 60, 60), width=1, style=Qt.PenStyle.DashLine)
            )
        ]
        for line in self._static:
            item.addItem(line)
        self._items: list[tuple[pg.PlotDataItem, pg.TextItem]] = []
        self._label_boxes: list[tuple[pg.TextItem, float, float, float, float]] = []
        self._y_top = -20.0
        self.curve_count = 0
        self.target_curve_count = 0
        self.labels: list[str] = []

    def _scale_px(self) -> tuple[float, float]:
        """(pixels per channel, pixels per dB) of the plot area now; a side-panel guess before
        the chart is first laid out."""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = X_RANGE, (CHART_FLOOR_DBM, self._y_top)
        width, height = vb.width(), vb.height()
        if width < 50 or height < 50:
            width, height = 300.0, 200.0
        return width / (x1 - x0), height / (y1 - y0)

    def _layout_labels(self, passes: int = 3) -> None:
        """Place the labels where they overlap neither each other nor the chart's edges.

        Sizes come from the font and the chart's current size in pixels, so a narrow side
        panel lifts labels into more rows instead of printing names over each other; the
        target is placed first so it keeps the spot on its own curve.
        """
        px_ch, px_db = self._scale_px()
        placed: list[tuple[float, float, float, float]] = []  # x0, x1, y0, y1 in channels / dB
        top = -20.0
        for text, ch, rssi, width_px, height_px in self._label_boxes:
            w, h = (width_px + 2) / px_ch, (height_px + 1) / px_db
            x = min(max(ch, X_RANGE[0] + w / 2), X_RANGE[1] - w / 2)  # inside the plot
            y = rssi + 0.5
            while any(x - w / 2 < b[1] and x + w / 2 > b[0] and y < b[3] and y + h > b[2] for b in placed):
                y = (
                    min(b[3] for b in placed if x - w / 2 < b[1] and x + w / 2 > b[0] and y < b[3] and y + h > b[2])
                    + 0.1
                )
            placed.append((x - w / 2, x + w / 2, y, y + h))
            text.setPos(x, y)
            top = max(top, y + h)
        if top + 1.0 > self._y_top + 0.5 and passes > 1:
            # Grow the axis so the highest label stays on the chart, then place again at the
            # new scale (a taller axis makes labels shorter in dB: it settles in a pass or two).
            self._y_top = top + 1.0
            self.getPlotItem().setYRange(CHART_FLOOR_DBM, self._y_top, padding=0)
            self._layout_labels(passes - 1)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if getattr(self, "_label_boxes", None) and self.getPlotItem() is not None:
            self._y_top = -20.0
            self.getPlotItem().setYRange(CHART_FLOOR_DBM, self._y_top, padding=0)
            self._layout_labels()

    def _pooled(self, index: int):
        """(curve, label) number ``index``, created on first use and then reused: items
        removed from a scene would be left to Python's garbage collector, which may run
        after Qt has shut down."""
        item = self.getPlotItem()
        while len(self._items) <= index:
            curve = pg.PlotDataItem(fillLevel=CHART_FLOOR_DBM)
            # TextItem(text=...) renders through QGraphicsTextItem.setPlainText: no markup.
            text = pg.TextItem(text="", anchor=(0.5, 1.0))
            item.addItem(curve)
            item.addItem(text)
            self._items.append((curve, text))
        return self._items[index]

    def set_observations(self, observations: Iterable[Observation], target: TargetNetwork | None) -> None:
        item = self.getPlotItem()
        self.labels = []
        heard = []
        for obs in observations:
            ch = observation_channel_24(obs)
            if ch is None or obs.rssi_dbm is None:
                continue
            heard.append((ch, float(obs.rssi_dbm), obs, bool(target and target.matches(obs))))
        # Targets last so they are drawn on top of the neighbours.
        heard.sort(key=lambda h: (h[3], h[1]))
        self.curve_count = len(heard)
        self.target_curve_count = sum(1 for h in heard if h[3])
        bold, normal = QFont(), QFont()
        bold.setBold(True)
        boxes = []
        for i, (ch, rssi, obs, is_target) in enumerate(heard):
            curve, text = self._pooled(i)
            xs = np.array([ch - HALF_WIDTH_CHANNELS, ch - 1.0, ch + 1.0, ch + HALF_WIDTH_CHANNELS])
            ys = np.array([CHART_FLOOR_DBM, rssi, rssi, CHART_FLOOR_DBM])
            if is_target:
                pen = TARGET_PEN
                brush = pg.mkBrush(20, 90, 200, 60)
            else:
                colour = OTHER_COLOURS[i % len(OTHER_COLOURS)]
                pen = pg.mkPen(colour, width=1.5)
                brush = pg.mkBrush(*colour, 25)
            curve.setData(xs, ys)
            curve.setPen(pen)
            curve.setBrush(brush)
            curve.setZValue(2 if is_target else 1)
            curve.setVisible(True)
            load = bss_load_text(obs)
            name = display_ssid(obs)
            self.labels.append(name + (f"  [{load}]" if load else ""))
            # On the chart: names cut short (the table has them whole, with every BSS Load);
            # the target's BSS Load on its own line, the neighbours' only in the table.
            short = name if len(name) <= MAX_CHART_LABEL else name[: MAX_CHART_LABEL - 1] + "…"
            lines = [short] + ([load] if load and is_target else [])
            font = bold if is_target else normal
            text.setText("\n".join(lines), color=(20, 60, 160) if is_target else (70, 70, 70))
            text.setFont(font)
            text.setZValue(3 if is_target else 2)
            text.setVisible(True)
            # TextItem ignores the view's scale: its box is in screen pixels, margins included.
            size = text.textItem.boundingRect()
            boxes.append((is_target, rssi, (text, ch, rssi, size.width(), size.height())))
        for curve, text in self._items[len(heard) :]:
            curve.setVisible(False)
            text.setVisible(False)
        # Targets first, then the strongest: they get the places nearest their curves.
        boxes.sort(key=lambda b: (not b[0], -b[1]))
        self._label_boxes = [b[2] for b in boxes]
        self._y_top = -20.0
        item.setYRange(CHART_FLOOR_DBM, self._y_top, padding=0)
        self._layout_labels()
        occupancy = channel_occupancy(o for _, _, o, _ in heard)
        busy = [
            f"ch {occ.channel}: {occ.cochannel_strong_count}" for occ in occupancy if occ.cochannel_strong_count > 1
        ]
        self.summary = (
            ("BSSs sharing a channel at >= -82 dBm: " + ", ".join(busy))
            if busy
            else "No channel is shared by two BSSs heard at >= -82 dBm here."
        )


BSS_COLUMNS = ("SSID", "BSSID", "RSSI (dBm)", "Channel", "Band", "Security", "WPS", "Stations", "Busy (%)", "Target")


class BssTableModel(QStandardItemModel):
    """The BSSs heard at one sample, one row each; numbers sort as numbers."""

    def __init__(self, parent=None):
        super().__init__(0, len(BSS_COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(BSS_COLUMNS))

    @staticmethod
    def _item(value, text: str | None = None) -> QStandardItem:
        item = QStandardItem()
        item.setEditable(False)
        # Numbers as display data sort numerically; text is plain text in QStandardItem
        # (views never interpret DisplayRole strings as HTML).
        if value is None:
            item.setData("", Qt.ItemDataRole.DisplayRole)
        elif text is not None:
            item.setData(text, Qt.ItemDataRole.DisplayRole)
        else:
            item.setData(value, Qt.ItemDataRole.DisplayRole)
        return item

    def set_observations(self, observations: Sequence[Observation], target: TargetNetwork | None) -> None:
        self.removeRows(0, self.rowCount())
        for obs in observations:
            is_target = bool(target and target.matches(obs))
            rssi = None if obs.rssi_dbm is None else round(float(obs.rssi_dbm), 1)
            row = [
                self._item(display_ssid(obs)),
                self._item(obs.bssid or "(hidden by the OS)"),
                self._item(rssi),
                self._item(obs.channel),
                self._item(observation_band(obs) and f"{observation_band(obs)} GHz"),
                self._item(" / ".join(obs.auth) or None),
                self._item(None if obs.wps is None else ("yes" if obs.wps else "no")),
                self._item(obs.station_count),
                self._item(None if obs.channel_utilization_pct is None else round(obs.channel_utilization_pct)),
                self._item("target" if is_target else ""),
            ]
            if is_target:
                for cell in row:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
            self.appendRow(row)


class BssTable(QWidget):
    """A caption and the sortable table of the BSSs at the selected sample."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel("No sample selected", self)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.model = BssTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setMinimumWidth(120)
        self.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)

    def set_observations(self, observations: Sequence[Observation], target: TargetNetwork | None, caption: str) -> None:
        self.caption.setText(caption)
        self.view.setSortingEnabled(False)
        self.model.set_observations(observations, target)
        self.view.resizeColumnsToContents()
        self.view.setSortingEnabled(True)
        header = self.view.horizontalHeader()
        self.view.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())


class ChannelsPanel(QWidget):
    """Occupancy chart and BSS table of the selected (by default the newest) sample.

    Hidden behind another tab it only notes that it is stale: redrawing the chart and the
    table for every sample of a walk nobody looks at would cost the UI thread per sample.
    """

    def __init__(self, controller: SurveyController, view, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.view = view
        self.sample_picker = QComboBox(self)
        self.sample_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chart = ChannelChart(self)
        self.chart.setMinimumWidth(200)
        self.summary = QLabel("", self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # SSIDs may contain markup characters
        self.summary.setWordWrap(True)
        self.table = BssTable(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sample_picker)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.table, 1)
        self._picker_rows: list[tuple] = []  # (id, x_m, y_m) per picker item
        self._shown: tuple | None = None  # (sample, target) the chart and table show
        self._stale = True
        self.sample_picker.activated.connect(self._picked)
        controller.session.samplesChanged.connect(self.refresh)
        view.selectionChanged.connect(self.refresh)
        self.refresh()

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def selected_sample_id(self) -> int | None:
        """The sample selected on the plan, else the newest of the survey."""
        selection = self.view.selection
        if selection.kind == "sample":
            return selection.id
        return self._picker_rows[-1][0] if self._picker_rows else None

    def refresh(self) -> None:
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        survey = self.controller.survey
        samples = survey.samples if survey else ()
        rows = [(s.id, s.x_m, s.y_m) for s in samples]
        old = self._picker_rows
        self.sample_picker.blockSignals(True)
        if rows[: len(old)] != old:
            self.sample_picker.clear()
            old = []
        for n, (sample_id, x, y) in enumerate(rows[len(old) :], len(old) + 1):
            self.sample_picker.addItem(f"Sample {n} at ({x:.1f}, {y:.1f}) m", sample_id)
        self._picker_rows = rows
        sample_id = self.selected_sample_id()
        if sample_id is not None:
            self.sample_picker.setCurrentIndex(self.sample_picker.findData(sample_id))
        self.sample_picker.blockSignals(False)
        self.show_sample(sample_id)

    def _picked(self, index: int) -> None:
        sample_id = self.sample_picker.itemData(index)
        if sample_id is not None:
            self.view.select("sample", int(sample_id))

    def show_sample(self, sample_id: int | None) -> None:
        c = self.controller
        survey = c.survey
        sample = next((s for s in reversed(survey.samples if survey else ()) if s.id == sample_id), None)
        target = project_target(c.session.project).network
        if self._shown is not None and self._shown[0] is sample and self._shown[1] == target:
            return
        self._shown = (sample, target)
        if sample is None:
            self.chart.set_observations((), target)
            self.summary.setText("")
            self.table.set_observations((), target, "No sample yet: take one with the Survey tool.")
            return
        observations = sample_observations(sample)
        self.chart.set_observations(observations, target)
        self.summary.setText(self.chart.summary)
        scans = len(sample.scans)
        self.table.set_observations(
            observations,
            target,
            f"{len(observations)} BSSs at ({sample.x_m:.1f}, {sample.y_m:.1f}) m, "
            f"{scans} scan{'s' if scans != 1 else ''} averaged in mW",
        )
