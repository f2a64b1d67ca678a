"""Load generator: ``python -m bench.load`` (run in its own process by the speed section).

N simulated users post to the REST webhook at once, each sequentially (send,
wait for the reply, send the next), cycling through a list of texts and
starting a new conversation every ``--conversation`` turns. It is bounded in
count (``--turns`` per user) and time (``--max-seconds``), talks to localhost
only, and writes latencies and errors as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import urlparse

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


async def _user(index: int, session: Any, url: str, texts: List[str], turns: int, conversation: int,
                deadline: float, request_timeout: float, out: Dict[str, Any],
                failures: Tuple[str, ...] = ()) -> None:
    import aiohttp

    run = uuid.uuid4().hex[:6]
    sender = ""
    for n in range(turns):
        if time.monotonic() >= deadline:
            out["stopped_by_time"] = True
            return
        if n % conversation == 0:
            sender = f"load-{run}-u{index}-c{n // conversation}"
        text = texts[(index * 7 + n) % len(texts)]
        started = time.perf_counter()
        try:
            timeout = aiohttp.ClientTimeout(total=min(request_timeout, max(0.1, deadline - time.monotonic())))
            async with session.post(url, json={"sender": sender, "message": text}, timeout=timeout) as response:
                body = await response.read()
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    out["errors"].append(f"HTTP {response.status}")
                    continue
                messages = json.loads(body)
                if not isinstance(messages, list):
                    out["errors"].append("reply is not a list of messages")
                    continue
                if not messages:  # a turn the server failed answers 200 with no messages
                    out["errors"].append("no reply")
                    continue
                said = " ".join(str(m.get("text") or "") for m in messages if isinstance(m, dict))
                failure = next((f for f in failures if f in said), None)
                if failure is not None:  # the bot's own apology: answered, but not an answer
                    out["errors"].append(f"reply: {failure[:40]}")
                    out["apologies_by_sender"][sender] = out["apologies_by_sender"].get(sender, 0) + 1
                    continue
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            if isinstance(error, asyncio.TimeoutError) and time.monotonic() >= deadline - 0.01:
                out["stopped_by_time"] = True  # cut off by --max-seconds, not by the server
                return
            out["errors"].append(type(error).__name__)
            continue
        out["latencies"].append(elapsed)
        out["acknowledged_by_sender"][sender] = out["acknowledged_by_sender"].get(sender, 0) + 1
        out["finished_at"] = time.monotonic()


async def generate(url: str, texts: List[str], users: int, turns: int, conversation: int,
                   max_seconds: float, request_timeout: float, failures: Tuple[str, ...] = (),
                   by_sender: bool = False) -> Dict[str, Any]:
    import aiohttp

    out: Dict[str, Any] = {"latencies": [], "errors": [], "stopped_by_time": False,
                           "acknowledged_by_sender": {}, "apologies_by_sender": {}}
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.monotonic()
        out["finished_at"] = started
        deadline = started + max_seconds
        tasks = [_user(i, session, url, texts, turns, conversation, deadline, request_timeout, out, failures)
                 for i in range(users)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=max_seconds + 5)
        except asyncio.TimeoutError:
            out["stopped_by_time"] = True
            out["errors"].append("load generator hit its time limit")
        ended = time.monotonic()
    ok = len(out["latencies"])
    wall = max(ended - started, 1e-9)
    extra = {key: out[key] for key in ("acknowledged_by_sender", "apologies_by_sender")} if by_sender else {}
    return {**extra,
        "users": users, "turns_per_user": turns, "attempted": ok + len(out["errors"]), "ok": ok,
        "errors": len(out["errors"]), "error_kinds": sorted(set(out["errors"])),
        "wall_seconds": round(wall, 3), "throughput_turns_per_s": round(ok / wall, 2),
        "stopped_by_time": out["stopped_by_time"], "latencies_s": [round(x, 5) for x in out["latencies"]],
    }


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="REST webhook, e.g. http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("--texts", type=Path, help="JSON list of messages (default: the dev questions)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--turns", type=int, default=25, help="turns per user (upper bound)")
    parser.add_argument("--conversation", type=int, default=10, help="turns before a user starts a new conversation")
    parser.add_argument("--max-seconds", type=float, default=180, help="hard time limit for the whole run")
    parser.add_argument("--request-timeout", type=float, default=30)
    parser.add_argument("--out", type=Path, help="write the JSON result here (default: stdout)")
    parser.add_argument("--failure-text", action="append", default=[],
                        help="a reply containing this counts as an error (the bot's apologies); repeatable")
    parser.add_argument("--by-sender", action="store_true", help="also write the turns answered per conversation")
    args = parser.parse_args(argv)

    host = urlparse(args.url).hostname or ""
    if host not in LOCAL_HOSTS:
        parser.error(f"refusing to load-test {host!r}: localhost only")
    if not (1 <= args.users <= 200 and 1 <= args.turns <= 10_000 and 0 < args.max_seconds <= 3600):
        parser.error("users 1..200, turns 1..10000, max-seconds up to 3600")
    if args.texts:
        texts = json.loads(args.texts.read_text(encoding="utf-8"))
    else:
        from bench.dataset import load_dev

        texts = [q.text for q in load_dev()[0]]
    if not texts:
        parser.error("no texts to send")
    result = asyncio.run(generate(args.url, texts, args.users, args.turns, max(1, args.conversation),
                                  args.max_seconds, args.request_timeout, tuple(args.failure_text),
                                  args.by_sender))
    payload = json.dumps(result)
    if args.out:
        args.out.write_text(payload, encoding="utf-8")
    else:
        print(payload)
    print(f"{result['ok']} turns ok, {result['errors']} errors in {result['wall_seconds']:.1f}s "
          f"= {result['throughput_turns_per_s']:.1f} turns/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
