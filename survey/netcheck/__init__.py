"""Pre-flight checks of the network path a charger needs (DNS, TCP 443/8883, TLS, NTP,
gateway). Sits beside ``survey.scan``; may use ``project`` values (charger profiles); no Qt.

``plan_for_profile(profile)`` -> :class:`CheckPlan`; ``run_checks(plan)`` ->
:class:`NetcheckReport` of :class:`CheckResult` values (PASS/WARN/FAIL/SKIP with the fix).
``evsurvey check`` (``survey.netcheck.command``) prints it.
"""

from survey.netcheck.results import CheckResult, NetcheckReport, Status
from survey.netcheck.runner import CheckPlan, Endpoint, NtpServer, plan_for_profile, run_checks

__all__ = ["CheckPlan", "CheckResult", "Endpoint", "NetcheckReport", "NtpServer", "Status", "plan_for_profile",
           "run_checks"]
