"""What the probes of one run saw, as plain values: :mod:`survey.netcheck.runner` fills an
:class:`Observed`, :mod:`survey.netcheck.verdicts` turns it into check results."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.netcheck.plan import CheckPlan, Endpoint, NtpServer
from survey.netcheck.probes import Gateway, TlsSession


class _Pending:
    """A probe that had not finished when the run's deadline came."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()


@dataclass(frozen=True)
class Resolved:
    addresses: tuple[str, ...]
    elapsed_ms: float


class ResolveFailed(Exception):
    def __init__(self, message: str, elapsed_ms: float):
        super().__init__(message)
        self.elapsed_ms = elapsed_ms


class DnsUnusable(Exception):
    """The name did not resolve to an address a connection could use (the DNS check says why)."""


@dataclass(frozen=True)
class EndpointOutcome:
    address: str = ""
    tcp_error: BaseException | None = None
    tcp_ms: float = 0.0
    tls: TlsSession | None = None
    tls_error: BaseException | None = None
    tls_ms: float = 0.0


@dataclass(frozen=True)
class ExchangeOutcome:
    """One connect-and-ask probe (the captive-portal request, a Modbus read, an HTTP request
    to the charger): the address dialled, the answer, or the error at ``stage`` (``connect``
    or ``answer``)."""

    address: str
    answer: Any = None
    error: BaseException | None = None
    stage: str = ""
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class Observed:
    """Everything one run saw. Each probe's entry is its outcome, the exception it raised, or
    :data:`PENDING`; ``now_s`` is the wall clock when the run ended (Unix seconds)."""

    plan: CheckPlan
    deadline_s: float
    step_s: float
    now_s: float
    route_table: Path
    gateways: tuple[Gateway, ...] | BaseException
    dns: dict[str, Any] = field(default_factory=dict)
    endpoints: dict[Endpoint, Any] = field(default_factory=dict)
    ntp: dict[NtpServer, Any] = field(default_factory=dict)
    portal: Any = None  # None: not planned
    mdns: Any = None  # tuple of MdnsResponder; None: not planned
    mdns_listen_s: float = 0.0
    local: dict[str, Any] = field(default_factory=dict)  # "modbus" / "http" / "https" -> ExchangeOutcome


def exc_text(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    return str(exc) or type(exc).__name__


def is_timeout(exc: BaseException | None) -> bool:
    return isinstance(exc, (TimeoutError, socket.timeout))
