"""Privacy: hide other people's networks in the report (``--redact-neighbors``).

A survey hears every neighbour's network; their names and hardware addresses are not the
customer's to publish. Redaction replaces each neighbour SSID with "Neighbour network N"
(numbered in the order first seen, so rows stay distinguishable) and every neighbour BSSID
with "hidden". The target network stays readable: it is the customer's own.
"""

from __future__ import annotations

import re

from survey.project.display import HIDDEN_SSID, SsidText, ssid_text
from survey.project.model import Observation, TargetNetwork

HIDDEN_BSSID = "hidden"
_MAC = re.compile(r"(?i)\b[0-9a-f]{2}(?:[:\-][0-9a-f]{2}){5}\b")


class Redactor:
    """Maps observations and free text to what the report may print.

    With ``enabled=False`` it passes everything through unchanged, so report code calls it
    unconditionally.
    """

    def __init__(self, target: TargetNetwork | None, *, enabled: bool):
        self.target = target
        self.enabled = enabled
        self._names: dict[str, str] = {}
        self._own_bssids: set[str] = set(b.lower() for b in (target.bssids if target else ()))

    def is_neighbour(self, obs: Observation) -> bool:
        return self.target is None or not self.target.matches(obs)

    def note_own(self, observations) -> None:
        """Remember the target's BSSIDs so free-text scrubbing keeps them."""
        for obs in observations:
            if not self.is_neighbour(obs) and obs.bssid:
                self._own_bssids.add(obs.bssid.lower())

    def ssid(self, obs: Observation) -> str:
        """The SSID to print: an :class:`~survey.project.display.SsidText` the PDF shows by the
        one display rule, the hidden-network label, or a neighbour's stand-in name."""
        if not self.enabled or not self.is_neighbour(obs):
            return HIDDEN_SSID if obs.hidden else SsidText(ssid_text(obs.ssid, obs.ssid_raw))
        key = obs.ssid or f"\0{obs.bssid}"
        if key not in self._names:
            self._names[key] = f"Neighbour network {len(self._names) + 1}"
        return self._names[key]

    def bssid(self, obs: Observation) -> str:
        if not self.enabled or not self.is_neighbour(obs):
            return obs.bssid or "-"
        return HIDDEN_BSSID

    def text(self, text: str) -> str:
        """Free text with every hardware address that is not the target's replaced."""
        if not self.enabled:
            return text
        return _MAC.sub(lambda m: m.group(0) if m.group(0).lower() in self._own_bssids else HIDDEN_BSSID, text)
