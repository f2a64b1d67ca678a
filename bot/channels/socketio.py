"""The website's channel: Rasa's socket.io channel with two small fixes.

Registered in ``credentials.yml`` as ``bot.channels.socketio.SocketIOInput``;
the channel keeps the name ``socketio``, so the widget still talks to
``/socket.io`` and the conversations keep their ``input_channel``.

1. **Replies reach the browser with session persistence on.** Rasa 3.6.21's
   ``session_request`` handler calls ``sio.enter_room(...)`` without awaiting it.
   Since python-socketio 5.10 ``AsyncServer.enter_room`` is a coroutine, so the
   call does nothing (just a "never awaited" warning), the socket never joins
   the room named after the session id, and every bot reply, which is emitted
   to that room, is lost. This class re-registers that one handler, awaiting
   ``enter_room`` when it returns an awaitable (and still working with older
   python-socketio, where it returns ``None``).
2. **Only the configured websites may connect.** HTTP CORS (``rasa run --cors``)
   does not apply to WebSockets, so the ``connect`` handler is wrapped to refuse
   a browser whose ``Origin`` is not in ``BOT_ALLOWED_ORIGINS`` (space
   separated; ``*`` allows all; default: the demo website). Clients that send no ``Origin`` (not
   browsers) are let through, as HTTP CORS would.

3. **Every message gets a reply.** Rasa's ``user_uttered`` handler passed a
   ``message`` that was a number, list or object to the NLU (which failed:
   no reply, an error in the log), crashed on data or ``metadata`` that was
   not an object, and ignored a message without a session id in silence. Here
   a message that is not text is read as "not understood" (the bot's usual
   reply, stored in the conversation), unusable metadata is dropped, and a
   message that names no valid session gets :data:`NO_SESSION` back on its
   socket (there is no conversation to store it in).

4. **An answer keeps its buttons above the feedback row** (:class:`SocketIOOutput`).

Everything else is Rasa's own code: ``blueprint`` calls Rasa's and only swaps
these handlers (and the output channel) on the ``AsyncServer`` it built.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Mapping

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint

from bot import feedback, rasa_patches
from bot.nlu.guard import NOT_UNDERSTOOD
from bot.servers import default_origins

logger = logging.getLogger(__name__)

rasa_patches.install()  # the Rasa server imports this module first: apology, no version on GET /, ...

#: Session ids the widget may bring back from its storage (it makes uuid4 hex ones).
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
NO_SESSION = "Sorry, I lost track of this chat. Please reload the page and ask again."


def allowed_origins(env: Mapping[str, str] | None = None) -> frozenset | None:
    """Origins from ``BOT_ALLOWED_ORIGINS`` (default: the demo website); ``None`` means any."""
    env = os.environ if env is None else env
    origins = (env.get("BOT_ALLOWED_ORIGINS") or default_origins(int(env.get("WEB_PORT") or 8000))).split()
    if "*" in origins:
        return None
    return frozenset(origin.rstrip("/") for origin in origins)


class SocketIOOutput(RasaSocketIOOutput):
    """Rasa's socket.io output; an answer followed by the feedback row keeps its buttons.

    rasa-webchat shows a message's ``quick_replies`` only while it is the last
    message, so the "Was this helpful?" row (:mod:`bot.feedback`) would hide the
    answer's own buttons. Such an answer is sent with ``buttons`` instead, which
    the widget keeps showing; the row itself stays quick replies, gone once used.
    """

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if message.get(feedback.FOLLOWED_BY_FEEDBACK) and message.get("buttons"):
            parts = str(message.get("text") or "").strip().split("\n\n")
            for part in parts[:-1]:
                await self._send_message(recipient_id, {"text": part})
            buttons = [{"type": "postback", "title": b["title"], "payload": b["payload"]}
                       for b in message["buttons"]]
            await self._send_message(recipient_id, {"text": parts[-1], "buttons": buttons})
            return
        await super().send_response(recipient_id, message)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io input channel, with ``enter_room`` awaited and origins checked."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"
        origins = allowed_origins()
        rasa_connect = sio.handlers[namespace]["connect"]

        async def connect(sid: str, environ: Dict, auth: Dict | None = None) -> bool:
            origin = (environ.get("HTTP_ORIGIN") or "").rstrip("/")
            if origin and origins is not None and origin not in origins:
                logger.warning("Refused a socket.io connection from origin %r.", origin[:100])
                return False
            return await rasa_connect(sid, environ, auth)

        async def handle_message(sid: str, data: Any = None) -> None:
            checked = self._usable_message(data)
            if checked is None:
                await sio.emit(self.bot_message_evt, {"text": NO_SESSION}, room=sid, namespace=self.namespace)
                return
            # Rasa's handler, with this module's output channel
            sender_id = checked["session_id"] if self.session_persistence else sid
            await on_new_message(UserMessage(
                checked.get("message", ""), SocketIOOutput(sio, self.bot_message_evt), sender_id,
                input_channel=self.name(), metadata=checked[self.metadata_key],
            ))

        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", self._session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return blueprint

    def _usable_message(self, data: Any) -> Dict | None:
        """``data`` made safe for Rasa's handler, or ``None`` when it names no valid session."""
        if not isinstance(data, dict):
            return None
        session_id = data.get("session_id")
        if self.session_persistence and not (isinstance(session_id, str) and _SESSION_ID.match(session_id)):
            return None
        checked = dict(data)
        if not isinstance(checked.get("message", ""), str):
            checked["message"] = NOT_UNDERSTOOD
        metadata = checked.get(self.metadata_key, {})
        if isinstance(metadata, str):  # Rasa accepts metadata as a JSON string too
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        checked[self.metadata_key] = metadata if isinstance(metadata, dict) else {}
        return checked

    def get_output_channel(self) -> OutputChannel | None:
        output = super().get_output_channel()
        return SocketIOOutput(self.sio, self.bot_message_evt) if output is not None else None

    async def _session_request(self, sid: str, data: Dict | None = None) -> None:
        """Rasa's handler, with ``enter_room`` awaited and the session id checked."""
        data = data if isinstance(data, dict) else {}
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
            session_id = data["session_id"] = uuid.uuid4().hex
        if self.session_persistence:
            joined = self.sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(joined):
                await joined
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
        logger.debug("socket.io client %s joined session %s.", sid, session_id)
