"""The network guard of the suite (tests/conftest.py, tests/netguard/): installed for every
test without asking, it refuses a connection to a documentation address before any packet is
sent, and catches UDP, name lookups, multicast joins, threads and Python subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import evsurvey_netguard
import pytest
from evsurvey_netguard import NetworkGuardError

#: RFC 5737 / RFC 3849 documentation addresses: no host answers there.
DOC_V4, DOC_V6 = "192.0.2.1", "2001:db8::1"


def _unsent(sock: socket.socket) -> bool:
    """True when the kernel never gave ``sock`` a local port: a connect or sendto that reached the
    kernel binds an ephemeral port first, so port 0 means no SYN / datagram left."""
    return sock.getsockname()[1] == 0


def test_the_guard_is_on_in_the_default_suite_without_asking():
    assert evsurvey_netguard.GUARD.installed
    assert socket.socket.connect.__name__ == "guarded_connect"
    assert socket.getaddrinfo.__name__ == "guarded"


def test_a_connect_to_a_documentation_address_is_refused_without_any_packet(_network_guard):
    with _network_guard.expect_refusals() as refused, socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        with pytest.raises(NetworkGuardError, match="192.0.2.1:443"):
            sock.connect((DOC_V4, 443))
        assert _unsent(sock)
        assert sock.connect_ex.__name__ == "guarded_connect"
    assert refused and "connect to 192.0.2.1:443" in refused[0]


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 in this Python")
def test_ipv6_connect_and_create_connection_are_refused(_network_guard):
    with _network_guard.expect_refusals() as refused:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            with pytest.raises(NetworkGuardError):
                sock.connect((DOC_V6, 443, 0, 0))
            assert _unsent(sock)
        with pytest.raises(NetworkGuardError):
            socket.create_connection((DOC_V4, 8883), timeout=1)
    assert len(refused) == 2


def test_udp_sendto_and_sendmsg_off_the_machine_are_refused(_network_guard):
    with _network_guard.expect_refusals() as refused, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(NetworkGuardError, match="sendto to 192.0.2.1:123"):
            sock.sendto(b"x" * 48, (DOC_V4, 123))
        with pytest.raises(NetworkGuardError, match="sendto to 224.0.0.251:5353"):
            sock.sendto(b"q", ("224.0.0.251", 5353))  # mDNS multicast goes out on the LAN
        with pytest.raises(NetworkGuardError, match="sendmsg"):
            sock.sendmsg([b"x"], [], 0, (DOC_V4, 53))
        assert _unsent(sock)
    assert len(refused) == 3


def test_name_resolution_of_non_local_names_is_refused(_network_guard):
    with _network_guard.expect_refusals() as refused:
        for lookup in (
            lambda: socket.getaddrinfo("example.com", 443),
            lambda: socket.gethostbyname("example.org"),
            lambda: socket.gethostbyname_ex("example.net"),
            lambda: socket.gethostbyaddr(DOC_V4),
            lambda: socket.getnameinfo((DOC_V4, 80), 0),
        ):
            with pytest.raises(NetworkGuardError, match="DNS query"):
                lookup()
    assert len(refused) == 5
    # Local names and IP literals need no query.
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo(DOC_V4, 80, type=socket.SOCK_STREAM)[0][4][0] == DOC_V4
    assert socket.getnameinfo((DOC_V4, 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == (DOC_V4, "80")


def test_a_refusal_swallowed_in_a_thread_is_still_recorded(_network_guard):
    """Code under test that turns every error into a verdict (as netcheck does) cannot hide it."""

    def careless():
        try:
            socket.create_connection((DOC_V4, 443), timeout=1)
        except Exception:  # noqa: BLE001 - what the code under test might do
            pass

    with _network_guard.expect_refusals() as refused:
        thread = threading.Thread(target=careless, name="careless-worker")
        thread.start()
        thread.join(5)
    assert len(refused) == 1 and "careless-worker" in refused[0]


def test_multicast_join_on_a_lan_interface_is_refused_and_on_loopback_allowed(_network_guard):
    group = socket.inet_aton("224.0.0.251")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with _network_guard.expect_refusals() as refused:
            with pytest.raises(NetworkGuardError, match="IGMP"):
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group + socket.inet_aton("0.0.0.0"))
        assert len(refused) == 1
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group + socket.inet_aton("127.0.0.1"))
        except OSError as exc:  # some kernels have no multicast on lo; the guard let it through all the same
            assert exc.errno is not None


def test_loopback_and_unix_sockets_are_allowed(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"x", ("127.0.0.1", 9))  # nothing listens: the datagram stays on lo
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


def test_a_python_subprocess_of_a_test_is_guarded_too(_network_guard):
    code = (
        "import socket\n"
        "s = socket.socket()\n"
        "try:\n"
        "    s.connect(('192.0.2.1', 443))\n"
        "except RuntimeError as exc:\n"
        "    print(type(exc).__name__, s.getsockname()[1])\n"
    )
    with _network_guard.expect_refusals() as refused:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        refused += evsurvey_netguard.subprocess_refusals(os.environ[evsurvey_netguard.ENV_LOG])
    assert done.stdout.split() == ["NetworkGuardError", "0"], done.stderr
    assert len(refused) == 1 and "connect to 192.0.2.1:443" in refused[0]


@pytest.mark.skipif(not hasattr(socket, "AF_PACKET"), reason="raw packet sockets are Linux's")
def test_a_raw_frame_out_of_a_lan_interface_is_refused(_network_guard):
    try:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    except PermissionError:
        pytest.skip("raw packet sockets need CAP_NET_RAW")
    with sock, _network_guard.expect_refusals() as refused:
        with pytest.raises(NetworkGuardError, match="raw frame on interface eth0"):
            sock.sendto(b"\xff" * 60, ("eth0", 0))
    assert len(refused) == 1
