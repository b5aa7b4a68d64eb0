"""Values the pre-flight checks produce: one :class:`CheckResult` per check and the whole
:class:`NetcheckReport`, each with a JSON form for ``evsurvey check --json``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    """Outcome of one check. FAIL makes ``evsurvey check`` exit 1; WARN and SKIP do not."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    """One check: ``detail`` says what was seen, ``fix`` what to change in the network
    (empty when nothing needs changing); ``elapsed_ms`` is the wall time the check took."""

    id: str
    title: str
    status: Status
    detail: str
    fix: str = ""
    elapsed_ms: float = 0.0

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "status": self.status.value, "detail": self.detail,
                "fix": self.fix, "elapsed_ms": round(self.elapsed_ms, 1)}


@dataclass(frozen=True)
class NetcheckReport:
    """All checks of one run, in a stable order (gateway, DNS, TCP, TLS, NTP)."""

    profile_id: str
    profile_name: str
    generic: bool  # True when the maker documents no cloud domains: only generic reachability was tested
    deadline_s: float
    elapsed_ms: float
    results: tuple[CheckResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def failed(self) -> bool:
        return any(r.status is Status.FAIL for r in self.results)

    def to_json(self) -> dict:
        return {
            "profile": {"id": self.profile_id, "name": self.profile_name},
            "generic": self.generic,
            "deadline_s": self.deadline_s,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "ok": not self.failed,
            "summary": {s.value.lower(): self.count(s) for s in Status},
            "checks": [r.to_json() for r in self.results],
        }
