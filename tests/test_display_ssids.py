"""Issue 21, "Look-alike SSIDs": one display rule for every surface.

The hostile-SSID corpus (markup, emoji, RTL override, invisible and tag characters, ESC,
NUL, bytes that are not UTF-8) is distinguishable and literal in the CLI table, exact in
JSON, escaped in ``evsurvey info`` and ``recommend``, and printed in the PDF with glyphs
its embedded fonts have (no empty boxes); the GUI's tables, chart and window title are
tested in tests/ui/test_scan_drop.py.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from fakes.hostile_scans import GENUINE_SSID, HOSTILE_SSIDS, hostile_wpa_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.cli import main
from survey.project.display import (
    HIDDEN_SSID,
    SsidText,
    display_ssid,
    escape_ssid,
    escape_text,
    is_invisible,
    ssid_text,
)
from survey.scan.observations import build_observation
from survey.scan.parsers import parse_text

sys.path.insert(0, str(Path(__file__).parent))


def unescape(shown: str) -> str:
    """The inverse of the display rule's escapes (what a reader of the escaped text can recover)."""
    out, i = [], 0
    while i < len(shown):
        if shown[i] == "\\" and i + 1 < len(shown):
            nxt = shown[i + 1]
            if nxt == "\\":
                out.append("\\")
                i += 2
                continue
            digits = {"x": 2, "u": 4, "U": 8}.get(nxt)
            tail = shown[i + 2 : i + 2 + digits] if digits else ""
            if digits and len(tail) == digits and all(c in "0123456789abcdefABCDEF" for c in tail):
                cp = int(tail, 16)
                out.append(chr(0xDC00 + cp) if nxt == "x" and cp >= 0x80 else chr(cp))
                i += 2 + digits
                continue
        out.append(shown[i])
        i += 1
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)
        | st.sampled_from(list("\\xuU0123456789abcdef \u202e\u200b\ufeff\x85\udcff")),
        max_size=30,
    )
)
def test_the_rule_is_injective_and_leaves_nothing_invisible(text):
    for shown in (escape_text(text), escape_ssid(text)):
        if shown != "\\x28" + HIDDEN_SSID[1:]:
            assert unescape(shown) == text
        assert not any(is_invisible(c) for c in shown if c != " ")
    assert not escape_ssid(text).startswith(" ") and not escape_ssid(text).endswith(" ")


@pytest.mark.parametrize(
    "ch",
    [
        "\u061c",
        "\u2060",
        "\ufeff",
        "\u200b",
        "\u200d",
        "\u202e",
        "\u2066",
        "\U000e0041",
        "\u00a0",
        "\u3000",
        "\u2028",
        "\u0085",
        "\x1b",
        "\x00",
        "\u3164",
        "\ufe0f",
        "\u034f",
        "\u2800",
        "\U000e0100",
        "\ue000",
    ],
)
def test_every_invisible_kind_is_escaped(ch):
    shown = display_ssid("Rivera-Home" + ch)
    assert shown != "Rivera-Home" and shown.startswith("Rivera-Home\\")


def test_escapes_that_must_not_be_confused():
    assert display_ssid("", b"Caf\xe9") == "Caf\\xe9" != display_ssid("Café")  # not UTF-8 vs UTF-8
    assert display_ssid("x\u0085") == "x\\u0085" != display_ssid("", b"x\x85") == "x\\x85"
    assert display_ssid("Home ") == "Home\\x20" and escape_text("Smith ") == "Smith "
    assert display_ssid("") == display_ssid("", b"\x00\x00") == HIDDEN_SSID
    assert display_ssid(HIDDEN_SSID) != HIDDEN_SSID
    assert escape_text(r"C:\plans\garage.pdf") == r"C:\plans\garage.pdf"  # ordinary backslashes stay
    assert escape_text("Home\\u200b") == "Home\\\\u200b" != escape_text("Home\u200b")
    assert ssid_text("ÿ", b"\xff") == "\udcff"


def test_the_corpus_is_distinguishable():
    parsed = parse_text(hostile_wpa_cli())
    shown = [display_ssid(o.ssid, o.ssid_raw) for o in parsed.observations]
    assert len(set(shown)) == len(HOSTILE_SSIDS)
    assert shown.count(GENUINE_SSID.decode()) == 1


