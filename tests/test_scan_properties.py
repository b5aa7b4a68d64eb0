"""Property tests: nmcli's terse splitter and the SSID unescapers round-trip anything."""

import string

from hypothesis import given, strategies as st

from survey.scan.parsers import nmcli as nmcli_parser
from survey.scan.parsers import wpa_cli as wpa_parser
from survey.scan.text import (decode_ssid, escape_iw, escape_wpa, join_terse, printable_ssid, split_terse,
                              unescape_iw, unescape_wpa)

tricky_text = st.text(alphabet=st.sampled_from(list(":\\ab \t|é📶\x00\n")) | st.characters(), max_size=40)
ssid_bytes = st.binary(min_size=0, max_size=32)


@given(st.lists(tricky_text.filter(lambda s: "\n" not in s and "\r" not in s), min_size=1, max_size=12))
def test_terse_split_inverts_join(fields):
    assert split_terse(join_terse(fields)) == fields


@given(st.text(max_size=60))
def test_terse_split_never_fails(line):
    parts = split_terse(line)
    assert len(parts) >= 1


@given(ssid_bytes)
def test_wpa_unescape_inverts_escape(raw):
    assert unescape_wpa(escape_wpa(raw)) == raw


@given(ssid_bytes)
def test_iw_unescape_inverts_escape(raw):
    assert unescape_iw(escape_iw(raw)) == raw


@given(st.text(max_size=40))
def test_unescapers_never_fail(text):
    unescape_wpa(text)
    unescape_iw(text)


@given(ssid_bytes)
def test_decode_ssid_total_and_printable_has_no_controls(raw):
    text = decode_ssid(raw)
    assert isinstance(text, str)
    shown = printable_ssid(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)


@given(ssid_bytes, st.integers(-95, -20), st.sampled_from([2412, 2437, 2462, 5180]))
def test_wpa_cli_line_round_trip(raw, level, freq):
    line = f"02:00:00:00:00:01\t{freq}\t{level}\t[WPA2-PSK-CCMP][ESS]\t{escape_wpa(raw)}"
    obs = wpa_parser.parse_line(line)
    assert obs.ssid_raw == (b"" if raw.strip(b"\x00") == b"" else raw)
    assert obs.rssi_dbm == level and obs.freq_mhz == freq


@given(st.text(alphabet=string.printable + "é:\\📶", max_size=32).filter(lambda s: "\n" not in s and "\r" not in s
                                                                        and "\x0b" not in s and "\x0c" not in s))
def test_nmcli_row_round_trip(ssid):
    row = join_terse(["*", "AA:BB:CC:DD:EE:FF", ssid, ssid.encode().hex().upper(), "Infra", "6", "2437 MHz",
                      "70", "WPA2", "(none)", "pair_ccmp group_ccmp psk"])
    parsed = nmcli_parser.parse(row + "\n", fields=nmcli_parser.SCAN_FIELDS)
    assert len(parsed.observations) == 1
    assert parsed.observations[0].ssid_raw == ssid.encode()
