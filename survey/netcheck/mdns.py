"""A one-shot Multicast DNS query (RFC 6762 section 5.1): which devices on this laptop's LAN
answer for the service types chargers and Home Assistant advertise.

The query is sent from an ephemeral port, so every responder must answer by unicast to that
port, repeating the query id (RFC 6762 section 6.7, "legacy unicast responses"): nothing needs
to join the multicast group, and the answers can be collected on the one socket. The
destination is a parameter, so tests point it at a responder on a loopback socket.

The DNS wire format (name compression, the cache-flush bit in the class field) is read and
written with python-zeroconf, the library Home Assistant discovers with.
"""

from __future__ import annotations

import random
import socket
import time
from dataclasses import dataclass

#: RFC 6762 section 3: the IPv4 mDNS group and port (IANA "mdns", UDP 5353).
MDNS_GROUP_V4 = "224.0.0.251"
MDNS_PORT = 5353
MDNS_DESTINATION = (MDNS_GROUP_V4, MDNS_PORT)
#: RFC 6762 section 11: mDNS packets are sent with IP TTL 255 (receivers may check it).
MDNS_TTL = 255
#: How long to collect answers. Responders delay shared answers by 20-120 ms (RFC 6762
#: section 6); a second leaves room for slow Wi-Fi and busy devices.
LISTEN_S = 1.0

#: Service types queried by default:
#: - ``_services._dns-sd._udp.local.``: DNS-SD service type enumeration (RFC 6763 section 9),
#:   every responder lists the types it offers, so devices advertising other types show too;
#: - ``_http._tcp.local.``: web servers (RFC 6763 section 7, IANA service name "http"), where
#:   chargers with a local web UI or REST API advertise;
#: - ``_home-assistant._tcp.local.``: Home Assistant (its zeroconf component's ZEROCONF_TYPE).
#: Modbus TCP has no service type in common use (IANA names TCP 502 "mbap"); Modbus pollers
#: are given the charger's IP, hence the DHCP reservation advice.
DEFAULT_SERVICE_TYPES = ("_services._dns-sd._udp.local.", "_http._tcp.local.", "_home-assistant._tcp.local.")
SERVICE_ENUMERATION = DEFAULT_SERVICE_TYPES[0]

# RFC 1035 section 3.2.2 record types, class IN (RFC 6762 section 10.2: the top bit of the class
# of an answer is the cache-flush bit, and of a question the unicast-response bit).
_TYPE_A, _TYPE_PTR, _TYPE_TXT, _TYPE_AAAA, _TYPE_SRV = 1, 12, 16, 28, 33
_CLASS_IN = 1
_FLAGS_QUERY = 0x0000
_MAX_DATAGRAM = 9000  # RFC 6762 section 17: mDNS messages may be up to 9000 bytes


@dataclass(frozen=True)
class MdnsService:
    """One advertised service instance: ``charger-1234._http._tcp.local.`` on port 80 of ``host``."""

    instance: str
    service_type: str
    host: str = ""
    port: int | None = None


@dataclass(frozen=True)
class MdnsResponder:
    """A device that answered: its address (the datagram's source), the host names it gave,
    its service instances and the service types it enumerated."""

    address: str
    hostnames: tuple[str, ...]
    services: tuple[MdnsService, ...]
    service_types: tuple[str, ...]
    addresses: tuple[str, ...] = ()  # the A/AAAA records it gave

    def has_address(self, address: str) -> bool:
        """True when ``address`` is this responder's source or one it advertised."""
        return address == self.address or address in self.addresses

    @property
    def name(self) -> str:
        """The name it goes by: its first host name, else its first instance name ("" if none)."""
        if self.hostnames:
            return self.hostnames[0].rstrip(".")
        return self.services[0].instance.split("._")[0] if self.services else ""

    @property
    def label(self) -> str:
        """Short text for people: ``wallbox-5678.local (192.168.20.15): _http._tcp``."""
        types = sorted({s.service_type for s in self.services} | set(self.service_types))
        what = ", ".join(t.removesuffix(".local.") for t in types) or "no services"
        return f"{self.name} ({self.address}): {what}" if self.name else f"{self.address}: {what}"

    def names(self) -> tuple[str, ...]:
        """Every name this responder gave (hosts and service instances), for matching a maker's name."""
        return (*self.hostnames, *(s.instance for s in self.services))


