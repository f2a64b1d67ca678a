"""``make cluster``: HAProxy, several Rasa servers and action servers, on PostgreSQL and Redis, on one machine.

==================  =========================================  ==============================
what                where (defaults)                           set with
==================  =========================================  ==============================
HAProxy (users)     ``127.0.0.1:8080``: demo site, REST,       ``CLUSTER_PORT``, ``CLUSTER_BIND``
                    socket.io (sticky by cookie), Slack
Rasa servers        ``127.0.0.1:5006``, ``5007``, ...          ``CLUSTER_RASA`` (2)
action servers      ``127.0.0.1:5056``, ``5057``, ... behind   ``CLUSTER_ACTIONS`` (2)
                    HAProxy on ``127.0.0.1:5050``
demo website        ``127.0.0.1:8081`` (through HAProxy)
conversations       PostgreSQL, database ``careerbot``         ``DATABASE_URL``
                    (created when missing)
conversation locks  Redis, key prefix ``careerbot``            ``REDIS_URL``
==================  =========================================  ==============================

Every Rasa server reads ``deploy/endpoints.yml`` (PostgreSQL tracker store with
its cache off, Redis lock store) and the same model; HAProxy's configuration is
``deploy/haproxy.cfg`` with the ports filled in. Children are restarted when
they stop, as ``make run`` does (:class:`bot.servers.Supervisor`).
"""

from __future__ import annotations

import os
import shutil
import string
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Mapping, Tuple
from urllib.parse import urlsplit

from bot import servers

DEPLOY = servers.ROOT / "deploy"
#: Connections each Rasa server's pool may open (Rasa's default is 50 + 100 overflow per process).
SQL_POOL_SIZE = 5
SQL_MAX_OVERFLOW = 5
#: Seconds a conversation's Redis lock lives: longer than the slowest action call may take.
LOCK_LIFETIME_S = 60


