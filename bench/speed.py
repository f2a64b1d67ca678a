"""Section ``speed``: latency for one user, load from 20 users, start-up and memory.

Latency is the wall time of one REST webhook POST as the client sees it
(NLU, policy, action server call, tracker store read and write). The single
user sends sequentially and starts a new conversation every few turns, like
real visitors; the concurrent load comes from ``python -m bench.load`` in a
second process so the client does not share the server's interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence

from bench import OUT, PLOTS, ROOT
from bench.botrun import RunningBot, new_sender, tree_cpu_seconds, tree_rss_kb
from bench.runner import shown
from bench.stats import latency_summary

CONVERSATION_TURNS = 10
WARMUP_TURNS = 5


def single_user(bot: RunningBot, texts: Sequence[str], turns: int) -> Dict[str, Any]:
    client = bot.client()
    for n in range(WARMUP_TURNS):  # first requests pay for lazy imports and caches
        client.say(new_sender("warm"), texts[n % len(texts)])
    latencies: List[float] = []
    errors: List[str] = []
    sender = ""
    for n in range(turns):
        if n % CONVERSATION_TURNS == 0:
            sender = new_sender("speed")
        try:
            messages, seconds = client.say(sender, texts[n % len(texts)])
        except Exception as error:  # noqa: BLE001 - counted, not fatal
            errors.append(type(error).__name__)
            continue
        if not messages:  # a turn the server failed answers 200 with no messages: an error, not a fast turn
            errors.append("no reply")
            continue
        latencies.append(seconds)
    return {"turns": turns, "warmup_turns": WARMUP_TURNS, "conversation_turns": CONVERSATION_TURNS,
            "errors": len(errors), **latency_summary(latencies), "latencies_s": [round(x, 5) for x in latencies]}


def greeting_only(bot: RunningBot, turns: int) -> Dict[str, Any]:
    """Latency of "hello" (answered by utter_greet, no action server call), each from a new sender."""
    client = bot.client()
    latencies = []
    for _ in range(turns):
        messages, seconds = client.say(new_sender("greet"), "hello")
        if not messages:
            raise RuntimeError("the greeting got no reply: see the Rasa server's log")
        latencies.append(seconds)
    return latency_summary(latencies)


def nlu_only(bot: RunningBot, texts: Sequence[str], turns: int) -> Dict[str, Any]:
    """Latency of ``POST /model/parse`` alone: the NLU share of a turn."""
    import requests

    session = requests.Session()
    url = f"{bot.rasa_url}/model/parse"
    latencies: List[float] = []
    for n in range(turns):
        started = time.perf_counter()
        response = session.post(url, params={"token": bot.api_token}, json={"text": texts[n % len(texts)]}, timeout=30)
        response.raise_for_status()
        latencies.append(time.perf_counter() - started)
    return latency_summary(latencies)


def concurrent(bot: RunningBot, texts: Sequence[str], users: int, turns: int, max_seconds: float) -> Dict[str, Any]:
    texts_file = OUT / "load_texts.json"
    result_file = OUT / "load_result.json"
    texts_file.write_text(json.dumps(list(texts)), encoding="utf-8")
    if result_file.exists():
        result_file.unlink()
    cpu_before = {"rasa": tree_cpu_seconds(bot.rasa_pid), "actions": tree_cpu_seconds(bot.action_pid)}
    cmd = [sys.executable, "-m", "bench.load", "--url", f"{bot.rasa_url}/webhooks/rest/webhook",
           "--texts", str(texts_file), "--users", str(users), "--turns", str(turns),
           "--conversation", str(CONVERSATION_TURNS), "--max-seconds", str(max_seconds), "--out", str(result_file)]
    proc = subprocess.run(cmd, cwd=ROOT, timeout=max_seconds + 60, capture_output=True, text=True)
    if proc.returncode or not result_file.exists():
        raise RuntimeError(f"load generator failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    # CPU time per answered turn: what bounds throughput on 2 cores (the Rasa server is one process)
    turns = max(int(result.get("ok") or 0), 1)
    result["cpu_ms_per_turn"] = {
        "rasa_server": round(1000 * (tree_cpu_seconds(bot.rasa_pid) - cpu_before["rasa"]) / turns, 1),
        "action_server": round(1000 * (tree_cpu_seconds(bot.action_pid) - cpu_before["actions"]) / turns, 1),
    }
    latencies = result.pop("latencies_s")
    shown_cmd = shown(cmd).replace(bot.rasa_url, "http://127.0.0.1:PORT")
    return {"load_command": shown_cmd, **result, **latency_summary(latencies), "latencies_s": latencies}


#: The 20-user load is run this many times: throughput on this VM varies by a third between runs.
LOAD_RUNS = 3


def median_run(runs: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """The run with the median throughput, with every run's figures and the errors of all runs."""
    ordered = sorted(runs, key=lambda r: r["throughput_turns_per_s"])
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["runs"] = [{"throughput_turns_per_s": r["throughput_turns_per_s"], "errors": r["errors"],
                       "p50_ms": r.get("p50_ms"), "cpu_ms_per_turn": r["cpu_ms_per_turn"]} for r in runs]
    median["errors"] = sum(r["errors"] for r in runs)
    return median


