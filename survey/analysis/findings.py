"""Findings from the scans: what in the network will trouble a 2.4 GHz IoT charger, and the fix.

Every finding states its evidence (what was heard, where) and the fix an installer can
apply. The input is plain :class:`Observation` values, so findings work on whatever
scanner produced them (iw, nmcli, netsh, wpa_cli, airport, the simulated scanner).
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.analysis.target import strongest_per_bssid
from survey.project.model import TargetNetwork
from survey.rf.channels import channel_occupancy, is_24ghz, observation_band, recommend_channel

SEVERITIES = ("critical", "warning", "info")

#: Non-overlapping 20 MHz channels in 2.4 GHz: centres 25 MHz apart (2412/2437/2462 MHz)
#: so a 20-22 MHz wide signal on one does not overlap the next (IEEE 802.11 channel plan).
NON_OVERLAPPING_24GHZ = (1, 6, 11)

#: Co-channel BSSs heard at >= -82 dBm contend for airtime (DESIGN: the 802.11 CCA threshold
#: for a 20 MHz OFDM signal is -82 dBm). Four or more (the target plus three) means the
#: charger waits behind three other networks' traffic: an assumption, editable here.
MANY_COCHANNEL = 3

#: BSS Load channel utilisation above half the airtime means frequent deferrals and retries;
#: a charger needs little throughput but its keep-alives still queue. Assumed threshold.
HIGH_UTILISATION_PCT = 50.0


@dataclass(frozen=True)
class SettingChange:
    """A router setting that removes a finding's cause: what the ladder's settings rung offers
    before any hardware. ``blocking``: the charger cannot join at all until it is made (2.4 GHz
    off, WPA3-SAE only); otherwise it is a cause of drops (a crowded channel).

    ``code`` is "enable_24ghz" | "transition_mode" | "channel"; ``value`` the new channel.
    """

    code: str
    words: str
    blocking: bool
    value: int | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "words": self.words, "blocking": self.blocking, "value": self.value}


ENABLE_24GHZ = SettingChange(
    "enable_24ghz", "turn the router's 2.4 GHz radio on (or add a separate 2.4 GHz SSID for IoT devices)", True
)
TRANSITION_MODE = SettingChange(
    "transition_mode", "set WPA2/WPA3 transition mode (or a separate WPA2 SSID for the charger)", True
)


def channel_change(channel: int) -> SettingChange:
    return SettingChange("channel", f"set the 2.4 GHz channel to {channel} (20 MHz wide)", False, channel)


@dataclass(frozen=True)
class Finding:
    """One problem found in the scans. ``evidence`` says what was heard; ``fix`` what to do;
    ``change`` the router setting that removes the cause, where a setting does."""

    code: str
    severity: str  # "critical" | "warning" | "info"
    title: str
    evidence: str
    fix: str
    bssids: tuple[str, ...] = ()
    change: SettingChange | None = None

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "evidence": self.evidence,
            "fix": self.fix,
            "bssids": list(self.bssids),
            "change": None if self.change is None else self.change.to_json(),
        }


def setting_changes(findings) -> tuple[SettingChange, ...]:
    """The distinct setting changes the findings call for, blocking ones first."""
    seen: dict[str, SettingChange] = {}
    for f in findings:
        if f.change is not None and f.change.code not in seen:
            seen[f.change.code] = f.change
    return tuple(sorted(seen.values(), key=lambda c: not c.blocking))


def _bss_list(observations, limit: int = 4) -> str:
    parts = []
    for obs in observations[:limit]:
        where = (
            f"channel {obs.channel}"
            if obs.channel is not None
            else (f"{obs.freq_mhz:.0f} MHz" if obs.freq_mhz else "unknown channel")
        )
        rssi = f", {obs.rssi_dbm:.0f} dBm" if obs.rssi_dbm is not None else ""
        parts.append(f"{obs.bssid or 'hidden BSSID'} ({where}{rssi})")
    more = len(observations) - limit
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def _target_channel(target_24) -> int | None:
    strongest = max(target_24, key=lambda o: o.rssi_dbm if o.rssi_dbm is not None else -999.0, default=None)
    return strongest.channel if strongest is not None else None


def find_issues(observations, target: TargetNetwork | None, router_bssids=()) -> tuple[Finding, ...]:
    """Findings over all observations of a survey (any number of samples, any scanner).

    ``target`` is the network the charger will join; without one only the neighbourhood
    (channel congestion) can be judged. ``router_bssids``: the router's own BSSIDs, so a
    router heard only on 5/6 GHz shows its 2.4 GHz radio is off.
    """
    all_obs = strongest_per_bssid(observations)
    findings: list[Finding] = []
    if target is None:
        return ()
    mine = [o for o in all_obs if target.matches(o)]
    name = target.ssid or "the target network"
    mine_24 = [o for o in mine if is_24ghz(o)]
    mine_other = [o for o in mine if observation_band(o) in ("5", "6")]

    router_other = [o for o in all_obs if o.bssid and o.bssid in set(router_bssids) and not is_24ghz(o)]
    if not mine and router_other:
        findings.append(
            Finding(
                "target_no_24ghz",
                "critical",
                f"{name} is not on 2.4 GHz",
                f"{name} was not heard on 2.4 GHz, while the router itself was heard on 5/6 GHz: "
                f"{_bss_list(router_other)}.",
                "Turn the router's 2.4 GHz radio on (or add a 2.4 GHz SSID for IoT): "
                "the charger's radio is 2.4 GHz only.",
                tuple(o.bssid for o in router_other),
                ENABLE_24GHZ,
            )
        )
        return tuple(findings)
    if not mine:
        hidden = [o for o in all_obs if o.hidden]
        findings.append(
            Finding(
                "target_not_heard",
                "critical",
                f"{name} was not heard",
                f"No scan heard {name}." + (f" {len(hidden)} hidden network(s) were heard." if hidden else ""),
                "Check the network name (it is case-sensitive), survey closer to the router, and make sure the "
                "router's 2.4 GHz radio is on. Chargers generally cannot join a hidden network: broadcast the SSID.",
            )
        )
        return tuple(findings)

    if not mine_24:
        findings.append(
            Finding(
                "target_no_24ghz",
                "critical",
                f"{name} is not on 2.4 GHz",
                f"{name} was heard only on 5/6 GHz: {_bss_list(mine_other)}.",
                "Turn the router's 2.4 GHz radio on (or add a 2.4 GHz SSID for IoT): "
                "the charger's radio is 2.4 GHz only.",
                tuple(o.bssid for o in mine_other),
                ENABLE_24GHZ,
            )
        )
    elif mine_other:
        findings.append(
            Finding(
                "band_steering_risk",
                "warning",
                f"{name} is on 2.4 GHz and 5/6 GHz under one name",
                f"2.4 GHz: {_bss_list(mine_24)}; 5/6 GHz: {_bss_list(mine_other)}.",
                "Band steering can push the charger's join attempt towards 5 GHz and fail. Create a separate "
                "2.4 GHz-only SSID for IoT devices, or turn band steering off while the charger is set up.",
                tuple(o.bssid for o in mine_other),
            )
        )

    auth = set(a for o in mine for a in o.auth)
    ciphers = set(c for o in mine for c in o.ciphers)
    if not auth:
        # No scan named the security mode (a saved file without that field, a mode the
        # scanner cannot name): unknown is a thing to check, not an open network.
        findings.append(
            Finding(
                "security_unknown",
                "info",
                f"The scans do not show how {name} is secured",
                f"No security mode was reported for {_bss_list(mine)}.",
                "Check the security mode in the router: WPA2-PSK (AES) or WPA2/WPA3 transition mode, "
                "not open, WEP or WPA-TKIP.",
            )
        )
    if "OPEN" in auth:
        findings.append(
            Finding(
                "open_network",
                "critical",
                f"{name} is an open network",
                f"Heard without encryption: {_bss_list([o for o in mine if 'OPEN' in o.auth])}.",
                "Set WPA2-PSK (AES/CCMP) or WPA2/WPA3 transition mode; anyone in range can join an open network "
                "and see the charger.",
            )
        )
    if "WEP" in auth:
        findings.append(
            Finding(
                "wep",
                "critical",
                f"{name} uses WEP",
                f"WEP heard on: {_bss_list([o for o in mine if 'WEP' in o.auth])}.",
                "WEP is broken and many current chipsets refuse it: switch to WPA2-PSK with AES (CCMP).",
            )
        )
    tkip = [o for o in mine if "TKIP" in o.ciphers or "WPA-PSK" in o.auth]
    if tkip:
        findings.append(
            Finding(
                "tkip",
                "warning",
                f"{name} allows WPA/TKIP",
                f"TKIP or WPA (v1) offered by {_bss_list(tkip)} "
                f"(ciphers heard: {', '.join(sorted(ciphers)) or 'none'}).",
                "Set the router to WPA2 (AES/CCMP only) or WPA2/WPA3 transition; TKIP is deprecated and "
                "limits 802.11n to legacy rates.",
                tuple(o.bssid for o in tkip),
            )
        )
    sae_only = [o for o in mine_24 if "WPA3-SAE" in o.auth and "WPA2-PSK" not in o.auth and "WPA-PSK" not in o.auth]
    if sae_only:
        findings.append(
            Finding(
                "wpa3_sae_only",
                "critical",
                f"{name} is WPA3-SAE only",
                f"WPA3-SAE without WPA2-PSK on {_bss_list(sae_only)}.",
                "Older IoT chipsets cannot do SAE (setup then 'fails at 99 %'): use WPA2/WPA3 transition mode, "
                "or a separate WPA2 SSID for the charger.",
                tuple(o.bssid for o in sae_only),
                TRANSITION_MODE,
            )
        )
    wps = [o for o in mine if o.wps]
    if wps:
        findings.append(
            Finding(
                "wps_enabled",
                "warning",
                f"WPS is enabled on {name}",
                f"WPS advertised by {_bss_list(wps)}.",
                "Turn WPS off in the router: its PIN method can be brute-forced, and the charger does not need it.",
                tuple(o.bssid for o in wps),
            )
        )
    hidden = [o for o in mine if o.hidden]
    if hidden:
        findings.append(
            Finding(
                "hidden_ssid",
                "warning",
                "The target network hides its name",
                f"Hidden (empty SSID) beacons from {_bss_list(hidden)}.",
                "Broadcast the SSID: many chargers only list visible networks during setup, and hiding the name "
                "does not add security.",
                tuple(o.bssid for o in hidden),
            )
        )
    wide = [o for o in mine_24 if (o.channel_width_mhz or 20) >= 40]
    if wide:
        findings.append(
            Finding(
                "width_40mhz_24ghz",
                "warning",
                "40 MHz channel width on 2.4 GHz",
                f"{_bss_list(wide)} use {wide[0].channel_width_mhz} MHz.",
                "Set the 2.4 GHz channel width to 20 MHz: a 40 MHz channel covers two thirds of the band, "
                "overlaps neighbours and gains nothing for a charger's few kbit/s.",
                tuple(o.bssid for o in wide),
            )
        )
    channel_found, quieter = _channel_findings(all_obs, mine_24, name)
    busy_pct = [
        (o, pct) for o in mine_24 if (pct := o.channel_utilization_pct) is not None and pct >= HIGH_UTILISATION_PCT
    ]
    busy = [o for o, _pct in busy_pct]
    if busy:
        worst = max(pct for _o, pct in busy_pct)
        findings.append(
            Finding(
                "high_bss_load",
                "warning",
                "The target channel is busy (BSS Load)",
                f"Channel utilisation up to {worst:.0f} % reported by {_bss_list(busy)}.",
                "Move the 2.4 GHz radio to a quieter channel (see the channel finding) or move heavy clients to 5 GHz.",
                tuple(o.bssid for o in busy),
                None if quieter is None else channel_change(quieter),
            )
        )

    findings.extend(channel_found)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(findings, key=lambda f: order[f.severity]))


def _channel_findings(all_obs, mine_24, name) -> tuple[list[Finding], int | None]:
    """The channel findings and the quieter channel to move to (None: stay)."""
    current = _target_channel(mine_24)
    if current is None:
        return [], None
    neighbours_24 = [o for o in all_obs if is_24ghz(o) and o not in mine_24]
    # The network's own radios are not interference to itself.
    recommendation = recommend_channel(
        list(all_obs), current_channel=current, exclude_bssids=[o.bssid for o in mine_24 if o.bssid]
    )
    occupancy = {c.channel: c for c in channel_occupancy([o for o in neighbours_24])}
    found: list[Finding] = []
    if current not in NON_OVERLAPPING_24GHZ:
        found.append(
            Finding(
                "overlapping_channel",
                "warning",
                f"{name} is on overlapping channel {current}",
                f"Channel {current} overlaps its neighbours on both sides; only 1, 6 and 11 do not overlap each other.",
                f"Set the 2.4 GHz channel to {recommendation.channel}: {recommendation.reason}",
                change=channel_change(recommendation.channel),
            )
        )
    occ = occupancy.get(current)
    if occ is not None and occ.cochannel_strong_count >= MANY_COCHANNEL:
        found.append(
            Finding(
                "many_cochannel",
                "warning",
                f"{occ.cochannel_strong_count} other networks share channel {current}",
                f"{occ.cochannel_strong_count} other BSSs on channel {current} heard at -82 dBm or stronger "
                f"({occ.bss_count} on the channel in all).",
                f"Set the 2.4 GHz channel to {recommendation.channel}: {recommendation.reason}",
                change=None if recommendation.channel == current else channel_change(recommendation.channel),
            )
        )
    elif (
        occ is not None and recommendation.channel != current and current in NON_OVERLAPPING_24GHZ and occ.bss_count > 0
    ):
        found.append(
            Finding(
                "congested_channel",
                "info",
                f"Channel {recommendation.channel} is quieter than {current}",
                f"{occ.bss_count} other BSS(s) heard on channel {current}.",
                f"Consider channel {recommendation.channel}: {recommendation.reason}",
            )
        )
    quieter = recommendation.channel if recommendation.channel != current else None
    return found, quieter
