"""Information elements parsed from byte blobs."""

from survey.scan import ies


def test_rsn_wpa_wps_bssload_ht():
    blob = (
        ies.element(0, b"garage")
        + ies.element(3, b"\x06")
        + ies.rsn_element(akm_types=(2, 8), pairwise=(4, 2))
        + ies.wpa_element(akm_types=(2,), pairwise=(2,))
        + ies.wps_element()
        + ies.bss_load_element(12, 128)
        + ies.element(61, bytes([6, 0x05]) + bytes(20))
    )
    s = ies.parse_ies(blob)
    assert s.ssid_raw == b"garage" and s.ds_channel == 6
    assert set(s.auth) == {"WPA2-PSK", "WPA3-SAE", "WPA-PSK"}
    assert s.ciphers == ("CCMP", "TKIP") and s.wps is True
    assert s.station_count == 12 and s.channel_utilization_pct == 50.2
    assert s.channel_width_mhz == 40


def test_enterprise_owe_suite_b_and_vht():
    s = ies.parse_ies(ies.rsn_element(akm_types=(1,), pairwise=(4,)) + ies.element(192, bytes([1, 42, 0])))
    assert s.auth == ("WPA2-EAP",) and s.channel_width_mhz == 80
    assert ies.parse_ies(ies.rsn_element(akm_types=(18,))).auth == ("OWE",)
    assert ies.parse_ies(ies.rsn_element(akm_types=(12,), pairwise=(9,))).auth == ("WPA3-EAP",)
    assert ies.parse_ies(ies.rsn_element(akm_types=(12,), pairwise=(9,))).ciphers == ("GCMP-256",)
    assert ies.parse_ies(ies.element(192, bytes([1, 42, 50]))).channel_width_mhz == 160


def test_open_wep_and_unknown():
    assert ies.parse_ies(ies.element(0, b"x"), privacy=False).auth == ("OPEN",)
    assert ies.parse_ies(ies.element(0, b"x"), privacy=True).auth == ("WEP",)
    assert ies.parse_ies(ies.element(0, b"x")).auth == ()


def test_truncated_and_garbage_never_raise():
    good = ies.element(0, b"ok") + ies.bss_load_element(3, 10)
    assert ies.parse_ies(good + b"\x30\x40\x01").station_count == 3  # RSN claims 64 bytes, has 1
    assert ies.parse_ies(ies.element(48, b"\x01\x00\x00\x0f")).auth == ()  # RSN cut inside group suite
    assert ies.parse_ies(ies.element(48, b"\x01\x00\x00\x0f\xac\x04\x05\x00")).ciphers == ()
    for n in range(0, 40):
        ies.parse_ies(bytes(range(n)))
