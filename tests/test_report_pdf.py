"""The PDF report: opens with pypdf, has its sections, prints hostile SSIDs literally, embeds
its fonts, hides neighbours when asked, and prints the analysis layer's before/after numbers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.report.garage import HOSTILE_SSIDS, NEIGHBOUR_BSSIDS, ROUTER_BSSID, make_project  # noqa: E402

from survey.analysis.compare import compare_surveys  # noqa: E402
from survey.errors import UserInputError  # noqa: E402
from survey.project.display import SsidText  # noqa: E402
from survey.report import build_report  # noqa: E402
from survey.report.fonts import clean_text  # noqa: E402
from survey.report.plan import level_layer, rssi_layer  # noqa: E402

SECTIONS = (
    "Summary",
    "Signal map",
    "2.4 GHz channels",
    "Findings and recommendation",
    "Before and after",
    "Difference map",
    "Network checklist",
    "Troubleshooting",
    "Appendix: samples",
)


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def project():
    return make_project()


@pytest.fixture(scope="module")
def report(project, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    result = build_report(project, out)
    return result, _text(out)


def test_pdf_opens_and_has_sections(report):
    result, text = report
    reader = PdfReader(str(result.path))
    assert len(reader.pages) == result.pages >= 6
    for section in SECTIONS:
        assert section in result.sections
        assert section in text
    outline_titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Summary" in outline_titles


def test_cover_has_site_and_verdict(report):
    _, text = report
    first = text[: text.index("Summary")]
    assert "Ann Installer" in first and "1 Test Road" in first
    assert "Zoë <i>O'Brien</i> & 李" in first  # markup in the customer name printed literally
    assert re.search(r"(GOOD|MARGINAL|POOR):", first)


@pytest.mark.parametrize("ssid", [s for s in HOSTILE_SSIDS])
def test_hostile_ssids_printed_literally(report, ssid):
    _, text = report
    # The one display rule: invisible characters and those no bundled font has (emoji) are
    # printed as escapes, exactly as the report's SSID cells receive them.
    expected = clean_text(SsidText(ssid))
    assert _squash(expected) in _squash(text)


def test_fonts_are_embedded(report):
    result, _ = report
    reader = PdfReader(str(result.path))
    names, embedded = set(), set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            names.add(str(font.get("/BaseFont")))
            if descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                embedded.add(str(font.get("/BaseFont")))
    assert names and names == embedded, f"not embedded: {names - embedded}"
    assert not any("Helvetica" in n for n in names)


def test_redacted_report_has_no_neighbour_bssid_or_ssid(project, tmp_path):
    out = tmp_path / "redacted.pdf"
    build_report(project, out, redact_neighbors=True)
    text = _text(out)
    raw = out.read_bytes()
    for bssid in NEIGHBOUR_BSSIDS:
        assert bssid not in text and bssid.encode() not in raw
    assert "Neighbour network 1" in text
    assert "BIG</font>" not in text and "中文网络" not in text
    assert ROUTER_BSSID in text  # the customer's own network stays readable
    assert "Home-Net" in text


def test_before_after_numbers_match_the_analysis_layer(project, report):
    result, text = report
    comparison = compare_surveys(project, project.surveys[0], project.surveys[1])
    assert result.comparison.as_dict() == comparison.as_dict()
    assert f"{comparison.coverage_good_pct_before:.0f} %" in text
    assert f"{comparison.coverage_good_pct_after:.0f} %" in text
    assert f"{comparison.charger_delta_db:+.1f} dB" in text
    assert f"{comparison.charger_rssi_before_dbm:.1f} dBm" in text
    assert f"{comparison.charger_rssi_after_dbm:.1f} dBm" in text


def test_engineer_appendix_names_the_exact_methods(project, report):
    """People read plain words; the engineer's appendix carries the exact method and model."""
    from survey.analysis.survey_analysis import analyse_survey

    result, text = report
    assert "Appendix: how the maps were made" in result.sections
    engineer = _squash(text[text.index("Appendix: how the maps were made") :])
    for survey in project.surveys:
        a = analyse_survey(project, survey)
        assert _squash(f"{a.map_method} ({a.map_words})") in engineer
        assert _squash(a.model.source) in engineer
    assert _squash("standard deviation of the map") in engineer  # the "how sure" map


