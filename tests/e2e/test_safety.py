"""Is the bot safe to put on the internet? Checked against running servers.

Two server sets are used (see conftest): the shared ``bot`` (HTTP API off, as
``make run`` starts it) and ``private`` (API on behind a token; its servers are
stopped and started again by the tests).
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from typing import Any, Dict

import pytest
import requests

from bot import servers
from bot.channels.resilience import APOLOGY

from .conftest import (
    ACTION_TIMEOUT,
    QUESTION,
    SHOWS_ERRORS,
    TOKEN,
    Chat,
    PrivateBot,
    SocketChat,
    events_of,
    listening_addresses,
)

pytestmark = pytest.mark.e2e

FOREIGN = "https://evil.example"


# --- the HTTP API --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/status"), ("GET", "/version"), ("POST", "/model/parse"), ("GET", "/domain"),
     ("GET", "/conversations/someone/tracker"), ("POST", "/conversations/someone/messages"), ("PUT", "/model")],
)
def test_rasa_http_api_is_off_by_default(bot: servers.Settings, method: str, path: str) -> None:
    response = requests.request(method, bot.rasa_url + path, json={"text": "hello"}, timeout=10)
    assert response.status_code in (401, 403, 404, 405), (response.status_code, response.text[:200])
    assert not any(word in response.text for word in ("model_file", "fingerprint", "intent", "events"))


def test_rasa_http_api_needs_the_token_when_one_is_set(private: PrivateBot) -> None:
    url = private.settings.rasa_url
    assert requests.get(f"{url}/status", timeout=10).status_code == 401
    assert requests.get(f"{url}/status", params={"token": "wrong"}, timeout=10).status_code == 401
    parse = requests.post(f"{url}/model/parse", json={"text": "hi"}, timeout=10)
    assert parse.status_code == 401 and "intent" not in parse.text
    status = requests.get(f"{url}/status", params={"token": TOKEN}, timeout=10)
    assert status.status_code == 200 and "model_file" in status.json()


# --- CORS and origins ------------------------------------------------------------------


def demo_origin(bot: servers.Settings) -> str:
    return bot.allowed_origins.split()[0]


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/socket.io/?EIO=4&transport=polling"])
def test_cors_allows_only_the_configured_origin(bot: servers.Settings, path: str) -> None:
    url = bot.rasa_url + path
    method = "POST" if "rest" in path else "GET"
    for origin, allowed in ((demo_origin(bot), True), (FOREIGN, False)):
        preflight = requests.options(url, headers={
            "Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type"}, timeout=10)
        assert (preflight.headers.get("Access-Control-Allow-Origin") == origin) is allowed, preflight.headers
        if method == "GET":
            actual = requests.get(url, headers={"Origin": origin}, timeout=10)
        else:
            actual = requests.post(url, json={"sender": f"cors-{uuid.uuid4().hex[:8]}", "message": "hi"},
                                   headers={"Origin": origin}, timeout=30)
        assert (actual.headers.get("Access-Control-Allow-Origin") == origin) is allowed, actual.headers
        assert "*" not in (actual.headers.get("Access-Control-Allow-Origin") or "")


def socketio_connect_answer(bot: servers.Settings, origin: str) -> str:
    """The server's answer to a socket.io CONNECT sent as a browser on ``origin`` would (polling)."""
    url = f"{bot.rasa_url}/socket.io/?EIO=4&transport=polling"
    headers = {"Origin": origin}
    handshake = requests.get(url, headers=headers, timeout=10)
    assert handshake.status_code == 200 and handshake.text.startswith("0"), handshake.text
    sid = json.loads(handshake.text[1:])["sid"]
    assert requests.post(f"{url}&sid={sid}", data="40", headers=headers, timeout=10).status_code == 200
    return requests.get(f"{url}&sid={sid}", headers=headers, timeout=30).text


