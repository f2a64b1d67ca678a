"""Subprocess environment, machine and git facts shared by the sections."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence

from bench import OUT, ROOT

BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")


def env() -> Dict[str, str]:
    """Environment for Rasa subprocesses: repo on PYTHONPATH, no telemetry, own cache."""
    values = dict(os.environ)
    values.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # keep the trainings' cache out of the project's .rasa/cache
        RASA_CACHE_DIRECTORY=str(OUT / "rasa-cache"),
    )
    return values


def shown(cmd: Sequence[str]) -> str:
    """A command as a user would type it from the repository root."""
    parts = []
    for part in cmd:
        if part == sys.executable:
            part = "python"
        elif part == RASA:
            part = "rasa"
        elif part.startswith(str(ROOT) + os.sep):
            part = os.path.relpath(part, ROOT)
        parts.append(part)
    return shlex.join(parts)


def run_logged(cmd: List[str], log: Path, timeout: float) -> float:
    """Run ``cmd`` from the repo root with output to ``log``; wall-clock seconds. Raises on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=env(), stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    elapsed = time.monotonic() - started
    if proc.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{shown(cmd)} failed with code {proc.returncode}; end of {log}:\n{tail}")
    return elapsed


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def load_average() -> List[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews timings."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def git_facts() -> Dict[str, object]:
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results.json",
                ":!bench/REPORT.md", ":!bench/plots")
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(dirty)}


def machine() -> Dict[str, object]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        rasa_version = version("rasa")
    except Exception:  # noqa: BLE001 - informational only
        rasa_version = ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "rasa": rasa_version,
    }
