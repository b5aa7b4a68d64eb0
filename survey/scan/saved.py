"""Saved scanner output as survey data: read a file safely, turn it into a scan, store it as a sample.

A scan taken with another laptop or a phone app and saved to a file (``iw``, ``nmcli``,
``wpa_cli``, ``netsh``, ``airport``, ``wdutil``, ``system_profiler`` output) becomes a
sample at the spot where it was taken. Each file is one :class:`ScanResult` whose
``backend`` names its source (``file:iw (garage.txt)``,
:func:`survey.project.display.imported_backend`) and whose warnings are the parser's,
so the report shows where every number came from. Files taken at one spot make one
sample (their readings are averaged in mW, like repeated live scans).

Used by ``evsurvey import`` (:mod:`survey.scan.import_command`) and by the GUI's drop of
a saved scan onto the plan (:mod:`survey.ui.scan_drop`).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from survey.errors import UserInputError
from survey.project.display import escape_text, imported_backend
from survey.project.model import Project, Sample, ScanResult, Survey
from survey.scan.parsers import parse_bytes
from survey.scan.parsers.common import MAX_SCAN_BYTES, ParsedScan, check_size
from survey.scan.sampling import accept_point

#: How far outside the plan's extent a position may lie (m): standing in the driveway just
#: outside the drawn walls is a real spot; 30 m away is a typo.
AT_MARGIN_M = 5.0


@dataclass(frozen=True)
class SavedScan:
    """One saved scan file read and parsed: its name, what the parser made of it, and the
    scan to store (times are the file's modification time: when it was saved)."""

    name: str
    parsed: ParsedScan
    result: ScanResult


def read_scan_file(path: Path) -> bytes:
    """The bytes of a saved scan file, at most :data:`MAX_SCAN_BYTES`.

    Refuses, with a :class:`UserInputError` that says what to do, anything that is not a
    regular file (a FIFO would block the read forever, a device never ends) and files too
    large to be scanner output. The file is opened without blocking and checked by its
    open descriptor, so it cannot be swapped for a FIFO in between.
    """
    shown = escape_text(str(path))
    fd: int | None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise UserInputError(f"Cannot read {shown}: {exc.strerror or exc}. Check the path.") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserInputError(
                f"{shown} is not a regular file (a folder, pipe or device): give the saved text file of a scan."
            )
        check_size(info.st_size, shown)
        with os.fdopen(fd, "rb") as f:
            fd = None  # closed by the file object now
            data = f.read(MAX_SCAN_BYTES + 1)
    except OSError as exc:
        raise UserInputError(f"Cannot read {shown}: {exc.strerror or exc}.") from exc
    finally:
        if fd is not None:
            os.close(fd)
    check_size(len(data), shown)
    return data


def saved_scan(name: str, data: bytes, *, format: str = "auto", saved_at: float | None = None) -> SavedScan:  # noqa: A002
    """Parse one saved scan's bytes into the :class:`ScanResult` a sample stores.

    Raises :class:`UserInputError` when the text is no scan or holds no network.
    """
    parsed = parse_bytes(data, format)
    if not parsed.observations:
        raise UserInputError(
            f"{escape_text(name)} holds no network ({parsed.format} output without a single "
            "access point), so there is nothing to import. Save the scan again while "
            "networks are in range."
        )
    when = time.time() if saved_at is None else saved_at
    result = ScanResult(
        parsed.observations,
        started_at=when,
        finished_at=when,
        backend=imported_backend(parsed.format, name),
        fresh=True,
        warnings=parsed.warnings,
    )
    return SavedScan(name, parsed, result)


def read_saved_scan(path: Path, *, format: str = "auto") -> SavedScan:  # noqa: A002
    """:func:`saved_scan` of a file, timed by its modification time."""
    path = Path(path)
    data = read_scan_file(path)
    try:
        saved_at = path.stat().st_mtime
    except OSError:
        saved_at = None
    return saved_scan(path.name, data, format=format, saved_at=saved_at)


def check_on_plan(project: Project, at_m: tuple[float, float], where: str) -> None:
    """Refuse a position (metres) more than :data:`AT_MARGIN_M` outside the plan of ``project``."""
    x0, y0, x1, y1 = project.extent_m(AT_MARGIN_M)
    if not (x0 <= at_m[0] <= x1 and y0 <= at_m[1] <= y1):
        raise UserInputError(
            f"--at {at_m[0]:g},{at_m[1]:g} is off the plan of {where} "
            f"(x {x0 + AT_MARGIN_M:.1f} to {x1 - AT_MARGIN_M:.1f} m, "
            f"y {y0 + AT_MARGIN_M:.1f} to {y1 - AT_MARGIN_M:.1f} m); check the position."
        )


def sample_of(scans: list[SavedScan] | tuple[SavedScan, ...], at_m: tuple[float, float]) -> Sample:
    """One point sample at ``at_m`` (metres) holding every saved scan taken there.

    Accepted like a live scan (:func:`survey.scan.sampling.accept_point`) except for age: a
    file is timed by when it was saved, so it is old by the time it is imported.
    """
    return accept_point([s.result for s in scans], at_m, time.time(), max_age_s=None)


@dataclass(frozen=True)
class ImportResult:
    survey: Survey
    sample_id: int
    sample: Sample
    created_survey: bool


def import_sample(store, project: Project, survey_name: str, sample: Sample) -> ImportResult:
    """Store ``sample`` in the survey named ``survey_name`` (found ignoring case, created
    when missing) through the project store's public API; one transaction for the sample."""
    survey = project.survey_named(survey_name.strip())
    created = survey is None
    if survey is None:
        survey = store.add_survey(survey_name)
    sample_id = store.add_sample(survey.id, sample)
    return ImportResult(survey, sample_id, sample, created)