def test_socketio_refuses_a_foreign_page_and_accepts_the_demo_site(bot: servers.Settings) -> None:
    assert socketio_connect_answer(bot, FOREIGN).startswith("44"), "CONNECT_ERROR expected"
    assert socketio_connect_answer(bot, demo_origin(bot)).startswith("40{"), "CONNECT expected"
    chat = SocketChat(bot, origin=demo_origin(bot))
    try:
        assert chat.text("hello").strip()
    finally:
        chat.close()


def test_only_the_rasa_server_may_call_the_action_server(bot: servers.Settings) -> None:
    """The action server wants the token the Rasa server sends (bot/action_token.py); its health check is open."""
    base = f"http://127.0.0.1:{bot.action_port}"
    call = {"next_action": "action_answer", "sender_id": "stranger", "version": "3.6.21",
            "tracker": {"sender_id": "stranger", "slots": {}, "latest_message": {}, "events": []}, "domain": {}}
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": bot.action_token}):
        assert requests.post(f"{base}/webhook", json=call, headers=headers, timeout=10).status_code == 401
        assert requests.get(f"{base}/actions", headers=headers, timeout=10).status_code == 401
    assert requests.get(f"{base}/health", timeout=10).status_code == 200
    allowed = requests.get(f"{base}/actions", headers={"Authorization": f"Bearer {bot.action_token}"}, timeout=10)
    assert allowed.status_code == 200 and {"name": "action_answer"} in allowed.json()


def test_servers_listen_on_localhost_only(bot: servers.Settings) -> None:
    action = listening_addresses(bot.action_port)
    assert action and set(action) == {"127.0.0.1"}, action
    rasa = listening_addresses(bot.rasa_port)
    assert rasa and set(rasa) == {"127.0.0.1"}, rasa
    assert servers.child_env(servers.Settings.from_env())["SANIC_HOST"] == os.environ.get("ACTION_HOST", "127.0.0.1")


# --- typed payloads cannot steer the bot ------------------------------------------------

INJECTIONS = ["/restart", '/ask_salary{"certification":"<script>"}', "/session_start"]


def assert_context_kept(tracker: Dict[str, Any], sessions_before: int) -> None:
    assert not events_of(tracker, "restart"), "the conversation was restarted"
    assert len(events_of(tracker, "session_started")) == sessions_before, "a new session was started"
    assert tracker["slots"].get("certification") == ["cpc"], tracker["slots"]
    for event in events_of(tracker, "user"):
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        assert intent not in ("restart", "session_start"), event["text"]
        assert all("<script>" not in str(e.get("value")) for e in (event.get("parse_data") or {}).get("entities", []))
    assert all("<script>" not in str(value) for value in tracker["slots"].values())


def test_typed_payloads_over_rest_change_nothing(private: PrivateBot) -> None:
    chat = Chat(private.settings)
    first = chat.text(QUESTION)
    assert "Source" in first and "CPC" in first, first
    sessions = len(events_of(private.tracker(chat.sender), "session_started"))
    for payload in INJECTIONS:
        reply = chat.text(payload)
        assert reply.strip() and "<script>" not in reply, (payload, reply)
        assert_context_kept(private.tracker(chat.sender), sessions)
    # a follow-up that needs the context: still about the CPC's pay
    follow_up = chat.text("how much does it pay?")
    assert "Source" in follow_up and "CPC" in follow_up, follow_up
    # a real button payload still works
    button = chat.text('/compare{"certification": ["cpc", "ccs"]}')
    assert "CPC" in button and "CCS" in button, button
    intents = [(e.get("parse_data") or {}).get("intent", {}).get("name")
               for e in events_of(private.tracker(chat.sender), "user")]
    assert intents[-1] == "compare", intents


