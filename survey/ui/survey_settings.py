"""Survey settings and the target-network chooser (dialogs; SSIDs only as plain text).

The scanner belongs to the project (:data:`SCANNER_SETTING` in the file): the demo garage
keeps the simulated scanner and a customer's project never inherits it (a per-user choice
made every new project survey with the simulated scanner after one demo session, and its
report say "measured on site"). Scans per point and the timeout belong to the laptop and
live in ``QSettings`` (an installer keeps them across jobs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from survey.analysis.target import describe_network
from survey.project.model import Observation, TargetNetwork
from survey.rf.channels import observation_band
from survey.ui.survey_channels import display_ssid

log = logging.getLogger(__name__)

SIMULATED = "simulated"
AUTO = "auto"
#: Project setting: the scanner backend this project surveys with ("auto" when unset).
SCANNER_SETTING = "scanner"
#: 1-5 scans per point (issue): more scans average out fading, each costs seconds.
MIN_SCANS, MAX_SCANS = 1, 5
#: Three scans per point: readings at one spot scatter by several dB scan to scan
#: (multipath fading), and three averaged in mW steady the value at ~3x the time.
DEFAULT_SCANS = 3


def project_scanner(project) -> str:
    """The scanner backend ``project`` surveys with (:data:`AUTO` when it names none)."""
    name = project.settings.get(SCANNER_SETTING)
    return name if isinstance(name, str) and name else AUTO


@dataclass(frozen=True)
class SurveySettings:
    """The laptop's sampling settings (QSettings): how many scans per point, how long to wait."""

    scans_per_point: int = DEFAULT_SCANS
    timeout_s: float = 20.0  # survey.scan.base.DEFAULT_TIMEOUT_S: a full active scan takes 3-10 s

    @staticmethod
    def load() -> SurveySettings:
        qs = QSettings("evsurvey", "evsurvey")
        stored_scans = qs.value("survey/scans_per_point", DEFAULT_SCANS)
        stored_timeout = qs.value("survey/timeout_s", 20.0)
        scans, timeout = DEFAULT_SCANS, 20.0
        # save() writes numbers; a settings file edited by hand gives strings; anything else is unreadable.
        if isinstance(stored_scans, (int, float, str)) and isinstance(stored_timeout, (int, float, str)):
            try:
                scans, timeout = int(stored_scans), float(stored_timeout)
            except ValueError:
                scans, timeout = DEFAULT_SCANS, 20.0
        return SurveySettings(min(MAX_SCANS, max(MIN_SCANS, scans)), max(1.0, timeout))

    def save(self) -> None:
        qs = QSettings("evsurvey", "evsurvey")
        qs.setValue("survey/scans_per_point", self.scans_per_point)
        qs.setValue("survey/timeout_s", self.timeout_s)


def backend_rows() -> list[tuple[str, bool, str]]:
    """(name, usable, reason) for every scanner backend, simulated last, never raising."""
    try:
        from survey.scan.registry import backend_reports

        rows = []
        for report in backend_reports():
            name, usable, reason = (report.name, report.usable, report.reason) if hasattr(report, "name") else report
            rows.append((str(name), bool(usable), str(reason)))
    except Exception as exc:  # the settings dialog must open even if probing a backend fails
        log.warning("backend probe failed: %s", exc)
        rows = [(AUTO, False, f"could not probe the scanner backends: {exc}")]
    if not any(name == SIMULATED for name, _, _ in rows):
        rows.append((SIMULATED, True, "no Wi-Fi needed: signals computed from the plan"))
    return rows


def any_real_backend_usable(rows) -> bool:
    return any(usable and name not in (SIMULATED, AUTO) for name, usable, _ in rows)


