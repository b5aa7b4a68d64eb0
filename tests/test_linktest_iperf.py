"""Optional throughput: iperf3's JSON report parsed, every way it can fail said plainly; a
real iperf3 server on 127.0.0.1 when the program is installed."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time

import pytest
from fakes.executables import Behaviour, calls, install, only_path

from survey.netcheck.linktest_iperf import ThroughputError, measure_throughput, received_mbps


def _report(bits_per_second: float) -> bytes:
    return json.dumps(
        {
            "start": {},
            "intervals": [],
            "end": {
                "sum_sent": {"bits_per_second": bits_per_second * 1.01},
                "sum_received": {"bits_per_second": bits_per_second},
            },
        }
    ).encode()


def test_up_and_down_from_the_reports(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    install(
        bin_dir,
        "iperf3",
        [("--reverse", Behaviour(stdout=_report(48.5e6))), ("--client", Behaviour(stdout=_report(93.2e6)))],
    )
    only_path(monkeypatch, bin_dir)
    t = measure_throughput("127.0.0.1", 5299, duration_s=2)
    assert (t.up_mbps, t.down_mbps, t.port, t.duration_s) == (pytest.approx(93.2), pytest.approx(48.5), 5299, 2)
    assert calls(bin_dir, "iperf3") == [
        "--client 127.0.0.1 --port 5299 --time 2 --json",
        "--client 127.0.0.1 --port 5299 --time 2 --json --reverse",
    ]


@pytest.mark.parametrize(
    "stdout, message",
    [
        (
            json.dumps({"start": {}, "end": {}, "error": "unable to connect to server: Connection refused"}).encode(),
            "unable to connect to server: Connection refused. Start `iperf3 -s` there",
        ),
        (b"iperf3: error - unable to connect", "did not print a JSON report"),
        (json.dumps({"end": {"sum_sent": {}}}).encode(), "no received total"),
    ],
)
def test_iperf3_failures_are_plain_messages(tmp_path, monkeypatch, stdout, message):
    bin_dir = tmp_path / "bin"
    install(bin_dir, "iperf3", [("--client", Behaviour(stdout=stdout, exit_code=1))])
    only_path(monkeypatch, bin_dir)
    with pytest.raises(ThroughputError, match=re.escape(message)):
        measure_throughput("127.0.0.1", 5299, duration_s=1)


def test_missing_iperf3_says_how_to_get_it(tmp_path, monkeypatch):
    only_path(monkeypatch, tmp_path / "empty")
    with pytest.raises(ThroughputError, match="iperf3 is not installed.*leave out --iperf3"):
        measure_throughput("127.0.0.1")


def test_a_hanging_iperf3_ends_at_its_timeout(tmp_path, monkeypatch):
    def hang(argv, **kw):
        raise subprocess.TimeoutExpired(argv, kw["timeout"])

    bin_dir = tmp_path / "bin"
    install(bin_dir, "iperf3", [])
    only_path(monkeypatch, bin_dir)
    with pytest.raises(ThroughputError, match="did not finish within 11 s"):
        measure_throughput("127.0.0.1", duration_s=1, run=hang)


def test_report_parsing_reads_the_received_total():
    assert received_mbps(_report(10e6).decode(), "x") == pytest.approx(10.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_iperf3_on_loopback():
    program = shutil.which("iperf3")
    if program is None:
        pytest.skip("iperf3 is not installed (Debian: apt install iperf3); parsing is tested with a fake")
    port = _free_port()
    server = subprocess.Popen(
        [program, "--server", "--bind", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.2)  # let the server forget the readiness probe before the first test
        t = measure_throughput("127.0.0.1", port, duration_s=1)
    finally:
        server.kill()
        server.wait(5)
    assert t.up_mbps > 10 and t.down_mbps > 10  # loopback moves gigabits; 10 Mbit/s only proves it ran