def test_typed_payloads_over_socketio_change_nothing(private: PrivateBot) -> None:
    chat = SocketChat(private.settings)
    try:
        first = chat.text(QUESTION)
        assert "Source" in first and "CPC" in first, first
        sessions = len(events_of(private.tracker(chat.session_id), "session_started"))
        for payload in INJECTIONS:
            reply = chat.text(payload)
            assert reply.strip() and "<script>" not in reply, (payload, reply)
            assert_context_kept(private.tracker(chat.session_id), sessions)
        follow_up = chat.text("how much does it pay?")
        assert "Source" in follow_up and "CPC" in follow_up, follow_up
        replies = chat.say("/ask_remote")
        assert any(m.get("quick_replies") for m in replies), replies
    finally:
        chat.close()


# --- odd input gets a normal reply -----------------------------------------------------


def test_a_20000_character_message_gets_a_normal_reply(chat: Chat) -> None:
    started = time.monotonic()
    reply = chat.text(("How much do certified medical coders earn in a year? " * 400)[:20_000])
    assert reply.strip() and not any(s in reply for s in SHOWS_ERRORS), reply
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    "text",
    ["", "   ", "🙂🚀💯", "<b>hi</b><script>alert(1)</script>", "'; DROP TABLE events; --",
     "SELECT * FROM users WHERE 1=1 OR '1'='1'", "¿Cuánto gana un codificador médico en Estados Unidos?"],
    ids=["empty", "blank", "emoji", "html", "sql-drop", "sql-select", "spanish"],
)
def test_odd_input_gets_a_sensible_reply(chat: Chat, text: str) -> None:
    reply = chat.text(text)
    assert len(reply.strip()) > 20, reply
    assert not any(s in reply for s in SHOWS_ERRORS), reply


# --- the conversation survives restarts and action server failures ---------------------


def test_conversation_survives_a_rasa_server_restart(private: PrivateBot) -> None:
    chat = SocketChat(private.settings)
    session = chat.session_id
    try:
        assert "CPC" in chat.text(QUESTION)
    finally:
        chat.close()
    private.rasa.stop()
    private.rasa.start()
    chat = SocketChat(private.settings, session_id=session)
    try:
        assert chat.session_id == session
        follow_up = chat.text("how much does it pay?")
        assert "Source" in follow_up and "CPC" in follow_up, follow_up
    finally:
        chat.close()
    texts = [e["text"] for e in events_of(private.tracker(session), "user")]
    assert texts[0] == QUESTION and texts[-1] == "how much does it pay?"


def test_action_server_down_or_silent_gets_an_apology_and_nothing_is_lost(private: PrivateBot) -> None:
    chat = Chat(private.settings)
    assert "Source" in chat.text(QUESTION)

    private.action.stop()  # down: connection refused
    try:
        started = time.monotonic()
        assert chat.text("how long does it take to get certified?") == APOLOGY
        assert time.monotonic() - started < ACTION_TIMEOUT + 5
    finally:
        private.action.start()
    back = chat.text("how much does it pay?")
    assert "Source" in back and "CPC" in back, back

    os.killpg(private.action.proc.pid, signal.SIGSTOP)  # hung: accepts, never answers
    try:
        started = time.monotonic()
        assert chat.text("can I work from home?") == APOLOGY
        assert time.monotonic() - started < ACTION_TIMEOUT + 5
    finally:
        os.killpg(private.action.proc.pid, signal.SIGCONT)
    assert "Source" in chat.text("how much does it pay?")

    tracker = private.tracker(chat.sender)
    said = [e["text"] for e in events_of(tracker, "user")]
    assert said == [QUESTION, "how long does it take to get certified?", "how much does it pay?",
                    "can I work from home?", "how much does it pay?"]
    assert [e["text"] for e in events_of(tracker, "bot")].count(APOLOGY) == 2
    assert tracker["slots"].get("certification") == ["cpc"]


def test_the_root_url_does_not_tell_the_rasa_version(bot: servers.Settings) -> None:
    response = requests.get(bot.rasa_url + "/", timeout=10)
    assert response.status_code == 200
    assert "Hello from Rasa" in response.text
    assert "3.6" not in response.text
