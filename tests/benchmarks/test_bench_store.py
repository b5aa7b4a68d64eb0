"""Benchmark: the project store on DESIGN.md's big project (5,000 samples × 30 networks).

What a person waits for: ``ProjectStore.open(read_only=True)`` + ``load()`` (every CLI
command starts with it; every row is validated and the file read into a snapshot), one
sample written (the survey's click-to-"saved"), and the first write of a session (the
journal set up, the next log recorded, a checkpoint).

    uv run pytest tests/benchmarks/test_bench_store.py -p no:cacheprovider -o addopts="" -s
"""

from __future__ import annotations

import statistics
import time

import pytest

from survey.project.model import Observation, Project, Sample, ScanResult
from survey.project.store import ProjectStore

#: DESIGN.md: `recommend` / `report` of a 5,000-sample × 30-BSS project <= 10 s each; the
#: load must leave most of that to the analysis.
LOAD_BUDGET_S = 5.0
#: One sample saved: well under the UI's 50 ms.
SAMPLE_BUDGET_S = 0.050


def _sample(i: int, networks: int = 30) -> Sample:
    t = 1e6 + i
    obs = tuple(
        Observation(
            f"02:00:00:00:{k // 256:02x}:{k % 256:02x}",
            f"net{k}",
            -40.0 - k,
            freq_mhz=2412.0 + 5 * (k % 13),
            channel=1 + k % 13,
            band="2.4",
            auth=("WPA2-PSK",),
            ciphers=("CCMP",),
        )
        for k in range(networks)
    )
    return Sample(i * 0.01, 1.0, t, (ScanResult(obs, t - 1, t, "bench"),))


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "big.evsurvey"
    with ProjectStore.create(path, Project()) as store:
        survey_id = store.add_survey("Before").id
        with store.transaction():
            for i in range(5000):
                store.add_sample(survey_id, _sample(i))
    return path, survey_id


def test_bench_open_and_load_5000_samples(big_project):
    path, _ = big_project
    times = []
    for _ in range(3):
        started = time.perf_counter()
        with ProjectStore.open(path, read_only=True) as store:
            project = store.load()
        times.append(time.perf_counter() - started)
    assert len(project.surveys[0].samples) == 5000
    median = statistics.median(times)
    print(f"\nopen + load, 5,000 samples × 30 BSS ({path.stat().st_size / 1e6:.1f} MB): median {median:.2f} s")
    assert median <= LOAD_BUDGET_S


def test_bench_first_write_and_one_sample(big_project):
    path, survey_id = big_project
    with ProjectStore.open(path) as store:
        started = time.perf_counter()
        store.add_sample(survey_id, _sample(9000))
        first = time.perf_counter() - started
        times = []
        for i in range(20):
            started = time.perf_counter()
            store.add_sample(survey_id, _sample(9001 + i))
            times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"\nfirst write of a session {first * 1000:.0f} ms; one sample saved: median {median * 1000:.1f} ms")
    assert median <= SAMPLE_BUDGET_S
