"""``evsurvey linktest``: output, exit codes, bad input, saving into a project, the idle test.
The default gateway is 127.0.0.1 (an injected route table); every server is on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakes.executables import only_path
from fakes.lossy_servers import Impairment, idle_dropping_server, udp_echo_server

from survey import cli
from survey.netcheck import probes
from survey.project.model import Observation, Project, Sample, ScanResult
from survey.project.store import ProjectStore

FIX = Path(__file__).parent / "fixtures" / "linktest"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    monkeypatch.setattr(probes, "ROUTE_TABLE", FIX / "route-loopback.txt")

    def no_dns(host):
        raise OSError(f"test resolver: {host} is not resolvable here")

    monkeypatch.setattr(probes, "system_resolve", no_dns)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["linktest", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_gateway_link_as_json(capsys):
    code, out, err = _run(capsys, "--count", "5", "--json")
    assert code == 0, err
    payload = json.loads(out)
    (gateway,) = payload["results"]
    assert (gateway["target"], gateway["address"], gateway["sent"], gateway["received"]) == (
        "gateway",
        "127.0.0.1",
        5,
        5,
    )
    assert payload["assessments"][0]["level"] == "GOOD" and payload["ok"] and payload["saved"] is None


def test_lossy_host_is_poor_and_exits_1(capsys):
    with udp_echo_server(Impairment(drop_share=0.4)) as port:
        code, out, err = _run(
            capsys, f"127.0.0.1:{port}", "--probe", "udp-echo", "--count", "10", "--gateway", "127.0.0.1"
        )
    assert code == 1
    assert f"POOR     127.0.0.1:{port} (127.0.0.1), UDP echo {port}: 40 % loss" in out
    assert out.startswith("Link test: 10 probes per target, 100 ms apart")
    assert "GOOD     gateway (127.0.0.1)" in out
    assert f"evsurvey: 127.0.0.1:{port}: POOR (40 % of probes lost" in err


def test_a_spot_without_a_sample_gets_a_link_only_sample(capsys, tmp_path):
    from survey.analysis.target import target_samples

    path = _project(tmp_path)

    def load():
        with ProjectStore.open(path, read_only=True) as store:
            return store.load()

    before = load().surveys[0]
    code, out, err = _run(capsys, "--count", "5", "--project", str(path), "--at", "5.5,4", "--json")
    assert code == 0, err
    assert json.loads(out)["saved"]["how"] == "as a new sample"
    survey = load().surveys[0]
    new = survey.samples[-1]
    assert len(survey.samples) == len(before.samples) + 1 and new.scans == () and new.link is not None
    # The signal maps leave it out: it carries no Wi-Fi scan.
    assert len(target_samples(survey, None)[0]) == len(target_samples(before, None)[0])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--count", "0"], "--count must be from 1"),
        (["--timeout", "500"], "--timeout must be between 0 and 120"),
        (["--count", "500"], "500 probes need a --timeout of at least"),
        (["127.0.0.1:80", "--probe", "icmp"], "ICMP echo has no port"),
        (["--probe", "udp-echo"], "name the host too"),
        (["--at", "1,2"], "add --project FILE"),
        (["--steps", "60"], "add --idle HOST:PORT"),
        (["--idle", "127.0.0.1"], "--idle needs HOST:PORT"),
        (["--idle", "127.0.0.1:80", "127.0.0.1"], "leave out HOST"),
        (["--idle", "127.0.0.1:80", "--steps", "60,30"], "must increase"),
        (["--idle", "127.0.0.1:80", "--steps", "a,b"], "give idle steps in seconds"),
        (["bad host"], "give a host name or IP address"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and message in err and out == ""


def test_no_gateway_and_no_host_exits_1(capsys, monkeypatch, tmp_path):
    table = tmp_path / "route"
    table.write_text((FIX / "route-loopback.txt").read_text().splitlines()[0] + "\n")
    monkeypatch.setattr(probes, "ROUTE_TABLE", table)
    code, out, err = _run(capsys, "--count", "3")
    assert code == 1 and "no default gateway" in err and "--gateway ADDRESS" in err


def test_missing_iperf3_keeps_the_link_figures(capsys, monkeypatch, tmp_path):
    only_path(monkeypatch, tmp_path / "bin")
    code, out, err = _run(capsys, "--count", "3", "--iperf3", "127.0.0.1", "--json")
    payload = json.loads(out)
    assert code == 1 and payload["throughput"] is None and payload["results"][0]["received"] == 3
    assert "iperf3 is not installed" in err


def _project(tmp_path) -> Path:
    path = tmp_path / "site.evsurvey"
    scan = ScanResult(
        (Observation(bssid="02:00:00:00:00:01", ssid="Home", rssi_dbm=-70.0, channel=6),), 1.0, 2.0, "fake"
    )
    with ProjectStore.create(path, Project()) as store:
        survey = store.add_survey("Before")
        store.add_sample(survey.id, Sample(x_m=3.0, y_m=4.0, taken_at=2.0, scans=(scan,)))
        store.add_sample(survey.id, Sample(x_m=8.0, y_m=4.0, taken_at=3.0, scans=(scan,)))
    return path


def test_result_is_attached_to_the_sample_at_the_spot(capsys, tmp_path):
    path = _project(tmp_path)
    code, out, err = _run(capsys, "--count", "5", "--project", str(path), "--survey", "before", "--at", "3.6,4.3")
    assert code == 0, err
    assert "Saved with the sample at (3.00 m, 4.00 m) in survey 'Before'" in out
    with ProjectStore.open(path, read_only=True) as store:
        near, far = store.load().surveys[0].samples
    assert near.link is not None and near.link.gateway.received == 5 and far.link is None


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--survey", "After", "--at", "3,4"], "no survey 'After' (surveys: 'Before')"),
        (["--at", "3;4"], "give the spot as X,Y in metres"),
    ],
)
def test_bad_spot_is_refused_before_measuring(capsys, tmp_path, argv, message):
    path = _project(tmp_path)
    code, out, err = _run(capsys, "--count", "5", "--project", str(path), *argv)
    assert code == 2 and message in err and out == ""
    with ProjectStore.open(path, read_only=True) as store:
        assert all(s.link is None for s in store.load().surveys[0].samples)


def test_idle_test_reports_the_limit(capsys):
    with idle_dropping_server(0.9, "rst") as port:
        code, out, err = _run(capsys, "--idle", f"127.0.0.1:{port}", "--steps", "0.3,0.6,1.2", "--json")
    result = json.loads(out)
    assert code == 1
    assert [s["outcome"] for s in result["steps"]] == ["kept", "kept", "reset"]
    assert 0.6 <= result["longest_kept_s"] < 0.9 <= result["first_lost_s"]


def test_idle_test_text_output(capsys):
    with idle_dropping_server(60.0) as port:
        code, out, err = _run(capsys, "--idle", f"127.0.0.1:{port}", "--steps", "0.2,0.4")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Idle test to 127.0.0.1:{port}: steps 0.2 s, 0.4 s (up to 0.4 s; Ctrl-C stops)"
    assert lines[1].startswith("  kept   kept after 0.2 s idle") and lines[-1].startswith(
        "Result: kept open after 0.4 s"
    )


def test_command_runs_from_the_shell_without_a_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "survey", "linktest", "--count", "0"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--count must be" in proc.stderr
