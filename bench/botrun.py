"""Starts the bot for the REST sections, the way the end-to-end tests do.

Both servers get free ports, conversations go to a throwaway SQLite file in
``bench/out/bot/``, and the Rasa server is timed from spawn until its REST
webhook answers (the action server is already up by then).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import requests

from bench import OUT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_sender(prefix: str = "bench") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class RestClient:
    """One HTTP connection to the REST webhook; ``say`` returns messages and seconds."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.timeout = timeout
        self.session = requests.Session()

    def say(self, sender: str, text: str) -> Tuple[List[Dict[str, Any]], float]:
        started = time.perf_counter()
        response = self.session.post(self.url, json={"sender": sender, "message": text}, timeout=self.timeout)
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return response.json(), elapsed


def reply_text(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages if isinstance(m, dict))


@dataclass
class RunningBot:
    rasa_url: str
    tracker_db: Path
    rasa_pid: int
    action_pid: int
    startup_seconds: float
    first_reply_seconds: float
    logs: Dict[str, str] = field(default_factory=dict)
    api_token: str = ""

    def client(self) -> RestClient:
        return RestClient(self.rasa_url)


@contextmanager
def running_bot(model: Path, workdir: Path = OUT / "bot") -> Iterator[RunningBot]:
    from bot import servers
    from bot.channels import credentials

    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "tracker.db"
    for stale in (db, workdir / "tracker.db-journal"):
        if stale.exists():
            stale.unlink()
    web_port = free_port()
    settings = servers.Settings(
        rasa_port=free_port(), action_port=free_port(), web_port=web_port,
        allowed_origins=f"http://localhost:{web_port}", tracker_db=str(db), model=str(model),
        api_token=uuid.uuid4().hex,  # HTTP API on (localhost, token) only to time NLU alone
    )
    no_slack = {k: v for k, v in servers.child_env(settings).items() if not k.startswith("SLACK_")}
    creds = credentials.write(workdir / "credentials.yml", no_slack)
    logs = {"actions": str(workdir / "actions.log"), "rasa": str(workdir / "rasa.log")}
    for log in logs.values():
        Path(log).write_bytes(b"")
    action = servers.ActionServer(settings, log=Path(logs["actions"]))
    rasa = servers.RasaServer(settings, creds, log=Path(logs["rasa"]))
    try:
        action.start()
        started = time.monotonic()
        rasa.start(timeout=300)
        startup = time.monotonic() - started
        _, first = RestClient(settings.rasa_url).say(new_sender("warmup"), "hello")
        yield RunningBot(settings.rasa_url, db, rasa.proc.pid, action.proc.pid, startup, first, logs,
                         api_token=settings.api_token or "")
    finally:
        rasa.stop()
        action.stop()


# --- what the NLU made of each turn, read back from the tracker store --------

def turns_by_sender(db: Path, senders: List[str] | None = None) -> Dict[str, List[Dict[str, Any]]]:
    """``{sender: [turn, ...]}``, one turn per user message, in order.

    A turn holds the text, the intent Rasa acted on and its confidence, the
    classifier's own best intent (under an ``nlu_fallback``), entities as
    ``type=value`` and the actions run after it.
    """
    if not db.exists():
        return {}
    query = "SELECT sender_id, type_name, action_name, data FROM events"
    params: List[str] = []
    if senders is not None:
        if not senders:
            return {}
        query += f" WHERE sender_id IN ({','.join('?' * len(senders))})"
        params = list(senders)
    query += " ORDER BY id"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(query, params).fetchall()
    finally:
        conn.close()
    turns: Dict[str, List[Dict[str, Any]]] = {}
    for sender, type_name, action_name, data in rows:
        if type_name == "user":
            parse = (json.loads(data or "{}").get("parse_data") or {})
            intent = parse.get("intent") or {}
            ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
            turns.setdefault(sender, []).append({
                "text": json.loads(data or "{}").get("text"),
                "intent": intent.get("name"),
                "confidence": round(float(intent.get("confidence") or 0.0), 3),
                "classifier_intent": ranking[0].get("name") if ranking else None,
                "classifier_confidence": round(float(ranking[0].get("confidence") or 0.0), 3) if ranking else None,
                "entities": [f"{e.get('entity')}={e.get('value')}" for e in parse.get("entities") or []],
                # runs of the NLU graph on this message (bot.nlu.rereading): a story's question is read in
                # the message's own run, a follow-up after its subject in a second one
                "nlu_runs": 1 + ("context_reading" in parse),
                # texts the classifier read: the message, a story's question, a two-part question's parts,
                # a follow-up after its subject
                "texts_read": 1 + sum(key in parse for key in ("question_reading", "context_reading"))
                + len(parse.get("parts_reading") or []),
                "actions": [],
            })
        elif type_name == "action" and sender in turns and action_name not in (None, "action_listen"):
            turns[sender][-1]["actions"].append(action_name)
    return turns


def _tree(pid: int) -> List[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [pid]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(children.get(current, []))
    return out


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by ``pid`` and its descendants, in seconds."""
    total = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def tree_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in kB (Linux /proc)."""
    total = 0
    for current in _tree(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total
