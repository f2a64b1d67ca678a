"""Starts, watches and stops the action server and the Rasa server.

Used by ``python -m bot run`` / ``chat`` (the Makefile), the end-to-end tests
and the benchmark, so all of them start the bot the same way. Settings come
from environment variables with safe local defaults (see README, "Settings").
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Protocol

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"  # the Rasa server's interface
    rasa_port: int = 5005
    action_host: str = "127.0.0.1"  # the action server's interface
    action_port: int = 5055
    web_port: int = 8000
    allowed_origins: str = "http://localhost:8000 http://127.0.0.1:8000"
    api_token: str | None = None
    socket_url: str | None = None  # what the demo page tells the widget; default: its host + rasa_port
    tracker_db: str = str(ROOT / "tracker.db")
    model: str = str(ROOT / "models")
    extra_env: Dict[str, str] = field(default_factory=dict)
    #: the Rasa server's endpoints file (``deploy/endpoints.yml`` in a cluster)
    endpoints: str = str(ROOT / "endpoints.yml")
    #: what the Rasa server sends and the action server requires (:mod:`bot.action_token`); a new one per start
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: Dict[str, object] = dict(
            host=env.get("BOT_HOST", cls.host),
            rasa_port=int(env.get("RASA_PORT", cls.rasa_port)),
            action_port=int(env.get("ACTION_PORT", cls.action_port)),
            action_host=env.get("ACTION_HOST", cls.action_host),
            web_port=int(env.get("WEB_PORT", cls.web_port)),
            allowed_origins=env.get("BOT_ALLOWED_ORIGINS") or default_origins(int(env.get("WEB_PORT", cls.web_port))),
            api_token=env.get("RASA_API_TOKEN") or None,
            socket_url=env.get("BOT_SOCKET_URL") or None,
            tracker_db=env.get("TRACKER_DB", str(ROOT / "tracker.db")),
            model=env.get("BOT_MODEL", str(ROOT / "models")),
        )
        if env.get("ACTION_TOKEN"):
            values["action_token"] = env["ACTION_TOKEN"]
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{_browser_host(self.host)}:{self.web_port}/"

    @property
    def action_url(self) -> str:
        return f"http://{_local(self.action_host)}:{self.action_port}/webhook"


def default_origins(web_port: int) -> str:
    """The demo website, as a browser may address it."""
    return f"http://localhost:{web_port} http://127.0.0.1:{web_port}"


def _local(host: str) -> str:
    """An address to reach a server listening on ``host`` from this machine."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _browser_host(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "") else host


#: One thread per numpy (OpenBLAS) product. Left to itself OpenBLAS starts one per core for every
#: product, and with the Rasa server's NLU threads parsing side by side on 2 cores those threads
#: spin against each other: with 20 users the Rasa server's CPU per turn was 41-55 ms with them
#: and 24-41 ms without, lower in every pair of speed runs alternated on one commit
#: (``python -m bench --only speed``; ``OPENBLAS_NUM_THREADS=2`` turns them back on). Set to override.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def child_env(settings: Settings) -> Dict[str, str]:
    env = dict(os.environ)
    for name in BLAS_THREAD_VARIABLES:
        env.setdefault(name, "1")
    env.update(
        ACTION_ENDPOINT_URL=settings.action_url,
        ACTION_TOKEN=settings.action_token,
        TRACKER_DB=settings.tracker_db,
        BOT_ALLOWED_ORIGINS=settings.allowed_origins,  # read by bot.channels.socketio
        SANIC_HOST=settings.action_host,  # the action server's interface: localhost unless ACTION_HOST
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    env.update(settings.extra_env)
    return env


def action_server_cmd(settings: Settings) -> List[str]:
    return [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.action_port)]


def rasa_server_cmd(settings: Settings, credentials: Path) -> List[str]:
    cmd = [
        str(BIN / "rasa"), "run",
        "--model", settings.model,
        "--interface", settings.host,
        "--port", str(settings.rasa_port),
        "--credentials", str(credentials),
        "--endpoints", settings.endpoints,
        "--cors", *settings.allowed_origins.split(),
    ]
    if settings.api_token:
        cmd += ["--enable-api", "--auth-token", settings.api_token]
    return cmd


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers 200, or raise with a clear reason."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before {url} answered")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def stop(proc: subprocess.Popen | None, grace: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def spawn(cmd: List[str], env: Dict[str, str], log: Path | None) -> subprocess.Popen:
    out = open(log, "ab") if log else None  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
        start_new_session=True,
    )


class ActionServer:
    def __init__(self, settings: Settings, log: Path | None = None) -> None:
        self.settings, self.log, self.proc = settings, log, None

    def start(self, timeout: float = 60) -> ActionServer:
        self.proc = spawn(action_server_cmd(self.settings), child_env(self.settings), self.log)
        wait_http(f"http://{_local(self.settings.action_host)}:{self.settings.action_port}/health", timeout,
                  self.proc)
        return self

    def stop(self) -> None:
        stop(self.proc)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def restart(self, timeout: float = 60) -> ActionServer:
        self.stop()
        return self.start(timeout)


