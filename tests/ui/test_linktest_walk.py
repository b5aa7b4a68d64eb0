"""A survey walk with "Link test at each point" on, against echo servers this test starts on
127.0.0.1 (the gateway and its probe are injected): samples taken by clicks on the plan, each
link result stored with its sample and in the file, the loss and latency layers built from
them as they arrive, the measured link in the live readout and the Analysis panel, hanging
probes that end at their timeout with the sample kept, Cancel, undo, and a UI thread that
never stops for more than 50 ms (the longest gap between the ticks of a 1 ms timer)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from fakes.lossy_servers import Impairment, udp_echo_server
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer

from survey.analysis.map_layer import LayerKind
from survey.demo import build_demo_project
from survey.netcheck import point_linktest
from survey.netcheck.point_linktest import LINK_TEST_SETTING, POINT_COUNT, WALK_NOTE, PointLinkTest
from survey.project.link import ProbeKind
from survey.project.store import ProjectStore
from survey.scan.simulated import SimulatedScanner
from survey.ui import linktest_option
from survey.ui.compose import Feature, install_features
from survey.ui.main_window import MainWindow
from survey.ui.survey_heatmap import FLASH_MS

FEATURES = {Feature.SURVEY, Feature.ANALYSIS, Feature.LINK_TEST}
#: Faster than the real schedule (100 ms apart, 1 s reply window) so the suite stays quick, and
#: still longer (1.5 s) than a sample's own confirmation on screen (FLASH_MS).
COUNT, INTERVAL_S, REPLY_TIMEOUT_S = 40, 0.03, 0.3
#: DESIGN.md performance budget: the UI thread is never blocked for more than this.
UI_BLOCK_BUDGET_S = 0.050
#: After a test ends the window settles before the next click, so the time the test script
#: itself spends on the UI thread (its next click) is not counted in the link test's.
SETTLE_MS = 300


@pytest.fixture
def demo_path(tmp_path):
    path = tmp_path / "demo.evsurvey"
    build_demo_project(path).close()
    return path


@pytest.fixture
def window(qtbot, demo_path, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, scanner_name="simulated")
    install_features(win, FEATURES)
    qtbot.addWidget(win)
    win.session.open(demo_path)
    win.resize(1280, 820)
    win.show()
    qtbot.waitExposed(win)
    win.view.fit_to_site()
    win.activate_tool("survey")
    controller = win.survey.controller
    controller.set_scanner(SimulatedScanner(win.session.project, delay_s=0.0))
    controller.settings = replace(controller.settings, scans_per_point=1, timeout_s=5.0)
    win.show_side_panel(win.survey.panel)
    yield win
    win.linktest.cancel()
    controller.cancel()


def spec_for(port: int, **kw) -> PointLinkTest:
    """The link test aimed at a UDP echo server on loopback standing in for the gateway."""
    return PointLinkTest(
        **{
            "gateway": "127.0.0.1",
            "probe": ProbeKind.UDP_ECHO,
            "port": port,
            "count": COUNT,
            "interval_s": INTERVAL_S,
            "reply_timeout_s": REPLY_TIMEOUT_S,
            **kw,
        }
    )


def click_site(qtbot, win, x_m, y_m):
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=win.view.site_to_viewport(x_m, y_m))


def turn_on(qtbot, win) -> None:
    box = win.linktest.enabled
    win.survey.panel.parentWidget().parentWidget().ensureWidgetVisible(box)  # the panel's scroll area
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on the tick box
    assert box.isChecked() and win.session.project.settings[LINK_TEST_SETTING] is True


def sample_here(qtbot, win, x_m, y_m) -> str:
    """Click where the laptop stands, wait for the sample and for its link test; what the
    installer was told about the test."""
    option, samples = win.linktest, win.session.project.active_survey.samples
    with qtbot.waitSignal(option.finished, timeout=15000) as told:
        click_site(qtbot, win, x_m, y_m)
        qtbot.waitUntil(lambda: len(win.session.project.active_survey.samples) == len(samples) + 1, timeout=5000)
        assert option.running  # the sample is stored before the test is over
    qtbot.wait(SETTLE_MS)
    return told.args[0]


def stored(path):
    with ProjectStore.open(path, read_only=True) as store:
        return store.load().active_survey.samples


def choose_layer(qtbot, win, kind: LayerKind) -> None:
    combo = win.survey.panel.layer_combo
    combo.setCurrentIndex(combo.findData(kind.value))
    controller = win.survey.controller
    qtbot.waitUntil(lambda: controller.layer is not None and controller.layer.kind is kind, timeout=10000)


class GapMeter:
    """A 1 ms timer on the UI thread: the longest gap between two of its ticks is the longest
    time the UI thread was busy with something else. Only gaps that begin while ``during()``
    is true count (``longest_any_s`` has them all)."""

    def __init__(self, during=lambda: True):
        self.during = during
        self.counting = during()
        self.last = time.perf_counter()
        self.longest_s = self.longest_any_s = 0.0
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self):
        now = time.perf_counter()
        if self.counting:
            self.longest_s = max(self.longest_s, now - self.last)
        self.longest_any_s = max(self.longest_any_s, now - self.last)
        self.last = now
        self.counting = self.during()
        self.ticks += 1

    def stop(self):
        self.timer.stop()


def link_test_meter(win) -> GapMeter:
    """A gap meter that counts while a link test runs, up to and including the attaching of
    its result, from the moment its sample's own confirmation is over: storing the sample,
    redrawing the per-sample views and the ring that grows at the new sample
    (survey.ui.survey_heatmap.FLASH_MS) are the survey walk's, with or without link tests."""
    started = [0.0]
    win.linktest.started.connect(lambda _n: started.__setitem__(0, time.perf_counter()))
    return GapMeter(lambda: win.linktest.running and time.perf_counter() - started[0] >= FLASH_MS / 1000)


