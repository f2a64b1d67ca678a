"""What a request body must look like before Rasa's channel code reads it.

Rasa's REST and Slack handlers call ``request.json.get(...)`` and use what they
find as text: a body that is JSON but not an object (``[]``, ``null``, ``123``,
an empty body) raised inside the handler (HTTP 500), a message that was a
number or a list was handed to the NLU and failed there (an empty ``[]`` reply
and an error in the log), and ``?stream=true`` with such a message left the
client waiting 60 s for a 503. Each check here returns the problem in a short
sentence, or ``None`` when the body is usable; the channels answer a problem
with HTTP 400 and ``{"error": ...}`` before Rasa's handler runs, so nothing is
stored and the conversation is unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

#: Rasa's SQL tracker store keeps the sender id in a VARCHAR(255).
MAX_SENDER_CHARS = 255
REST_SHAPE = 'send a JSON object: {"sender": "<conversation id>", "message": "<text>"}'


def bad_request(problem: str) -> HTTPResponse:
    return response.json({"error": problem}, status=400)


def json_body(request: Request) -> tuple[Any, str | None]:
    """The parsed JSON body and ``None``, or ``None`` and why it could not be read."""
    if not request.body:
        return None, "the body is empty"
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None, "the body is not valid JSON"
    except RecursionError:
        return None, "the body is nested too deeply"
    request.parsed_json = body  # what Sanic's request.json returns: Rasa's handler does not parse it again
    return body, None


def rest_problem(request: Request) -> str | None:
    """Why a REST webhook request cannot be taken, or ``None``."""
    body, problem = json_body(request)
    if problem:
        return f"{problem}: {REST_SHAPE}"
    if not isinstance(body, dict):
        return f"the body is JSON but not an object: {REST_SHAPE}"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' is required: a non-empty string that names the conversation"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' is longer than {MAX_SENDER_CHARS} characters"
    if not isinstance(body.get("message"), str):
        return "'message' is required and must be a string"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "'metadata' must be a JSON object"
    return None


def slack_problem(request: Request) -> str | None:
    """Why a Slack event or button request has a shape Slack never sends, or ``None``."""
    content_type = request.headers.get("content-type")
    if content_type == "application/json":
        body, problem = json_body(request)
        if problem:
            return problem
        if not isinstance(body, dict):
            return "the body is JSON but not an object"
        event = body.get("event")
        if event is not None and not isinstance(event, dict):
            return "'event' must be a JSON object"
        if isinstance(event, dict) and not isinstance(event.get("text", ""), str):
            return "'event.text' must be a string"
    elif content_type == "application/x-www-form-urlencoded":
        try:
            payload = json.loads(request.form["payload"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            return "the form has no JSON 'payload'"
        if not isinstance(payload, dict):
            return "'payload' is not a JSON object"
    return None
