"""The Slack channel's additions, without a server: API address, threads, one answer per message."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

import pytest

from bot.channels.slack import (
    SECTION_MAX_CHARS,
    SLACK_API_URL,
    SeenDeliveries,
    SlackInput,
    SlackOutput,
    delivery_key,
    text_blocks,
)

CREDENTIALS = {"slack_token": "xoxb-1", "slack_signing_secret": "s3cret", "slack_channel": "C0TEST"}


class FakeRequest:
    """What Rasa's Slack code reads from a Sanic request."""

    def __init__(self, body: Dict[str, Any] | None = None, payload: Dict[str, Any] | None = None,
                 headers: Dict[str, str] | None = None) -> None:
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        if payload is not None:
            self.headers["content-type"] = "application/x-www-form-urlencoded"
            self.form = {"payload": [json.dumps(payload)]}
            self.json = None
        else:
            self.headers["content-type"] = "application/json"
            self.json = body or {}
            self.form = {}


def message_event(ts: str = "1700000000.000100", thread_ts: str | None = None, event_id: str = "Ev1") -> Dict:
    event = {"type": "message", "channel": "C0TEST", "user": "U1", "text": "hi", "ts": ts, "channel_type": "channel"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"type": "event_callback", "event_id": event_id, "event": event, "authorizations": [{"user_id": "UBOT"}]}


def button_click(thread_ts: str | None = None) -> Dict:
    message = {"ts": "1700000001.000200", **({"thread_ts": thread_ts} if thread_ts else {})}
    return {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "D1"}, "message": message,
            "actions": [{"type": "button", "value": "/ask_salary", "action_ts": "1700000002.1"}]}


def test_api_url_comes_from_the_credentials() -> None:
    chan = SlackInput.from_credentials({**CREDENTIALS, "api_url": "http://127.0.0.1:9/api/"})
    assert chan.name() == "slack"
    out = chan.get_output_channel("C1", "1700000000.000100")
    assert isinstance(out, SlackOutput)
    assert out.client.base_url == "http://127.0.0.1:9/api/"
    assert out.client.token == "xoxb-1"
    assert (out.slack_channel, out.thread_id) == ("C1", "1700000000.000100")
    assert SlackInput.from_credentials(CREDENTIALS).get_output_channel().client.base_url == SLACK_API_URL


def test_replies_go_to_the_users_thread_or_the_channel() -> None:
    chan = SlackInput.from_credentials(CREDENTIALS)
    top = chan.get_metadata(FakeRequest(message_event()))
    assert top["out_channel"] == "C0TEST" and top["thread_id"] is None
    threaded = chan.get_metadata(FakeRequest(message_event(thread_ts="1699999999.000001")))
    assert threaded["thread_id"] == "1699999999.000001"
    clicked = chan.get_metadata(FakeRequest(payload=button_click(thread_ts="1699999999.000001")))
    assert clicked["out_channel"] == "D1" and clicked["thread_id"] == "1699999999.000001"
    assert chan.get_metadata(FakeRequest(payload=button_click()))["thread_id"] is None


def test_delivery_keys() -> None:
    assert delivery_key(FakeRequest(message_event())) == "msg:C0TEST:1700000000.000100"
    mention = message_event(event_id="Ev2")
    mention["event"]["type"] = "app_mention"
    assert delivery_key(FakeRequest(mention)) == delivery_key(FakeRequest(message_event())), (
        "a mention arrives as message and as app_mention: one answer"
    )
    assert delivery_key(FakeRequest({"event_id": "Ev9", "event": {}})) == "event:Ev9"
    assert delivery_key(FakeRequest(payload=button_click())) == "action:U1:1700000002.1"
    assert delivery_key(FakeRequest({"type": "url_verification", "challenge": "x"})) is None


def test_seen_deliveries_are_bounded_in_number_and_age() -> None:
    seen = SeenDeliveries(limit=3, seconds=60)
    assert seen.first_time("a", now=0) and not seen.first_time("a", now=1)
    assert seen.first_time("b", now=2) and seen.first_time("c", now=3) and seen.first_time("d", now=4)
    assert len(seen._seen) == 3 and seen.first_time("a", now=5), "the oldest key made room"
    assert seen.first_time("b", now=200), "forgotten after the time window"


@pytest.mark.asyncio
async def test_a_retry_of_the_same_message_is_taken_once() -> None:
    chan = SlackInput.from_credentials(CREDENTIALS)
    received: List[Any] = []

    async def on_new_message(message: Any) -> None:
        received.append(message)

    request = FakeRequest(message_event())
    retry = FakeRequest(message_event(), headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    first = await chan.process_message(request, on_new_message, "hi", "U1", chan.get_metadata(request))
    second = await chan.process_message(retry, on_new_message, "hi", "U1", chan.get_metadata(retry))
    await asyncio.sleep(0.05)
    assert first.status == 200 and second.status == 200
    assert second.headers.get("X-Slack-No-Retry") == "1"
    assert len(received) == 1
    assert received[0].output_channel.slack_channel == "C0TEST"


# --- long replies: a section per paragraph ---

def test_each_paragraph_is_a_section() -> None:
    blocks = text_blocks("Intro line.\nSource: X.\n\nStep 1. Train.\n\nStep 2. Certify.")
    assert [b["text"]["text"] for b in blocks] == ["Intro line.\nSource: X.", "Step 1. Train.", "Step 2. Certify."]
    assert all(b["type"] == "section" and b["text"]["type"] == "plain_text" for b in blocks)


def test_an_overlong_paragraph_is_cut_at_sentences() -> None:
    sentence = "A sentence of forty characters or so ok. "
    blocks = text_blocks(sentence * 200)
    texts = [b["text"]["text"] for b in blocks]
    assert len(texts) >= 3 and all(len(t) <= SECTION_MAX_CHARS for t in texts)
    assert all(t.endswith(".") for t in texts)
    assert " ".join(texts) == (sentence * 200).strip()
