"""Results of the network pre-flight checks, as values the project stores and the report reads.

Produced by :mod:`survey.netcheck` (``evsurvey check``), kept in the project file by
:meth:`survey.project.store.ProjectStore.set_preflight`, read by the network checklist
(:mod:`survey.analysis.checklist`) and later by the PDF. Defined here, below the layers that
produce and read them, as :class:`~survey.project.model.ScanResult` is for scans.

:func:`troubleshooting_row` and :func:`checklist_item` say which row of the troubleshooting
matrix (DESIGN.md "Field facts") a result is evidence for, and which checklist item it
pre-fills, so every reader files a result in the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

#: Project settings (``Project.settings``) the checks read: hosts the installer added for this
#: site (``host`` or ``host:port`` text, as ``evsurvey check --domain`` takes them) and the
#: charger's IP for the local API probe.
CHECK_DOMAINS_SETTING = "check_domains"
CHARGER_IP_SETTING = "charger_ip"


class Status(str, Enum):
    """Outcome of one check. FAIL makes ``evsurvey check`` exit 1; WARN and SKIP do not."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


#: How each status reads in a list of results: the window's, the CLI's and the PDF's word.
STATUS_WORDS = {Status.PASS: "pass", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIP: "skipped"}


@dataclass(frozen=True)
class CheckResult:
    """One check: ``detail`` says what was seen (the evidence), ``fix`` what to change in the
    network (empty when nothing needs changing); ``elapsed_ms`` is the wall time it took.

    ``id`` is ``KIND`` or ``KIND:subject`` (``dns:api.zaptec.com``, ``tcp:host:443``,
    ``egress:8883``, ``tls:host:443``, ``ntp``, ``gateway``, ``portal``, ``mdns``,
    ``local:modbus``, ...): the kind decides where the result is filed."""

    id: str
    title: str
    status: Status
    detail: str
    fix: str = ""
    elapsed_ms: float = 0.0

    @property
    def kind(self) -> str:
        return self.id.split(":", 1)[0]

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    @classmethod
    def from_json(cls, data: dict) -> CheckResult:
        """Raises ``KeyError``/``TypeError``/``ValueError`` for a malformed record."""
        return cls(
            id=_text(data["id"]),
            title=_text(data["title"]),
            status=Status(data["status"]),
            detail=_text(data["detail"]),
            fix=_text(data.get("fix", "")),
            elapsed_ms=float(data.get("elapsed_ms", 0.0)),
        )


@dataclass(frozen=True)
class NetworkContext:
    """Where the checks ran: the network the laptop was on. Every field may be unknown (None).

    ``ssid`` as the installer gave it; ``laptop_ip`` the laptop's address towards the default
    gateway, ``subnet`` its network in CIDR form (``192.168.20.0/24``)."""

    ssid: str | None = None
    laptop_ip: str | None = None
    subnet: str | None = None
    interface: str | None = None
    gateway: str | None = None

    def text(self) -> str:
        """``SSID 'Garage-IoT', laptop 192.168.20.23 in 192.168.20.0/24 via wlan0, gateway 192.168.20.1``."""
        parts = [f"SSID {self.ssid!r}" if self.ssid else "SSID not recorded"]
        if self.laptop_ip:
            parts.append(
                f"laptop {self.laptop_ip}"
                + (f" in {self.subnet}" if self.subnet else "")
                + (f" via {self.interface}" if self.interface else "")
            )
        if self.gateway:
            parts.append(f"gateway {self.gateway}")
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {
            "ssid": self.ssid,
            "laptop_ip": self.laptop_ip,
            "subnet": self.subnet,
            "interface": self.interface,
            "gateway": self.gateway,
        }

    @classmethod
    def from_json(cls, data: dict) -> NetworkContext:
        return cls(**{k: _optional_text(data.get(k)) for k in ("ssid", "laptop_ip", "subnet", "interface", "gateway")})


