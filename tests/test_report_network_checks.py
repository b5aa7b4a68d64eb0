"""The stored network checks in the customer's PDF: their own section, and the evidence each
result gives the troubleshooting matrix."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.report.garage import make_project  # noqa: E402

from survey.project.preflight import CheckResult, NetcheckReport, NetworkContext, Status  # noqa: E402
from survey.report import build_report  # noqa: E402

CHECKS = NetcheckReport(
    profile_id="zaptec_pro",
    profile_name="Zaptec Pro",
    generic=False,
    deadline_s=8.0,
    elapsed_ms=2100.0,
    results=(
        CheckResult("gateway", "Default gateway", Status.PASS, "192.168.20.1 via wlan0."),
        CheckResult(
            "dns:api.zaptec.com",
            "DNS api.zaptec.com",
            Status.FAIL,
            "Answered 0.0.0.0: blocked by a DNS filter.",
            "Allow-list in the DNS filter: api.zaptec.com.",
        ),
        CheckResult("egress:8883", "Outbound TCP 8883", Status.PASS, "Leaves this network."),
        CheckResult("mdns", "mDNS on this network (one-shot query)", Status.PASS, "1 responder: charger."),
    ),
    ran_at=1_780_000_000.0,
    network=NetworkContext(ssid="Home-IoT", laptop_ip="192.168.20.7"),
)


def _text(path) -> str:
    """The PDF's text with its line breaks and spacing removed (table cells wrap anywhere)."""
    return "".join("".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def _s(text: str) -> str:
    return "".join(text.split())


def test_stored_checks_have_their_section_and_back_the_troubleshooting_rows(tmp_path):
    out = tmp_path / "checks.pdf"
    result = build_report(replace(make_project(), preflight=CHECKS), out)
    assert "Network checks" in result.sections
    text = _text(out)
    section = text[text.index(_s("Network checks")) :]
    assert _s("DNS api.zaptec.com") in section and _s("blocked by a DNS filter") in section
    assert "Home-IoT" in section and _s("Charger shows offline in the app") in section
    matrix = text[text.rindex("Troubleshooting") :]
    assert _s("DNS api.zaptec.com: FAIL") in matrix  # the offline row's evidence
    assert _s("checked, all 1 passed") in matrix  # the local-API row: mDNS passed
    assert _s("OK and ACTION come from the scans and the network check") in text


def test_without_checks_the_matrix_says_how_to_get_them(tmp_path):
    out = tmp_path / "plain.pdf"
    result = build_report(make_project(), out)
    assert "Network checks" not in result.sections
    assert _s("evsurvey check --project FILE --save") in _text(out)