class SurveySettingsDialog(QDialog):
    """The project's scanner (auto or a named backend, with the probe report); the laptop's
    scans per point and timeout."""

    def __init__(self, parent: QWidget | None, settings: SurveySettings, scanner_name: str = AUTO):
        super().__init__(parent)
        self.setWindowTitle("Survey settings")
        rows = backend_rows()
        self.scanner = QComboBox(self)
        self.scanner.addItem("Automatic (first backend that works)", AUTO)
        report_lines = []
        for name, usable, reason in rows:
            if name == AUTO:
                continue
            label = "Simulated scanner (demo, no real Wi-Fi)" if name == SIMULATED else name
            if not usable:
                label += " (not usable here)"
            self.scanner.addItem(label, name)
            report_lines.append(f"{'OK ' if usable else '-- '} {name}: {reason}")
        index = max(0, self.scanner.findData(scanner_name))
        self.scanner.setCurrentIndex(index)
        self.report = QLabel("\n".join(report_lines), self)
        self.report.setTextFormat(Qt.TextFormat.PlainText)
        self.report.setWordWrap(True)
        if not any_real_backend_usable(rows):
            self.report.setText(
                self.report.text() + "\n\nNo Wi-Fi adapter could be used on this machine: "
                "choose the simulated scanner to try the survey on the demo garage."
            )
        self.scans = QSpinBox(self)
        self.scans.setRange(MIN_SCANS, MAX_SCANS)
        self.scans.setValue(settings.scans_per_point)
        self.timeout = QDoubleSpinBox(self)
        self.timeout.setRange(1.0, 120.0)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(settings.timeout_s)
        form = QFormLayout()
        form.addRow("Scanner (this project)", self.scanner)
        form.addRow("Scans per point (averaged in mW)", self.scans)
        form.addRow("Give up on a scan after", self.timeout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Backends found on this machine:", self))
        layout.addWidget(self.report)
        layout.addWidget(buttons)

    def values(self) -> tuple[SurveySettings, str]:
        """(the laptop's settings, the project's scanner name)."""
        return SurveySettings(int(self.scans.value()), float(self.timeout.value())), str(self.scanner.currentData())


def networks_from_observations(observations) -> dict[str, list[Observation]]:
    """SSID -> its BSSs (strongest first); hidden networks are left out (a charger cannot pick them)."""
    by_ssid: dict[str, list[Observation]] = {}
    for obs in observations:
        if obs.hidden:
            continue
        by_ssid.setdefault(obs.ssid, []).append(obs)
    for group in by_ssid.values():
        group.sort(key=lambda o: -(o.rssi_dbm if o.rssi_dbm is not None else -999))
    return by_ssid


class TargetNetworkDialog(QDialog):
    """Pick the SSID (and optionally specific BSSIDs) the charger will join from a live scan."""

    def __init__(self, parent: QWidget | None, observations, current: TargetNetwork | None):
        super().__init__(parent)
        self.setWindowTitle("Target network")
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Network / BSSID", "RSSI (dBm)", "Band", "Security"])
        self.tree.setRootIsDecorated(True)
        groups = networks_from_observations(observations)
        best = {ssid: (g[0].rssi_dbm or -999) for ssid, g in groups.items()}
        for ssid in sorted(groups, key=lambda s: -best[s]):
            group = groups[ssid]
            bands, security = describe_network(group)
            # QTreeWidgetItem text is plain text; display_ssid escapes control characters.
            top = QTreeWidgetItem([display_ssid(group[0]), f"{best[ssid]:.0f}", bands, security])
            top.setData(0, Qt.ItemDataRole.UserRole, ("ssid", ssid))
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            top.setCheckState(0, Qt.CheckState.Checked if current and current.ssid == ssid else Qt.CheckState.Unchecked)
            for obs in group:
                child = QTreeWidgetItem(
                    [
                        obs.bssid or "(BSSID hidden by the OS)",
                        "" if obs.rssi_dbm is None else f"{obs.rssi_dbm:.0f}",
                        f"{observation_band(obs) or '?'} GHz, ch {obs.channel or '?'}",
                        " / ".join(obs.auth),
                    ]
                )
                child.setData(0, Qt.ItemDataRole.UserRole, ("bssid", obs.bssid))
                if obs.bssid:
                    child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    child.setCheckState(
                        0, Qt.CheckState.Checked if current and obs.bssid in current.bssids else Qt.CheckState.Unchecked
                    )
                top.addChild(child)
            self.tree.addTopLevelItem(top)
        self.tree.itemChanged.connect(self._on_changed)
        for col in range(4):
            self.tree.resizeColumnToContents(col)
        hint = QLabel(
            "Tick the network the charger will join. Tick single BSSIDs only to restrict the "
            "survey to particular access points (e.g. the one in the garage).",
            self,
        )
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def _on_changed(self, item: QTreeWidgetItem, column: int) -> None:
        kind, _ = item.data(0, Qt.ItemDataRole.UserRole)
        if kind != "ssid" or item.checkState(0) != Qt.CheckState.Checked:
            network = item.parent()  # a BSSID's row sits under its network's row
            if kind == "bssid" and item.checkState(0) == Qt.CheckState.Checked and network is not None:
                self._check_only(network)
            return
        self._check_only(item)

    def _network_items(self) -> list[QTreeWidgetItem]:
        """The networks' rows (the tree's top level)."""
        return [top for i in range(self.tree.topLevelItemCount()) if (top := self.tree.topLevelItem(i)) is not None]

    def _check_only(self, keep: QTreeWidgetItem) -> None:
        """One SSID at a time: ticking a network or one of its BSSIDs unticks the others."""
        self.tree.blockSignals(True)
        for top in self._network_items():
            if top is keep:
                top.setCheckState(0, Qt.CheckState.Checked)
                continue
            top.setCheckState(0, Qt.CheckState.Unchecked)
            for child in _bssid_items(top):
                if child.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                    child.setCheckState(0, Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)

    def target(self) -> TargetNetwork | None:
        for top in self._network_items():
            if top.checkState(0) != Qt.CheckState.Checked:
                continue
            _, ssid = top.data(0, Qt.ItemDataRole.UserRole)
            bssids = tuple(
                child.data(0, Qt.ItemDataRole.UserRole)[1]
                for child in _bssid_items(top)
                if child.flags() & Qt.ItemFlag.ItemIsUserCheckable and child.checkState(0) == Qt.CheckState.Checked
            )
            return TargetNetwork(ssid=ssid, bssids=bssids)
        return None


def _bssid_items(network: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    """The BSSIDs' rows under a network's row."""
    return [child for j in range(network.childCount()) if (child := network.child(j)) is not None]
