"""What the format parsers share: the result type and recognising saved prompts and comments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.errors import UserInputError
from survey.project.model import Observation

FORMATS = ("iw", "nmcli", "wpa_cli", "netsh", "airport")


class UnknownScanFormat(UserInputError):
    """The text is none of the scan formats evsurvey reads."""


@dataclass(frozen=True)
class ParsedScan:
    """Observations read from a saved scan, the format they were read as, and what was skipped."""

    format: str
    observations: tuple[Observation, ...]
    warnings: tuple[str, ...] = ()


# Lines people leave in saved output: shell prompts with the command, PowerShell/cmd
# prompts, and comment lines (#, //).
_NOISE = re.compile(
    r"""^\s*(?:
        \#.*                              # shell / author comment
      | //.*                              # author comment
      | (?:PS\s+)?[A-Za-z]:\\[^>]*>.*     # PS C:\Users\x> netsh ...   or  C:\> netsh ...
      | [$%]\s+\S.*                       # $ nmcli ...
      | [\w.-]+@[\w.-]+[^$#]*[$#]\s.*     # user@host:~$ iw ...
      | \S*[:~/][^\s]*\$\s+\S.*           # richb:/$ nmcli ...
    )$""",
    re.VERBOSE,
)


def is_noise_line(line: str) -> bool:
    """True for a prompt, an echoed command or a comment line in a saved scan."""
    return bool(_NOISE.match(line))


def skipped_warning(fmt: str, skipped: list[tuple[int, str]]) -> list[str]:
    """Warnings naming the lines a parser could not read (at most five quoted)."""
    if not skipped:
        return []
    shown = "; ".join(f"line {n}: {text.strip()[:60]!r}" for n, text in skipped[:5])
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return [f"Skipped {len(skipped)} line(s) that are not {fmt} scan output ({shown}{more}). "
            f"This is normal for a saved prompt or comment; if networks are missing, save the "
            f"command's output again without editing it."]
