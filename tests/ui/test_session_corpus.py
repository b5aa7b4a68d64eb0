"""Issue 21, bad rows, through the window's open path: every file of the bad-project corpus
(tests/project_files.py) gives a message — refused, or opened with the bad rows left out
and named — never a traceback or a hang, and neither the file nor its folder changes."""

from __future__ import annotations

import pytest
from project_files import bad_project_files, digest, listing

from survey.ui import dialogs


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: shown.append((title, message)))
    return shown


@pytest.mark.slow
def test_the_window_opens_or_refuses_each_bad_file_with_a_message(window, tmp_path, errors, qtbot):
    files = bad_project_files(tmp_path / "corpus")
    folder = tmp_path / "corpus"
    before = listing(folder)
    for bad in files:
        fingerprint = digest(bad.path) if bad.path.is_file() else None
        errors.clear()
        opened = window.open_project(bad.path)
        assert opened is not bad.refused, bad.label
        assert len(errors) == 1, (bad.label, errors)
        title, message = errors[0]
        assert title == ("Open project" if bad.refused else "Opened with problems"), (bad.label, title)
        assert bad.problem in message, (bad.label, message)
        if opened:
            assert "(read-only)" not in window.windowTitle() and window.session.writable
            qtbot.wait(20)  # let the panels draw what was kept
            window.close_project()
        assert not window.session.is_open
        assert (digest(bad.path) if bad.path.is_file() else None) == fingerprint, f"{bad.label}: file changed"
        assert listing(folder) == before, f"{bad.label}: side files left"
