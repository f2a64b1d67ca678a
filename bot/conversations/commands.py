"""``python -m bot report``, ``export`` and ``prune``: arguments in, files and a one-line summary out."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot.conversations import export, report, store, turns  # noqa: E402 - after the line above

RETENTION_ENV = "RETENTION_DAYS"


def add_arguments(sub: argparse._SubParsersAction) -> None:
    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--endpoints", type=Path, help="endpoints file naming the tracker store "
                            "(default: endpoints.yml, the SQLite file tracker.db or $TRACKER_DB)")
        parser.add_argument("--db-url", help="an SQLAlchemy URL instead (e.g. postgresql://user@host/careerbot)")

    rep = sub.add_parser("report", help="report.html and unanswered.csv from the stored conversations")
    rep.add_argument("--out", type=Path, default=Path("report"), help="folder to write into (default: report/)")
    rep.add_argument("--since", help="only messages from this day on (YYYY-MM-DD, UTC)")
    common(rep)
    exp = sub.add_parser("export", help="conversations as JSON lines; unanswered questions as NLU stubs")
    exp.add_argument("--out", type=Path, help="FILE.jsonl: one conversation per line")
    exp.add_argument("--nlu", type=Path, help="FILE.yml: the unanswered questions as intent: TODO examples")
    exp.add_argument("--since", help="only events from this day on (YYYY-MM-DD, UTC)")
    common(exp)
    pru = sub.add_parser("prune", help=f"delete conversations older than ${RETENTION_ENV} days")
    pru.add_argument("--days", type=float, help=f"retention in days (default: ${RETENTION_ENV})")
    common(pru)


def _since(value: str | None) -> float | None:
    try:
        return report.parse_since(value)
    except ValueError:
        raise SystemExit(f"--since {value!r}: expected a day as YYYY-MM-DD") from None


def _engine(args: argparse.Namespace):  # noqa: ANN202 - an sqlalchemy Engine
    try:
        return store.engine(args.endpoints, args.db_url)
    except store.StoreError as error:
        raise SystemExit(str(error)) from None


def run(args: argparse.Namespace) -> int:
    # Rasa's, SQLAlchemy's and matplotlib's deprecation warnings: nothing a user of these commands can act on.
    # Not a warnings filter: TensorFlow's import (through Rasa's) replaces the filter list.
    warnings.showwarning = lambda *_args, **_kwargs: None
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.command == "report":
        since = _since(args.since)
        db = _engine(args)
        started = time.monotonic()
        summary = report.write(args.out, turns.read(store.rows(db, since)), source=_describe(db), since=args.since)
        print(f"{summary.conversations} conversations, {summary.questions} questions "
              f"({100 * summary.share('answered'):.1f}% answered), {summary.unanswered} unanswered, "
              f"in {time.monotonic() - started:.1f}s: {args.out / 'report.html'}, {args.out / 'unanswered.csv'}")
        return 0
    if args.command == "export":
        if args.out is None and args.nlu is None:
            print("export: give --out FILE.jsonl and/or --nlu FILE.yml", file=sys.stderr)
            return 2
        since = _since(args.since)
        db = _engine(args)
        groups = None
        if args.nlu is not None:
            _, unanswered = report.summarise(turns.read(store.rows(db, since)))
            groups = report.grouped(unanswered)
        written, examples = export.write(db, args.out, args.nlu, since, groups)
        if args.out is not None:
            print(f"{written} conversations: {args.out}")
        if args.nlu is not None:
            print(f"{examples} unanswered questions as NLU stubs: {args.nlu}")
        return 0
    if args.command == "prune":
        days = args.days if args.days is not None else os.environ.get(RETENTION_ENV)
        try:
            days = float(days) if days not in (None, "") else None
        except ValueError:
            days = None
        if days is None or days <= 0:
            print(f"prune: set {RETENTION_ENV} (days to keep, e.g. {RETENTION_ENV}=90) or give --days",
                  file=sys.stderr)
            return 2
        db = _engine(args)
        conversations, events = store.prune(db, time.time() - days * 86400)
        print(f"Deleted {conversations} conversations ({events} events) with nothing newer than {days:g} days.")
        return 0
    return 2


def _describe(db) -> str:  # noqa: ANN001
    return db.url.render_as_string(hide_password=True)
