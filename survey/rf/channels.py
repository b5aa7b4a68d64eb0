"""Wi-Fi channel plans, 2.4 GHz channel overlap, occupancy and the 1/6/11 recommendation.

Sources:

* Channel centre frequencies: IEEE Std 802.11-2020, 15.4.4.3 (DSSS, 2.4 GHz: centre
  2407 + 5 n MHz for n = 1..13, channel 14 at 2484 MHz), 17.3.8.4.2 / 19.3.15 (5 GHz:
  5000 + 5 n MHz) and 27.3.23.2 (6 GHz: 5950 + 5 n MHz, plus channel 2 at 5935 MHz).
* Clear-channel assessment: a receiver must report the medium busy for a 20 MHz OFDM
  transmission at or above -82 dBm (IEEE Std 802.11-2020, 17.3.10.6 "CCA requirements").
  A neighbour on the same channel heard that strongly shares airtime with us.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from survey.errors import UserInputError
from survey.project.model import Observation, dbm_to_mw, mw_to_dbm

log = logging.getLogger(__name__)

#: 2.4 GHz channels a recommendation may choose: the three that do not overlap at 20 MHz
#: (25 MHz apart) and are legal in the US, EU and Japan.
NON_OVERLAPPING_24 = (1, 6, 11)

#: Channels reported by :func:`channel_occupancy` (13 is the highest legal outside the US
#: besides Japan's DSSS-only channel 14).
OCCUPANCY_CHANNELS = tuple(range(1, 14))

#: 802.11 OFDM CCA threshold for a 20 MHz channel (IEEE 802.11-2020, 17.3.10.6).
CCA_THRESHOLD_DBM = -82.0

#: Nominal 20 MHz channel width (802.11g/n OFDM occupies ~16.6 MHz of a 20 MHz mask;
#: DSSS 802.11b is 22 MHz wide).
DEFAULT_WIDTH_MHZ = 20.0

#: A recommendation keeps the current channel unless another is better by this much:
#: readings at one spot scatter by a few dB, and a channel change costs a re-join of every
#: client.
KEEP_CURRENT_MARGIN_DB = 3.0

_BAND_ALIASES = {
    "2.4": "2.4",
    "2": "2.4",
    "2.4ghz": "2.4",
    "2g": "2.4",
    "5": "5",
    "5.0": "5",
    "5ghz": "5",
    "5g": "5",
    "6": "6",
    "6.0": "6",
    "6ghz": "6",
    "6g": "6",
    "6e": "6",
}


class ChannelError(UserInputError):
    """A channel number or band that no Wi-Fi channel plan has."""


def _band_named(band) -> str | None:
    """ "2.4", "5" or "6" for a band as people and tools write it ("2,4", "5 GHz", "6e"), else None."""
    return _BAND_ALIASES.get(str(band).strip().lower().replace(" ", "").replace(",", "."))


def _normalise_band(band) -> str:
    named = _band_named(band)
    if named is None:
        raise ChannelError(f"Unknown Wi-Fi band {band!r}: use 2.4, 5 or 6 (GHz).")
    return named


def channel_to_freq_mhz(channel: int, band="2.4") -> float:
    """Centre frequency in MHz of ``channel`` in ``band`` ("2.4", "5" or "6").

    Raises :class:`ChannelError` for a channel the band does not have.
    """
    b = _normalise_band(band)
    try:
        n = int(channel)
    except (TypeError, ValueError):
        raise ChannelError(f"Channel {channel!r} is not a number.") from None
    if n != channel and not isinstance(channel, str):
        raise ChannelError(f"Channel {channel!r} is not a whole number.")
    if b == "2.4":
        if 1 <= n <= 13:
            return 2407.0 + 5.0 * n
        if n == 14:
            return 2484.0
        raise ChannelError(f"2.4 GHz has channels 1 to 14, not {n}.")
    if b == "5":
        if 32 <= n <= 177:
            return 5000.0 + 5.0 * n
        raise ChannelError(f"5 GHz channels run from 32 to 177, not {n}.")
    if n == 2:
        return 5935.0
    if 1 <= n <= 233:
        return 5950.0 + 5.0 * n
    raise ChannelError(f"6 GHz channels run from 1 to 233, not {n}.")


def freq_in_mhz(freq) -> float | None:
    """A frequency in MHz from MHz, kHz or Hz (a number or its text); None when it is none."""
    try:
        f = float(freq)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or f <= 0:
        return None
    # Some tools report kHz (2412000) or Hz (2.412e9); Wi-Fi never goes above 1e5 MHz.
    while f > 1e5:
        f /= 1000.0
    return f


#: Band edges (MHz) of the three Wi-Fi bands. 2.4 GHz: the 2400-2500 MHz ISM band (ITU Radio
#: Regulations 5.150; IEEE Std 802.11-2020 Annex E, global operating classes 81-82, channels
#: 1-14). 5 GHz: 4900-5925 MHz, the 5 GHz operating classes of Annex E (Tables E-1 to E-4),
#: which include the US 4.9 GHz public-safety band (4940-4990) and Japan's 4.9/5.0 GHz
#: channels (Table E-3). 6 GHz: 5925-7125 MHz (Annex E operating classes 131-137; FCC 20-51).
BAND_EDGES_MHZ = {"2.4": (2400.0, 2500.0), "5": (4900.0, 5925.0), "6": (5925.0, 7125.0)}
#: The highest 2.4 GHz channel number (14, Japan's DSSS-only channel at 2484 MHz).
MAX_CHANNEL_24 = 14


def _band_of_freq(f: float) -> str | None:
    lo, hi = BAND_EDGES_MHZ["2.4"]
    if lo <= f <= hi:
        return "2.4"
    lo, hi = BAND_EDGES_MHZ["5"]
    if lo <= f < hi:
        return "5"
    lo, hi = BAND_EDGES_MHZ["6"]
    if lo <= f <= hi:
        return "6"
    return None


def band_of(freq_mhz=None, channel=None, band_hint=None) -> str | None:
    """ "2.4", "5" or "6": the one rule for which band an observation is on.

    In order: the band the scanner named (``band_hint``: "2.4", "5 GHz", "2,4", "6e"... as
    :data:`_BAND_ALIASES` spells them), else the centre frequency (MHz, or kHz/Hz) inside
    :data:`BAND_EDGES_MHZ` (a frequency outside them is on no band), else a bare channel
    number: 1-14 is 2.4 GHz and anything above is 5 GHz (scanners that give only a number,
    such as macOS ``airport``, predate 6 GHz; 6 GHz tools name the band or the frequency).
    None when nothing says.
    """
    if band_hint is not None:
        if band_hint in BAND_EDGES_MHZ:  # the stored spelling: skip normalising (hot path)
            return band_hint
        named = _band_named(band_hint)
        if named is not None:
            return named
    f = freq_in_mhz(freq_mhz) if freq_mhz is not None else None
    if f is not None:
        # A frequency decides: one outside every band (802.11ad at 60 GHz, 802.11ah below
        # 1 GHz) is on none of them, whatever its channel number.
        return _band_of_freq(f)
    if channel is not None:
        try:
            n = int(channel)
        except (TypeError, ValueError):
            return None
        if 1 <= n <= MAX_CHANNEL_24:
            return "2.4"
        if n > MAX_CHANNEL_24:
            return "5"
    return None


def channel_of(freq_mhz=None, channel=None) -> int | None:
    """The channel number: the one the centre frequency is on (:func:`freq_to_channel`), else
    the number the scanner reported (a frequency off every raster keeps the reported one)."""
    if freq_mhz:
        ch = freq_to_channel(freq_mhz)
        if ch is not None:
            return ch
    return None if channel is None else int(channel)


def observation_band(obs: Observation) -> str | None:
    """:func:`band_of` an observation (its band, frequency and channel as the scanner gave them)."""
    return band_of(obs.freq_mhz, obs.channel, obs.band)


def is_24ghz(obs: Observation) -> bool:
    """True for an observation on 2.4 GHz, the only band a charger's radio has."""
    return observation_band(obs) == "2.4"


