"""Values for people: the one place that turns metres, dBm, dB and MHz into text.

Inside, evsurvey works in metres, dBm and MHz; the project's unit preference ("m" or
"ft") only changes what is shown and what typed lengths mean.
"""

from __future__ import annotations

import math
import re

from survey.errors import UserInputError

#: International foot, exactly 0.3048 m (1959 international yard and pound agreement).
METRES_PER_FOOT = 0.3048


def m_to_ft(metres: float) -> float:
    return metres / METRES_PER_FOOT


def ft_to_m(feet: float) -> float:
    return feet * METRES_PER_FOOT


def format_length(metres: float, units: str = "m", *, digits: int | None = None) -> str:
    """``3.20 m`` or ``10.5 ft`` (feet below 10 with one decimal, metres below 10 with two)."""
    if metres is None or not math.isfinite(metres):
        return "–"
    if units == "ft":
        value, suffix = m_to_ft(metres), "ft"
    else:
        value, suffix = metres, "m"
    if digits is None:
        digits = 2 if abs(value) < 10 and units != "ft" else 1
    return f"{value:.{digits}f} {suffix}"


def format_area(square_metres: float, units: str = "m") -> str:
    if units == "ft":
        return f"{square_metres / METRES_PER_FOOT**2:.0f} sq ft"
    return f"{square_metres:.1f} m²"


def format_dbm(rssi_dbm: float | None) -> str:
    """``-74.4 dBm``: every signal value a person reads, in the GUI, the CLI and the PDF, to
    0.1 dB (the verdict is classified on that rounded value, so words and number agree)."""
    if rssi_dbm is None or not math.isfinite(rssi_dbm):
        return "no signal"
    return f"{rssi_dbm:.1f} dBm"


def format_db(delta_db: float | None, *, signed: bool = True) -> str:
    if delta_db is None or not math.isfinite(delta_db):
        return "–"
    return f"{delta_db:+.1f} dB" if signed else f"{delta_db:.1f} dB"


_LENGTH_RE = re.compile(
    r"^\s*(?:(?P<feet>\d+(?:[.,]\d+)?)\s*(?:ft|feet|foot|')\s*(?:(?P<inches>\d+(?:[.,]\d+)?)\s*(?:in|inch|inches|\"))?"
    r"|(?P<inches_only>\d+(?:[.,]\d+)?)\s*(?:in|inch|inches|\")"
    r"|(?P<value>\d+(?:[.,]\d+)?)\s*(?P<unit>mm|cm|m|metres?|meters?)?)\s*$",
    re.IGNORECASE,
)


def parse_length(text: str, default_units: str = "m") -> float:
    """Metres from what a person types: ``4.2``, ``4,2 m``, ``420 cm``, ``12 ft``, ``12' 6"``, ``30 in``."""
    match = _LENGTH_RE.match(text or "")
    if not match:
        raise UserInputError(f"{text!r} is not a length. Type a number such as 4.2 m, 420 cm or 12 ft 6 in.")

    def num(name: str) -> float:
        return float(match.group(name).replace(",", "."))

    if match.group("feet") is not None:
        metres = ft_to_m(num("feet")) + (ft_to_m(num("inches") / 12) if match.group("inches") else 0.0)
    elif match.group("inches_only") is not None:
        metres = ft_to_m(num("inches_only") / 12)
    else:
        unit = (match.group("unit") or default_units).lower()
        value = num("value")
        metres = {"mm": value / 1000, "cm": value / 100, "ft": ft_to_m(value)}.get(unit, value)
    if metres <= 0:
        raise UserInputError("A length must be more than zero.")
    return metres
