"""The whole recommendation for a project: verdict at the charger, findings, the remediation
ladder and the network checklist, as one value (``Recommendation``) with a JSON form.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from survey.analysis.checklist import ChecklistItem, build_checklist
from survey.analysis.findings import Finding, find_issues
from survey.analysis.placement import CHOSEN, Option, build_ladder
from survey.analysis.radio import RadioModel, build_model, router_samples
from survey.analysis.target import resolve_target, survey_observations, target_samples
from survey.analysis.verdict import Verdict, verdict_at_charger
from survey.errors import UserInputError
from survey.project.display import escape_text
from survey.project.model import ChargerProfile, Device, DeviceKind, Project, Survey
from survey.project.profiles import get_profile, with_offset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recommendation:
    """Everything the analysis says about one survey of a project."""

    survey_name: str | None
    target_ssid: str | None
    target_note: str
    profile: ChargerProfile
    verdict: Verdict
    findings: tuple[Finding, ...]
    options: tuple[Option, ...]
    checklist: tuple[ChecklistItem, ...]
    #: The radio model the verdict and the ladder used: the PDF and the GUI draw their
    #: predicted maps from this one, so every view tells the same story.
    model: RadioModel

    @property
    def model_source(self) -> str:
        return self.model.source

    @property
    def model_eirp_dbm(self) -> float:
        return self.model.router_eirp_dbm

    @property
    def model_exponent(self) -> float:
        return self.model.exponent

    @property
    def chosen(self) -> Option | None:
        return next((o for o in self.options if o.status == CHOSEN), None)

    def to_json(self) -> dict:
        chosen = self.chosen
        return {
            "survey": self.survey_name,
            "target": {"ssid": self.target_ssid, "note": self.target_note},
            "profile": {"id": self.profile.id, "name": self.profile.name,
                        "reception_offset_db": self.profile.reception_offset_db},
            "verdict": self.verdict.to_json(),
            "findings": [f.to_json() for f in self.findings],
            "options": [o.to_json() for o in self.options],
            "chosen": None if chosen is None else chosen.kind,
            "checklist": [c.to_json() for c in self.checklist],
            "model": {"source": self.model_source, "router_eirp_dbm": round(self.model_eirp_dbm, 1),
                      "exponent": round(self.model_exponent, 2)},
        }


def pick_survey(project: Project, name: str | None = None) -> Survey | None:
    """The survey called ``name`` (case-insensitive), else the active one; raises if ``name`` is unknown."""
    if name is None:
        return project.active_survey
    survey = project.survey_named(name)
    if survey is None:
        known = ", ".join(s.name for s in project.surveys) or "none"
        raise UserInputError(f"No survey named {name!r} in this project (surveys: {known}).")
    return survey


#: Project setting overriding the profile's reception offset for this site (dB).
OFFSET_SETTING = "reception_offset_db"


def project_profile(project: Project) -> ChargerProfile:
    """The project's charger profile, with the site's own reception offset when one was entered."""
    profile = get_profile(project.charger_profile_id)
    offset = project.settings.get(OFFSET_SETTING)
    if isinstance(offset, (int, float)) and not isinstance(offset, bool):
        profile = with_offset(profile, float(offset))
    return profile


def channel_advice_from(findings) -> str | None:
    """The channel fix the findings recommend, if any (it goes on the ladder's second rung)."""
    for finding in findings:
        if finding.code in ("overlapping_channel", "many_cochannel", "congested_channel", "high_bss_load"):
            return finding.fix
    return None


def recommend(project: Project, survey: Survey | None = None, profile: ChargerProfile | None = None,
              *, model: RadioModel | None = None, heatmap=None) -> Recommendation:
    """Run the whole analysis. ``survey`` defaults to the active survey; ``profile`` to the project's.

    ``model`` may be passed to reuse a site model (the GUI does, while a device is dragged);
    ``heatmap`` a :class:`survey.rf.interpolation.Heatmap` of the target already fitted on
    this survey's samples (the GUI's), used for the interpolated estimate at the charger.
    """
    if survey is None:
        survey = project.active_survey
    if profile is None:
        profile = project_profile(project)
    observations = survey_observations(survey)
    resolved = resolve_target(project, observations)
    target = resolved.network
    xy, rssi, _heard = target_samples(survey, target)
    if model is None:
        model = build_model(project, *router_samples(project, survey, target))
    router = project.router
    charger = project.charger
    router_xy = (router.x_m, router.y_m) if router is not None else None
    verdict = verdict_at_charger((charger.x_m, charger.y_m) if charger is not None else None,
                                 xy, rssi, profile, model, router_xy, heatmap=heatmap)
    findings = find_issues(observations, target)
    options = build_ladder(project, model, verdict, profile.reception_offset_db, channel_advice_from(findings))
    checklist = build_checklist(observations, target, profile)
    return Recommendation(
        survey_name=survey.name if survey is not None else None,
        target_ssid=target.ssid if target is not None else None,
        target_note=resolved.reason,
        profile=profile, verdict=verdict, findings=findings, options=options, checklist=checklist,
        model=model,
    )


def _transmitters(model: RadioModel, project: Project, planned):
    """(xy_m, eirp_dbm) of every transmitter after the change: the router, then the
    ``planned`` devices that transmit. A planned ROUTER is the router moved to a new spot
    (the ladder's second rung), not a second one. A device without an EIRP of its own is
    taken to be as strong as the router."""
    moved = [d for d in planned if d.kind == DeviceKind.ROUTER]
    router = moved[0] if moved else project.router
    if router is not None:
        yield (router.x_m, router.y_m), model.router_eirp_dbm
    for device in planned:
        if device.kind != DeviceKind.ROUTER and device.kind.transmits:
            yield (device.x_m, device.y_m), (device.eirp_dbm if device.eirp_dbm is not None
                                             else model.router_eirp_dbm)


def coverage_with(model: RadioModel, project: Project, planned: list[Device] | tuple[Device, ...],
                  query_xy_m) -> np.ndarray:
    """Predicted best RSSI (dBm, laptop view) at ``query_xy_m`` (M, 2) from the existing router
    and the ``planned`` transmitters: what the map looks like after the change."""
    query = np.asarray(query_xy_m, dtype=float).reshape(-1, 2)
    best = np.full(len(query), -np.inf)
    for xy_m, eirp_dbm in _transmitters(model, project, planned):
        best = np.maximum(best, model.rssi_dbm(xy_m, eirp_dbm, query))
    return best


def coverage_grid_dbm(model: RadioModel, project: Project, planned, grid) -> np.ndarray:
    """Like :func:`coverage_with` over a :class:`survey.rf.propagation.SiteGrid`: (ny, nx) dBm."""
    best = np.full(grid.shape, -np.inf)
    for xy_m, eirp_dbm in _transmitters(model, project, planned):
        best = np.maximum(best, model.grid_dbm(xy_m, eirp_dbm, grid))
    return best


def option_device(option: Option) -> Device | None:
    """The planned device an option would add (or the router's new spot), for the map."""
    if option.xy_m is None or option.device_kind is None:
        return None
    return Device(kind=option.device_kind, x_m=option.xy_m[0], y_m=option.xy_m[1],
                  label=option.title, planned=True, eirp_dbm=option.eirp_dbm)


def format_text(rec: Recommendation) -> str:
    """A readable summary for the terminal (SSIDs are printed as text, never interpreted)."""
    v = rec.verdict
    lines = [f"Charger: {rec.profile.name} (reception offset {rec.profile.reception_offset_db:.0f} dB)",
             f"Target network: '{rec.target_ssid}' ({rec.target_note})" if rec.target_ssid is not None
             else f"Target network: none ({rec.target_note})",
             f"Survey: {rec.survey_name or '(none)'}", ""]
    lines.append(f"VERDICT: {v.status}" + (f"  {v.rssi_at_charger_dbm:.0f} dBm at the charger, margin "
                                          f"{v.margin_db:+.0f} dB to -65 dBm, confidence {v.confidence}"
                                          if v.rssi_at_charger_dbm is not None else ""))
    lines.append(f"  {v.explanation}")
    for e in v.estimates:
        err = f" (LOO error {e.error_db:.1f} dB)" if e.error_db is not None else ""
        lines.append(f"  - {e.method.replace('_', ' ')}: {e.rssi_dbm:.0f} dBm, {e.note}{err}")
    lines.append("")
    lines.append(f"FINDINGS ({len(rec.findings)})")
    for f in rec.findings:
        lines += [f"  [{f.severity}] {f.title}", f"      evidence: {f.evidence}", f"      fix: {f.fix}"]
    if not rec.findings:
        lines.append("  none")
    lines += ["", "WHERE TO PUT THE FIX"]
    for n, o in enumerate(rec.options, 1):
        where = f" at ({o.xy_m[0]:.1f}, {o.xy_m[1]:.1f}) m" if o.xy_m is not None else ""
        after = (f", {o.predicted_charger_rssi_dbm:.0f} dBm at the charger"
                 if o.predicted_charger_rssi_dbm is not None else "")
        mark = {"chosen": "=>", "alternative": " +", "rejected": " x", "not_needed": " -"}[o.status]
        lines.append(f" {mark} {n}. {o.title} [{o.status}] {o.cost_class}{where}{after}")
        lines.append(f"       {o.reason}")
        for c in o.conditions:
            lines.append(f"       condition: {c}")
    lines += ["", "NETWORK CHECKLIST"]
    for item in rec.checklist:
        box = {"ok": "[x]", "action": "[!]", "check": "[ ]"}[item.status]
        lines.append(f"  {box} {item.title}: {item.detail}")
    lines.append("")
    lines.append(f"Model: {rec.model_source}, router EIRP {rec.model_eirp_dbm:.0f} dBm, "
                 f"exponent {rec.model_exponent:.1f}")
    # SSIDs and project fields may carry terminal escapes or bidi overrides: the one
    # display rule shows them as visible escapes.
    return "\n".join(escape_text(line) for line in lines)
