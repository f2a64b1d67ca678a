"""``python -m bench --only scale``: the same load against one Rasa server and against two, behind HAProxy.

Each configuration is started as ``make cluster`` starts it (:mod:`bot.cluster`,
1 then 2 Rasa servers with as many action servers) on the machine's PostgreSQL
(a fresh database, dropped afterwards) and Redis, and gets the load of
:mod:`bench.load` through HAProxy: :data:`USERS` users for :data:`SECONDS`
seconds, each sending the dev questions one after the other. Measured per
configuration: throughput, p50/p95, errors (HTTP errors, empty replies and the
bot's apologies), turns acknowledged vs user messages stored (per
conversation: a turn answered but not stored is lost), CPU per turn by
process, PostgreSQL transactions and rows per turn, Redis commands per turn.
From those, :func:`capacity` sizes 100, 1,000 and 10,000 concurrent users.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence

import requests

from bench import OUT, ROOT
from bench.botrun import free_port, tree_cpu_seconds
from bench.stats import latency_summary

USERS = 40
SECONDS = 20.0
CONVERSATION_TURNS = 10
PG = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
#: Capacity table: one message per this many seconds from each person chatting (typing and reading
#: take 10-30 s per turn; an assumption, shown with the table), and a core kept this busy at most.
SECONDS_BETWEEN_MESSAGES = 15.0
TARGET_UTILISATION = 0.7


def _machine_busy_seconds() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _redis_commands() -> int:
    import redis

    return int(redis.Redis(host=REDIS[0], port=REDIS[1]).info("stats")["total_commands_processed"])


def _pg(database: str, query: str, *args: Any) -> List[tuple]:
    import psycopg2

    connection = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname=database)
    try:
        connection.autocommit = True  # DROP DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute(query, args)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def _pg_counters(database: str) -> Dict[str, int]:
    row = _pg("postgres", "SELECT xact_commit, tup_inserted, tup_returned + tup_fetched "
                          "FROM pg_stat_database WHERE datname = %s", database)
    return dict(zip(("transactions", "rows_inserted", "rows_read"), row[0] if row else (0, 0, 0), strict=True))


def _drop(database: str) -> None:
    _pg("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _cpu(parts: Dict[str, Any]) -> Dict[str, float]:
    """CPU seconds so far of every child process, summed by kind (Rasa servers, action servers, HAProxy)."""
    totals: Dict[str, float] = {"rasa_servers": 0.0, "action_servers": 0.0, "haproxy": 0.0}
    for name, child in parts.items():
        proc = getattr(child, "proc", None)
        if proc is None:
            continue
        kind = "rasa_servers" if name.startswith("Rasa") else "action_servers" if name.startswith("action") else (
            "haproxy")
        totals[kind] += tree_cpu_seconds(proc.pid)
    return totals


def configuration(servers_count: int, model: Path, texts_file: Path, workdir: Path,
                  users: int = USERS, seconds: float = SECONDS) -> Dict[str, Any]:
    """Start ``servers_count`` Rasa and action servers behind HAProxy, load them, measure, stop them."""
    from bot import cluster, servers
    from bot.channels.resilience import APOLOGY, NOT_SAVED

    database = f"careerbot_bench_{uuid.uuid4().hex[:8]}"
    settings = cluster.ClusterSettings(
        port=free_port(), web_port=free_port(), actions_port=free_port(), model=str(model),
        rasa_port_list=tuple(free_port() for _ in range(servers_count)),
        action_port_list=tuple(free_port() for _ in range(servers_count)),
        database_url=f"postgresql://postgres@{PG[0]}:{PG[1]}/{database}", redis_url=f"redis://{REDIS[0]}:{REDIS[1]}/0",
    )
    workdir.mkdir(parents=True, exist_ok=True)
    parts = cluster.children(settings, workdir)
    supervisor = servers.Supervisor(parts, say=lambda line: print(f"  {line}", flush=True))
    started = time.monotonic()
    supervisor.start()
    try:
        startup = time.monotonic() - started
        texts = json.loads(texts_file.read_text(encoding="utf-8"))
        for port in settings.rasa_ports:  # every server has answered once before the clock starts
            for text in texts[:5]:
                requests.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                              json={"sender": f"warmup-{port}", "message": text}, timeout=60).raise_for_status()
        result_file = OUT / f"scale_{servers_count}.json"
        cmd = [sys.executable, "-m", "bench.load", "--url", f"http://127.0.0.1:{settings.port}/webhooks/rest/webhook",
               "--texts", str(texts_file), "--users", str(users), "--turns", "10000",
               "--conversation", str(CONVERSATION_TURNS), "--max-seconds", str(seconds), "--by-sender",
               "--failure-text", NOT_SAVED, "--failure-text", APOLOGY, "--out", str(result_file)]
        cpu_before, busy_before = _cpu(parts), _machine_busy_seconds()
        redis_before, pg_before = _redis_commands(), _pg_counters(database)
        proc = subprocess.run(cmd, cwd=ROOT, timeout=seconds + 90, capture_output=True, text=True)
        cpu_after, busy_after = _cpu(parts), _machine_busy_seconds()
        if proc.returncode or not result_file.exists():
            raise RuntimeError(f"load generator failed ({proc.returncode}): {proc.stderr[-2000:]}")
        time.sleep(2)  # turns cut off by the time limit finish; PostgreSQL's statistics catch up
        redis_after, pg_after = _redis_commands(), _pg_counters(database)
        result = json.loads(result_file.read_text(encoding="utf-8"))
        acknowledged: Dict[str, int] = result.pop("acknowledged_by_sender")
        apologies: Dict[str, int] = result.pop("apologies_by_sender")
        stored = dict(_pg(database, "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' "
                                    "AND sender_id LIKE 'load-%%' GROUP BY sender_id"))
        events = _pg(database, "SELECT count(*) FROM events WHERE sender_id LIKE 'load-%%'")[0][0]
    finally:
        supervisor.stop()
        _drop(database)
    ok = max(int(result["ok"]), 1)
    stored_user = sum(stored.values())
    latencies = result.pop("latencies_s")
    cpu_ms = {kind: round(1000 * (cpu_after[kind] - cpu_before[kind]) / ok, 1) for kind in cpu_before}
    cpu_ms["whole_machine"] = round(1000 * (busy_after - busy_before) / ok, 1)
    return {
        "rasa_servers": servers_count, "action_servers": servers_count, "startup_seconds": round(startup, 1),
        **result, **latency_summary(latencies),
        "acknowledged_turns": sum(acknowledged.values()), "apology_turns": sum(apologies.values()),
        "stored_user_messages": stored_user,
        # acknowledged but not in PostgreSQL (per conversation, so an extra stored turn cannot hide one)
        "lost_turns": sum(max(0, n - stored.get(sender, 0)) for sender, n in acknowledged.items()),
        "stored_not_acknowledged": max(0, stored_user - sum(acknowledged.values())),
        "events_per_turn": round(events / max(stored_user, 1), 1),
        "cpu_ms_per_turn": cpu_ms,
        "postgresql_per_turn": {k: round((pg_after[k] - pg_before[k]) / ok, 1) for k in pg_before},
        "redis_commands_per_turn": round((redis_after - redis_before) / ok, 1),
        "latencies_s": latencies,
    }


def capacity(measured: Dict[str, Any], users: Sequence[int] = (100, 1_000, 10_000)) -> List[Dict[str, Any]]:
    """Rasa servers, cores and store load for ``users`` people chatting, from the measured cost per turn."""
    cpu = measured["cpu_ms_per_turn"]
    rows = []
    for n in users:
        rate = n / SECONDS_BETWEEN_MESSAGES
        rasa_cores = rate * cpu["rasa_servers"] / 1000 / TARGET_UTILISATION
        action_cores = rate * cpu["action_servers"] / 1000 / TARGET_UTILISATION
        rows.append({
            "users": n, "turns_per_s": round(rate, 1),
            "rasa_servers": max(1, math.ceil(rasa_cores)),  # one Rasa server is one process: about one core
            "action_servers": max(1, math.ceil(action_cores)),
            "cores": math.ceil(rasa_cores + action_cores + rate * cpu["haproxy"] / 1000 / TARGET_UTILISATION),
            "postgresql_transactions_per_s": round(rate * measured["postgresql_per_turn"]["transactions"]),
            "postgresql_rows_inserted_per_s": round(rate * measured["postgresql_per_turn"]["rows_inserted"]),
            "redis_commands_per_s": round(rate * measured["redis_commands_per_turn"]),
        })
    return rows


#: Each configuration is loaded this many times, alternating (one, two, one, two, ...): on this VM the same
#: run varied from 1.18x to 1.49x between two runs in a row.
RUNS = 3


def _median(runs: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["throughput_turns_per_s"])
    return dict(ordered[(len(ordered) - 1) // 2])


def run(model: Path, texts: Sequence[str], quick: bool = False) -> Dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    texts_file = OUT / "scale_texts.json"
    texts_file.write_text(json.dumps(list(texts)), encoding="utf-8")
    seconds, runs = (8.0, 1) if quick else (SECONDS, RUNS)
    measured: Dict[int, List[Dict[str, Any]]] = {1: [], 2: []}
    for i in range(runs):
        for n in (1, 2):
            print(f"  run {i + 1} of {runs}: {n} Rasa server(s)", flush=True)
            measured[n].append(configuration(n, model, texts_file, OUT / "scale" / f"{n}", seconds=seconds))
    one, two = _median(measured[1]), _median(measured[2])
    ratio = two["throughput_turns_per_s"] / max(one["throughput_turns_per_s"], 1e-9)
    summary = ("throughput_turns_per_s", "p50_ms", "p95_ms", "errors", "lost_turns", "cpu_ms_per_turn")
    for configuration_runs in measured.values():
        for r in configuration_runs:
            r.pop("latencies_s", None)
    return {
        "users": USERS, "seconds": seconds, "machine_cores": os.cpu_count(), "runs_each": runs,
        # the run with the median throughput of each; errors and lost turns over every run
        "one_server": {**one, "errors": sum(r["errors"] for r in measured[1]),
                       "lost_turns": sum(r["lost_turns"] for r in measured[1])},
        "two_servers": {**two, "errors": sum(r["errors"] for r in measured[2]),
                        "lost_turns": sum(r["lost_turns"] for r in measured[2])},
        "throughput_ratio": round(ratio, 2),
        "all_runs": {str(n): [{k: r[k] for k in summary} for r in rs] for n, rs in measured.items()},
        "capacity_assumption": f"one message per {SECONDS_BETWEEN_MESSAGES:.0f} s per person, "
                               f"cores at most {TARGET_UTILISATION:.0%} busy",
        "capacity": capacity(two),
    }
