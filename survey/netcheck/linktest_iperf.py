"""Optional throughput with iperf3, when the installer has an iperf3 server on the network
(``iperf3 -s`` on a laptop or NAS behind the router). A charger needs under 10 kbit/s, so
this is a side figure; the link test's loss and latency are what decide.

The ``iperf3`` program is run with ``--json`` and its report parsed: one run laptop to
server (``up``), one in reverse mode (``down``). Its own library bindings would need
libiperf at the same version; the program and its JSON are stable across releases.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable

from survey.netcheck.linktest import LinkTestError
from survey.project.link import ThroughputResult

#: iperf3's default server port (iperf3(1)).
IPERF3_PORT = 5201
DEFAULT_DURATION_S = 3
#: Connecting and iperf3's own start-up and end-of-test exchange, on top of the test time.
_OVERHEAD_S = 10.0


class ThroughputError(LinkTestError):
    """iperf3 is missing, could not reach its server, or reported nothing usable."""


def received_mbps(report_text: str, server: str) -> float:
    """Mbit/s that arrived at the receiving end, from ``iperf3 --json`` output."""
    try:
        report = json.loads(report_text)
    except ValueError:
        raise ThroughputError(f"iperf3 did not print a JSON report for {server}.") from None
    if not isinstance(report, dict):
        raise ThroughputError(f"iperf3 printed an unexpected report for {server}.")
    if report.get("error"):
        raise ThroughputError(f"iperf3 to {server}: {report['error']}. Start `iperf3 -s` there, or leave out --iperf3.")
    try:
        bits_per_second = float(report["end"]["sum_received"]["bits_per_second"])
    except (KeyError, TypeError, ValueError):
        raise ThroughputError(f"iperf3's report for {server} has no received total (end.sum_received).") from None
    return bits_per_second / 1e6


Run = Callable[..., subprocess.CompletedProcess]


def measure_throughput(
    server: str,
    port: int = IPERF3_PORT,
    *,
    duration_s: int = DEFAULT_DURATION_S,
    program: str = "iperf3",
    run: Run = subprocess.run,
) -> ThroughputResult:
    """Upload then download throughput to an iperf3 server, ``duration_s`` seconds each.
    Raises :class:`ThroughputError` with what to do when it cannot be measured."""
    executable = shutil.which(program)
    if executable is None:
        raise ThroughputError(
            "iperf3 is not installed, so throughput was not measured. Install it (Debian/Ubuntu: "
            "apt install iperf3, macOS: brew install iperf3) or leave out --iperf3."
        )
    label = f"{server}:{port}"
    started_at = time.time()
    rates = []
    for reverse in (False, True):
        argv = [executable, "--client", server, "--port", str(port), "--time", str(duration_s), "--json"]
        if reverse:
            argv.append("--reverse")
        timeout_s = duration_s + _OVERHEAD_S
        try:
            proc = run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise ThroughputError(f"iperf3 to {label} did not finish within {timeout_s:.0f} s.") from None
        except OSError as exc:
            raise ThroughputError(f"iperf3 could not be run ({exc.strerror or exc}).") from None
        rates.append(received_mbps(proc.stdout, label))
    return ThroughputResult(
        server=server, port=port, up_mbps=rates[0], down_mbps=rates[1], duration_s=duration_s, started_at=started_at
    )
