"""What every scanner backend shares: the protocol, the errors, running a tool safely.

Errors are written for the installer standing in a garage with a laptop: each says what
went wrong and what to do next.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from survey.errors import EvSurveyError
from survey.project.model import ScanResult

log = logging.getLogger(__name__)

#: Default time a live scan may take. A full 2.4 + 5 GHz active scan takes 3-10 s on
#: common laptop chipsets (NetworkManager waits up to 15 s for a requested scan).
DEFAULT_TIMEOUT_S = 20.0


class ScannerError(EvSurveyError):
    """A scanner backend could not produce a result."""


class ScannerUnavailable(ScannerError):
    """The backend cannot work on this machine (tool missing, no Wi-Fi device, no permission)."""


class ScanFailed(ScannerError):
    """The backend exists but this scan failed (device busy, driver refused)."""


class ScanTimeout(ScanFailed):
    """The scan did not finish in time."""


#: The Settings page where Windows 11 grants desktop apps Location, which Wi-Fi scanning
#: needs since 24H2 ("Changes to API behavior for Wi-Fi access and location", Microsoft
#: Learn, nativewifi/wi-fi-access-location-changes; netsh prints this URI in its refusal).
WINDOWS_LOCATION_SETTINGS_URI = "ms-settings:privacy-location"


class LocationPermissionDenied(ScannerUnavailable):
    """The OS refuses Wi-Fi scan results until the user allows Location for desktop apps.

    ``settings_uri`` opens the page where that is switched on; the GUI offers it as a button.
    """

    def __init__(self, message: str, settings_uri: str = WINDOWS_LOCATION_SETTINGS_URI):
        super().__init__(message)
        self.settings_uri = settings_uri


#: What the installer reads when Windows withholds scan results (netsh and the WLAN API alike).
WINDOWS_LOCATION_MESSAGE = (
    "Windows blocks Wi-Fi scanning until desktop apps may use Location (Windows 11 24H2 and later). "
    "Open Settings > Privacy & security > Location (or run `start ms-settings:privacy-location`), turn on "
    "'Location services' and 'Let desktop apps access your location', then scan again."
)


@runtime_checkable
class Scanner(Protocol):
    """A source of Wi-Fi scans. ``scan`` blocks; callers run it off the UI thread."""

    name: str

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult: ...


@dataclass(frozen=True)
class CommandOutput:
    """What a finished external command returned (stdout kept as bytes: SSIDs are bytes)."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def message(self) -> str:
        """stderr, or stdout when the tool wrote its error there (nmcli, wpa_cli do)."""
        return (self.stderr.strip() or self.text.strip())[:500]


def c_locale_env() -> dict[str, str]:
    """The current environment with the C locale forced, so labels and numbers are not translated."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    env.pop("LANGUAGE", None)
    return env


def run_command(
    argv: list[str] | tuple[str, ...], timeout_s: float = DEFAULT_TIMEOUT_S, *, tool_hint: str = ""
) -> CommandOutput:
    """Run ``argv`` with LC_ALL=C and a timeout; never raises for a non-zero exit.

    Raises :class:`ScannerUnavailable` when the program is missing or not executable and
    :class:`ScanTimeout` when it runs past ``timeout_s`` seconds (the process is killed).
    ``tool_hint`` is appended to those messages (e.g. which package provides the tool).
    """
    argv = tuple(argv)
    hint = f" {tool_hint}" if tool_hint else ""
    try:
        proc = subprocess.run(
            argv, capture_output=True, timeout=timeout_s, env=c_locale_env(), stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError as exc:
        raise ScannerUnavailable(f"`{argv[0]}` is not installed or not on PATH.{hint}") from exc
    except PermissionError as exc:
        raise ScannerUnavailable(f"`{argv[0]}` exists but cannot be executed (permission denied).{hint}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ScanTimeout(
            f"`{' '.join(argv)}` did not finish within {timeout_s:g} s. The Wi-Fi device may be busy or "
            f"stuck: wait a few seconds and retry, or choose another backend with --backend."
        ) from exc
    stderr = proc.stderr.decode("utf-8", errors="replace")
    log.debug("%s -> exit %s, %d bytes", argv, proc.returncode, len(proc.stdout))
    return CommandOutput(argv, proc.returncode, proc.stdout, stderr)
