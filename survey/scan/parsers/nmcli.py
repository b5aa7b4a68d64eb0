"""``nmcli --terse ... device wifi list`` text (and, through :mod:`.nmcli_table`, plain tables).

Terse output has no header, so the columns are known from (in this order): the field list
the caller passes (the live backend), a saved ``nmcli ... --fields A,B,C`` / ``-f`` command
line in the file, or the shape of each column's values (a MAC, ``Infra``, ``2462 MHz``,
``130 Mbit/s``, signal bars, security words). Values are split with the escape-aware
:func:`survey.scan.text.split_terse` (``\\:`` and ``\\\\``). SIGNAL is a percentage on
NetworkManager's scale (see :mod:`survey.scan.signal`); SSID-HEX, when present, gives
the SSID bytes exactly.

Text with an nmcli table header (``IN-USE  BSSID  SSID ...``) is handed to
:func:`survey.scan.parsers.nmcli_table.parse`; both read values with
:func:`row_to_observation`.
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan import signal
from survey.scan.observations import build_observation
from survey.scan.parsers import nmcli_table
from survey.scan.parsers.common import ParsedScan, is_noise_line, skipped_warning
from survey.rf.channels import freq_to_channel
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


_MHZ = re.compile(r"^(\d+(?:\.\d+)?)\s*MHz$")
#: Channel widths 802.11 defines (20 to 320 MHz, IEEE 802.11be); nmcli >= 1.46 prints
#: them in a BANDWIDTH column shaped like FREQ ("80 MHz").
_WIDTHS_MHZ = {20, 40, 80, 160, 320}


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
    mhz = [_MHZ.match(v) for v in vals]
    if all(mhz):
        # Centre frequencies start at 2412 MHz; widths are at most 320 MHz.
        numbers = [float(m.group(1)) for m in mhz]
        if all(n >= 2000 for n in numbers):
            return "FREQ"
        if all(n in _WIDTHS_MHZ for n in numbers):
            return "BANDWIDTH"
        return None
    if every(lambda v: re.fullmatch(r"[\d.]+\s*[MG]bit/s", v) is not None):
        return "RATE"
    if every(lambda v: v in ("yes", "no")):
        return "ACTIVE"
    if every(lambda v: v.strip() in ("*", "")) and any(v.strip() == "" for v in values):
        return "IN-USE"
    if every(lambda v: _BARS.match(v) is not None):
        return "BARS"
    if every(lambda v: re.fullmatch(r"AP\[\d+\]", v) is not None):
        return "NAME"  # nmcli's own row label in `-f all`
    if every(lambda v: v.startswith("/org/freedesktop/NetworkManager/")):
        return "DBUS-PATH"
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


def _channel_column(rows: list[list[str]], ints: list[int], freq_idx: int) -> int | None:
    """The integer column whose every value is the channel of the FREQ column's value."""
    for i in ints:
        ok = True
        for r in rows:
            m = _MHZ.match(r[freq_idx])
            if not (m and r[i].isdigit() and freq_to_channel(float(m.group(1))) == int(r[i])):
                ok = False
                break
        if ok:
            return i
    return None


def infer_fields(rows: list[list[str]]) -> tuple[str, ...] | None:
    """Guess the field names of terse rows from their values (None when it cannot).

    Each column is named by the shape of its values; among integer columns CHAN is the
    one that agrees with FREQ (or follows MODE, as in every nmcli field order), SIGNAL
    another one. The SSID is a column no shape explains, chosen by where nmcli puts it:
    just before SSID-HEX, else just after or before BSSID.
    """
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
        chan = None
        if "FREQ" in kinds:
            chan = _channel_column(rows, ints, kinds.index("FREQ"))
        if chan is None and mode_idx is not None and mode_idx + 1 in ints:
            chan = mode_idx + 1
        if chan is None and len(ints) >= 2:
            chan = ints[0]
        if chan is not None:
            names[chan] = "CHAN"
        rest = [i for i in ints if i != chan]
        if rest:
            names[rest[0]] = "SIGNAL"
    flags = [i for i, k in enumerate(kinds) if k == "FLAGS"]
    for i in flags:
        names[i] = None
    if len(flags) >= 2:
        names[flags[0]], names[flags[1]] = "WPA-FLAGS", "RSN-FLAGS"
    elif flags:
        names[flags[0]] = "RSN-FLAGS"
    for i, n in enumerate(names):
        # A column shape that appears twice is ambiguous except FLAGS (handled above).
        if n is not None and n not in ("empty",) and names.count(n) > 1:
            names[i] = None
    if "empty" in names:
        # An all-empty column other than IN-USE is most likely SECURITY of open networks.
        for i, n in enumerate(names):
            if n == "empty":
                names[i] = "SECURITY" if "SECURITY" not in names else None
    unknown = [i for i, n in enumerate(names) if n is None]
    if "SSID" not in names and unknown:
        bssid_idx = names.index("BSSID") if "BSSID" in names else -2
        hex_idx = names.index("SSID-HEX") if "SSID-HEX" in names else -2
        for pick in (hex_idx - 1, bssid_idx + 1, bssid_idx - 1, unknown[0]):
            if pick in unknown:
                names[pick] = "SSID"
                break
    if "BSSID" not in names and ("SSID" not in names or ("MODE" not in names and "CHAN" not in names)):
        return None
    return tuple(n or f"?{i}" for i, n in enumerate(names))


