"""Single network probes: name resolution, the default gateway, a TCP connect, a TLS
handshake. Each raises on failure (``OSError``, ``ssl.SSLError``, ...); a run's probes
(:mod:`survey.netcheck.probe_tasks`) record the failures and :mod:`survey.netcheck.verdicts`
turns them into plain verdicts."""

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


#: RFC 6598 shared address space (carrier-grade NAT); ``ipaddress`` has no property for it.
CGNAT_NETWORK = ipaddress.ip_network("100.64.0.0/10")

#: What each scope is called in a verdict.
SCOPE_WORDS = {
    "public": "a public address",
    "loopback": "loopback (this laptop itself)",
    "unspecified": "the unspecified address",
    "link-local": "a link-local address",
    "private": "a private LAN address",
    "cgnat": "a carrier-grade NAT (shared) address",
    "multicast": "a multicast address",
    "reserved": "an address that is not routed on the internet",
}


def address_scope(address: str) -> str:
    """Where ``address`` is: ``public`` (routed on the internet), or one of the local scopes
    ``loopback``, ``unspecified``, ``link-local``, ``private`` (RFC 1918 / unique-local),
    ``cgnat`` (RFC 6598), ``multicast``, ``reserved`` (documentation and other ranges
    ``ipaddress`` calls neither private nor global). IPv4-mapped IPv6 is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0].strip("[]"))
    except ValueError:
        return "reserved"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.version == 4 and ip in CGNAT_NETWORK:
        return "cgnat"
    if ip.is_global:
        return "public"
    if ip.is_reserved:
        return "reserved"
    if any(ip.version == n.version and ip in n for n in _DOCUMENTATION):
        return "reserved"
    return "private" if ip.is_private else "reserved"


# RFC 5737 / RFC 3849 documentation ranges: ``ipaddress`` counts them as private, but no LAN uses them.
_DOCUMENTATION = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]


def is_public_address(address: str) -> bool:
    """True only for an address routed on the internet: an answer from it shows the traffic
    left this network. Loopback, private, link-local and CGNAT answers are local."""
    return address_scope(address) == "public"


def is_private_address(address: str) -> bool:
    """RFC 1918 / unique-local / link-local / CGNAT: an answer a public cloud name should not get."""
    return address_scope(address) in ("private", "link-local", "cgnat")


@dataclass(frozen=True)
class Route:
    """One IPv4 route of Linux's routing table (addresses as text)."""

    interface: str
    destination: str
    gateway: str
    mask: str
    flags: int
    metric: int

    @property
    def is_default(self) -> bool:
        return self.destination == "0.0.0.0" and self.mask == "0.0.0.0" and bool(self.flags & _RTF_GATEWAY)

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(f"{self.destination}/{self.mask}", strict=False)


@dataclass(frozen=True)
class Gateway:
    interface: str
    address: str
    metric: int


def routes(route_table: Path = ROUTE_TABLE) -> tuple[Route, ...]:
    """The IPv4 routes that are up, from Linux's routing table (proc(5) /proc/net/route).

    Raises ``FileNotFoundError`` where the table does not exist (macOS, Windows, containers
    without /proc)."""
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
        if flags & _RTF_UP:
            found.append(
                Route(cols[0], _kernel_ipv4(destination), _kernel_ipv4(gateway), _kernel_ipv4(mask), flags, metric)
            )
    return tuple(found)


def _kernel_ipv4(word: int) -> str:
    # The kernel prints addresses as host-order (little-endian on x86/ARM) 32-bit hex words.
    return str(ipaddress.IPv4Address(word.to_bytes(4, sys.byteorder)))


def default_gateways(route_table: Path = ROUTE_TABLE) -> tuple[Gateway, ...]:
    """Default IPv4 routes from Linux's routing table, lowest metric first.

    Raises ``FileNotFoundError`` where the table does not exist; an empty tuple means the
    table exists and has no default route.
    """
    return default_gateways_of(routes(route_table))


def default_gateways_of(table: tuple[Route, ...]) -> tuple[Gateway, ...]:
    """The default routes of ``table``, lowest metric first."""
    found = [Gateway(r.interface, r.gateway, r.metric) for r in table if r.is_default]
    return tuple(sorted(found, key=lambda g: g.metric))


def subnet_of(laptop_ip: str, interface: str, table: tuple[Route, ...]) -> str | None:
    """The on-link network of ``interface`` that holds ``laptop_ip``, as CIDR text (the longest
    match), or None."""
    try:
        ip = ipaddress.IPv4Address(laptop_ip)
    except ValueError:
        return None
    nets = [
        r.network
        for r in table
        if r.interface == interface and not r.flags & _RTF_GATEWAY and r.mask != "0.0.0.0" and ip in r.network
    ]
    return str(max(nets, key=lambda n: n.prefixlen)) if nets else None


def local_address_towards(address: str) -> str:
    """This laptop's own address on the way to ``address`` (e.g. the default gateway): a UDP
    socket is connected there, which only picks the route and sends no packet."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect((address, 9))  # port 9 ("discard"); nothing is sent
        return str(sock.getsockname()[0])


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
    parts: dict[str, str] = {}
    for rdn in rdns or ():
        for key, value in rdn:
            parts.setdefault(key, value)
    return parts.get("organizationName") or parts.get("commonName") or "unknown issuer"


def _cert_time_s(cert: dict, key: str) -> float:
    """A validity date of ``getpeercert()``'s dict (a text date) in Unix seconds; NaN when absent."""
    value = cert.get(key)
    return ssl.cert_time_to_seconds(value) if isinstance(value, str) else float("nan")


def tls_handshake(sock: socket.socket, server_hostname: str, context: ssl.SSLContext, timeout_s: float) -> TlsSession:
    """Run a TLS handshake on the connected ``sock`` (consumed: it is closed afterwards),
    verifying the certificate chain and the host name with ``context``. Raises
    ``ssl.SSLCertVerificationError`` for an untrusted/expired/mismatched certificate,
    ``ssl.SSLError`` or ``OSError`` for a broken handshake."""
    sock.settimeout(timeout_s)
    with context.wrap_socket(sock, server_hostname=server_hostname) as tls:
        cert = tls.getpeercert() or {}
        return TlsSession(
            version=tls.version() or "TLS",
            not_before_s=_cert_time_s(cert, "notBefore"),
            not_after_s=_cert_time_s(cert, "notAfter"),
            issuer=_name(cert.get("issuer")),
        )
