""" "Check the internet path" in the Analysis panel, against servers this test starts on
127.0.0.1: every connection the checks make is dialled to a loopback fake (a TLS server for
443, a TCP listener for 8883, an HTTP server answering 204 for the captive-portal probe and the
charger's web API, a Modbus TCP listener), names resolve to a public address through an
injected resolver, NTP goes to a local SNTP responder and the mDNS query to a local responder.

The installer types the charger's IP and extra domains, runs the checks, cancels mid-run, runs
them again to the end; the results are shown with their evidence and fix, land in the project
(read back from the reopened file), pre-fill the network checklist, print in the PDF's "Network
checks" section (read with pypdf) and are one undo step."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from fakes.lan import Advertised, http_server, mdns_responder, modbus_listener, modbus_registers, tcp_server
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from test_netcheck import CERT, KEY, LAPTOP_IP, PUBLIC_IP, ROUTE, refused_port, sntp_responder, trusting_context

from survey.demo import build_demo_project
from survey.netcheck import probes
from survey.netcheck.plan import NtpServer
from survey.netcheck.project_checks import CheckEnvironment
from survey.netcheck.results import Status
from survey.project.preflight import CHARGER_IP_SETTING, CHECK_DOMAINS_SETTING
from survey.project.store import ProjectStore
from survey.ui import export_pdf
from survey.ui.compose import Feature, install_features
from survey.ui.main_window import MainWindow

FEATURES = {Feature.SURVEY, Feature.ANALYSIS, Feature.COMPARE, Feature.EXPORT_PDF, Feature.NETCHECK}
CHARGER_IP = "192.168.20.15"  # private: its answers are local, and every packet still goes to 127.0.0.1
WALLBOX = Advertised(
    instance="zaptec-5678._http._tcp.local.",
    host="zaptec-5678.local.",
    address=CHARGER_IP,
    port=80,
    service_types=("_http._tcp.local.",),
)


def _tls_server(conn, stopped):
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    conn.settimeout(3)
    with context.wrap_socket(conn, server_side=True) as tls:
        tls.recv(1)


@pytest.fixture
def lan():
    """The fakes, and the environment that points the checks at them; ``gate`` holds every name
    lookup until it is set (a slow DNS server), so a run can be cancelled halfway."""
    gate = threading.Event()

    def resolver(host):
        if not gate.wait(10):
            raise socket.gaierror(socket.EAI_AGAIN, "test resolver: gate never opened")
        return (PUBLIC_IP,)

    with (
        tcp_server(_tls_server) as tls_port,
        tcp_server() as mqtt_port,
        http_server(204) as (http_port, _),
        modbus_listener(modbus_registers(230)) as (modbus_port, modbus_requests),
        mdns_responder(WALLBOX) as (mdns_port, _),
        sntp_responder(0.2) as ntp_port,
    ):
        ports = {
            (PUBLIC_IP, 443): tls_port,
            (PUBLIC_IP, 8883): mqtt_port,
            (PUBLIC_IP, 80): http_port,
            (CHARGER_IP, 80): http_port,
            (CHARGER_IP, 502): modbus_port,
            (CHARGER_IP, 443): refused_port(),
        }
        dialled: list[tuple[str, int]] = []

        def dial(address, port, timeout_s):
            dialled.append((address, port))
            if (address, port) not in ports:
                raise ConnectionRefusedError(111, "refused (test network)")
            return probes.tcp_connect("127.0.0.1", ports[(address, port)], timeout_s)

        env = CheckEnvironment(
            deadline_s=4.0,
            ntp_servers=(NtpServer("127.0.0.1", ntp_port),),
            resolver=resolver,
            tls_context=trusting_context(),
            route_table=ROUTE,
            dial=dial,
            mdns_destination=("127.0.0.1", mdns_port),
            local_address=lambda address: LAPTOP_IP,
        )
        yield env, gate, dialled, modbus_requests
        gate.set()


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "garage.evsurvey"
    store = build_demo_project(path)
    store.set_charger_profile("zaptec_pro")
    store.close()
    return path


@pytest.fixture
def window(qtbot, project_path, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, scanner_name="simulated")
    install_features(win, FEATURES)
    qtbot.addWidget(win)
    win.session.open(project_path)
    win.resize(1280, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # focus and Tab only reach the fields of the active window
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    with qtbot.waitSignal(win.analysis_panel.resultApplied, timeout=20000):
        win.show_side_panel(win.analysis_panel)
    yield win
    win.netcheck.cancel()


def type_into(qtbot, field, text: str) -> None:
    """Replace a field's text the way a person does, ending with Tab (editing finished)."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Tab)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def stored(path):
    with ProjectStore.open(path, read_only=True) as store:
        return store.load()


