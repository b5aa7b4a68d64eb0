"""pywifi, used where it works and corrected where it does not.

Linux: pywifi talks to wpa_supplicant's control socket (``/var/run/wpa_supplicant/<iface>``).
We use it to find interfaces (``PING``) and to trigger the scan (``SCAN``). Its own
``scan_results()`` reads the reply with a single 4096-byte ``recv`` on a datagram
socket, so a busy street (> ~50 BSSs) is silently truncated and the cut last line can
crash its parser; it also keeps SSIDs escaped and reports no WPS or BSS Load. So results
are read here over our own control-socket connection with a 256 KiB buffer:
``BSS RANGE=...`` entries (raw IEs parsed by :mod:`survey.scan.ies`, paged when a reply
is cut) and ``SCAN_RESULTS`` as the fallback.

Windows: pywifi calls WlanScan (a real fresh scan) and WlanGetNetworkBssList, but
reports the centre frequency in kHz (``ulChCenterFrequency``), writes BSSIDs with a
trailing ``:``, builds SSIDs with ``"%c" % byte`` (Latin-1 text of UTF-8 bytes), and
fills ``akm`` from the default *cipher* (2 = TKIP -> "WPA-PSK", 4 = CCMP -> "WPA2-PSK").
:func:`correct_windows_profile` undoes each of these.

macOS: pywifi raises NotImplementedError on import; use the corewlan backend.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
from contextlib import contextmanager

from survey.project.model import Observation, ScanResult
from survey.rf.channels import freq_in_mhz
from survey.scan.base import (
    DEFAULT_TIMEOUT_S,
    WINDOWS_LOCATION_MESSAGE,
    LocationPermissionDenied,
    ScanFailed,
    ScannerUnavailable,
    ScanTimeout,
)
from survey.scan.ies import parse_ies
from survey.scan.observations import build_observation
from survey.scan.parsers import wpa_cli as wpa_parser
from survey.scan.staleness import drop_unseen
from survey.scan.text import normalise_bssid, unescape_wpa

log = logging.getLogger(__name__)

DEFAULT_CTRL_DIR = "/var/run/wpa_supplicant"  # wpa_supplicant's usual ctrl_interface (and pywifi's)
#: Receive buffer for control-socket replies: far above wpa_supplicant's replies (its own
#: reply buffer is 4 KiB for most commands, larger for BSS ranges on recent versions).
RECV_BYTES = 256 * 1024
SCAN_WAIT_S = 4.0  # see survey.scan.backends.wpa_cli.SCAN_WAIT_S
#: winerror.h ERROR_ACCESS_DENIED: what WlanGetAvailableNetworkList and WlanGetNetworkBssList
#: return on Windows 11 24H2+ to a desktop app without Location consent (Microsoft Learn,
#: "Changes to API behavior for Wi-Fi access and location").
ERROR_ACCESS_DENIED = 5
# wpa_supplicant WPA_BSS_MASK_* bits (src/common/wpa_ctrl.h): ID, BSSID, FREQ,
# CAPABILITIES, LEVEL, AGE, IE, SSID, DELIM.
BSS_MASK = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 7) | (1 << 9) | (1 << 10) | (1 << 12) | (1 << 17)


def _import_pywifi():
    try:
        # pywifi calls logging.basicConfig() when imported; keep the root logger as it was.
        root = logging.getLogger()
        handlers = list(root.handlers)
        import pywifi  # noqa: F401

        root.handlers[:] = handlers
        return pywifi
    except NotImplementedError as exc:
        raise ScannerUnavailable(
            "pywifi does not support macOS (it raises NotImplementedError); use `--backend corewlan`."
        ) from exc
    except ImportError as exc:
        raise ScannerUnavailable(f"pywifi is not installed ({exc}). Reinstall evsurvey with its dependencies.") from exc


class WpaCtrl:
    """A minimal wpa_supplicant control-socket client (Unix datagram, our own bound address)."""

    def __init__(self, ctrl_path: str, timeout_s: float):
        self._dir = tempfile.mkdtemp(prefix="evsurvey-wpa-")
        self._local = os.path.join(self._dir, "ctrl")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout_s)
        try:
            self.sock.bind(self._local)
            self.sock.connect(ctrl_path)
        except PermissionError as exc:
            self.close()
            raise ScannerUnavailable(
                f"No permission to wpa_supplicant's control socket {ctrl_path}. Run as "
                f"root or add yourself to the group that owns it (often `netdev`)."
            ) from exc
        except OSError as exc:
            self.close()
            raise ScannerUnavailable(
                f"Cannot connect to wpa_supplicant at {ctrl_path} ({exc.strerror}). "
                f"Is wpa_supplicant running? On NetworkManager systems use --backend nmcli."
            ) from exc

    def request(self, cmd: str) -> str:
        try:
            self.sock.send(cmd.encode("ascii"))
            while True:
                reply = self.sock.recv(RECV_BYTES)
                if not reply.startswith(b"<"):  # "<3>CTRL-EVENT-..." are unsolicited events
                    return reply.decode("utf-8", errors="surrogateescape")
        except TimeoutError as exc:
            raise ScanTimeout(
                f"wpa_supplicant did not answer {cmd.split()[0]} in time. Retry in a few seconds."
            ) from exc

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


@contextmanager
def _socket_timeout(timeout_s: float):
    # pywifi's sockets have no timeout and block forever on a silent wpa_supplicant; the
    # default timeout is the only way to bound them. Restored right after.
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout_s)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


def parse_bss_entries(text: str) -> list[dict[str, str]]:
    """Entries of a ``BSS RANGE=... MASK=...`` reply (``key=value`` lines, ``====`` after each).

    An entry without its closing delimiter (a cut reply) is not returned.
    """
    entries: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    for line in text.split("\n"):
        if line == "====":
            if cur:
                entries.append(cur)
            cur = {}
            continue
        key, sep, value = line.partition("=")
        if sep:
            cur[key] = value
    return entries


def bss_entry_to_observation(entry: dict[str, str], now: float) -> Observation | None:
    bssid = normalise_bssid(entry.get("bssid", ""))
    if bssid is None:
        return None
    try:
        freq = float(entry.get("freq", "0"))
        level = float(entry.get("level", "0"))
    except ValueError:
        return None
    caps = int(entry.get("capabilities", "0x0"), 16) if entry.get("capabilities") else None
    ies_hex = entry.get("ie", "")
    try:
        ies = parse_ies(bytes.fromhex(ies_hex), privacy=None if caps is None else bool(caps & 0x10))
    except ValueError:
        ies = parse_ies(b"")
    ssid_raw = ies.ssid_raw if ies.ssid_raw is not None else unescape_wpa(entry.get("ssid", ""))
    age = entry.get("age")
    last_seen = now - float(age) if age and age.isdigit() else None
    return build_observation(
        bssid,
        ssid_raw=ssid_raw,
        rssi_dbm=level if level < 0 else None,
        signal_pct=level if level > 0 else None,
        freq_mhz=freq,
        auth=ies.auth or ("OPEN",),
        ciphers=ies.ciphers,
        wps=ies.wps,
        station_count=ies.station_count,
        channel_utilization_pct=ies.channel_utilization_pct,
        channel_width_mhz=ies.channel_width_mhz,
        last_seen=last_seen,
    )


def read_bss_table(ctrl: WpaCtrl, now: float, max_pages: int = 64) -> list[Observation] | None:
    """Every BSS via ``BSS RANGE=`` paging; None when wpa_supplicant does not support it."""
    out: list[Observation] = []
    start = 0
    for _ in range(max_pages):
        reply = ctrl.request(f"BSS RANGE={start}- MASK=0x{BSS_MASK:x}")
        if reply.startswith("FAIL") or reply.startswith("UNKNOWN"):
            return None if start == 0 else out
        entries = parse_bss_entries(reply)
        if not entries:
            return out
        last_id = start
        for e in entries:
            obs = bss_entry_to_observation(e, now)
            if obs is not None:
                out.append(obs)
            if e.get("id", "").isdigit():
                last_id = int(e["id"])
        start = last_id + 1  # ask again from the next id: covers a reply wpa_supplicant had to cut
    return out


class PywifiScanner:
    name = "pywifi"

    def __init__(self, interface: str | None = None, *, scan_wait_s: float = SCAN_WAIT_S, ctrl_dir: str | None = None):
        self.interface = interface
        self.scan_wait_s = scan_wait_s
        self.ctrl_dir = ctrl_dir or DEFAULT_CTRL_DIR

    def scan(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> ScanResult:
        if sys.platform.startswith("linux"):
            return self._scan_linux(timeout_s)
        if sys.platform.startswith("win"):
            return self._scan_windows(timeout_s)
        raise ScannerUnavailable("pywifi supports only Linux and Windows; on macOS use `--backend corewlan`.")

    # -- Linux ------------------------------------------------------------------------------
    def _check_ctrl_dir(self) -> list[str]:
        d = self.ctrl_dir
        if not os.path.isdir(d):
            raise ScannerUnavailable(
                f"{d} does not exist: wpa_supplicant is not running with a control interface. On NetworkManager "
                f"systems use `--backend nmcli`; otherwise start wpa_supplicant with `ctrl_interface={d}`."
            )
        try:
            names = sorted(os.listdir(d))
        except PermissionError as exc:
            raise ScannerUnavailable(
                f"No permission to read {d}. Run as root, or add yourself to the group that "
                f"owns it (often `netdev`) and log in again."
            ) from exc
        socks = [n for n in names if stat.S_ISSOCK(os.stat(os.path.join(d, n)).st_mode)]
        if not socks:
            raise ScannerUnavailable(
                f"{d} holds no wpa_supplicant control socket: no Wi-Fi interface is managed "
                f"by wpa_supplicant. Use `--backend nmcli` or `--backend iw`."
            )
        return socks

    def _scan_linux(self, timeout_s: float) -> ScanResult:
        started = time.time()
        self._check_ctrl_dir()
        pywifi = _import_pywifi()
        from pywifi import _wifiutil_linux as wifiutil

        saved_dir = wifiutil.CTRL_IFACE_DIR
        wifiutil.CTRL_IFACE_DIR = self.ctrl_dir  # pywifi has no parameter for this; it reads the global
        try:
            with _socket_timeout(min(5.0, timeout_s)):
                try:
                    ifaces = pywifi.PyWiFi().interfaces()
                except PermissionError as exc:
                    raise ScannerUnavailable(
                        f"No permission to talk to wpa_supplicant in {self.ctrl_dir}. Run as "
                        f"root or join the group that owns the sockets (often `netdev`)."
                    ) from exc
                except (TimeoutError, OSError) as exc:
                    raise ScanFailed(
                        f"wpa_supplicant did not answer pywifi's PING ({exc}). Restart it "
                        f"(`sudo systemctl restart wpa_supplicant`) or use --backend nmcli."
                    ) from exc
                if self.interface:
                    ifaces = [i for i in ifaces if i.name() == self.interface]
                if not ifaces:
                    raise ScannerUnavailable(
                        f"wpa_supplicant manages no interface named {self.interface}."
                        if self.interface
                        else "pywifi found no Wi-Fi interface."
                    )
                iface = ifaces[0]
                iface.scan()  # pywifi sends SCAN
        finally:
            wifiutil.CTRL_IFACE_DIR = saved_dir
        wait = min(self.scan_wait_s, max(0.0, timeout_s - (time.time() - started) - 1.0))
        if wait:
            time.sleep(wait)
        ctrl = WpaCtrl(os.path.join(self.ctrl_dir, iface.name()), max(1.0, timeout_s - (time.time() - started)))
        warnings: list[str] = []
        try:
            now = time.time()
            obs = read_bss_table(ctrl, now)
            if obs is None:
                reply = ctrl.request("SCAN_RESULTS")
                parsed = wpa_parser.parse(reply)
                obs = list(parsed.observations)
                warnings += parsed.warnings
                warnings.append(
                    "This wpa_supplicant does not answer BSS RANGE: WPS is known, but BSS Load "
                    "and channel width are not."
                )
        finally:
            ctrl.close()
        kept, dropped = drop_unseen(obs, started)
        if dropped:
            warnings.append(f"Dropped {dropped} access point(s) not heard since the scan started (cached).")
        return ScanResult(tuple(kept), started, time.time(), self.name, True, tuple(warnings))

    # -- Windows ----------------------------------------------------------------------------
    def _scan_windows(self, timeout_s: float) -> ScanResult:
        started = time.time()
        pywifi = _import_pywifi()
        try:
            ifaces = pywifi.PyWiFi().interfaces()
        except Exception as exc:  # comtypes/ctypes errors from the WLAN API
            raise ScannerUnavailable(
                f"The Windows WLAN API is not available ({exc}). Is the WLAN AutoConfig "
                f"service running? Try `--backend netsh`."
            ) from exc
        if self.interface:
            ifaces = [i for i in ifaces if i.name() == self.interface]
        if not ifaces:
            raise ScannerUnavailable("Windows reports no Wi-Fi interface. Turn Wi-Fi on and retry.")
        iface = ifaces[0]
        iface.scan()  # WlanScan: Windows completes a scan within 4 s (WlanScan documentation)
        time.sleep(min(self.scan_wait_s, max(0.0, timeout_s - 1.0)))
        obs = [o for o in (correct_windows_profile(p) for p in iface.scan_results()) if o is not None]
        if not obs and _wlan_network_list_status(iface) == ERROR_ACCESS_DENIED:
            raise LocationPermissionDenied(WINDOWS_LOCATION_MESSAGE)
        warnings = (
            [
                "pywifi on Windows does not report the authentication method reliably; auth is left "
                "empty. Run `evsurvey scan --backend netsh` to see it."
            ]
            if obs
            else []
        )
        return ScanResult(tuple(obs), started, time.time(), self.name, True, tuple(warnings))


def _wlan_network_list_status(iface) -> int:
    """The return code of WlanGetAvailableNetworkList for a pywifi Windows interface.

    pywifi calls it inside ``scan_results()`` but drops the code, so Windows refusing the
    list for lack of Location consent looks like an empty street; asked again here through
    pywifi's own ctypes binding and handle.
    """
    import ctypes

    from pywifi import _wifiutil_win as wlan

    util = iface._wifi_ctrl
    networks = ctypes.pointer(wlan.WLAN_AVAILABLE_NETWORK_LIST())
    status = int(
        util._wlan_get_available_network_list(
            util._handle, ctypes.byref(iface._raw_obj["guid"]), ctypes.byref(networks)
        )
    )
    if status == 0:
        wlan.native_wifi.WlanFreeMemory(networks)  # the list the call allocated
    return status


def correct_windows_profile(profile) -> Observation | None:
    """An Observation from a pywifi Windows ``Profile``, with pywifi's mistakes undone.

    * ``bssid`` ``"aa:bb:cc:dd:ee:ff:"`` -> trailing ``:`` dropped;
    * ``freq`` in kHz (``ulChCenterFrequency``) -> MHz;
    * ``ssid`` made of ``"%c" % byte`` -> the bytes back (Latin-1), then UTF-8 text;
    * ``akm`` holds the *cipher* (pywifi maps cipher 2/TKIP to AKM_TYPE_WPAPSK=2 and
      4/CCMP to AKM_TYPE_WPA2PSK=4): read back as ciphers, not as authentication.
    """
    bssid = normalise_bssid(str(getattr(profile, "bssid", "") or ""))
    if bssid is None:
        return None
    freq = getattr(profile, "freq", None)
    freq_mhz = freq_in_mhz(freq) if freq else None  # pywifi gives kHz
    ssid_text = getattr(profile, "ssid", "") or ""
    try:
        ssid_raw = ssid_text.encode("latin-1")
    except UnicodeEncodeError:
        ssid_raw = ssid_text.encode("utf-8")
    ciphers = []
    for akm in getattr(profile, "akm", []) or []:
        if akm == 2:
            ciphers.append("TKIP")
        elif akm == 4:
            ciphers.append("CCMP")
    signal = getattr(profile, "signal", None)
    return build_observation(
        bssid,
        ssid_raw=ssid_raw,
        rssi_dbm=float(signal) if signal is not None else None,
        freq_mhz=freq_mhz,
        ciphers=ciphers,
        wps=None,
    )


def availability() -> tuple[bool, str]:
    if sys.platform == "darwin":
        return False, "pywifi does not support macOS (it raises NotImplementedError on import); corewlan is used."
    if sys.platform.startswith("win"):
        try:
            _import_pywifi()
        except ScannerUnavailable as exc:
            return False, str(exc)
        return True, "pywifi uses the Windows WLAN API: triggers a fresh scan and reads real dBm."
    if sys.platform.startswith("linux"):
        try:
            socks = PywifiScanner()._check_ctrl_dir()
        except ScannerUnavailable as exc:
            return False, str(exc)
        return True, f"wpa_supplicant control socket(s) found: {', '.join(socks)}."
    return False, f"pywifi does not support {sys.platform}."