def test_cli_table_is_escaped_and_json_is_exact(tmp_path, capsys):
    saved = tmp_path / "hostile.txt"
    saved.write_text(hostile_wpa_cli())
    assert main(["scan", "--from-file", str(saved)]) == 0
    table = capsys.readouterr().out
    rows = [line for line in table.split("\n") if line.startswith("02:90:")]
    names = [re.split(r"  +", row[19:], maxsplit=1)[0] for row in rows]
    assert len(rows) == len(HOSTILE_SSIDS) and len(set(names)) == len(rows)
    assert "\x1b" not in table and "\u202e" not in table and "\x00" not in table and "\ufeff" not in table
    assert "Rivera-Home\\u202e" in table and "<b>&amp;Rivera</b>" in table and "😀" in table
    assert main(["scan", "--from-file", str(saved), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(bytes.fromhex(o["ssid_hex"]) for o in data["observations"]) == sorted(HOSTILE_SSIDS)
    assert "Rivera-Home\u202e" in [o["ssid"] for o in data["observations"]]  # JSON keeps the text exact


def _project_file(tmp_path):
    from survey.project.model import Device, DeviceKind, Project, Sample, ScanResult, Site, Survey, TargetNetwork
    from survey.project.store import ProjectStore

    observations = parse_text(hostile_wpa_cli()).observations
    scans = (ScanResult(observations, 1.0, 2.0, "wpa_cli"),)
    site = Site(customer="Evil\u202eCorp\x1b[31m", address="1 Road\u2028Fake St", installer="Ann\u200b")
    project = Project(
        site=site,
        devices=(
            Device(DeviceKind.ROUTER, 1.0, 1.0, label="Router\x1b]0;pwned\x07"),
            Device(DeviceKind.CHARGER, 5.0, 1.0),
        ),
        surveys=(Survey("Before\u202e", 0.0, (Sample(2.0, 1.0, 2.0, scans),)),),
        target=TargetNetwork("Rivera-Home\u2060"),
    )
    path = tmp_path / "hostile.evsurvey"
    ProjectStore.create(path, project).close()
    return path


def test_info_escapes_project_fields(tmp_path, capsys):
    path = _project_file(tmp_path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Evil\\u202eCorp\\x1b[31m" in out and "1 Road\\u2028Fake St" in out and "Ann\\u200b" in out
    assert "Router\\x1b]0;pwned\\x07" in out and "Before\\u202e" in out and "Rivera-Home\\u2060" in out
    assert not any(is_invisible(c) for c in out if c not in "\n ")
    assert main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["site"]["customer"] == "Evil\u202eCorp\x1b[31m"


def test_recommend_text_escapes(tmp_path, capsys):
    path = _project_file(tmp_path)
    assert main(["recommend", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Rivera-Home\\u2060" in out and not any(is_invisible(c) for c in out if c not in "\n ")


def test_pdf_prints_the_corpus_literally_with_glyphs_its_fonts_have(tmp_path):
    """Every hostile SSID in the PDF's channel table as the display rule writes it; no
    character of the text is one the embedded fonts lack (no U+FFFD, no empty box), and no
    format character is silently dropped ("evil\\u202etxt.exe" is not "eviltxt.exe")."""
    from pypdf import PdfReader

    from survey.project.store import ProjectStore
    from survey.report import build_report
    from survey.report.fonts import _drawable, clean_text

    path = _project_file(tmp_path)
    with ProjectStore.open(path, read_only=True) as store:
        project = store.load()
    pdf = tmp_path / "hostile.pdf"
    build_report(project, pdf, step_m=0.5)
    text = "".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages)
    squashed = re.sub(r"\s+", "", text)
    for raw in HOSTILE_SSIDS:
        obs = build_observation("02:00:00:00:00:01", ssid_raw=raw)
        shown = clean_text(SsidText(ssid_text(obs.ssid, obs.ssid_raw)))
        assert re.sub(r"\s+", "", shown) in squashed, shown
        assert all(c == " " or ord(c) in _drawable() for c in shown)
    assert "eviltxt.exe" not in squashed and "\ufffd" not in text
    assert "Evil\\u202eCorp" in squashed  # project fields too


def test_display_is_linear():
    import time

    for n in (100_000, 1_000_000):
        text = ("a\u202e\\u200b😀 " * (n // 10))[:n]
        start = time.process_time()
        escape_ssid(text)
        assert time.process_time() - start < 4.0
    assert unicodedata.category("\u202e") == "Cf"
