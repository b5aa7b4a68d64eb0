"""Values the pre-flight checks produce: one :class:`CheckResult` per check and the whole
:class:`NetcheckReport`, each with a JSON form for ``evsurvey check --json``.

They are defined in :mod:`survey.project.preflight` because the project stores them and the
report reads them (neither may import ``netcheck``); this module is where ``netcheck`` code
takes them from.
"""

from survey.project.preflight import STATUS_WORDS, CheckResult, NetcheckReport, NetworkContext, Status

__all__ = ["STATUS_WORDS", "CheckResult", "NetcheckReport", "NetworkContext", "Status"]
