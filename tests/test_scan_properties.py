"""Property tests: nmcli's terse splitter and the SSID unescapers round-trip anything."""

import string

from hypothesis import given
from hypothesis import strategies as st

from survey.project.display import display_ssid
from survey.scan.parsers import nmcli as nmcli_parser
from survey.scan.parsers import wpa_cli as wpa_parser
from survey.scan.text import decode_ssid, escape_iw, escape_wpa, join_terse, split_terse, unescape_iw, unescape_wpa

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
    shown = display_ssid(text, raw)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)


@given(ssid_bytes, st.integers(-95, -20), st.sampled_from([2412, 2437, 2462, 5180]))
def test_wpa_cli_line_round_trip(raw, level, freq):
    line = f"02:00:00:00:00:01\t{freq}\t{level}\t[WPA2-PSK-CCMP][ESS]\t{escape_wpa(raw)}"
    obs = wpa_parser.parse_line(line)
    assert obs.ssid_raw == (b"" if raw.strip(b"\x00") == b"" else raw)
    assert obs.rssi_dbm == level and obs.freq_mhz == freq


@given(
    st.text(alphabet=string.printable + "é:\\📶", max_size=32).filter(
        lambda s: "\n" not in s and "\r" not in s and "\x0b" not in s and "\x0c" not in s
    )
)
def test_nmcli_row_round_trip(ssid):
    row = join_terse(
        [
            "*",
            "AA:BB:CC:DD:EE:FF",
            ssid,
            ssid.encode().hex().upper(),
            "Infra",
            "6",
            "2437 MHz",
            "70",
            "WPA2",
            "(none)",
            "pair_ccmp group_ccmp psk",
        ]
    )
    parsed = nmcli_parser.parse(row + "\n", fields=nmcli_parser.SCAN_FIELDS)
    assert len(parsed.observations) == 1
    assert parsed.observations[0].ssid_raw == ssid.encode()


_NM_ROWS = {
    # field: values for three access points; SSIDs contain nmcli's separator and escape.
    "BSSID": ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"],
    "SSID": ["Shed Wi-Fi", "Café:1", "back\\yard"],
    "MODE": ["Infra", "Infra", "Infra"],
    "CHAN": ["6", "36", "11"],
    "FREQ": ["2437 MHz", "5180 MHz", "2462 MHz"],
    "RATE": ["130 Mbit/s", "540 Mbit/s", "54 Mbit/s"],
    "SIGNAL": ["70", "45", "12"],
    "BARS": ["▂▄▆_", "▂▄__", "▂___"],
    "SECURITY": ["WPA2", "WPA2 WPA3", ""],
}


@given(st.permutations(sorted(_NM_ROWS)))
def test_nmcli_any_field_order_is_inferred(order):
    """Terse rows in any field order parse to the same values without being told the order."""
    text = "".join(join_terse([_NM_ROWS[f][i] for f in order]) + "\n" for i in range(3))
    parsed = nmcli_parser.parse(text)
    got = [(o.bssid, o.ssid, o.channel, o.freq_mhz, o.signal_pct, o.auth) for o in parsed.observations]
    assert got == [
        ("02:00:00:00:00:01", "Shed Wi-Fi", 6, 2437.0, 70.0, ("WPA2-PSK",)),
        ("02:00:00:00:00:02", "Café:1", 36, 5180.0, 45.0, ("WPA2-PSK", "WPA3-SAE")),
        ("02:00:00:00:00:03", "back\\yard", 11, 2462.0, 12.0, ("OPEN",)),
    ]


_AKM_AUTH = {
    "PSK": "WPA2-PSK",
    "SAE": "WPA3-SAE",
    "EAP": "WPA2-EAP",
    "FT/PSK": "WPA2-PSK",
    "FT/SAE": "WPA3-SAE",
    "PSK-SHA256": "WPA2-PSK",
    "EAP-SHA256": "WPA2-EAP",
    "OWE": "OWE",
    "EAP-SUITE-B-192": "WPA3-EAP",
    "FILS-SHA256": "WPA2-EAP",
    "SAE-EXT-KEY": "WPA3-SAE",
}


@given(
    st.lists(st.sampled_from(sorted(_AKM_AUTH)), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(["CCMP", "TKIP", "GCMP-256", "CCMP-256", "GCMP"]), min_size=1, max_size=3, unique=True),
    st.sampled_from(["", "[WPS]", "[ESS]", "[WPS][ESS]", "[ESS][HS20]", "[SAE-H2E][ESS]"]),
)
def test_wpa_cli_flag_tag_splits_akms_and_ciphers(akms, ciphers, extra):
    """``[WPA2-AKM+AKM-CIPHER+CIPHER]``: AKM names contain '-' and '/', so the split must
    find the cipher list at the end, whatever the AKMs."""
    auth, got_ciphers, wps = wpa_parser.parse_flags(f"[WPA2-{'+'.join(akms)}-{'+'.join(ciphers)}]{extra}")
    assert set(auth) == {_AKM_AUTH[a] for a in akms}
    assert got_ciphers == ciphers
    assert wps == ("WPS" in extra)
