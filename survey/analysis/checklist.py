"""The network checklist (DESIGN "Field facts"): what the network around the charger needs,
with a status the installer ticks, pre-filled where the scans can tell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from survey.analysis.target import strongest_per_bssid
from survey.project.model import ChargerProfile, TargetNetwork
from survey.project.preflight import (
    CHECKLIST_DNS,
    CHECKLIST_EGRESS,
    CHECKLIST_LOCAL,
    CHECKLIST_NTP,
    NetcheckReport,
    Status,
    checklist_item,
)
from survey.project.profiles import allowlist
from survey.rf.channels import is_24ghz, observation_band

OK, ACTION, CHECK = (
    "ok",
    "action",
    "check",
)  # ok: scans show it is fine; action: scans show a problem; check: verify on site


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    title: str
    status: str  # ok | action | check
    detail: str
    from_scans: bool = False  # the status was decided by the scans, not left to the installer
    from_check: bool = False  # the status was decided by a stored `evsurvey check` run

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "from_scans": self.from_scans,
            "from_check": self.from_check,
        }


def build_checklist(
    observations, target: TargetNetwork | None, profile: ChargerProfile, preflight: NetcheckReport | None = None
) -> tuple[ChecklistItem, ...]:
    """The checklist; items the scans cannot tell are pre-filled from ``preflight``, the project's
    last stored network check, where it tested them."""
    return prefill_from_checks(_checklist(observations, target, profile), preflight)


def prefill_from_checks(
    items: tuple[ChecklistItem, ...], preflight: NetcheckReport | None
) -> tuple[ChecklistItem, ...]:
    """Items a stored check tested (``survey.project.preflight.checklist_item``): ACTION when one
    of its checks failed (with what was seen and the fix), OK when all passed, still 'check'
    with the evidence when one only warned. Skipped checks say nothing."""
    if preflight is None:
        return items
    by_code: dict[str, list] = {}
    for result in preflight.results:
        code = checklist_item(result)
        if code is not None and result.status is not Status.SKIP:
            by_code.setdefault(code, []).append(result)
    when = f"network check of {preflight.ran_at_text()}"
    out = []
    for item in items:
        results = by_code.get(item.code)
        if not results or item.from_scans:
            out.append(item)
            continue
        failed = [r for r in results if r.status is Status.FAIL]
        warned = [r for r in results if r.status is Status.WARN]
        if failed:
            more = f" (and {len(failed) - 1} more failed)" if len(failed) > 1 else ""
            status, detail = ACTION, f"{when}: {failed[0].title}: {failed[0].detail}{more} Fix: {failed[0].fix}"
        elif warned:
            status, detail = CHECK, f"{item.detail} Last {when}: {warned[0].title}: {warned[0].detail}"
        else:
            shown = ", ".join(r.title for r in results[:3]) + (" ..." if len(results) > 3 else "")
            status, detail = OK, f"{when}: {len(results)} check{'s' if len(results) > 1 else ''} passed ({shown})."
        out.append(replace(item, status=status, detail=detail.strip(), from_check=True))
    return tuple(out)


def _checklist(observations, target: TargetNetwork | None, profile: ChargerProfile) -> tuple[ChecklistItem, ...]:
    mine = [o for o in strongest_per_bssid(observations) if target is not None and target.matches(o)]
    mine_24 = [o for o in mine if is_24ghz(o)]
    heard = bool(mine)
    items: list[ChecklistItem] = []

    if not heard:
        items.append(
            ChecklistItem(
                "band_24ghz",
                "2.4 GHz SSID the charger can join",
                CHECK,
                "The target network was not heard; check it broadcasts on 2.4 GHz.",
            )
        )
    elif not mine_24:
        items.append(
            ChecklistItem(
                "band_24ghz",
                "2.4 GHz SSID the charger can join",
                ACTION,
                "Heard only on 5/6 GHz: turn on 2.4 GHz or add a 2.4 GHz IoT SSID.",
                True,
            )
        )
    elif any(observation_band(o) in ("5", "6") for o in mine):
        items.append(
            ChecklistItem(
                "band_24ghz",
                "Separate 2.4 GHz SSID or band steering off",
                ACTION,
                "The SSID is on 2.4 and 5/6 GHz under one name: band steering may push the "
                "charger to 5 GHz during setup.",
                True,
            )
        )
    else:
        items.append(
            ChecklistItem(
                "band_24ghz",
                "Separate 2.4 GHz SSID or band steering off",
                OK,
                "The target SSID is heard on 2.4 GHz only.",
                True,
            )
        )

    auth = {a for o in mine for a in o.auth}
    ciphers = {c for o in mine for c in o.ciphers}
    if not heard or not auth:
        items.append(
            ChecklistItem(
                "security_mode",
                "WPA2 or WPA2/WPA3 transition (no WEP, TKIP, open)",
                CHECK,
                "The scans do not show the security mode: check it in the router.",
            )
        )
    elif auth & {"OPEN", "WEP", "WPA-PSK"} or "TKIP" in ciphers:
        items.append(
            ChecklistItem(
                "security_mode",
                "WPA2 or WPA2/WPA3 transition (no WEP, TKIP, open)",
                ACTION,
                f"Heard: {', '.join(sorted(auth | ciphers))}. Set WPA2-PSK (AES) or transition mode.",
                True,
            )
        )
    elif "WPA3-SAE" in auth and "WPA2-PSK" not in auth:
        items.append(
            ChecklistItem(
                "security_mode",
                "WPA2 or WPA2/WPA3 transition (no WEP, TKIP, open)",
                ACTION,
                "WPA3-SAE only: older IoT chipsets fail setup. Use WPA2/WPA3 transition mode.",
                True,
            )
        )
    else:
        items.append(
            ChecklistItem(
                "security_mode",
                "WPA2 or WPA2/WPA3 transition (no WEP, TKIP, open)",
                OK,
                f"Heard: {', '.join(sorted(auth | ciphers))}.",
                True,
            )
        )

    wps = [o.wps for o in mine if o.wps is not None]
    if not wps:
        items.append(ChecklistItem("wps_off", "WPS off", CHECK, "The scanner does not report WPS: check the router."))
    elif any(wps):
        items.append(ChecklistItem("wps_off", "WPS off", ACTION, "WPS is advertised: turn it off in the router.", True))
    else:
        items.append(ChecklistItem("wps_off", "WPS off", OK, "No WPS advertised.", True))

    domains = (
        ", ".join(allowlist(profile))
        if allowlist(profile)
        else ("the maker documents none: read the charger's queries in the sinkhole's log and allow them")
    )
    ports = ", ".join(f"TCP {p}" if p != 123 else "UDP 123" for p in sorted(set(profile.ports) | {443, 8883}))
    items += [
        ChecklistItem(
            "iot_vlan",
            "Isolated IoT VLAN / SSID with outbound WAN only",
            CHECK,
            "Put the charger on an IoT network that can reach the internet but not the home LAN.",
        ),
        ChecklistItem(
            CHECKLIST_EGRESS,
            "Outbound ports open",
            CHECK,
            f"Allow {ports} outbound from the charger's network (443: HTTPS / OCPP over wss://; "
            "8883: MQTT over TLS). Run `evsurvey check` from that network.",
        ),
        ChecklistItem(
            CHECKLIST_DNS,
            "Maker's cloud domains allowed through DNS filtering",
            CHECK,
            f"Pi-hole / AdGuard Home allow-list: {domains}.",
        ),
        ChecklistItem(
            CHECKLIST_NTP,
            "NTP reachable (UDP 123)",
            CHECK,
            "TLS certificate checks fail on a drifted clock; allow NTP"
            + (f" to {', '.join(profile.ntp_servers)}." if profile.ntp_servers else "."),
        ),
        ChecklistItem(
            "idle_timeout",
            "Firewall idle timeout long enough for the OCPP WebSocket",
            CHECK,
            "The charger holds one wss:// connection open for hours; the firewall's TCP established "
            "timeout must exceed the charger's keep-alive interval (keep it at 1 h or more) or the "
            "app shows the charger offline between keep-alives.",
        ),
        ChecklistItem(
            CHECKLIST_LOCAL,
            "mDNS reflector or static IP reservation",
            CHECK,
            "For local polling (Home Assistant, REST, Modbus TCP) across VLANs: an mDNS reflector, "
            "or a DHCP reservation for the charger.",
        ),
    ]
    return tuple(items)
