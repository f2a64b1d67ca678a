"""``python -m bot report``, ``export`` and ``prune`` on a seeded tracker store (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import seeded_conversations as seed
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.conversations import export, report, store, turns

ROOT = Path(__file__).resolve().parents[2]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def sqlite_store(path: Path) -> str:
    seed.save(SQLTrackerStore(dialect="sqlite", db=str(path)))
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_store(tmp_path_factory.mktemp("store") / "tracker.db")


def _postgres_or_skip():  # noqa: ANN202 - a psycopg2 connection
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        connection = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    except psycopg2.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL on {PG['host']}:{PG['port']} is needed on CI: {error}")
        pytest.skip(f"no PostgreSQL on {PG['host']}:{PG['port']}: {error}")
    connection.autocommit = True
    return connection


@pytest.fixture(scope="module")
def postgresql_url() -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL, seeded, dropped afterwards."""
    admin = _postgres_or_skip()
    name = f"careerbot_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        seed.save(SQLTrackerStore(dialect="postgresql", host=PG["host"], port=PG["port"], db=name,
                                  username=PG["user"]))
        yield f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def test_the_report_figures_and_unanswered_csv_are_exactly_right(seeded: str, tmp_path: Path) -> None:
    summary = report.write(tmp_path, turns.read(store.rows(store.engine(url=seeded))), source="seed")
    figures = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    for key, value in seed.EXPECTED_SUMMARY.items():
        assert figures[key] == value, key
    assert figures["shares"]["answered"] == round(5 / 11, 4) and summary.questions == 11
    with (tmp_path / "unanswered.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [(r["count"], r["example"], r["reasons"], r["bot_reading"], r["comments"], r["conversations"])
            for r in rows] == seed.EXPECTED_GROUPS
    assert [r["group"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["wordings"] == ("whats the cpc exam pass rate in my state | "
                                   "What is the CPC exam pass rate in my state?")
    assert rows[0]["first_seen"] == "2026-11-01 09:01" and rows[0]["last_seen"] == "2026-11-02 14:05"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<b>5</b>conversations" in page and "<b>45.5%</b>answered" in page
    assert page.count("data:image/png;base64,") == 4  # per day, outcomes, topics, feedback
    assert seed.EMAIL not in page + (tmp_path / "unanswered.csv").read_text(encoding="utf-8")


def test_since_limits_the_period(sqlite_url: str, tmp_path: Path) -> None:
    since = report.parse_since("2026-11-02")
    summary, unanswered = report.summarise(turns.read(store.rows(store.engine(url=sqlite_url), since)))
    assert (summary.conversations, summary.questions, summary.first) == (3, 5, "2026-11-02")
    assert sorted(u.conversation for u in unanswered) == ["c3", "c5"]


def test_the_command_line_writes_the_report_from_an_endpoints_file(sqlite_url: str, tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: sql\n  dialect: sqlite\n  db: ${SEEDED_DB}\n", encoding="utf-8")
    env = {**os.environ, "SEEDED_DB": sqlite_url[len("sqlite:///"):], "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "report", "--endpoints", str(endpoints), "--out",
                           str(tmp_path / "out")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "5 conversations, 11 questions (45.5% answered), 5 unanswered" in done.stdout
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"report.html", "unanswered.csv", "summary.json"}
    missing = subprocess.run([sys.executable, "-m", "bot", "report", "--db-url", f"sqlite:///{tmp_path}/none.db"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "no conversations yet" in missing.stderr and "Traceback" not in missing.stderr


def test_export_round_trips_and_masks(seeded: str, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    written, _ = export.write(store.engine(url=seeded), first, None, None)
    lines = first.read_text(encoding="utf-8").splitlines()
    assert written == len(lines) == 5
    text = first.read_text(encoding="utf-8")
    assert seed.EMAIL not in text and seed.PHONE not in text and "[email]" in text and "[phone]" in text
    c1 = json.loads(lines[0])
    assert c1["conversation_id"] == "c1"
    kinds = [e["event"] for e in c1["events"]]
    assert kinds.count("user") == 4 and "action" in kinds and "bot" in kinds
    assert {"event": "slot", "name": "feedback", "value": "not_helpful"}.items() <= next(
        e for e in c1["events"] if e.get("name") == "feedback").items()
    # the exported events load back into a tracker store and export the same
    copy = tmp_path / "copy.db"
    again = SQLTrackerStore(dialect="sqlite", db=str(copy))

    async def load() -> None:
        for line in lines:
            item = json.loads(line)
            await again.save(DialogueStateTracker.from_dict(item["conversation_id"], item["events"]))

    import asyncio

    asyncio.run(load())
    second = tmp_path / "second.jsonl"
    export.write(store.engine(url=f"sqlite:///{copy}"), second, None, None)
    assert second.read_text(encoding="utf-8") == text


def test_unanswered_questions_become_nlu_stubs_rasa_reads(sqlite_url: str, tmp_path: Path) -> None:
    _, unanswered = report.summarise(turns.read(store.rows(store.engine(url=sqlite_url))))
    stubs = tmp_path / "unanswered.yml"
    _, examples = export.write(store.engine(url=sqlite_url), None, stubs, None, report.grouped(unanswered))
    data = RasaYAMLReader().reads(stubs.read_text(encoding="utf-8"))
    texts = [m.get("text") for m in data.intent_examples]
    assert examples == 5 and {m.get("intent") for m in data.intent_examples} == {"TODO"}
    assert texts[:2] == ["whats the cpc exam pass rate in my state", "What is the CPC exam pass rate in my state?"]
    assert "# group 1: 2 messages (fallback 2); read as nlu_fallback (0.29)" in stubs.read_text(encoding="utf-8")


def test_prune_deletes_whole_conversations_older_than_the_cut(tmp_path: Path) -> None:
    url = sqlite_store(tmp_path / "tracker.db")
    db = store.engine(url=url)
    conversations, events = store.prune(db, report.parse_since("2026-11-02"))
    with db.connect() as connection:
        left = {r[0] for r in connection.execute(sa.text("select distinct sender_id from events"))}
    assert conversations == 2 and events > 20 and left == {"c3", "c4", "c5"}
    assert store.prune(db, report.parse_since("2026-11-02")) == (0, 0)


def test_prune_needs_a_retention(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RETENTION_DAYS"}
    done = subprocess.run([sys.executable, "-m", "bot", "prune", "--db-url", f"sqlite:///{tmp_path}/x.db"],
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "set RETENTION_DAYS" in done.stderr


def test_an_empty_store_gives_an_empty_report_and_stubs_rasa_reads(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    SQLTrackerStore(dialect="sqlite", db=str(path))  # the table, no conversations
    db = store.engine(url=f"sqlite:///{path}")
    summary = report.write(tmp_path / "out", turns.read(store.rows(db)), source="empty")
    assert (summary.conversations, summary.questions, summary.unanswered) == (0, 0, 0)
    assert "no messages" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    stubs = tmp_path / "stubs.yml"
    assert export.write(db, None, stubs, None, []) == (0, 0)
    assert RasaYAMLReader().reads(stubs.read_text(encoding="utf-8")).training_examples == []


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "report", "--db-url", "postgresql://postgres@127.0.0.1:1/x",
                           "--out", str(tmp_path)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("cannot read the tracker store postgresql://postgres@127.0.0.1:1/x: ")
    assert len(done.stderr.strip().splitlines()) == 1
