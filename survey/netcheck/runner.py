"""Run the pre-flight checks of a :class:`~survey.netcheck.plan.CheckPlan` concurrently, under
one overall deadline, so a closed network yields answers instead of a hang.

``run_checks(plan)`` starts every probe (:mod:`survey.netcheck.probe_tasks`) on its own daemon
thread, reports progress as each finishes, honours a cancel flag, waits at most the deadline,
collects what each probe saw into an :class:`~survey.netcheck.outcomes.Observed` and has
:mod:`survey.netcheck.verdicts` turn it into a :class:`NetcheckReport`. No check raises: every
error becomes a FAIL/WARN with what was seen and what to open or allow.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path

from survey.errors import EvSurveyError
from survey.netcheck import mdns, probes, verdicts
from survey.netcheck.laptop_network import network_context
from survey.netcheck.outcomes import PENDING, Observed
from survey.netcheck.plan import CheckPlan
from survey.netcheck.probe_tasks import (
    LOCAL_PROBE_WORDS,
    LOCAL_PROBES,
    Deadline,
    Dialer,
    Lookups,
    probe_endpoint,
    probe_local,
    probe_portal,
    query_ntp,
)
from survey.netcheck.results import NetcheckReport
from survey.netcheck.threads import spawn

log = logging.getLogger(__name__)

#: Overall deadline of one run (brief: a closed network must answer within ~15 s).
DEFAULT_DEADLINE_S = 15.0

#: ``on_progress(done, total, label)``: ``done`` of the run's ``total`` probes have finished, the
#: last one being ``label`` ("DNS api.zaptec.com"); called once with 0 and "" when the run starts.
Progress = Callable[[int, int, str], None]
#: How often a cancellable run looks at its cancel flag while it waits, seconds.
CANCEL_POLL_S = 0.05


class ChecksCancelled(EvSurveyError):
    """The run was cancelled before it finished: there are no results to keep."""


def _wait_for(futures: list[Future], timeout_s: float, cancel: threading.Event | None) -> None:
    """Wait until every future is done or ``timeout_s`` has passed; raise :class:`ChecksCancelled`
    as soon as ``cancel`` is set (the probes' daemon threads are then abandoned)."""
    end = time.monotonic() + timeout_s
    while True:
        left = end - time.monotonic()
        if cancel is not None and cancel.is_set():
            raise ChecksCancelled("The checks were cancelled before they finished; nothing was kept.")
        if left <= 0 or not wait(futures, timeout=left if cancel is None else min(left, CANCEL_POLL_S)).not_done:
            return


def _report_progress(labelled: dict[Future, str], on_progress: Progress | None) -> None:
    """Call ``on_progress`` as each probe finishes, from the probe's own thread."""
    if on_progress is None:
        return
    lock = threading.Lock()
    done = [0]

    def finished(label: str) -> Callable[[Future], None]:
        def callback(_future: Future) -> None:
            with lock:  # one call at a time, in the order the probes finished
                done[0] += 1
                on_progress(done[0], len(labelled), label)

        return callback

    on_progress(0, len(labelled), "")
    for future, label in labelled.items():
        future.add_done_callback(finished(label))


def _settled(future: Future):
    """What a probe ended with: its result, the exception it raised, or PENDING."""
    if not future.done():
        return PENDING
    return future.exception() if future.exception() is not None else future.result()


def run_checks(
    plan: CheckPlan,
    *,
    deadline_s: float = DEFAULT_DEADLINE_S,
    resolver: probes.Resolver | None = None,
    tls_context: ssl.SSLContext | None = None,
    route_table: Path | None = None,
    clock: Callable[[], float] = time.time,
    dial: Dialer | None = None,
    mdns_destination: tuple[str, int] | None = None,
    local_address: Callable[[str], str] | None = None,
    ssid: str | None = None,
    cancel: threading.Event | None = None,
    on_progress: Progress | None = None,
) -> NetcheckReport:
    """Run every check of ``plan`` concurrently and return within about ``deadline_s`` seconds.

    Injectable for tests (each defaults to the real thing): ``resolver`` (the system
    resolver), ``tls_context`` (``ssl.create_default_context()``, the system trust store),
    ``route_table`` (/proc/net/route), ``clock`` (the wall clock NTP measures), ``dial``
    (a TCP connect), ``mdns_destination`` (the mDNS group 224.0.0.251:5353) and
    ``local_address`` (this laptop's address towards the gateway). ``ssid`` is recorded as
    the network the checks ran on. ``cancel`` set from another thread ends the run within
    :data:`CANCEL_POLL_S` with :class:`ChecksCancelled`; ``on_progress`` hears of each probe
    as it finishes (from the probe's thread).
    """
    started = time.monotonic()
    ran_at = clock()
    deadline = Deadline(max(0.5, float(deadline_s)))
    dial = dial or probes.tcp_connect
    table_path = route_table or probes.ROUTE_TABLE
    table: tuple[probes.Route, ...] | BaseException
    try:
        table = probes.routes(table_path)
    except (OSError, ValueError) as exc:
        table = exc
    network = network_context(table, ssid, local_address or probes.local_address_towards)
    lookups = Lookups(resolver or probes.system_resolve)

    dns = {host: lookups.get(host) for host in plan.domains}
    endpoints = {
        e: spawn(probe_endpoint, e, lookups, deadline, dial, tls_context, name=f"netcheck-{e.label}")
        for e in plan.endpoints
    }
    ntp = {s: spawn(query_ntp, s, lookups, deadline, clock, name=f"netcheck-ntp-{s.label}") for s in plan.ntp_servers}
    portal = (
        spawn(probe_portal, plan.portal, lookups, deadline, dial, name="netcheck-portal")
        if plan.portal is not None
        else None
    )
    listen_s = min(mdns.LISTEN_S, deadline.remaining())
    destination = mdns_destination or mdns.MDNS_DESTINATION
    mdns_future = (
        spawn(
            lambda: mdns.query(
                plan.mdns_services, destination=destination, interface_ip=network.laptop_ip, listen_s=listen_s
            ),
            name="netcheck-mdns",
        )
        if plan.mdns_services
        else None
    )
    local = (
        {
            what: spawn(probe_local, plan.local_api, what, deadline, dial, name=f"netcheck-local-{what}")
            for what in LOCAL_PROBES
        }
        if plan.local_api is not None
        else {}
    )

    # A lookup gets one step (5 s by default, the system resolver's own per-try timeout in
    # resolv.conf(5)): a DNS server silent for longer fails the charger too, and a silent one
    # then costs one step instead of the whole deadline. The probes waiting on a lookup give up
    # after that step, so waiting for them bounds the run.
    probes_running = [
        *endpoints.values(),
        *ntp.values(),
        *local.values(),
        *(f for f in (portal, mdns_future) if f is not None),
    ]
    _report_progress(
        {
            **{f: f"DNS {host}" for host, f in dns.items()},
            **{f: f"{'TLS' if e.tls else 'TCP'} {e.label}" for e, f in endpoints.items()},
            **{f: f"NTP {s.label}" for s, f in ntp.items()},
            **{f: f"charger's {LOCAL_PROBE_WORDS[what]}" for what, f in local.items()},
            **({portal: "captive-portal probe"} if portal is not None else {}),
            **({mdns_future: "mDNS query"} if mdns_future is not None else {}),
        },
        on_progress,
    )
    _wait_for(probes_running, deadline.remaining_overall(), cancel)
    dns_end = started + deadline.step_s
    _wait_for(list(dns.values()), max(0.0, min(dns_end - time.monotonic(), deadline.remaining_overall())), cancel)

    observed = Observed(
        plan=plan,
        deadline_s=deadline.total_s,
        step_s=deadline.step_s,
        now_s=clock(),
        route_table=table_path,
        gateways=table if isinstance(table, BaseException) else probes.default_gateways_of(table),
        dns={h: _settled(f) for h, f in dns.items()},
        endpoints={e: _settled(f) for e, f in endpoints.items()},
        ntp={s: _settled(f) for s, f in ntp.items()},
        portal=None if portal is None else _settled(portal),
        mdns=None if mdns_future is None else _settled(mdns_future),
        mdns_listen_s=listen_s,
        local={what: _settled(f) for what, f in local.items()},
    )
    results = verdicts.interpret(observed)
    elapsed_ms = (time.monotonic() - started) * 1000
    log.info("netcheck %s: %d checks in %.0f ms", plan.profile_id, len(results), elapsed_ms)
    return NetcheckReport(
        plan.profile_id,
        plan.profile_name,
        plan.generic,
        deadline.total_s,
        elapsed_ms,
        tuple(results),
        ran_at=ran_at,
        network=network,
    )