def _auth_from(security: str, wpa_flags: str, rsn_flags: str,
               security_known: bool = True) -> tuple[list[str], list[str]]:
    """(auth values, ciphers) from nmcli's flags, else its SECURITY words.

    Without a SECURITY column (``security_known`` false) an empty value says nothing,
    so no auth is given rather than "OPEN".
    """
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
        if not auth and security_known and security.strip() in ("", "--"):
            auth.append("OPEN")
    return auth, ciphers


def parse(text: str, fields: tuple[str, ...] | None = None) -> ParsedScan:
    """Observations of terse ``nmcli device wifi list`` output.

    ``fields`` names the columns; without it they are read from a saved command line
    or inferred from the values. Without ``fields``, text holding a table header is
    read as a plain nmcli table instead.
    """
    if fields is None and nmcli_table.find_header(text) is not None:
        return nmcli_table.parse(text)
    warnings: list[str] = []
    skipped: list[tuple[int, str]] = []
    rows: list[tuple[int, str, list[str]]] = []
    for lineno, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.rstrip("\r\n")
        if not line.strip():
            continue
        parts = split_terse(line)
        # An SSID may contain "$ " or "# ", which makes a row look like a shell prompt;
        # a line with an escaped MAC address among its fields is a row all the same.
        if is_noise_line(line) and not any(normalise_bssid(p) for p in parts):
            if fields is None:
                m = _FIELDS_ARG.search(line)
                if m:
                    fields = tuple(f.strip().upper() for f in m.group(1).split(",") if f.strip())
            skipped.append((lineno, line))
            continue
        rows.append((lineno, line, parts))
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
            cols = list(zip(*(r for _, _, r in rows)))
            # The default field order only when its shape fits: SSID:BSSID:MODE:CHAN:FREQ:...
            # has as many columns and a MAC in the second one too.
            if width == len(DEFAULT_FIELDS) and _column_kind(list(cols[0])) in ("IN-USE", "empty") \
                    and _column_kind(list(cols[1])) == "BSSID":
                fields = DEFAULT_FIELDS
            else:
                fields = infer_fields([r for _, _, r in rows])
                if fields is None:
                    raise ValueError(
                        "Could not tell which nmcli column is which. Save the scan with "
                        "`nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`.")
                warnings.append("nmcli columns were inferred from their values: " + ",".join(fields))
                if "SSID" not in fields and "SSID-HEX" not in fields:
                    warnings.append("No SSID column: networks are listed by BSSID only.")
    skipped.sort()
    if fields is not None and "BSSID" not in fields and rows:
        warnings.append("The scan has no BSSID column, so access points of one network cannot be told apart. "
                        "Save it with `nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`.")
    out: list[Observation] = []
    for n, line, r in rows:
        rec = dict(zip(fields, r))
        obs = row_to_observation(rec)
        if obs is None:
            skipped.append((n, line))
            continue
        out.append(obs)
    return ParsedScan("nmcli", tuple(out), tuple(warnings + skipped_warning("nmcli", skipped)))


def row_to_observation(rec: dict[str, str]) -> Observation | None:
    """One observation from nmcli values by field name (terse or table), None for a bad BSSID.

    SSID ``--`` is a hidden network; SIGNAL is NetworkManager's percentage (dBm is
    estimated); SECURITY words and WPA/RSN flags give auth values; FREQ, else CHAN,
    gives channel, frequency and band.
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
    m = re.match(r"(\d+(?:\.\d+)?)", rec.get("FREQ", ""))
    if m:
        freq = float(m.group(1))
    chan = int(rec["CHAN"]) if rec.get("CHAN", "").isdigit() else None
    pct = float(rec["SIGNAL"]) if rec.get("SIGNAL", "").isdigit() else None
    auth, ciphers = _auth_from(rec.get("SECURITY", ""), rec.get("WPA-FLAGS", ""), rec.get("RSN-FLAGS", ""),
                               security_known=any(k in rec for k in ("SECURITY", "WPA-FLAGS", "RSN-FLAGS")))
    width = None
    m = _MHZ.match(rec.get("BANDWIDTH", ""))
    if m and float(m.group(1)) in _WIDTHS_MHZ:
        width = int(float(m.group(1)))
    kwargs = {"ssid_raw": ssid_raw} if ssid_raw is not None else {"ssid": ssid}
    return build_observation(
        bssid, signal_pct=pct, pct_source=signal.NETWORKMANAGER, freq_mhz=freq, channel=chan,
        auth=auth, ciphers=ciphers, wps=None, channel_width_mhz=width, **kwargs)
