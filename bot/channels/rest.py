"""The REST channel: Rasa's, with the request body checked first.

Registered in ``credentials.yml`` as ``bot.channels.rest.RestInput``; the
channel keeps the name ``rest``, so clients still post to
``/webhooks/rest/webhook``. A body that is not a JSON object with a non-empty
string ``sender`` and a string ``message`` (and, if given, an object
``metadata``) gets HTTP 400 and ``{"error": ...}`` (:mod:`bot.channels.bodies`).
A request without ``sender`` is refused rather than filed under Rasa's shared
conversation ``default``, where strangers would read each other's context.
The conversation is stored with ``input_channel`` ``rest`` whatever the body
says, so a client cannot pass itself off as another channel.

``GET /webhooks/rest/`` is the server's health check (``make run``, the tests
and a load balancer use it): besides Rasa's ``{"status": "ok"}`` it answers
503 ``{"status": "unavailable", ...}`` while the tracker store cannot take a
write (:meth:`bot.tracker_store.SQLiteTrackerStore.check_health`) or the
cluster's lock store cannot be reached (:meth:`bot.lock_store.RedisLockStore.check_health`).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_patches
from bot.channels.bodies import bad_request, rest_problem

logger = logging.getLogger(__name__)

rasa_patches.install()


async def store_health(request: Request) -> HTTPResponse | None:
    """503 while the tracker store or the lock store fails; ``None`` lets Rasa's health route answer."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # inside Rasa's FailSafeTrackerStore
    for part, reason in ((store, "conversations cannot be saved right now"),
                         (getattr(agent, "lock_store", None), "conversations cannot be locked right now")):
        check = getattr(part, "check_health", None)
        if check is not None and not await check():
            return response.json({"status": "unavailable", "reason": reason}, status=503)
    return None


class RestInput(RasaRestInput):
    """Rasa's REST input channel; see the module docstring for what differs."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_body(request: Request) -> HTTPResponse | None:
            if request.method == "GET" and request.path.rstrip("/").endswith("/webhooks/rest"):
                return await store_health(request)
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            problem = rest_problem(request)
            if problem is None:
                return None
            logger.info("Refused a REST request: %s.", problem)
            return bad_request(problem)

        return blueprint
