"""``make cluster`` on this machine: HAProxy, two Rasa servers and two action servers on PostgreSQL and Redis.

The cluster gets free ports and a database of its own on the machine's
PostgreSQL (dropped afterwards); the machine's Redis holds the conversation
locks. Skipped, with the reason, where haproxy, PostgreSQL or Redis is missing;
on CI (``CI`` set) that fails instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import requests

from bot import cluster, servers

from .cluster_support import (
    PG,
    REDIS,
    TcpProxy,
    drop_database,
    haproxy_installed,
    needed,
    reachable,
    stored_events,
)
from .conftest import MODEL, SocketChat, free_port, listening_addresses


class Cluster:
    def __init__(self, settings: cluster.ClusterSettings, supervisor: servers.Supervisor,
                 parts: Dict[str, servers.Child], db_proxy: TcpProxy, redis_proxy: TcpProxy) -> None:
        self.settings, self.supervisor, self.parts = settings, supervisor, parts
        self.db_proxy, self.redis_proxy = db_proxy, redis_proxy

    def say(self, port: int, sender: str, text: str) -> str:
        response = requests.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": text}, timeout=60)
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text") or "" for m in response.json())

    def stored_events(self, sender: str) -> List[Tuple[str, str]]:
        return stored_events(cluster.store_env(self.settings)["DB_NAME"], sender)

    def stored_user_texts(self, sender: str) -> List[str]:
        return [text for kind, text in self.stored_events(sender) if kind == "user"]


@pytest.fixture(scope="module")
def running_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    needed("haproxy (make cluster installs it)", haproxy_installed())
    needed(f"PostgreSQL on {PG[0]}:{PG[1]}", reachable(PG))
    needed(f"Redis on {REDIS[0]}:{REDIS[1]}", reachable(REDIS))
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    name = f"careerbot_cluster_{uuid.uuid4().hex[:8]}"
    db_proxy = TcpProxy(PG)  # the servers reach PostgreSQL and Redis through these, so a test can cut a path
    redis_proxy = TcpProxy(REDIS)
    settings = cluster.ClusterSettings(
        port=free_port(), web_port=free_port(), actions_port=free_port(), model=str(MODEL),
        rasa_port_list=(free_port(), free_port()), action_port_list=(free_port(), free_port()),
        database_url=f"postgresql://postgres@127.0.0.1:{db_proxy.port}/{name}",
        redis_url=f"redis://127.0.0.1:{redis_proxy.port}/0",
    )
    workdir = tmp_path_factory.mktemp("cluster")
    parts = cluster.children(settings, workdir)
    supervisor = servers.Supervisor(parts, say=lambda line: print(line, flush=True))
    try:
        supervisor.start()
        yield Cluster(settings, supervisor, parts, db_proxy, redis_proxy)
    finally:
        supervisor.stop()
        db_proxy.cut()
        redis_proxy.cut()
        drop_database(name)


def _restarted(c: Cluster, victim: servers.Child) -> None:
    """The supervisor restarts what stopped, as `make cluster` does every half second."""
    deadline = time.monotonic() + 120
    c.supervisor.check()
    while not victim.alive() and time.monotonic() < deadline:
        time.sleep(0.5)
        c.supervisor.check()
    assert victim.alive()


def test_turns_on_different_servers_keep_the_context_and_are_stored_in_order(running_cluster: Cluster) -> None:
    c, sender = running_cluster, f"cluster-{uuid.uuid4().hex[:8]}"
    first, second = c.settings.rasa_ports
    assert "$58,895" in c.say(first, sender, "how much does the CPC pay?")
    assert "CCS holders average about $55,763" in c.say(second, sender, "and the CCS?")
    # back on the first server, which last saw the CPC: it must read the CCS turn from PostgreSQL
    assert "The CCS exam costs $299" in c.say(first, sender, "what does its exam cost?")
    assert c.stored_user_texts(sender) == ["how much does the CPC pay?", "and the CCS?", "what does its exam cost?"]


def test_through_haproxy_and_after_kill_9_of_a_rasa_server(running_cluster: Cluster) -> None:
    c, sender = running_cluster, f"cluster-{uuid.uuid4().hex[:8]}"
    port = c.settings.port
    assert "$55,763" in c.say(port, sender, "what do CCS holders make?")
    victim = c.parts["Rasa server 1"]
    victim.proc.kill()  # type: ignore[attr-defined]  # kill -9
    victim.proc.wait(10)  # type: ignore[attr-defined]
    answers = [c.say(port, sender, text) for text in ("what does the exam cost?", "how long is it?")]
    assert "The CCS exam costs $299" in answers[0] and "CCS" in answers[1], answers
    _restarted(c, victim)
    assert c.stored_user_texts(sender) == ["what do CCS holders make?", "what does the exam cost?", "how long is it?"]


def test_the_widget_reconnects_after_kill_9_of_its_server_and_keeps_the_conversation(running_cluster: Cluster) -> None:
    """socket.io through HAProxy: the cookie pins a widget to one server; when it dies the widget's
    reconnection (same cookie, same session id, as rasa-webchat does) goes to another, context intact."""
    c = running_cluster
    site = servers.Settings(host="127.0.0.1", rasa_port=c.settings.port)  # the widget talks to HAProxy
    chat = SocketChat(site, origin=c.settings.url)
    assert "$58,895" in chat.text("how much does the CPC pay?")
    pinned = chat.http.cookies.get("CAREERBOT")
    assert pinned in ("r1", "r2"), chat.http.cookies
    victim = c.parts[f"Rasa server {pinned[1]}"]
    victim.proc.kill()  # type: ignore[attr-defined]
    victim.proc.wait(10)  # type: ignore[attr-defined]
    chat.close()
    again = SocketChat(site, session_id=chat.session_id, origin=c.settings.url, http=chat.http)
    try:
        assert again.session_id == chat.session_id
        assert "$55,763" in again.text("and the CCS?")
        assert again.http.cookies.get("CAREERBOT") != pinned  # now on the other server
    finally:
        again.close()
    _restarted(c, victim)


def test_kill_9_of_an_action_server_needs_no_apology(running_cluster: Cluster) -> None:
    c, sender = running_cluster, f"cluster-{uuid.uuid4().hex[:8]}"
    victim = c.parts["action server 1"]
    victim.proc.kill()  # type: ignore[attr-defined]
    victim.proc.wait(10)  # type: ignore[attr-defined]
    replies = [c.say(c.settings.port, sender, text) for text in
               ("can coders work from home?", "how much do billers make?", "what is the CPC?")]
    assert all("Source" in r and "Sorry" not in r for r in replies), replies
    _restarted(c, victim)


def test_two_messages_at_once_on_two_servers_are_handled_one_after_the_other(running_cluster: Cluster) -> None:
    c, sender = running_cluster, f"cluster-{uuid.uuid4().hex[:8]}"
    first, second = c.settings.rasa_ports
    assert "$58,895" in c.say(first, sender, "how much does the CPC pay?")
    texts = ["and the CCS?", "can coders work from home?"]
    replies: Dict[str, str] = {}

    def say(port: int, text: str) -> None:
        replies[text] = c.say(port, sender, text)

    threads = [threading.Thread(target=say, args=args) for args in zip((first, second), texts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert all("Source" in replies.get(text, "") for text in texts), replies
    events = c.stored_events(sender)
    users = [text for kind, text in events if kind == "user"]
    assert users[0] == "how much does the CPC pay?" and sorted(users[1:]) == sorted(texts)
    # one turn after the other: each message's turn ends (action_listen) before the next message is stored
    turns = [kind for kind, text in events if kind == "user" or (kind == "action" and text == "action_listen")]
    assert turns[-6:] == ["user", "action", "user", "action", "user", "action"], turns


def _cut_then_restore(c: Cluster, proxy: TcpProxy, what: str) -> None:
    """Cut the path ``proxy`` stands for: apologies, then the conversation continues from its last stored turn."""
    sender = f"cluster-{uuid.uuid4().hex[:8]}"
    url = f"http://127.0.0.1:{c.settings.port}/webhooks/rest/webhook"
    assert "$58,895" in c.say(c.settings.port, sender, "how much does the CPC pay?")
    acknowledged = ["how much does the CPC pay?"]
    proxy.cut()
    try:
        for text in ("and the CCS?", "is it hard?"):
            response = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
            replies = " ".join(m.get("text") or "" for m in response.json()) if response.status_code == 200 else ""
            # no store or lock: a short apology, or HAProxy's 503 once every server's health check fails
            assert response.status_code == 503 or "couldn't save that" in replies, (what, response.status_code,
                                                                                   replies)
            assert "$" not in replies
    finally:
        proxy.restore()
    deadline, answer = time.monotonic() + 60, ""
    while time.monotonic() < deadline:  # health checks pass again; a stale pooled connection may cost one try
        response = requests.post(url, json={"sender": sender, "message": "and the CCS?"}, timeout=60)
        answer = " ".join(m.get("text") or "" for m in response.json()) if response.status_code == 200 else ""
        if "$55,763" in answer:
            break
        time.sleep(1)
    assert "$55,763" in answer, (what, answer)  # the context (the CPC, then "and the CCS?") was kept
    acknowledged.append("and the CCS?")
    # every acknowledged turn is stored, in order, once; nothing the user was told failed is there
    assert c.stored_user_texts(sender) == acknowledged, what


def test_a_cut_path_to_postgresql_gets_an_apology_and_loses_no_acknowledged_turn(running_cluster: Cluster) -> None:
    _cut_then_restore(running_cluster, running_cluster.db_proxy, "PostgreSQL")


def test_a_cut_path_to_redis_gets_an_apology_and_loses_no_acknowledged_turn(running_cluster: Cluster) -> None:
    _cut_then_restore(running_cluster, running_cluster.redis_proxy, "Redis")


def test_only_haproxy_is_for_users_and_only_rasa_servers_call_actions(running_cluster: Cluster) -> None:
    c = running_cluster
    for port in c.settings.rasa_ports + c.settings.action_ports + [c.settings.actions_port]:
        assert set(listening_addresses(port)) == {"127.0.0.1"}, port
    for port in c.settings.rasa_ports:  # Rasa's HTTP API is off: no token was set
        assert requests.get(f"http://127.0.0.1:{port}/conversations/x/tracker", timeout=10).status_code == 404
    for port in [*c.settings.action_ports, c.settings.actions_port]:  # each action server, and through HAProxy
        base = f"http://127.0.0.1:{port}"
        assert requests.get(f"{base}/actions", timeout=10).status_code == 401
        assert requests.get(f"{base}/actions", headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
        token = {"Authorization": f"Bearer {c.settings.action_token}"}
        assert requests.get(f"{base}/actions", headers=token, timeout=10).status_code == 200
    # the widget through HAProxy: its cookie keeps a socket.io session on one server; a foreign page is refused
    url = f"http://127.0.0.1:{c.settings.port}/socket.io/?EIO=4&transport=polling"
    for origin, answer in ((c.settings.url, "40{"), ("https://evil.example", "44")):
        with requests.Session() as browser:
            headers = {"Origin": origin}
            handshake = browser.get(url, headers=headers, timeout=10)
            assert handshake.status_code == 200 and "CAREERBOT" in browser.cookies, handshake.headers
            sid = json.loads(handshake.text[1:])["sid"]
            # without the cookie round robin would send this to the other server, which knows no such sid
            assert browser.post(f"{url}&sid={sid}", data="40", headers=headers, timeout=10).status_code == 200
            assert browser.get(f"{url}&sid={sid}", headers=headers, timeout=30).text.startswith(answer)


def test_postgresql_down_at_start_up_stops_with_a_clear_error(tmp_path: Path) -> None:
    """Rasa's own SQL store would retry for ever in silence; a host that cannot start says why and exits."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    closed = free_port()
    env = {**os.environ, "CLUSTER_RASA": "1", "CLUSTER_RASA_PORT": str(free_port()), "BOT_MODEL": str(MODEL),
           "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed}/careerbot", "DB_STARTUP_WAIT": "2",
           "CLUSTER_LOGS": str(tmp_path), "PYTHONPATH": str(servers.ROOT)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "cluster", "--role", "rasa"], cwd=servers.ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "The Rasa server 1 did not start" in done.stdout, done.stdout[-2000:]
    assert f"127.0.0.1:{closed}" in done.stdout and "did not answer within 2 s" in done.stdout, done.stdout[-2000:]
    assert "Traceback" not in done.stdout and time.monotonic() - started < 120


