"""Slack against the running Rasa server, with Slack's Web API replaced by a local fake.

Every request here is what Slack would send to ``/webhooks/slack/webhook``,
signed (or not) with the signing secret; the bot's replies are read from what
it posted to the fake ``chat.postMessage``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, List

import pytest
import requests

from bot import servers

from .fake_slack import CHANNEL, TOKEN, FakeSlack, sign

pytestmark = pytest.mark.e2e

QUIET_SECONDS = 4.0  # how long "never answered" is watched


def webhook(bot: servers.Settings) -> str:
    return f"{bot.rasa_url}/webhooks/slack/webhook"


def post_json(bot: servers.Settings, body: Dict[str, Any], headers: Dict[str, str] | None = None,
              signed: bool = True, timestamp: int | None = None) -> requests.Response:
    raw = json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(sign(raw, timestamp) if signed else {}), **(headers or {})}
    return requests.post(webhook(bot), data=raw, headers=sent, timeout=10)


def message(text: str, channel: str, user: str | None = None, thread_ts: str | None = None,
            channel_type: str = "im") -> Dict[str, Any]:
    ts = f"{time.time():.6f}"
    event = {"type": "message", "text": text, "user": user or f"U{uuid.uuid4().hex[:9].upper()}",
             "channel": channel, "channel_type": channel_type, "ts": ts, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"type": "event_callback", "team_id": "T0E2E", "api_app_id": "A0E2E", "event": event,
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
            "authorizations": [{"user_id": "U0BOT", "is_bot": True}]}


def new_dm() -> str:
    return f"D{uuid.uuid4().hex[:9].upper()}"


def settled(fake: FakeSlack, channel: str, timeout: float = 45) -> List[Dict[str, Any]]:
    """The posts to ``channel`` once some arrived and none followed for a second."""
    fake.wait_for(lambda posts: any(p.get("channel") == channel for p in posts), timeout)
    count = -1
    while count != len(fake.posts(channel)):
        count = len(fake.posts(channel))
        time.sleep(1.0)
    return fake.posts(channel)


def buttons(post: Dict[str, Any]) -> List[Dict[str, Any]]:
    blocks = post.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def test_url_verification_challenge(bot: servers.Settings) -> None:
    body = {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification"}
    answer = post_json(bot, body)
    assert answer.status_code == 200
    assert answer.json() == {"challenge": body["challenge"]}
    assert post_json(bot, body, signed=False).status_code == 400


def test_message_in_a_channel_thread_is_answered_there_with_block_kit_buttons(
    bot: servers.Settings, fake_slack: FakeSlack
) -> None:
    thread = f"{time.time() - 60:.6f}"
    event = message("hello", CHANNEL, thread_ts=thread, channel_type="channel")
    assert post_json(bot, event).status_code == 200
    posts = fake_slack.wait_for(lambda ps: any(p.get("thread_ts") == thread for p in ps), 45)
    replies = [p for p in posts if p.get("thread_ts") == thread]
    assert replies, f"no reply in thread {thread}; fake Slack saw {posts[-3:]}"
    assert all(p["channel"] == CHANNEL for p in replies)
    with_buttons = [p for p in replies if buttons(p)]
    assert with_buttons, replies
    first = buttons(with_buttons[0])
    assert all(b["type"] == "button" and b["value"].startswith("/") and b["text"]["text"] for b in first)
    section = json.loads(with_buttons[0]["blocks"])[0] if isinstance(with_buttons[0]["blocks"], str) \
        else with_buttons[0]["blocks"][0]
    assert section["type"] == "section" and section["text"]["text"]
    calls = [c for c in fake_slack.calls if c["method"] == "chat.postMessage"]
    assert all(c["auth"] == f"Bearer {TOKEN}" for c in calls)


def test_direct_message_is_answered_in_the_dm_not_in_a_thread(bot: servers.Settings, fake_slack: FakeSlack) -> None:
    dm = new_dm()
    assert post_json(bot, message("how much does a medical coder earn?", dm)).status_code == 200
    posts = settled(fake_slack, dm)
    assert posts, "no reply in the DM"
    assert all("thread_ts" not in p for p in posts)
    text = "\n".join(p.get("text", "") for p in posts)
    assert "Source" in text, text


def test_button_click_is_answered(bot: servers.Settings, fake_slack: FakeSlack) -> None:
    dm = new_dm()
    payload = {"type": "block_actions", "user": {"id": f"U{uuid.uuid4().hex[:9].upper()}"},
               "channel": {"id": dm}, "message": {"ts": f"{time.time():.6f}"},
               "actions": [{"type": "button", "value": "/ask_salary", "action_ts": f"{time.time():.6f}",
                            "text": {"type": "plain_text", "text": "How much does it pay?"}}]}
    raw = "payload=" + requests.utils.quote(json.dumps(payload))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(raw.encode())}
    assert requests.post(webhook(bot), data=raw, headers=headers, timeout=10).status_code == 200
    text = "\n".join(p.get("text", "") for p in settled(fake_slack, dm))
    assert "Source" in text, text


@pytest.mark.parametrize("problem", ["bad signature", "missing signature", "stale timestamp"])
def test_unauthentic_requests_are_refused_and_never_answered(
    bot: servers.Settings, fake_slack: FakeSlack, problem: str
) -> None:
    dm = new_dm()
    event = message("hello", dm)
    raw = json.dumps(event).encode()
    headers = {"Content-Type": "application/json"}
    if problem == "bad signature":
        headers.update(sign(raw, secret="not-the-secret"))
    elif problem == "stale timestamp":
        headers.update(sign(raw, timestamp=int(time.time()) - 600))  # correctly signed, 10 minutes old
    answer = requests.post(webhook(bot), data=raw, headers=headers, timeout=10)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    time.sleep(QUIET_SECONDS)
    assert fake_slack.posts(dm) == []


def test_a_slack_retry_is_not_answered_twice(bot: servers.Settings, fake_slack: FakeSlack) -> None:
    dm = new_dm()
    event = message("hello", dm)
    assert post_json(bot, event).status_code == 200
    retry = post_json(bot, event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert retry.status_code == 200
    answered = len(settled(fake_slack, dm))
    assert answered >= 1
    again = post_json(bot, event, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"})
    assert again.status_code in (200, 201)
    time.sleep(QUIET_SECONDS)
    assert len(fake_slack.posts(dm)) == answered, "a retry was answered again"


def test_the_feedback_row_is_slack_buttons_and_a_thumbs_down_asks_what_was_wanted(
        bot: servers.Settings, fake_slack: FakeSlack) -> None:
    dm, user = new_dm(), f"U{uuid.uuid4().hex[:9].upper()}"
    assert post_json(bot, message("can medical billers work from home?", dm, user=user)).status_code == 200
    posts = settled(fake_slack, dm)
    row = [p for p in posts if p.get("text") == "Was this helpful?"]
    assert len(row) == 1 and [b["value"] for b in buttons(row[0])] == ["/feedback_helpful", "/feedback_not_helpful"]
    assert [b["text"]["text"] for b in buttons(row[0])] == ["👍 Yes", "👎 No"]
    payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": dm},
               "message": {"ts": f"{time.time():.6f}"},
               "actions": [{"type": "button", "value": "/feedback_not_helpful", "action_ts": f"{time.time():.6f}",
                            "text": {"type": "plain_text", "text": "👎 No"}}]}
    raw = "payload=" + requests.utils.quote(json.dumps(payload))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(raw.encode())}
    assert requests.post(webhook(bot), data=raw, headers=headers, timeout=10).status_code == 200
    fake_slack.wait_for(lambda ps: any("What were you looking for?" in (p.get("text") or "") for p in ps), 45)
