"""Issue 21, "Saved scans": every parser and the format detector run in time linear in their
input. 1 MB of adversarial text (the shapes the red team found super-linear or hanging,
each also as lines just under the length limit, and random mixes of every format's
tokens) takes under 2 s, and 1 MB takes at most ~25x what 100 kB takes (10x is linear;
the bound is generous for a shared machine). Times are CPU time of this process
(``time.process_time``), so other processes on the machine do not count. The benchmark
with each shape's figures is tests/benchmarks/test_bench_parsers.py.
"""

from __future__ import annotations

import time

import pytest
from fakes.hostile_scans import SHAPES, all_shapes, capped

from survey.errors import EvSurveyError
from survey.project.display import display_ssid
from survey.project.model import Observation
from survey.scan.command import format_table
from survey.scan.parsers import airport, detect_format, iw, macos, netsh, nmcli, parse_text, wpa_cli

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
LIMIT_S = 2.0
MAX_RATIO = 25.0
#: Below this a time is noise: the ratio is taken against it.
FLOOR_S = 0.01


def cpu_seconds(func, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        try:
            func(text)
        except (EvSurveyError, ValueError):  # refusing garbage is fine; doing it slowly is not
            pass
        best = min(best, time.process_time() - start)
    return best


def mixed(size: int) -> str:
    """Every adversarial shape, each ``size / len(shapes)`` characters, one after the other."""
    shapes = all_shapes(max(1000, size // (2 * len(SHAPES) + 2)))
    return "\n".join(shapes.values())


@pytest.fixture(scope="module")
def texts():
    return {100_000: mixed(100_000), 1_000_000: mixed(1_000_000)}


def check_linear(func, small: str, big: str) -> tuple[float, float]:
    t_small = cpu_seconds(func, small, 3)
    t_big = cpu_seconds(func, big, 2)
    assert t_big < LIMIT_S, f"{len(big)} characters took {t_big:.2f} s"
    assert t_big <= MAX_RATIO * max(t_small, FLOOR_S), f"100 kB {t_small:.3f} s, 1 MB {t_big:.3f} s"
    return t_small, t_big


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_parser_is_linear_on_all_shapes_mixed(name, texts):
    check_linear(PARSERS[name], texts[100_000], texts[1_000_000])


# The shapes issue 21 names, each on its own at 1 MB through the parser it broke and through
# detection + parsing; as one line and as lines just under the length limit.
NAMED = [
    ("netsh_label_spaces", "netsh"),
    ("spaces_line", "netsh"),
    ("iw_bss_line", "iw"),
    ("iw_bss_spaces", "iw"),
    ("airport_row", "airport"),
    ("airport_rssi_runs", "airport"),
    ("prompt_user_at_host", "nmcli"),
    ("prompt_path", "iw"),
    ("wpa_brackets", "wpa_cli"),
    ("wpa_tag_dashes", "wpa_cli"),
    ("nmcli_table_gap", "nmcli"),
    ("nmcli_table_words", "nmcli"),
    ("nmcli_terse_columns", "nmcli"),
    ("separators", "airport"),
]


@pytest.mark.slow
@pytest.mark.parametrize("shape, parser", NAMED)
def test_the_issues_shapes_are_linear(shape, parser):
    make = SHAPES[shape]
    for build in (make, lambda n: capped(make, n)):
        small, big = build(100_000), build(1_000_000)
        check_linear(PARSERS[parser], small, big)
        check_linear(parse_text, small, big)


def test_cli_table_cell_fitting_and_the_display_rule_are_linear():
    """A 100 kB SSID ran past 120 s in the CLI table's cell fitting."""

    def table(n):
        return [Observation("02:00:00:00:00:01", ("😀\u202e" * n)[:n], -50.0, channel=6)]

    small, big = table(100_000), table(1_000_000)
    for func in (format_table, lambda obs: display_ssid(obs[0].ssid)):
        t_small = cpu_seconds(func, small, 2)
        t_big = cpu_seconds(func, big, 1)
        assert t_big < LIMIT_S and t_big <= MAX_RATIO * max(t_small, FLOOR_S)
    row = format_table(small).split("\n")[2]
    assert len(row) < 200 and "…" in row
