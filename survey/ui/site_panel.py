"""The "Site" side panel: properties of the selected wall or device, the plan image's
opacity and rotation, the site details, and the colour legend of wall materials."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from survey.project.model import DeviceKind
from survey.project.units import format_length

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow


NOTHING_SELECTED = "Nothing selected. With the Select tool (V), click a wall, a device or a sample."


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # labels show user text (file names, device labels)
    label.setWordWrap(True)
    return label


class SitePanel(QWidget):
    def __init__(self, window: MainWindow):
        super().__init__()
        self.main_window = window
        self.session = window.session
        layout = QVBoxLayout(self)

        # Selection ------------------------------------------------------------------------------
        self.selection_box = QGroupBox("Selection")
        form = QFormLayout(self.selection_box)
        self.selection_label = _plain_label(NOTHING_SELECTED)
        form.addRow(self.selection_label)
        self.wall_material = QComboBox()
        self.wall_material.setObjectName("wall_material")
        self.wall_material.activated.connect(self._wall_material_chosen)
        form.addRow("Material", self.wall_material)
        self.device_kind = QComboBox()
        self.device_kind.setObjectName("device_kind")
        for kind in DeviceKind:
            self.device_kind.addItem(kind.label, kind)
        self.device_kind.activated.connect(self._device_kind_chosen)
        form.addRow("Kind", self.device_kind)
        self.device_label = QLineEdit()
        self.device_label.setObjectName("device_label")
        self.device_label.setPlaceholderText("Label on the plan")
        self.device_label.editingFinished.connect(self._device_label_edited)
        form.addRow("Label", self.device_label)
        self.device_planned = QCheckBox("Planned (not installed yet)")
        self.device_planned.toggled.connect(self._device_planned_toggled)
        form.addRow(self.device_planned)
        self.delete_button = QPushButton("Delete (Del)")
        self.delete_button.clicked.connect(window.delete_selection)
        form.addRow(self.delete_button)
        layout.addWidget(self.selection_box)

        # Plan image ------------------------------------------------------------------------------
        self.plan_box = QGroupBox("Plan image")
        plan_form = QFormLayout(self.plan_box)
        self.plan_label = _plain_label()
        plan_form.addRow(self.plan_label)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("plan_opacity")
        self.opacity.setRange(5, 100)
        self.opacity.sliderReleased.connect(self._opacity_released)
        self.opacity.valueChanged.connect(self._opacity_changed)
        plan_form.addRow("Opacity", self.opacity)
        rotate = QPushButton("Rotate 90° (Ctrl+R)")
        rotate.clicked.connect(window.site_actions.rotate_floorplan)
        plan_form.addRow(rotate)
        layout.addWidget(self.plan_box)

        # Legend ---------------------------------------------------------------------------------------
        self.legend_box = QGroupBox("Wall materials (loss at 2.4 GHz)")
        self.legend_layout = QFormLayout(self.legend_box)
        layout.addWidget(self.legend_box)
        layout.addStretch(1)

        self.session.projectChanged.connect(self.refresh)
        window.view.selectionChanged.connect(self.refresh)
        self._legend_key: tuple[tuple[str, str, str], ...] | None = None
        self._material_items: list[tuple[str, str, str]] = []
        self._loss_boxes: dict[str, QDoubleSpinBox] = {}
        self.refresh()

    def refresh(self) -> None:
        project = self.session.project
        units = project.units
        self._refresh_legend()
        materials = [(m.id, m.name, m.colour) for m in project.materials]
        if materials != self._material_items:  # a sample or an edit elsewhere: nothing to refill
            self._material_items = materials
            self.wall_material.blockSignals(True)
            self.wall_material.clear()
            for material_id, name, colour in materials:
                self.wall_material.addItem(_swatch(colour), name, material_id)
            self.wall_material.blockSignals(False)

        sel = self.main_window.view.selection
        wall = self.session.wall(sel.id) if sel.kind == "wall" else None
        device = self.session.device(sel.id) if sel.kind == "device" else None
        self.wall_material.setEnabled(wall is not None)
        for widget in (self.device_kind, self.device_label, self.device_planned):
            widget.setEnabled(device is not None)
        pickable = self.main_window.view.pickables.get(sel.kind) if sel else None
        self.delete_button.setEnabled(wall is not None or device is not None or pickable is not None)
        if pickable is not None:
            self.selection_label.setText(pickable.describe(sel.id))
            self.device_label.clear()
        elif wall is not None:
            material = project.material(wall.material_id)
            self.selection_label.setText(
                f"Wall, {format_length(wall.length_m, units)}" + (f", {material.name}" if material else "")
            )
            self.wall_material.setCurrentIndex(self.wall_material.findData(wall.material_id))
        elif device is not None:
            self.selection_label.setText(
                f"{device.kind.label} at x {format_length(device.x_m, units)}, y {format_length(device.y_m, units)}"
            )
            self.device_kind.setCurrentIndex(self.device_kind.findData(device.kind))
            if not self.device_label.hasFocus():
                self.device_label.setText(device.label)
            self.device_planned.blockSignals(True)
            self.device_planned.setChecked(device.planned)
            self.device_planned.blockSignals(False)
        else:
            self.selection_label.setText(NOTHING_SELECTED)
            self.device_label.clear()

        fp = project.floorplan
        self.plan_box.setEnabled(fp is not None)
        if fp is None:
            self.plan_label.setText("No plan image. Site → Import floorplan, or drop a file on the window.")
        else:
            w_m, h_m = fp.size_m
            scale = "scale calibrated" if self.session.scale_known else "scale NOT calibrated yet (K)"
            self.plan_label.setText(
                f"{fp.source_name}\n{fp.width_px} x {fp.height_px} px, "
                f"{format_length(w_m, units)} x {format_length(h_m, units)}, {scale}"
            )
            if not self.opacity.isSliderDown():
                self.opacity.blockSignals(True)
                self.opacity.setValue(round(fp.opacity * 100))
                self.opacity.blockSignals(False)

    def _refresh_legend(self) -> None:
        materials = self.session.project.materials
        key = tuple((m.id, m.name, m.colour) for m in materials)
        if key == self._legend_key:
            # Same materials: only losses may have changed. Update the boxes in place (a
            # box must not be deleted while its own editingFinished is being handled).
            for m in materials:
                box = self._loss_boxes.get(m.id)
                if box is not None and box.value() != m.loss_db:
                    box.blockSignals(True)
                    box.setValue(m.loss_db)
                    box.blockSignals(False)
            return
        self._legend_key = key
        while self.legend_layout.rowCount():
            self.legend_layout.removeRow(0)
        self._loss_boxes = {}
        for m in materials:
            swatch = QLabel()
            swatch.setPixmap(_swatch(m.colour).pixmap(28, 10))
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(_plain_label(m.name), 1)
            # The defaults come from measurements (see each material's source); a site's
            # walls may differ, so the installer can set the loss, most usefully for "custom".
            loss = QDoubleSpinBox()
            loss.setObjectName(f"loss_{m.id}")
            loss.setRange(0.0, 60.0)
            loss.setDecimals(1)
            loss.setSingleStep(0.5)
            loss.setSuffix(" dB")
            loss.setValue(m.loss_db)
            loss.setToolTip(
                f"Loss through one wall at 2.4 GHz. Plausible range "
                f"{m.loss_min_db:g}-{m.loss_max_db:g} dB. Source: {m.source}"
            )
            loss.editingFinished.connect(
                lambda box=loss, material_id=m.id: self.session.set_material_loss(material_id, box.value())
            )
            line.addWidget(loss)
            self._loss_boxes[m.id] = loss
            self.legend_layout.addRow(swatch, row)

    # -- edits ------------------------------------------------------------------------------------------
    def _selected_wall(self):
        sel = self.main_window.view.selection
        return self.session.wall(sel.id) if sel.kind == "wall" else None

    def _selected_device(self):
        sel = self.main_window.view.selection
        return self.session.device(sel.id) if sel.kind == "device" else None

    def _wall_material_chosen(self, index: int) -> None:
        wall = self._selected_wall()
        material_id = self.wall_material.itemData(index)
        if wall is not None and material_id and material_id != wall.material_id:
            self.session.update_wall(replace(wall, material_id=material_id), "Change wall material")

    def _device_kind_chosen(self, index: int) -> None:
        device = self._selected_device()
        kind = self.device_kind.itemData(index)
        if device is not None and kind is not None and kind != device.kind:
            self.session.update_device(replace(device, kind=DeviceKind(kind)), "Change device kind")

    def _device_label_edited(self) -> None:
        device = self._selected_device()
        if device is not None and self.device_label.text() != device.label:
            self.session.update_device(replace(device, label=self.device_label.text()), "Rename device")

    def _device_planned_toggled(self, checked: bool) -> None:
        device = self._selected_device()
        if device is not None and checked != device.planned:
            self.session.update_device(replace(device, planned=checked), "Mark device planned")

    def _opacity_changed(self, _value: int) -> None:
        if not self.opacity.isSliderDown():  # keyboard or wheel; a drag commits once on release
            self._opacity_released()

    def _opacity_released(self) -> None:
        self.main_window.site_actions.set_opacity(self.opacity.value() / 100.0)


def _swatch(colour: str):
    from PySide6.QtGui import QIcon

    pixmap = QPixmap(28, 10)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def install(window: MainWindow) -> SitePanel:
    """Add the Site side panel (built by :mod:`survey.ui.compose`)."""
    panel = SitePanel(window)
    window.add_side_panel("Site", panel)
    return panel