def build_query(query_id: int, service_types: tuple[str, ...]) -> bytes:
    """A DNS query message with one PTR question per service type."""
    from zeroconf import DNSOutgoing, DNSQuestion

    out = DNSOutgoing(_FLAGS_QUERY, multicast=False, id_=query_id)
    for service_type in service_types:
        out.add_question(DNSQuestion(service_type, _TYPE_PTR, _CLASS_IN))
    return out.packets()[0]


def parse_response(data: bytes, query_id: int) -> list | None:
    """The resource records of a response to ``query_id``, or None for anything else (a query,
    another id, a malformed datagram)."""
    from zeroconf import DNSIncoming

    message = DNSIncoming(data)
    if not message.valid or not message.is_response() or message.id != query_id:
        return None
    return list(message.answers())


def responders_from(records_by_address: dict[str, list]) -> tuple[MdnsResponder, ...]:
    """Group the records each source address sent into one :class:`MdnsResponder` per address."""
    from zeroconf import DNSAddress, DNSPointer, DNSService

    found = []
    for address, records in records_by_address.items():
        types: dict[str, None] = {}
        instances: dict[str, str] = {}  # instance -> service type
        srv: dict[str, tuple[str, int]] = {}
        hosts: dict[str, None] = {}
        advertised: dict[str, None] = {}
        for record in records:
            if isinstance(record, DNSPointer):
                if record.name.lower() == SERVICE_ENUMERATION:
                    types.setdefault(record.alias, None)
                else:
                    instances.setdefault(record.alias, record.name)
            elif isinstance(record, DNSService):
                srv[record.name] = (record.server, record.port)
                hosts.setdefault(record.server, None)
            elif isinstance(record, DNSAddress):
                hosts.setdefault(record.name, None)
                family = socket.AF_INET6 if len(record.address) == 16 else socket.AF_INET
                advertised.setdefault(socket.inet_ntop(family, record.address), None)
        for name in srv:
            if name not in instances:
                instances[name] = name.split(".", 1)[1] if "." in name else ""
        services = tuple(
            MdnsService(instance=i, service_type=t, host=srv.get(i, ("", None))[0], port=srv.get(i, ("", None))[1])
            for i, t in instances.items()
        )
        found.append(
            MdnsResponder(
                address=address,
                hostnames=tuple(hosts),
                services=services,
                service_types=tuple(types),
                addresses=tuple(advertised),
            )
        )
    return tuple(sorted(found, key=lambda r: r.address))


def query(
    service_types: tuple[str, ...] = DEFAULT_SERVICE_TYPES,
    *,
    destination: tuple[str, int] = MDNS_DESTINATION,
    interface_ip: str | None = None,
    listen_s: float = LISTEN_S,
) -> tuple[MdnsResponder, ...]:
    """Send one query for ``service_types`` to ``destination`` (default: the mDNS group, out of
    the interface that holds ``interface_ip`` when given) and collect the unicast answers for
    ``listen_s`` seconds. Raises ``OSError`` when the query cannot be sent (no multicast route)."""
    query_id = random.randrange(1, 0x10000)
    message = build_query(query_id, service_types)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("", 0))
        if interface_ip and destination[0] == MDNS_GROUP_V4:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface_ip))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, MDNS_TTL)
        sock.sendto(message, destination)
        records: dict[str, list] = {}
        end = time.monotonic() + listen_s
        while (left := end - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, peer = sock.recvfrom(_MAX_DATAGRAM)
            except TimeoutError:
                break
            answer = parse_response(data, query_id)
            if answer is not None:
                records.setdefault(peer[0], []).extend(answer)
    return responders_from(records)
