"""A project's pre-flight checks as the window runs them (Qt-free), against local servers only:
the plan from the project's profile, kept hosts and charger IP; the installer's entries read
as `evsurvey check` reads them; progress per probe as each finishes; a cancel that ends the run
at once; the words of the progress and of the stored run."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest
from test_netcheck import _offline, plan, refused_port, sntp_responder, tcp_server  # noqa: F401 (autouse fixture)

from survey.errors import UserInputError
from survey.netcheck.plan import Endpoint, NtpServer
from survey.netcheck.project_checks import (
    CheckEnvironment,
    charger_ip_address,
    parse_domain_list,
    progress_text,
    project_plan,
    run_project_checks,
    summary_text,
)
from survey.netcheck.runner import CANCEL_POLL_S, ChecksCancelled, run_checks
from survey.project.model import Project
from survey.project.preflight import CHARGER_IP_SETTING, CHECK_DOMAINS_SETTING

ZAPTEC = Project(
    charger_profile_id="zaptec_pro",
    settings={CHECK_DOMAINS_SETTING: ["api.example-charger.com:8883"], CHARGER_IP_SETTING: "192.168.20.15"},
)


def test_the_installers_entries_are_read_as_the_command_line_reads_them():
    assert parse_domain_list(" a.example,B.example:8883  A.EXAMPLE\nc.example ") == [
        "a.example",
        "B.example:8883",
        "c.example",
    ]
    assert parse_domain_list("") == []
    with pytest.raises(UserInputError, match="Extra domain 'a.example:99999': the port must be a number"):
        parse_domain_list("a.example:99999")
    assert charger_ip_address(" 192.168.20.15 ", "Charger's IP") == "192.168.20.15"
    assert charger_ip_address("", "Charger's IP") is None
    with pytest.raises(UserInputError, match="give the charger's IP address"):
        charger_ip_address("wallbox.local", "Charger's IP")


def test_the_plan_is_the_projects_profile_with_its_kept_hosts_and_charger_ip():
    checks = project_plan(ZAPTEC, CheckEnvironment(ntp_servers=(NtpServer("127.0.0.1", 1230),), portal=None))
    assert checks.profile_id == "zaptec_pro" and "api.zaptec.com" in checks.domains
    assert Endpoint("api.example-charger.com", 8883, tls=True) in checks.endpoints
    assert checks.local_api.ip == "192.168.20.15" and checks.portal is None
    assert checks.ntp_servers == (NtpServer("127.0.0.1", 1230),)
    damaged = replace(ZAPTEC, settings={CHARGER_IP_SETTING: "not an address"})
    with pytest.raises(UserInputError, match="the project's charger IP"):
        project_plan(damaged, CheckEnvironment())


def test_progress_comes_per_probe_as_each_finishes():
    seen: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def record(done, total, label):
        with lock:
            seen.append((done, total, label))

    closed = refused_port()
    with tcp_server() as port, sntp_responder() as ntp_port:
        run_checks(
            plan(
                [Endpoint("127.0.0.1", port, tls=False), Endpoint("127.0.0.1", closed, tls=True)],
                ntp=[NtpServer("127.0.0.1", ntp_port)],
            ),
            deadline_s=3,
            on_progress=record,
        )
    assert seen[0] == (0, 3, "")
    assert [done for done, _total, _label in seen] == [0, 1, 2, 3]
    assert {label for _d, _t, label in seen[1:]} == {
        f"TCP 127.0.0.1:{port}",
        f"TLS 127.0.0.1:{closed}",
        f"NTP 127.0.0.1:{ntp_port}",
    }


def test_a_cancel_ends_the_run_at_once_without_results():
    release = threading.Event()

    def silent_dns(host):
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "released")

    def refuse(address, port, timeout_s):  # the charger's IP is not on this machine
        raise ConnectionRefusedError(111, "refused (test network)")

    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(ChecksCancelled, match="cancelled"):
        run_project_checks(
            ZAPTEC, CheckEnvironment(deadline_s=10, resolver=silent_dns, portal=None, dial=refuse), cancel=cancel
        )
    assert time.monotonic() - started < 0.3 + 10 * CANCEL_POLL_S
    release.set()


def test_the_words_of_the_progress_and_of_a_stored_run():
    assert progress_text(0, 12, "") == "0 of 12 checks done"
    assert progress_text(3, 12, "DNS api.zaptec.com") == "3 of 12 checks done (last: DNS api.zaptec.com)"
    with tcp_server() as port:
        report = run_checks(
            plan([Endpoint("127.0.0.1", port, tls=False)]),
            deadline_s=2,
            ssid="Garage-IoT",
            clock=lambda: 1_780_000_000.0,
        )
    assert summary_text(report) == (
        f"Checked {report.ran_at_text()} for the Test charger profile on SSID "
        "'Garage-IoT', laptop 192.0.2.23 in 192.0.2.0/24 via eth0, gateway 192.0.2.1: "
        f"{report.summary_text()}."
    )
