"""``nmcli --terse ... device wifi list`` text.

Terse output has no header, so the columns are known from (in this order): the field list
the caller passes (the live backend), a saved ``nmcli ... --fields A,B,C`` / ``-f`` command
line in the file, or the shape of each column's values (a MAC, ``Infra``, ``2462 MHz``,
``130 Mbit/s``, signal bars, security words). Values are split with the escape-aware
:func:`survey.scan.text.split_terse` (``\\:`` and ``\\\\``). SIGNAL is a percentage on
NetworkManager's scale (see :mod:`survey.scan.signal`); SSID-HEX, when present, gives
the SSID bytes exactly.
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan import signal
from survey.scan.observations import build_observation
from survey.scan.parsers.common import ParsedScan, is_noise_line, skipped_warning
from survey.scan.text import normalise_bssid, split_terse

#: nmcli's default fields for ``-t dev wifi list`` in NetworkManager >= 1.16.
DEFAULT_FIELDS = ("IN-USE", "BSSID", "SSID", "MODE", "CHAN", "RATE", "SIGNAL", "BARS", "SECURITY")
#: Fields this project asks for in a live scan (all exist since NetworkManager 1.10).
SCAN_FIELDS = ("IN-USE", "BSSID", "SSID", "SSID-HEX", "MODE", "CHAN", "FREQ", "SIGNAL",
               "SECURITY", "WPA-FLAGS", "RSN-FLAGS")

_FIELDS_ARG = re.compile(r"(?:--fields|-f)\s+([A-Za-z0-9_,-]+)")
_MODES = {"infra", "ad-hoc", "adhoc", "mesh", "n/a", "ap"}
_BARS = re.compile(r"^[\u2581-\u2588_*]{1,4}$")
_SEC_WORDS = {"WPA1", "WPA2", "WPA3", "WEP", "802.1X", "OWE", "OWE-TM", "--", "WPA"}
_FLAG_WORDS = re.compile(r"^(\(none\)|((pair|group|mgmt)_\w+|psk|sae|802\.1X|owe|ft-\w+|suite-b\w*|eap\w*)"
                         r"(\s+\S+)*)$", re.IGNORECASE)


def _column_kind(values: list[str]) -> str | None:
    vals = [v for v in values if v != ""]
    if not vals:
        return "empty"

    def every(pred) -> bool:
        return all(pred(v) for v in vals)

    if every(lambda v: normalise_bssid(v) is not None):
        return "BSSID"
    if every(lambda v: v.lower() in _MODES):
        return "MODE"
    if every(lambda v: re.fullmatch(r"\d+(\.\d+)?\s*MHz", v) is not None):
        return "FREQ"
    if every(lambda v: re.fullmatch(r"[\d.]+\s*[MG]bit/s", v) is not None):
        return "RATE"
    if every(lambda v: v in ("yes", "no")):
        return "ACTIVE"
    if every(lambda v: v.strip() in ("*", "")) and any(v.strip() == "" for v in values):
        return "IN-USE"
    if every(lambda v: _BARS.match(v) is not None):
        return "BARS"
    if every(lambda v: re.fullmatch(r"[0-9A-Fa-f]+", v) is not None and len(v) % 2 == 0 and len(v) >= 2) \
            and any(re.search(r"[A-Fa-f]", v) for v in vals):
        return "SSID-HEX"
    if every(lambda v: v.isdigit()):
        return "INT"
    if every(lambda v: _FLAG_WORDS.match(v) is not None):
        return "FLAGS"
    if every(lambda v: all(w in _SEC_WORDS for w in v.split())):
        return "SECURITY"
    return None


def infer_fields(rows: list[list[str]]) -> tuple[str, ...] | None:
    """Guess the field names of terse rows from their values (None when it cannot)."""
    width = len(rows[0])
    kinds = [_column_kind([r[i] for r in rows]) for i in range(width)]
    names: list[str | None] = list(kinds)
    # In-use column: " " or "*"; a column of only blanks at index 0 is also IN-USE.
    if kinds[0] == "empty":
        names[0] = "IN-USE"
    ints = [i for i, k in enumerate(kinds) if k == "INT"]
    mode_idx = kinds.index("MODE") if "MODE" in kinds else None
    for i in ints:
        names[i] = None
    if ints:
        if mode_idx is not None and mode_idx + 1 in ints:
            names[mode_idx + 1] = "CHAN"
            rest = [i for i in ints if i != mode_idx + 1]
        elif len(ints) >= 2:
            names[ints[0]] = "CHAN"
            rest = ints[1:]
        else:
            rest = ints
        if rest:
            names[rest[0]] = "SIGNAL"
    flags = [i for i, k in enumerate(kinds) if k == "FLAGS"]
    for i in flags:
        names[i] = None
    if len(flags) >= 2:
        names[flags[0]], names[flags[1]] = "WPA-FLAGS", "RSN-FLAGS"
    elif flags:
        names[flags[0]] = "RSN-FLAGS"
    if "empty" in names:
        # An all-empty column other than IN-USE is most likely SECURITY of open networks.
        for i, n in enumerate(names):
            if n == "empty":
                names[i] = "SECURITY" if "SECURITY" not in names else None
    unknown = [i for i, n in enumerate(names) if n is None]
    if "SSID" not in names and unknown:
        # The SSID is the column no shape explains; prefer the one right after BSSID.
        bssid_idx = names.index("BSSID") if "BSSID" in names else -1
        pick = bssid_idx + 1 if (bssid_idx + 1) in unknown else unknown[0]
        names[pick] = "SSID"
    if "BSSID" not in names or "SSID" not in names:
        return None
    return tuple(n or f"?{i}" for i, n in enumerate(names))


def _auth_from(security: str, wpa_flags: str, rsn_flags: str) -> tuple[list[str], list[str]]:
    auth: list[str] = []
    ciphers: list[str] = []
    for flags, wpa1 in ((wpa_flags, True), (rsn_flags, False)):
        words = flags.lower().split()
        if not words or words == ["(none)"]:
            continue
        for w in words:
            if w.startswith("pair_"):
                ciphers.append(w[5:].upper())
            elif w == "psk" or w == "ft-psk":
                auth.append("WPA-PSK" if wpa1 else "WPA2-PSK")
            elif w in ("sae", "ft-sae"):
                auth.append("WPA3-SAE")
            elif w in ("802.1x", "ft-802.1x"):
                auth.append("WPA-EAP" if wpa1 else "WPA2-EAP")
            elif w.startswith("suite-b") or w == "eap-suite-b-192":
                auth.append("WPA3-EAP")
            elif w == "owe":
                auth.append("OWE")
    if not auth:
        words = security.split()
        eap = "802.1X" in words
        for w in words:
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
        if not auth and eap:
            auth.append("WEP")  # dynamic WEP (802.1X without WPA) is what nmcli shows alone
        if not auth and security.strip() in ("", "--"):
            auth.append("OPEN")
    return auth, ciphers


def parse(text: str, fields: tuple[str, ...] | None = None) -> ParsedScan:
    """Observations of terse ``nmcli device wifi list`` output.

    ``fields`` names the columns; without it they are read from a saved command line
    or inferred from the values.
    """
    warnings: list[str] = []
    skipped: list[tuple[int, str]] = []
    rows: list[tuple[int, str, list[str]]] = []
    for lineno, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.rstrip("\r\n")
        if not line.strip():
            continue
        if is_noise_line(line):
            if fields is None:
                m = _FIELDS_ARG.search(line)
                if m:
                    fields = tuple(f.strip().upper() for f in m.group(1).split(",") if f.strip())
            skipped.append((lineno, line))
            continue
        rows.append((lineno, line, split_terse(line)))
    if fields is not None and any(f in ("ALL", "COMMON") for f in fields):
        fields = None
    if rows:
        widths: dict[int, int] = {}
        for _, _, r in rows:
            widths[len(r)] = widths.get(len(r), 0) + 1
        width = max(widths, key=widths.get) if fields is None else len(fields)
        good = [(n, line, r) for n, line, r in rows if len(r) == width]
        for n, line, r in rows:
            if len(r) != width:
                skipped.append((n, line))
        rows = good
        if fields is None and rows:
            if width == len(DEFAULT_FIELDS) and all(normalise_bssid(r[1]) for _, _, r in rows):
                fields = DEFAULT_FIELDS
            else:
                fields = infer_fields([r for _, _, r in rows])
                if fields is None:
                    raise ValueError(
                        "Could not tell which nmcli column is which. Save the scan with "
                        "`nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`.")
                warnings.append("nmcli columns were inferred from their values: " + ",".join(fields))
    skipped.sort()
    out: list[Observation] = []
    for n, line, r in rows:
        rec = dict(zip(fields, r))
        obs = _row_to_observation(rec)
        if obs is None:
            skipped.append((n, line))
            continue
        out.append(obs)
    return ParsedScan("nmcli", tuple(out), tuple(warnings + skipped_warning("nmcli", skipped)))


def _row_to_observation(rec: dict[str, str]) -> Observation | None:
    bssid = normalise_bssid(rec.get("BSSID", ""))
    if bssid is None:
        return None
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
    m = re.match(r"(\d+(?:\.\d+)?)", rec.get("FREQ", ""))
    if m:
        freq = float(m.group(1))
    chan = int(rec["CHAN"]) if rec.get("CHAN", "").isdigit() else None
    pct = float(rec["SIGNAL"]) if rec.get("SIGNAL", "").isdigit() else None
    auth, ciphers = _auth_from(rec.get("SECURITY", ""), rec.get("WPA-FLAGS", ""), rec.get("RSN-FLAGS", ""))
    kwargs = {"ssid_raw": ssid_raw} if ssid_raw is not None else {"ssid": ssid}
    return build_observation(
        bssid, signal_pct=pct, pct_source=signal.NETWORKMANAGER, freq_mhz=freq, channel=chan,
        auth=auth, ciphers=ciphers, wps=None, **kwargs)
