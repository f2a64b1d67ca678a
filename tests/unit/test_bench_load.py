"""The load generator stays on localhost and stops at its turn and time bounds."""

import asyncio
import time

import pytest

from bench import load


def test_refuses_hosts_other_than_localhost():
    with pytest.raises(SystemExit):
        load.main(["--url", "http://example.com/webhooks/rest/webhook", "--turns", "1"])


def test_refuses_unbounded_runs():
    with pytest.raises(SystemExit):
        load.main(["--url", "http://127.0.0.1:1/webhooks/rest/webhook", "--max-seconds", "0"])


def _serve(delay: float, status: int = 200, reply: str = "ok"):
    from aiohttp import web

    seen = []

    async def webhook(request):
        body = await request.json()
        seen.append(body["sender"])
        await asyncio.sleep(delay)
        text = reply if len(seen) % 2 == 0 else "ok"  # every other turn gets ``reply``
        return web.json_response([{"text": text}], status=status)

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return app, seen


async def _run(delay, users, turns, max_seconds, status=200, conversation=2, reply="ok", failures=()):
    from aiohttp import web

    app, seen = _serve(delay, status, reply)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        result = await load.generate(f"http://127.0.0.1:{port}/webhooks/rest/webhook", ["a", "b", "c"],
                                     users, turns, conversation, max_seconds, request_timeout=5,
                                     failures=failures, by_sender=True)
    finally:
        await runner.cleanup()
    return result, seen


def test_every_user_sends_its_turns_and_conversations_rotate():
    result, seen = asyncio.run(_run(delay=0.0, users=4, turns=5, max_seconds=10))
    assert result["ok"] == 20 and result["errors"] == 0
    assert len(result["latencies_s"]) == 20
    assert len(set(seen)) == 4 * 3  # 5 turns, a new conversation every 2 -> 3 senders per user
    assert result["throughput_turns_per_s"] > 0


def test_stops_at_the_time_limit():
    started = time.monotonic()
    result, _ = asyncio.run(_run(delay=0.2, users=2, turns=1000, max_seconds=1.0))
    assert time.monotonic() - started < 4
    assert result["stopped_by_time"]
    assert result["ok"] < 2 * 1000


def test_http_errors_are_counted():
    result, _ = asyncio.run(_run(delay=0.0, users=2, turns=3, max_seconds=10, status=500))
    assert result["ok"] == 0 and result["errors"] == 6 and result["error_kinds"] == ["HTTP 500"]


def test_the_bots_apologies_count_as_errors_and_answered_turns_are_counted_per_conversation():
    sorry = "Sorry, I couldn't save that just now, so please send it again in a moment."
    result, seen = asyncio.run(_run(delay=0.0, users=1, turns=4, max_seconds=10, reply=sorry,
                                    failures=("Sorry, I couldn't save that",)))
    assert result["ok"] == 2 and result["errors"] == 2
    assert result["error_kinds"] == ["reply: Sorry, I couldn't save that"]
    assert sum(result["acknowledged_by_sender"].values()) == 2
    assert sum(result["apologies_by_sender"].values()) == 2 and set(result["acknowledged_by_sender"]) <= set(seen)
