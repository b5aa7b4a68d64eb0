"""Single network probes: name resolution, the default gateway, a TCP connect, a TLS
handshake. Each raises on failure (``OSError``, ``ssl.SSLError``, ...); turning failures
into plain verdicts is :mod:`survey.netcheck.runner`'s job."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: A resolver maps a host name to its addresses (as text), raising ``OSError`` /
#: ``socket.gaierror`` when it cannot. Tests inject their own.
Resolver = Callable[[str], Sequence[str]]

#: Linux's IPv4 routing table (proc(5), /proc/net/route).
ROUTE_TABLE = Path("/proc/net/route")
_RTF_UP, _RTF_GATEWAY = 0x1, 0x2  # route flags, linux/route.h


def system_resolve(host: str) -> tuple[str, ...]:
    """Addresses of ``host`` from the operating system's resolver (the DNS server this network
    hands out by DHCP, as the charger would use), in the resolver's order, without duplicates."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]).split("%")[0], None)
    return tuple(seen)


def ip_literal(host: str) -> str | None:
    """``host`` as a normalised IP address when it is one (no DNS lookup needed), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def is_sinkhole_address(address: str) -> bool:
    """True for the answers DNS filters give for a blocked name: 0.0.0.0 / :: (the default of
    Pi-hole and AdGuard Home) and loopback (the older hosts-file style 127.0.0.1 / ::1)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_unspecified or ip.is_loopback


def is_private_address(address: str) -> bool:
    """RFC 1918 / unique-local / link-local / CGNAT: an answer a public cloud name should not get."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_private or ip in ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class Gateway:
    interface: str
    address: str
    metric: int


def default_gateways(route_table: Path = ROUTE_TABLE) -> tuple[Gateway, ...]:
    """Default IPv4 routes from Linux's routing table, lowest metric first.

    Raises ``FileNotFoundError`` where the table does not exist (macOS, Windows, containers
    without /proc); an empty tuple means the table exists and has no default route.
    """
    lines = route_table.read_text(encoding="ascii", errors="replace").splitlines()
    found = []
    for line in lines[1:]:  # first line is the header
        cols = line.split()
        if len(cols) < 8:
            continue
        try:
            destination, gateway, flags = int(cols[1], 16), int(cols[2], 16), int(cols[3], 16)
            mask, metric = int(cols[7], 16), int(cols[6])
        except ValueError:
            continue
        if destination == 0 and mask == 0 and flags & _RTF_UP and flags & _RTF_GATEWAY:
            # The kernel prints the address as a host-order (little-endian on x86/ARM) 32-bit hex word.
            address = str(ipaddress.IPv4Address(gateway.to_bytes(4, sys.byteorder)))
            found.append(Gateway(interface=cols[0], address=address, metric=metric))
    return tuple(sorted(found, key=lambda g: g.metric))


def tcp_connect(address: str, port: int, timeout_s: float) -> socket.socket:
    """An open TCP connection to ``address`` (an IP address) or an ``OSError``
    (``ConnectionRefusedError``, ``TimeoutError``, unreachable network, ...)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout_s)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass(frozen=True)
class TlsSession:
    """What a verified handshake showed. Dates are Unix seconds (UTC)."""

    version: str
    not_before_s: float
    not_after_s: float
    issuer: str


def _name(rdns) -> str:
    parts = {}
    for rdn in rdns or ():
        for key, value in rdn:
            parts.setdefault(key, value)
    return parts.get("organizationName") or parts.get("commonName") or "unknown issuer"


def tls_handshake(sock: socket.socket, server_hostname: str, context: ssl.SSLContext,
                  timeout_s: float) -> TlsSession:
    """Run a TLS handshake on the connected ``sock`` (consumed: it is closed afterwards),
    verifying the certificate chain and the host name with ``context``. Raises
    ``ssl.SSLCertVerificationError`` for an untrusted/expired/mismatched certificate,
    ``ssl.SSLError`` or ``OSError`` for a broken handshake."""
    sock.settimeout(timeout_s)
    with context.wrap_socket(sock, server_hostname=server_hostname) as tls:
        cert = tls.getpeercert() or {}
        return TlsSession(
            version=tls.version() or "TLS",
            not_before_s=ssl.cert_time_to_seconds(cert["notBefore"]) if "notBefore" in cert else float("nan"),
            not_after_s=ssl.cert_time_to_seconds(cert["notAfter"]) if "notAfter" in cert else float("nan"),
            issuer=_name(cert.get("issuer")),
        )
