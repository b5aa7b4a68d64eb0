"""Pre-flight checks of the network path a charger needs (DNS, TCP 443/8883, TLS, NTP,
gateway, captive portal) and of the local network (mDNS, the charger's Modbus TCP / web API).
Sits beside ``survey.scan``; may use ``project`` values (charger profiles, the result types);
no Qt.

``plan_for_profile(profile)`` (:mod:`~survey.netcheck.plan`) -> :class:`CheckPlan`;
``run_checks(plan)`` (:mod:`~survey.netcheck.runner`) runs its probes
(:mod:`~survey.netcheck.probe_tasks`) and :mod:`~survey.netcheck.verdicts` interprets what
they saw -> :class:`NetcheckReport` of :class:`CheckResult` values (PASS/WARN/FAIL/SKIP with
the fix). ``evsurvey check`` (``survey.netcheck.command``) prints it and can save it in the project.
"""

from survey.netcheck.plan import CheckPlan, Endpoint, LocalApi, NtpServer, PortalProbe, plan_for_profile
from survey.netcheck.results import CheckResult, NetcheckReport, NetworkContext, Status
from survey.netcheck.runner import run_checks

__all__ = [
    "CheckPlan",
    "CheckResult",
    "Endpoint",
    "LocalApi",
    "NetcheckReport",
    "NetworkContext",
    "NtpServer",
    "PortalProbe",
    "Status",
    "plan_for_profile",
    "run_checks",
]
