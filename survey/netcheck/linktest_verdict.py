"""What a measured link means for a charger: GOOD / MARGINAL / POOR and the words for it
("4 % loss, p95 180 ms"). Read by the ``linktest`` command and, through ``analysis``, by the
verdict at the charger; the numbers come from :mod:`survey.project.link` values.

Limits (in :mod:`survey.project.link`, where the maps of the report read them too), from
ITU-T Y.1541 (12/2011) Table 1, network QoS classes 0 and 1 (the interactive classes):
IP packet loss ratio at most 1 x 10^-3, delay variation at most 50 ms, mean one-way transfer
delay at most 100 ms (class 0) and 400 ms (class 1). Here they bound the
95th percentile of the round trip to the gateway, which is stricter than a mean one-way
delay across a whole network: one Wi-Fi hop that already spends them leaves nothing for the
path to the charger's cloud.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.project.link import (  # noqa: F401 - the limits are re-exported for the command
    JITTER_GOOD_MAX_MS,
    LOSS_GOOD_MAX_PCT,
    LOSS_MARGINAL_MAX_PCT,
    RTT_P95_GOOD_MAX_MS,
    RTT_P95_MARGINAL_MAX_MS,
    LinkTest,
    LinkTestResult,
)

#: The verdict words the analysis layer uses for the signal (survey.analysis.thresholds).
GOOD, MARGINAL, POOR, UNKNOWN = "GOOD", "MARGINAL", "POOR", "UNKNOWN"

_ORDER = {GOOD: 0, MARGINAL: 1, POOR: 2}


@dataclass(frozen=True)
class LinkAssessment:
    """``level`` GOOD / MARGINAL / POOR (UNKNOWN: nothing could be measured); ``words`` the
    short figures for a verdict line; ``reasons`` why the level is not GOOD, one per limit."""

    level: str
    words: str
    reasons: tuple[str, ...] = ()


def format_loss_pct(loss_pct: float) -> str:
    """``0 %``, ``0.4 %``, ``4 %``: whole percent unless that would round a loss to nothing."""
    return f"{loss_pct:.1f} %" if 0 < loss_pct < 1 else f"{loss_pct:.0f} %"


def format_ms(value_ms: float) -> str:
    """``0.3 ms`` below 10 ms, else whole milliseconds."""
    return f"{value_ms:.1f} ms" if value_ms < 10 else f"{value_ms:.0f} ms"


def assess_link(result: LinkTestResult) -> LinkAssessment:
    """The level of one target's link test and its words."""
    if result.sent == 0:
        why = result.tried[-1] if result.tried else "no probe could be sent"
        return LinkAssessment(UNKNOWN, "not measured", (why,))
    if not result.answered:
        return LinkAssessment(
            POOR,
            f"no answer to {result.sent} probes",
            (f"{result.address or result.target} answered none of {result.sent} probes.",),
        )
    loss, p95, jitter = result.loss_pct, result.rtt_p95_ms, result.jitter_ms
    if p95 is None:  # every answered series has its round-trip times
        raise ValueError(f"link test of {result.target}: {result.received} probes answered but no round-trip time")
    words = f"{format_loss_pct(loss)} loss, p95 {format_ms(p95)}"
    levels, reasons = [GOOD], []
    if loss > LOSS_MARGINAL_MAX_PCT:
        levels.append(POOR)
        reasons.append(f"{format_loss_pct(loss)} of probes lost (more than {LOSS_MARGINAL_MAX_PCT:.0f} %).")
    elif loss > LOSS_GOOD_MAX_PCT:
        levels.append(MARGINAL)
        reasons.append(f"{format_loss_pct(loss)} of probes lost (a healthy link loses none).")
    if p95 > RTT_P95_MARGINAL_MAX_MS:
        levels.append(POOR)
        reasons.append(f"95 % of round trips took up to {format_ms(p95)} (more than {RTT_P95_MARGINAL_MAX_MS:.0f} ms).")
    elif p95 > RTT_P95_GOOD_MAX_MS:
        levels.append(MARGINAL)
        reasons.append(f"95 % of round trips took up to {format_ms(p95)} (more than {RTT_P95_GOOD_MAX_MS:.0f} ms).")
    if jitter is not None and jitter > JITTER_GOOD_MAX_MS:
        levels.append(MARGINAL)
        words += f", jitter {format_ms(jitter)}"
        reasons.append(f"Jitter {format_ms(jitter)} (more than {JITTER_GOOD_MAX_MS:.0f} ms).")
    return LinkAssessment(max(levels, key=_ORDER.__getitem__), words, tuple(reasons))


def assess_gateway(link: LinkTest | None) -> LinkAssessment | None:
    """The assessment the verdict at the charger uses: the gateway's link (the charger's own
    hop), None when no link test was made there."""
    if link is None or link.gateway is None:
        return None
    return assess_link(link.gateway)
