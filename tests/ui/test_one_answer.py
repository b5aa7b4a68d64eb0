"""One survey, one answer: the charger verdict, its dBm, the map method and every option's
predicted value read the same in the Analysis panel, the live-map readout, the Compare
view, ``evsurvey recommend --json`` and the PDF — at three sample densities."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from survey.cli import main
from survey.demo import run_headless
from survey.project.store import ProjectStore
from survey.project.units import format_dbm


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """The demo walked Before, fixed with the recommended mesh node, walked After."""
    out = tmp_path_factory.mktemp("demo")
    summary = run_headless(out, report=False)
    assert summary.applied_fix == "Mesh node"
    return summary.project_path


def thinned(demo_file, tmp_path, every: int):
    """A copy of the demo project keeping one sample in ``every`` of each survey."""
    with ProjectStore.open(demo_file, read_only=True) as store:
        project = store.load()
    surveys = tuple(
        replace(s, id=None, samples=tuple(replace(x, id=None) for x in s.samples[::every])) for s in project.surveys
    )
    path = tmp_path / f"demo-1-in-{every}.evsurvey"
    ProjectStore.create(path, replace(project, surveys=surveys, active_survey_id=None)).close()
    return path


def cli_json(capsys, *args) -> dict:
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def choose_phase(qtbot, window, name: str) -> None:
    """Pick a survey phase in the Survey panel's combo the way a person does: with the keyboard."""
    combo = window.survey.panel.phase
    window.show_side_panel(window.survey.panel)
    target = next(i for i in range(combo.count()) if combo.itemText(i).startswith(name))
    combo.setFocus()
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)
    qtbot.waitUntil(lambda: window.session.project.active_survey.name == name, timeout=5000)


@pytest.mark.parametrize("every", [1, 2, 4])
def test_every_consumer_reads_the_same_numbers(every, demo_file, tmp_path, capsys, make_window, qtbot):
    path = thinned(demo_file, tmp_path, every)
    before = cli_json(capsys, "recommend", str(path), "--survey", "Before", "--json")
    after = cli_json(capsys, "recommend", str(path), "--survey", "After", "--json")
    pdf = tmp_path / "report.pdf"
    report = cli_json(capsys, "report", str(path), "-o", str(pdf), "--json")
    text = pdf_text(pdf)
    flat = squash(text)

    def charger(rec: dict) -> str:
        return format_dbm(rec["verdict"]["rssi_at_charger_dbm"])

    # The PDF: the cover speaks of After, the before/after table and the ladder of Before.
    cover = squash(text[: text.index("Summary")])
    assert squash(f"{after['verdict']['status']}:") in cover and squash(charger(after)) in cover
    assert squash(after["map"]["words"]) in cover
    comparison = report["comparison"]
    assert comparison["charger_rssi_before_dbm"] == before["verdict"]["rssi_at_charger_dbm"]
    assert comparison["charger_rssi_after_dbm"] == after["verdict"]["rssi_at_charger_dbm"]
    assert squash(f"{before['verdict']['status']} {charger(before)}") in flat
    assert squash(before["map"]["words"]) in flat
    for option in before["options"]:
        if option["predicted_charger_rssi_dbm"] is not None:
            assert squash(format_dbm(option["predicted_charger_rssi_dbm"])) in flat, option["kind"]

    # The window: Analysis panel, live-map readout and Compare view, for each phase.
    window = make_window()
    assert window.open_project(path)
    qtbot.waitUntil(
        lambda: hasattr(window, "analysis_panel") and hasattr(window, "survey") and hasattr(window, "compare_view"),
        timeout=20000,
    )
    panel, survey_panel = window.analysis_panel, window.survey.panel
    for rec in (before, after):
        choose_phase(qtbot, window, rec["survey"])
        window.show_side_panel(survey_panel)
        expected_readout = f"At the charger: {rec['verdict']['status']} {charger(rec)} ({rec['map']['words']};"
        qtbot.waitUntil(lambda text=expected_readout: text in survey_panel.charger_readout.text(), timeout=30000)
        assert rec["map"]["words"] in survey_panel.map_info.text()
        with qtbot.waitSignal(panel.resultApplied, timeout=30000):
            window.show_side_panel(panel)
            panel.refresh_button.click()
        assert panel.verdict_label.text() == f"{rec['verdict']['status']}  {charger(rec)}"
        assert rec["map"]["words"] in panel.verdict_detail.text()
        items = [panel.options_list.item(i).text() for i in range(panel.options_list.count())]
        for item, option in zip(items, rec["options"]):
            if option["predicted_charger_rssi_dbm"] is not None:
                assert format_dbm(option["predicted_charger_rssi_dbm"]) in item
    compare = window.compare_view
    with qtbot.waitSignal(compare.computed, timeout=30000):
        window.compare_dock.show()
        compare.refresh()
    numbers = compare.numbers.text()
    assert (
        f"{before['verdict']['status']} {charger(before)} -> {after['verdict']['status']} {charger(after)}" in numbers
    )
    assert before["map"]["words"] in numbers and after["map"]["words"] in numbers
