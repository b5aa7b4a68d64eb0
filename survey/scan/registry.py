"""Which live scanner to use on this machine, and why each candidate is or is not usable.

Per OS, in order of preference:

* Linux: nmcli (no root, forced rescan, enriched by ``iw scan dump``), iw (root), wpa_cli,
  pywifi (wpa_supplicant's control socket).
* Windows: pywifi (Native Wifi API: triggers WlanScan, real dBm), netsh (cached list, %).
* macOS: corewlan (pyobjc); pywifi does not support macOS (it raises NotImplementedError).

The simulated scanner is never chosen automatically: it needs a site and its readings are
made up; ask for it by name (``--backend simulated``) or use ``evsurvey demo``.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import NamedTuple

from survey.scan.base import ScannerError, ScannerUnavailable
from survey.scan.staleness import StalenessGuard

log = logging.getLogger(__name__)

_MODULES = {
    "nmcli": ("survey.scan.backends.nmcli", "NmcliScanner"),
    "iw": ("survey.scan.backends.iw", "IwScanner"),
    "wpa_cli": ("survey.scan.backends.wpa_cli", "WpaCliScanner"),
    "pywifi": ("survey.scan.backends.pywifi_backend", "PywifiScanner"),
    "netsh": ("survey.scan.backends.netsh", "NetshScanner"),
    "corewlan": ("survey.scan.backends.corewlan", "CoreWlanScanner"),
}

BACKENDS = tuple(_MODULES) + ("simulated",)


class BackendReport(NamedTuple):
    name: str
    usable: bool
    reason: str


def candidates(platform: str | None = None) -> tuple[str, ...]:
    """Backends worth trying on ``platform`` (``sys.platform`` style), best first."""
    p = platform or sys.platform
    if p.startswith("linux"):
        return ("nmcli", "iw", "wpa_cli", "pywifi")
    if p.startswith("win"):
        return ("pywifi", "netsh")
    if p == "darwin":
        return ("corewlan", "pywifi")
    return ("pywifi",)


def _availability(name: str) -> tuple[bool, str]:
    module_name, _ = _MODULES[name]
    try:
        module = importlib.import_module(module_name)
        return module.availability()
    except Exception as exc:  # a broken optional dependency must not break the report
        log.debug("availability of %s failed", name, exc_info=True)
        return False, f"could not be checked ({type(exc).__name__}: {exc})."


def backend_reports(platform: str | None = None) -> list[BackendReport]:
    """Every backend of this OS with whether it is usable now and why (for --list-backends)."""
    reports = [BackendReport(name, *_availability(name)) for name in candidates(platform)]
    reports.append(
        BackendReport(
            "simulated",
            True,
            "made-up readings of a site's model; only by name (--backend simulated) "
            "or with `evsurvey demo`, never chosen automatically.",
        )
    )
    return reports


def make_scanner(name: str = "auto", *, project=None, interface: str | None = None):
    """A ready scanner: the first usable backend for ``auto``, else the named one.

    Raises :class:`ScannerUnavailable` with every candidate's reason when none works.
    The scanner is wrapped so that a scan identical to the previous one is flagged.
    """
    if name == "simulated":
        if project is None:
            raise ScannerUnavailable(
                "The simulated scanner needs a site: run `evsurvey demo`, or open a "
                "project in the GUI and choose the simulated scanner there."
            )
        from survey.scan.simulated import SimulatedScanner

        return SimulatedScanner(project)
    if name == "auto":
        reasons = []
        for cand in candidates():
            ok, why = _availability(cand)
            if ok:
                log.info("scanner backend %s: %s", cand, why)
                return StalenessGuard(_build(cand, interface))
            reasons.append(f"  {cand}: {why}")
        raise ScannerUnavailable(
            "No Wi-Fi scanner works on this machine:\n"
            + "\n".join(reasons)
            + "\nFix one of these, or import a saved scan with `evsurvey scan --from-file`."
        )
    if name not in _MODULES:
        raise ScannerUnavailable(f"Unknown scanner backend {name!r}; choose one of: auto, {', '.join(BACKENDS)}.")
    return StalenessGuard(_build(name, interface))


def _build(name: str, interface: str | None):
    module_name, cls_name = _MODULES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ScannerUnavailable(f"The {name} backend cannot load on this machine: {exc}.") from exc
    except NotImplementedError as exc:
        raise ScannerUnavailable(f"The {name} backend does not support this operating system.") from exc
    cls = getattr(module, cls_name)
    return cls(interface=interface) if interface else cls()


__all__ = ["BACKENDS", "BackendReport", "ScannerError", "backend_reports", "candidates", "make_scanner"]