def test_checks_run_cancel_complete_and_land_in_the_project_and_the_pdf(
    qtbot, window, lan, project_path, tmp_path, monkeypatch
):
    env, gate, dialled, modbus_requests = lan
    checks = window.netcheck
    checks.env = env
    assert checks.summary.text() == "Not checked yet in this project."
    assert checks.ssid.text() == window.session.project.target.ssid  # the survey's network, editable

    # Bad input says what to do and loses nothing; good input is kept with the project.
    type_into(qtbot, checks.charger_ip, "zaptec.local")
    assert checks.input_error.isVisible() and "give the charger's IP address" in checks.input_error.text()
    assert checks.charger_ip.text() == "zaptec.local" and CHARGER_IP_SETTING not in window.session.project.settings
    type_into(qtbot, checks.charger_ip, CHARGER_IP)
    type_into(qtbot, checks.domains, "api.example-charger.com, mqtt.example-charger.com:8883")
    type_into(qtbot, checks.ssid, "Garage-IoT")
    assert not checks.input_error.isVisible()
    settings = window.session.project.settings
    assert settings[CHARGER_IP_SETTING] == CHARGER_IP
    assert settings[CHECK_DOMAINS_SETTING] == ["api.example-charger.com", "mqtt.example-charger.com:8883"]

    # Run, and cancel while the DNS server is still silent: progress came per check, nothing is kept.
    progress: list[str] = []
    checks.worker.progress.connect(lambda _request, news: progress.append(checks.status.text()))
    click(qtbot, checks.run_button)
    assert checks.running and not checks.run_button.isEnabled() and checks.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: any(" of " in p and "(last: " in p for p in progress), timeout=5000)
    assert progress[0].startswith("0 of ")
    done_before_cancel = checks.progress.value()
    assert 0 < done_before_cancel < checks.progress.maximum()
    with qtbot.waitSignal(checks.finished, timeout=1000) as cancelled:
        started = time.monotonic()
        click(qtbot, checks.cancel_button)
    assert "cancelled" in cancelled.args[0] and time.monotonic() - started < 0.5
    assert not checks.running and checks.run_button.isEnabled() and not checks.progress.isVisible()
    assert window.session.project.preflight is None and stored(project_path).preflight is None
    assert checks.summary.text() == "Not checked yet in this project."

    # Run again with DNS answering: to the end.
    gate.set()
    with qtbot.waitSignal(checks.finished, timeout=15000) as finished:
        click(qtbot, checks.run_button)
    assert finished.args[0].startswith("Checked and kept in the project")
    report = window.session.project.preflight
    assert report is not None and report.profile_id == "zaptec_pro"
    assert all(address == PUBLIC_IP or address == CHARGER_IP for address, _port in dialled)
    assert modbus_requests  # the charger's Modbus TCP was read
    by_id = {r.id: r for r in report.results}
    assert by_id["local:modbus"].status is Status.PASS
    assert by_id["ntp"].status is Status.PASS
    assert by_id["mdns"].status is Status.PASS and CHARGER_IP in by_id["mdns"].detail
    assert "tcp:api.example-charger.com:443" in by_id or "tls:api.example-charger.com:443" in by_id
    assert any(r.status is Status.FAIL for r in report.results)  # the test certificate is not the maker's

    # Shown as pass / warn / fail with the evidence and the fix.
    rows = [checks.results.topLevelItem(i) for i in range(checks.results.topLevelItemCount())]
    assert [(row.text(0), row.text(1)) for row in rows] == [
        ({Status.PASS: "pass", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIP: "skipped"}[r.status], r.title)
        for r in report.results
    ]
    assert "Garage-IoT" in checks.summary.text() and LAPTOP_IP in checks.summary.text()
    failed_row = next(i for i, r in enumerate(report.results) if r.status is Status.FAIL)
    checks.results.scrollToItem(rows[failed_row])
    rect = checks.results.visualItemRect(rows[failed_row])
    qtbot.mouseClick(checks.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    failed = report.results[failed_row]
    assert checks.detail.toPlainText() == f"{failed.title}: FAIL\n\n{failed.detail}\n\nFix: {failed.fix}"

    # In the file, with when, where from and for which charger.
    kept = stored(project_path)
    assert kept.preflight.to_json() == report.to_json()  # as stored (times rounded to 0.1 ms)
    assert kept.preflight.network.ssid == "Garage-IoT" and kept.preflight.network.laptop_ip == LAPTOP_IP
    assert kept.preflight.ran_at > 0 and kept.settings[CHARGER_IP_SETTING] == CHARGER_IP

    # The network checklist is pre-filled from them.
    panel = window.analysis_panel
    qtbot.waitSignal(panel.resultApplied, timeout=20000).wait()
    checklist = {
        panel.checklist_list.item(i).data(Qt.ItemDataRole.UserRole): panel.checklist_list.item(i).text()
        for i in range(panel.checklist_list.count())
    }
    assert checklist["ntp"].endswith("(OK)")  # the NTP check passed
    assert checklist["egress_ports"].endswith("(to do)")  # a TLS check failed: the fix is to do

    # And in the PDF, in their own section.
    pdf = tmp_path / "report.pdf"
    monkeypatch.setattr(export_pdf.QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), "PDF (*.pdf)"))
    with qtbot.waitSignal(window.pdf_export.exporter.finished, timeout=60000):
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    text = "".join("".join(page.extract_text() for page in PdfReader(str(pdf)).pages).split())
    section = text[text.index("Networkchecks") :]
    assert "".join(failed.title.split()) in section and "Garage-IoT" in section
    assert "ModbusTCP" in section or "Modbus" in section

    # One undo step takes them out of the project again.
    assert window.session.undo_stack.undoText() == "Check the internet path"
    window.session.undo_stack.undo()
    assert window.session.project.preflight is None and stored(project_path).preflight is None
    assert checks.summary.text() == "Not checked yet in this project." and checks.results.topLevelItemCount() == 0


def test_a_stored_run_is_shown_when_the_project_opens(qtbot, window, lan, project_path, tmp_path):
    env, gate, _dialled, _requests = lan
    gate.set()
    window.netcheck.env = env
    type_into(qtbot, window.netcheck.charger_ip, CHARGER_IP)
    with qtbot.waitSignal(window.netcheck.finished, timeout=15000):
        click(qtbot, window.netcheck.run_button)
    count = window.netcheck.results.topLevelItemCount()
    window.session.close()
    assert window.netcheck.results.topLevelItemCount() == 0 and not window.netcheck.run_button.isEnabled()
    window.session.open(project_path)
    assert window.netcheck.results.topLevelItemCount() == count > 0
    assert window.netcheck.charger_ip.text() == CHARGER_IP
    assert window.netcheck.summary.text().startswith("Checked ")
