"""``evsurvey check [--profile ID | --project FILE] [--domain HOST[:PORT]] [--ntp-server HOST[:PORT]]
[--timeout S] [--json]``: pre-flight checks of the network path the charger needs, run from a
laptop on the charger's SSID/VLAN. Exit 0 when nothing fails, 1 when a check fails, 2 for bad input."""

from __future__ import annotations

import argparse
import json
import textwrap

from survey.errors import UserInputError
from survey.netcheck import probes
from survey.netcheck.results import NetcheckReport, Status
from survey.netcheck.runner import DEFAULT_DEADLINE_S, NtpServer, plan_for_profile, run_checks
from survey.project.profiles import get_profile, load_profiles

#: Longest deadline accepted: past this an installer is better served by fixing the network.
MAX_DEADLINE_S = 120.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", metavar="ID",
                        help="charger profile id (default: the project's, else generic_iot); one of: "
                             + ", ".join(p.id for p in load_profiles()))
    parser.add_argument("--project", metavar="FILE", help="a .evsurvey project: test its charger profile")
    parser.add_argument("--domain", metavar="HOST[:PORT]", action="append", default=[],
                        help="also test this host (e.g. a name the charger looked up, from the DNS filter's log); "
                             "without :PORT on the profile's TCP ports; repeatable")
    parser.add_argument("--ntp-server", metavar="HOST[:PORT]", action="append", default=[],
                        help="NTP server to query instead of the profile's (e.g. the router); repeatable")
    parser.add_argument("--timeout", metavar="S", type=float, default=DEFAULT_DEADLINE_S,
                        help=f"overall deadline in seconds (default {DEFAULT_DEADLINE_S:.0f})")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def parse_host_port(text: str, option: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``1.2.3.4:port``, ``[::1]:port`` or a bare IPv6 address."""
    value = text.strip()
    host, port_text = value, None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            raise UserInputError(f"{option} {text!r}: a bracketed IPv6 address needs its closing ']'.")
        host, rest = value[1:end], value[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise UserInputError(f"{option} {text!r}: write [IPv6]:PORT.")
            port_text = rest[1:]
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    if ":" in host and probes.ip_literal(host) is None:
        raise UserInputError(f"{option} {text!r}: write HOST:PORT, or [IPv6]:PORT for an IPv6 address.")
    if not host or any(c.isspace() for c in host) or "/" in host:
        raise UserInputError(f"{option} {text!r}: give a host name or IP address, optionally with :PORT "
                             "(e.g. api.example.com:8883).")
    if port_text is None:
        return host, None
    try:
        port = int(port_text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise UserInputError(f"{option} {text!r}: the port must be a number from 1 to 65535.")
    return host, port


def _profile(args):
    if args.profile:
        ids = [p.id for p in load_profiles()]
        if args.profile not in ids:
            raise UserInputError(f"Unknown charger profile {args.profile!r}. Use one of: {', '.join(ids)}.")
        return get_profile(args.profile)
    if args.project:
        from survey.project.store import ProjectStore

        with ProjectStore.open(args.project, read_only=True) as store:
            return get_profile(store.load().charger_profile_id)
    return get_profile(None)


def run(args) -> int:
    if not 0 < args.timeout <= MAX_DEADLINE_S:
        raise UserInputError(f"--timeout must be between 0 and {MAX_DEADLINE_S:.0f} seconds.")
    extra = tuple(parse_host_port(d, "--domain") for d in args.domain)
    ntp = tuple(NtpServer(h, p) if p else NtpServer(h)
                for h, p in (parse_host_port(s, "--ntp-server") for s in args.ntp_server))
    profile = _profile(args)
    report = run_checks(plan_for_profile(profile, extra_endpoints=extra, ntp_servers=ntp), deadline_s=args.timeout)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_table(report))
    return 1 if report.failed else 0


def format_table(report: NetcheckReport, width: int = 100) -> str:
    """The report as a table for people: status, check, what was seen, and the fix under each
    FAIL/WARN. Host names come from profiles or the command line and are printed as plain text."""
    title_w = min(44, max((len(r.title) for r in report.results), default=10))
    lines = [f"Network pre-flight for {report.profile_name} (profile {report.profile_id}), "
             f"{report.elapsed_ms / 1000:.1f} s of a {report.deadline_s:.0f} s deadline"]
    if report.generic:
        lines.append("The maker documents no cloud domains: 'generic' checks test the internet, not the maker's cloud.")
    lines.append("")
    indent = " " * (6 + title_w + 2)
    detail_w = max(30, width - len(indent))
    for r in report.results:
        detail = textwrap.wrap(r.detail, detail_w) or [""]
        lines.append(f"{r.status.value:<6}{r.title[:title_w]:<{title_w}}  {detail[0]}")
        lines += [indent + d for d in detail[1:]]
        if r.fix and r.status in (Status.FAIL, Status.WARN, Status.SKIP):
            fix = textwrap.wrap("fix: " + r.fix, detail_w)
            lines += [indent + f for f in fix]
    counts = ", ".join(f"{report.count(s)} {s.value.lower()}" for s in Status)
    lines += ["", f"Result: {'FAILED' if report.failed else 'OK'} ({counts})"]
    return "\n".join(lines)
