"""Bad input over REST, socket.io and Slack: a clear 400 or a normal reply, never a 500 or silence.

Uses the ``private`` server set (HTTP API on behind a token, see conftest), so
the tests can read what was stored.
"""

from __future__ import annotations

import json
import random
import string
import time
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from bot.channels.socketio import NO_SESSION

from .conftest import QUESTION, SHOWS_ERRORS, PrivateBot, SocketChat, events_of
from .fake_slack import sign

pytestmark = pytest.mark.e2e

NOT_OBJECTS = [b"", b"[]", b"null", b"123", b'"hi"', b"true", b"{", b"[" * 50_000]
NOT_OBJECT_IDS = ["empty", "list", "null", "number", "string", "bool", "broken", "deep"]
NOT_TEXT = [123, 1.5, True, None, [], ["hi"], {}, {"text": "hi"}]


def rest_url(bot: PrivateBot) -> str:
    return f"{bot.settings.rasa_url}/webhooks/rest/webhook"


def stored_user_texts(bot: PrivateBot, sender: str) -> List[Any]:
    return [e.get("text") for e in events_of(bot.tracker(sender), "user")]


# --- REST ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", NOT_OBJECTS, ids=NOT_OBJECT_IDS)
def test_a_rest_body_that_is_not_a_json_object_gets_400(private: PrivateBot, body: bytes) -> None:
    response = requests.post(rest_url(private), data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400, response.text
    assert "JSON object" in response.json()["error"]


@pytest.mark.parametrize("message", NOT_TEXT, ids=[repr(m) for m in NOT_TEXT])
def test_a_rest_message_that_is_not_text_gets_400_and_nothing_is_stored(private: PrivateBot, message: Any) -> None:
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    response = requests.post(rest_url(private), json={"sender": sender, "message": message}, timeout=10)
    assert response.status_code == 400, response.text
    assert "'message'" in response.json()["error"]
    assert stored_user_texts(private, sender) == []


@pytest.mark.parametrize("metadata", ["x", 1, [], True], ids=["string", "number", "list", "bool"])
def test_rest_metadata_that_is_not_an_object_gets_400(private: PrivateBot, metadata: Any) -> None:
    body = {"sender": f"bad-{uuid.uuid4().hex[:8]}", "message": "hi", "metadata": metadata}
    response = requests.post(rest_url(private), json=body, timeout=10)
    assert response.status_code == 400, response.text
    assert "'metadata'" in response.json()["error"]


def test_a_rest_request_without_sender_is_refused_not_shared(private: PrivateBot) -> None:
    before = stored_user_texts(private, "default")
    for body in ({"message": QUESTION}, {"sender": "", "message": QUESTION}, {"sender": 7, "message": QUESTION}):
        response = requests.post(rest_url(private), json=body, timeout=10)
        assert response.status_code == 400, (body, response.text)
        assert "'sender'" in response.json()["error"]
    assert stored_user_texts(private, "default") == before


def test_stream_true_with_a_bad_message_answers_at_once(private: PrivateBot) -> None:
    started = time.monotonic()
    response = requests.post(rest_url(private), params={"stream": "true"},
                             json={"sender": "bad-stream", "message": 5}, timeout=10)
    assert response.status_code == 400, response.text
    assert time.monotonic() - started < 5
    good = requests.post(rest_url(private), params={"stream": "true"},
                         json={"sender": f"ok-{uuid.uuid4().hex[:8]}", "message": QUESTION}, timeout=30)
    assert good.status_code == 200 and "CPC" in good.text, good.text


def test_a_rest_conversation_is_stored_as_rest_whatever_the_body_says(private: PrivateBot) -> None:
    sender = f"chan-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": QUESTION, "input_channel": "slack"}
    assert requests.post(rest_url(private), json=body, timeout=30).status_code == 200
    channels = {e.get("input_channel") for e in events_of(private.tracker(sender), "user")}
    assert channels == {"rest"}, channels


# --- socket.io -------------------------------------------------------------------------


@pytest.mark.parametrize("message", NOT_TEXT, ids=[repr(m) for m in NOT_TEXT])
def test_a_socketio_message_that_is_not_text_gets_the_not_understood_reply(private: PrivateBot, message: Any) -> None:
    chat = SocketChat(private.settings)
    try:
        replies = chat.emit({"message": message, "session_id": chat.session_id, "metadata": "not an object"})
        text = " ".join(r.get("text") or "" for r in replies)
        assert "not sure" in text.lower() or "didn't" in text.lower(), text
        assert stored_user_texts(private, chat.session_id), "the reply was not stored in the conversation"
        assert "Source" in chat.text(QUESTION)  # the conversation goes on
    finally:
        chat.close()


@pytest.mark.parametrize("data", ["hi", 5, None, [], {"message": "hi"}, {"message": "hi", "session_id": "../x"}],
                         ids=["string", "number", "none", "list", "no-session", "bad-session"])
def test_a_socketio_message_without_a_session_is_told_to_reload(private: PrivateBot, data: Any) -> None:
    chat = SocketChat(private.settings)
    try:
        replies = chat.emit(data)
        assert [r.get("text") for r in replies] == [NO_SESSION]
    finally:
        chat.close()


# --- Slack -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", NOT_OBJECTS[:6] + [b'{"event": "x"}', b'{"event": {"text": 5}}'],
                         ids=NOT_OBJECT_IDS[:6] + ["event-string", "text-number"])
