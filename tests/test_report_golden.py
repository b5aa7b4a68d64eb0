"""The report's words stay put: the text of a small project's PDF (two surveys, stored network
checks) is compared with the text it had when the report was last changed on purpose.

Dates, times and the version are masked (they depend on the clock and the time zone). After
an intended change of the report's words, rewrite the expected text with
``EVSURVEY_UPDATE_GOLDEN=1 uv run pytest tests/test_report_golden.py`` and review its diff.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.report.garage import make_project  # noqa: E402
from test_report_network_checks import CHECKS  # noqa: E402

from survey.report import build_report  # noqa: E402

GOLDEN = Path(__file__).parent / "fixtures" / "report" / "garage_report.txt"

_MASKS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?"), "<date>"),
    (re.compile(r"evsurvey \d+\.\d+\S*"), "evsurvey <version>"),
)


def _masked_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


def test_report_text_is_unchanged(tmp_path):
    out = tmp_path / "golden.pdf"
    build_report(replace(make_project(), preflight=CHECKS), out)
    text = _masked_text(out)
    if os.environ.get("EVSURVEY_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
