"""``evsurvey linktest``: link quality from where the laptop stands (the charger's spot).

    evsurvey linktest [HOST[:PORT]] [--probe KIND] [--gateway ADDRESS] [--count N] [--timeout S]
                      [--iperf3 HOST[:PORT]] [--project FILE [--survey NAME] --at X,Y] [--json]
    evsurvey linktest --idle HOST:PORT [--tls] [--steps 60,300,...] [--json]

Exit 0 when every link is GOOD or MARGINAL (the idle test: every step kept), 1 when a link is
POOR or could not be measured, no gateway was found, iperf3 failed, or the idle test saw a
connection dropped; 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
import threading
import time

from survey.errors import UserInputError
from survey.netcheck import linktest
from survey.netcheck.command import parse_host_port
from survey.netcheck.linktest_idle import (
    ANSWER_TIMEOUT_S,
    DEFAULT_STEPS_S,
    IdleStep,
    format_duration,
    run_idle_test,
    validate_steps,
)
from survey.netcheck.linktest_iperf import IPERF3_PORT, ThroughputError, measure_throughput
from survey.netcheck.linktest_verdict import POOR, UNKNOWN, assess_link, format_ms
from survey.project.link import LinkTest, LinkTestResult, ProbeKind
from survey.project.model import Sample, SampleMode, Survey

#: Longest deadline accepted, seconds (as `evsurvey check`).
MAX_DEADLINE_S = 120.0
MAX_COUNT = 1000
#: --at attaches to a sample this close (m): the installer clicked "about here" twice.
ATTACH_RADIUS_M = 1.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "host",
        nargs="?",
        metavar="HOST[:PORT]",
        help="also test this host (e.g. the charger maker's server); with :PORT by TCP connect there",
    )
    parser.add_argument(
        "--probe",
        choices=["auto"] + [k.value for k in ProbeKind],
        default="auto",
        help="how to probe HOST: auto (ICMP echo where permitted, else TCP connect), or "
        "udp-echo / tcp-echo to an echo service (port 7 unless given)",
    )
    parser.add_argument(
        "--gateway",
        metavar="ADDRESS",
        help="the gateway to test instead of the default route's (e.g. a mesh node's address)",
    )
    parser.add_argument(
        "--count",
        metavar="N",
        type=int,
        default=linktest.DEFAULT_COUNT,
        help=f"probes per target, {linktest.PROBE_INTERVAL_S * 1000:.0f} ms apart (default {linktest.DEFAULT_COUNT})",
    )
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=float,
        default=linktest.DEFAULT_DEADLINE_S,
        help=f"hard deadline of the whole test in seconds (default {linktest.DEFAULT_DEADLINE_S:.0f})",
    )
    parser.add_argument(
        "--iperf3",
        metavar="HOST[:PORT]",
        help=f"also measure throughput against an iperf3 server (port {IPERF3_PORT} unless given)",
    )
    parser.add_argument("--project", metavar="FILE", help="save the result into this .evsurvey project")
    parser.add_argument("--survey", metavar="NAME", help="survey of --project (default: its active survey)")
    parser.add_argument(
        "--at",
        metavar="X,Y",
        help="where the laptop stands, metres on the plan: the result is "
        f"attached to the sample within {ATTACH_RADIUS_M:g} m, "
        "else saved as a sample of its own",
    )
    parser.add_argument(
        "--idle",
        metavar="HOST:PORT",
        help="idle-timeout test instead: how long this network keeps a quiet connection to HOST:PORT",
    )
    parser.add_argument("--tls", action="store_true", help="with --idle: connect with TLS")
    parser.add_argument(
        "--steps",
        metavar="S,S,...",
        help="with --idle: idle steps in seconds (default " + ",".join(f"{s:.0f}" for s in DEFAULT_STEPS_S) + ")",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    if args.idle is not None:
        return _run_idle(args)
    if args.tls or args.steps is not None:
        raise UserInputError("--tls and --steps belong to the idle test: add --idle HOST:PORT.")
    return _run_link(args)


# --------------------------------------------------------------------------- link test


def parse_xy_m(text: str) -> tuple[float, float]:
    """``"3.2,4"`` -> (3.2, 4.0) metres."""
    parts = [p.strip() for p in text.split(",")]
    try:
        x_m, y_m = (float(p) for p in parts)
    except ValueError:
        raise UserInputError(f"--at {text!r}: give the spot as X,Y in metres on the plan, e.g. --at 3.2,4.5.") from None
    if not (math.isfinite(x_m) and math.isfinite(y_m)):
        raise UserInputError(f"--at {text!r}: the coordinates must be numbers.")
    return x_m, y_m


def nearest_sample(survey: Survey, xy_m: tuple[float, float], radius_m: float = ATTACH_RADIUS_M) -> Sample | None:
    """The survey's sample nearest to ``xy_m`` if it lies within ``radius_m`` metres."""
    best = min(survey.samples, key=lambda s: math.hypot(s.x_m - xy_m[0], s.y_m - xy_m[1]), default=None)
    if best is None or math.hypot(best.x_m - xy_m[0], best.y_m - xy_m[1]) > radius_m:
        return None
    return best


