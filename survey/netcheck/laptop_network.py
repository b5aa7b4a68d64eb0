"""Where this laptop is on the network the checks run from: the default gateway, the laptop's
own address towards it and the subnet, read from the routing table."""

from __future__ import annotations

import logging
from collections.abc import Callable

from survey.netcheck import probes
from survey.netcheck.results import NetworkContext

log = logging.getLogger(__name__)


def network_context(table, ssid: str | None, local_address: Callable[[str], str]) -> NetworkContext:
    """Where this laptop is: the default gateway's interface, its own address towards it and
    that interface's subnet, from the routing table (each unknown where it cannot be read)."""
    if isinstance(table, BaseException):
        return NetworkContext(ssid=ssid)
    gateways = probes.default_gateways_of(table)
    if not gateways:
        return NetworkContext(ssid=ssid)
    first = gateways[0]
    try:
        laptop_ip = local_address(first.address)
    except OSError as exc:
        log.info("laptop address towards %s unknown: %s", first.address, exc)
        laptop_ip = None
    subnet = probes.subnet_of(laptop_ip, first.interface, table) if laptop_ip else None
    return NetworkContext(
        ssid=ssid, laptop_ip=laptop_ip, subnet=subnet, interface=first.interface, gateway=first.address
    )