def test_letter_paper_and_feet(tmp_path):
    out = tmp_path / "letter.pdf"
    build_report(make_project(with_after=False, units="ft", north_deg=None), out, paper="Letter")
    reader = PdfReader(str(out))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    text = _text(out)
    assert " ft" in text and "Before and after" not in text


def test_bad_options_are_user_errors(project, tmp_path):
    with pytest.raises(UserInputError):
        build_report(project, tmp_path / "x.pdf", paper="A3")
    with pytest.raises(UserInputError):
        build_report(project, tmp_path / "missing-dir" / "x.pdf")
    with pytest.raises(UserInputError):
        build_report(project, tmp_path / "x.pdf", survey="No such survey")
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".evsurvey-report-*"))


def test_empty_project_still_makes_a_report(tmp_path):
    from survey.project.model import Project

    out = tmp_path / "empty.pdf"
    result = build_report(Project(), out)
    assert result.pages >= 3 and "Summary" in _text(out)


def test_cli_report(project, tmp_path, capsys):
    from dataclasses import replace

    from survey.cli import main
    from survey.project.store import ProjectStore

    path = tmp_path / "site.evsurvey"
    # the store cannot hold lone surrogates (undecodable SSID bytes) yet; the report can
    storable = replace(
        project,
        surveys=tuple(
            replace(
                s,
                samples=tuple(
                    replace(
                        x,
                        scans=tuple(
                            replace(sc, observations=tuple(o for o in sc.observations if "\udcff" not in o.ssid))
                            for sc in x.scans
                        ),
                    )
                    for x in s.samples
                ),
            )
            for s in project.surveys
        ),
    )
    ProjectStore.create(path, storable).close()
    out = tmp_path / "cli.pdf"
    code = main(
        [
            "report",
            str(path),
            "-o",
            str(out),
            "--paper",
            "letter",
            "--redact-neighbors",
            "--compare",
            "Before",
            "After",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pages"] >= 6 and data["comparison"]["after"] == "After"
    assert out.exists()
    code = main(["report", str(path), "-o", str(out), "--compare", "Before", "Nope"])
    assert code == 2


def test_cover_verdict_is_the_analysis_layers(project, report):
    """The PDF, the GUI and `evsurvey recommend` tell one story: the same verdict, and the
    charger figure the before/after table prints. With a before and an after survey the
    cover speaks of the site as it is now: the after."""
    from survey.analysis.recommend import recommend

    result, text = report
    assert project.active_survey.name == "Before"  # the cover must not follow the active survey
    rec = recommend(project, project.surveys[-1])
    assert result.comparison.charger_rssi_after_dbm == rec.verdict.rssi_at_charger_dbm
    first = _squash(text[: text.index("Summary")])
    assert f"{rec.verdict.status}:" in first
    assert _squash(f"gets {rec.verdict.rssi_at_charger_dbm:.1f} dBm") in first


def test_a_layer_without_alpha_is_drawn_unfaded():
    """A map layer's alpha None (the model's maps) draws like an alpha of 1 everywhere."""
    values = np.array([[-50.0, -70.0], [np.nan, -80.0]])
    ones, extent = np.ones_like(values), (0.0, 0.0, 2.0, 2.0)
    assert np.array_equal(rssi_layer(values, None, extent).rgba, rssi_layer(values, ones, extent).rgba)
    assert np.array_equal(
        level_layer(values, None, extent, 1.0, 5.0).rgba, level_layer(values, ones, extent, 1.0, 5.0).rgba
    )