class RasaServer:
    def __init__(self, settings: Settings, credentials: Path, log: Path | None = None) -> None:
        self.settings, self.credentials, self.log, self.proc = settings, credentials, log, None

    def start(self, timeout: float = 120) -> RasaServer:
        cmd = rasa_server_cmd(self.settings, self.credentials)
        self.proc = spawn(cmd, child_env(self.settings), self.log)
        wait_http(f"http://{_local(self.settings.host)}:{self.settings.rasa_port}/webhooks/rest/", timeout, self.proc)
        return self

    def stop(self) -> None:
        stop(self.proc)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class WebServer:
    """The demo website (:mod:`bot.channels.website`), in this process, on ``host:web_port``."""

    def __init__(self, settings: Settings) -> None:
        from bot.channels.website import DemoSite

        self.settings = settings
        self.site = DemoSite(settings.host, settings.web_port, settings.rasa_port, settings.socket_url)

    def start(self, timeout: float = 10) -> WebServer:
        self.site.start()
        wait_http(f"http://{self.settings.host}:{self.settings.web_port}/", timeout)
        return self

    def stop(self) -> None:
        self.site.stop()

    def alive(self) -> bool:
        return self.site.alive()


class Child(Protocol):
    def start(self) -> object: ...
    def stop(self) -> None: ...
    def alive(self) -> bool: ...


@dataclass
class RestartPolicy:
    """When to restart a crashed child: after 1, 2, 4 ... (at most 30) seconds; never more than
    ``limit`` crashes within ``window`` seconds (then the supervisor gives up and stops everything)."""

    limit: int = 5
    window: float = 60.0
    first_delay: float = 1.0
    max_delay: float = 30.0
    crashes: List[float] = field(default_factory=list)

    def delay_after_crash(self, now: float) -> float | None:
        """Seconds to wait before the restart, or ``None``: too many crashes, give up."""
        self.crashes = [t for t in self.crashes if now - t < self.window] + [now]
        if len(self.crashes) >= self.limit:
            return None
        return min(self.max_delay, self.first_delay * 2 ** (len(self.crashes) - 1))


class GaveUp(RuntimeError):
    """A child did not start, or crashed too often; the message says which and why."""


#: A log line naming an exception: ``[module.]SomeError: message`` (Rasa colours its last one).
_EXCEPTION_LINE = re.compile(r"^(?:\x1b\[[0-9;]*m)*([\w.]*(?:Error|Exception|Unavailable)): (.+?)(?:\x1b\[[0-9;]*m)*$")


def last_error(log: Path | None, lines: int = 400) -> str:
    """The last exception line of a child's log (`` Its log (...) says: ...``), or where the log is."""
    if log is None or not Path(log).is_file():
        return ""
    tail = Path(log).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    for line in reversed(tail):
        found = _EXCEPTION_LINE.match(line.strip())
        if found:
            return f" Its log ({log}) says: {found.group(1)}: {found.group(2)[-400:]}"
    return f" Its log: {log}"


class Supervisor:
    """Starts children in order and restarts one that stops by itself (``make run``).

    While the action server is restarting the Rasa server answers with the
    apology (:mod:`bot.channels.resilience`); while the Rasa server is
    restarting the widget reconnects by itself and conversations continue from
    the tracker store. Each restart prints a line; repeated fast crashes
    (:class:`RestartPolicy`) raise :class:`GaveUp`.
    """

    def __init__(self, children: Dict[str, Child], say: Callable[[str], None] = print) -> None:
        self.children, self.say = children, say
        self.policies = {name: RestartPolicy() for name in children}

    def start(self) -> None:
        """Start every child in order; one that does not come up stops the start with :class:`GaveUp`."""
        for name, child in self.children.items():
            try:
                child.start()
            except (RuntimeError, TimeoutError, OSError) as error:
                raise GaveUp(f"The {name} did not start: {error}.{last_error(getattr(child, 'log', None))}") from error

    def check(self, now: float | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        """Restart every child that is not alive (call this every half second or so)."""
        for name, child in self.children.items():
            while not child.alive():
                policy = self.policies[name]
                delay = policy.delay_after_crash(time.monotonic() if now is None else now)
                if delay is None:
                    raise GaveUp(f"The {name} stopped {policy.limit} times within {policy.window:.0f}s; giving up.")
                self.say(f"The {name} stopped by itself; restarting it in {delay:.0f}s "
                         f"(crash {len(policy.crashes)} of at most {policy.limit - 1} within {policy.window:.0f}s).")
                sleep(delay)
                child.stop()
                try:
                    child.start()
                except (RuntimeError, TimeoutError, OSError) as error:
                    self.say(f"The {name} did not come back: {error}")
                    continue
                self.say(f"The {name} is back.")

    def stop(self) -> None:
        for child in reversed(list(self.children.values())):
            child.stop()


def supervise(children: Dict[str, Child], ready: Callable[[float], List[str]]) -> int:
    """``make run`` and ``make cluster``: start ``children``, print ``ready(seconds)``, restart, stop on Ctrl-C.

    Ctrl-C and SIGTERM stop everything, also during start-up (and even when the
    shell started us with SIGINT ignored, as it does for background jobs).
    Returns 1 when a child crashed too often (:class:`GaveUp`), else 0.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    supervisor = Supervisor(children, say=lambda line: print(line, flush=True))
    code = 0
    try:
        started = time.monotonic()
        supervisor.start()
        for line in ready(time.monotonic() - started):
            print(line)
        print("A server that stops by itself is restarted. Press Ctrl-C to stop.", flush=True)
        while True:
            supervisor.check()
            time.sleep(0.5)
    except GaveUp as error:
        print(error, flush=True)
        code = 1
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("Stopping...", flush=True)
        supervisor.stop()
        print("Stopped.", flush=True)
    return code
