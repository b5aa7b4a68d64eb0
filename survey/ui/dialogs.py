"""Dialogs of the site editor. Each is reached through one module-level function that
returns plain values (or None when cancelled), so tests replace that function with
``monkeypatch.setattr(dialogs, "ask_...", ...)`` and the window is driven as by a user.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from survey.errors import UserInputError
from survey.project.garage import PRESETS, SIDES, TWO_CAR, GarageSpec, validate
from survey.project.model import ChargerProfile, Material, Site
from survey.project.units import ft_to_m, m_to_ft, parse_length

PROJECT_FILTER = "evsurvey projects (*.evsurvey)"
FLOORPLAN_FILTER = (
    "Floorplans (*.png *.jpg *.jpeg *.bmp *.webp *.gif *.tif *.tiff *.svg *.pdf *.dxf);;"
    "Images (*.png *.jpg *.jpeg *.bmp *.webp *.gif *.tif *.tiff *.svg);;PDF (*.pdf);;"
    "DXF drawings (*.dxf)"
)


# -- file choosers --------------------------------------------------------------------------
def ask_open_project(parent: QWidget, start_dir: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open project", start_dir, PROJECT_FILTER)
    return path or None


def ask_save_project_path(parent: QWidget, title: str, start_path: str = "") -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, start_path, PROJECT_FILTER)
    if not path:
        return None
    return path if path.endswith(".evsurvey") else path + ".evsurvey"


def ask_floorplan_file(parent: QWidget, start_dir: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import floorplan", start_dir, FLOORPLAN_FILTER)
    return path or None


# -- small questions ------------------------------------------------------------------------
def ask_length(parent: QWidget, title: str, label: str, units: str) -> float | None:
    """A length typed by the user, in metres (``4.2``, ``420 cm``, ``12 ft 6 in``...)."""
    text, ok = QInputDialog.getText(parent, title, label)
    if not ok or not text.strip():
        return None
    return parse_length(text, units)


def choose_dxf_layers(parent: QWidget, layer_counts: dict[str, int]) -> list[str] | None:
    """The DXF layers whose lines become walls (all checked to start with)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Import DXF: layers")
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("Lines and polylines on the checked layers become walls:"))
    listing = QListWidget()
    for name, count in sorted(layer_counts.items()):
        item = QListWidgetItem(f"{name}  ({count})")
        item.setData(Qt.ItemDataRole.UserRole, name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        listing.addItem(item)
    layout.addWidget(listing)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return [
        listing.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(listing.count())
        if listing.item(i).checkState() == Qt.CheckState.Checked
    ]


class PlanImportProgress(QProgressDialog):
    """Window-modal progress of a floorplan being read, with a Cancel button.

    The bar is busy (moving) while the reader cannot tell how far it is, a percentage when
    it can; the label says what it is doing and for how long.
    """

    def __init__(self, parent: QWidget, file_name: str):
        super().__init__(f"Reading {file_name}…", "Cancel", 0, 0, parent)
        self.setWindowTitle("Import floorplan")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoReset(False)
        self.setAutoClose(False)
        self.setMinimumWidth(380)

    def show_progress(self, text: str, fraction: float | None, elapsed_s: float) -> None:
        self.setLabelText(f"{text}\n{elapsed_s:.0f} s")
        if fraction is None:
            self.setRange(0, 0)
        else:
            self.setRange(0, 1000)
            self.setValue(int(min(max(fraction, 0.0), 1.0) * 1000))


def show_error(parent: QWidget, title: str, message: str) -> None:
    _show_message(parent, QMessageBox.Icon.Warning, title, message)


def show_info(parent: QWidget, title: str, message: str) -> None:
    _show_message(parent, QMessageBox.Icon.Information, title, message)


def offer_settings_page(parent: QWidget, title: str, message: str, settings_uri: str, button_text: str) -> bool:
    """Explain a permission the OS withholds, with a button that opens its settings page.

    ``settings_uri`` (``ms-settings:privacy-location``...) goes to the desktop's URL handler;
    True when the button was pressed and the page could be opened.
    """
    box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Close, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    open_button = box.addButton(button_text, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(open_button)
    box.exec()
    return box.clickedButton() is open_button and QDesktopServices.openUrl(QUrl(settings_uri))


def _show_message(parent: QWidget, icon: QMessageBox.Icon, title: str, message: str) -> None:
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote file names and SSIDs
    box.exec()


# -- new project --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewProjectValues:
    site: Site
    units: str
    charger_profile_id: str


class NewProjectDialog(QDialog):
    """Customer, address, installer, charger model and units (also used to edit them later)."""

    def __init__(
        self,
        parent: QWidget | None,
        profiles: tuple[ChargerProfile, ...],
        default_units: str = "m",
        title: str = "New project",
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._survey_date = _dt.date.today().isoformat()
        form = QFormLayout(self)
        self.customer = QLineEdit()
        self.address = QLineEdit()
        self.installer = QLineEdit()
        self.charger = QComboBox()
        for profile in profiles:
            self.charger.addItem(profile.name, profile.id)
        index = self.charger.findData("generic_iot")
        self.charger.setCurrentIndex(max(index, 0))
        self.units = QComboBox()
        self.units.addItem("Metres", "m")
        self.units.addItem("Feet", "ft")
        self.units.setCurrentIndex(1 if default_units == "ft" else 0)
        form.addRow("Customer", self.customer)
        form.addRow("Site address", self.address)
        form.addRow("Installer", self.installer)
        form.addRow("Charger model", self.charger)
        form.addRow("Units", self.units)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def set_values(self, site: Site, units: str, charger_profile_id: str) -> None:
        self._site = site
        self._survey_date = site.survey_date or self._survey_date
        self.customer.setText(site.customer)
        self.address.setText(site.address)
        self.installer.setText(site.installer)
        self.units.setCurrentIndex(max(self.units.findData(units), 0))
        index = self.charger.findData(charger_profile_id)
        if index < 0:  # a profile that is no longer installed: keep it selectable
            self.charger.addItem(charger_profile_id, charger_profile_id)
            index = self.charger.count() - 1
        self.charger.setCurrentIndex(index)

    def values(self) -> NewProjectValues:
        base = getattr(self, "_site", Site())
        site = replace(
            base,
            customer=self.customer.text().strip(),
            address=self.address.text().strip(),
            installer=self.installer.text().strip(),
            survey_date=self._survey_date,
        )
        return NewProjectValues(
            site=site, units=self.units.currentData(), charger_profile_id=self.charger.currentData() or "generic_iot"
        )


def ask_new_project(
    parent: QWidget, profiles: tuple[ChargerProfile, ...], default_units: str = "m"
) -> NewProjectValues | None:
    dialog = NewProjectDialog(parent, profiles, default_units)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


def ask_site_details(
    parent: QWidget, profiles: tuple[ChargerProfile, ...], site: Site, units: str, charger_profile_id: str
) -> NewProjectValues | None:
    dialog = NewProjectDialog(parent, profiles, units, title="Site details")
    dialog.set_values(site, units, charger_profile_id)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


# -- garage builder ----------------------------------------------------------------------------
class GarageDialog(QDialog):
    """Width, depth, door side and width, house side and its material, exterior material."""

    def __init__(self, parent: QWidget | None, materials: tuple[Material, ...], units: str = "m"):
        super().__init__(parent)
        self.setWindowTitle("Garage builder")
        self._units = units
        self._materials = materials
        form = QFormLayout(self)

        presets = QHBoxLayout()
        for name, spec in PRESETS.items():
            button = QPushButton(name)
            button.clicked.connect(lambda _=False, s=spec: self.set_spec(s))
            presets.addWidget(button)
        form.addRow("Presets", presets)

        self.width_box = self._length_box()
        self.depth_box = self._length_box()
        self.door_width_box = self._length_box()
        self.door_side = QComboBox()
        self.house_side = QComboBox()
        for side in SIDES:
            self.door_side.addItem(side.capitalize(), side)
            self.house_side.addItem(side.capitalize(), side)
        self.house_side.addItem("None (detached)", None)
        self.house_material = self._material_box()
        self.exterior_material = self._material_box()
        self.door_material = self._material_box()
        form.addRow("Width (left to right)", self.width_box)
        form.addRow("Depth (top to bottom)", self.depth_box)
        form.addRow("Car door in the wall at", self.door_side)
        form.addRow("Door width", self.door_width_box)
        form.addRow("House adjoins the wall at", self.house_side)
        form.addRow("Wall to the house", self.house_material)
        form.addRow("Exterior walls", self.exterior_material)
        form.addRow("Car door", self.door_material)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #d1242f")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.set_spec(TWO_CAR)

    def _length_box(self) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(2)
        box.setRange(0.0, 200.0)
        box.setSingleStep(0.1)
        box.setSuffix(" ft" if self._units == "ft" else " m")
        return box

    def _material_box(self) -> QComboBox:
        box = QComboBox()
        for m in self._materials:
            box.addItem(f"{m.name} ({m.loss_db:.1f} dB)", m.id)
        return box

    def _to_units(self, metres: float) -> float:
        return m_to_ft(metres) if self._units == "ft" else metres

    def _to_m(self, value: float) -> float:
        return ft_to_m(value) if self._units == "ft" else value

    def set_spec(self, spec: GarageSpec) -> None:
        self.width_box.setValue(self._to_units(spec.width_m))
        self.depth_box.setValue(self._to_units(spec.depth_m))
        self.door_width_box.setValue(self._to_units(spec.door_width_m))
        self.door_side.setCurrentIndex(self.door_side.findData(spec.door_side))
        self.house_side.setCurrentIndex(self.house_side.findData(spec.house_side))
        for box, mid in (
            (self.house_material, spec.house_wall_material_id),
            (self.exterior_material, spec.exterior_material_id),
            (self.door_material, spec.door_material_id),
        ):
            index = box.findData(mid)
            if index >= 0:
                box.setCurrentIndex(index)

    def spec(self) -> GarageSpec:
        return replace(
            TWO_CAR,
            width_m=self._to_m(self.width_box.value()),
            depth_m=self._to_m(self.depth_box.value()),
            door_side=self.door_side.currentData(),
            door_width_m=self._to_m(self.door_width_box.value()),
            house_side=self.house_side.currentData(),
            house_wall_material_id=self.house_material.currentData(),
            exterior_material_id=self.exterior_material.currentData(),
            door_material_id=self.door_material.currentData(),
        )

    def _accept_if_valid(self) -> None:
        try:
            validate(self.spec())
        except UserInputError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def ask_garage(parent: QWidget, materials: tuple[Material, ...], units: str = "m") -> GarageSpec | None:
    dialog = GarageDialog(parent, materials, units)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.spec()
