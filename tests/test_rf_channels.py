import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.project.model import Observation, dbm_to_mw
from survey.rf.channels import (
    CCA_THRESHOLD_DBM,
    ChannelError,
    band_of,
    channel_occupancy,
    channel_to_freq_mhz,
    freq_to_channel,
    overlap_share,
    recommend_channel,
)

# IEEE 802.11 2.4 GHz channel table (centre frequencies, MHz).
STANDARD_24 = {
    1: 2412,
    2: 2417,
    3: 2422,
    4: 2427,
    5: 2432,
    6: 2437,
    7: 2442,
    8: 2447,
    9: 2452,
    10: 2457,
    11: 2462,
    12: 2467,
    13: 2472,
    14: 2484,
}
STANDARD_5 = {36: 5180, 40: 5200, 44: 5220, 48: 5240, 52: 5260, 100: 5500, 149: 5745, 165: 5825, 177: 5885}
STANDARD_6 = {1: 5955, 2: 5935, 5: 5975, 37: 6135, 93: 6415, 233: 7115}


@pytest.mark.parametrize("ch,freq", STANDARD_24.items())
def test_standard_24_table(ch, freq):
    assert channel_to_freq_mhz(ch) == freq
    assert freq_to_channel(freq) == ch
    assert freq_to_channel(float(freq)) == ch
    assert freq_to_channel(freq * 1000) == ch  # kHz
    assert freq_to_channel(str(freq)) == ch
    assert band_of(freq) == "2.4"


@pytest.mark.parametrize("ch,freq", STANDARD_5.items())
def test_standard_5_table(ch, freq):
    assert channel_to_freq_mhz(ch, band="5") == freq
    assert freq_to_channel(freq) == ch
    assert band_of(freq) == "5"


@pytest.mark.parametrize("ch,freq", STANDARD_6.items())
def test_standard_6_table(ch, freq):
    assert channel_to_freq_mhz(ch, band="6") == freq
    assert freq_to_channel(freq) == ch
    assert band_of(freq) == "6"


def test_band_aliases_and_errors():
    assert channel_to_freq_mhz(6, band=2.4) == 2437
    assert channel_to_freq_mhz(36, band="5 GHz") == 5180
    for bad in [(0, "2.4"), (15, "2.4"), (14, "5"), (300, "6")]:
        with pytest.raises(ChannelError):
            channel_to_freq_mhz(*bad)
    with pytest.raises(ChannelError):
        channel_to_freq_mhz(6, band="60")
    with pytest.raises(ChannelError):
        channel_to_freq_mhz(6.5)


def test_off_raster_and_garbage():
    assert freq_to_channel(2414.5) is None
    assert freq_to_channel(2412.6) == 1
    assert freq_to_channel(None) is None
    assert freq_to_channel("abc") is None
    assert freq_to_channel(900) is None
    assert freq_to_channel(float("nan")) is None
    assert band_of(3000) is None
    assert freq_to_channel(2.412e9) == 1  # Hz


@given(st.integers(1, 14))
def test_roundtrip_24(ch):
    assert freq_to_channel(channel_to_freq_mhz(ch)) == ch


@given(st.sampled_from(["5", "6"]), st.integers(1, 233))
def test_roundtrip_5_6(band, ch):
    try:
        f = channel_to_freq_mhz(ch, band=band)
    except ChannelError:
        return
    assert freq_to_channel(f) == ch
    assert band_of(f) == band


def test_overlap_share():
    assert overlap_share(2412, 2412) == 1.0
    assert overlap_share(2412, 2417) == pytest.approx(0.75)
    assert overlap_share(2412, 2432) == 0.0
    assert overlap_share(2412, 2437) == 0.0
    assert overlap_share(2412, 2427, width_mhz=22) == pytest.approx(7 / 22)


def obs(bssid, ch, rssi, util=None, freq=True):
    return Observation(
        bssid=bssid,
        ssid="x",
        rssi_dbm=rssi,
        freq_mhz=channel_to_freq_mhz(ch) if freq else None,
        channel=ch,
        band="2.4",
        channel_utilization_pct=util,
    )


def test_channel_occupancy_counts():
    observations = [
        obs("a", 1, -50, util=20.0),
        obs("b", 1, -85, util=40.0),
        obs("c", 3, -60, freq=False),
        obs("d", 11, -82),
        Observation("e", "5g", -40, freq_mhz=5180, channel=36, band="5"),
        Observation("f", "no rssi", None, freq_mhz=2437, channel=6),
    ]
    occ = {o.channel: o for o in channel_occupancy(observations)}
    assert sorted(occ) == list(range(1, 14))
    assert occ[1].bss_count == 2 and occ[1].cochannel_strong_count == 1
    assert occ[1].mean_utilization_pct == pytest.approx(30.0)
    assert occ[11].cochannel_strong_count == 1  # exactly at the -82 dBm CCA threshold
    assert CCA_THRESHOLD_DBM == -82.0
    assert occ[6].bss_count == 0 and occ[6].mean_utilization_pct is None
    expected_1 = dbm_to_mw(-50) + dbm_to_mw(-85) + overlap_share(2412, 2422) * dbm_to_mw(-60)
    assert occ[1].interference_mw == pytest.approx(expected_1)
    assert occ[6].interference_mw == pytest.approx(overlap_share(2437, 2422) * dbm_to_mw(-60))
    assert occ[11].interference_dbm == pytest.approx(-82)
    assert occ[13].interference_mw == pytest.approx(overlap_share(2472, 2462) * dbm_to_mw(-82))


def test_recommend_quietest():
    observations = [obs("a", 1, -45), obs("b", 6, -50), obs("c", 11, -80)]
    rec = recommend_channel(observations)
    assert rec.channel == 11
    assert "-80 dBm" in rec.reason and "-45 dBm" in rec.reason
    assert set(rec.interference_mw) == {1, 6, 11}


def test_recommend_keeps_current_when_marginal_and_moves_when_clear():
    observations = [obs("a", 1, -70), obs("b", 6, -71), obs("c", 11, -90)]
    assert recommend_channel(observations, current_channel=6).channel == 11
    close = [obs("a", 1, -70), obs("b", 6, -71), obs("c", 11, -72)]
    rec = recommend_channel(close, current_channel=6)
    assert rec.channel == 6 and not rec.change and "Keep" in rec.reason


def test_recommend_empty_and_own_network_excluded():
    assert recommend_channel([]).channel == 1
    rec = recommend_channel([obs("own", 1, -30), obs("n", 6, -60)], exclude_bssids=["OWN"])
    assert rec.channel == 1 and rec.interference_mw[1] == 0.0 and "no interference" in rec.reason
    rec = recommend_channel([obs("n", 6, -60)], current_channel=3)
    assert rec.channel in (1, 11) and "overlaps" in rec.reason
    assert not math.isnan(rec.interference_mw[1])
