"""A fake wpa_supplicant control interface: a Unix datagram server thread in a tmp dir.

Answers PING, SCAN, SCAN_RESULTS and ``BSS RANGE=N-[M] MASK=...`` like wpa_supplicant
(``printf_encode``-escaped SSIDs, ``====`` after each BSS entry with the DELIM mask bit).
Replies are sent as one datagram each, so a big scan gives a reply over 4096 bytes.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass, field

from survey.scan.text import escape_wpa


@dataclass
class FakeBss:
    bssid: str
    freq: int
    level: int
    flags: str
    ssid_raw: bytes
    ies: bytes = b""
    age_s: int = 0
    capabilities: int = 0x0411


@dataclass
class FakeWpaSupplicant:
    ctrl_dir: str
    iface: str
    bsss: list[FakeBss]
    scan_reply: str = "OK\n"
    support_bss: bool = True
    commands: list[str] = field(default_factory=list)
    reply_sizes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        os.makedirs(self.ctrl_dir, exist_ok=True)
        self.path = os.path.join(self.ctrl_dir, self.iface)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(2)
        self.sock.close()

    def scan_results_text(self) -> str:
        lines = ["bssid / frequency / signal level / flags / ssid"]
        for b in self.bsss:
            lines.append(f"{b.bssid}\t{b.freq}\t{b.level}\t{b.flags}\t{escape_wpa(b.ssid_raw)}")
        return "\n".join(lines) + "\n"

    def bss_range_text(self, first: int, last: int | None) -> str:
        out = []
        for i, b in enumerate(self.bsss):
            if i < first or (last is not None and i > last):
                continue
            out.append(
                f"id={i}\nbssid={b.bssid}\nfreq={b.freq}\ncapabilities=0x{b.capabilities:04x}\n"
                f"level={b.level}\nage={b.age_s}\nie={b.ies.hex()}\nssid={escape_wpa(b.ssid_raw)}\n====\n"
            )
        return "".join(out)

    def _answer(self, cmd: str) -> str:
        if cmd == "PING":
            return "PONG\n"
        if cmd == "SCAN":
            return self.scan_reply
        if cmd == "SCAN_RESULTS":
            return self.scan_results_text()
        m = re.match(r"BSS RANGE=(\d+)-(\d*)", cmd)
        if m and self.support_bss:
            return self.bss_range_text(int(m.group(1)), int(m.group(2)) if m.group(2) else None)
        return "UNKNOWN COMMAND\n"

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            cmd = data.decode()
            self.commands.append(cmd)
            reply = self._answer(cmd).encode()
            self.reply_sizes[cmd.split()[0]] = max(len(reply), self.reply_sizes.get(cmd.split()[0], 0))
            try:
                self.sock.sendto(reply, addr)
            except OSError:
                pass