def _targets(args) -> list[linktest.Target]:
    if args.host is None:
        if args.probe != "auto":
            raise UserInputError(
                "--probe says how to probe HOST: name the host too, e.g. "
                "`evsurvey linktest 192.168.1.20:7 --probe udp-echo`."
            )
        return []
    host, port = parse_host_port(args.host, "HOST")
    probe = None if args.probe == "auto" else ProbeKind(args.probe)
    if probe is ProbeKind.ICMP_ECHO and port is not None:
        raise UserInputError("ICMP echo has no port: leave out :PORT, or use --probe tcp-connect.")
    if probe is ProbeKind.TCP_CONNECT and port is None:
        port = 443
    return [linktest.Target(name=args.host, host=host, probe=probe, port=port)]


def _check_numbers(args) -> None:
    if not 1 <= args.count <= MAX_COUNT:
        raise UserInputError(f"--count must be from 1 to {MAX_COUNT}.")
    if not 0 < args.timeout <= MAX_DEADLINE_S:
        raise UserInputError(f"--timeout must be between 0 and {MAX_DEADLINE_S:.0f} seconds.")
    needed = linktest.minimum_deadline_s(args.count)
    if args.timeout < needed:
        raise UserInputError(
            f"{args.count} probes need a --timeout of at least {needed:.0f} s; raise --timeout or lower --count."
        )


def _open_spot(args):
    """(store, survey, sample) for --project; checked before measuring so bad input costs nothing."""
    if args.project is None:
        if args.at is not None or args.survey is not None:
            raise UserInputError("--at and --survey say where to save in a project: add --project FILE.")
        return None
    if args.at is None:
        raise UserInputError("Say where the laptop stands with --at X,Y (metres on the plan) to save into a project.")
    xy_m = parse_xy_m(args.at)
    from survey.project.store import ProjectStore

    store = ProjectStore.open(args.project)
    try:
        project = store.load()
        survey = project.survey_named(args.survey) if args.survey else project.active_survey
        if survey is None:
            names = ", ".join(repr(s.name) for s in project.surveys) or "none yet"
            what = f"no survey {args.survey!r}" if args.survey else "no survey"
            raise UserInputError(
                f"{store.path.name} has {what} (surveys: {names}). Take samples in the app first, "
                "then attach the link test with --survey NAME --at X,Y."
            )
        sample = nearest_sample(survey, xy_m)
    except BaseException:
        store.close()
        raise
    return store, survey, sample, xy_m


