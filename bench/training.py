"""Section ``training``: wall clock of a full ``rasa train --force`` (into bench/out/model)."""

from __future__ import annotations

from typing import Any, Dict

from bench import OUT
from bench.runner import RASA, run_logged, shown


def run() -> Dict[str, Any]:
    out = OUT / "model"
    cmd = [RASA, "train", "--force", "--out", str(out), "--fixed-model-name", "bench", "--num-threads", "2"]
    print(f"  {shown(cmd)}  (log: bench/out/train.log)", flush=True)
    seconds = run_logged(cmd, OUT / "train.log", timeout=3 * 3600)
    model = out / "bench.tar.gz"
    print(f"  full training {seconds:.0f}s", flush=True)
    return {"rasa_command": shown(cmd), "seconds": round(seconds, 1),
            "model_mb": round(model.stat().st_size / 1e6, 1) if model.exists() else None}
