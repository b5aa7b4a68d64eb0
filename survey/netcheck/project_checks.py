"""The pre-flight checks of one project, made the same way by ``evsurvey check --project`` and
the window's "Check the internet path": the project's charger profile, the hosts the installer
added for this site and the charger's IP (the project settings
:data:`~survey.project.preflight.CHECK_DOMAINS_SETTING` and
:data:`~survey.project.preflight.CHARGER_IP_SETTING`), how the installer's entries are read,
and the words the window shows while the checks run. Qt-free: the window runs
:func:`run_project_checks` in a worker thread.
"""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from survey.errors import UserInputError
from survey.netcheck import probes
from survey.netcheck.plan import DEFAULT_PORTAL, CheckPlan, LocalApi, NtpServer, PortalProbe, plan_for_profile
from survey.netcheck.probe_tasks import Dialer
from survey.netcheck.results import STATUS_WORDS, CheckResult, NetcheckReport
from survey.netcheck.runner import DEFAULT_DEADLINE_S, Progress, run_checks
from survey.project.model import ChargerProfile, Project
from survey.project.preflight import CHARGER_IP_SETTING, CHECK_DOMAINS_SETTING
from survey.project.profiles import get_profile

# --------------------------------------------------------------------------- the installer's entries


def parse_host_port(text: str, option: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``1.2.3.4:port``, ``[::1]:port`` or a bare IPv6 address."""
    value = text.strip()
    host, port_text = value, None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            raise UserInputError(f"{option} {text!r}: a bracketed IPv6 address needs its closing ']'.")
        host, rest = value[1:end], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise UserInputError(f"{option} {text!r}: write [IPv6]:PORT.")
            port_text = rest[1:]
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    if ":" in host and probes.ip_literal(host) is None:
        raise UserInputError(f"{option} {text!r}: write HOST:PORT, or [IPv6]:PORT for an IPv6 address.")
    if not host or any(c.isspace() for c in host) or "/" in host:
        raise UserInputError(
            f"{option} {text!r}: give a host name or IP address, optionally with :PORT (e.g. api.example.com:8883)."
        )
    if port_text is None:
        return host, None
    try:
        port = int(port_text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise UserInputError(f"{option} {text!r}: the port must be a number from 1 to 65535.")
    return host, port


def domain_key(text: str, option: str) -> str:
    """What makes two entries the same host: ``API.Example.com`` and ``api.example.com`` are."""
    host, port = parse_host_port(text, option)
    return f"{host.casefold()}:{port}" if port else host.casefold()


def charger_ip_address(text: str | None, option: str) -> str | None:
    """The charger's IP address as typed (None when empty); a name or anything else is refused."""
    if not text or not str(text).strip():
        return None
    literal = probes.ip_literal(str(text).strip())
    if literal is None:
        raise UserInputError(
            f"{option} {text!r}: give the charger's IP address (e.g. 192.168.20.15), "
            "as the router's DHCP list shows it."
        )
    return literal


def kept_domains(settings: dict) -> list[str]:
    """The hosts kept in a project's settings for its checks, as they were entered."""
    return [str(d) for d in settings.get(CHECK_DOMAINS_SETTING, []) if isinstance(d, str)]


def parse_domain_list(text: str, option: str = "Extra domain") -> list[str]:
    """The window's list of extra hosts (``a.example, b.example:8883``, commas or spaces between
    them), each checked as ``--domain`` is; repeats (in any letter case) are left out."""
    domains: dict[str, str] = {}
    for entry in (e for e in re.split(r"[,\s]+", text) if e):
        domains.setdefault(domain_key(entry, option), entry)
    return list(domains.values())


def build_plan(
    profile: ChargerProfile,
    domains: Iterable[str],
    charger_ip: str | None,
    *,
    ntp_servers: tuple[NtpServer, ...] = (),
    portal: PortalProbe | None = DEFAULT_PORTAL,
    modbus_unit: int = 1,
    modbus_register: int = 0,
) -> CheckPlan:
    """The checks for ``profile`` with the installer's extra hosts (``host`` or ``host:port``)
    and, when the charger's IP is known, its local API."""
    extra = tuple(parse_host_port(d, "--domain") for d in domains)
    local_api = LocalApi(charger_ip, modbus_unit, modbus_register) if charger_ip else None
    return plan_for_profile(profile, extra_endpoints=extra, ntp_servers=ntp_servers, portal=portal, local_api=local_api)


# --------------------------------------------------------------------------- a project's run


@dataclass(frozen=True)
class CheckEnvironment:
    """How the checks reach the network. Every ``None`` is :func:`run_checks`' real default
    (the system resolver and trust store, /proc/net/route, a TCP connect, the mDNS group, the
    laptop's address towards the gateway); tests point them at servers on loopback.
    ``ntp_servers`` replace the profile's; ``portal`` is the captive-portal probe."""

    deadline_s: float = DEFAULT_DEADLINE_S
    ntp_servers: tuple[NtpServer, ...] = ()
    portal: PortalProbe | None = DEFAULT_PORTAL
    resolver: probes.Resolver | None = None
    tls_context: ssl.SSLContext | None = None
    route_table: Path | None = None
    dial: Dialer | None = None
    mdns_destination: tuple[str, int] | None = None
    local_address: Callable[[str], str] | None = None


def project_plan(project: Project, env: CheckEnvironment) -> CheckPlan:
    """The checks of ``project``: its charger profile, its kept hosts and its charger's IP.
    Raises :class:`UserInputError` when a stored entry is unusable."""
    settings = project.settings
    charger_ip = charger_ip_address(settings.get(CHARGER_IP_SETTING), "the project's charger IP")
    return build_plan(
        get_profile(project.charger_profile_id),
        kept_domains(settings),
        charger_ip,
        ntp_servers=env.ntp_servers,
        portal=env.portal,
    )


def run_project_checks(
    project: Project,
    env: CheckEnvironment = CheckEnvironment(),
    *,
    ssid: str | None = None,
    cancel: threading.Event | None = None,
    on_progress: Progress | None = None,
) -> NetcheckReport:
    """Run the checks of ``project`` (blocking, up to ``env.deadline_s``; for a worker thread).
    Raises :class:`~survey.netcheck.runner.ChecksCancelled` when ``cancel`` is set meanwhile."""
    return run_checks(
        project_plan(project, env),
        deadline_s=env.deadline_s,
        resolver=env.resolver,
        tls_context=env.tls_context,
        route_table=env.route_table,
        dial=env.dial,
        mdns_destination=env.mdns_destination,
        local_address=env.local_address,
        ssid=ssid,
        cancel=cancel,
        on_progress=on_progress,
    )


# --------------------------------------------------------------------------- words

#: Beside the button before anything ran.
IDLE_TEXT = (
    "Run from the charger's network (its SSID or VLAN): DNS filter, outbound TCP 443/8883, TLS, NTP, "
    "captive portal, mDNS and the charger's local API."
)
NOT_RUN_TEXT = "Not checked yet in this project."


def checking_text(deadline_s: float) -> str:
    return f"Checking (up to {deadline_s:.0f} s) ..."


def progress_text(done: int, total: int, label: str) -> str:
    """``3 of 12 checks done (last: DNS api.zaptec.com)``."""
    text = f"{done} of {total} checks done"
    return f"{text} (last: {label})" if label else text


def cancelled_text(kept_before: bool) -> str:
    return "Checks cancelled: nothing was kept" + (
        "; the results below are from the run before." if kept_before else "."
    )


def kept_text(report: NetcheckReport) -> str:
    return f"Checked and kept in the project: {report.summary_text()}."


def not_kept_text(reason: str) -> str:
    return f"Checked, but not kept in the project: {reason}"


def summary_text(report: NetcheckReport) -> str:
    """When, where and for which charger the stored checks ran, and how they came out."""
    return (
        f"Checked {report.ran_at_text()} for the {report.profile_name} profile on {report.network.text()}: "
        f"{report.summary_text()}."
    )


def result_text(result: CheckResult) -> str:
    """One result for people: its status, what was seen and, when there is one, the fix."""
    fix = f"\n\nFix: {result.fix}" if result.fix else ""
    return f"{result.title}: {STATUS_WORDS[result.status]}\n\n{result.detail}{fix}"


def domain_list_text(domains: Sequence[str]) -> str:
    """The kept hosts as the window's field shows them."""
    return ", ".join(domains)