def test_a_walk_with_link_tests_stores_them_maps_them_and_never_blocks_the_ui(qtbot, window, demo_path):
    charger = window.session.project.charger
    spots = [(2.0, 2.0), (5.0, 2.5), (3.5, 5.0), (charger.x_m - 0.4, charger.y_m)]
    turn_on(qtbot, window)
    assert f"{POINT_COUNT} round trips to the gateway, about 4 s per point" in window.linktest.note.text()
    with (
        udp_echo_server(Impairment(delays_s=(0.004,))) as clean,
        udp_echo_server(Impairment(drop_share=0.2, delays_s=(0.03, 0.09))) as lossy,
    ):
        window.linktest.spec = spec_for(clean)
        sample_here(qtbot, window, *spots[0])  # warms the analysis imports before the UI is timed
        meter = link_test_meter(window)
        told = [sample_here(qtbot, window, *xy) for xy in spots[1:3]]
        # While a test runs the next click waits: a scan would disturb the round trips.
        window.linktest.spec = spec_for(lossy)
        messages: list[str] = []
        window.survey.controller.message.connect(messages.append)
        with qtbot.waitSignal(window.linktest.finished, timeout=15000):
            click_site(qtbot, window, *spots[3])
            qtbot.waitUntil(lambda: window.linktest.running, timeout=5000)
            assert window.linktest.progress.isVisible() and window.linktest.cancel_button.isEnabled()
            click_site(qtbot, window, 6.0, 6.0)
            assert any("still running" in m for m in messages)
        qtbot.waitUntil(
            lambda: (
                window.survey.controller.layer is not None
                and window.survey.controller.layer.analysis is not None
                and bool(window.survey.controller.layer.analysis.verdict.link_words)
            ),
            timeout=10000,
        )
        meter.stop()
    print(
        f"longest UI-thread gap: {meter.longest_s * 1000:.0f} ms during the link tests, "
        f"{meter.longest_any_s * 1000:.0f} ms in the whole walk"
    )
    assert all(t.startswith("Link test at sample") and ": GOOD, 0 % loss" in t for t in told), told
    assert meter.ticks > 100
    assert meter.longest_s < UI_BLOCK_BUDGET_S, f"the UI thread stopped for {meter.longest_s * 1000:.0f} ms"

    # Each sample holds its link test, in memory and in the file.
    samples = window.session.project.active_survey.samples
    assert len(samples) == 4
    assert [round(s.link.gateway.loss_pct) for s in samples] == [0, 0, 0, 20]
    assert all(s.link.gateway.address == "127.0.0.1" and s.link.gateway.probe is ProbeKind.UDP_ECHO for s in samples)
    assert samples[3].link.gateway.rtt_median_ms >= 30
    in_file = stored(demo_path)
    assert [s.link.gateway.received for s in in_file] == [COUNT, COUNT, COUNT, COUNT * 4 // 5]

    # The loss and latency layers show them, and follow a new test.
    choose_layer(qtbot, window, LayerKind.LOSS)
    layer = window.survey.controller.layer
    assert layer.rgba is not None and layer.layer.n_points == 4
    assert layer.value_at(*spots[3]) == pytest.approx(20.0) and layer.value_at(*spots[0]) == 0.0
    assert window.survey.panel.legend.isVisible()
    window.linktest.spec = spec_for(clean)
    with udp_echo_server(Impairment(delays_s=(0.004,))) as clean:
        window.linktest.spec = spec_for(clean)
        sample_here(qtbot, window, 7.0, 4.0)
    qtbot.waitUntil(
        lambda: window.survey.controller.layer.layer is not None and window.survey.controller.layer.layer.n_points == 5,
        timeout=10000,
    )
    choose_layer(qtbot, window, LayerKind.LATENCY)
    latency = window.survey.controller.layer
    assert latency.rgba is not None and latency.value_at(*spots[3]) >= 30

    # The verdict at the charger uses the link measured there: the live readout and the
    # Analysis panel say it in the analysis' words.
    words = latency.analysis.verdict.link_words
    assert words.startswith("20 % loss, p95")
    assert f"Link measured there: {words}" in window.survey.panel.charger_readout.text()
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.resultApplied, timeout=20000):
        window.show_side_panel(panel)
    assert panel.verdict_label.text().startswith("POOR") and words in panel.verdict_label.text()
    assert f"Measured at the charger: {words}" in panel.verdict_detail.text()