def _run_link(args) -> int:
    _check_numbers(args)
    targets = _targets(args)
    iperf = parse_host_port(args.iperf3, "--iperf3") if args.iperf3 else None
    spot = _open_spot(args)
    try:
        problems: list[str] = []
        try:
            gateway = args.gateway or linktest.find_gateway()
            targets.insert(0, linktest.gateway_target(gateway))
        except linktest.LinkTestError as exc:
            if not targets:
                raise
            problems.append(str(exc))
        link = linktest.run_link_test(targets, count=args.count, deadline_s=args.timeout)
        throughput = None
        if iperf is not None:
            try:
                throughput = measure_throughput(iperf[0], iperf[1] or IPERF3_PORT)
            except ThroughputError as exc:
                problems.append(str(exc))
        link = LinkTest(results=link.results, throughput=throughput)
        for r in link.results:
            assessment = assess_link(r)
            if assessment.level in (POOR, UNKNOWN):
                problems.append(f"{r.target}: {assessment.level} ({' '.join(assessment.reasons)})")
        saved = None
        if spot is not None:
            store, survey, sample, xy_m = spot
            if sample is None:
                # No sample within reach: the link test becomes a sample of its own (no Wi-Fi
                # scan, so the signal maps leave it out; the link maps and the verdict use it).
                sample_id = store.add_sample(
                    survey.id,
                    Sample(x_m=xy_m[0], y_m=xy_m[1], taken_at=time.time(), scans=(), mode=SampleMode.POINT, link=link),
                )
                x_m, y_m, how = xy_m[0], xy_m[1], "as a new sample"
            else:
                store.set_sample_link(sample.id, link)
                sample_id, x_m, y_m, how = sample.id, sample.x_m, sample.y_m, "with the sample"
            saved = {
                "project": str(store.path),
                "survey": survey.name,
                "sample_id": sample_id,
                "x_m": x_m,
                "y_m": y_m,
                "how": how,
            }
    finally:
        if spot is not None:
            spot[0].close()
    if args.json:
        payload = {
            "ok": not problems,
            "count": args.count,
            "interval_ms": linktest.PROBE_INTERVAL_S * 1000,
            **link.to_json(),
            "assessments": [_assessment_json(r) for r in link.results],
            "problems": problems,
            "saved": saved,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(format_link_table(link, args.count))
        if saved is not None:
            print(
                f"\nSaved {saved['how']} at ({saved['x_m']:.2f} m, {saved['y_m']:.2f} m) in survey "
                f"{saved['survey']!r} of {saved['project']}."
            )
    for problem in problems:
        print(f"evsurvey: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _assessment_json(result: LinkTestResult) -> dict:
    a = assess_link(result)
    return {"target": result.target, "level": a.level, "words": a.words, "reasons": list(a.reasons)}


def format_link_table(link: LinkTest, count: int, width: int = 100) -> str:
    """The results for people: one block per target, the level and figures, what was tried."""
    lines = [f"Link test: {count} probes per target, {linktest.PROBE_INTERVAL_S * 1000:.0f} ms apart", ""]
    for r in link.results:
        a = assess_link(r)
        where = f"{r.target} ({r.address})" if r.address and r.address != r.target else r.target
        how = r.probe.label + (f" {r.port}" if r.port is not None else "")
        lines.append(f"{a.level:<9}{where}, {how}: {a.words}")
        if r.rtt_median_ms is not None:  # None exactly when no probe was answered
            jitter = "" if r.jitter_ms is None else f", jitter {format_ms(r.jitter_ms)}"
            lines.append(
                f"         {r.received} of {r.sent} answered, median {format_ms(r.rtt_median_ms)}{jitter}, "
                f"{r.duration_s:.1f} s"
            )
        notes = list(a.reasons)
        if len(r.tried) > 1 or not r.answered:
            notes.append("tried: " + "; ".join(r.tried))
        for note in notes:
            lines += textwrap.wrap(note, width, initial_indent=" " * 9, subsequent_indent=" " * 11)
    t = link.throughput
    if t is not None:
        lines += [
            "",
            f"Throughput (iperf3 to {t.server}:{t.port}, {t.duration_s:g} s each way): "
            f"up {t.up_mbps:.1f} Mbit/s, down {t.down_mbps:.1f} Mbit/s",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- idle test


def parse_steps_s(text: str) -> tuple[float, ...]:
    """``"60,300,900"`` -> (60.0, 300.0, 900.0) seconds, checked by :func:`validate_steps`."""
    try:
        steps = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UserInputError(f"--steps {text!r}: give idle steps in seconds, e.g. --steps 60,300,900.") from None
    return validate_steps(steps)


def _run_idle(args) -> int:
    given = [
        name
        for name, value in (
            ("HOST", args.host),
            ("--project", args.project),
            ("--iperf3", args.iperf3),
            ("--gateway", args.gateway),
            ("--at", args.at),
            ("--survey", args.survey),
        )
        if value is not None
    ]
    if given or args.probe != "auto":
        raise UserInputError(f"--idle runs the idle-timeout test alone; leave out {', '.join(given) or '--probe'}.")
    host, port = parse_host_port(args.idle, "--idle")
    if port is None:
        raise UserInputError("--idle needs HOST:PORT, e.g. --idle api.example.com:443 --tls.")
    steps = parse_steps_s(args.steps) if args.steps is not None else DEFAULT_STEPS_S
    if not args.json:
        print(
            f"Idle test to {args.idle}{' over TLS' if args.tls else ''}: steps "
            + ", ".join(format_duration(s) for s in steps)
            + f" (up to {format_duration(steps[-1])}; Ctrl-C stops)",
            flush=True,
        )

    def progress(step: IdleStep) -> None:
        if not args.json:
            print(f"  {step.outcome.value:<7}{step.detail}", flush=True)

    # On a worker thread, so Ctrl-C cancels the test and the steps done so far are still shown.
    cancel = threading.Event()
    outcome: list = []

    def work() -> None:
        try:
            outcome.append(run_idle_test(host, port, steps_s=steps, tls=args.tls, cancel=cancel, on_step=progress))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name="linktest-idle", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        cancel.set()
        worker.join(ANSWER_TIMEOUT_S + 1.0)
    if not outcome:
        raise KeyboardInterrupt
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    result = outcome[0]
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"Result: {result.summary}.")
    if result.cancelled:
        return 130
    return 0 if result.first_lost is None else 1