@dataclass(frozen=True)
class NetcheckReport:
    """All checks of one run, in a stable order (gateway, portal, DNS, TCP, TLS, NTP, local
    network). ``ran_at`` is when the run started (Unix seconds)."""

    profile_id: str
    profile_name: str
    generic: bool  # True when the maker documents no cloud domains: only generic reachability was tested
    deadline_s: float
    elapsed_ms: float
    results: tuple[CheckResult, ...]
    ran_at: float = 0.0
    network: NetworkContext = field(default_factory=NetworkContext)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def failed(self) -> bool:
        return any(r.status is Status.FAIL for r in self.results)

    def ran_at_text(self) -> str:
        """When the run started, in this computer's local time (``2026-05-04 14:03``)."""
        return datetime.fromtimestamp(self.ran_at).strftime("%Y-%m-%d %H:%M") if self.ran_at else "unknown time"

    def summary(self) -> dict[str, int]:
        """How many checks ended in each status: ``{"pass": 3, "warn": 1, "fail": 1, "skip": 0}``."""
        return {s.value.lower(): self.count(s) for s in Status}

    def summary_text(self) -> str:
        """``3 pass, 1 warn, 1 fail, 0 skip``."""
        return ", ".join(f"{n} {status}" for status, n in self.summary().items())

    def to_json(self) -> dict:
        return {
            "profile": {"id": self.profile_id, "name": self.profile_name},
            "ran_at": self.ran_at,
            "network": self.network.to_json(),
            "generic": self.generic,
            "deadline_s": self.deadline_s,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "ok": not self.failed,
            "summary": self.summary(),
            "checks": [r.to_json() for r in self.results],
        }

    @classmethod
    def from_json(cls, data: dict) -> NetcheckReport:
        """The report from its :meth:`to_json` form; raises ``KeyError``/``TypeError``/``ValueError``."""
        profile = data["profile"]
        return cls(
            profile_id=_text(profile["id"]),
            profile_name=_text(profile["name"]),
            generic=bool(data["generic"]),
            deadline_s=float(data["deadline_s"]),
            elapsed_ms=float(data["elapsed_ms"]),
            results=tuple(CheckResult.from_json(r) for r in data["checks"]),
            ran_at=float(data.get("ran_at", 0.0)),
            network=NetworkContext.from_json(data.get("network") or {}),
        )


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _optional_text(value) -> str | None:
    return None if value is None else _text(value)


# -- where a result is filed ----------------------------------------------------------------

#: Rows of the troubleshooting matrix (DESIGN.md "Field facts"), by key.
TROUBLE_OFFLINE = "offline_in_app"  # DNS sinkhole, or 443/8883 blocked
TROUBLE_DROPS = "charging_drops"  # RSSI below -75 dBm (the survey's evidence, not a network check's)
TROUBLE_LOCAL_API = "local_api_polling"  # mDNS blocked across VLANs
TROUBLE_SETUP_99 = "setup_fails_99"  # WPA3-SAE with an older chipset (the scans' evidence)

#: Codes of the network checklist items (survey.analysis.checklist) a check can pre-fill.
CHECKLIST_DNS = "dns_allowlist"
CHECKLIST_EGRESS = "egress_ports"
CHECKLIST_NTP = "ntp"
CHECKLIST_LOCAL = "local_access"

# Result kind -> (troubleshooting row, checklist item). A captive portal or a missing gateway
# leaves the charger offline but has no checklist item of its own.
_FILING: dict[str, tuple[str, str | None]] = {
    "gateway": (TROUBLE_OFFLINE, None),
    "portal": (TROUBLE_OFFLINE, None),
    "cloud_domains": (TROUBLE_OFFLINE, CHECKLIST_DNS),
    "dns": (TROUBLE_OFFLINE, CHECKLIST_DNS),
    "tcp": (TROUBLE_OFFLINE, CHECKLIST_EGRESS),
    "egress": (TROUBLE_OFFLINE, CHECKLIST_EGRESS),
    "tls": (TROUBLE_OFFLINE, CHECKLIST_EGRESS),  # TLS inspection on the way out breaks the cloud link
    "ntp": (TROUBLE_OFFLINE, CHECKLIST_NTP),  # a drifted clock fails TLS: the app shows the charger offline
    "mdns": (TROUBLE_LOCAL_API, CHECKLIST_LOCAL),
    "local": (TROUBLE_LOCAL_API, CHECKLIST_LOCAL),
}


def troubleshooting_row(result: CheckResult) -> str | None:
    """The troubleshooting-matrix row (``TROUBLE_*``) ``result`` is evidence for, or None."""
    filed = _FILING.get(result.kind)
    return filed[0] if filed else None


def checklist_item(result: CheckResult) -> str | None:
    """The network checklist item (``CHECKLIST_*`` code) ``result`` pre-fills, or None."""
    filed = _FILING.get(result.kind)
    return filed[1] if filed else None
