"""Where bundled assets and per-user files live (no Qt, no logic beyond lookup)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

_APP = "evsurvey"


def assets_dir() -> Path:
    """The ``assets/`` folder: beside the package in a source checkout, inside it in a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "assets", here / "_assets"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("evsurvey's assets folder is missing; reinstall evsurvey")


def asset(*parts: str) -> Path:
    return assets_dir().joinpath(*parts)


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(_APP, appauthor=False))


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(_APP, appauthor=False))
