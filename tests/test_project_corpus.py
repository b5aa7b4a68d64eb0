"""Issue 21, bad rows: more than 40 bad project files (generated here), opened every way a
person can open them. Each is refused with a plain message or opened with the bad rows left
out and named, never a traceback or a hang, and the file's bytes and the folder stay as
they were. The window's open path is in tests/ui/test_session_corpus.py."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from project_files import bad_project_files, digest, listing, subprocess_env

from survey.errors import UserInputError
from survey.project.store import ProjectFileError, ProjectStore


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    files = bad_project_files(folder)
    return folder, files


def _fingerprint(path):
    return digest(path) if path.is_file() else None


def test_the_corpus_has_every_kind(corpus):
    _folder, files = corpus
    assert len(files) >= 40
    assert len({f.label for f in files}) == len(files)
    assert sum(not f.refused for f in files) >= 20  # bad rows and meta values, beside refused files


def test_the_store_refuses_or_reads_around_each_bad_file(corpus):
    folder, files = corpus
    before = listing(folder)
    for bad in files:
        print(bad.label)
        fingerprint = _fingerprint(bad.path)
        # Strict (what every CLI command does): refused, exit-2 class, the reason named.
        with pytest.raises(UserInputError) as info:
            with ProjectStore.open(bad.path, read_only=True) as store:
                store.load()
        assert bad.problem in str(info.value), (bad.label, str(info.value))
        if bad.refused:
            with pytest.raises(ProjectFileError):
                ProjectStore.open(bad.path)
        else:
            # The window's way: opened for writing, bad rows left out and named, nothing written.
            with ProjectStore.open(bad.path) as store:
                store.load(skip_damaged=True)
                assert any(bad.problem in p for p in store.load_problems), (bad.label, store.load_problems)
        assert _fingerprint(bad.path) == fingerprint, f"{bad.label}: the file was changed"
        assert listing(folder) == before, f"{bad.label}: side files were left"


DRIVER = textwrap.dedent("""
    import contextlib, io, json, logging, sys, traceback
    from survey.cli import main
    for argv in json.loads(sys.argv[1]):
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
        except BaseException:
            code, trace = "traceback", traceback.format_exc()
            err.write(trace)
        logging.getLogger("survey").handlers.clear()
        print(json.dumps({"argv": argv, "code": code, "stderr": err.getvalue()}), flush=True)
""")


@pytest.mark.slow
def test_cli_info_recommend_report_on_each_bad_file(corpus, tmp_path):
    """The real entry point (``survey.cli.main``, as ``evsurvey`` runs it) for the three
    commands on every file, in one process with a time limit: a hang fails the test."""
    folder, files = corpus
    before = {bad.label: _fingerprint(bad.path) for bad in files}
    listed = listing(folder)
    runs = []
    for bad in files:
        runs += [
            ["info", str(bad.path)],
            ["info", str(bad.path), "--json"],
            ["recommend", str(bad.path)],
            ["report", str(bad.path), "-o", str(tmp_path / "out.pdf")],
        ]
    env = subprocess_env()
    env.update(
        HOME=str(tmp_path),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(runs)], capture_output=True, text=True, env=env, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(runs)
    by_path = {str(bad.path): bad for bad in files}
    for result in results:
        bad = by_path[result["argv"][1]]
        assert result["code"] == 2, (bad.label, result)
        assert "Traceback" not in result["stderr"], (bad.label, result["stderr"])
        assert result["stderr"].startswith("evsurvey: ") and bad.problem in result["stderr"], (bad.label, result)
    assert not (tmp_path / "out.pdf").exists()
    for bad in files:
        assert _fingerprint(bad.path) == before[bad.label], f"{bad.label}: the file was changed"
    assert listing(folder) == listed
