"""The two signal levels every verdict, map colour and coverage share is measured against.

Kept in a module of their own, importing nothing, so the colour map the GUI loads at
start-up (:mod:`survey.report.colormap`) reads them without pulling in the verdict's
interpolation stack (scipy, about 1-2 s to import on the 2-core target machine).
"""

from __future__ import annotations

#: DESIGN "Field facts": -65 dBm or better at the charger is the target; below -75 dBm
#: the charger loses packets (WebSocket timeouts, failed OTA updates).
GOOD_DBM = -65.0
PACKET_LOSS_DBM = -75.0

GOOD, MARGINAL, POOR, UNKNOWN = "GOOD", "MARGINAL", "POOR", "UNKNOWN"


def classify(rssi_at_charger_dbm: float) -> str:
    """GOOD at or above -65 dBm, MARGINAL down to -75 dBm, POOR below (dBm as the charger hears it)."""
    if rssi_at_charger_dbm >= GOOD_DBM:
        return GOOD
    if rssi_at_charger_dbm >= PACKET_LOSS_DBM:
        return MARGINAL
    return POOR