def plot_latency(single: Sequence[float], many: Sequence[float], users: int, path: Path) -> None:
    """Two histograms side by side (their scales differ by an order of magnitude), with p50/p95 marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bench.stats import percentile

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), dpi=90)
    for ax, values, title, colour in zip(
        axes, (single, many), ("1 user, sequential", f"{users} concurrent users"), ("tab:blue", "tab:orange"),
        strict=True,
    ):
        ms = [x * 1000 for x in values]
        if ms:
            ax.hist(ms, bins=40, color=colour, alpha=0.8)
            for p, style in ((50, "-"), (95, "--")):
                ax.axvline(percentile(ms, p), color="black", linestyle=style, linewidth=1, label=f"p{p}")
            ax.legend(fontsize=8)
        ax.set_title(f"{title} (n={len(ms)})", fontsize=10)
        ax.set_xlabel("latency per turn (ms)")
    axes[0].set_ylabel("turns")
    fig.suptitle("REST webhook latency", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def run(bot: RunningBot, texts: Sequence[str], quick: bool = False) -> Dict[str, Any]:
    print(f"  start-up to ready {bot.startup_seconds:.1f}s (first reply {bot.first_reply_seconds * 1000:.0f} ms)",
          flush=True)
    single = single_user(bot, texts, 40 if quick else 220)
    print(f"  1 user: {single['count']} turns, p50 {single['p50_ms']} ms, p95 {single['p95_ms']} ms, "
          f"p99 {single['p99_ms']} ms, {single['errors']} errors", flush=True)
    nlu = nlu_only(bot, texts, 20 if quick else 100)
    print(f"  NLU alone (/model/parse): p50 {nlu['p50_ms']} ms, p95 {nlu['p95_ms']} ms", flush=True)
    greet = greeting_only(bot, 10 if quick else 50)
    print(f"  greeting turn (no action server): p50 {greet['p50_ms']} ms, p95 {greet['p95_ms']} ms", flush=True)
    users = 20
    runs = []
    for _ in range(1 if quick else LOAD_RUNS):
        one_run = concurrent(bot, texts, users, turns=3 if quick else 25, max_seconds=60 if quick else 240)
        print(f"  {users} users: {one_run['ok']} turns in {one_run['wall_seconds']:.1f}s = "
              f"{one_run['throughput_turns_per_s']} turns/s, p50 {one_run.get('p50_ms')} ms, "
              f"p95 {one_run.get('p95_ms')} ms, {one_run['errors']} errors; CPU per turn: Rasa server "
              f"{one_run['cpu_ms_per_turn']['rasa_server']} ms, action server "
              f"{one_run['cpu_ms_per_turn']['action_server']} ms", flush=True)
        runs.append(one_run)
    many = median_run(runs)
    rss = {"rasa_server_mb": round(tree_rss_kb(bot.rasa_pid) / 1024, 1),
           "action_server_mb": round(tree_rss_kb(bot.action_pid) / 1024, 1)}
    print(f"  memory after load: Rasa server {rss['rasa_server_mb']} MB, action server {rss['action_server_mb']} MB",
          flush=True)
    plot = PLOTS / "latency_histogram.png"
    plot_latency(single["latencies_s"], many["latencies_s"], users, plot)
    return {
        "startup_seconds": round(bot.startup_seconds, 2),
        "first_reply_ms": round(bot.first_reply_seconds * 1000, 1),
        "single_user": single,
        "nlu_parse_only": nlu,
        "greeting_turn": greet,
        "concurrent": many,
        "memory_after_load": rss,
        "plots": ["plots/latency_histogram.png"],
    }
