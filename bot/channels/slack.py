"""The Slack channel: Rasa's, with a configurable API address and no double answers.

Registered as ``bot.channels.slack.SlackInput`` by :mod:`bot.channels.credentials`
when the ``SLACK_*`` variables are set. It keeps the name ``slack``, so Slack
posts to ``<public-url>/webhooks/slack/webhook``. Rasa's code still checks the
signature (HMAC of the body with the signing secret, requests older than five
minutes refused with 400), parses events and button clicks, and posts the
replies. On top of it:

* **API address.** Rasa's ``SlackBot`` builds ``AsyncWebClient(token,
  proxy=proxy)``, so it always calls ``https://slack.com/api/``. Here the
  output channel uses ``api_url`` from the credentials (``SLACK_API_URL``;
  default Slack's), which lets the tests put a local fake Slack behind it.
* **One answer per message.** Slack re-sends an event it thinks was not
  acknowledged in time (with ``X-Slack-Retry-Num``), and a message that
  mentions the bot in a subscribed channel arrives twice, as ``message`` and as
  ``app_mention``. Rasa answers all of those again unless the retry reason is
  ``http_timeout``. Here each message is answered once: deliveries are keyed by
  channel and message timestamp (else the event id) and remembered for an hour
  (at most :data:`SEEN_LIMIT` keys, in memory, so a server restart forgets them).
* **Threads.** A reply goes into the thread the user wrote in; a message that
  is not in a thread is answered in the channel (or DM) itself.
* **Bodies Slack never sends** (JSON that is not an object, an ``event`` that
  is not one, a form without a JSON ``payload``) get HTTP 400 with a short
  reason (:mod:`bot.channels.bodies`) instead of an error inside Rasa's handler.
* **Long answers as sections.** Rasa puts a reply with buttons in one Block
  Kit section, which Slack refuses over 3,000 characters. Here each paragraph
  (a plan's step) is a section of its own, cut at a sentence if one is longer.
* **URL verification.** Slack documents the answer to ``url_verification`` as
  the bare challenge or ``{"challenge": ...}``; Rasa sends a JSON string, so
  the signed challenge is answered here in the documented JSON form.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import rasa_patches
from bot.channels.bodies import bad_request, slack_problem

logger = logging.getLogger(__name__)

rasa_patches.install()  # the Rasa server imports this module first: apology, no version on GET /, ...

SLACK_API_URL = "https://slack.com/api/"
SEEN_LIMIT = 10_000
SEEN_SECONDS = 3600.0


class SeenDeliveries:
    """Keys of the messages already taken, bounded in number and age."""

    def __init__(self, limit: int = SEEN_LIMIT, seconds: float = SEEN_SECONDS) -> None:
        self.limit, self.seconds = limit, seconds
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, key: str, now: float | None = None) -> bool:
        """True the first time ``key`` is offered (within the time window), else False."""
        now = time.monotonic() if now is None else now
        while self._seen and (
            len(self._seen) >= self.limit or now - next(iter(self._seen.values())) > self.seconds
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


def _json_body(request: Request) -> Dict[str, Any]:
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - sanic raises its own error for bad JSON
        return {}
    return body if isinstance(body, dict) else {}


def _form_payload(request: Request) -> Dict[str, Any]:
    try:
        payload = json.loads(request.form["payload"][0])
    except Exception:  # noqa: BLE001 - not an interactive request
        return {}
    return payload if isinstance(payload, dict) else {}


def delivery_key(request: Request) -> str | None:
    """What makes two deliveries the same user message."""
    content_type = request.headers.get("content-type")
    if content_type == "application/json":
        body = _json_body(request)
        event = body.get("event") or {}
        if event.get("channel") and event.get("ts"):
            return f"msg:{event['channel']}:{event['ts']}"
        if body.get("event_id"):
            return f"event:{body['event_id']}"
    elif content_type == "application/x-www-form-urlencoded":
        payload = _form_payload(request)
        actions = payload.get("actions") or [{}]
        user = (payload.get("user") or {}).get("id")
        if user and actions[0].get("action_ts"):
            return f"action:{user}:{actions[0]['action_ts']}"
    return None


#: Slack's limit on a section's text.
SECTION_MAX_CHARS = 3000


def _pieces(text: str, limit: int = SECTION_MAX_CHARS) -> List[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at sentences (at worst mid-text)."""
    pieces: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind(". ", 0, limit)
        cut = cut + 1 if cut > 0 else limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return [*pieces, rest] if rest else pieces


def text_blocks(text: str) -> List[Dict[str, Any]]:
    """One plain-text section per paragraph of ``text``."""
    return [
        {"type": "section", "text": {"type": "plain_text", "text": piece}}
        for paragraph in text.split("\n\n")
        for piece in _pieces(paragraph)
    ]


class SlackOutput(SlackBot):
    """Rasa's ``SlackBot`` calling the Web API at ``api_url``, with a section per paragraph."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str = SLACK_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if len(buttons) > 5 or len(text) <= SECTION_MAX_CHARS and "\n\n" not in text:
            return await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        actions = {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]}
                for b in buttons
            ],
        }
        await self._post_message(
            channel=self.slack_channel or recipient_id, as_user=True, text=text,
            blocks=[*text_blocks(text), actions],
        )


class SlackInput(RasaSlackInput):
    """Rasa's Slack input channel; see the module docstring for what differs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.api_url = SLACK_API_URL
        self.use_threads = True  # thread_id is set only for messages written in a thread
        self.seen = SeenDeliveries()

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> SlackInput:
        channel = super().from_credentials(credentials)
        channel.api_url = (credentials or {}).get("api_url") or SLACK_API_URL
        return channel  # type: ignore[return-value]

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def get_metadata(self, request: Request) -> Dict[str, Any]:
        metadata = super().get_metadata(request)
        if metadata:
            metadata["thread_id"] = self._thread_of(request)
        return metadata

    @staticmethod
    def _thread_of(request: Request) -> str | None:
        if request.headers.get("content-type") == "application/json":
            return (_json_body(request).get("event") or {}).get("thread_ts")
        payload = _form_payload(request)
        return (payload.get("message") or {}).get("thread_ts") or (payload.get("container") or {}).get("thread_ts")

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: Dict | None,
    ) -> Any:
        key = delivery_key(request)
        if key and not self.seen.first_time(key):
            logger.info(
                "Slack delivered %s again (retry %s, %s); it was answered already.",
                key,
                request.headers.get(self.retry_num_header) or "-",
                request.headers.get(self.retry_reason_header) or "-",
            )
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def url_verification(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            problem = slack_problem(request)
            if problem is not None:
                logger.info("Refused a Slack request: %s.", problem)
                return bad_request(problem)
            if request.headers.get("content-type") != "application/json":
                return None
            body = _json_body(request)
            if body.get("type") != "url_verification" or not self.is_request_from_slack_authentic(request):
                return None  # Rasa's handler answers (and refuses a bad signature)
            return response.json({"challenge": body.get("challenge")})

        return blueprint
