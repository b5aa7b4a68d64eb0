"""Untrusted text in the PDF: escaping, control characters, font fallback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from survey.project.display import SsidText
from survey.project.model import Observation, TargetNetwork
from survey.report import colormap
from survey.report.fonts import (
    BODY_FONT,
    CJK_FONT,
    REPLACEMENT_CHAR,
    clean_text,
    font_runs,
    safe_markup,
    string_width,
    truncate,
)
from survey.report.redact import HIDDEN_BSSID, Redactor
from survey.report.styles import styles

HOSTILE = ["<font size=80>BIG</font>", "Tom &amp; Jerry", "line<br/>break", "<b>unbalanced", "&lt;", "]]>"]


def _plain(markup: str) -> str:
    para = Paragraph(markup, styles()["body"])
    return "".join(getattr(frag, "text", "") for frag in para.frags)


@pytest.mark.parametrize("ssid", HOSTILE)
def test_markup_in_ssid_is_printed_literally(ssid):
    markup = safe_markup(ssid)
    assert _plain(markup) == ssid
    para = Paragraph(markup, styles()["body"])
    assert all(f.fontSize == styles()["body"].fontSize for f in para.frags)


def test_control_and_format_characters_are_shown_as_escapes_not_dropped():
    """Issue 21: the PDF printed "evil\u202etxt.exe" as "eviltxt.exe"; now every invisible
    character is printed as its escape, by the one display rule (survey.project.display)."""
    assert clean_text("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert clean_text("tab\there\nnew") == "tab here new"  # prose: line breaks are spaces
    assert clean_text(SsidText("tab\there\nnew")) == "tab\\x09here\\x0anew"  # an SSID: exact
    assert clean_text("bad\udcffbytes") == "bad\\xffbytes"
    assert clean_text(b"raw\xffbytes") == "raw\\xffbytes"
    assert clean_text("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert clean_text(SsidText("Home ")) == "Home\\x20" and clean_text("Smith ") == "Smith "
    assert clean_text(None) == ""


def test_cjk_runs_use_the_cjk_font_and_emoji_are_escaped():
    runs = font_runs("Wi-Fi 中文 📶🦄 Café")
    fonts = [r.font for r in runs]
    assert CJK_FONT in fonts and BODY_FONT in fonts
    text = "".join(r.text for r in runs)
    assert "中文" in text and "Café" in text
    assert "\\U0001f4f6\\U0001f984" in text and REPLACEMENT_CHAR not in text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_survives(text):
    markup = safe_markup(text)
    para = Paragraph(markup, styles()["body"])
    para.wrap(200, 1000)
    assert string_width(text, 8) >= 0
    assert truncate(text, 8, 60) is not None


def test_truncate_fits_and_is_escaped_once_when_drawn():
    long = "very long network name " * 5
    short = truncate(long, 8, 80)
    assert short.endswith("…") and string_width(short, 8) <= 80
    hostile = "evil\u202e" * 40
    cut = truncate(hostile, 8, 80)
    assert hostile.startswith(cut[:-1]) and string_width(cut, 8) <= 80
    assert "\\\\" not in clean_text(cut)  # the caller's draw_string escapes it once, not twice
    ssid = truncate(SsidText("tab\there" * 20), 8, 60)
    assert isinstance(ssid, SsidText) and "\\x09" in clean_text(ssid)


def test_truncate_is_linear():
    import time

    start = time.process_time()
    truncate("evil\u202e" * 40_000, 8, 200)
    assert time.process_time() - start < 5.0


def test_colormap_bands_are_distinct_at_thresholds():
    below_good = colormap.rssi_to_rgb(-65.01)
    at_good = colormap.rssi_to_rgb(-65.0)
    below_loss = colormap.rssi_to_rgb(-75.01)
    at_loss = colormap.rssi_to_rgb(-75.0)
    assert abs(below_good - at_good).sum() > 0.3
    assert abs(below_loss - at_loss).sum() > 0.3
    assert (colormap.rssi_to_rgb(float("nan")) == 1.0).all()
    pos, rgba = colormap.colormap_stops(-90, -40, 64)
    assert pos.shape == (64,) and rgba.shape == (64, 4) and rgba.dtype.name == "uint8"


def test_heatmap_image_fades_toward_white():
    img = colormap.heatmap_rgb([[-50.0, -50.0]], [[1.0, 0.0]])
    assert tuple(img[0, 1]) == (255, 255, 255)
    assert tuple(img[0, 0]) != (255, 255, 255)


def test_redactor_hides_neighbours_only():
    target = TargetNetwork("Mine")
    mine = Observation("aa:aa:aa:aa:aa:aa", "Mine", -50.0)
    other = Observation("bb:bb:bb:bb:bb:bb", "Neighbour <b>", -70.0)
    other2 = Observation("cc:cc:cc:cc:cc:cc", "Another", -80.0)
    r = Redactor(target, enabled=True)
    r.note_own([mine, other])
    assert r.ssid(mine) == "Mine" and r.bssid(mine) == "aa:aa:aa:aa:aa:aa"
    assert r.ssid(other) == "Neighbour network 1" and r.bssid(other) == HIDDEN_BSSID
    assert r.ssid(other2) == "Neighbour network 2" and r.ssid(other) == "Neighbour network 1"
    assert r.text("heard aa:aa:aa:aa:aa:aa and BB:BB:BB:BB:BB:BB") == f"heard aa:aa:aa:aa:aa:aa and {HIDDEN_BSSID}"
    off = Redactor(target, enabled=False)
    assert off.ssid(other) == "Neighbour <b>" and off.bssid(other) == "bb:bb:bb:bb:bb:bb"
