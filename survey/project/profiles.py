"""Charger profiles: what a charger model needs from the network.

Shipped profiles live in ``assets/profiles/*.json``; profiles the installer adds live in
``<user data dir>/profiles/*.json``. A user profile with the same id as a shipped one
replaces it (so an installer can correct a reception offset they measured).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, fields, replace
from pathlib import Path

from survey.errors import UserInputError
from survey.paths import asset, user_data_dir
from survey.project.model import ChargerProfile

log = logging.getLogger(__name__)

GENERIC_PROFILE_ID = "generic_iot"

# Used only when the shipped assets are missing (a broken install): the verdict still works.
_FALLBACK_GENERIC = ChargerProfile(id=GENERIC_PROFILE_ID, name="Generic 2.4 GHz IoT charger", ports=(443, 8883))

_ID_PATTERN = re.compile(r"^[a-z0-9_\-]{1,64}$")
_TUPLE_FIELDS = ("bands", "cloud_domains", "allowlist_domains", "ports", "ntp_servers", "sources")
#: A DNS name (letters, digits, '-' in dot-separated labels, at least two labels), optionally
#: behind a ``*.`` wildcard meaning "this name and every name under it".
_DOMAIN_PATTERN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9\-]{0,61}[a-z0-9])?$")


class ProfileError(UserInputError):
    """A profile file or a user-entered profile is unusable."""


def user_profiles_dir() -> Path:
    return user_data_dir() / "profiles"


def profile_from_dict(data: dict, *, user_defined: bool = False) -> ChargerProfile:
    """Build a :class:`ChargerProfile` from its JSON form; raises :class:`ProfileError`."""
    if not isinstance(data, dict):
        raise ProfileError("A charger profile must be a JSON object.")
    known = {f.name for f in fields(ChargerProfile)}
    values = {k: v for k, v in data.items() if k in known}
    if not isinstance(values.get("id"), str) or not _ID_PATTERN.match(values["id"]):
        raise ProfileError("A charger profile needs an 'id' of lower-case letters, digits, '_' or '-' (at most 64).")
    if not isinstance(values.get("name"), str) or not values["name"].strip():
        raise ProfileError(f"Charger profile '{values['id']}' needs a 'name'.")
    try:
        for key in _TUPLE_FIELDS:
            if key in values:
                values[key] = tuple(values[key])
        if "ports" in values:
            values["ports"] = tuple(int(p) for p in values["ports"])
            if any(not 0 < p < 65536 for p in values["ports"]):
                raise ValueError("port out of range")
        if "reception_offset_db" in values:
            values["reception_offset_db"] = float(values["reception_offset_db"])
        if "allowlist_domains" in values:
            values["allowlist_domains"] = tuple(str(d).strip().lower() for d in values["allowlist_domains"])
            bad = [d for d in values["allowlist_domains"] if not _DOMAIN_PATTERN.match(d)]
            if bad:
                raise ValueError(f"allow-list entry {bad[0]!r} is neither a domain name nor *.domain")
    except (TypeError, ValueError) as exc:
        raise ProfileError(
            f"Charger profile '{values['id']}' has a malformed field ({exc}); "
            "ports must be numbers 1-65535 and the offset a number of dB."
        ) from exc
    values["user_defined"] = user_defined
    return ChargerProfile(**values)


def profile_to_dict(profile: ChargerProfile) -> dict:
    data = asdict(profile)
    for key in _TUPLE_FIELDS:
        data[key] = list(data[key])
    data.pop("user_defined", None)
    return data


def _read_dir(folder: Path, *, user_defined: bool) -> list[ChargerProfile]:
    found: list[ChargerProfile] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            found.append(profile_from_dict(json.loads(path.read_text(encoding="utf-8")), user_defined=user_defined))
        except (OSError, ValueError, ProfileError) as exc:
            # One bad file must not hide the others; the log says which one to fix.
            log.warning("Skipping charger profile %s: %s", path, exc)
    return found


def load_profiles() -> tuple[ChargerProfile, ...]:
    """Shipped profiles, then user profiles (a user profile replaces a shipped one of the same id)."""
    try:
        shipped = _read_dir(asset("profiles"), user_defined=False)
    except FileNotFoundError:
        shipped = []
    by_id: dict[str, ChargerProfile] = {p.id: p for p in shipped}
    if GENERIC_PROFILE_ID not in by_id:
        by_id[GENERIC_PROFILE_ID] = _FALLBACK_GENERIC
    for profile in _read_dir(user_profiles_dir(), user_defined=True):
        by_id[profile.id] = profile
    generic = by_id.pop(GENERIC_PROFILE_ID)
    return (generic, *sorted(by_id.values(), key=lambda p: p.name.casefold()))


def get_profile(profile_id: str | None) -> ChargerProfile:
    """The profile with this id, or the generic IoT profile when it is unknown."""
    profiles = load_profiles()
    for profile in profiles:
        if profile.id == profile_id:
            return profile
    if profile_id and profile_id != GENERIC_PROFILE_ID:
        log.warning("Charger profile %r not found; using the generic 2.4 GHz IoT profile", profile_id)
    return profiles[0]


def save_user_profile(profile: ChargerProfile) -> Path:
    """Write ``profile`` to the user profile folder and return the file written."""
    checked = profile_from_dict(profile_to_dict(profile), user_defined=True)
    folder = user_profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{checked.id}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(profile_to_dict(checked), indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def with_offset(profile: ChargerProfile, reception_offset_db: float) -> ChargerProfile:
    """The same profile with another reception offset (the offset is an editable assumption)."""
    return replace(profile, reception_offset_db=float(reception_offset_db))


def allowlist(profile: ChargerProfile) -> tuple[str, ...]:
    """What the installer allows through a DNS filter for this charger: the profile's allow-list
    (names or ``*.maker.com`` wildcards), else its cloud domains; empty when the maker names none."""
    return profile.allowlist_domains or profile.cloud_domains


def resolution_probes(profile: ChargerProfile) -> tuple[str, ...]:
    """Names to resolve for an allow-list wildcard: ``*.chargepoint.com`` -> ``chargepoint.com``
    (the apex always exists; the hosts under it that the charger uses may not be documented).
    Names already among the cloud domains are tested with them, not again."""
    known = {d.casefold() for d in profile.cloud_domains}
    apexes = (d[2:] for d in profile.allowlist_domains if d.startswith("*."))
    return tuple(dict.fromkeys(a for a in apexes if a.casefold() not in known))


def filter_rules(pattern: str) -> str:
    """How to allow ``pattern`` (a name or ``*.domain``) in the two common DNS filters.

    Pi-hole: a wildcard is the regex ``(\\.|^)domain\\.com$`` (Pi-hole's regex documentation,
    https://docs.pi-hole.net/regex/tutorial/, anchors ``^``/``$``); an exact name is an exact allow
    entry. AdGuard Home: ``@@||domain^`` unblocks the name and every name under it (AdGuard Home
    wiki, "Hosts blocklists", adblock-style rules)."""
    if pattern.startswith("*."):
        apex = pattern[2:]
        return f"{pattern}: Pi-hole allow regex (\\.|^){re.escape(apex)}$, AdGuard Home rule @@||{apex}^"
    return f"{pattern}: Pi-hole exact allow entry, AdGuard Home rule @@||{pattern}^"
