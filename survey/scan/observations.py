"""Building :class:`Observation` values the same way for every parser and backend."""

from __future__ import annotations

import functools

from survey.project.model import AUTH_VALUES, Observation
from survey.rf.channels import ChannelError, band_of, channel_of, channel_to_freq_mhz
from survey.scan import signal
from survey.scan.text import decode_ssid

#: Cipher names observations use (IEEE 802.11 cipher suites; "AES" on macOS/Windows is CCMP).
CIPHER_ALIASES = {
    "CCMP": "CCMP",
    "AES": "CCMP",
    "CCMP-128": "CCMP",
    "TKIP": "TKIP",
    "GCMP": "GCMP",
    "GCMP-128": "GCMP",
    "GCMP-256": "GCMP-256",
    "CCMP-256": "CCMP-256",
    "WEP": "WEP",
    "WEP40": "WEP",
    "WEP104": "WEP",
    "WEP-40": "WEP",
    "WEP-104": "WEP",
}


def normalise_auth(values) -> tuple[str, ...]:
    """Known auth values, deduplicated, in the order of :data:`AUTH_VALUES`."""
    return _auth_in_order(frozenset(values))


@functools.lru_cache(maxsize=256)
def _auth_in_order(present: frozenset) -> tuple[str, ...]:
    return tuple(a for a in AUTH_VALUES if a in present)


def normalise_ciphers(values) -> tuple[str, ...]:
    return _ciphers(tuple(values))


@functools.lru_cache(maxsize=256)
def _ciphers(values: tuple) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        name = CIPHER_ALIASES.get(str(v).strip().upper())
        if name and name not in out:
            out.append(name)
    return tuple(out)


# A scan has a few dozen distinct frequencies: look each up once (a 1 MB saved scan has
# tens of thousands of rows).
_channel_of = functools.lru_cache(maxsize=1024)(channel_of)
_band_of = functools.lru_cache(maxsize=1024)(band_of)


def akm_to_auth(proto: str, akm: str) -> str | None:
    """Map a protocol generation (``WPA``/``RSN``) and an AKM name to an auth value.

    AKM names follow wpa_supplicant/iw spelling (``PSK``, ``SAE``, ``IEEE 802.1X``,
    ``FT/PSK``, ``PSK-SHA256``, ``EAP-SUITE-B-192``, ``OWE``...). SAE, OWE and the
    Suite-B 192-bit AKM exist only with RSN and are WPA3 (Wi-Fi Alliance WPA3 spec v3.0).
    """
    a = akm.upper().replace("FT/", "").replace("FT-", "")
    wpa1 = proto.upper() == "WPA"
    if "FILS" in a or a == "OSEN" or proto.upper() == "OSEN":
        # FILS authenticates through an EAP server (its SHA-384 variant is not Suite B);
        # OSEN is Hotspot 2.0's anonymous EAP.
        return "WPA-EAP" if wpa1 else "WPA2-EAP"
    if "SAE" in a:
        return "WPA3-SAE"
    if "OWE" in a:
        return "OWE"
    if "SUITE-B" in a or "SUITE_B" in a or "SHA384" in a:
        return "WPA3-EAP"
    if "PSK" in a:
        return "WPA-PSK" if wpa1 else "WPA2-PSK"
    if "802.1X" in a or "EAP" in a or "8021X" in a:
        return "WPA-EAP" if wpa1 else "WPA2-EAP"
    return None


def build_observation(
    bssid: str,
    *,
    ssid: str | None = None,
    ssid_raw: bytes | None = None,
    rssi_dbm: float | None = None,
    rssi_estimated: bool = False,
    signal_pct: float | None = None,
    pct_source: str = signal.WINDOWS,
    freq_mhz: float | None = None,
    channel: int | None = None,
    band: str | None = None,
    auth=(),
    ciphers=(),
    wps: bool | None = None,
    station_count: int | None = None,
    channel_utilization_pct: float | None = None,
    channel_width_mhz: int | None = None,
    last_seen: float | None = None,
) -> Observation:
    """One observation with channel, frequency and band filled in from each other.

    Give ``ssid_raw`` when the source gives bytes (text is derived), else ``ssid``.
    When only ``signal_pct`` is known, ``rssi_dbm`` is estimated with
    :func:`survey.scan.signal.percent_to_dbm` for ``pct_source`` and flagged;
    ``rssi_estimated`` flags an ``rssi_dbm`` the caller derived itself (driver units).
    """
    if ssid_raw is not None:
        if ssid_raw.strip(b"\x00") == b"":
            ssid_raw = b""
        ssid_text = decode_ssid(ssid_raw)
    else:
        ssid_text = ssid or ""
        ssid_raw = ssid_text.encode("utf-8") if ssid_text else b""
    if freq_mhz is not None and freq_mhz <= 0:
        freq_mhz = None
    band = _band_of(None if freq_mhz is None else float(freq_mhz), channel, band)
    if freq_mhz is None and channel is not None and band is not None:
        try:
            freq_mhz = channel_to_freq_mhz(channel, band)
        except ChannelError:
            # A number on no channel plan (a 6 GHz channel airport calls 5 GHz, a driver's
            # odd value): keep the row with its channel and no frequency.
            freq_mhz = None
    if channel is None and freq_mhz is not None:
        channel = _channel_of(float(freq_mhz))
    estimated = rssi_estimated and rssi_dbm is not None
    if rssi_dbm is None and signal_pct is not None:
        rssi_dbm = signal.percent_to_dbm(signal_pct, pct_source)
        estimated = True
    return Observation(
        bssid=bssid,
        ssid=ssid_text,
        rssi_dbm=None if rssi_dbm is None else float(rssi_dbm),
        freq_mhz=None if freq_mhz is None else float(freq_mhz),
        channel=channel,
        band=band,
        ssid_raw=ssid_raw,
        rssi_estimated=estimated,
        signal_pct=None if signal_pct is None else float(signal_pct),
        auth=normalise_auth(auth),
        ciphers=normalise_ciphers(ciphers),
        wps=wps,
        station_count=station_count,
        channel_utilization_pct=channel_utilization_pct,
        channel_width_mhz=channel_width_mhz,
        last_seen=last_seen,
    )


def observation_to_json(obs: Observation) -> dict:
    """The JSON shape of the ``evsurvey scan --json`` output for one observation."""
    return {
        "bssid": obs.bssid,
        "ssid": obs.ssid,
        "ssid_hex": obs.ssid_raw.hex() if obs.ssid_raw else "",
        "rssi_dbm": obs.rssi_dbm,
        "rssi_estimated": obs.rssi_estimated,
        "signal_pct": obs.signal_pct,
        "freq_mhz": obs.freq_mhz,
        "channel": obs.channel,
        "band": obs.band,
        "channel_width_mhz": obs.channel_width_mhz,
        "auth": list(obs.auth),
        "ciphers": list(obs.ciphers),
        "wps": obs.wps,
        "station_count": obs.station_count,
        "channel_utilization_pct": obs.channel_utilization_pct,
    }