def test_hanging_probes_end_at_their_timeout_and_the_sample_is_kept(qtbot, window, demo_path, monkeypatch):
    monkeypatch.setattr(linktest_option, "WATCHDOG_GRACE_S", 0.2)
    turn_on(qtbot, window)
    # A gateway that answers nothing: every probe waits out its reply window; 100 % loss is a result.
    with udp_echo_server(Impairment(drop_share=1.0)) as black_hole:
        window.linktest.spec = spec_for(black_hole, count=10)
        started = time.monotonic()
        told = sample_here(qtbot, window, 2.0, 2.0)
        elapsed = time.monotonic() - started
    assert "POOR, no answer to 10 probes" in told
    assert elapsed < 10 * INTERVAL_S + REPLY_TIMEOUT_S + 1.5
    assert stored(demo_path)[-1].link.gateway.loss_pct == 100.0

    # A probe stuck where it cannot be interrupted (its socket never opens): the test ends at
    # its deadline and says so; the sample stays, without a link result.
    release = threading.Event()

    def stuck_socket():
        release.wait(30)
        raise OSError("released")

    window.linktest.spec = spec_for(
        None, probe=ProbeKind.ICMP_ECHO, open_icmp=stuck_socket, count=10, reply_timeout_s=0.15
    )
    started = time.monotonic()
    told = sample_here(qtbot, window, 4.0, 2.0)
    elapsed = time.monotonic() - started
    assert "not measured" in told and "did not finish within" in told and "The sample is kept" in told
    assert elapsed < window.linktest.spec.deadline_s + 2.0
    assert stored(demo_path)[-1].link is None and len(stored(demo_path)) == 2

    # A gateway lookup that hangs: the window stops waiting at the deadline and gives the
    # next point a fresh worker.
    monkeypatch.setattr(point_linktest, "GATEWAY_LOOKUP_S", 0.0)
    window.linktest.spec = spec_for(
        None, gateway=None, find_gateway=lambda: release.wait(30) and "127.0.0.1", count=10, reply_timeout_s=0.15
    )
    old_worker = window.linktest.worker
    started = time.monotonic()
    told = sample_here(qtbot, window, 6.0, 2.0)
    elapsed = time.monotonic() - started
    release.set()
    assert "did not finish within" in told and "was stopped" in told and "The sample is kept" in told
    assert window.linktest.spec.longest_s < elapsed < window.linktest.spec.longest_s + 1.5
    assert window.linktest.worker is not old_worker
    assert len(stored(demo_path)) == 3 and stored(demo_path)[-1].link is None
    with udp_echo_server() as echo:
        window.linktest.spec = spec_for(echo, count=10)
        assert ": GOOD" in sample_here(qtbot, window, 7.0, 3.0)


