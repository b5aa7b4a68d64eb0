"""Channel views of one sample: the 2.4 GHz occupancy chart and the sortable BSS table.

SSIDs are untrusted text (anyone can broadcast ``<font size=80>``): every place here
shows them through plain-text paths only (``QStandardItem`` display data, pyqtgraph
``TextItem`` which calls ``setPlainText``), after :func:`printable_ssid` has escaped
control and bidi characters.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget, QLabel

from survey.analysis.target import band_of_observation
from survey.project.model import Observation, TargetNetwork
from survey.rf.channels import CCA_THRESHOLD_DBM, channel_occupancy, freq_to_channel
from survey.scan.text import printable_ssid

#: Half-width of a drawn 2.4 GHz channel: 802.11b DSSS occupies 22 MHz (IEEE 802.11-2020
#: 15.4.5.5), i.e. +-11 MHz = +-2.2 channel steps of 5 MHz.
HALF_WIDTH_CHANNELS = 2.2
#: Floor of the chart's y axis (dBm): below the noise floor of 2.4 GHz client radios.
CHART_FLOOR_DBM = -100.0
#: Characters of an SSID shown on the chart (the table shows it whole).
MAX_CHART_LABEL = 14

TARGET_PEN = pg.mkPen(QColor(20, 90, 200), width=3.5)
OTHER_COLOURS = [(150, 150, 150), (120, 120, 160), (160, 120, 120), (120, 150, 120),
                 (170, 140, 90), (140, 110, 170)]


def display_ssid(obs: Observation) -> str:
    """The SSID as literal, printable text; hidden networks are named as such."""
    if obs.hidden:
        return "(hidden network)"
    return printable_ssid(obs.ssid)


def observation_channel_24(obs: Observation) -> float | None:
    """The 2.4 GHz channel as a float (its centre) or None for other bands."""
    if band_of_observation(obs) != "2.4":
        return None
    if obs.freq_mhz:
        ch = freq_to_channel(obs.freq_mhz)
        if ch is not None:
            return float(ch)
    return float(obs.channel) if obs.channel else None


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
        item.setXRange(-1.0, 15.0, padding=0)
        item.setYRange(CHART_FLOOR_DBM, -20, padding=0)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.getAxis("bottom").setTicks([[(c, str(c)) for c in range(1, 14)]])
        self._static = [pg.InfiniteLine(pos=CCA_THRESHOLD_DBM, angle=0,
                                        pen=pg.mkPen((200, 60, 60), width=1, style=Qt.DashLine))]
        for line in self._static:
            item.addItem(line)
        self._items: list[tuple[pg.PlotDataItem, pg.TextItem]] = []
        self.curve_count = 0
        self.target_curve_count = 0
        self.labels: list[str] = []

    @staticmethod
    def _label_y(placed: list[tuple[float, float]], ch: float, y_dbm: float) -> float:
        """Lift a label above any already placed within 4.5 channels and 4 dB, so names stay readable."""
        # 4.5 channels ~ the width of a short label in the side panel; 4 dB ~ a line of text.
        while any(abs(ch - c) < 4.5 and abs(y_dbm - y) < 4.0 for c, y in placed):
            y_dbm += 4.0
        placed.append((ch, y_dbm))
        return y_dbm

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
        placed: list[tuple[float, float]] = []
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
            # On the chart: names cut short (the table has them whole), BSS Load on its own line.
            label = (name if len(name) <= MAX_CHART_LABEL else name[:MAX_CHART_LABEL - 1] + "…") + \
                (f"\n{load}" if load else "")
            text.setText(label, color=(20, 60, 160) if is_target else (70, 70, 70))
            text.setFont(bold if is_target else normal)
            text.setPos(ch, self._label_y(placed, ch, rssi + 0.5))
            text.setZValue(3 if is_target else 2)
            text.setVisible(True)
        for curve, text in self._items[len(heard):]:
            curve.setVisible(False)
            text.setVisible(False)
        occupancy = channel_occupancy(o for _, _, o, _ in heard)
        busy = [f"ch {occ.channel}: {occ.cochannel_strong_count}" for occ in occupancy
                if occ.cochannel_strong_count > 1]
        self.summary = ("BSSs sharing a channel at >= -82 dBm: " + ", ".join(busy)) if busy else \
            "No channel is shared by two BSSs heard at >= -82 dBm here."


BSS_COLUMNS = ("SSID", "BSSID", "RSSI (dBm)", "Channel", "Band", "Security", "WPS",
               "Stations", "Busy (%)", "Target")


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
            item.setData("", Qt.DisplayRole)
        elif text is not None:
            item.setData(text, Qt.DisplayRole)
        else:
            item.setData(value, Qt.DisplayRole)
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
                self._item(band_of_observation(obs) and f"{band_of_observation(obs)} GHz"),
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
        self.caption.setTextFormat(Qt.PlainText)
        self.model = BssTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.view.setMinimumWidth(120)
        self.view.sortByColumn(2, Qt.DescendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)

    def set_observations(self, observations: Sequence[Observation], target: TargetNetwork | None,
                         caption: str) -> None:
        self.caption.setText(caption)
        self.view.setSortingEnabled(False)
        self.model.set_observations(observations, target)
        self.view.resizeColumnsToContents()
        self.view.setSortingEnabled(True)
        header = self.view.horizontalHeader()
        self.view.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
