"""The crash test through the window: samples taken with pytest-qt clicks in the real
window (in another process) survive SIGKILL of the app, run after run — each run reopens
the file with the previous run's log, which is paired with it and replayed, not set aside."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from project_files import subprocess_env

from survey.demo import build_demo_project
from survey.project.store import ProjectStore

APP = Path(__file__).with_name("gui_sampling_app.py")


@pytest.mark.slow
def test_samples_taken_in_the_window_survive_sigkill(tmp_path):
    path = tmp_path / "garage.evsurvey"
    build_demo_project(path).close()
    rng = random.Random(20)
    reported: set[int] = set()
    env = dict(subprocess_env(), EVSURVEY_KILL_PROJECT=str(path))
    for _run in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(APP)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=Path(__file__).parents[2],
        )
        wanted = rng.randint(3, 12)
        seen = 0
        try:
            for line in proc.stdout:
                if line.startswith("saved "):
                    reported.add(int(line.split()[1]))
                    seen += 1
                    if seen >= wanted:
                        break
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=30)
        reported.update(int(line.split()[1]) for line in out.split("\n")[:-1] if line.startswith("saved "))
        assert seen >= wanted, "the window did not sample"
        assert Path(str(path) + "-wal").exists()  # killed with its log open
        with ProjectStore.open(path, read_only=True) as store:
            stored = {s.id for survey in store.load().surveys for s in survey.samples}
        assert reported <= stored
    assert len(reported) >= 6
    assert not [p for p in tmp_path.iterdir() if "stale" in p.name]
