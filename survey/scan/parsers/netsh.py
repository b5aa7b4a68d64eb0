"""``netsh wlan show networks mode=bssid`` text, in any Windows display language.

netsh translates its labels ("Signal", "Señal", "Kanal", "Canal"...), so fields are found
by structure and by the shape of their values, never by label text:

* ``SSID <n> : <name>`` starts a network and ``BSSID <n> : <mac>`` one of its access points
  (both words are the same in every language);
* inside a network, before the first BSSID: the authentication value is the one that
  names WPA/WPA2/WPA3/OWE (not translated), the encryption value is a cipher name or the
  translated "None"; netsh prints network type, authentication and encryption in that
  order, so with all three lines present a value naming no WPA is the translated "Open"
  (or "Shared"); with fewer (a trimmed file) the security is unknown, not open;
* inside a BSSID block: the first value shaped ``NN%`` is the signal, ``802.11xx`` the
  radio type, ``2,4 GHz``/``5 GHz``/``6 GHz`` the band, the first bare integer after the
  signal and before a BSS Load sub-block the channel, ``N (P %)`` the BSS Load channel
  utilisation (N of 255) with the station count on the value line before it.

Handles several interfaces in one output, CRLF, U+00A0 before colons, indentation
broken by netsh itself, and OEM code page text mis-decoded as Latin-1 ("Se¤al" is cp850
"Señal" read as Latin-1). The signal is a percentage on Windows' scale (estimated dBm).

``netsh wlan show interfaces`` (the connected network only) is read too: after its
``SSID :`` line (no number), the first MAC is the BSSID (``BSSID`` / ``AP BSSID``), the
two values after the radio type are authentication and cipher, then band, the first bare
integer is the channel, the last ``NN%`` the signal (Windows 11 prints a link quality
percentage before it), a negative integer (an RSSI line, when netsh prints one) the
measured dBm; a GUID value starts the next interface.
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.rf.channels import band_of
from survey.scan import signal
from survey.scan.observations import build_observation
from survey.scan.parsers.common import (
    MAX_LINE_CHARS,
    NOISE,
    TOO_LONG,
    LineNotes,
    ParsedScan,
    UnknownScanFormat,
    is_noise_line,
    numbered_lines,
)
from survey.scan.text import normalise_bssid

_SSID = re.compile(r"[ \t]*SSID[ \t]+(\d+)[ \t]*:(?: (.*)|(.*))")
_BSSID = re.compile(r"[ \t]*BSSID[ \t]+(\d+)[ \t]*:[ \t]*(\S+)[ \t]*")
#: `netsh wlan show interfaces`: "    SSID                   : Home" (no number).
_IF_SSID = re.compile(r"[ \t]*SSID[ \t]*:(?: (.*)|(.*))")
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_NEGATIVE = re.compile(r"-\d{1,3}")
_PCT = re.compile(r"^(\d{1,3})\s*%$")
_RADIO = re.compile(r"^802\.11\w+$")
_BAND = re.compile(r"^(\d+(?:[.,]\d+)?)\s*GHz$")
_UTIL = re.compile(r"^(\d+)\s*\(\s*(\d+)\s*%\s*\)$")
_CIPHER = re.compile(r"^(CCMP|TKIP|GCMP|GCMP-256|CCMP-256|WEP|AES)$", re.IGNORECASE)
# The protocol word of an authentication value: "WPA2-Personal", "WPA2 - 个人", "WPA3-エンタープライズ".
# Letters may not touch it on the left ("Nowpa" is no protocol); "WPA2PSK" is allowed.
_WPA = re.compile(r"(?<![A-Za-z])(?:WPA[123]?(?![a-z])|OWE(?![A-Za-z])|SAE(?![A-Za-z]))", re.IGNORECASE)
# "Enterprise" in the authentication names of Windows' display languages (netsh translates
# "WPA2-Enterprise"; Microsoft Terminology Collection): en/nl/it Enterprise, fr Entreprise,
# es/pt Empresa/Empresarial, de Unternehmen, it Aziendale, sv Företag, da Virksomhed,
# nb Bedrift, fi Yritys, cs/sk Podnikov*, pl Przedsiębiorstwo, hu Vállalati, tr Kurumsal,
# ru Предприятие/Корпоративная, uk Підприємство, el Εταιρικό, zh-CN 企业, zh-TW/ja 企業,
# ja エンタープライズ, ko 엔터프라이즈, he ארגוני, ar مؤسسة. "Personal" is the default:
# an unrecognised suffix is far more often a translated "Personal".
_ENTERPRISE = re.compile(
    r"enter|entre|empres|unterneh|aziend|corpor|bedrijf|företag|virksomhed|bedrift|yritys|podnik|przedsi"
    r"|vállalat|kurumsal|предпр|корпор|підпр|εταιρ|企业|企業|エンタープライズ|엔터프라이즈|ארגונ|مؤسس"
    r"|802\.1x|\beap\b",
    re.IGNORECASE,
)
# Letters around a cp850 byte read as Latin-1: "Se¤al", "Autenticaci¢n", "b\xa0sicas".
_MOJIBAKE = re.compile(r"[A-Za-z][\u00a0-\u00bf\u0080-\u009f][a-z]")
# Windows' only WPA3-Enterprise variant with its own name: "WPA3-Enterprise 192 Bits".
_SUITE_B = re.compile(r"\b192\b")
#: Text of Windows 11's refusal to list networks without Location permission. The sentences
#: are translated, the Settings URI is not.
LOCATION_DENIED = "ms-settings:privacy-location"


class NetshLocationDenied(UnknownScanFormat):
    """The saved netsh output is Windows refusing the scan for lack of Location permission."""

    def __init__(self):
        super().__init__(
            "This netsh output lists no networks: Windows refused the scan because netsh has no "
            "Location permission (Windows 11 24H2 and later). Open Settings > Privacy & security > "
            "Location, turn on Location services and 'Let desktop apps access your location', then "
            "run `netsh wlan show networks mode=bssid` again and save its output."
        )


def key_value(line: str) -> tuple[str, str, str] | None:
    """(indent, label, value) of a ``label : value`` line, split at its first colon, or None."""
    label, sep, value = line.partition(":")
    if not sep:
        return None
    stripped = label.lstrip()
    return label[: len(label) - len(stripped)], stripped.strip(), value.strip()


def repair_oem_mojibake(text: str) -> tuple[str, bool]:
    """Undo cp850 bytes decoded as Latin-1 (older Spanish/French/German consoles).

    Only applied when a label shows the telltale pattern and the whole text round-trips
    through Latin-1; returns (text, repaired).
    """
    labels = [kv[1] for _, line in numbered_lines(text) if ":" in line and (kv := key_value(line))]
    if not any(_MOJIBAKE.search(label) for label in labels):
        return text, False
    try:
        return text.encode("latin-1").decode("cp850"), True
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text, False


def _auth_of(auth_value: str, cipher_value: str) -> list[str]:
    """Auth value for a netsh authentication value (any language) and its cipher.

    The protocol word (WPA, WPA2, WPA3, OWE, SAE) is never translated; Personal vs
    Enterprise is, see :data:`_ENTERPRISE`. A value without a protocol word is the
    translated "Open" or "Shared": a WEP cipher makes it WEP, a CCMP/GCMP cipher OWE
    (Windows' only non-WPA authentication that encrypts with CCMP, Opportunistic Wireless
    Encryption, whose name some Windows versions translate), anything else open.
    """
    v = auth_value.upper()
    eap = bool(_ENTERPRISE.search(auth_value))
    words = {m.group().upper() for m in _WPA.finditer(auth_value)}
    if "OWE" in words:
        return ["OWE"]
    if any(w.startswith("WPA3") for w in words) or "SAE" in words:
        if eap or _SUITE_B.search(auth_value):
            return ["WPA3-EAP"]
        return ["WPA3-SAE"]
    if any(w.startswith("WPA2") for w in words):
        return ["WPA2-EAP" if eap else "WPA2-PSK"]
    if words:
        return ["WPA-EAP" if eap else "WPA-PSK"]
    cipher = cipher_value.upper()
    if cipher == "WEP" or "WEP" in v:
        return ["WEP"]
    if cipher.startswith(("CCMP", "GCMP", "AES")):
        return ["OWE"]
    return ["OPEN"]


def network_auth(net_values: list[str]) -> tuple[list[str], list[str]]:
    """(auth, ciphers) of a network from the values of its lines before the first BSSID
    (network type, authentication, encryption): unknown (no auth) when the
    authentication line is missing."""
    auth_value = next((v for v in net_values if _WPA.search(v)), "")
    cipher_value = next((v for v in net_values if _CIPHER.match(v)), "")
    if not auth_value:
        if len(net_values) < 3:
            return [], [cipher_value] if cipher_value else []
        auth_value = net_values[1]
    auth = _auth_of(auth_value, cipher_value)
    return auth, [] if auth == ["OPEN"] else ([cipher_value] if cipher_value else [])


class _Block:
    def __init__(self, bssid: str, ssid: str, auth: list[str], ciphers: list[str]):
        self.bssid = bssid
        self.ssid = ssid
        self.auth = auth
        self.ciphers = ciphers
        self.pct: float | None = None
        self.band: str | None = None
        self.channel: int | None = None
        self.stations: int | None = None
        self.util_pct: float | None = None
        self.in_load = False
        self.last_int: int | None = None

    def finish(self) -> Observation:
        return build_observation(
            self.bssid,
            ssid=self.ssid,
            signal_pct=self.pct,
            pct_source=signal.WINDOWS,
            channel=self.channel,
            band=self.band,
            auth=self.auth,
            ciphers=self.ciphers,
            wps=None,
            station_count=self.stations,
            channel_utilization_pct=self.util_pct,
        )


def _prepare(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """Numbered lines of netsh text with OEM mojibake repaired and no-break spaces made spaces; notes."""
    warnings: list[str] = []
    text, repaired = repair_oem_mojibake(text)
    if repaired:
        warnings.append(
            "The text was OEM code page (cp850) output read as Latin-1; it was repaired. "
            "Next time save it with `netsh ... > file.txt` from cmd.exe, or open it as cp850."
        )
    return numbered_lines(text.replace("\u00a0", " ").replace("\u202f", " ")), warnings


def parse(text: str) -> ParsedScan:
    """Observations of ``netsh wlan show networks mode=bssid`` (or ``show interfaces``) text."""
    lines, warnings = _prepare(text)
    if not any(_SSID.match(line) for _, line in lines) and is_interfaces(lines):
        return _parse_interfaces(lines, warnings)
    out: list[Observation] = []
    notes = LineNotes("netsh")
    ssid = ""
    net_values: list[str] = []
    in_network = False
    block: _Block | None = None

    def close_block():
        nonlocal block
        if block is not None:
            out.append(block.finish())
            block = None

    for lineno, line in lines:
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        m = _SSID.match(line)
        if m and not _BSSID.fullmatch(line):
            close_block()
            ssid = (m.group(2) if m.group(2) is not None else m.group(3) or "").rstrip()
            in_network = True
            net_values = []
            continue
        m = _BSSID.fullmatch(line)
        if m and in_network:
            close_block()
            mac = normalise_bssid(m.group(2))
            if mac is None:
                notes.skip(lineno, line, f"BSSID {m.group(2)[:20]!r} is not a MAC address")
                continue
            auth, ciphers = network_auth(net_values)
            block = _Block(mac, ssid, auth, ciphers)
            continue
        if is_noise_line(line):
            notes.skip(lineno, line, NOISE)
            continue
        kv = key_value(line)
        if kv is None:
            continue  # "There are 3 networks currently visible." and the like
        indent, _, value = kv
        if block is None:
            if in_network:
                net_values.append(value)
            continue
        _block_value(block, value)
        if not indent and _looks_like_interface_line(line, value):
            close_block()
            in_network = False
    close_block()
    if not out and any(LOCATION_DENIED in line for _, line in lines):
        raise NetshLocationDenied()
    return ParsedScan("netsh", tuple(out), tuple(warnings + notes.warnings()))


def is_interfaces(lines: list[tuple[int, str]]) -> bool:
    """True for ``netsh wlan show interfaces`` text (numbered lines): an interface GUID and a MAC value."""
    values = [kv[2] for _, line in lines if ":" in line and len(line) <= MAX_LINE_CHARS and (kv := key_value(line))]
    return any(_GUID.fullmatch(v) for v in values if "-" in v) and any(normalise_bssid(v) for v in values if ":" in v)


class NetshNotConnected(UnknownScanFormat):
    """Saved ``netsh wlan show interfaces`` output of an interface connected to no network."""

    def __init__(self):
        super().__init__(
            "This is `netsh wlan show interfaces` output with no connected network, so it holds no "
            "measurement. Save `netsh wlan show networks mode=bssid > scan.txt` instead: it lists every "
            "network heard, with its signal."
        )


class _Connected:
    def __init__(self, ssid: str):
        self.ssid = ssid
        self.bssid: str | None = None
        self.after_radio: int | None = None  # values seen since the radio type line
        self.auth_value = ""
        self.cipher_value = ""
        self.band: str | None = None
        self.channel: int | None = None
        self.pct: float | None = None
        self.rssi_dbm: float | None = None

    def finish(self) -> Observation:
        auth = _auth_of(self.auth_value, self.cipher_value) if self.auth_value else []
        ciphers = [] if auth == ["OPEN"] or not self.cipher_value else [self.cipher_value]
        return build_observation(
            self.bssid or "",
            ssid=self.ssid,
            rssi_dbm=self.rssi_dbm,
            signal_pct=self.pct,
            pct_source=signal.WINDOWS,
            channel=self.channel,
            band=self.band,
            auth=auth,
            ciphers=ciphers,
            wps=None,
        )


def _parse_interfaces(lines: list[tuple[int, str]], warnings: list[str]) -> ParsedScan:
    out: list[Observation] = []
    cur: _Connected | None = None
    for _, line in lines:
        if len(line) > MAX_LINE_CHARS:
            continue
        m = _IF_SSID.fullmatch(line)
        if m:
            if cur is not None:
                out.append(cur.finish())
            cur = _Connected((m.group(1) if m.group(1) is not None else m.group(2) or "").rstrip())
            continue
        kv = key_value(line)
        if kv is None:
            continue
        value = kv[2]
        if _GUID.fullmatch(value):  # the next interface
            if cur is not None:
                out.append(cur.finish())
            cur = None
            continue
        if cur is None:
            continue
        if cur.bssid is None and normalise_bssid(value):
            cur.bssid = normalise_bssid(value)
        elif _RADIO.match(value):
            cur.after_radio = 0
        elif cur.after_radio == 0:
            cur.auth_value, cur.after_radio = value, 1
        elif cur.after_radio == 1:
            cur.cipher_value, cur.after_radio = value, 2
        elif band_match := _BAND.match(value):
            cur.band = band_of(band_hint=band_match.group(1))
        elif pct_match := _PCT.match(value):
            cur.pct = float(pct_match.group(1))  # the last one: "Signal" follows "Link Quality"
        elif _NEGATIVE.fullmatch(value):
            cur.rssi_dbm = float(value)
        elif value.isdigit() and cur.channel is None:
            cur.channel = int(value)
    if cur is not None:
        out.append(cur.finish())
    if not out:
        raise NetshNotConnected()
    warnings = warnings + [
        "This is `netsh wlan show interfaces` output: it holds only the connected network. For a survey "
        "sample, save `netsh wlan show networks mode=bssid` instead: it lists every network heard."
    ]
    return ParsedScan("netsh", tuple(out), tuple(warnings))


def _looks_like_interface_line(line: str, value: str) -> bool:
    # Interface lines sit at column 0 and carry a name, not a number ("mscs QoS admitidos: 0"
    # is netsh's own broken indentation inside a BSSID block).
    return not line[0].isspace() and bool(value) and not value.isdigit()


def _block_value(b: _Block, value: str) -> None:
    if b.pct is None:
        m = _PCT.match(value)
        if m:
            b.pct = float(m.group(1))
        return
    if _RADIO.match(value):
        return
    m = _BAND.match(value)
    if m:
        b.band = band_of(band_hint=m.group(1))
        return
    if value == "":
        b.in_load = True  # "Bss Load:" opens a sub-block
        return
    m = _UTIL.match(value)
    if m and b.in_load:
        b.util_pct = round(100.0 * int(m.group(1)) / 255.0, 1)
        b.stations = b.last_int
        return
    if value.isdigit():
        if b.channel is None and not b.in_load:
            b.channel = int(value)
        b.last_int = int(value)
