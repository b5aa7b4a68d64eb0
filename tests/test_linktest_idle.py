"""The idle-timeout test against a loopback server that forgets connections left quiet for
more than a set time (silently, with RST, or with FIN). Steps are fractions of a second so
the tests run in seconds; the found limit must lie between the last step kept and the first
step lost, i.e. the server's limit within one step."""

from __future__ import annotations

import ssl
import threading
import time
from pathlib import Path

import pytest
from fakes.lossy_servers import idle_dropping_server, silent_tcp_port

from survey.errors import UserInputError
from survey.netcheck.linktest_idle import IdleOutcome, IdleTestError, run_idle_test, validate_steps

CERTS = Path(__file__).parent / "fixtures" / "netcheck"
STEPS_S = (0.3, 0.6, 1.2, 2.4)
LIMIT_S = 0.9  # between the 0.6 s and 1.2 s steps


@pytest.mark.parametrize(
    "mode, outcome", [("silent", IdleOutcome.SILENT), ("rst", IdleOutcome.RESET), ("fin", IdleOutcome.CLOSED)]
)
def test_idle_limit_matches_the_server(mode, outcome):
    heard = []
    with idle_dropping_server(LIMIT_S, mode) as port:
        started = time.monotonic()
        result = run_idle_test("127.0.0.1", port, steps_s=STEPS_S, answer_timeout_s=0.4, on_step=heard.append)
        elapsed = time.monotonic() - started
    assert [s.outcome for s in result.steps] == [IdleOutcome.KEPT, IdleOutcome.KEPT, outcome]
    assert 0.6 <= result.longest_kept_s < LIMIT_S <= result.first_lost.idle_s < 1.2 + 0.4
    assert heard == list(result.steps)
    assert not result.cancelled
    # The 2.4 s step is not waited for once the 1.2 s one was lost.
    assert elapsed < 1.2 + 0.4 + 0.4 + 0.5
    assert (
        "dropped silently" if mode == "silent" else "reset (RST)" if mode == "rst" else "closed (FIN)"
    ) in result.summary


def test_every_step_kept_when_the_server_keeps_connections():
    with idle_dropping_server(60.0) as port:
        result = run_idle_test("127.0.0.1", port, steps_s=(0.2, 0.4), answer_timeout_s=0.4)
    assert [s.outcome for s in result.steps] == [IdleOutcome.KEPT] * 2
    assert result.first_lost is None and result.summary.endswith("every step up to 0.4 s passed")
    assert result.to_json()["first_lost_s"] is None


def test_cancel_stops_a_background_run_with_the_steps_so_far():
    cancel = threading.Event()
    box = []
    with idle_dropping_server(60.0) as port:
        worker = threading.Thread(
            target=lambda: box.append(
                run_idle_test("127.0.0.1", port, steps_s=(0.2, 30.0, 60.0), answer_timeout_s=0.4, cancel=cancel)
            )
        )
        worker.start()
        time.sleep(0.6)
        started = time.monotonic()
        cancel.set()
        worker.join(2.0)
    assert not worker.is_alive() and time.monotonic() - started < 0.5
    (result,) = box
    assert result.cancelled and [s.planned_s for s in result.steps] == [0.2]
    assert "cancelled before the 60 s step" in result.summary


def test_an_endpoint_that_does_not_answer_the_probe_is_refused_at_once():
    with idle_dropping_server(0.0, "silent") as port:  # forgets every connection at once: never answers
        with pytest.raises(IdleTestError, match="does not answer a probe right after connecting"):
            run_idle_test("127.0.0.1", port, steps_s=(0.2,), answer_timeout_s=0.3)


def test_an_unreachable_endpoint_is_a_plain_error():
    with silent_tcp_port() as port:
        with pytest.raises(IdleTestError, match="cannot be reached"):
            run_idle_test("127.0.0.1", port, steps_s=(0.2,), connect_timeout_s=0.3)


def test_over_tls(tmp_path):
    import socket

    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(CERTS / "localhost-cert.pem", CERTS / "localhost-key.pem")
    client_ctx = ssl.create_default_context(cafile=str(CERTS / "localhost-cert.pem"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    stopped = threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stopped.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_answer_lines, args=(server_ctx, raw, stopped), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        result = run_idle_test(
            "localhost",
            port,
            steps_s=(0.2, 0.4),
            tls=True,
            tls_context=client_ctx,
            answer_timeout_s=0.5,
            resolver=lambda host: ["127.0.0.1"],
        )
    finally:
        stopped.set()
        listener.close()
    assert result.tls and [s.outcome for s in result.steps] == [IdleOutcome.KEPT] * 2


def _answer_lines(ctx, raw, stopped):
    try:
        with ctx.wrap_socket(raw, server_side=True) as tls:
            tls.settimeout(0.1)
            while not stopped.is_set():
                try:
                    data = tls.recv(4096)
                except (TimeoutError, ssl.SSLWantReadError):
                    continue
                if not data:
                    return
                tls.sendall(b"ok\n")
    except (OSError, ssl.SSLError):
        pass


@pytest.mark.parametrize(
    "steps, message",
    [((), "at least one"), ((60, 30), "increase"), ((0, 5), "more than 0"), ((60, 7200), "at most 3600")],
)
def test_bad_steps_are_refused(steps, message):
    with pytest.raises(UserInputError, match=message):
        validate_steps(steps)


def test_tls_to_a_plain_server_is_a_plain_error():
    with idle_dropping_server(60.0) as port:
        with pytest.raises(IdleTestError, match="TLS to 127.0.0.1:.* failed"):
            run_idle_test("127.0.0.1", port, steps_s=(0.2,), tls=True, answer_timeout_s=0.3)
