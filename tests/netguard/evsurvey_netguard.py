"""A socket guard for the test suite: nothing a test runs may send a packet off this machine.

Installed for the whole suite by ``tests/conftest.py`` and, through ``sitecustomize.py``
beside this file (put on ``PYTHONPATH`` by the conftest), in every Python subprocess a test
starts. Written here rather than taken from pytest-socket: its host allow-list guards only
``socket.connect``, and this suite also needs UDP ``sendto``, name resolution and multicast
joins guarded, and the guard carried into subprocesses.

What is refused, before the call reaches the kernel (so no packet is sent):
- ``connect``/``connect_ex``/``sendto``/``sendmsg`` to an IPv4/IPv6 address that is not
  loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104), or to a host name other than
  ``localhost`` / ``*.localhost`` (RFC 6761 section 6.3); the same for ``socket.create_connection``,
  ``http.client``, ``ssl`` and asyncio, which all go through these methods;
- resolving a name other than ``localhost`` through ``getaddrinfo``, ``gethostbyname(_ex)``,
  ``gethostbyaddr`` or ``getnameinfo`` (a DNS query would leave the machine); IP literals
  are parsed without a query and are allowed;
- joining a multicast group on an interface other than loopback (the kernel would send an
  IGMP / MLD report on the LAN);
- a raw frame sent on an ``AF_PACKET`` socket out of any interface but ``lo``.
Unix, netlink and other local families are allowed. Each refusal raises
:class:`NetworkGuardError` (a ``RuntimeError``, so code that turns ``OSError`` into a
verdict does not hide it) and is recorded, so a test that swallows the error still fails.

What it cannot see: sockets made by C/C++ code that does not go through Python's ``socket``
module (Qt's network classes, libcurl inside an extension, the C resolver called by such code),
a direct ``_socket.socket``, ``os.write`` on a socket's file descriptor, programs that are not
Python started as subprocesses (``curl``, ``ping``), and Python subprocesses started with an
environment that drops ``PYTHONPATH`` or with ``-I``/``-S``. A packet-level guarantee needs a
network namespace with only ``lo`` (e.g. ``unshare -rn``), which CI could add around pytest.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import socket
import struct
import threading

#: Set by the conftest; a subprocess with it installs the guard at start-up.
ENV_FLAG = "EVSURVEY_NETGUARD"
#: A file the guard in a subprocess appends its refusals to, so the test that started it fails.
ENV_LOG = "EVSURVEY_NETGUARD_LOG"

_LOCAL_NAMES = ("localhost", "localhost.", "")


class NetworkGuardError(RuntimeError):
    """A test tried to reach an address off this machine."""


@functools.lru_cache(maxsize=1024)  # checked on every socket call: the suite's servers reuse a few hosts
def is_loopback_host(host) -> bool:
    """True for a loopback IP literal, ``localhost``/``*.localhost`` or the empty (any) host."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%")[0].strip("[]").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost") or host.endswith(".localhost."):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@functools.lru_cache(maxsize=1024)
def _is_ip_literal(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).split("%")[0].strip("[]"))
    except ValueError:
        return False
    return True


