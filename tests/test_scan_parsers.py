"""Every saved scan in tests/fixtures/scan parses with the right count and values."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.errors import UserInputError
from survey.scan.parsers import decode_scan_bytes, detect_format, parse_bytes, parse_text

FIX = Path(__file__).parent / "fixtures" / "scan"


def load(name: str):
    return parse_bytes((FIX / name).read_bytes())


def by_bssid(parsed):
    return {o.bssid: o for o in parsed.observations}


# file -> (format, number of BSSs, number of skipped-line warnings expected >= 1?)
COUNTS = {
    "airport-monterey-no-bssid.txt": ("airport", 4),
    "airport-secondary-channel.txt": ("airport", 4),
    "airport-utf8-shifted.txt": ("airport", 4),
    "airport-cjk-80mhz-nocc.txt": ("airport", 9),
    "iw-scan-6bss-wps-bssload.txt": ("iw", 6),
    "iw-scan-two-networks.txt": ("iw", 2),
    "iw-extra-escapes-crlf.txt": ("iw", 4),
    "iw-wpa3-6ghz-mesh-states.txt": ("iw", 6),
    "netsh-de-win11.txt": ("netsh", 9),
    "netsh-en-win11-bssload.txt": ("netsh", 8),
    "netsh-en-win81-two-ifaces.txt": ("netsh", 4),
    "netsh-es-oem-mojibake.txt": ("netsh", 8),
    "netsh-es-win11-broken-indent.txt": ("netsh", 7),
    "netsh-fr-win11-nbsp.txt": ("netsh", 8),
    "netsh-es-cp850-bytes.txt": ("netsh", 7),
    "netsh-en-utf16-bom.txt": ("netsh", 8),
    "netsh-it-win11-caric-bss.txt": ("netsh", 4),
    "netsh-en-win11-wpa3-6ghz-owe.txt": ("netsh", 6),
    "netsh-ja-cp932-bytes.txt": ("netsh", 3),
    "netsh-zh-gbk-bytes.txt": ("netsh", 3),
    "netsh-ru-cp866-bytes.txt": ("netsh", 2),
    "netsh-nl-win7-enterprise.txt": ("netsh", 4),
    "nmcli-terse-default-fields.txt": ("nmcli", 11),
    "nmcli-terse-escaped.txt": ("nmcli", 14),
    "nmcli-ssid-hex.txt": ("nmcli", 4),
    "nmcli-all-fields.txt": ("nmcli", 4),
    "nmcli-ssid-first-bandwidth.txt": ("nmcli", 4),
    "nmcli-no-bssid.txt": ("nmcli", 3),
    "nmcli-table-ja-wide-mode.txt": ("nmcli", 6),
    "nmcli-table-old-star-no-bssid.txt": ("nmcli", 4),
    "nmcli-table-ascii-bars.txt": ("nmcli", 7),
    "nmcli-table-fields-freq-active.txt": ("nmcli", 3),
    "nmcli-table-wide-combining-6ghz.txt": ("nmcli", 5),
    "wpa_cli-seven-hidden-dupes.txt": ("wpa_cli", 7),
    "wpa_cli-two-wps.txt": ("wpa_cli", 2),
    "wpa_cli-escapes-crlf.txt": ("wpa_cli", 5),
    "wpa_cli-80bss-over-4k.txt": ("wpa_cli", 80),
    "wpa_cli-wpa3-owe-mesh-flags.txt": ("wpa_cli", 12),
    # Issue 15 (tests/test_scan_formats_round2.py has their values).
    "airport-rssi-zero-no-security.txt": ("airport", 4),
    "iw-scan-dump-6ghz-he-eht.txt": ("iw", 5),
    "netsh-interfaces-de-two.txt": ("netsh", 1),
    "netsh-interfaces-win11-connected.txt": ("netsh", 1),
    "netsh-trimmed-no-authentication.txt": ("netsh", 3),
    "nmcli-get-values.txt": ("nmcli", 2),
    "nmcli-multiline-de.txt": ("nmcli", 3),
    "nmcli-table-157-band.txt": ("nmcli", 6),
    "nmcli-table-pl-brak.txt": ("nmcli", 4),
    "nmcli-table-pretty-unknown-column.txt": ("nmcli", 4),
    "nmcli-terse-157-band.txt": ("nmcli", 4),
    "system_profiler-airport-sequoia.txt": ("system_profiler", 4),
    "wdutil-info-redacted-6ghz.txt": ("wdutil", 1),
    "wdutil-info-sonoma.txt": ("wdutil", 1),
    "wpa_cli-driver-units-unreadable.txt": ("wpa_cli", 5),
}
#: Files with networks kept on purpose without a signal reading or a security mode (a
#: reading that cannot be converted, a trimmed file): the per-value checks skip them.
PARTIAL = {
    "airport-rssi-zero-no-security.txt",
    "iw-scan-dump-6ghz-he-eht.txt",
    "netsh-trimmed-no-authentication.txt",
    "nmcli-multiline-de.txt",
    "system_profiler-airport-sequoia.txt",
    "wpa_cli-driver-units-unreadable.txt",
}


def test_every_fixture_is_listed():
    assert {p.name for p in FIX.iterdir() if p.suffix == ".txt"} == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_format(name):
    fmt, count = COUNTS[name]
    parsed = load(name)
    assert parsed.format == fmt
    assert len(parsed.observations) == count
    if name in PARTIAL:
        return
    for o in parsed.observations:
        assert o.bssid == o.bssid.lower()
        assert o.rssi_dbm is not None and -100 <= o.rssi_dbm <= -20
        assert o.channel is not None and o.freq_mhz is not None and o.band in ("2.4", "5", "6")
        assert o.auth or o.ssid in ("Odd-AKM", "OddAKM"), o  # an RSN element with an unknown AKM: kind unknown


def test_iw_values():
    p = load("iw-scan-6bss-wps-bssload.txt")
    obs = by_bssid(p)
    hello = obs["11:22:33:44:55:66"]
    assert (hello.ssid, hello.rssi_dbm, hello.freq_mhz, hello.channel) == ("hello", -67.0, 2457.0, 10)
    assert hello.auth == ("WPA-PSK", "WPA2-PSK") and hello.ciphers == ("TKIP", "CCMP")
    assert hello.wps is True and hello.station_count == 2
    assert hello.channel_utilization_pct == pytest.approx(100 * 24 / 255, abs=0.1)
    world = obs["22:33:44:55:66:77"]  # the "-- associated" line
    assert world.ssid == "world" and world.rssi_dbm == -42.0 and world.wps is False
    assert world.station_count is None
    assert obs["33:44:55:66:77:88"].channel_width_mhz == 40
    assert obs["44:55:66:77:88:99"].auth == ("WPA-PSK",)
    assert obs["55:66:77:88:99:aa"].station_count == 4
    assert obs["66:77:88:99:aa:bb"].channel == 8
    assert p.warnings == ()


def test_iw_escapes_hidden_crlf_float_freq():
    obs = by_bssid(load("iw-extra-escapes-crlf.txt"))
    first = obs["02:00:00:00:00:01"]
    assert first.ssid == "café:\\net" and first.ssid_raw == b"caf\xc3\xa9:\\net"
    assert first.freq_mhz == 2412.0 and first.channel == 1
    assert first.auth == ("WPA2-PSK", "WPA3-SAE")
    assert first.station_count == 7 and first.channel_utilization_pct == pytest.approx(50.2, abs=0.1)
    nul = obs["02:00:00:00:00:02"]
    assert nul.hidden and nul.ssid == "" and nul.channel_width_mhz == 80 and nul.auth == ("WPA2-EAP",)
    empty = obs["02:00:00:00:00:03"]
    assert empty.hidden and empty.auth == ("OPEN",) and empty.wps is True
    assert obs["02:00:00:00:00:04"].ssid == " lead and trail "
    assert obs["02:00:00:00:00:04"].auth == ("WEP",)


def test_iw_new_shapes():
    """iw >= 5 shapes written for this test: 6 GHz "freq: 5955.0" without a DS element, an AKM
    iw has no name for ("00-0f-ac:24", SAE-EXT-KEY), "-- authenticated" / "-- ibss joined"
    (iw scan.c status strings), "signal: 62/100" (drivers without dBm), a mesh point's
    MESH ID, VHT 160 MHz told by CCFS1, FILS next to 802.1X, OWE. The "[boottime]" line and
    the two-line "last seen" are as in Centaurus-dj/import-cours-but-rt1
    cours/modules/R501/R501-TP1/src/scan.sh (Raspberry Pi, iw with a prompt line)."""
    p = load("iw-wpa3-6ghz-mesh-states.txt")
    obs = by_bssid(p)
    six = obs["0a:20:00:00:00:01"]
    assert (six.freq_mhz, six.band, six.channel, six.auth) == (5955.0, "6", 1, ("WPA3-SAE",))
    assert six.ciphers == ("CCMP", "GCMP-256")
    depot = obs["0a:20:00:00:00:02"]
    assert depot.ssid == "Depot Wi\u2011Fi" and depot.channel_width_mhz == 160 and depot.auth == ("WPA2-EAP",)
    assert depot.station_count == 12
    adhoc = obs["0a:20:00:00:00:03"]
    assert adhoc.ssid == "adhoc-printer" and adhoc.signal_pct == 62 and adhoc.rssi_estimated
    mesh = obs["0a:20:00:00:00:04"]
    assert mesh.ssid == "yard-mesh" and mesh.auth == ("WPA3-SAE",)
    odd = obs["0a:20:00:00:00:05"]
    assert odd.auth == () and odd.wps is True  # protected, AKM unknown: not "WEP", not "OPEN"
    assert obs["0a:20:00:00:00:06"].auth == ("OWE",)
    assert p.warnings == ()


def test_iw_last_seen_uses_ms_ago_not_boottime():
    from survey.scan.parsers import iw

    text = (
        "BSS 02:00:00:00:00:01(on wlan0)\n\tlast seen: 710.456s [boottime]\n\tfreq: 2412\n"
        "\tsignal: -64.00 dBm\n\tlast seen: 250 ms ago\n\tSSID: x\n"
    )
    assert iw.parse(text, now=1000.0).observations[0].last_seen == pytest.approx(999.75)
    only_boottime = text.replace("\tlast seen: 250 ms ago\n", "")
    assert iw.parse(only_boottime, now=1000.0).observations[0].last_seen is None


def test_nmcli_escaped_colons_and_backslash():
    p = load("nmcli-terse-default-fields.txt")
    obs = by_bssid(p)
    assert obs["fe:dc:ba:09:87:02"].ssid == "SSID-2-\\foo:bar"
    assert obs["fe:dc:ba:09:87:0b"].auth == ("WPA2-PSK", "WPA3-SAE")
    s3 = obs["fe:dc:ba:09:87:03"]
    assert s3.signal_pct == 87 and s3.rssi_estimated and s3.rssi_dbm == pytest.approx(-100 + 0.6 * 87)
    assert s3.channel == 1 and s3.freq_mhz == 2412.0 and s3.auth == ("OPEN",)
    assert any("Skipped 3 line" in w for w in p.warnings)


def test_nmcli_fields_from_saved_command():
    p = load("nmcli-terse-escaped.txt")
    first = p.observations[0]
    assert (first.bssid, first.ssid, first.freq_mhz, first.channel) == ("31:23:03:1a:9f:1c", "Linksys01777", 2462.0, 11)
    assert first.auth == ("WPA2-PSK",) and first.ciphers == ("CCMP",)
    assert p.observations[1].ssid == "Linksys01777-invité" and p.observations[1].auth == ("OPEN",)
    assert p.observations[2].auth == ("WPA-PSK", "WPA2-PSK") and p.observations[2].ciphers == ("TKIP", "CCMP")
    assert p.observations[3].band == "5" and p.observations[3].signal_pct == 75
    assert p.observations[12].hidden
    assert not any("inferred" in w for w in p.warnings)


def test_nmcli_ssid_hex_wins_over_text():
    obs = by_bssid(load("nmcli-ssid-hex.txt"))
    assert obs["aa:bb:cc:00:00:01"].ssid == "Home:5G\\x"
    assert obs["aa:bb:cc:00:00:02"].hidden and obs["aa:bb:cc:00:00:02"].auth == ("WPA2-EAP",)
    bad = obs["aa:bb:cc:00:00:03"]
    assert bad.ssid_raw == b"\xffbad" and bad.ssid == "\xffbad"  # Latin-1 fallback, no crash
    assert obs["aa:bb:cc:00:00:04"].auth == ("OWE",)


def test_nmcli_all_fields_order():
    """``nmcli -t -f all dev wifi list``: NAME,SSID,SSID-HEX,BSSID,...,DEVICE,ACTIVE,IN-USE,DBUS-PATH.

    Column order from NetworkManager's nmcli(1) field list for ``device wifi list``; rows
    written for this test. The SSID is the column before SSID-HEX, not the ``AP[n]`` name.
    """
    p = load("nmcli-all-fields.txt")
    obs = by_bssid(p)
    assert obs["02:11:22:33:44:01"].ssid == "Garage" and obs["02:11:22:33:44:01"].channel == 6
    assert obs["02:11:22:33:44:02"].auth == ("WPA2-PSK", "WPA3-SAE") and obs["02:11:22:33:44:02"].freq_mhz == 5180
    assert obs["02:11:22:33:44:03"].hidden and obs["02:11:22:33:44:03"].auth == ("OPEN",)
    depot = obs["02:11:22:33:44:04"]
    assert depot.ssid == "Depot:Staff" and depot.auth == ("WPA2-EAP",) and depot.signal_pct == 35
    assert any("NAME,SSID,SSID-HEX,BSSID" in w for w in p.warnings)


def test_nmcli_ssid_first_with_bandwidth():
    """SSID:BSSID:MODE:CHAN:FREQ:BANDWIDTH:... has nine-plus columns with a MAC second, like
    the default order; it must not be read as IN-USE:BSSID:SSID. BANDWIDTH ("80 MHz",
    NetworkManager >= 1.46) is told from FREQ by its values and gives the channel width."""
    obs = load("nmcli-ssid-first-bandwidth.txt").observations
    assert [o.ssid for o in obs] == ["Home\\Net", "Home\\Net 5G", "Shop Guest", ""]
    assert [o.channel_width_mhz for o in obs] == [20, 80, 20, 160]
    assert [o.freq_mhz for o in obs] == [2437, 5220, 2412, 5500]
    assert obs[2].auth == ("OWE",) and obs[3].auth == ("WPA3-SAE",) and obs[3].hidden


def test_nmcli_without_bssid_column():
    """``nmcli -t -f IN-USE,SSID,MODE,CHAN,RATE,SIGNAL,BARS,SECURITY``: the shape of the rows
    in ushiboy/nmcli tests/test_device.py (test_device_wifi). Read, with a warning, rather
    than rejected as an unknown format."""
    p = load("nmcli-no-bssid.txt")
    assert [(o.bssid, o.ssid, o.channel, o.signal_pct) for o in p.observations] == [
        ("", "Van-Hotspot", 1, 82),
        ("", "Yard", 11, 74),
        ("", "Yard", 36, 60),
    ]
    assert p.observations[0].auth == ("WPA-PSK", "WPA2-PSK")
    assert any("no BSSID" in w for w in p.warnings)


def test_nmcli_without_security_column_gives_no_auth():
    p = parse_text("02\\:00\\:00\\:00\\:00\\:01:70\n02\\:00\\:00\\:00\\:00\\:02:45\n")
    assert [o.signal_pct for o in p.observations] == [70, 45]
    assert all(o.auth == () for o in p.observations)  # unknown, not "OPEN"


def test_wpa_cli_values():
    p = load("wpa_cli-seven-hidden-dupes.txt")
    assert [o.ssid for o in p.observations].count("") == 2
    assert [o.ssid for o in p.observations].count("Nima Lodge") == 2
    assert p.observations[4].auth == ("OPEN",) and p.observations[4].channel == 108
    assert p.warnings == ()
    two = load("wpa_cli-two-wps.txt").observations
    assert two[0].wps is True and two[1].wps is False and two[0].ciphers == ("CCMP", "TKIP")
    assert two[0].rssi_dbm == -66 and not two[0].rssi_estimated


def test_wpa_cli_newer_flags():
    """Flags as wpa_supplicant's ctrl_iface.c writes them ([PROTO-AKM+AKM-CIPHER], [WPS-AUTH],
    [SAE-H2E], [OWE-TRANS], [MESH], [IBSS], [HS20], "-preauth"); the first three rows' shape
    (header line, SSIDs with spaces, WPA2-PSK+SAE, FT/PSK, WPS-AUTH) is that of the parser
    test in a public wifi_common_hal gtest (TEST(parser, parse)); rows rewritten."""
    obs = by_bssid(load("wpa_cli-wpa3-owe-mesh-flags.txt"))
    expect = {
        "02:30:00:00:00:01": ("CHARGER_ 5823", ("WPA2-PSK", "WPA3-SAE"), True),
        "02:30:00:00:00:02": ("SKY0000", ("WPA2-PSK",), True),
        "02:30:00:00:00:03": ("G ARAGE", ("WPA2-PSK",), True),
        "02:30:00:00:00:04": ("Shed-6E", ("WPA3-SAE",), False),
        "02:30:00:00:00:05": ("Cafe", ("OPEN",), False),
        "02:30:00:00:00:06": ("", ("OWE",), False),
        "02:30:00:00:00:07": ("Fleet", ("WPA3-EAP",), False),
        "02:30:00:00:00:08": ("Passpoint", ("WPA2-EAP",), False),
        "02:30:00:00:00:09": ("Odd-AKM", (), False),
        "02:30:00:00:00:0a": ("yard-mesh", ("WPA3-SAE",), False),
        "02:30:00:00:00:0b": ("adhoc", ("OPEN",), False),
        "02:30:00:00:00:0c": ("Old-Router", ("WPA-PSK", "WPA2-PSK"), True),
    }
    assert {b: (o.ssid, o.auth, o.wps) for b, o in obs.items()} == expect
    assert obs["02:30:00:00:00:04"].band == "6" and obs["02:30:00:00:00:04"].channel == 1
    assert obs["02:30:00:00:00:0c"].ciphers == ("CCMP", "TKIP")
    assert obs["02:30:00:00:00:07"].ciphers == ("GCMP-256",)


def test_wpa_cli_escapes():
    obs = load("wpa_cli-escapes-crlf.txt").observations
    assert obs[0].ssid == 'Café "quoted" back\\slash' and obs[0].auth == ("WPA2-PSK", "WPA3-SAE")
    assert obs[1].ssid_raw == b"\xff\xfeLatin\xe9" and obs[1].auth == ("WPA2-EAP",)
    assert obs[2].ssid == "日本語📶" and obs[2].auth == ("WPA3-SAE",)
    assert obs[3].ssid == "tab\there" and obs[3].auth == ("WEP",)
    assert obs[4].hidden and obs[4].auth == ("OPEN",)


NETSH_EXPECTED = {
    # file: [(bssid, ssid, pct, channel, band, auth, stations, util_raw)]
    "netsh-de-win11.txt": [
        ("fe:dc:ba:09:87:01", "SSID-1", 13, 6, "2.4", "WPA2-PSK", 1, 33),
        ("fe:dc:ba:09:87:02", "SSID-2", 43, 149, "5", "OPEN", 0, 1),
        ("fe:dc:ba:09:87:03", "SSID-2", 87, 44, "5", "OPEN", None, None),
        ("fe:dc:ba:09:87:05", "SSID-3", 24, 11, "2.4", "WPA2-PSK", 0, 199),
        ("fe:dc:ba:09:87:09", "SSID-5", 87, 4, "2.4", "WPA2-PSK", None, None),
    ],
    "netsh-fr-win11-nbsp.txt": [
        ("fe:dc:ba:09:87:02", "SSID-1", 33, 52, "5", "OPEN", 0, 1),
        ("fe:dc:ba:09:87:04", "SSID-2", 31, 1, "2.4", "OPEN", 0, 201),
        ("fe:dc:ba:09:87:08", "SSID-3", 80, 11, "2.4", "OPEN", 2, 27),
    ],
    "netsh-es-win11-broken-indent.txt": [
        ("fe:dc:ba:09:87:03", "SSID-1", 86, 44, "5", "OPEN", None, None),
        ("fe:dc:ba:09:87:04", "SSID-2", 82, 4, "2.4", "WPA2-PSK", None, None),
        ("fe:dc:ba:09:87:06", "SSID-3", 90, 6, "2.4", "OPEN", 10, 52),
    ],
    "netsh-es-oem-mojibake.txt": [
        ("98:fc:11:b6:88:9e", "CARAMANZANAS_BAJA", 28, 9, "2.4", "WPA-PSK", None, None),
        ("00:14:7c:b0:83:a9", "LOLOWL", 85, 9, "2.4", "WPA2-PSK", None, None),
        ("70:72:cf:af:51:e0", "BOOWIFI", 0, 1, "2.4", "WPA2-PSK", None, None),
    ],
    "netsh-en-win11-bssload.txt": [
        ("fe:dc:ba:09:87:01", "SSID-1", 31, 1, "2.4", "OPEN", 4, 109),
        ("fe:dc:ba:09:87:08", "SSID-3", 81, 4, "2.4", "WPA2-PSK", None, None),
    ],
}


@pytest.mark.parametrize("name", sorted(NETSH_EXPECTED))
def test_netsh_values_by_structure(name):
    check_netsh(name, NETSH_EXPECTED[name])


def check_netsh(name, rows):
    obs = by_bssid(load(name))
    for bssid, ssid, pct, chan, band, auth, stations, util_raw in rows:
        o = obs[bssid]
        assert (o.ssid, o.signal_pct, o.channel, o.band, o.auth) == (ssid, pct, chan, band, (auth,))
        assert o.rssi_estimated and o.rssi_dbm == pytest.approx(pct / 2 - 100)
        assert o.station_count == stations
        if util_raw is None:
            assert o.channel_utilization_pct is None
        else:
            assert o.channel_utilization_pct == pytest.approx(100 * util_raw / 255, abs=0.05)


NETSH_MORE = {
    # Shapes learnt from (rows rewritten, addresses changed):
    # - it: hnykda/wifi-heatmapper __tests__/data/win-netsh-networks-it.txt ("Caric BSS:" with no
    #   space before the colon, "Utilizzo canale: 179 (70%)", Aperta/Nessuno, echoed command line);
    # - en Win11 WPA3/6 GHz/OWE/192-bit: the example output and authentication-name table of a
    #   public C# netsh parser (namespace ParseNetshModeBss: 802.11be, "Bss Load:", "Medium
    #   Available Capacity", Open/OWE/WPA3-Personal/WPA3-Enterprise 192 Bits);
    # - ja: netsh output quoted in a public Go scanner that decodes it with
    #   golang.org/x/text/encoding/japanese (Shift-JIS = cp932), "認証 : WPA2-パーソナル";
    # - zh: netsh output quoted in a public Java WIFI_AUTO_CONNECT tool ("身份验证 : WPA2 - 个人",
    #   "Network type : 结构"); GBK as Qiu168/campus-network-public wifi.go decodes netsh;
    # - ru: Russian labels as in several public parsers ("Проверка подлинности", "Сигнал"),
    #   code page 866 as LordKzoth/GoLang Coding/WiFi_Info/WiFi_Info.go switches back to;
    # - nl: kootenpv/access_points data/windows_test.txt (Windows 7, "Verificatie :
    #   WPA2-Enterprise", "Basissnelheden (Mbps) : 18" a bare number after the channel).
    "netsh-it-win11-caric-bss.txt": [
        ("02:aa:00:00:00:01", "Officina", 16, 11, "2.4", "WPA2-PSK", 3, 179),
        ("02:aa:00:00:00:02", "", 20, 36, "5", "WPA2-EAP", None, None),
        ("02:aa:00:00:00:04", "Ospiti", 29, 1, "2.4", "OPEN", 4, 124),
    ],
    "netsh-en-win11-wpa3-6ghz-owe.txt": [
        ("0a:10:00:00:00:01", "Workshop-7", 91, 37, "6", "WPA3-SAE", None, None),
        ("0a:10:00:00:00:02", "Workshop-7", 96, 10, "2.4", "WPA3-SAE", 2, 73),
        ("0a:10:00:00:00:03", "Cafe Free", 20, 149, "5", "OWE", None, None),
        ("0a:10:00:00:00:04", "Fleet-Corp", 53, 100, "5", "WPA3-EAP", None, None),
        ("0a:10:00:00:00:05", "Fleet-Legacy", 72, 44, "5", "WPA2-EAP", None, None),
        ("0a:10:00:00:00:06", "Old-Printer", 40, 1, "2.4", "WEP", None, None),
    ],
    "netsh-ja-cp932-bytes.txt": [
        ("02:bb:00:00:00:55", "aterm-0000aa-g", 48, 11, "2.4", "WPA2-PSK", None, None),
        ("02:bb:00:00:00:56", "会社のネットワーク", 60, 36, "5", "WPA2-EAP", None, None),
        ("02:bb:00:00:00:57", "FreeSpot", 30, 1, "2.4", "OPEN", None, None),
    ],
    "netsh-zh-gbk-bytes.txt": [
        ("02:cc:00:00:00:01", "OpenWrt-Test", 100, 4, "2.4", "WPA2-PSK", None, None),
        ("02:cc:00:00:00:02", "公司网络", 56, 149, "5", "WPA2-EAP", None, None),
        ("02:cc:00:00:00:03", "ChinaNet", 20, 6, "2.4", "OPEN", None, None),
    ],
    "netsh-ru-cp866-bytes.txt": [
        ("02:dd:00:00:00:03", "Домашняя-сеть", 99, 6, "2.4", "WPA2-PSK", None, None),
        ("02:dd:00:00:00:04", "Кафе", 40, 44, "5", "OPEN", None, None),
    ],
    "netsh-nl-win7-enterprise.txt": [
        ("02:ee:00:35:06:cd", "Campus", 63, 40, "5", "WPA2-EAP", None, None),
        ("02:ee:00:a4:c7:cf", "R@00XX00YY!", 36, 48, "5", "WPA2-EAP", None, None),
    ],
}


@pytest.mark.parametrize("name", sorted(NETSH_MORE))
def test_netsh_more_languages_and_code_pages(name):
    check_netsh(name, NETSH_MORE[name])


def test_netsh_code_page_is_guessed_and_said():
    for name, enc in (
        ("netsh-ja-cp932-bytes.txt", "cp932"),
        ("netsh-zh-gbk-bytes.txt", "gbk"),
        ("netsh-ru-cp866-bytes.txt", "cp866"),
        ("netsh-es-cp850-bytes.txt", "cp850"),
    ):
        text, notes = decode_scan_bytes((FIX / name).read_bytes())
        assert text == (FIX / name).read_bytes().decode(enc), name
        assert any(enc in n for n in notes)


@pytest.mark.parametrize(
    "value, cipher, auth",
    [
        ("WPA2-Personal", "CCMP", "WPA2-PSK"),
        ("WPA2 - Persönlich", "CCMP", "WPA2-PSK"),
        ("WPA2-Personnel", "CCMP", "WPA2-PSK"),
        ("WPA2 - 个人", "CCMP", "WPA2-PSK"),
        ("WPA2-パーソナル", "CCMP", "WPA2-PSK"),
        ("WPA2-Kişisel", "CCMP", "WPA2-PSK"),
        ("WPA2 - Unternehmen", "CCMP", "WPA2-EAP"),
        ("WPA2-Entreprise", "CCMP", "WPA2-EAP"),
        ("WPA2-Empresarial", "CCMP", "WPA2-EAP"),
        ("WPA2 - 企业", "CCMP", "WPA2-EAP"),
        ("WPA2-エンタープライズ", "CCMP", "WPA2-EAP"),
        ("WPA2-Kurumsal", "CCMP", "WPA2-EAP"),
        ("WPA3-Personal", "GCMP-256", "WPA3-SAE"),
        ("WPA3-Enterprise", "GCMP-256", "WPA3-EAP"),
        ("WPA3-Enterprise 192 Bits", "GCMP-256", "WPA3-EAP"),
        ("WPA-Personal", "TKIP", "WPA-PSK"),
        ("OWE", "CCMP", "OWE"),
        ("Opportunistic Wireless Encryption", "CCMP", "OWE"),
        ("Open", "None", "OPEN"),
        ("Ouvrir", "Aucun", "OPEN"),
        ("Offen", "Keine", "OPEN"),
        ("Abierta", "Ninguna", "OPEN"),
        ("Aperta", "Nessuno", "OPEN"),
        ("Открыть", "Нет", "OPEN"),
        ("开放式", "无", "OPEN"),
        ("Shared", "WEP", "WEP"),
        ("Gemeinsam", "WEP", "WEP"),
        ("Open", "WEP", "WEP"),
    ],
)
def test_netsh_translated_auth_names(value, cipher, auth):
    text = (
        f"SSID 1 : x\n    A : Infrastructure\n    B : {value}\n    C : {cipher}\n"
        f"    BSSID 1 : 02:00:00:00:00:01\n         D : 50%\n         E : 6\n"
    )
    assert parse_text(text).observations[0].auth == (auth,)


def test_netsh_location_denied_says_what_to_do():
    """Windows 11 without Location permission (hnykda/wifi-heatmapper
    __tests__/data/win-netsh-networks-location-denied-en.txt): the sentences are translated,
    the Settings URI is not."""
    text = (
        "\nInterface name : Wi-Fi\n\nNetwork shell commands need location permission to access "
        "WLAN information.\n\nstart ms-settings:privacy-location\n\nAccess is denied.\n"
    )
    with pytest.raises(UserInputError, match="Location"):
        parse_text(text)
    with pytest.raises(UserInputError, match="Location"):
        parse_text(text, format="netsh")


def test_netsh_two_interfaces_and_mojibake_warning():
    p = load("netsh-en-win81-two-ifaces.txt")
    assert [o.ssid for o in p.observations] == [
        "Vodafone Hotspot",
        "Vodafone Hotspot",
        "EdaBox",
        "FRITZ!Box 2345 Cable",
    ]
    assert p.observations[-1].signal_pct == 100 and p.observations[-1].rssi_dbm == -50
    moj = load("netsh-es-oem-mojibake.txt")
    assert any("cp850" in w for w in moj.warnings)


def test_netsh_real_oem_bytes_and_utf16():
    p = load("netsh-es-cp850-bytes.txt")
    assert any("cp850" in w for w in p.warnings)
    assert by_bssid(p)["fe:dc:ba:09:87:06"].ssid == "Señal-Niño"
    u = load("netsh-en-utf16-bom.txt")
    assert len(u.observations) == 8 and u.observations[0].station_count == 4


def test_airport_values():
    sec = load("airport-secondary-channel.txt").observations
    assert sec[2].channel == 9 and sec[2].channel_width_mhz == 40 and sec[2].band == "2.4"
    assert sec[0].channel == 64 and sec[0].band == "5" and sec[0].rssi_dbm == -80
    assert sec[0].auth == ("WPA-PSK", "WPA2-PSK")
    shifted = load("airport-utf8-shifted.txt").observations
    assert shifted[1].ssid == "Linksys02787-invité" and shifted[1].bssid == "12:23:03:18:9f:1c"
    assert shifted[1].auth == ("OPEN",) and shifted[1].rssi_dbm == -33
    assert shifted[3].channel == 1 and shifted[3].channel_width_mhz == 40
    mont = load("airport-monterey-no-bssid.txt")
    assert all(o.bssid == "" for o in mont.observations)
    assert any("Location" in w for w in mont.warnings)
    assert mont.observations[3].channel == 149


def test_airport_cjk_80mhz_blank_country():
    """CJK SSIDs padded by bytes and "RSN(PSK/AES/AES)" as in kootenpv/access_points
    data/osx_cjk_test.txt; WPA+WPA2 with TKIP as in data/osx_monterey_test.txt; rows with
    BSSIDs, "149,80", a blank CC column and an AKM airport calls "Unknown" written for this test."""
    obs = by_bssid(load("airport-cjk-80mhz-nocc.txt"))
    assert obs["02:50:00:00:00:02"].ssid == "小米共享WiFi_B496" and obs["02:50:00:00:00:02"].rssi_dbm == -76
    assert obs["02:50:00:00:00:03"].channel_width_mhz == 40 and obs["02:50:00:00:00:03"].channel == 6
    g = obs["02:50:00:00:00:04"]
    assert (g.channel, g.channel_width_mhz, g.auth) == (149, 80, ("WPA2-PSK", "WPA3-SAE"))
    nocc = obs["02:50:00:00:00:05"]
    assert (nocc.ssid, nocc.channel, nocc.auth) == ("NoCountry", 36, ("WPA2-PSK",))
    assert obs["02:50:00:00:00:06"].ciphers == ("CCMP", "TKIP")
    assert obs["02:50:00:00:00:07"].auth == ("WPA2-EAP",)
    assert obs["02:50:00:00:00:08"].auth == ()  # "Unknown" AKM: protected, not open
    assert obs["02:50:00:00:00:09"].auth == ("OPEN",)


def test_prompt_and_comment_lines_are_reported():
    text = "# saved on site\nuser@laptop:~$ wpa_cli scan_results\n" + (FIX / "wpa_cli-two-wps.txt").read_text()
    p = parse_text(text)
    assert p.format == "wpa_cli" and len(p.observations) == 2
    assert any("Skipped 2 line" in w for w in p.warnings)


def test_garbage_line_inside_output_is_skipped_not_fatal():
    text = (FIX / "wpa_cli-two-wps.txt").read_text() + "this is not a row\n"
    p = parse_text(text)
    assert len(p.observations) == 2 and p.warnings


def test_unknown_format_is_user_error():
    with pytest.raises(UserInputError, match="not a scan"):
        parse_text("hello world\n")
    with pytest.raises(UserInputError):
        parse_text("x", format="bogus")


def test_forced_format_and_detection():
    assert detect_format((FIX / "iw-scan-two-networks.txt").read_text()) == "iw"
    p = parse_text((FIX / "wpa_cli-two-wps.txt").read_text(), format="wpa_cli")
    assert len(p.observations) == 2


def test_decode_fallbacks_never_fail():
    text, notes = decode_scan_bytes(b"\xff\xfe\x00garbage")
    assert isinstance(text, str)
    text, notes = decode_scan_bytes(bytes(range(256)))
    assert notes and len(text) == 256


def test_nmcli_row_whose_ssid_looks_like_a_prompt_is_kept():
    """An SSID like "$\\t" or "# x" makes the row match the shell-prompt/comment pattern;
    a row with a MAC among its fields is still a row (found by hypothesis)."""
    from survey.scan.parsers import nmcli

    for ssid in ("$\t", "cafe$ free", "# x"):
        row = "*:AA\\:BB\\:CC\\:DD\\:EE\\:FF:" + ssid.replace(":", "\\:") + ":Infra:6:2437 MHz:70:WPA2\n"
        parsed = nmcli.parse(row, fields=("IN-USE", "BSSID", "SSID", "MODE", "CHAN", "FREQ", "SIGNAL", "SECURITY"))
        assert [o.ssid for o in parsed.observations] == [ssid]


def test_airport_and_wpa_cli_rows_whose_ssid_looks_like_a_prompt_are_kept():
    air = parse_text("                          $ free 02:60:00:00:00:01 -50  6       Y  -- NONE \n", "airport")
    assert [o.ssid for o in air.observations] == ["$ free"]
    wpa = parse_text("02:60:00:00:00:02\t2437\t-50\t[ESS]\t# not a comment\n", "wpa_cli")
    assert [o.ssid for o in wpa.observations] == ["# not a comment"]


def test_channel_on_no_plan_keeps_the_row():
    # airport has no band column: a 6 GHz channel such as 233 is read as 5 GHz, where it
    # does not exist. The row stays, with its channel and no frequency, instead of the
    # ChannelError ending the whole parse.
    from survey.scan.observations import build_observation

    obs = build_observation("aa:bb:cc:dd:ee:ff", ssid="six", rssi_dbm=-60.0, channel=233)
    assert obs.channel == 233 and obs.freq_mhz is None and obs.band == "5"
    text = "                        six aa:bb:cc:dd:ee:ff -60  233     Y  US WPA2(PSK/AES/AES)\n"
    parsed = parse_text(text, "airport")
    assert [o.channel for o in parsed.observations] == [233]


# --- plain nmcli tables (`nmcli device wifi list` without --terse) ------------------------


def test_nmcli_table_japanese_locale_wide_mode():
    """Shape of shimakaze-git/security-documents wireless.md (`nmcli dev wifi` on a Japanese
    desktop): MODE is translated to the wide "インフラ", which shifts every later column
    by four characters against the header. SSIDs/BSSIDs changed; two CJK SSIDs added, padded
    in terminal cells as nmcli pads them (the shape of CJK rows in other saved tables)."""
    p = load("nmcli-table-ja-wide-mode.txt")
    obs = by_bssid(p)
    g = obs["02:25:36:aa:0c:62"]
    assert (g.ssid, g.channel, g.freq_mhz, g.band, g.signal_pct) == ("Garage-EVSE", 6, 2437.0, "2.4", 80)
    assert g.rssi_estimated and g.rssi_dbm == pytest.approx(-100 + 0.6 * 80)
    assert obs["24:de:c6:00:0b:24"].auth == ("WPA2-EAP",)
    assert obs["10:66:82:00:85:02"].ssid == "となりの無線"
    cjk = obs["04:ab:18:00:63:9d"]
    assert (cjk.ssid, cjk.channel, cjk.band, cjk.auth) == ("小心王占", 44, "5", ("WPA2-PSK", "WPA3-SAE"))
    assert any("Skipped 1 line" in w for w in p.warnings)


def test_nmcli_table_old_nmcli_star_column_without_bssid():
    """Older nmcli titles the in-use column "*" and has no BSSID column; shape of an Orange Pi
    session log published with a USB-gadget how-to (prompt lines and the `connect` command's
    output around the table). SSIDs changed."""
    p = load("nmcli-table-old-star-no-bssid.txt")
    assert [(o.bssid, o.ssid, o.channel, o.signal_pct) for o in p.observations] == [
        ("", "Hausnetz-2G", 9, 59),
        ("", "Werkstatt", 13, 59),
        ("", "", 6, 44),
        ("", "Box Fon WLAN 7390", 1, 17),
    ]
    assert p.observations[2].hidden  # "--" is how the table shows a hidden SSID
    assert p.observations[3].auth == ("OPEN",) and p.observations[0].auth == ("WPA-PSK", "WPA2-PSK")
    assert any("no BSSID column" in w for w in p.warnings)
    assert any("Skipped 4 line" in w for w in p.warnings)


def test_nmcli_table_ascii_bars():
    """A non-UTF-8 locale draws BARS with "*" ("****", "*"), right where IN-USE's "*"
    could be mistaken for them. Shape of a saved `nmcli device wifi list` in a DGX Spark
    set-up notes file; SSIDs/BSSIDs changed."""
    obs = load("nmcli-table-ascii-bars.txt").observations
    assert [o.channel for o in obs] == [1, 149, 149, 11, 149, 11, 1]
    assert obs[2].hidden and obs[1].band == "5" and obs[1].freq_mhz == 5745
    assert obs[6].auth == ("OPEN",) and obs[6].signal_pct == 12


def test_nmcli_table_selected_fields_ssid_first_freq_active():
    """`-f SSID,BSSID,MODE,CHAN,FREQ,RATE,SIGNAL,BARS,SECURITY,ACTIVE,IN-USE`, as Ubuntu's
    wireless-info script saves it (Ubuntu forum threads), with the bars as HTML character
    references the forum shows, an empty second table and other lines around. BSSIDs/SSIDs
    changed (the forum copies had them redacted)."""
    p = load("nmcli-table-fields-freq-active.txt")
    assert [(o.ssid, o.freq_mhz, o.channel, o.band) for o in p.observations] == [
        ("carhome", 2437, 6, "2.4"),
        ("carhome", 5180, 36, "5"),
        ("Printer-45 Pro MFP", 2437, 6, "2.4"),
    ]
    assert p.observations[2].auth == ("WEP",) and p.observations[2].bssid == "3e:97:0f:00:03:e8"
    assert any("Skipped 2 line" in w for w in p.warnings)


def test_nmcli_table_wide_combining_leading_spaces_6ghz():
    """Written for this test with nmcli's padding rule (widest value + 2, in terminal cells):
    an emoji SSID (2 cells a character) and one with combining accents (0 cells) shift
    the later columns; an SSID with two leading spaces keeps them (the header says where
    the SSID column starts); an SSID made of column-like words stays whole; FREQ puts
    channel 5 in 6 GHz; BANDWIDTH gives the width."""
    p = load("nmcli-table-wide-combining-6ghz.txt")
    obs = p.observations
    assert [o.ssid for o in obs] == [
        "⚡🚗 Charger",
        "Cafe\u0301 Ume\u0301",
        "  two leading",
        "Shop  Infra  6  WPA2",
        "",
    ]
    assert [o.channel_width_mhz for o in obs] == [20, 80, 160, 20, 20]
    six = obs[2]
    assert (six.channel, six.freq_mhz, six.band, six.auth) == (5, 5975, "6", ("WPA3-SAE",))
    assert obs[3].channel == 11 and obs[3].auth == ("OPEN",)
    assert obs[4].hidden and obs[4].auth == ("OWE",)
    assert any("this line is not a row" in w for w in p.warnings)


def test_nmcli_table_detection_is_not_confused():
    table = (FIX / "nmcli-table-ascii-bars.txt").read_text()
    assert detect_format(table) == "nmcli"
    assert parse_text(table, "nmcli").observations == parse_text(table).observations
    # airport's header shares SSID, BSSID and SECURITY but has RSSI/CHANNEL/HT/CC.
    air = (
        "                            SSID BSSID             RSSI CHANNEL HT CC SECURITY\n"
        "                            Shop 02:60:00:00:00:01 -50  6       Y  -- WPA2(PSK/AES/AES)\n"
    )
    assert detect_format(air) == "airport"
    # Prose with the two words only is no table; neither is netsh or iw text.
    with pytest.raises(UserInputError):
        parse_text("SSID  BSSID\nnothing here\n")
    for name in ("netsh-en-win11-bssload.txt", "iw-scan-two-networks.txt", "wpa_cli-two-wps.txt"):
        assert detect_format(decode_scan_bytes((FIX / name).read_bytes())[0]) == name.split("-")[0]


def test_nmcli_table_localised_rate_and_one_space_edits():
    """A Russian locale translates the RATE unit ("270 Мбит/с", shape of a Dart test in a
    public slideshow project); hand-edited tables lose the column alignment."""
    text = (
        "IN-USE  BSSID              SSID               MODE   CHAN  RATE        SIGNAL  BARS  SECURITY  \n"
        "*       02:BC:4F:00:3C:55  Dacha_5G           Infra  40    270 Мбит/с  72      ▂▄▆_  WPA2      \n"
        "      02:C3:97:00:F1:4E  Xiaomi_Edit    Infra     6     270 Mbit/s 100     ▂▄▆█  WPA1 WPA2 \n"
        "  *  02:C3:97:00:F1:4F  Star moved  Infra  11  54 Mbit/s  40  ▂▄__  WPA2\n"
    )
    obs = parse_text(text).observations
    assert [(o.ssid, o.channel, o.signal_pct) for o in obs] == [
        ("Dacha_5G", 40, 72),
        ("Xiaomi_Edit", 6, 100),
        ("Star moved", 11, 40),
    ]


def _nmcli_table(names, rows):
    """Rows padded the way nmcli pads them: each column its widest value + 2 terminal cells."""
    from survey.scan.text import cell_width

    widths = [max([cell_width(n)] + [cell_width(r[c]) for r in rows]) + 2 for c, n in enumerate(names)]
    return "\n".join("".join(v + " " * (w - cell_width(v)) for v, w in zip(r, widths)) for r in [names] + rows) + "\n"


def _default_rows(ssids, old_layout):
    names = ["IN-USE", "BSSID", "SSID", "MODE", "CHAN", "RATE", "SIGNAL", "BARS", "SECURITY"]
    rows = [
        ["*" if i == 0 else "", f"02:00:00:00:00:{i:02X}", s, "Infra", "11", "54 Mbit/s", "50", "▂▄__", "WPA2"]
        for i, s in enumerate(ssids)
    ]
    if old_layout:
        names = ["*"] + names[2:]
        rows = [r[:1] + r[2:] for r in rows]
    return names, rows


@pytest.mark.parametrize("old_layout", [False, True])
def test_nmcli_table_ssids_that_look_like_other_things(old_layout):
    """SSIDs shaped like the in-use star, a MAC, a column value, a prompt or a comment, or
    starting with a wide space or a combining mark, stay SSIDs."""
    ssids = [
        "* x",
        " lead",
        "*",
        "02:00:00:00:00:09",
        "x  WPA2",
        "\u3000wide",
        "$ free",
        "# hash",
        "Infra",
        "\u0301comb",
        "😀" * 16,
        "<b>&amp;",
    ]
    parsed = parse_text(_nmcli_table(*_default_rows(ssids, old_layout)))
    assert [o.ssid for o in parsed.observations] == ssids


_SSID_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=16)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_SSID_TEXT.filter(lambda s: s.strip() not in ("", "--") and s == s.rstrip()), min_size=1, max_size=4),
    st.booleans(),
)
def test_nmcli_table_round_trip_any_ssid(ssids, old_layout):
    """Any SSID without trailing spaces survives a table padded the way nmcli pads it
    (trailing spaces cannot be told from the padding, so they are not generated), in the
    current layout and in old nmcli's ("*" column, no BSSID)."""
    parsed = parse_text(_nmcli_table(*_default_rows(ssids, old_layout)))
    assert [o.ssid for o in parsed.observations] == ssids