def test_cancel_keeps_the_sample_and_undo_takes_the_link_with_it(qtbot, window, demo_path):
    turn_on(qtbot, window)
    with udp_echo_server() as echo:
        window.linktest.spec = spec_for(echo, count=200, interval_s=0.05)
        with qtbot.waitSignal(window.linktest.finished, timeout=5000) as told:
            click_site(qtbot, window, 2.0, 2.0)
            qtbot.waitUntil(lambda: window.linktest.running, timeout=5000)
            qtbot.wait(300)
            qtbot.mouseClick(window.linktest.cancel_button, Qt.MouseButton.LeftButton)
        assert "cancelled" in told.args[0] and not window.linktest.progress.isVisible()
        assert stored(demo_path)[-1].link is None

        window.linktest.spec = spec_for(echo)
        sample_here(qtbot, window, 3.0, 3.0)
    stack = window.session.undo_stack
    assert stack.undoText() == "Link test at sample 2"
    stack.undo()  # the link test
    assert window.session.project.active_survey.samples[-1].link is None and stored(demo_path)[-1].link is None
    stack.undo()  # the sample
    assert len(stored(demo_path)) == 1
    stack.redo()
    stack.redo()  # the sample comes back under a new id, and its link test with it
    assert stored(demo_path)[-1].link.gateway.received == COUNT
    assert window.session.project.active_survey.samples[-1].link.gateway.received == COUNT


def test_no_link_test_in_a_continuous_walk_and_the_setting_is_the_projects(qtbot, window, demo_path):
    turn_on(qtbot, window)
    qtbot.mouseClick(window.survey.panel.walk_mode, Qt.MouseButton.LeftButton)
    assert window.linktest.note.text() == WALK_NOTE
    window.survey.controller.set_scanner(SimulatedScanner(window.session.project, delay_s=0.05))
    started: list[int] = []
    window.linktest.started.connect(started.append)
    click_site(qtbot, window, 2.0, 2.0)
    qtbot.wait(400)
    click_site(qtbot, window, 6.0, 2.0)
    qtbot.keyClick(window.view, Qt.Key.Key_Return)  # the end of the walk
    qtbot.waitUntil(
        lambda: not window.survey.controller.runner.busy and not window.survey.controller.walking, timeout=5000
    )
    walked = window.session.project.active_survey.samples
    assert walked and all(s.link is None for s in walked) and not started
    qtbot.mouseClick(window.survey.panel.point_mode, Qt.MouseButton.LeftButton)
    assert "round trips to the gateway" in window.linktest.note.text()
    window.session.close()
    assert not window.linktest.enabled.isChecked() and not window.linktest.enabled.isEnabled()
    window.session.open(demo_path)
    assert window.linktest.enabled.isChecked()  # kept in the project, not in this laptop's settings
    with ProjectStore.open(demo_path, read_only=True) as store:
        assert store.load().settings[LINK_TEST_SETTING] is True
