"""What the format parsers share: the result type, splitting lines, limits, saying what was skipped.

Every parser here runs in time linear in its input (saved scans come from anyone): lines
are split only on ``\\n`` (``\\r\\n``), never with ``str.splitlines()``, which also breaks
at U+0085, U+2028 and other characters an SSID may carry, so an SSID could inject a fake
line; a line longer than :data:`MAX_LINE_CHARS` is skipped, not matched; no pattern has
nested or adjacent unbounded repetitions over the same characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.errors import UserInputError
from survey.project.model import Observation

FORMATS = ("iw", "nmcli", "wpa_cli", "netsh", "airport", "wdutil", "system_profiler")

#: Largest saved scan read (bytes). The largest real outputs seen are well under 1 MB
#: (`iw dev wlan0 scan` of ~300 BSSs with all their elements); parsing is linear, so this
#: bounds the time to a few seconds on a slow laptop.
MAX_SCAN_BYTES = 4 * 1024 * 1024
#: Longest line a parser reads. The longest lines of real output are iw's hex dumps of a
#: 255-byte element (~800 characters) and system_profiler's channel list (~1,500).
MAX_LINE_CHARS = 4096


class UnknownScanFormat(UserInputError):
    """The text is none of the scan formats evsurvey reads."""


class ScanTooLarge(UserInputError):
    """A saved scan is larger than any real scanner output."""


def check_size(size: int, name: str = "The file") -> None:
    """Raise :class:`ScanTooLarge` when ``size`` (bytes or characters) exceeds :data:`MAX_SCAN_BYTES`."""
    if size > MAX_SCAN_BYTES:
        raise ScanTooLarge(
            f"{name} is {size / 1e6:.1f} MB; a saved scan is at most {MAX_SCAN_BYTES // (1024 * 1024)} MB "
            f"(real scanner output is well under 1 MB). Save only the output of the scan command, "
            f"e.g. `nmcli device wifi list > scan.txt`."
        )


@dataclass(frozen=True)
class ParsedScan:
    """Observations read from a saved scan, the format they were read as, and what was skipped."""

    format: str
    observations: tuple[Observation, ...]
    warnings: tuple[str, ...] = ()


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, split at ``\\n`` only; the ``\\r`` of CRLF (and of the
    ``\\r\\r\\n`` some Windows tools write) is dropped."""
    lines = text.split("\n")
    if "\r" in text:
        lines = [line.rstrip("\r") for line in lines]
    return lines


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line of ``text`` that is not blank (see :func:`split_lines`)."""
    return [(i, line) for i, line in enumerate(split_lines(text), 1) if line and not line.isspace()]


@dataclass(frozen=True)
class LineNote:
    """A line a parser could not read whole, and why. ``kept``: its BSS was kept without
    the value (the channel view can still show it)."""

    lineno: int
    text: str
    reason: str
    kept: bool = False


#: Reasons shared by the parsers.
NOISE = "a prompt, command or comment"
TOO_LONG = f"longer than {MAX_LINE_CHARS} characters, which no scanner prints"


class LineNotes:
    """Collects what one parse could not read and turns it into warnings: the first
    :data:`SHOWN` lines of each kind (skipped, read in part) are quoted, the rest counted."""

    SHOWN = 5

    def __init__(self, fmt: str):
        self.fmt = fmt
        self.skipped: list[LineNote] = []
        self.partial: list[LineNote] = []
        self.skipped_count = 0
        self.partial_count = 0
        self.skipped_not_noise = False

    def skip(self, lineno: int, text: str, reason: str | None = None) -> None:
        reason = reason or f"not {self.fmt} output"
        self.skipped_count += 1
        self.skipped_not_noise = self.skipped_not_noise or reason != NOISE
        if len(self.skipped) < self.SHOWN:
            self.skipped.append(LineNote(lineno, text[:200], reason))

    def kept(self, lineno: int, text: str, reason: str) -> None:
        self.partial_count += 1
        if len(self.partial) < self.SHOWN:
            self.partial.append(LineNote(lineno, text[:200], reason, kept=True))

    def warnings(self) -> list[str]:
        out = []
        if self.skipped:
            notes = sorted(self.skipped, key=lambda n: n.lineno)
            by_reason: dict[str, list[LineNote]] = {}
            for n in notes:
                by_reason.setdefault(n.reason, []).append(n)
            listed = "; ".join(
                ", ".join(f"line {n.lineno} {_quoted(n.text)}" for n in group) + f" ({reason})"
                for reason, group in by_reason.items()
            )
            more = f"; and {self.skipped_count - len(notes)} more" if self.skipped_count > len(notes) else ""
            hint = (
                " If networks are missing, save the command's output again without editing it."
                if self.skipped_not_noise
                else ""
            )
            out.append(f"Skipped {self.skipped_count} line(s): {listed}{more}.{hint}")
        if self.partial:
            notes = sorted(self.partial, key=lambda n: n.lineno)
            listed = "; ".join(f"line {n.lineno}: {n.reason}" for n in notes)
            more = f"; and {self.partial_count - len(notes)} more" if self.partial_count > len(notes) else ""
            out.append(
                f"Read {self.partial_count} line(s) in part, keeping the network without the value: {listed}{more}."
            )
        return out


def _quoted(text: str) -> str:
    shown = text.strip()
    return repr(shown[:60] + ("…" if len(shown) > 60 else ""))


# A Windows prompt: "PS C:\Users\x> netsh ...", "C:\> netsh ...". [^>]* cannot run past
# the ">" it ends at, so the match is linear.
_WINDOWS_PROMPT = re.compile(r"(?:PS[ \t]+)?[A-Za-z]:\\[^>]*>")
_USER_AT_HOST = re.compile(r"[\w.-]+@[\w.-]")
_PROMPT_END = re.compile(r"[$#]")


def is_noise_line(line: str) -> bool:
    """True for a prompt, an echoed command or a comment line in a saved scan.

    Recognised: comments (``#``, ``//``); ``$ cmd`` / ``% cmd``; ``user@host:~$ cmd``
    (the first ``$`` or ``#`` after ``user@host`` followed by a space); ``richb:/$ cmd``
    (a first word with ``:``, ``~`` or ``/`` that ends in ``$``, then a command); Windows
    prompts. Written with string operations and single-repetition patterns: linear.
    """
    s = line.lstrip()
    if not s:
        return False
    if s.startswith(("#", "//")):
        return True
    if s[0] in "$%" and len(s) > 2 and s[1].isspace() and s[1:].strip():
        return True
    if _WINDOWS_PROMPT.match(s):
        return True
    m = _USER_AT_HOST.match(s)
    if m:
        end = _PROMPT_END.search(s, m.end())
        if end and end.end() < len(s) and s[end.end()].isspace():
            return True
    words = s.split(None, 1)
    if len(words) == 2 and words[0].endswith("$") and any(c in words[0][:-1] for c in ":~/"):
        return True
    return False
