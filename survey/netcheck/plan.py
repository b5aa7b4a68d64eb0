"""What one pre-flight run tests, from a charger profile: the maker's cloud domains on its TCP
ports with TLS on 443/8883, NTP, the apex names of the maker's allow-list wildcards, generic
public hosts when the maker documents no domains, the captive-portal probe, the one-shot
mDNS query and, when the installer gives the charger's IP, its local API."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from survey.netcheck import mdns, modbus, probes, sntp
from survey.project.model import ChargerProfile
from survey.project.profiles import allowlist, resolution_probes

#: Ports the profiles list that are not TCP egress to the cloud hosts: DNS has its own check,
#: NTP (UDP 123) its own SNTP query.
DNS_PORT = 53
NON_TCP_PORTS = frozenset({DNS_PORT, sntp.NTP_PORT})
#: TLS is expected on HTTPS / OCPP-J over wss:// (443) and MQTT over TLS (8883, IANA secure-mqtt).
TLS_PORTS = frozenset({443, 8883})
#: DESIGN "Field facts": chargers need egress on TCP 443 and 8883 (the analysis checklist asks for both).
BASELINE_TCP_PORTS = (443, 8883)
#: Used when a profile names no NTP server; the NTP Pool Project's global name (https://www.ntppool.org/).
DEFAULT_NTP_SERVER = "pool.ntp.org"
#: Android's default captive-portal probe (AOSP NetworkMonitor; the same "generate_204" check
#: Chromium OS's network portal detection uses): a network without a portal answers HTTP 204
#: with an empty body; a portal redirects to its login page or serves that page instead.
DEFAULT_PORTAL_URL = "http://connectivitycheck.gstatic.com/generate_204"
DEFAULT_PORTAL_STATUS = 204


@dataclass(frozen=True)
class Endpoint:
    """A host (name or IP address) and TCP port to connect to; ``tls`` runs a handshake after
    the connect; ``generic`` marks a public test host standing in for the maker's cloud."""

    host: str
    port: int
    tls: bool
    generic: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        return _host_label(self.host, self.port)


def _host_label(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


#: Public hosts for generic reachability when the maker documents no domains, by port.
#: 443: Cloudflare's public resolver 1.1.1.1 also serves HTTPS (DNS over HTTPS), with a
#: certificate issued for the address itself, so the TLS check works without a name.
#: 8883: test.mosquitto.org, the public Eclipse Mosquitto test broker (https://test.mosquitto.org/),
#: listens for MQTT over TLS; its certificate is signed by the broker's own test CA, which no
#: system trust store holds, so only the TCP connect is tested there.
#: 80: 1.1.1.1 answers plain HTTP too (it redirects to HTTPS).
GENERIC_ENDPOINTS: dict[int, Endpoint] = {
    443: Endpoint("1.1.1.1", 443, tls=True, generic=True, note="Cloudflare 1.1.1.1, public HTTPS"),
    8883: Endpoint(
        "test.mosquitto.org", 8883, tls=False, generic=True, note="public Eclipse Mosquitto test broker, MQTT over TLS"
    ),
    80: Endpoint("1.1.1.1", 80, tls=False, generic=True, note="Cloudflare 1.1.1.1, public HTTP"),
}


@dataclass(frozen=True)
class NtpServer:
    host: str
    port: int = sntp.NTP_PORT

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == sntp.NTP_PORT else f"{host}:{self.port}"


@dataclass(frozen=True)
class PortalProbe:
    """An HTTP connectivity check with the exact answer a network without a captive portal
    gives: ``expect_status`` and, byte for byte, ``expect_body``."""

    url: str
    expect_status: int = DEFAULT_PORTAL_STATUS
    expect_body: bytes = b""

    @classmethod
    def from_url(cls, url: str, expect_status: int = DEFAULT_PORTAL_STATUS, expect_body: bytes = b"") -> PortalProbe:
        """Raises ``ValueError`` unless ``url`` is a plain ``http://`` URL (a portal intercepts
        plain HTTP; over HTTPS it would show as a certificate failure instead)."""
        parts = urlsplit(url.strip())
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError("the captive-portal probe needs a plain http:// URL with a host")
        if not 100 <= expect_status <= 599:
            raise ValueError("the expected HTTP status must be a number from 100 to 599")
        _ = parts.port  # raises ValueError for a port out of range
        return cls(url.strip(), expect_status, expect_body)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc.rsplit("@", 1)[-1]

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


DEFAULT_PORTAL = PortalProbe(DEFAULT_PORTAL_URL)


@dataclass(frozen=True)
class LocalApi:
    """The charger's local interfaces at the IP the installer entered: Modbus TCP (a read of
    holding register ``modbus_register`` from unit ``modbus_unit``), HTTP and HTTPS."""

    ip: str
    modbus_unit: int = 1
    modbus_register: int = 0
    modbus_port: int = modbus.MODBUS_TCP_PORT
    http_port: int = 80
    https_port: int = 443

    def label(self, port: int) -> str:
        return _host_label(self.ip, port)


@dataclass(frozen=True)
class CheckPlan:
    """What one run tests. ``domains`` get a DNS check each (IP literals need none);
    ``endpoints`` a TCP connect and, where ``tls``, a handshake; ``tcp_ports`` an egress
    verdict each (a public address answering on that port passes it); ``probe_domains`` are
    the apex names of the maker's allow-list wildcards, resolved as evidence about the DNS
    filter; ``portal`` the captive-portal probe; ``mdns_services`` the one-shot mDNS query
    (none: no query); ``local_api`` the charger's own interfaces."""

    profile_id: str
    profile_name: str
    domains: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]
    tcp_ports: tuple[int, ...]
    ntp_servers: tuple[NtpServer, ...]
    generic: bool
    unchecked_note: str = ""  # what cannot be checked for this profile, said in a SKIP result
    probe_domains: tuple[str, ...] = ()
    allowlist: tuple[str, ...] = ()  # what to allow in the DNS filter, as the installer is told
    portal: PortalProbe | None = None
    mdns_services: tuple[str, ...] = ()
    local_api: LocalApi | None = None
    maker: str = ""