@dataclass(frozen=True)
class ClusterSettings:
    port: int = 8080
    bind: str = "127.0.0.1"
    rasa: int = 2
    actions: int = 2
    rasa_base: int = 5006
    action_base: int = 5056
    actions_port: int = 5050
    web_port: int = 8081
    database_url: str = "postgresql://postgres@127.0.0.1:5432/careerbot"
    redis_url: str = "redis://127.0.0.1:6379/0"
    model: str = str(servers.ROOT / "models")
    extra_env: Dict[str, str] = field(default_factory=dict)
    #: explicit ports (tests pick free ones); empty: ``rasa`` / ``actions`` ports from the bases
    rasa_port_list: Tuple[int, ...] = ()
    action_port_list: Tuple[int, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ClusterSettings:
        env = os.environ if env is None else env
        values: Dict[str, object] = dict(
            port=int(env.get("CLUSTER_PORT", cls.port)), bind=env.get("CLUSTER_BIND", cls.bind),
            rasa=int(env.get("CLUSTER_RASA", cls.rasa)), actions=int(env.get("CLUSTER_ACTIONS", cls.actions)),
            database_url=env.get("DATABASE_URL", cls.database_url), redis_url=env.get("REDIS_URL", cls.redis_url),
            model=env.get("BOT_MODEL", cls.model),
        )
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return f"http://{'localhost' if self.bind in ('127.0.0.1', '0.0.0.0') else self.bind}:{self.port}"

    @property
    def rasa_ports(self) -> List[int]:
        return list(self.rasa_port_list) or [self.rasa_base + i for i in range(self.rasa)]

    @property
    def action_ports(self) -> List[int]:
        return list(self.action_port_list) or [self.action_base + i for i in range(self.actions)]


def store_env(settings: ClusterSettings) -> Dict[str, str]:
    """What ``deploy/endpoints.yml`` reads, from ``DATABASE_URL`` and ``REDIS_URL``."""
    db, redis = urlsplit(settings.database_url), urlsplit(settings.redis_url)
    return {
        "DB_HOST": db.hostname or "127.0.0.1", "DB_PORT": str(db.port or 5432),
        "DB_NAME": (db.path or "/careerbot").lstrip("/") or "careerbot", "DB_USER": db.username or "postgres",
        "DB_PASSWORD": db.password or "", "DB_LOGIN_DB": "postgres",
        "REDIS_HOST": redis.hostname or "127.0.0.1", "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": (redis.path or "/0").lstrip("/") or "0",
        "SQL_POOL_SIZE": str(SQL_POOL_SIZE), "SQL_MAX_OVERFLOW": str(SQL_MAX_OVERFLOW),
        "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
    }


def haproxy_config(settings: ClusterSettings) -> str:
    template = string.Template((DEPLOY / "haproxy.cfg").read_text(encoding="utf-8"))
    rasa = [f"    server rasa{i + 1} 127.0.0.1:{port} check" for i, port in enumerate(settings.rasa_ports)]
    sticky = [f"{line} cookie r{i + 1}" for i, line in enumerate(rasa)]
    actions = [f"    server actions{i + 1} 127.0.0.1:{port} check" for i, port in enumerate(settings.action_ports)]
    return template.substitute(
        BIND=settings.bind, PORT=settings.port, WEB_PORT=settings.web_port, ACTIONS_PORT=settings.actions_port,
        RASA_SERVERS="\n".join(rasa), RASA_STICKY_SERVERS="\n".join(sticky), ACTION_SERVERS="\n".join(actions),
    )


class HAProxy:
    """Debian's ``haproxy`` in the foreground, on a configuration written from the template."""

    def __init__(self, settings: ClusterSettings, config: Path, log: Path | None = None) -> None:
        self.settings, self.config, self.log = settings, config, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 15) -> HAProxy:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            raise servers.GaveUp("haproxy is not installed: `make cluster` installs it (apt-get install haproxy)")
        self.config.write_text(haproxy_config(self.settings), encoding="utf-8")
        check = subprocess.run([binary, "-c", "-q", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise servers.GaveUp(f"haproxy refused {self.config}: {check.stderr.strip()}")
        self.proc = servers.spawn([binary, "-db", "-f", str(self.config)], dict(os.environ), self.log)
        servers.wait_http(f"http://127.0.0.1:{self.settings.port}/webhooks/rest/", timeout, self.proc)
        return self

    def stop(self) -> None:
        servers.stop(self.proc)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def children(settings: ClusterSettings, workdir: Path) -> Dict[str, servers.Child]:
    """Every process of the cluster, started in this order by a :class:`bot.servers.Supervisor`."""
    from bot.channels import credentials

    env = {**store_env(settings), **settings.extra_env,
           "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.actions_port}/webhook"}
    origin = settings.url
    base = servers.Settings(model=settings.model, allowed_origins=f"{origin} http://127.0.0.1:{settings.port}",
                            socket_url=origin, web_port=settings.web_port,
                            endpoints=str(DEPLOY / "endpoints.yml"), extra_env=env)
    out: Dict[str, servers.Child] = {}
    for i, port in enumerate(settings.action_ports, 1):
        out[f"action server {i}"] = servers.ActionServer(replace(base, action_port=port),
                                                         log=workdir / f"actions{i}.log")
    creds = credentials.write(workdir / "credentials.cluster.yml", {**servers.child_env(base)})
    for i, port in enumerate(settings.rasa_ports, 1):
        out[f"Rasa server {i}"] = servers.RasaServer(replace(base, rasa_port=port), creds, log=workdir / f"rasa{i}.log")
    out["demo website"] = servers.WebServer(replace(base, rasa_port=settings.port))
    out["HAProxy"] = HAProxy(settings, workdir / "haproxy.cfg", log=workdir / "haproxy.log")
    return out


def run(settings: ClusterSettings | None = None) -> int:
    """Start the cluster, print its addresses, restart what stops, stop everything on Ctrl-C."""
    settings = settings or ClusterSettings.from_env()
    workdir = servers.ROOT / ".rasa" / "cluster"
    workdir.mkdir(parents=True, exist_ok=True)
    db = store_env(settings)

    def ready(seconds: float) -> List[str]:
        return [
            f"\nCluster ready in {seconds:.1f}s.",
            f"  demo website, REST, socket.io, Slack:  {settings.url}/  (HAProxy; webhooks under /webhooks/)",
            f"  Rasa servers:    {', '.join(f'127.0.0.1:{p}' for p in settings.rasa_ports)}",
            f"  action servers:  {', '.join(f'127.0.0.1:{p}' for p in settings.action_ports)} "
            f"(behind 127.0.0.1:{settings.actions_port})",
            f"  conversations:   PostgreSQL {db['DB_HOST']}:{db['DB_PORT']}/{db['DB_NAME']}; "
            f"locks: Redis {db['REDIS_HOST']}:{db['REDIS_PORT']}/{db['REDIS_DB']}",
            f"  logs:            {workdir}",
        ]

    return servers.supervise(children(settings, workdir), ready)
