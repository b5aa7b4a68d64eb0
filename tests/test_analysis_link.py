"""Link tests in the analysis: the verdict at the charger uses the measured loss and round
trip, the loss/latency maps, and the PDF's link section."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from pypdf import PdfReader

from survey.analysis.map_layer import LayerKind
from survey.analysis.survey_analysis import analyse_survey
from survey.demo import demo_project, walk_points_m
from survey.project.link import LinkTest, LinkTestResult, ProbeKind
from survey.project.model import Sample, SampleMode, Survey
from survey.report import build_report
from survey.scan.simulated import SimulatedScanner


def link(loss_pct: float, p95_ms: float) -> LinkTest:
    sent = 50
    received = round(sent * (1 - loss_pct / 100))
    return LinkTest(
        (
            LinkTestResult(
                "gateway",
                "192.0.2.1",
                ProbeKind.ICMP_ECHO,
                None,
                sent,
                received,
                p95_ms / 2,
                p95_ms,
                3.0,
                time.time(),
                5.0,
            ),
        )
    )


@pytest.fixture(scope="module")
def base():
    """The demo site walked, a sample taken on the charger's spot."""
    project = demo_project()
    scanner = SimulatedScanner(project, delay_s=0.0, seed=2)
    charger = project.charger
    points = [tuple(p) for p in walk_points_m(step_m=1.6)] + [(charger.x_m + 0.2, charger.y_m)]
    samples = []
    for i, (x, y) in enumerate(points):
        scanner.move_to(float(x), float(y))
        samples.append(Sample(float(x), float(y), time.time(), (scanner.scan(),), SampleMode.POINT, id=i + 1))
    return replace(project, surveys=(Survey("Before", time.time(), tuple(samples), id=1),), active_survey_id=1)


def with_links(project, at_charger: LinkTest | None, elsewhere: LinkTest | None = None):
    survey = project.surveys[0]
    samples = list(survey.samples)
    samples[-1] = replace(samples[-1], link=at_charger)
    if elsewhere is not None:
        samples[:5] = [replace(s, link=elsewhere) for s in samples[:5]]
    return replace(project, surveys=(replace(survey, samples=tuple(samples)),))


def test_a_lossy_link_at_the_charger_lowers_the_verdict(base):
    plain = analyse_survey(base).verdict
    assert plain.link_words == ""
    lossy = analyse_survey(with_links(base, link(12.0, 180.0))).verdict
    assert lossy.status == "POOR"  # 12 % loss: more than the 5 % a WebSocket survives
    assert lossy.rssi_at_charger_dbm == plain.rssi_at_charger_dbm  # the signal number stays the number
    assert "12 % loss, p95 180 ms" in lossy.explanation and lossy.link_words == "12 % loss, p95 180 ms"
    assert lossy.to_json()["link_at_charger"] == "12 % loss, p95 180 ms"


def test_a_clean_link_never_raises_a_weak_signal(base):
    plain = analyse_survey(base).verdict
    clean = analyse_survey(with_links(base, link(0.0, 5.0))).verdict
    assert clean.status == plain.status


def test_loss_and_latency_maps_come_from_the_link_tests(base):
    project = with_links(base, link(12.0, 180.0), elsewhere=link(0.0, 8.0))
    a = analyse_survey(project)
    loss, latency = a.layer(LayerKind.LOSS), a.layer(LayerKind.LATENCY)
    assert loss.n_points == latency.n_points == 6 and loss.kind.unit == "%" and latency.kind.unit == "ms"
    charger = project.charger
    assert loss.value_at(charger.x_m, charger.y_m) == pytest.approx(12.0)
    assert latency.value_at(charger.x_m, charger.y_m) == pytest.approx(180.0)
    assert analyse_survey(base).layer(LayerKind.LOSS) is None
    assert "link test" in analyse_survey(base).why_no_layer(LayerKind.LOSS)


def test_the_report_prints_the_link_figures_and_maps(base, tmp_path):
    out = tmp_path / "link.pdf"
    result = build_report(with_links(base, link(12.0, 180.0), elsewhere=link(0.0, 8.0)), out)
    assert "Link tests" in result.sections
    text = " ".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "12 % loss, p95 180 ms" in text and "Packet loss (%)" in text