def plan_for_profile(
    profile: ChargerProfile,
    *,
    extra_endpoints: tuple[tuple[str, int | None], ...] = (),
    ntp_servers: tuple[NtpServer, ...] = (),
    portal: PortalProbe | None = DEFAULT_PORTAL,
    mdns_services: tuple[str, ...] = mdns.DEFAULT_SERVICE_TYPES,
    local_api: LocalApi | None = None,
) -> CheckPlan:
    """The checks for ``profile``. ``extra_endpoints`` are hosts the installer adds (e.g. names
    read from the charger's queries in the DNS filter's log, or kept in the project):
    ``(host, None)`` tests the host on the profile's TCP ports, ``(host, port)`` on that port
    only. ``ntp_servers`` replace the profile's (default: the profile's, else pool.ntp.org)."""
    ntp = tuple(ntp_servers) or tuple(NtpServer(h) for h in profile.ntp_servers) or (NtpServer(DEFAULT_NTP_SERVER),)
    ntp_hosts = {s.host.casefold() for s in ntp}
    profile_tcp = tuple(dict.fromkeys(p for p in profile.ports if p not in NON_TCP_PORTS))
    # An NTP server listed among the cloud domains (Zaptec lists no.pool.ntp.org) is tested by
    # DNS and SNTP, not by TCP: NTP pools serve nothing on 443/8883.
    cloud = [d for d in dict.fromkeys(profile.cloud_domains) if d.casefold() not in ntp_hosts]
    endpoints: list[Endpoint] = []
    for host in cloud:
        endpoints += [Endpoint(host, port, tls=port in TLS_PORTS) for port in profile_tcp]
    for host, port in extra_endpoints:
        for p in (port,) if port else profile_tcp or BASELINE_TCP_PORTS:
            endpoints.append(Endpoint(host, p, tls=p in TLS_PORTS))
    endpoints = list(dict.fromkeys(endpoints))
    generic = not endpoints
    note = ""
    wanted = allowlist(profile)
    if generic:
        tcp_ports = tuple(sorted(set(profile_tcp) | set(BASELINE_TCP_PORTS)))
        endpoints = [GENERIC_ENDPOINTS[p] for p in tcp_ports if p in GENERIC_ENDPOINTS]
        maker = profile.maker or profile.name
        known = (
            f"{maker} names only its domain ({', '.join(wanted)}), not the hosts the charger connects to"
            if wanted
            else f"{maker} documents no cloud domains"
        )
        note = (
            f"{known}, so whether this network's DNS filter and firewall let the charger reach its maker's "
            "cloud cannot be fully checked; only generic reachability of the internet on the charger's ports is "
            "tested (public test hosts, labelled 'generic')"
            + (", and the maker's apex name is resolved." if wanted else ".")
        )
    else:
        tcp_ports = tuple(sorted({e.port for e in endpoints}))
    probes_ = resolution_probes(profile)
    domains = tuple(
        dict.fromkeys(
            [
                *(e.host for e in endpoints if probes.ip_literal(e.host) is None),
                *probes_,
                *(s.host for s in ntp if probes.ip_literal(s.host) is None),
            ]
        )
    )
    return CheckPlan(
        profile_id=profile.id,
        profile_name=profile.name,
        domains=domains,
        endpoints=tuple(endpoints),
        tcp_ports=tcp_ports,
        ntp_servers=ntp,
        generic=generic,
        unchecked_note=note,
        probe_domains=probes_,
        allowlist=wanted,
        portal=portal,
        mdns_services=tuple(mdns_services),
        local_api=local_api,
        maker=profile.maker,
    )
