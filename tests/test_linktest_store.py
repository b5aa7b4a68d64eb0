"""A link test is part of its sample in the project file: round trip, attach and replace,
the schema step from format 1, and nothing reported saved is lost to SIGKILL."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from survey.project.link import GATEWAY_TARGET, LinkTest, LinkTestResult, ProbeKind, ThroughputResult
from survey.project.model import Observation, Project, Sample, ScanResult
from survey.project.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from survey.project.store import ProjectStore


def _link(loss_received: int = 48, host: str = "api.example.com:443") -> LinkTest:
    gateway = LinkTestResult(
        target=GATEWAY_TARGET,
        address="192.0.2.1",
        probe=ProbeKind.ICMP_ECHO,
        port=None,
        sent=50,
        received=loss_received,
        rtt_median_ms=3.25,
        rtt_p95_ms=180.5,
        jitter_ms=12.125,
        started_at=1000.0,
        duration_s=5.01,
        tried=("ICMP echo: 48 of 50 answered (used)",),
    )
    named = LinkTestResult(
        target=host,
        address="198.51.100.7",
        probe=ProbeKind.TCP_CONNECT,
        port=443,
        sent=0,
        received=0,
        rtt_median_ms=None,
        rtt_p95_ms=None,
        jitter_ms=None,
        started_at=1000.0,
        duration_s=1.0,
        tried=("TCP connect 443: no answer within 1 s", "Ünïcode \ud800 note"),
    )
    return LinkTest(
        results=(gateway, named),
        throughput=ThroughputResult("192.0.2.9", 5201, up_mbps=93.5, down_mbps=41.25, duration_s=3, started_at=1006.0),
    )


def _sample(x_m: float, link: LinkTest | None = None) -> Sample:
    scan = ScanResult(
        (Observation(bssid="02:00:00:00:00:01", ssid="Home", rssi_dbm=-61.0, channel=6),), 1.0, 2.0, "fake"
    )
    return Sample(x_m=x_m, y_m=1.0, taken_at=2.0, scans=(scan,), link=link)


def test_link_round_trips_with_its_sample(tmp_path):
    with ProjectStore.create(tmp_path / "p.evsurvey", Project()) as store:
        survey = store.add_survey("Before")
        with_link = store.add_sample(survey.id, _sample(1.0, _link()))
        without = store.add_sample(survey.id, _sample(2.0))
    with ProjectStore.open(tmp_path / "p.evsurvey", read_only=True) as store:
        samples = {s.id: s for s in store.load().surveys[0].samples}
    loaded = samples[with_link].link
    expected = _link()
    assert loaded.results[0] == expected.results[0] and loaded.throughput == expected.throughput
    assert loaded.results[1].tried[1] == "Ünïcode \ufffd note"  # lone surrogates stored as U+FFFD, like SSIDs
    assert loaded.gateway.loss_pct == 4.0
    assert samples[without].link is None


def test_attach_replace_and_remove_a_link(tmp_path):
    with ProjectStore.create(tmp_path / "p.evsurvey", Project()) as store:
        survey = store.add_survey("Before")
        sid = store.add_sample(survey.id, _sample(1.0))
        store.set_sample_link(sid, _link(50))
        assert store.load().surveys[0].samples[0].link.gateway.received == 50
        store.set_sample_link(sid, LinkTest(results=_link(40).results[:1]))
        link = store.load().surveys[0].samples[0].link
        assert [r.received for r in link.results] == [40] and link.throughput is None
        store.set_sample_link(sid, None)
        assert store.load().surveys[0].samples[0].link is None
        store.set_sample_link(sid, _link())
        store.delete_sample(sid)
        rows = store._db.execute("SELECT (SELECT count(*) FROM link_results) + (SELECT count(*) FROM link_throughput)")
        assert rows.fetchone()[0] == 0  # deleted with the sample


def test_attaching_to_a_missing_sample_is_refused(tmp_path):
    import pytest

    from survey.errors import UserInputError

    with ProjectStore.create(tmp_path / "p.evsurvey", Project()) as store:
        with pytest.raises(UserInputError, match="no sample 99"):
            store.set_sample_link(99, _link())


def _format_1_file(path: Path) -> None:
    """A project as evsurvey wrote it before link tests: format 1 with one sample."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    MIGRATIONS[0](db)
    db.execute("INSERT INTO surveys(name, created_at) VALUES ('Before', 1.0)")
    db.execute("INSERT INTO samples(survey_id, x_m, y_m, taken_at, mode) VALUES (1, 3.0, 4.0, 5.0, 'point')")
    db.execute("COMMIT")
    db.execute("PRAGMA user_version = 1")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.close()