def test_a_signed_slack_body_of_a_shape_slack_never_sends_gets_400(body: bytes, bot: Any) -> None:
    url = f"{bot.rasa_url}/webhooks/slack/webhook"
    response = requests.post(url, data=body, headers={"Content-Type": "application/json", **sign(body)}, timeout=10)
    assert response.status_code == 400, response.text
    assert response.json()["error"]


# --- fuzz ------------------------------------------------------------------------------

FUZZ_SEED = 20261206
FUZZ_SECONDS = 60
ODD_TEXT = ["", " ", "\x00\x01", "\ud800 how much", "\u202etxet", "\u200b" * 50, "<script>alert(1)</script>",
            "/restart", '/compare{"certification": 1}', "/nlu_fallback", "🙂" * 300, "a" * 5000,
            "HOW MUCH DOES A CODER MAKE", "' OR 1=1 --", "{{slot}}", "%s%s%n", "null", "[]"]
ODD_VALUES: List[Any] = [*NOT_TEXT, -1, 10**40, float("inf"), "x" * 300, {"a": [{}]}]


def fuzz_rest_cases(rng: random.Random, count: int) -> Iterator[Tuple[bytes, Dict[str, str], Dict[str, str]]]:
    """(body, headers, query) triples: raw junk, wrong types, odd text, odd content types."""
    for _ in range(count):
        kind = rng.random()
        headers = {"Content-Type": "application/json"}
        query = {"stream": "true"} if rng.random() < 0.15 else {}
        if kind < 0.2:
            body = rng.choice(NOT_OBJECTS[:-1] + [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))])
        elif kind < 0.3:
            body = b"sender=x&message=hi"
            headers["Content-Type"] = rng.choice(["application/x-www-form-urlencoded", "text/plain", ""])
        else:
            fields: Dict[str, Any] = {}
            if rng.random() < 0.85:
                fields["sender"] = rng.choice([f"fuzz-{rng.randrange(10**6)}"] * 4 + ODD_VALUES)
            if rng.random() < 0.9:
                fields["message"] = rng.choice(ODD_TEXT * 2 + ODD_VALUES + [_random_text(rng)])
            if rng.random() < 0.2:
                fields["metadata"] = rng.choice([{}, {"k": "v"}, *ODD_VALUES])
            body = json.dumps(fields, allow_nan=True).encode("utf-8", "surrogatepass")
        yield body, headers, query


def _random_text(rng: random.Random) -> str:
    alphabet = string.printable + "éßçñ中文🙂\u0301\u200d"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))


def _accepted(body: bytes) -> bool:
    """Whether the REST channel should take ``body`` (the rules of bot.channels.bodies, restated)."""
    try:
        fields = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return (isinstance(fields, dict) and isinstance(fields.get("sender"), str) and fields["sender"].strip() != ""
            and len(fields["sender"]) <= 255 and isinstance(fields.get("message"), str)
            and (fields.get("metadata") is None or isinstance(fields["metadata"], dict)))


def test_fuzz_no_5xx_no_trace_every_accepted_message_answered(private: PrivateBot) -> None:
    """At least 500 generated bad inputs (REST and socket.io) within :data:`FUZZ_SECONDS`."""
    rng = random.Random(FUZZ_SEED)
    deadline = time.monotonic() + FUZZ_SECONDS - 10  # the last 10 s: the normal conversation afterwards
    counts = {"rest_accepted": 0, "rest_refused": 0, "socketio_sent": 0, "socketio_answered": 0}
    for body, headers, query in fuzz_rest_cases(rng, 420):
        if time.monotonic() > deadline - 15:
            break
        response = requests.post(rest_url(private), data=body, headers=headers, params=query, timeout=30)
        assert response.status_code < 500, (body[:200], response.status_code, response.text[:300])
        assert not any(s in response.text for s in SHOWS_ERRORS), (body[:200], response.text[:300])
        if _accepted(body):
            counts["rest_accepted"] += 1
            assert response.status_code == 200, (body[:200], response.text[:300])
            assert response.text.strip() not in ("", "[]"), (body[:200], "no reply")
        else:
            counts["rest_refused"] += 1
            assert response.status_code == 400, (body[:200], response.status_code, response.text[:300])
    chat = SocketChat(private.settings)
    try:
        while counts["socketio_sent"] < 120 and time.monotonic() < deadline:
            if rng.random() < 0.3:
                data: Any = rng.choice(ODD_VALUES + ODD_TEXT)
            else:
                data = {"session_id": chat.session_id if rng.random() < 0.8 else rng.choice(ODD_VALUES),
                        "message": rng.choice(ODD_TEXT + ODD_VALUES + [_random_text(rng)]),
                        "metadata": rng.choice([{}, *ODD_VALUES])}
            counts["socketio_sent"] += 1
            replies = chat.emit(data, timeout=15, quiet=0.25)
            counts["socketio_answered"] += bool(replies)
            assert not any(s in (r.get("text") or "") for r in replies for s in SHOWS_ERRORS), replies
        assert counts["socketio_answered"] == counts["socketio_sent"], counts
        follow = chat.text(QUESTION) + chat.text("how much does it pay?")
        assert "CPC" in follow and "Source" in follow, follow
    finally:
        chat.close()
    assert requests.get(f"{private.settings.rasa_url}/webhooks/rest/", timeout=5).status_code == 200
    print("fuzz:", counts)
    assert counts["rest_accepted"] + counts["rest_refused"] + counts["socketio_sent"] >= 500, counts
    assert counts["rest_accepted"] >= 20 and counts["rest_refused"] >= 200, counts  # both paths exercised