class Guard:
    """The installed patches and the refusals seen since the last :meth:`take`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: list[str] = []
        self._originals: dict[tuple[object, str], object] = {}

    # -- recording ---------------------------------------------------------------------
    def refuse(self, what: str) -> None:
        message = f"{what} (pid {os.getpid()}, thread {threading.current_thread().name})"
        with self._lock:
            self._refused.append(message)
        log = os.environ.get(ENV_LOG)
        if log and os.getpid() != _INSTALLED_PID.get("pid"):
            with contextlib.suppress(OSError), open(log, "a", encoding="utf-8") as fh:
                fh.write(message + "\n")
        raise NetworkGuardError(
            f"network guard: {what}: tests may only reach loopback (127.0.0.1, ::1) "
            "and Unix sockets; start a server on 127.0.0.1 or inject a fake"
        )

    def take(self) -> list[str]:
        """The refusals recorded so far (in this process), clearing them."""
        with self._lock:
            taken, self._refused = self._refused, []
        return taken

    @contextlib.contextmanager
    def expect_refusals(self):
        """For tests of the guard itself: the refusals inside are handed to the caller (a list
        filled on exit) instead of failing the test."""
        caught: list[str] = []
        before = self.take()
        try:
            yield caught
        finally:
            caught.extend(self.take())
            with self._lock:
                self._refused[:0] = before

    # -- checks --------------------------------------------------------------------------
    def check_address(self, what: str, family, address) -> None:
        if not isinstance(address, tuple) or not address:
            return
        if family == getattr(socket, "AF_PACKET", None):  # a raw frame goes out of the interface named
            if address[0] != "lo":
                self.refuse(f"{what} of a raw frame on interface {address[0]}")
            return
        if family not in (socket.AF_INET, socket.AF_INET6):  # Unix, netlink, ...: local by nature
            return
        if not is_loopback_host(address[0]):
            self.refuse(f"{what} to {address[0]!s}:{address[1] if len(address) > 1 else '?'}")

    def check_name(self, what: str, host) -> None:
        if host is None or is_loopback_host(host) or _is_ip_literal(host):
            return
        self.refuse(f"{what}({host!r}) would send a DNS query")

    def check_membership(self, level, option, value) -> None:
        if not isinstance(value, (bytes, bytearray)):
            return
        if level == socket.IPPROTO_IP and option == socket.IP_ADD_MEMBERSHIP and len(value) >= 8:
            group, interface = socket.inet_ntoa(value[:4]), socket.inet_ntoa(value[4:8])
            if not ipaddress.ip_address(interface).is_loopback:
                self.refuse(
                    f"joining multicast group {group} on interface {interface} (an IGMP report would go out on the LAN)"
                )
        if level == socket.IPPROTO_IPV6 and option == getattr(socket, "IPV6_JOIN_GROUP", -1) and len(value) >= 20:
            (index,) = struct.unpack("@I", value[16:20])
            loopback = _loopback_index()
            if index != loopback:
                group = socket.inet_ntop(socket.AF_INET6, value[:16])
                self.refuse(
                    f"joining multicast group {group} on interface #{index} (an MLD report would go out on the LAN)"
                )

    # -- patching ------------------------------------------------------------------------
    def _patch(self, owner, name: str, make) -> None:
        original = getattr(owner, name)
        self._originals[(owner, name)] = original
        setattr(owner, name, make(original))

    def install(self) -> None:
        if self._originals:
            return
        guard = self

        def connect(original):
            def guarded_connect(sock, address, *rest):
                guard.check_address("connect", sock.family, address)
                return original(sock, address, *rest)

            return guarded_connect

        def sendto(original):
            def guarded_sendto(sock, data, *rest):
                guard.check_address("sendto", sock.family, rest[-1] if rest else None)
                return original(sock, data, *rest)

            return guarded_sendto

        def sendmsg(original):
            def guarded_sendmsg(sock, buffers, *rest):
                if len(rest) >= 3:
                    guard.check_address("sendmsg", sock.family, rest[2])
                return original(sock, buffers, *rest)

            return guarded_sendmsg

        def setsockopt(original):
            def guarded_setsockopt(sock, level, option, value, *rest):
                guard.check_membership(level, option, value)
                return original(sock, level, option, value, *rest)

            return guarded_setsockopt

        def resolver(what):
            def make(original):
                def guarded(host, *args, **kwargs):
                    guard.check_name(what, host)
                    return original(host, *args, **kwargs)

                return guarded

            return make

        def reverse(original):
            def guarded_gethostbyaddr(host):
                if not is_loopback_host(host):
                    guard.refuse(f"gethostbyaddr({host!r}) would send a DNS query")
                return original(host)

            return guarded_gethostbyaddr

        def nameinfo(original):
            def guarded_getnameinfo(sockaddr, flags):
                if not flags & socket.NI_NUMERICHOST and not is_loopback_host(sockaddr[0]):
                    guard.refuse(f"getnameinfo({sockaddr[0]!r}) would send a DNS query")
                return original(sockaddr, flags)

            return guarded_getnameinfo

        self._patch(socket.socket, "connect", connect)
        self._patch(socket.socket, "connect_ex", connect)
        self._patch(socket.socket, "sendto", sendto)
        if hasattr(socket.socket, "sendmsg"):
            self._patch(socket.socket, "sendmsg", sendmsg)
        self._patch(socket.socket, "setsockopt", setsockopt)
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
            self._patch(socket, name, resolver(name))
        self._patch(socket, "gethostbyaddr", reverse)
        self._patch(socket, "getnameinfo", nameinfo)

    def uninstall(self) -> None:
        for (owner, name), original in self._originals.items():
            setattr(owner, name, original)
        self._originals.clear()

    @property
    def installed(self) -> bool:
        return bool(self._originals)


def _loopback_index() -> int:
    try:
        return socket.if_nametoindex("lo")
    except OSError:
        return 1  # the loopback interface is index 1 on Linux


GUARD = Guard()
_INSTALLED_PID: dict[str, int] = {}


def install(*, main_process: bool) -> Guard:
    """Install the guard in this process. The test process keeps its refusals in memory; a
    subprocess also appends them to the file named by ``EVSURVEY_NETGUARD_LOG``."""
    if main_process:
        _INSTALLED_PID["pid"] = os.getpid()
    GUARD.install()
    return GUARD


def subprocess_refusals(log_path: str) -> list[str]:
    """Refusals written by guarded subprocesses since the last call, clearing the file."""
    try:
        with open(log_path, "r+", encoding="utf-8") as fh:
            lines = [line.rstrip("\n") for line in fh if line.strip()]
            fh.seek(0)
            fh.truncate()
    except FileNotFoundError:
        return []
    return lines
