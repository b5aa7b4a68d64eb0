"""Benchmark: the PDF report of the demo project (DESIGN.md budget: <= 3 s median).

Builds the demo as `evsurvey demo --headless` does (Before walk, recommended fix, After walk)
without writing its report, then times build_report on the loaded project.
"""

from __future__ import annotations

import statistics

import pytest

pytest.importorskip("pytest_benchmark")

from survey.demo import run_headless  # noqa: E402
from survey.project.store import ProjectStore  # noqa: E402
from survey.report import build_report  # noqa: E402

BUDGET_S = 3.0  # DESIGN.md "Performance budget": PDF report of the demo project


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    run_headless(out, report=False)
    with ProjectStore.open(out / "demo.evsurvey", read_only=True) as store:
        return store.load()


def test_demo_report_within_budget(benchmark, demo_project, tmp_path):
    out = tmp_path / "demo-report.pdf"
    result = benchmark.pedantic(build_report, args=(demo_project, out), rounds=5, iterations=1, warmup_rounds=1)
    assert result.pages >= 8 and result.comparison is not None
    median = statistics.median(benchmark.stats.stats.data)
    assert median <= BUDGET_S, f"demo report took {median:.2f} s (budget {BUDGET_S} s)"