def observation_channel(obs: Observation) -> int | None:
    """:func:`channel_of` an observation."""
    return channel_of(obs.freq_mhz, obs.channel)


def freq_to_channel(freq_mhz) -> int | None:
    """Channel number of a centre frequency; None when it is on no channel raster.

    Accepts floats (2412.0), strings ("2412") and kHz or Hz values (anything above 1e5 is
    divided by 1000 until it is in MHz). A frequency within 1 MHz of a channel centre
    counts as that channel (drivers round).
    """
    f = freq_in_mhz(freq_mhz)
    if f is None:
        return None
    band = _band_of_freq(f)
    if band is None:
        return None
    if band == "2.4":
        if abs(f - 2484.0) <= 1.0:
            return 14
        base, lo, hi = 2407.0, 1, 13
    elif band == "5":
        base, lo, hi = 5000.0, 32, 177
    else:
        if abs(f - 5935.0) <= 1.0:
            return 2
        base, lo, hi = 5950.0, 1, 233
    n = round((f - base) / 5.0)
    if lo <= n <= hi and abs(f - (base + 5.0 * n)) <= 1.0:
        return int(n)
    return None


def overlap_share(freq_a_mhz: float, freq_b_mhz: float, width_mhz: float = DEFAULT_WIDTH_MHZ) -> float:
    """Share of one channel's width that the other covers: max(0, W - |df|) / W (0..1).

    A triangular approximation of how much of a neighbour's energy falls into our
    channel: 1 for co-channel, 0.75 one channel (5 MHz) away, 0 at 20 MHz and beyond.
    """
    if width_mhz <= 0:
        raise ValueError("width_mhz must be positive")
    return max(0.0, width_mhz - abs(float(freq_a_mhz) - float(freq_b_mhz))) / width_mhz


