"""Parsers for saved scanner output (iw, nmcli, wpa_cli, netsh, macOS airport / wdutil / system_profiler)
with format detection; all linear in their input (see :mod:`survey.scan.parsers.common`)."""

from survey.scan.parsers.common import FORMATS, ParsedScan
from survey.scan.parsers.detect import UnknownScanFormat, decode_scan_bytes, detect_format, parse_bytes, parse_text

__all__ = [
    "FORMATS",
    "ParsedScan",
    "UnknownScanFormat",
    "decode_scan_bytes",
    "detect_format",
    "parse_bytes",
    "parse_text",
]
