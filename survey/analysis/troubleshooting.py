"""The troubleshooting matrix a survey hands over, and what this site's survey found for each
row: the stored network checks filed under it, the verdict for drops, the security findings
for setup."""

from __future__ import annotations

from dataclasses import dataclass

from survey.analysis.findings import Finding
from survey.analysis.verdict import Verdict
from survey.project.preflight import (
    STATUS_WORDS,
    TROUBLE_DROPS,
    TROUBLE_LOCAL_API,
    TROUBLE_OFFLINE,
    TROUBLE_SETUP_99,
    NetcheckReport,
    Status,
    troubleshooting_row,
)
from survey.project.units import format_dbm


@dataclass(frozen=True)
class TroubleRow:
    """One row of the matrix: the key the network checks file their evidence by
    (survey.project.preflight), the symptom the customer sees, its likely cause, the fix."""

    key: str
    symptom: str
    cause: str
    fix: str


#: DESIGN.md "Field facts": the troubleshooting matrix, each row under the key the network
#: checks file their evidence by (survey.project.preflight).
TROUBLESHOOTING = (
    TroubleRow(
        TROUBLE_OFFLINE,
        "Charger shows offline in the app",
        "A DNS sinkhole (Pi-hole, AdGuard Home) blocks the maker's cloud domains, or outbound TCP 443 / 8883 "
        "is blocked.",
        "Allow the maker's domains in the DNS filter; open TCP 443 and 8883 outbound from the charger's "
        "network; run `evsurvey check` from that network.",
    ),
    TroubleRow(
        TROUBLE_DROPS,
        "Charging sessions drop intermittently",
        "Signal at the charger below -75 dBm: packets are lost, the WebSocket times out.",
        "Bring the signal at the charger to -65 dBm or better: the recommendation in this report.",
    ),
    TroubleRow(
        TROUBLE_LOCAL_API,
        "Local API polling fails (Home Assistant, REST, Modbus TCP)",
        "mDNS does not cross VLANs, so the charger's name does not resolve from the home network.",
        "Add an mDNS reflector between the VLANs, or give the charger a DHCP reservation and poll its IP.",
    ),
    TroubleRow(
        TROUBLE_SETUP_99,
        "App setup fails at 99 %",
        "The network is WPA3-SAE only and the charger's older chipset cannot do SAE.",
        "Switch the network to WPA2/WPA3 transition mode (or a WPA2 IoT SSID), then repeat the setup.",
    ),
)


def status_word(status: Status) -> str:
    """A stored check's result in one word (the window's and the CLI's word too)."""
    return STATUS_WORDS.get(status, str(status))


def symptom_of(key: str | None) -> str:
    """The symptom of the matrix row ``key`` ("–" when a check backs no row)."""
    return next((row.symptom for row in TROUBLESHOOTING if row.key == key), "–")


def evidence(key: str, verdict: Verdict, findings: tuple[Finding, ...], preflight: NetcheckReport | None) -> str:
    """What this survey found for the matrix row ``key``: the ``verdict`` at the charger for
    drops, the WPA3 ``findings`` for setup, the stored ``preflight`` checks filed under it
    for the others."""
    if key == TROUBLE_DROPS:
        if verdict.rssi_at_charger_dbm is None:
            return "–"
        return f"{verdict.status}: {format_dbm(verdict.rssi_at_charger_dbm)} at the charger"
    if key == TROUBLE_SETUP_99:
        wpa3 = [f for f in findings if "wpa3" in f.code]
        return wpa3[0].title if wpa3 else "not seen in the scans"
    if preflight is None:
        return (
            "not checked: run Analysis > Check the internet path (or `evsurvey check --project FILE --save`) "
            "from the charger's network"
        )
    filed = [r for r in preflight.results if troubleshooting_row(r) == key]
    if not filed:
        return "not checked"
    bad = [r for r in filed if r.status in (Status.FAIL, Status.WARN)]
    if not bad:
        return f"checked, all {len(filed)} passed"
    return "; ".join(f"{r.title}: {status_word(r.status)}" for r in bad)
