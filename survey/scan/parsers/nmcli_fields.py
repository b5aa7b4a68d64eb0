"""nmcli's ``device wifi list`` fields: their names, the shapes of their values in every
locale, and one observation from the values of a row (terse, table or multiline).

Facts from NetworkManager's src/nmcli/devices.c (``nmc_fields_dev_wifi_list``,
``fill_output_access_point``, ``ap_wpa_rsn_flags_to_string``) at commit 355bc902 (2026):
19 fields; BAND was added in 1.57 (commit c39b967a47, "nmcli: print the band of wifi
access points") and joined the default fields. Empty values print as ``--`` in tables
and as nothing in terse output (src/nmcli/utils.c). Translated words: see
:mod:`survey.scan.parsers.nmcli_words`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from survey.project.model import Observation
from survey.rf.channels import band_of
from survey.scan import signal
from survey.scan.observations import build_observation
from survey.scan.parsers.nmcli_words import words
from survey.scan.text import normalise_bssid

#: Every field, in nmcli's order (what ``-f all`` prints), NetworkManager >= 1.57.
ALL_FIELDS = (
    "NAME",
    "SSID",
    "SSID-HEX",
    "BSSID",
    "MODE",
    "CHAN",
    "BAND",
    "FREQ",
    "RATE",
    "BANDWIDTH",
    "SIGNAL",
    "BARS",
    "SECURITY",
    "WPA-FLAGS",
    "RSN-FLAGS",
    "DEVICE",
    "ACTIVE",
    "IN-USE",
    "DBUS-PATH",
)
#: ``-f all`` before 1.57 (no BAND).
ALL_FIELDS_BEFORE_1_57 = tuple(f for f in ALL_FIELDS if f != "BAND")
#: The default fields (``-f common``), NetworkManager >= 1.57, and those of 1.16 to 1.56.
DEFAULT_FIELDS = ("IN-USE", "BSSID", "SSID", "MODE", "BAND", "CHAN", "RATE", "SIGNAL", "BARS", "SECURITY")
DEFAULT_FIELDS_BEFORE_1_57 = tuple(f for f in DEFAULT_FIELDS if f != "BAND")
#: Fields the live backend asks for (all exist since NetworkManager 1.10).
SCAN_FIELDS = (
    "IN-USE",
    "BSSID",
    "SSID",
    "SSID-HEX",
    "MODE",
    "CHAN",
    "FREQ",
    "SIGNAL",
    "SECURITY",
    "WPA-FLAGS",
    "RSN-FLAGS",
)


def normal(value: str) -> str:
    """A value with its whitespace runs made single spaces (translations use U+2009/U+200A)."""
    return " ".join(value.split())


def _phrases(*msgids: str) -> dict[str, str]:
    """Normalised, case-folded translation -> English msgid."""
    return {normal(w).casefold(): m for m in msgids for w in words(m)}


MODE_WORDS = _phrases("Infra", "Ad-Hoc", "Mesh", "N/A")
YES_NO_WORDS = _phrases("yes", "no")
NONE_WORDS = _phrases("(none)")
#: Longest translated phrase, in words ("Инцидентен (ад хок)", "(bat ere ez)").
MAX_PHRASE_WORDS = max(len(p.split()) for p in (*MODE_WORDS, *YES_NO_WORDS, *NONE_WORDS))
#: Flag words of WPA-FLAGS/RSN-FLAGS as devices.c spells them ("wpe" is nmcli's own
#: spelling of WEP there), plus the spellings of older versions.
FLAG_WORDS = frozenset(
    (
        "pair_wpe40",
        "pair_wpe104",
        "pair_tkip",
        "pair_ccmp",
        "group_wpe40",
        "group_wpe104",
        "group_tkip",
        "group_ccmp",
        "psk",
        "802.1x",
        "sae",
        "wpa-eap-suite-b-192",
        "owe",
        "pair_wep40",
        "pair_wep104",
        "group_wep40",
        "group_wep104",
        "ft-psk",
        "ft-sae",
        "ft-802.1x",
        "eap-suite-b-192",
        "suite-b-192",
        "mgmt_psk",
        "mgmt_802.1x",
    )
)
#: SECURITY words (devices.c: WEP, WPA1, WPA2, WPA3, OWE, OWE-TM, 802.1X, WPA-EAP-SUITE-B-192).
SECURITY_WORDS = frozenset(
    ("WEP", "WPA1", "WPA2", "WPA3", "OWE", "OWE-TM", "802.1X", "WPA-EAP-SUITE-B-192", "WPA", "--")
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MAC = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")
_HEXES = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_BARS = re.compile(r"(?:[\u2581-\u2588_*]|&#960[1-8];){1,4}")
#: Channel widths 802.11 defines (20 to 320 MHz, IEEE 802.11be).
WIDTHS_MHZ = {20, 40, 80, 160, 320}


def number_unit(value: str) -> tuple[float, str] | None:
    """(number, unit) of a value such as ``2437 MHz``, ``2,4 GHz``, ``270 Мбит/с`` (any unit word)."""
    parts = normal(value).split(" ")
    if len(parts) != 2 or not _NUMBER.fullmatch(parts[0]) or _NUMBER.fullmatch(parts[1]):
        return None
    return float(parts[0].replace(",", ".")), parts[1]


def band_of_value(value: str) -> str | None:
    """ "2.4" / "5" / "6" for a BAND value ("2.4 GHz", "2,4 ГГц", "6 GHz"), None for "--" or other text."""
    got = number_unit(value)
    if got is None:
        return None
    return band_of(band_hint=f"{got[0]:g}")


def is_flags(value: str) -> bool:
    """True for a WPA-FLAGS/RSN-FLAGS value: "(none)" in any language, or flag words."""
    v = normal(value)
    if v.casefold() in NONE_WORDS:
        return True
    return bool(v) and all(w.lower() in FLAG_WORDS for w in v.split(" "))


def is_security(value: str) -> bool:
    v = normal(value)
    return bool(v) and all(w in SECURITY_WORDS for w in v.split(" "))


# -- reading a table cell's words (plain and --pretty tables) --------------------------------------------------
#
# A matcher is given ``get(k)``: the k-th word from where the value starts (k = 0 is the
# word next to the anchor; from the right that is the value's last word), ``forward``,
# and ``gap(k)``: how many characters separate word k from word k + 1. It returns how
# many words the value takes (0 for an empty value) or None. A value of several words
# from an open list (SECURITY, flags) has single spaces between its words: nmcli puts
# two or more between columns, so two flag columns side by side stay apart.

Get = Callable[[int], "str | None"]
Gap = Callable[[int], "int | None"]


def _phrase(get: Get, forward: bool, gap: Gap, phrases: dict[str, str]) -> int | None:
    for n in range(MAX_PHRASE_WORDS, 0, -1):
        got = [word for k in range(n) if (word := get(k)) is not None]
        if len(got) < n or any(gap(k) != 1 for k in range(n - 1)):
            continue
        text = " ".join(got if forward else reversed(got)).casefold()
        if text in phrases:
            return n
    return None


def _sequence(get: Get, gap: Gap, ok: Callable[[str], bool]) -> int | None:
    n = 0
    while (w := get(n)) is not None and ok(w):
        n += 1
        if gap(n - 1) != 1:
            break
    return n or None


def _one(pred: Callable[[str], bool]):
    return lambda get, forward, gap: 1 if (w := get(0)) is not None and pred(w) else None


def _empty_or(pred: Callable[[str], bool]):
    return lambda get, forward, gap: 1 if (w := get(0)) is not None and pred(w) else 0


def _number_unit(get: Get, forward: bool, gap: Gap) -> int | None:
    first = get(0)
    if first == "--":
        return 1
    second = get(1)
    if first is None or second is None:
        return None
    number, unit = (first, second) if forward else (second, first)
    return 2 if number_unit(number + " " + unit) is not None else None


def _mode(get: Get, forward: bool, gap: Gap) -> int | None:
    return _phrase(get, forward, gap, MODE_WORDS) or (1 if get(0) is not None else None)


def _flags(get: Get, forward: bool, gap: Gap) -> int | None:
    return _phrase(get, forward, gap, NONE_WORDS) or _sequence(get, gap, lambda w: w.lower() in FLAG_WORDS)


#: Columns whose value may be blank in a table (IN-USE of a BSS not in use, BARS at <= 5 %
#: in a non-UTF-8 locale); every other empty value prints as "--".
CAN_BE_EMPTY = frozenset(("IN-USE", "BARS"))

MATCHERS = {
    "IN-USE": _empty_or(lambda w: w == "*"),
    "BSSID": _one(lambda w: _MAC.fullmatch(w) is not None),
    "SSID-HEX": _one(lambda w: w == "--" or _HEXES.fullmatch(w) is not None),
    "NAME": _one(lambda w: True),
    "MODE": _mode,
    "CHAN": _one(str.isdigit),
    "BAND": _number_unit,
    "FREQ": _number_unit,
    "RATE": _number_unit,
    "BANDWIDTH": _number_unit,
    "SIGNAL": _one(lambda w: w.isdigit() and len(w) <= 3),
    # Unicode bars, "*" bars when the locale is not UTF-8 (blank for <= 5 %), or the glyphs
    # as HTML character references, as web forums show copied output ("&#9602;&#9604;__").
    "BARS": _empty_or(lambda w: _BARS.fullmatch(w) is not None),
    "SECURITY": lambda get, forward, gap: _sequence(get, gap, lambda w: w in SECURITY_WORDS),
    "WPA-FLAGS": _flags,
    "RSN-FLAGS": _flags,
    "DEVICE": _one(lambda w: True),
    "ACTIVE": _one(lambda w: True),
    "DBUS-PATH": _one(lambda w: w.startswith("/")),
}


# -- values -> observation ------------------------------------------------------------------------------------------


def _auth_from(
    security: str, wpa_flags: str, rsn_flags: str, security_known: bool = True
) -> tuple[list[str], list[str]]:
    """(auth values, ciphers) from nmcli's flags, else its SECURITY words.

    Without a SECURITY column (``security_known`` false) an empty value says nothing,
    so no auth is given rather than "OPEN".
    """
    auth: list[str] = []
    ciphers: list[str] = []
    for flags, wpa1 in ((wpa_flags, True), (rsn_flags, False)):
        if not flags.strip() or normal(flags).casefold() in NONE_WORDS:
            continue
        for w in flags.lower().split():
            if w.startswith("pair_"):
                cipher = w[5:].upper()
                ciphers.append("WEP" if cipher.startswith(("WPE", "WEP")) else cipher)
            elif w in ("psk", "ft-psk", "mgmt_psk"):
                auth.append("WPA-PSK" if wpa1 else "WPA2-PSK")
            elif w in ("sae", "ft-sae"):
                auth.append("WPA3-SAE")
            elif w in ("802.1x", "ft-802.1x", "mgmt_802.1x"):
                auth.append("WPA-EAP" if wpa1 else "WPA2-EAP")
            elif "suite-b" in w:
                auth.append("WPA3-EAP")
            elif w == "owe":
                auth.append("OWE")
    if not auth:
        sec_words = security.split()
        eap = "802.1X" in sec_words
        for w in sec_words:
            if w == "WPA1" or w == "WPA":
                auth.append("WPA-EAP" if eap else "WPA-PSK")
            elif w == "WPA2":
                auth.append("WPA2-EAP" if eap else "WPA2-PSK")
            elif w == "WPA3":
                auth.append("WPA3-EAP" if eap else "WPA3-SAE")
            elif w == "WEP":
                auth.append("WEP")
            elif w.startswith("OWE"):
                auth.append("OWE")
            elif "SUITE-B" in w:
                auth.append("WPA3-EAP")
        if not auth and eap:
            auth.append("WEP")  # dynamic WEP (802.1X without WPA) is what nmcli shows alone
        if not auth and security_known and security.strip() in ("", "--"):
            auth.append("OPEN")
    return auth, ciphers


def row_to_observation(rec: dict[str, str]) -> Observation | None:
    """One observation from nmcli values by field name (terse, table or multiline), None for a bad BSSID.

    SSID ``--`` is a hidden network; SIGNAL is NetworkManager's percentage (dBm is
    estimated); SECURITY words and WPA/RSN flags give auth values; FREQ, else CHAN with
    BAND (a 6 GHz channel number is also a 5 GHz one), gives channel, frequency and band.
    Columns no field of nmcli's are in ``rec`` under their own name and are not read.
    """
    if "BSSID" in rec:
        bssid = normalise_bssid(rec["BSSID"])
        if bssid is None:
            return None
    else:
        bssid = ""  # `nmcli -t -f SSID,...` without BSSID: networks without their AP's address
    ssid_raw: bytes | None = None
    hexval = rec.get("SSID-HEX", "").strip()
    if hexval and hexval != "--":
        try:
            ssid_raw = bytes.fromhex(hexval)
        except ValueError:
            ssid_raw = None
    ssid = rec.get("SSID", "")
    if ssid == "--":
        ssid = ""
    freq = None
    got = number_unit(rec.get("FREQ", ""))
    if got is not None and got[0] >= 1000:
        freq = got[0]
    chan = int(rec["CHAN"]) if rec.get("CHAN", "").isdigit() else None
    pct = float(rec["SIGNAL"]) if rec.get("SIGNAL", "").isdigit() else None
    auth, ciphers = _auth_from(
        rec.get("SECURITY", ""),
        rec.get("WPA-FLAGS", ""),
        rec.get("RSN-FLAGS", ""),
        security_known=any(k in rec for k in ("SECURITY", "WPA-FLAGS", "RSN-FLAGS")),
    )
    width = None
    got = number_unit(rec.get("BANDWIDTH", ""))
    if got is not None and got[0] in WIDTHS_MHZ:
        width = int(got[0])
    kwargs = {"ssid_raw": ssid_raw} if ssid_raw is not None else {"ssid": ssid}
    return build_observation(
        bssid,
        signal_pct=pct,
        pct_source=signal.NETWORKMANAGER,
        freq_mhz=freq,
        channel=chan,
        band=band_of_value(rec.get("BAND", "")) if freq is None else None,
        auth=auth,
        ciphers=ciphers,
        wps=None,
        channel_width_mhz=width,
        **kwargs,
    )
