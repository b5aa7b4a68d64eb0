"""Timing of the whole recommendation (verdict, findings, ladder, checklist) on the demo site.

DESIGN.md budget: placement recommendation for the demo site <= 250 ms (median, 2-core machine).
The demo garage is walked "Before" with the simulated scanner (as `evsurvey demo` does), then
:func:`survey.analysis.recommend.recommend` is timed from a loaded Project to the result.

    uv run pytest tests/benchmarks/test_bench_recommend.py --benchmark-enable -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import pytest

from survey.analysis.recommend import recommend
from survey.demo import BEFORE, build_demo_project, load_demo_site, walk_points_m, walk_survey
from survey.scan.simulated import SimulatedScanner

BUDGET_S = 0.250


@pytest.fixture(scope="module")
def demo_before(tmp_path_factory):
    demo = load_demo_site()
    path = tmp_path_factory.mktemp("bench") / "demo.evsurvey"
    with build_demo_project(path, demo=demo) as store:
        project = store.load()
        survey = project.survey_named(BEFORE)
        scanner = SimulatedScanner(project, seed=0, delay_s=0.0)
        walk_survey(store, survey.id, scanner, walk_points_m(demo))
        return store.load()


def test_bench_whole_recommendation_demo(benchmark, demo_before):
    survey = demo_before.survey_named(BEFORE)
    rec = benchmark(recommend, demo_before, survey)
    assert rec.verdict.status in ("POOR", "MARGINAL")
    assert rec.chosen is not None
    median_s = benchmark.stats.stats.median
    print(
        f"\nwhole recommendation on the demo site ({len(survey.samples)} samples, "
        f"{len(demo_before.walls)} walls): median {median_s * 1000:.0f} ms (budget {BUDGET_S * 1000:.0f} ms)"
    )
    assert median_s <= BUDGET_S
