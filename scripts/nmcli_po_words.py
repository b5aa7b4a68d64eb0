"""Print the translations of nmcli's `device wifi list` value words from NetworkManager's po files.

nmcli translates a few words it prints as values (src/nmcli/devices.c,
fill_output_access_point and ap_wpa_rsn_flags_to_string): the flag placeholder
"(none)", ACTIVE "yes"/"no", MODE "Infra"/"Ad-Hoc"/"Mesh"/"N/A", the units in RATE
("%u Mbit/s"), FREQ and BANDWIDTH ("%u MHz") and the BAND values ("2.4 GHz", "5 GHz",
"6 GHz"). Column titles and the empty-value "--" are not translated (src/nmcli/utils.c).

Usage: python scripts/nmcli_po_words.py NETWORKMANAGER_CHECKOUT/po
Its output is pasted into survey/scan/parsers/nmcli_words.py. gettext ignores fuzzy
entries, so they are skipped here too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MSGIDS = ("(none)", "yes", "no", "Infra", "Ad-Hoc", "Mesh", "N/A", "%u Mbit/s", "%u MHz", "2.4 GHz", "5 GHz", "6 GHz")


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of the non-fuzzy, context-free entries of one po file."""
    entries: dict[str, str] = {}
    fuzzy = False
    field = None
    parts: dict[str, list[str]] = {}

    def flush():
        msgid = "".join(parts.get("msgid", []))
        msgstr = "".join(parts.get("msgstr", []))
        if msgid and msgstr and not fuzzy and "msgctxt" not in parts:
            entries[msgid] = msgstr

    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.strip()
        if not line:
            flush()
            parts, fuzzy, field = {}, False, None
        elif line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgstr ", "msgctxt ")):
            field, _, value = line.partition(" ")
            parts[field] = [ast.literal_eval(value)]
        elif line.startswith('"') and field:
            parts[field].append(ast.literal_eval(line))
    flush()
    return entries


def main(po_dir: str) -> None:
    words: dict[str, set[str]] = {m: set() for m in MSGIDS}
    for po in sorted(Path(po_dir).glob("*.po")):
        entries = read_po(po)
        for msgid in MSGIDS:
            if msgid in entries and entries[msgid] != msgid:
                words[msgid].add(entries[msgid])
    for msgid in MSGIDS:
        lines, line = [], "       "
        for item in (repr(w) for w in sorted(words[msgid])):
            if len(line) + len(item) + 2 > 100:
                lines.append(line)
                line = "       "
            line += " " + item + ","
        lines.append(line)
        print(f"    {msgid!r}: (\n" + "\n".join(lines) + "\n    ),")


if __name__ == "__main__":
    main(sys.argv[1])
