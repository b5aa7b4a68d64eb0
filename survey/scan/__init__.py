"""Wi-Fi scanning, Qt-free: live backends, parsers for saved scanner output, the simulated scanner.

Public API:

* :class:`Scanner` (``name``, ``scan(timeout_s) -> ScanResult``) and the errors
  :class:`ScannerError` > :class:`ScannerUnavailable` / :class:`ScanFailed` > :class:`ScanTimeout`;
* :func:`survey.scan.registry.backend_reports` / :func:`survey.scan.registry.make_scanner`;
* :func:`parse_text` / :func:`parse_bytes` -> :class:`ParsedScan` for saved output of
  iw, nmcli, wpa_cli, netsh and macOS airport / wdutil / system_profiler;
* :mod:`survey.scan.saved`: a saved scan file as a sample of a survey (``evsurvey import``).

Observations and scan results are :class:`survey.project.model.Observation` /
:class:`survey.project.model.ScanResult`.
"""

from survey.scan.base import DEFAULT_TIMEOUT_S, ScanFailed, Scanner, ScannerError, ScannerUnavailable, ScanTimeout
from survey.scan.parsers import FORMATS, ParsedScan, parse_bytes, parse_text

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "FORMATS",
    "ParsedScan",
    "ScanFailed",
    "ScanTimeout",
    "Scanner",
    "ScannerError",
    "ScannerUnavailable",
    "parse_bytes",
    "parse_text",
]
