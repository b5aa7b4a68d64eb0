"""``evsurvey check [--profile ID | --project FILE [--save]] [--domain HOST[:PORT]] [--ntp-server HOST[:PORT]]
[--charger-ip IP] [--portal-url URL] [--ssid NAME] [--timeout S] [--json]``: pre-flight checks of the
network path the charger needs and of the local network, run from a laptop on the charger's
SSID/VLAN. Exit 0 when nothing fails, 1 when a check fails, 2 for bad input."""

from __future__ import annotations

import argparse
import json
import textwrap

from survey.errors import UserInputError
from survey.netcheck.plan import DEFAULT_PORTAL_STATUS, DEFAULT_PORTAL_URL, NtpServer, PortalProbe
from survey.netcheck.project_checks import (  # linktest_command takes parse_host_port from here too
    build_plan,
    charger_ip_address,
    domain_key,
    kept_domains,
    parse_host_port,
)
from survey.netcheck.results import NetcheckReport, Status
from survey.netcheck.runner import DEFAULT_DEADLINE_S, run_checks
from survey.project.preflight import CHARGER_IP_SETTING, CHECK_DOMAINS_SETTING
from survey.project.profiles import get_profile, load_profiles

#: Longest deadline accepted: past this an installer is better served by fixing the network.
MAX_DEADLINE_S = 120.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="ID",
        help="charger profile id (default: the project's, else generic_iot); one of: "
        + ", ".join(p.id for p in load_profiles()),
    )
    parser.add_argument(
        "--project",
        metavar="FILE",
        help="a .evsurvey project: test its charger profile, the domains and charger IP kept in it",
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="with --project: store the results in the project, and keep this run's --domain hosts "
        "and --charger-ip for its later checks",
    )
    parser.add_argument(
        "--domain",
        metavar="HOST[:PORT]",
        action="append",
        default=[],
        help="also test this host (e.g. a name the charger looked up, from the DNS filter's log); "
        "without :PORT on the profile's TCP ports; repeatable",
    )
    parser.add_argument(
        "--forget-domain",
        metavar="HOST[:PORT]",
        action="append",
        default=[],
        help="with --project: stop testing a host kept in the project; repeatable",
    )
    parser.add_argument(
        "--ntp-server",
        metavar="HOST[:PORT]",
        action="append",
        default=[],
        help="NTP server to query instead of the profile's (e.g. the router); repeatable",
    )
    parser.add_argument(
        "--charger-ip",
        metavar="IP",
        help="the charger's address on the LAN: probe its Modbus TCP (502) and web API (80, 443) "
        "and look for it among the mDNS responders",
    )
    parser.add_argument(
        "--modbus-unit", metavar="N", type=int, default=1, help="Modbus unit id for the read of the charger (default 1)"
    )
    parser.add_argument(
        "--modbus-register",
        metavar="N",
        type=int,
        default=0,
        help="holding register (protocol address) to read (default 0)",
    )
    parser.add_argument(
        "--portal-url",
        metavar="URL",
        default=DEFAULT_PORTAL_URL,
        help=f"captive-portal probe: a plain http:// URL (default {DEFAULT_PORTAL_URL})",
    )
    parser.add_argument(
        "--portal-status",
        metavar="CODE",
        type=int,
        default=DEFAULT_PORTAL_STATUS,
        help=f"the HTTP status that URL answers without a portal (default {DEFAULT_PORTAL_STATUS})",
    )
    parser.add_argument(
        "--portal-body", metavar="TEXT", default="", help="the exact body it answers without a portal (default: empty)"
    )
    parser.add_argument("--ssid", metavar="NAME", help="the SSID this laptop is joined to, recorded with the results")
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=float,
        default=DEFAULT_DEADLINE_S,
        help=f"overall deadline in seconds (default {DEFAULT_DEADLINE_S:.0f})",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _project_settings(args) -> tuple[str | None, dict]:
    """The project's charger profile id and settings (empty without --project)."""
    if not args.project:
        if args.save or args.forget_domain:
            raise UserInputError("--save and --forget-domain need --project FILE: the project to keep them in.")
        return None, {}
    from survey.project.store import ProjectStore

    with ProjectStore.open(args.project, read_only=True) as store:
        project = store.load()
    return project.charger_profile_id, dict(project.settings)


