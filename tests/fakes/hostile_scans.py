"""Adversarial saved-scan text of any size, for the parsers' linear-time tests and benchmark.

Shapes from issue 21's red-team findings (the inputs that were super-linear or hung) and
random mixes of every format's tokens. Each generator returns text of about ``size``
characters, deterministically (fixed seeds).
"""

from __future__ import annotations

import random

MAC = "02:00:00:00:00:01"


def _fill(unit: str, size: int, prefix: str = "", suffix: str = "") -> str:
    return prefix + unit * max(1, (size - len(prefix) - len(suffix)) // max(1, len(unit))) + suffix


# One line, then many lines (the per-line cost matters once lines are capped).
SHAPES = {
    # netsh: a 4 kB file with one line of 4,000 spaces took 95 s.
    "spaces_line": lambda n: _fill(" ", n),
    "netsh_label_spaces": lambda n: _fill(" ", n, "SSID 1 :", "x"),
    "netsh_kv_spaces": lambda n: _fill("    Signal" + " " * 60 + "x\n", n, "SSID 1 : a\n    BSSID 1 : " + MAC + "\n"),
    # iw: a single 100 kB line in the BSS pattern.
    "iw_bss_line": lambda n: _fill("a ", n, f"BSS {MAC}(on wlan0) -- ", "!"),
    "iw_bss_spaces": lambda n: _fill(" ", n, f"BSS {MAC}", "x"),
    "iw_fields": lambda n: _fill("\t * " + " " * 50 + "x\n", n, f"BSS {MAC}(on wlan0)\n\tRSN:\n"),
    # airport: a single 100 kB row.
    "airport_row": lambda n: _fill(" -50 6", n, "x", " Q"),
    "airport_rssi_runs": lambda n: _fill("-50 6 Y ", n, "x "),
    # CLI table cell fitting and the display rule: one enormous SSID.
    "long_ssid_terse": lambda n: _fill(
        "😀\u202e", n, f"*:{MAC.replace(':', chr(92) + ':')}:", ":Infra:6:2437 MHz:70:WPA2"
    ),
    # The prompt-noise pattern.
    "prompt_user_at_host": lambda n: _fill("b", n, "a@"),
    "prompt_path": lambda n: _fill("/", n, "richb:", "x"),
    "prompt_dollar": lambda n: _fill(" ", n, "$"),
    # wpa_cli "[[[…" flags.
    "wpa_brackets": lambda n: _fill("[", n, f"{MAC}\t2412\t-50\t", "\tssid"),
    "wpa_tag_dashes": lambda n: _fill("-", n, f"{MAC}\t2412\t-50\t[WPA2-", "]\tssid"),
    "wpa_many_rows": lambda n: _fill(f"{MAC}\t2412\t-50\t[WPA2-PSK-CCMP][[[[\tx\n", n),
    # nmcli tables with a wide gap, many words, and terse lines with many columns.
    "nmcli_table_gap": lambda n: _fill(
        " ", n, "IN-USE  BSSID  SSID  MODE  CHAN  SIGNAL  SECURITY\n*  " + MAC + "  s", "  Infra  6  50  WPA2\n"
    ),
    "nmcli_table_words": lambda n: _fill("WPA2 ", n, "IN-USE  BSSID  SSID  SECURITY\n   " + MAC + "  s  "),
    "nmcli_table_rows": lambda n: _fill(
        f"*  {MAC}  x  WPA2 WPA2 WPA2  y\n", n, "IN-USE  BSSID  SSID  MODE  SECURITY\n"
    ),
    "nmcli_header_words": lambda n: _fill("SSID ", n),
    "nmcli_terse_colons": lambda n: _fill(":", n),
    "nmcli_terse_columns": lambda n: _fill("a:", n, "*:"),
    "nmcli_terse_escapes": lambda n: _fill("\\:", n),
    "nmcli_multiline": lambda n: _fill("SSID:" + " " * 60 + "x\nBSSID:  " + MAC + "\n", n),
    # Blank and numeric runs.
    "blank_lines": lambda n: _fill("\n", n),
    "space_lines": lambda n: _fill(" \t\n", n),
    "digits": lambda n: _fill("1", n, "-"),
    "system_profiler_nest": lambda n: _fill(" ", n // 2, "", "x:\n") + _fill("  Channel: 6 (2GHz, 20MHz)\n", n // 2),
    "wdutil_section": lambda n: _fill("    RSSI : -50 dBm\n", n, "WIFI\n"),
    # Line-separator characters str.splitlines() breaks at.
    "separators": lambda n: _fill("a\u0085b\u2028c\x1c\x1d\x1e\x0b\x0c", n),
}

#: Tokens of every format, mixed at random.
_TOKENS = [
    "BSS ",
    MAC,
    "(on wlan0)",
    " -- associated",
    "\tfreq: 2412",
    "\tsignal: -50.00 dBm",
    "\tSSID: ",
    "SSID 1 : ",
    "BSSID 1 : ",
    "Signal : 80%",
    "Channel : 6",
    "802.11n",
    "IN-USE",
    "BSSID",
    "SSID",
    "MODE",
    "CHAN",
    "SECURITY",
    "Infra",
    "WPA2",
    "(none)",
    "(brak)",
    "*",
    ":",
    "\\:",
    "\\",
    "\t",
    " ",
    "  ",
    "\n",
    "\r\n",
    "[",
    "]",
    "[WPA2-PSK-CCMP]",
    "[ESS]",
    "-50",
    "6",
    "Y",
    "N",
    "US",
    "WPA2(PSK/AES/AES)",
    "(",
    ")",
    "%",
    "$ ",
    "# ",
    "user@host:~$ ",
    "\u0085",
    "\u2028",
    "😀",
    "é",
    "\x00",
    "\x1b",
    "\u202e",
    "WIFI",
    "RSSI : -48 dBm",
    "Signal / Noise: -52 dBm / -94 dBm",
    "Channel: 149 (5GHz, 80MHz)",
    "MHz",
    "Mbit/s",
    "▂▄▆_",
    "GHz",
    "2.4",
    "0x",
    "ms ago",
    "HE Operation:",
    "\t\tChannel Width: 160 MHz",
]


def random_mix(size: int, seed: int = 0) -> str:
    """``size`` characters of the formats' tokens in random order."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < size:
        token = rng.choice(_TOKENS)
        out.append(token)
        total += len(token)
    return "".join(out)


#: Lines just under the parsers' length limit (survey.scan.parsers.common.MAX_LINE_CHARS):
#: longer lines are skipped unread, so the worst case is many lines this long.
CAPPED_LINE = 4000


def capped(make, size: int) -> str:
    """``make``'s shape as blocks of about :data:`CAPPED_LINE` characters, repeated to ``size``."""
    block = make(CAPPED_LINE).rstrip("\n") + "\n"
    return block * max(1, size // len(block))


def all_shapes(size: int) -> dict[str, str]:
    """Every shape above, once as one block of ``size`` characters and once as repeated
    blocks of :data:`CAPPED_LINE`, plus two random mixes; each about ``size`` characters."""
    texts = {name: make(size) for name, make in SHAPES.items()}
    texts.update({name + "_capped": capped(make, size) for name, make in SHAPES.items()})
    texts["random_mix_a"] = random_mix(size, 1)
    texts["random_mix_b"] = random_mix(size, 2)
    return texts


#: The genuine network and look-alikes of it (SSID bytes): markup, 32 bytes of emoji, an
#: RTL override, invisible and tag characters, ESC, NUL, trailing space, bytes that are not
#: UTF-8 next to the UTF-8 character they would pass for, a C1 control next to the raw
#: byte, and a literal backslash spelling of an escape.
GENUINE_SSID = b"Rivera-Home"
HOSTILE_SSIDS = (
    b"Rivera-Home",
    b"<b>&amp;Rivera</b>",
    ("😀" * 8).encode(),
    "Rivera-Home\u202e".encode(),
    "evil\u202etxt.exe".encode(),
    "Rivera\u200b-Home".encode(),
    "Rivera-Home\u2060".encode(),
    "\ufeffRivera-Home".encode(),
    "Rivera-Home\u061c".encode(),
    "Rivera-Home\U000e0041\U000e007f".encode(),
    b"Rivera-Home\x1b[0m",
    b"Rivera-Home\x00",
    b"Rivera-Home ",
    b"Rivera-Hom\xe9",
    "Rivera-Homé".encode(),
    "Rivera-Home\u0085".encode(),
    b"Rivera-Home\x85",
    b"Rivera-Home\\u202e",
    b"Rivera-Home\\\\u202e",
)


def hostile_wpa_cli(ssids=HOSTILE_SSIDS) -> str:
    """``wpa_cli scan_results`` text with one 2.4 GHz BSS per SSID (printf_encode escaping)."""
    from survey.scan.text import escape_wpa

    rows = ["bssid / frequency / signal level / flags / ssid"]
    for i, ssid in enumerate(ssids):
        rows.append(
            f"02:90:00:00:00:{i:02x}\t{2412 + 5 * (i % 11)}\t{-40 - i}\t[WPA2-PSK-CCMP][ESS]\t{escape_wpa(ssid)}"
        )
    return "\n".join(rows) + "\n"
