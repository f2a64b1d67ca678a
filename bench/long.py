"""Section ``long``: is a turn's cost flat in the length of the conversation?

1. One user, one conversation of :data:`TURNS` turns: the median latency of
   the ten turns ending at each of :data:`MARKS` (turn 1: the first ten).
   Target: the figure at 500 turns at most 1.2x the first.
2. Memory under load with long conversations: :data:`LOAD_USERS` users for
   :data:`LOAD_SECONDS` (``BENCH_LONG_SECONDS`` overrides), each in one
   conversation that never ends, the Rasa and action servers' resident memory
   sampled every :data:`SAMPLE_SECONDS`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Sequence

from bench import OUT, ROOT
from bench.botrun import RunningBot, new_sender, tree_rss_kb
from bench.runner import shown

TURNS = 500
MARKS = (1, 50, 200, 500)
WINDOW = 10
LOAD_USERS = 20
LOAD_SECONDS = 600
SAMPLE_SECONDS = 30


def latency_by_length(bot: RunningBot, texts: Sequence[str], turns: int = TURNS) -> Dict[str, Any]:
    client = bot.client()
    for n in range(5):  # warm-up, in other conversations
        client.say(new_sender("warm"), texts[n % len(texts)])
    sender = new_sender("long")
    latencies: List[float] = [client.say(sender, texts[n % len(texts)])[1] for n in range(turns)]
    by_mark = {}
    for mark in (m for m in MARKS if m <= turns):
        window = latencies[:WINDOW] if mark == 1 else latencies[mark - WINDOW:mark]
        by_mark[str(mark)] = round(1000 * statistics.median(window), 1)
    last = by_mark[str(max(int(m) for m in by_mark))]
    return {"turns": turns, "window": WINDOW, "median_ms_at_turn": by_mark,
            "ratio_last_to_first": round(last / by_mark["1"], 2), "latencies_s": [round(x, 5) for x in latencies]}


def memory_under_load(bot: RunningBot, texts: Sequence[str], seconds: float) -> Dict[str, Any]:
    texts_file, result_file = OUT / "long_texts.json", OUT / "long_load.json"
    texts_file.write_text(json.dumps(list(texts)), encoding="utf-8")
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.load", "--url", f"{bot.rasa_url}/webhooks/rest/webhook",
           "--texts", str(texts_file), "--users", str(LOAD_USERS), "--turns", "10000",
           "--conversation", "10000", "--max-seconds", str(seconds), "--out", str(result_file)]
    samples: List[Dict[str, float]] = []
    done = threading.Event()

    def sample() -> None:
        started = time.monotonic()
        while not done.is_set():
            samples.append({"s": round(time.monotonic() - started), "rasa_mb": round(tree_rss_kb(bot.rasa_pid) / 1024),
                            "actions_mb": round(tree_rss_kb(bot.action_pid) / 1024)})
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, timeout=seconds + 60, capture_output=True, text=True)
    finally:
        done.set()
        sampler.join()
    if proc.returncode or not result_file.exists():
        raise RuntimeError(f"load generator failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result.pop("latencies_s", None)
    samples.append({"s": round(seconds), "rasa_mb": round(tree_rss_kb(bot.rasa_pid) / 1024),
                    "actions_mb": round(tree_rss_kb(bot.action_pid) / 1024)})
    half = samples[len(samples) // 2]
    return {"command": shown(cmd).replace(bot.rasa_url, "http://127.0.0.1:PORT"),
            "seconds": seconds, "users": LOAD_USERS, "turns": result.get("ok"), "errors": result.get("errors"),
            "turns_per_user": round((result.get("ok") or 0) / LOAD_USERS),
            "throughput_turns_per_s": result.get("throughput_turns_per_s"),
            "rasa_mb_at_half_time": half["rasa_mb"], "rasa_mb_at_end": samples[-1]["rasa_mb"],
            "rasa_mb_max": max(s["rasa_mb"] for s in samples), "samples": samples}


def run(bot: RunningBot, texts: Sequence[str], quick: bool = False) -> Dict[str, Any]:
    seconds = float(os.environ.get("BENCH_LONG_SECONDS") or (60 if quick else LOAD_SECONDS))
    one = latency_by_length(bot, texts, 100 if quick else TURNS)
    print(f"  one conversation: median ms at turn {one['median_ms_at_turn']} "
          f"(turn {one['turns']} / turn 1 = {one['ratio_last_to_first']}x)", flush=True)
    load = memory_under_load(bot, texts, seconds)
    print(f"  {load['users']} users x {load['seconds']:.0f}s, one conversation each ({load['turns_per_user']} turns): "
          f"Rasa server {load['rasa_mb_at_half_time']} MB at half time, {load['rasa_mb_at_end']} MB at the end, "
          f"{load['errors']} errors", flush=True)
    return {"one_conversation": one, "memory_under_load": load}
