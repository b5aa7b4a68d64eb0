"""The whole recommendation for a project: verdict at the charger, findings, the remediation
ladder and the network checklist, as one value (``Recommendation``) with a JSON form.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from survey.analysis.checklist import ChecklistItem, build_checklist
from survey.analysis.findings import Finding
from survey.analysis.placement import CHOSEN, STATUS_MARKS, STATUS_WORDS, Option, build_ladder
from survey.analysis.radio import RadioModel, coverage_grid_dbm, coverage_with  # noqa: F401 - re-exported
from survey.analysis.readouts import signal_map_text
from survey.analysis.survey_analysis import (  # noqa: F401 - pick_survey/project_profile re-exported
    FitCache,
    SurveyAnalysis,
    analyse_survey,
    pick_survey,
    project_profile,
)
from survey.analysis.target import survey_observations
from survey.analysis.verdict import ESTIMATE_WORDS, Verdict
from survey.project.display import escape_text
from survey.project.model import ChargerProfile, Device, Project, Survey
from survey.project.units import format_dbm

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Recommendation:
    """Everything the analysis says about one survey of a project: its
    :class:`~survey.analysis.survey_analysis.SurveyAnalysis` (target, maps, model, verdict),
    the findings, the remediation ladder and the network checklist."""

    analysis: SurveyAnalysis
    options: tuple[Option, ...]
    checklist: tuple[ChecklistItem, ...]

    @property
    def survey_name(self) -> str | None:
        return self.analysis.survey_name or None

    @property
    def target_ssid(self) -> str | None:
        network = self.analysis.target.network
        return network.ssid if network is not None else None

    @property
    def target_note(self) -> str:
        return self.analysis.target.reason

    @property
    def profile(self) -> ChargerProfile:
        return self.analysis.profile

    @property
    def verdict(self) -> Verdict:
        return self.analysis.verdict

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.analysis.findings

    @property
    def model(self) -> RadioModel:
        """The radio model the verdict and the ladder used (the Predicted map's)."""
        return self.analysis.model

    @property
    def chosen(self) -> Option | None:
        return next((o for o in self.options if o.status == CHOSEN), None)

    def to_json(self) -> dict:
        chosen = self.chosen
        out = self.analysis.to_json()
        out.update(
            {
                "profile": {
                    "id": self.profile.id,
                    "name": self.profile.name,
                    "reception_offset_db": self.profile.reception_offset_db,
                },
                "findings": [f.to_json() for f in self.findings],
                "options": [o.to_json() for o in self.options],
                "chosen": None if chosen is None else chosen.kind,
                "checklist": [c.to_json() for c in self.checklist],
            }
        )
        return out


def recommend(
    project: Project,
    survey: Survey | None = None,
    profile: ChargerProfile | None = None,
    *,
    model: RadioModel | None = None,
    cache: FitCache | None = None,
    analysis: SurveyAnalysis | None = None,
) -> Recommendation:
    """The whole recommendation for ``survey`` (default :func:`pick_survey`).

    ``analysis``: the survey's analysis when the caller already has it (the report, the
    GUI); otherwise it is made here with ``profile``, ``model`` and ``cache``
    (see :func:`survey.analysis.survey_analysis.analyse_survey`).
    """
    if analysis is None:
        analysis = analyse_survey(project, survey, profile=profile, model=model, cache=cache)
    verdict = analysis.verdict
    options = build_ladder(project, analysis.model, verdict, verdict.reception_offset_db, analysis.findings)
    checklist = build_checklist(
        survey_observations(analysis.survey), analysis.target.network, analysis.profile, project.preflight
    )
    return Recommendation(analysis=analysis, options=options, checklist=checklist)


def option_device(option: Option) -> Device | None:
    """The planned device an option would add (or the router's new spot), for the map."""
    if option.xy_m is None or option.device_kind is None:
        return None
    return Device(
        kind=option.device_kind,
        x_m=option.xy_m[0],
        y_m=option.xy_m[1],
        label=option.title,
        planned=True,
        eirp_dbm=option.eirp_dbm,
    )


def format_text(rec: Recommendation) -> str:
    """A readable summary for the terminal (SSIDs are printed as text, never interpreted)."""
    v = rec.verdict
    a = rec.analysis
    lines = [
        f"Charger: {rec.profile.name} (reception offset {rec.profile.reception_offset_db:.1f} dB)",
        f"Target network: '{rec.target_ssid}' ({rec.target_note})"
        if rec.target_ssid is not None
        else f"Target network: none ({rec.target_note})",
        f"Survey: {rec.survey_name or '(none)'}",
    ]
    signal_map = signal_map_text(a)
    if signal_map is not None:
        lines.append(f"Signal map: {signal_map}")
    lines.append("")
    lines.append(
        f"VERDICT: {v.status}"
        + (
            f"  {format_dbm(v.rssi_at_charger_dbm)} at the charger, margin "
            f"{v.margin_db:+.1f} dB to -65 dBm, confidence {v.confidence}"
            if v.rssi_at_charger_dbm is not None
            else ""
        )
    )
    lines.append(f"  {v.explanation}")
    for e in v.estimates:
        err = f" (leave-one-out error {e.error_db:.1f} dB)" if e.error_db is not None else ""
        lines.append(f"  - {ESTIMATE_WORDS[e.method]}: {format_dbm(e.rssi_dbm)}, {e.words}{err}")
    lines.append("")
    lines.append(f"FINDINGS ({len(rec.findings)})")
    for f in rec.findings:
        lines += [f"  [{f.severity}] {f.title}", f"      evidence: {f.evidence}", f"      fix: {f.fix}"]
    if not rec.findings:
        lines.append("  none")
    lines += ["", "WHERE TO PUT THE FIX"]
    for n, o in enumerate(rec.options, 1):
        where = f" at ({o.xy_m[0]:.1f}, {o.xy_m[1]:.1f}) m" if o.xy_m is not None else ""
        after = (
            f", {format_dbm(o.predicted_charger_rssi_dbm)} at the charger"
            if o.predicted_charger_rssi_dbm is not None
            else ""
        )
        mark = STATUS_MARKS[o.status]
        cost = f" {o.cost_class}" if o.cost_class else ""
        lines.append(f" {mark} {n}. {o.title}: {STATUS_WORDS[o.status]}{cost}{where}{after}")
        lines.append(f"       {o.reason}")
        for c in o.conditions:
            lines.append(f"       condition: {c}")
    lines += ["", "NETWORK CHECKLIST"]
    for item in rec.checklist:
        box = {"ok": "[x]", "action": "[!]", "check": "[ ]"}[item.status]
        lines.append(f"  {box} {item.title}: {item.detail}")
    lines.append("")
    model = rec.model
    lines.append(
        f"Radio model: {model.words}; router {model.router_eirp_dbm:.1f} dBm EIRP, "
        f"path-loss exponent {model.exponent:.2f}, error {model.error_db:.1f} dB"
    )
    if model.calibration is not None and model.calibration.caveats:
        lines.append(f"  Calibration: {model.calibration.caveats}.")
    # SSIDs and project fields may carry terminal escapes or bidi overrides: the one
    # display rule shows them as visible escapes.
    return "\n".join(escape_text(line) for line in lines)
