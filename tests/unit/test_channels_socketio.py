"""The socket.io channel fix (``enter_room`` awaited) and its origin check, without a server."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.channels.socketio import SocketIOInput, allowed_origins


class FakeSio:
    """Records what the session_request handler does; ``enter_room`` async or not."""

    def __init__(self, async_enter_room: bool) -> None:
        self.rooms: List[tuple] = []
        self.emitted: List[tuple] = []
        self.async_enter_room = async_enter_room

    def enter_room(self, sid: str, room: str, namespace: str | None = None) -> Any:
        if not self.async_enter_room:
            self.rooms.append((sid, room))
            return None

        async def enter() -> None:  # python-socketio >= 5.10: only joins when awaited
            self.rooms.append((sid, room))

        return enter()

    async def emit(self, event: str, data: Any, room: str, namespace: str | None = None) -> None:
        self.emitted.append((event, data, room))


def channel(sio: Any, persistence: bool = True) -> SocketIOInput:
    chan = SocketIOInput(session_persistence=persistence)
    chan.sio = sio
    return chan


@pytest.mark.asyncio
@pytest.mark.parametrize("async_enter_room", [True, False])
async def test_session_request_joins_the_session_room(async_enter_room: bool) -> None:
    sio = FakeSio(async_enter_room)
    await channel(sio)._session_request("sid1", {"session_id": "0123456789abcdef0123456789abcdef"})
    assert sio.rooms == [("sid1", "0123456789abcdef0123456789abcdef")]
    assert sio.emitted == [("session_confirm", "0123456789abcdef0123456789abcdef", "sid1")]


@pytest.mark.asyncio
@pytest.mark.parametrize("data", [None, {}, {"session_id": None}, {"session_id": "x"}, {"session_id": "a b<script>"},
                                  {"session_id": "z" * 500}, {"session_id": 12345678901}, ["not", "a", "dict"]])
async def test_missing_or_odd_session_ids_get_a_fresh_one(data: Any) -> None:
    sio = FakeSio(True)
    await channel(sio)._session_request("sid1", data)
    (_, room), = sio.rooms
    assert len(room) == 32 and room.isalnum()
    assert sio.emitted == [("session_confirm", room, "sid1")]


@pytest.mark.asyncio
async def test_without_persistence_no_room_is_joined() -> None:
    sio = FakeSio(True)
    await channel(sio, persistence=False)._session_request("sid1", {"session_id": "0123456789abcdef"})
    assert sio.rooms == [] and sio.emitted[0][0] == "session_confirm"


def test_blueprint_keeps_rasas_name_path_and_swaps_two_handlers() -> None:
    chan = SocketIOInput.from_credentials({"session_persistence": True})
    assert chan.name() == "socketio" and chan.socketio_path == "/socket.io"

    async def on_new_message(message: Any) -> None:  # pragma: no cover - not called
        pass

    chan.blueprint(on_new_message)
    handlers: Dict[str, Any] = chan.sio.handlers["/"]
    assert handlers["session_request"] == chan._session_request
    assert handlers["connect"].__qualname__.startswith("SocketIOInput.blueprint")
    assert "user_uttered" in handlers  # Rasa's own message handler is kept


@pytest.mark.asyncio
async def test_connect_refuses_foreign_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_ALLOWED_ORIGINS", "http://localhost:8000 http://127.0.0.1:8000")
    chan = SocketIOInput.from_credentials({"session_persistence": True})

    async def on_new_message(message: Any) -> None:  # pragma: no cover - not called
        pass

    chan.blueprint(on_new_message)
    connect = chan.sio.handlers["/"]["connect"]
    assert await connect("a", {"HTTP_ORIGIN": "http://localhost:8000"}, None) is True
    assert await connect("b", {"HTTP_ORIGIN": "http://127.0.0.1:8000/"}, None) is True
    assert await connect("c", {}, None) is True  # no Origin: not a browser, CORS would not apply either
    assert await connect("d", {"HTTP_ORIGIN": "https://evil.example"}, None) is False
    assert await connect("e", {"HTTP_ORIGIN": "http://localhost:8001"}, None) is False


def test_allowed_origins() -> None:
    assert allowed_origins({"BOT_ALLOWED_ORIGINS": "http://a:1  http://b:2/"}) == {"http://a:1", "http://b:2"}
    assert allowed_origins({"BOT_ALLOWED_ORIGINS": "*"}) is None
    assert allowed_origins({}) == {"http://localhost:8000", "http://127.0.0.1:8000"}
    assert allowed_origins({"WEB_PORT": "9000"}) == {"http://localhost:9000", "http://127.0.0.1:9000"}
