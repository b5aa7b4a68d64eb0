"""The idle-timeout test: how long does this network keep a quiet TCP connection open?

A charger keeps one OCPP WebSocket open for hours; a firewall or NAT that forgets an idle
connection after a few minutes cuts it silently, and the charger shows offline until it
notices. The test opens one connection per idle step (1, 5, 15, 30, 60 min by default) to an
endpoint the installer names, all at once, leaves each quiet for its step, then sends a
small probe and waits for the answer. The first step whose connection is gone ends the test:
the result is the longest idle time the path kept.

How a connection that is gone shows: a FIN or RST that arrived while it was idle, an RST in
answer to the probe, or no answer at all (the path dropped it silently). Before the steps
start, one connection checks that the endpoint answers the probe at once, so silence later
means the path, not a quiet server. Run it on a background thread; ``cancel`` stops it.
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from survey.errors import UserInputError
from survey.netcheck import probes
from survey.netcheck.linktest import LinkTestError, resolve_address

log = logging.getLogger(__name__)

#: Idle steps, seconds: 1, 5, 15, 30 and 60 minutes (issue 16). NAT and firewall idle timeouts
#: for established TCP are commonly minutes to hours (RFC 5382 REQ-5 asks NATs for at least
#: 2 h 4 min); anything under the charger's heartbeat spacing breaks its WebSocket.
DEFAULT_STEPS_S = (60.0, 300.0, 900.0, 1800.0, 3600.0)
#: The longest step accepted: past an hour the installer has left the site.
MAX_STEP_S = 3600.0
#: How long to wait for the answer to a probe.
ANSWER_TIMEOUT_S = 10.0
#: Sent after the idle time: HTTP servers (also those behind wss://) answer it, an echo
#: service echoes it, other servers answer with an error or close: every reply shows the
#: connection still reached the endpoint.
DEFAULT_PROBE = b"HEAD / HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n"


class IdleOutcome(str, Enum):
    KEPT = "kept"  # the probe after the idle time was answered
    CLOSED = "closed"  # a FIN arrived while the connection was idle
    RESET = "reset"  # an RST arrived while idle or in answer to the probe
    SILENT = "silent"  # the probe got no answer at all: dropped without a word


@dataclass(frozen=True)
class IdleStep:
    """One connection: ``planned_s`` the step, ``idle_s`` how long it really was quiet."""

    planned_s: float
    idle_s: float
    outcome: IdleOutcome
    detail: str

    def to_json(self) -> dict:
        return {
            "planned_s": self.planned_s,
            "idle_s": round(self.idle_s, 3),
            "outcome": self.outcome.value,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class IdleTestResult:
    endpoint: str  # HOST:PORT as given
    address: str
    tls: bool
    steps: tuple[IdleStep, ...]  # the steps tested, in order; the last may be the one that failed
    planned_s: tuple[float, ...]
    cancelled: bool = False

    @property
    def longest_kept_s(self) -> float:
        """Longest idle time, in seconds, after which the connection still answered (0: none)."""
        return max((s.idle_s for s in self.steps if s.outcome is IdleOutcome.KEPT), default=0.0)

    @property
    def first_lost(self) -> IdleStep | None:
        return next((s for s in self.steps if s.outcome is not IdleOutcome.KEPT), None)

    @property
    def summary(self) -> str:
        lost = self.first_lost
        kept = self.longest_kept_s
        head = f"kept open after {format_duration(kept)} idle" if kept else "not kept open for any step"
        if lost is not None:
            return f"{head}; {lost.detail}"
        if self.cancelled:
            return f"{head} (cancelled before the {format_duration(self.planned_s[-1])} step)"
        return f"{head}: every step up to {format_duration(self.planned_s[-1])} passed"

    def to_json(self) -> dict:
        lost = self.first_lost
        return {
            "endpoint": self.endpoint,
            "address": self.address,
            "tls": self.tls,
            "planned_s": list(self.planned_s),
            "longest_kept_s": round(self.longest_kept_s, 3),
            "first_lost_s": None if lost is None else round(lost.idle_s, 3),
            "cancelled": self.cancelled,
            "summary": self.summary,
            "steps": [s.to_json() for s in self.steps],
        }


def format_duration(seconds: float) -> str:
    """``45 s``, ``5 min``, ``1 h``; fractions of a second kept for short test steps."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def validate_steps(steps_s: Sequence[float]) -> tuple[float, ...]:
    """The steps as given when they are positive, increasing and at most an hour."""
    steps = tuple(float(s) for s in steps_s)
    if not steps:
        raise UserInputError("Give at least one idle step, e.g. --steps 60,300,900.")
    if any(not 0 < s <= MAX_STEP_S for s in steps):
        raise UserInputError(f"Idle steps must be more than 0 and at most {MAX_STEP_S:.0f} seconds (one hour).")
    if any(b <= a for a, b in zip(steps, steps[1:])):
        raise UserInputError("Idle steps must increase, e.g. --steps 60,300,900,1800,3600.")
    return steps


def _host_header(host: str) -> bytes:
    """``host`` for an HTTP Host header: punycode for an international name (any answer, even
    "400 Bad Request", shows the connection is alive, so a name IDNA refuses is sent as ASCII)."""
    try:
        return host.encode("idna")
    except UnicodeError:
        return host.encode("ascii", "ignore")


class IdleTestError(LinkTestError):
    """The endpoint cannot be used for the idle test (unreachable, or does not answer the probe)."""


