""" "Link test at each point": the short link test the window makes after each stop-and-go
sample, what it measures, how long it may take, where its result goes in the project and the
words the window shows. Qt-free: the window runs :func:`run_point_link_test` in a worker thread
and attaches the result to the sample with :func:`with_sample_link`.

The sample is stored before the test starts (nothing the installer measured waits on the
network); the test only adds its result to it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from survey.netcheck import linktest
from survey.netcheck.linktest_verdict import UNKNOWN, assess_link
from survey.project.link import LinkTest, ProbeKind
from survey.project.model import Project

#: Project setting (``Project.settings``): True when each stop-and-go sample gets a link test.
LINK_TEST_SETTING = "link_test_each_point"

#: Probes per point: 30 at 100 ms is 3 s of probing. One lost probe is 3.3 %, under the 5 % at
#: which a link turns POOR (survey.project.link.LOSS_MARGINAL_MAX_PCT), so a single loss reads
#: MARGINAL; the CLI's 50 probes are for the charger's own spot.
POINT_COUNT = 30

#: How long :func:`~survey.netcheck.linktest.run_link_test` may wait past its deadline for a probe
#: thread that is stuck (it joins each with the time left plus 1 s).
JOIN_SLACK_S = 1.0
#: Time the gateway lookup may take when no gateway is given: on macOS and Windows it runs
#: ``route`` with a 5 s timeout (survey.netcheck.linktest._run_command).
GATEWAY_LOOKUP_S = 5.0

#: Why a continuous walk gets no link test, shown beside the option.
WALK_NOTE = (
    "Not run in a continuous walk: the laptop moves while it would measure, so the result would belong "
    "to no point. Switch to stop-and-go for link tests."
)


@dataclass(frozen=True)
class PointLinkTest:
    """How the link test at a point is made: ``count`` round trips to the gateway (``gateway``
    None: the default route's, looked up by ``find_gateway`` in the worker, since on macOS and
    Windows that runs a command). ``probe`` / ``port`` None choose as
    :func:`~survey.netcheck.linktest.measure_target` does (ICMP echo where permitted, else TCP
    connect to ``tcp_ports``). The timings and ``open_icmp`` are the link test's; tests point
    all of it at servers on loopback."""

    gateway: str | None = None
    probe: ProbeKind | None = None
    port: int | None = None
    count: int = POINT_COUNT
    interval_s: float = linktest.PROBE_INTERVAL_S
    reply_timeout_s: float = linktest.REPLY_TIMEOUT_S
    tcp_ports: tuple[int, ...] = linktest.GATEWAY_TCP_PORTS
    open_icmp: Callable[[], socket.socket] = field(default=linktest.open_icmp_socket, compare=False)
    find_gateway: Callable[[], str] = field(default=linktest.find_gateway, compare=False)

    @property
    def deadline_s(self) -> float:
        """The hard deadline of one test: the probes, the last reply window and the trial probes
        that choose the probe kind (:func:`~survey.netcheck.linktest.minimum_deadline_s`)."""
        return linktest.minimum_deadline_s(self.count, self.interval_s, self.reply_timeout_s)

    @property
    def longest_s(self) -> float:
        """The longest a test can take before it is known to be stuck: the deadline, the time
        the link test waits for a stuck probe, and the gateway lookup when none is given."""
        return self.deadline_s + JOIN_SLACK_S + (0.0 if self.gateway else GATEWAY_LOOKUP_S)

    @property
    def expected_s(self) -> float:
        """How long a test of a gateway that answers takes: the probes and the last reply window."""
        return self.count * self.interval_s + self.reply_timeout_s


def run_point_link_test(spec: PointLinkTest, cancel: threading.Event | None = None) -> LinkTest:
    """The link test at the laptop's spot (blocking, at most about ``spec.deadline_s`` plus the
    gateway lookup). Raises :class:`~survey.netcheck.linktest.LinkTestError` without a gateway."""
    gateway = spec.gateway or spec.find_gateway()
    target = linktest.Target(name=linktest.GATEWAY_TARGET, host=gateway, probe=spec.probe, port=spec.port)
    return linktest.run_link_test(
        [target],
        count=spec.count,
        deadline_s=spec.deadline_s,
        cancel=cancel,
        interval_s=spec.interval_s,
        reply_timeout_s=spec.reply_timeout_s,
        tcp_ports=spec.tcp_ports,
        open_icmp=spec.open_icmp,
    )


def measured(link: LinkTest) -> bool:
    """Whether the test measured the gateway at all (a probe was sent): only then is it kept."""
    return link.gateway is not None and link.gateway.sent > 0


def with_sample_link(project: Project, sample_id: int, link: LinkTest | None) -> Project:
    """``project`` with ``link`` attached to (None: removed from) the sample ``sample_id``."""
    return replace(
        project,
        surveys=tuple(
            replace(s, samples=tuple(replace(x, link=link) if x.id == sample_id else x for x in s.samples))
            if any(x.id == sample_id for x in s.samples)
            else s
            for s in project.surveys
        ),
    )


# --------------------------------------------------------------------------- words


def option_note(spec: PointLinkTest, walking: bool) -> str:
    """What the option does, beside it (in a continuous walk: why it does not run)."""
    if walking:
        return WALK_NOTE
    return (
        f"After each sample: {spec.count} round trips to the gateway, about {spec.expected_s:.0f} s per point; "
        "the sample is saved first, the result is added to it."
    )


def running_text(sample_number: int, elapsed_s: float, spec: PointLinkTest) -> str:
    """``Link test at sample 3 (round trips to the gateway): 1.2 s of about 4 s``."""
    return (
        f"Link test at sample {sample_number} (round trips to the gateway): {elapsed_s:.1f} s of about "
        f"{spec.expected_s:.0f} s"
    )


def wait_text(sample_number: int) -> str:
    """Why the next sample must wait: a scan while the test runs would disturb both."""
    return (
        f"The link test at sample {sample_number} is still running (a scan now would disturb it): wait a "
        "moment, or press Cancel link test."
    )


def result_text(sample_number: int, link: LinkTest) -> str:
    """``Link test at sample 3: GOOD, 0 % loss, p95 2.1 ms (gateway 192.168.1.1, ICMP echo).``;
    for a test that measured nothing, why, and that the sample is kept."""
    result = link.gateway
    if result is None:
        return f"Link test at sample {sample_number}: no result; the sample is kept."
    assessment = assess_link(result)
    how = result.probe.label + (f" {result.port}" if result.port is not None else "")
    where = f"gateway {result.address}, {how}" if result.address else "gateway"
    if assessment.level == UNKNOWN:
        return (
            f"Link test at sample {sample_number}: not measured ({' '.join(assessment.reasons)}). "
            "The sample is kept without a link result."
        )
    text = f"Link test at sample {sample_number}: {assessment.level}, {assessment.words} ({where})."
    return text + (" " + " ".join(assessment.reasons) if assessment.reasons else "")


def failed_text(sample_number: int, reason: str) -> str:
    """The test could not be made (e.g. no gateway): the reason; the sample is kept."""
    return f"Link test at sample {sample_number} not made: {reason} The sample is kept without a link result."


def abandoned_text(sample_number: int, waited_s: float) -> str:
    """The test did not return by its deadline: it is abandoned, the sample kept."""
    return (
        f"The link test at sample {sample_number} did not finish within {waited_s:.0f} s and was stopped. "
        "The sample is kept without a link result."
    )


def cancelled_text(sample_number: int) -> str:
    return f"Link test at sample {sample_number} cancelled. The sample is kept without a link result."


def gone_text(sample_number: int) -> str:
    return f"Sample {sample_number} was undone before its link test finished; the result is not kept."
