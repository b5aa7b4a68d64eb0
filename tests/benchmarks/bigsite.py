"""A large surveyed site for the whole-command benchmarks: the demo garage and house walked
on a fine grid until the survey holds N samples, each with one scan of ~30 BSSs (the
demo's networks plus made-up neighbours), written to a real project file.

    uv run python tests/benchmarks/bigsite.py OUT.evsurvey [N]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from survey.demo import BEFORE, build_demo_project, load_demo_site
from survey.project.model import Observation, Sample, SampleMode
from survey.scan.simulated import SimulatedScanner

#: BSSs per scan the benchmark asks for: a suburban street hears 20-40 on 2.4 + 5 GHz.
BSS_PER_SCAN = 30


def _neighbours(rng: np.random.Generator, count: int) -> list[tuple[str, str, int]]:
    return [
        (
            f"02:00:00:{i // 256:02x}:{i % 256:02x}:{rng.integers(256):02x}",
            f"Neighbour-{i}",
            int(rng.choice([1, 6, 11, 3, 9])),
        )
        for i in range(count)
    ]


def build(path: Path, n_samples: int, seed: int = 0) -> Path:
    """Write a project at ``path`` whose "Before" survey holds ``n_samples`` samples."""
    demo = load_demo_site()
    rng = np.random.default_rng(seed)
    with build_demo_project(path, demo=demo) as store:
        project = store.load()
        survey = project.survey_named(BEFORE)
        scanner = SimulatedScanner(project, seed=seed, delay_s=0.0)
        x0, y0, x1, y1 = project.extent_m()
        xy = np.column_stack([rng.uniform(x0 + 0.3, x1 - 0.3, n_samples), rng.uniform(y0 + 0.3, y1 - 0.3, n_samples)])
        probe = scanner.scan()
        extra = _neighbours(rng, max(0, BSS_PER_SCAN - len(probe.observations)))
        t = time.time()
        samples = []
        for i, (x, y) in enumerate(xy):
            scanner.move_to(float(x), float(y))
            scan = scanner.scan()
            far = [
                Observation(
                    bssid=b,
                    ssid=s,
                    rssi_dbm=float(rng.uniform(-92, -70)),
                    freq_mhz=2407 + 5 * ch,
                    channel=ch,
                    band="2.4",
                    auth=("WPA2-PSK",),
                )
                for b, s, ch in extra
            ]
            scan = replace(scan, observations=scan.observations + tuple(far))
            samples.append(Sample(float(x), float(y), t + i, (scan,), SampleMode.POINT))
        for sample in samples:
            store.add_sample(survey.id, sample)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    started = time.perf_counter()
    build(out, n)
    print(f"{out}: {n} samples in {time.perf_counter() - started:.1f} s")