def test_a_format_1_file_gains_link_tables_and_keeps_its_samples(tmp_path):
    path = tmp_path / "old.evsurvey"
    _format_1_file(path)
    with ProjectStore.open(path, read_only=True) as store:  # reading does not migrate
        (sample,) = store.load().surveys[0].samples
        assert sample.link is None
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    with ProjectStore.open(path) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        (sample,) = store.load().surveys[0].samples
        assert (sample.x_m, sample.y_m, sample.link) == (3.0, 4.0, None)
        store.set_sample_link(sample.id, _link())
    with ProjectStore.open(path, read_only=True) as store:
        assert store.load().surveys[0].samples[0].link.gateway.rtt_p95_ms == 180.5


# -- crash safety: the pattern of test_project_store.test_samples_survive_sigkill -------------

WRITER = textwrap.dedent("""
    import sys, time
    from survey.project.link import GATEWAY_TARGET, LinkTest, LinkTestResult, ProbeKind
    from survey.project.model import Observation, Sample, ScanResult
    from survey.project.store import ProjectStore
    store = ProjectStore.open(sys.argv[1])
    survey_id = int(sys.argv[2])
    def link(i, duration_s):
        return LinkTest(results=tuple(LinkTestResult(
            target=GATEWAY_TARGET if k == 0 else f"host{k}", address="192.0.2.1", probe=ProbeKind.ICMP_ECHO,
            port=None, sent=50, received=50 - i % 7, rtt_median_ms=3.0, rtt_p95_ms=9.0, jitter_ms=1.0,
            started_at=time.time(), duration_s=duration_s, tried=("x" * 200,)) for k in range(3)))
    i = 0
    while True:
        t = time.time()
        obs = tuple(Observation(bssid=f"02:00:00:00:{i % 256:02x}:{k:02x}", ssid=f"net{k}", rssi_dbm=-40.0 - k)
                    for k in range(20))
        sample = Sample(x_m=i * 0.1, y_m=1.0, taken_at=t, scans=(ScanResult(obs, t, t, "fake"),), link=link(i, 5.0))
        sid = store.add_sample(survey_id, sample)
        print("new", sid, flush=True)
        store.set_sample_link(sid, link(i, 6.0))  # attach anew, as `linktest --project` does
        print("attached", sid, flush=True)
        i += 1
""")


def test_links_survive_sigkill(tmp_path):
    path = tmp_path / "crash.evsurvey"
    store = ProjectStore.create(path, Project())
    survey_id = store.add_survey("Before").id
    store.close()
    rng = random.Random(20261126)
    saved: set[int] = set()
    attached: set[int] = set()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(survey_id)], stdout=subprocess.PIPE, text=True, env=env
        )
        first = proc.stdout.readline()
        assert first.startswith("new "), "writer did not start"
        saved.add(int(first.split()[1]))
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        for line in out.split("\n")[:-1]:  # a line cut by the kill is not a report
            word, sid = line.split()
            (saved if word == "new" else attached).add(int(sid))
        with ProjectStore.open(path, read_only=True) as check:
            stored = {s.id: s for s in check.load().surveys[0].samples}
        assert saved <= stored.keys()
        for sample in stored.values():
            # Every stored sample has its whole link (3 targets), never a part of one.
            assert sample.link is not None and len(sample.link.results) == 3
            assert len(sample.scans[0].observations) == 20
        # An attach reported done is in the file (the attached link lasted 6 s, the first 5 s).
        assert all(stored[sid].link.gateway.duration_s == 6.0 for sid in attached)
    assert len(saved) > 12
    with ProjectStore.open(path) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
