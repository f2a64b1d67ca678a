"""The action server's shared token: only the Rasa servers may call it.

Every Rasa server sends ``Authorization: Bearer $ACTION_TOKEN`` with each action
call (``headers`` of ``action_endpoint`` in ``endpoints.yml`` and
``deploy/endpoints.yml``); the action server answers 401 to ``/webhook`` and
``/actions`` without it. ``/health`` stays open for HAProxy's checks (it
tells nothing). ``make run`` and ``make cluster`` generate a token per start
when ``ACTION_TOKEN`` is not set (:class:`bot.servers.Settings`); on several
machines set the same one on every Rasa and action host.

Attached through rasa_sdk's own plugin hook (``attach_sanic_app_extensions``,
found in the top-level package ``rasa_sdk_plugins``), so the action server is
still ``rasa run actions``.
"""

from __future__ import annotations

import hmac
import logging
import os

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")

ENV = "ACTION_TOKEN"
OPEN_PATHS = ("/health",)


def authorised(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` (compared in constant time)."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    token = os.environ.get(ENV, "")
    if not token:
        logger.warning("%s is not set: the action server answers anyone who can reach it.", ENV)
        return

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        logger.warning("Refused an action call without the shared token from %s.", request.remote_addr or request.ip)
        return response.json({"error": "unauthorised"}, status=401)
