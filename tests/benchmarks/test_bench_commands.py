"""Whole commands as a person waits for them: ``evsurvey recommend`` and ``evsurvey report``
from start to exit, on surveyed projects of 500, 2,000 and 5,000 samples x ~30 BSSs
(tests/benchmarks/bigsite.py), with each command's peak memory.

DESIGN.md budget: recommend / report of a 5,000-sample x 30-BSS project <= 10 s each. The
peer in the same run is ``evsurvey info`` on the same file: the cost of starting Python and
reading the project, below which no command can go.

    uv run pytest tests/benchmarks/test_bench_commands.py -o addopts="" -p no:cacheprovider -s
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from bigsite import build  # noqa: E402

BUDGET_S = 10.0
SIZES = (500, 2000, 5000)
REPEATS = 3

#: Runs one command in a child and prints its wall time and its own peak RSS: the
#: grandchild's ru_maxrss is per process, not the benchmark's own.
_TIMER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "s = time.perf_counter() - t\n"
    "print(json.dumps({'s': s, 'rc': done.returncode, 'err': done.stderr.decode()[-500:],\n"
    "                  'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
)


def run_command(*args) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _TIMER, sys.executable, "-m", "survey", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    result = json.loads(out.stdout)
    assert result["rc"] == 0, result["err"]
    return result


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return {n: build(folder / f"site-{n}.evsurvey", n) for n in SIZES}


@pytest.mark.parametrize("n", SIZES)
def test_bench_recommend_and_report(projects, n, tmp_path):
    path = projects[n]
    rows = {}
    for name, args in (
        ("info", ("info", str(path))),
        ("recommend", ("recommend", str(path))),
        ("report", ("report", str(path), "-o", str(tmp_path / "r.pdf"))),
    ):
        runs = [run_command(*args) for _ in range(REPEATS)]
        rows[name] = (statistics.median(r["s"] for r in runs), max(r["maxrss_kb"] for r in runs) / 1024)
    print(f"\n{n} samples: " + "; ".join(f"{k} {s:.2f} s, peak {mb:.0f} MB" for k, (s, mb) in rows.items()))
    for name in ("recommend", "report"):
        assert rows[name][0] <= BUDGET_S, f"{name} of {n} samples took {rows[name][0]:.1f} s (budget {BUDGET_S:.0f} s)"
