"""Shared test setup: headless Qt and per-test user folders (Qt itself only in tests/ui).

QT_QPA_PLATFORM must be set before anything imports Qt, so it is set at import time of
this file (pytest imports conftest.py before the test modules).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


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
        monkeypatch.setattr(platformdirs, name,
                            lambda appname=None, *a, _n=name, **k: str(home / _n / (appname or "app")))
    yield home