def test_the_cluster_command_answers_through_haproxy_with_makes_environment(tmp_path: Path) -> None:
    """`make cluster` is `python -m bot cluster` with the Makefile's exports (make run's ports among them)."""
    needed(f"PostgreSQL on {PG[0]}:{PG[1]}", reachable(PG))
    needed(f"Redis on {REDIS[0]}:{REDIS[1]}", reachable(REDIS))
    name, port = f"careerbot_cmd_{uuid.uuid4().hex[:8]}", free_port()
    env = {**os.environ, "ACTION_PORT": "5055", "RASA_PORT": "5005", "TRACKER_DB": str(tmp_path / "unused.db"),
           "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",  # what the Makefile exports for make run
           "CLUSTER_PORT": str(port), "CLUSTER_RASA": "1", "CLUSTER_ACTIONS": "1",
           "CLUSTER_RASA_PORT": str(free_port()), "CLUSTER_ACTION_PORT": str(free_port()),
           "CLUSTER_ACTIONS_PORT": str(free_port()), "CLUSTER_WEB_PORT": str(free_port()), "BOT_MODEL": str(MODEL),
           "DATABASE_URL": f"postgresql://postgres@{PG[0]}:{PG[1]}/{name}", "CLUSTER_LOGS": str(tmp_path),
           "PYTHONPATH": str(servers.ROOT)}
    log = tmp_path / "cluster.out"
    proc = servers.spawn([sys.executable, "-m", "bot", "cluster"], env, log)
    try:
        deadline = time.monotonic() + 180
        while "Cluster ready" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(1)
        url = f"http://127.0.0.1:{port}"
        assert "$58,895" in requests.post(f"{url}/webhooks/rest/webhook", timeout=60,
                                          json={"sender": "cmd", "message": "how much does the CPC pay?"}).text
        assert requests.get(f"{url}/", timeout=10).status_code == 200  # the demo website, through HAProxy
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait(60)
        drop_database(name)
    assert proc.returncode == 0 and "Stopped." in log.read_text()