@dataclass(frozen=True)
class ChannelOccupancy:
    """What a scan saw on one 2.4 GHz channel.

    ``bss_count``: networks whose primary channel is this one. ``cochannel_strong_count``:
    those heard at or above the CCA threshold (-82 dBm), which contend for the same
    airtime. ``interference_mw``: power of every 2.4 GHz network weighted by how much of
    its spectrum overlaps this channel (mW). ``mean_utilization_pct``: mean BSS Load
    channel utilisation of the networks on this channel that advertise it, else None.
    """

    channel: int
    bss_count: int
    cochannel_strong_count: int
    interference_mw: float
    mean_utilization_pct: float | None

    @property
    def freq_mhz(self) -> float:
        return channel_to_freq_mhz(self.channel)

    @property
    def interference_dbm(self) -> float | None:
        """Overlap-weighted interference power in dBm, None when nothing overlaps."""
        return mw_to_dbm(self.interference_mw) if self.interference_mw > 0 else None


@dataclass(frozen=True)
class ChannelRecommendation:
    """The 2.4 GHz channel to use (1, 6 or 11), why, and the interference on each candidate (mW)."""

    channel: int
    reason: str
    interference_mw: dict
    current_channel: int | None = None

    @property
    def change(self) -> bool:
        return self.current_channel is not None and self.current_channel != self.channel


def _primary_24(obs: Observation) -> tuple[int, float] | None:
    """(channel, centre MHz) of a 2.4 GHz observation, from its frequency or channel."""
    if not is_24ghz(obs):
        return None
    ch = observation_channel(obs)
    if ch is None or not 1 <= ch <= MAX_CHANNEL_24:
        return None
    f = freq_in_mhz(obs.freq_mhz) if obs.freq_mhz else None
    return ch, (f if f is not None else channel_to_freq_mhz(ch))


def _heard_24(observations: Iterable[Observation]) -> list[tuple[int, float, float, Observation]]:
    heard = []
    for obs in observations:
        primary = _primary_24(obs)
        if primary is None or obs.rssi_dbm is None:
            continue
        heard.append((primary[0], primary[1], float(obs.rssi_dbm), obs))
    return heard


