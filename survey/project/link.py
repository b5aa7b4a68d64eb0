"""Link quality measured at a spot: loss, round-trip times and jitter to the gateway (and to a
host the installer names), optionally throughput. Values only, stored with a :class:`Sample`;
``survey.netcheck.linktest`` measures them, ``survey.netcheck.linktest_verdict`` words them.

Units: milliseconds (``_ms``), seconds (``_s``), Mbit/s (``_mbps``), seconds since the Unix
epoch for times (``_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# What a charger's link needs, from ITU-T Y.1541 (12/2011) Table 1, network QoS classes 0
# and 1 (the interactive classes); survey.netcheck.linktest_verdict explains how they are
# applied to the round trip to the gateway. The verdict, the GUI's and the PDF's link maps
# read these.
#: Y.1541 IPLR 1 x 10^-3 = 0.1 %: any loss the test can see (one probe of 50 is 2 %) is above it.
LOSS_GOOD_MAX_PCT = 0.1
#: Past 5 % one segment in twenty of the charger's WebSocket waits out a retransmission
#: timeout of at least 1 s (RFC 6298 section 2.4); heartbeats and OCPP calls start to time out.
LOSS_MARGINAL_MAX_PCT = 5.0
#: Y.1541 class 0 mean transfer delay.
RTT_P95_GOOD_MAX_MS = 100.0
#: Y.1541 class 1 mean transfer delay.
RTT_P95_MARGINAL_MAX_MS = 400.0
#: Y.1541 IP packet delay variation (classes 0 and 1).
JITTER_GOOD_MAX_MS = 50.0


#: (good up to, marginal up to) of each link figure people see on a map.
LINK_MAP_LIMITS = {
    "loss": (LOSS_GOOD_MAX_PCT, LOSS_MARGINAL_MAX_PCT),
    "latency": (RTT_P95_GOOD_MAX_MS, RTT_P95_MARGINAL_MAX_MS),
}

#: ``LinkTestResult.target`` of the default gateway.
GATEWAY_TARGET = "gateway"


class ProbeKind(str, Enum):
    """How the round trips were made (the stored and the JSON spelling is the value)."""

    ICMP_ECHO = "icmp"  # ICMP echo request/reply (ping)
    TCP_CONNECT = "tcp-connect"  # time from SYN to SYN-ACK (or RST) of a new connection
    TCP_ECHO = "tcp-echo"  # a small message echoed back over one open TCP connection
    UDP_ECHO = "udp-echo"  # a datagram echoed back (RFC 862 echo service)

    @property
    def label(self) -> str:
        return {"icmp": "ICMP echo", "tcp-connect": "TCP connect", "tcp-echo": "TCP echo", "udp-echo": "UDP echo"}[
            self.value
        ]


@dataclass(frozen=True)
class LinkTestResult:
    """Round trips to one target. ``target`` is what was asked for ("gateway" or the host as the
    installer typed it), ``address`` the IP address probed, ``port`` None for ICMP. The RTT
    figures and ``jitter_ms`` (RFC 3550 interarrival jitter over consecutive round trips) are
    None when no probe was answered. ``tried`` says what was tried before this probe kind was
    used, and why it was not (e.g. "ICMP: not permitted for this user")."""

    target: str
    address: str
    probe: ProbeKind
    port: int | None
    sent: int
    received: int
    rtt_median_ms: float | None
    rtt_p95_ms: float | None
    jitter_ms: float | None
    started_at: float
    duration_s: float
    tried: tuple[str, ...] = ()

    @property
    def loss_pct(self) -> float:
        """Share of probes with no reply within the reply timeout, in percent (100 if none sent)."""
        return 100.0 if self.sent <= 0 else 100.0 * (self.sent - self.received) / self.sent

    @property
    def answered(self) -> bool:
        return self.received > 0

    def to_json(self) -> dict:
        return {
            "target": self.target,
            "address": self.address,
            "probe": self.probe.value,
            "port": self.port,
            "sent": self.sent,
            "received": self.received,
            "loss_pct": round(self.loss_pct, 2),
            "rtt_median_ms": _round(self.rtt_median_ms),
            "rtt_p95_ms": _round(self.rtt_p95_ms),
            "jitter_ms": _round(self.jitter_ms),
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "tried": list(self.tried),
        }


@dataclass(frozen=True)
class ThroughputResult:
    """What an iperf3 server measured: Mbit/s received by the far end (``up_mbps``, laptop to
    server) and by the laptop (``down_mbps``, with iperf3's reverse mode), over ``duration_s``
    seconds each."""

    server: str
    port: int
    up_mbps: float
    down_mbps: float
    duration_s: float
    started_at: float

    def to_json(self) -> dict:
        return {
            "server": self.server,
            "port": self.port,
            "up_mbps": round(self.up_mbps, 2),
            "down_mbps": round(self.down_mbps, 2),
            "duration_s": self.duration_s,
            "started_at": self.started_at,
        }


@dataclass(frozen=True)
class LinkTest:
    """Everything one link test measured at a spot: the gateway first, then any host the
    installer named; throughput when an iperf3 server was used."""

    results: tuple[LinkTestResult, ...] = ()
    throughput: ThroughputResult | None = None

    @property
    def gateway(self) -> LinkTestResult | None:
        return next((r for r in self.results if r.target == GATEWAY_TARGET), None)

    def to_json(self) -> dict:
        return {
            "results": [r.to_json() for r in self.results],
            "throughput": None if self.throughput is None else self.throughput.to_json(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
