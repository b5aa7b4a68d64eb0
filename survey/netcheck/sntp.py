"""A minimal SNTP client (RFC 4330): one 48-byte mode-3 request, the clock offset of this
machine against the server from the four timestamps.

Written here rather than taken from a library: the only piece needed is one packet and
one formula, and the standard library's ``socket``/``struct`` do it without a new dependency.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass

from survey.errors import EvSurveyError

#: Seconds from the NTP era-0 epoch (1900-01-01) to the Unix epoch (RFC 868 / RFC 5905).
NTP_UNIX_DELTA_S = 2_208_988_800
NTP_PORT = 123  # IANA "ntp", RFC 5905
_PACKET = struct.Struct("!BBbb11I")  # 48 bytes: LI/VN/mode, stratum, poll, precision, 11 words (RFC 4330 §4)
_VERSION = 4
_MODE_CLIENT = 3
_MODE_SERVER = 4
_LEAP_ALARM = 3  # LI = 3: the server's clock is not synchronised (RFC 4330 §4)


class SntpError(EvSurveyError):
    """The server's answer cannot be used (kiss-o'-death, wrong mode, spoofed reply, ...)."""


class SntpMismatch(SntpError):
    """A reply that does not answer our request (a late or spoofed datagram)."""


@dataclass(frozen=True)
class SntpReply:
    """``offset_s``: how far the server's clock is ahead of this machine's (positive = this
    clock is slow); ``delay_s``: round-trip network delay; ``stratum`` 1..15."""

    server: str
    offset_s: float
    delay_s: float
    stratum: int
    leap_alarm: bool


def unix_to_ntp(t_s: float) -> tuple[int, int]:
    """Unix seconds -> (NTP seconds modulo 2**32, 32-bit fraction)."""
    whole = int(t_s // 1)
    frac = int((t_s - whole) * 2**32) & 0xFFFFFFFF
    return (whole + NTP_UNIX_DELTA_S) & 0xFFFFFFFF, frac


def ntp_to_unix(seconds: int, fraction: int) -> float:
    """NTP timestamp -> Unix seconds. RFC 4330 §3: with the top bit clear the value is in era 1
    (from 2036-02-07), so the 32-bit counter keeps working past its 2036 wrap."""
    era_offset = 0 if seconds & 0x80000000 else 2**32
    return seconds + era_offset - NTP_UNIX_DELTA_S + fraction / 2**32


def build_request(transmit_unix_s: float) -> bytes:
    """The 48-byte client request; the transmit timestamp comes back as the reply's originate
    timestamp, which is how a reply is matched to this request (RFC 4330 §5)."""
    sec, frac = unix_to_ntp(transmit_unix_s)
    words = [0] * 11
    words[9], words[10] = sec, frac
    return _PACKET.pack((0 << 6) | (_VERSION << 3) | _MODE_CLIENT, 0, 0, 0, *words)


def parse_reply(data: bytes, request: bytes, t4_unix_s: float, server: str = "") -> SntpReply:
    """Check a server reply against ``request`` and compute offset and delay (RFC 4330 §5):
    offset = ((T2 - T1) + (T3 - T4)) / 2, delay = (T4 - T1) - (T3 - T2)."""
    if len(data) < _PACKET.size:
        raise SntpError(f"the reply is {len(data)} bytes, an NTP packet has {_PACKET.size}")
    first, stratum, _poll, _precision, *words = _PACKET.unpack_from(data)
    leap, mode = first >> 6, first & 0x7
    if mode != _MODE_SERVER:
        raise SntpError(f"the reply has mode {mode}, a server answers with mode {_MODE_SERVER}")
    if stratum == 0:
        kiss = data[12:16].decode("ascii", "replace").strip("\0")
        raise SntpError(f"the server refused to answer (kiss-o'-death {kiss!r}): it rate-limits or denies this client")
    sent = _PACKET.unpack_from(request)[4:]
    if (words[5], words[6]) != (sent[9], sent[10]):
        raise SntpMismatch("the reply does not answer this request (originate timestamp differs)")
    if words[9] == 0 and words[10] == 0:
        raise SntpError("the reply carries no transmit timestamp")
    t1 = ntp_to_unix(sent[9], sent[10])
    t2 = ntp_to_unix(words[7], words[8])
    t3 = ntp_to_unix(words[9], words[10])
    offset = ((t2 - t1) + (t3 - t4_unix_s)) / 2
    delay = (t4_unix_s - t1) - (t3 - t2)
    return SntpReply(
        server=server, offset_s=offset, delay_s=max(delay, 0.0), stratum=stratum, leap_alarm=leap == _LEAP_ALARM
    )


def query(address: str, port: int = NTP_PORT, timeout_s: float = 3.0, clock=time.time) -> SntpReply:
    """Send one request to ``address`` (an IP address) and wait ``timeout_s`` for the reply.

    Raises ``TimeoutError`` (no reply: UDP 123 blocked or the server is down), ``OSError``
    or :class:`SntpError`. ``clock`` is the local wall clock being measured (Unix seconds).
    """
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect((address, port))  # a connected UDP socket only accepts datagrams from that server
        request = build_request(clock())
        sock.send(request)
        deadline = time.monotonic() + timeout_s
        while True:
            data = sock.recv(512)
            t4 = clock()
            try:
                return parse_reply(data, request, t4, server=address)
            except SntpMismatch as exc:
                # A late answer to an earlier request is not the server's final word: keep listening.
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no matching NTP reply") from exc
                sock.settimeout(remaining)