def _interference_mw(channel: int, heard) -> float:
    centre = channel_to_freq_mhz(channel)
    return sum(overlap_share(centre, f) * dbm_to_mw(rssi) for _, f, rssi, _ in heard)


def channel_occupancy(observations: Iterable[Observation]) -> tuple[ChannelOccupancy, ...]:
    """Occupancy of 2.4 GHz channels 1..13 from the observations of a scan (or merged scans).

    Observations outside 2.4 GHz or without RSSI are ignored. Pass one observation per
    BSS (e.g. ``Sample.observations``, already merged in mW).
    """
    heard = _heard_24(observations)
    result = []
    for ch in OCCUPANCY_CHANNELS:
        on_channel = [(rssi, obs) for c, _, rssi, obs in heard if c == ch]
        utils = [obs.channel_utilization_pct for _, obs in on_channel if obs.channel_utilization_pct is not None]
        result.append(
            ChannelOccupancy(
                channel=ch,
                bss_count=len(on_channel),
                cochannel_strong_count=sum(1 for rssi, _ in on_channel if rssi >= CCA_THRESHOLD_DBM),
                interference_mw=_interference_mw(ch, heard),
                mean_utilization_pct=(sum(utils) / len(utils)) if utils else None,
            )
        )
    return tuple(result)


def _fmt_interference(mw: float) -> str:
    return f"{mw_to_dbm(mw):.0f} dBm interference" if mw > 0 else "no interference"


def recommend_channel(
    observations: Sequence[Observation] | Iterable[Observation],
    current_channel: int | None = None,
    exclude_bssids: Iterable[str] = (),
) -> ChannelRecommendation:
    """Pick 1, 6 or 11: the channel with the least overlap-weighted interference.

    ``exclude_bssids`` (lower-case) are the network's own radios, which are not
    interference. The current channel (if it is 1, 6 or 11) is kept unless another
    candidate is at least 3 dB quieter, so a marginal difference does not trigger a
    change. The reason states the interference on every candidate in dBm.
    """
    excluded = {b.lower() for b in exclude_bssids}
    heard = [h for h in _heard_24(observations) if not (h[3].bssid and h[3].bssid.lower() in excluded)]
    per = {ch: _interference_mw(ch, heard) for ch in NON_OVERLAPPING_24}
    strong = {
        ch: sum(1 for c, _, rssi, _ in heard if c == ch and rssi >= CCA_THRESHOLD_DBM) for ch in NON_OVERLAPPING_24
    }
    # Quietest first; ties go to the lower channel number for a stable answer.
    best = min(NON_OVERLAPPING_24, key=lambda ch: (per[ch], ch))
    summary = "; ".join(
        f"channel {ch}: {_fmt_interference(per[ch])}, {strong[ch]} strong co-channel" for ch in NON_OVERLAPPING_24
    )

    # Compare in dB with a floor of -100 dBm so an empty channel is not "infinitely" better.
    def level_db(ch: int) -> float:
        return mw_to_dbm(max(per[ch], 1e-10))

    if current_channel in NON_OVERLAPPING_24:
        gain_db = level_db(current_channel) - level_db(best)
        if best == current_channel or gain_db < KEEP_CURRENT_MARGIN_DB:
            reason = (
                f"Keep channel {current_channel}: no other of 1/6/11 is at least "
                f"{KEEP_CURRENT_MARGIN_DB:.0f} dB quieter ({summary})."
            )
            return ChannelRecommendation(current_channel, reason, per, current_channel)
        reason = f"Move from channel {current_channel} to {best}: {gain_db:.0f} dB less interference ({summary})."
        return ChannelRecommendation(best, reason, per, current_channel)
    prefix = ""
    if current_channel is not None:
        prefix = f"Channel {current_channel} overlaps its neighbours; use one of 1, 6, 11. "
    reason = f"{prefix}Use channel {best}: the least interference ({summary})."
    return ChannelRecommendation(best, reason, per, current_channel)
