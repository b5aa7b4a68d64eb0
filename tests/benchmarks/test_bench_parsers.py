"""Benchmark: every saved-scan parser and the format detector on adversarial input (issue 21).

For each parser and each shape of tests/fakes/hostile_scans.py (the red team's
super-linear inputs, as one block and as lines just under the length limit, and random
mixes), CPU time at 100 kB, 300 kB and 1 MB. Prints the table (``pytest -s``) and stores
it in the benchmark's extra_info; fails when any 1 MB input takes 2 s or more, or grows
more than 25x from 100 kB to 1 MB (10x is linear).

    uv run pytest tests/benchmarks/test_bench_parsers.py -s
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("pytest_benchmark")

from fakes.hostile_scans import all_shapes  # noqa: E402

from survey.errors import EvSurveyError  # noqa: E402
from survey.scan.parsers import airport, detect_format, iw, macos, netsh, nmcli, parse_text, wpa_cli  # noqa: E402

PARSERS = {
    "iw": iw.parse,
    "nmcli": nmcli.parse,
    "wpa_cli": wpa_cli.parse,
    "netsh": netsh.parse,
    "airport": airport.parse,
    "wdutil": macos.parse_wdutil,
    "system_profiler": macos.parse_system_profiler,
    "detect_format": detect_format,
    "parse_text": parse_text,
}
SIZES = (100_000, 300_000, 1_000_000)
LIMIT_S = 2.0
MAX_RATIO = 25.0
FLOOR_S = 0.01


def cpu_seconds(func, text: str, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        try:
            func(text)
        except (EvSurveyError, ValueError):
            pass
        best = min(best, time.process_time() - start)
    return best


def test_parsers_on_every_adversarial_shape(benchmark):
    texts = {size: all_shapes(size) for size in SIZES}
    rows = []
    for pname, func in PARSERS.items():
        for shape in texts[SIZES[0]]:
            times = [cpu_seconds(func, texts[size][shape]) for size in SIZES]
            rows.append((pname, shape, *times))
    worst = max(rows, key=lambda r: r[-1])
    lines = [f"{'parser':16s} {'shape':30s} {'100 kB':>8s} {'300 kB':>8s} {'1 MB':>8s} {'1MB/100kB':>9s}"]
    for pname, shape, *times in sorted(rows, key=lambda r: -r[-1]):
        lines.append(
            f"{pname:16s} {shape:30s} "
            + " ".join(f"{t:8.3f}" for t in times)
            + f" {times[-1] / max(times[0], FLOOR_S):9.1f}"
        )
    print("\n" + "\n".join(lines))
    benchmark.extra_info["table"] = lines
    benchmark.extra_info["worst_1mb_s"] = worst[-1]
    # The timed figure: detection and parsing of the slowest shape at 1 MB.
    slow_text = texts[SIZES[-1]][worst[1]]
    benchmark.pedantic(cpu_seconds, args=(PARSERS[worst[0]], slow_text, 1), rounds=3, iterations=1)
    for pname, shape, t_small, _, t_big in rows:
        assert t_big < LIMIT_S, f"{pname} on {shape}: {t_big:.2f} s for 1 MB"
        assert t_big <= MAX_RATIO * max(t_small, FLOOR_S), f"{pname} on {shape}: {t_small:.3f} s -> {t_big:.3f} s"
