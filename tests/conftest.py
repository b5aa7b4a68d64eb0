"""Shared test setup: headless Qt, per-test user folders (Qt itself only in tests/ui), and the
network guard: no test may send a packet off this machine (tests/netguard/evsurvey_netguard.py
says what it refuses and what it cannot see).

QT_QPA_PLATFORM must be set before anything imports Qt, so it is set at import time of
this file (pytest imports conftest.py before the test modules). The guard is installed at
import time too, before any test module runs code, and carried into Python subprocesses
through PYTHONPATH (tests/netguard/sitecustomize.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_NETGUARD_DIR = Path(__file__).resolve().parent / "netguard"
sys.path.insert(0, str(_NETGUARD_DIR))
import evsurvey_netguard  # noqa: E402

_NETGUARD_LOG = Path(tempfile.mkdtemp(prefix="evsurvey-netguard-")) / "refusals.log"
atexit.register(shutil.rmtree, _NETGUARD_LOG.parent, ignore_errors=True)
os.environ[evsurvey_netguard.ENV_FLAG] = "1"
os.environ[evsurvey_netguard.ENV_LOG] = str(_NETGUARD_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(_NETGUARD_DIR), os.environ.get("PYTHONPATH")) if p)
NETGUARD = evsurvey_netguard.install(main_process=True)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _network_guard():
    """Fails the test that tried to reach an address off this machine, even when the code under
    test caught the guard's error (a netcheck turns every error into a verdict) or the attempt
    was made in a thread or a Python subprocess of the test."""
    late = NETGUARD.take() + evsurvey_netguard.subprocess_refusals(str(_NETGUARD_LOG))
    if late:
        pytest.fail(
            "a thread or process an earlier test left running tried to reach the network outside "
            "loopback:\n  " + "\n  ".join(late),
            pytrace=False,
        )
    yield NETGUARD
    refused = NETGUARD.take() + evsurvey_netguard.subprocess_refusals(str(_NETGUARD_LOG))
    if refused:
        pytest.fail("the test tried to reach the network outside loopback:\n  " + "\n  ".join(refused), pytrace=False)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """platformdirs (profiles, logs) point into a fresh temporary folder for every test."""
    home = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    import platformdirs

    for name in ("user_data_dir", "user_config_dir", "user_log_dir", "user_cache_dir", "user_state_dir"):
        monkeypatch.setattr(
            platformdirs, name, lambda appname=None, *a, _n=name, **k: str(home / _n / (appname or "app"))
        )
    yield home


@pytest.fixture(autouse=True)
def _display_rule_for_a_terminal():
    """A window sets the display rule's "what this screen can draw" for its process
    (survey.ui.glyphs); the next test (a CLI's output, a PDF) starts without it."""
    yield
    from survey.project import display

    display.set_surface_can_show(None)