def _profile(args, project_profile_id: str | None):
    if args.profile:
        ids = [p.id for p in load_profiles()]
        if args.profile not in ids:
            raise UserInputError(f"Unknown charger profile {args.profile!r}. Use one of: {', '.join(ids)}.")
        return get_profile(args.profile)
    return get_profile(project_profile_id)


def _kept_domains(settings: dict, forget: list[str]) -> list[str]:
    """The hosts kept in the project, less those ``--forget-domain`` names (an unknown name is an error)."""
    kept = kept_domains(settings)
    for text in forget:
        key = domain_key(text, "--forget-domain")
        if key not in {domain_key(d, "the project's checked domains") for d in kept}:
            raise UserInputError(
                f"--forget-domain {text!r}: the project keeps no such host (it keeps: {', '.join(kept) or 'none'})."
            )
        kept = [d for d in kept if domain_key(d, "the project's checked domains") != key]
    return kept


def run(args) -> int:
    if not 0 < args.timeout <= MAX_DEADLINE_S:
        raise UserInputError(f"--timeout must be between 0 and {MAX_DEADLINE_S:.0f} seconds.")
    if not 0 <= args.modbus_unit <= 255 or not 0 <= args.modbus_register <= 65535:
        raise UserInputError("--modbus-unit must be 0-255 and --modbus-register 0-65535.")
    try:
        portal = PortalProbe.from_url(args.portal_url, args.portal_status, args.portal_body.encode("utf-8"))
    except ValueError as exc:
        raise UserInputError(f"--portal-url {args.portal_url!r}: {exc}.") from None
    profile_id, settings = _project_settings(args)
    profile = _profile(args, profile_id)
    kept = _kept_domains(settings, args.forget_domain)
    given = list(dict.fromkeys(args.domain))
    domains = list(dict.fromkeys([*kept, *given]))
    ntp = tuple(
        NtpServer(h, p) if p else NtpServer(h) for h, p in (parse_host_port(s, "--ntp-server") for s in args.ntp_server)
    )
    charger_ip = charger_ip_address(args.charger_ip, "--charger-ip") or charger_ip_address(
        settings.get(CHARGER_IP_SETTING), "the project's charger IP"
    )
    plan = build_plan(
        profile,
        domains,
        charger_ip,
        ntp_servers=ntp,
        portal=portal,
        modbus_unit=args.modbus_unit,
        modbus_register=args.modbus_register,
    )
    report = run_checks(plan, deadline_s=args.timeout, ssid=args.ssid)
    try:
        saved, not_saved = _keep(args, report, kept, given, charger_ip), None
    except UserInputError as exc:  # e.g. a read-only project: the results are still shown, then the reason
        saved, not_saved = None, exc
    if args.json:
        print(json.dumps({**report.to_json(), "saved_to": saved}, ensure_ascii=False, indent=2))
    else:
        print(format_table(report) + (f"\nSaved in {saved}." if saved else ""))
    if not_saved is not None:
        raise not_saved
    return 1 if report.failed else 0


def _keep(args, report: NetcheckReport, kept: list[str], given: list[str], charger_ip: str | None) -> str | None:
    """Write what --save and --forget-domain ask for into the project; the path written, or None."""
    if not (args.save or args.forget_domain):
        return None
    from survey.project.store import ProjectStore

    domains = kept
    if args.save:
        keys = {domain_key(d, "--domain") for d in kept}
        domains = kept + [d for d in given if domain_key(d, "--domain") not in keys]
    with ProjectStore.open(args.project) as store:
        store.set_setting(CHECK_DOMAINS_SETTING, domains)
        if args.save:
            if charger_ip:
                store.set_setting(CHARGER_IP_SETTING, charger_ip)
            store.set_preflight(report)
    return str(args.project) if args.save else None


def format_table(report: NetcheckReport, width: int = 100) -> str:
    """The report as a table for people: status, check, what was seen, and the fix under each
    FAIL/WARN. Host names come from profiles or the command line and are printed as plain text."""
    title_w = min(44, max((len(r.title) for r in report.results), default=10))
    lines = [
        f"Network pre-flight for {report.profile_name} (profile {report.profile_id}), "
        f"{report.elapsed_ms / 1000:.1f} s of a {report.deadline_s:.0f} s deadline",
        "On " + report.network.text(),
    ]
    if report.generic:
        lines.append(
            "No host of the maker's cloud is known: 'generic' checks test the internet, not the maker's cloud."
        )
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
    lines += ["", f"Result: {'FAILED' if report.failed else 'OK'} ({report.summary_text()})"]
    return "\n".join(lines)