def test_nmcli_table_all_fields_flags_and_ssid_hex():
    """`nmcli -f all dev wifi` (column order from nmcli(1), NetworkManager 1.46): the two
    flag columns sit side by side, IN-USE is blank mid-row, SSID-HEX gives the exact bytes."""
    names = (
        "NAME SSID SSID-HEX BSSID MODE CHAN FREQ RATE BANDWIDTH SIGNAL BARS SECURITY WPA-FLAGS RSN-FLAGS "
        "DEVICE ACTIVE IN-USE DBUS-PATH"
    ).split()
    path = "/org/freedesktop/NetworkManager/AccessPoint/"
    rows = [
        [
            "AP[1]",
            "Home Net",
            "486F6D65204E6574",
            "02:00:00:00:00:01",
            "Infra",
            "6",
            "2437 MHz",
            "130 Mbit/s",
            "20 MHz",
            "70",
            "▂▄▆_",
            "WPA2 WPA3",
            "(none)",
            "pair_ccmp group_ccmp psk sae",
            "wlp2s0",
            "yes",
            "*",
            path + "1",
        ],
        [
            "AP[2]",
            "--",
            "--",
            "02:00:00:00:00:02",
            "Infra",
            "36",
            "5180 MHz",
            "540 Mbit/s",
            "80 MHz",
            "40",
            "▂▄__",
            "WPA1 WPA2",
            "pair_tkip group_tkip psk",
            "pair_ccmp group_tkip psk",
            "wlp2s0",
            "no",
            "",
            path + "2",
        ],
        [
            "AP[3]",
            "Caf?  x",
            "436166C3A92020E29895",
            "02:00:00:00:00:03",
            "Infra",
            "1",
            "2412 MHz",
            "54 Mbit/s",
            "20 MHz",
            "20",
            "▂___",
            "--",
            "(none)",
            "(none)",
            "wlp2s0",
            "no",
            "",
            path + "3",
        ],
    ]
    obs = parse_text(_nmcli_table(names, rows)).observations
    assert [o.auth for o in obs] == [("WPA2-PSK", "WPA3-SAE"), ("WPA-PSK", "WPA2-PSK"), ("OPEN",)]
    assert obs[0].ciphers == ("CCMP",) and obs[1].ciphers == ("TKIP", "CCMP")
    assert obs[1].hidden and [o.channel_width_mhz for o in obs] == [20, 80, 20]
    assert obs[2].ssid_raw == "Café  ☕".encode() and obs[2].ssid == "Café  ☕"
    # Without an SSID column every value is read from the left.
    only = parse_text(_nmcli_table(["BSSID", "SIGNAL"], [["02:00:00:00:00:09", "61"]])).observations
    assert [(o.bssid, o.signal_pct) for o in only] == [("02:00:00:00:00:09", 61)]