class _Connection:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.opened = time.monotonic()

    def drain(self) -> IdleOutcome | None:
        """Read what arrived while idle: CLOSED / RESET when the connection ended, else None
        (data the endpoint sent by itself, such as a banner, is dropped)."""
        self.sock.setblocking(False)
        try:
            while True:
                try:
                    if not self.sock.recv(65536):
                        return IdleOutcome.CLOSED
                except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    return None
                except (ConnectionResetError, ssl.SSLError):
                    return IdleOutcome.RESET
        finally:
            self.sock.setblocking(True)

    def probe(self, data: bytes, answer_timeout_s: float, cancel: threading.Event) -> tuple[IdleOutcome, str]:
        """Send ``data`` and wait for any answer (data, or the endpoint closing in response)."""
        try:
            self.sock.settimeout(answer_timeout_s)
            self.sock.sendall(data)
        except (ConnectionResetError, BrokenPipeError):
            return IdleOutcome.RESET, "reset when the probe was sent"
        except OSError as exc:
            return IdleOutcome.RESET, f"the probe could not be sent ({exc.strerror or exc})"
        end = time.monotonic() + answer_timeout_s
        while not cancel.is_set():
            remaining = end - time.monotonic()
            if remaining <= 0:
                break
            pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
            if not pending and not select.select([self.sock], [], [], min(0.2, remaining))[0]:
                continue
            try:
                self.sock.settimeout(max(0.05, remaining))
                return IdleOutcome.KEPT, ("answered" if self.sock.recv(65536) else "answered by closing")
            except (TimeoutError, ssl.SSLWantReadError):
                continue
            except (ConnectionResetError, ssl.SSLError, OSError) as exc:
                return IdleOutcome.RESET, f"reset in answer to the probe ({exc.strerror or exc})"
        return IdleOutcome.SILENT, f"no answer to the probe within {answer_timeout_s:g} s"

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _detail(outcome: IdleOutcome, idle_s: float, how: str) -> str:
    after = format_duration(idle_s)
    return {
        IdleOutcome.CLOSED: f"closed (FIN) during {after} idle: the endpoint or a firewall ended it",
        IdleOutcome.RESET: f"reset (RST) after {after} idle: a firewall or NAT forgot the connection ({how})",
        IdleOutcome.SILENT: f"dropped silently after {after} idle ({how})",
        IdleOutcome.KEPT: f"kept after {after} idle ({how})",
    }[outcome]


def run_idle_test(
    host: str,
    port: int,
    *,
    steps_s: Sequence[float] = DEFAULT_STEPS_S,
    tls: bool = False,
    tls_context: ssl.SSLContext | None = None,
    probe: bytes | None = None,
    answer_timeout_s: float = ANSWER_TIMEOUT_S,
    connect_timeout_s: float = 5.0,
    cancel: threading.Event | None = None,
    resolver: probes.Resolver | None = None,
    on_step: Callable[[IdleStep], None] | None = None,
) -> IdleTestResult:
    """Run the idle test against ``host:port`` (TLS when ``tls``; ``tls_context`` defaults to
    the system trust store). Blocks for up to the last step plus the answer timeout; returns
    early, with the steps done so far, when ``cancel`` is set. ``on_step`` hears each step as
    it ends. Raises :class:`IdleTestError` when the endpoint cannot be reached or does not
    answer the probe right after connecting."""
    steps = validate_steps(steps_s)
    cancel = cancel or threading.Event()
    label = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    data = probe if probe is not None else DEFAULT_PROBE % _host_header(host)
    address = resolve_address(host, resolver or probes.system_resolve, connect_timeout_s)
    context = (tls_context or ssl.create_default_context()) if tls else None

    def connect() -> _Connection:
        try:
            sock = probes.tcp_connect(address, port, connect_timeout_s)
        except OSError as exc:
            raise IdleTestError(
                f"{label} cannot be reached ({exc.strerror or exc}). Check the host and port; the "
                "idle test needs an endpoint that accepts TCP connections."
            ) from None
        if context is None:
            return _Connection(sock)
        try:
            return _Connection(context.wrap_socket(sock, server_hostname=host))  # an IP address matches IP SANs
        except (OSError, ssl.SSLError, ValueError) as exc:
            sock.close()
            why = (
                "timed out" if isinstance(exc, (TimeoutError, socket.timeout)) else getattr(exc, "reason", None) or exc
            )
            raise IdleTestError(
                f"TLS to {label} failed ({why}). Check the port speaks TLS, or leave out --tls for plain TCP."
            ) from None

    baseline = connect()
    try:
        outcome, how = baseline.probe(data, answer_timeout_s, cancel)
    finally:
        baseline.close()
    if outcome is not IdleOutcome.KEPT and not cancel.is_set():
        raise IdleTestError(
            f"{label} does not answer a probe right after connecting ({how}), so a connection the "
            "network drops could not be told from a quiet server. Use an endpoint that answers: an "
            "HTTP(S) server, an echo service, or the charger maker's server."
        )
    connections: list[_Connection] = []
    done: list[IdleStep] = []
    try:
        for _ in steps:
            connections.append(connect())
        for planned, conn in zip(steps, connections):
            if cancel.wait(max(0.0, conn.opened + planned - time.monotonic())):
                break
            idle_s = time.monotonic() - conn.opened
            ended = conn.drain()
            if ended is not None:
                outcome, how = ended, "while idle"
            else:
                outcome, how = conn.probe(data, answer_timeout_s, cancel)
                if cancel.is_set():
                    break
            step = IdleStep(planned, idle_s, outcome, _detail(outcome, idle_s, how))
            done.append(step)
            log.info("idle test %s: %s", label, step.detail)
            if on_step is not None:
                on_step(step)
            if outcome is not IdleOutcome.KEPT:
                break
    finally:
        for conn in connections:
            conn.close()
    return IdleTestResult(
        endpoint=label, address=address, tls=tls, steps=tuple(done), planned_s=steps, cancelled=cancel.is_set()
    )
