"""``make cluster``: HAProxy, several Rasa servers and action servers, on PostgreSQL and Redis.

One machine (``python -m bot cluster``, role ``all``):

==================  =========================================  ==============================
what                where (defaults)                           set with
==================  =========================================  ==============================
HAProxy (users)     ``127.0.0.1:8080``: demo site, REST,       ``CLUSTER_PORT``, ``CLUSTER_BIND``
                    socket.io (sticky by cookie), Slack
Rasa servers        ``127.0.0.1:5006``, ``5007``, ...          ``CLUSTER_RASA`` (2), ``CLUSTER_RASA_PORT``
action servers      ``127.0.0.1:5056``, ``5057``, ... behind   ``CLUSTER_ACTIONS`` (2), ``CLUSTER_ACTION_PORT``,
                    HAProxy on ``127.0.0.1:5050``              ``CLUSTER_ACTIONS_PORT``
demo website        ``127.0.0.1:8081`` (through HAProxy)       ``CLUSTER_WEB_PORT``
conversations       PostgreSQL, database ``careerbot``         ``DATABASE_URL``
                    (created when missing)
conversation locks  Redis, key prefix ``careerbot``            ``REDIS_URL``
==================  =========================================  ==============================

Several machines: the same command on each host with ``--role``; every
address a host needs comes from the environment (README, "Several machines"):

=========  ==========================================  =====================================================
role       runs                                        reads
=========  ==========================================  =====================================================
balancer   HAProxy (users on ``CLUSTER_BIND:PORT``,    ``CLUSTER_RASA_SERVERS``, ``CLUSTER_ACTION_SERVERS``
           actions on ``CLUSTER_INTERNAL:5050``),      (``host:port, ...``), ``CLUSTER_INTERNAL``,
           the demo website (loopback)                 ``CLUSTER_PUBLIC_URL``
rasa       ``CLUSTER_RASA`` Rasa servers on            ``CLUSTER_INTERNAL``, ``DATABASE_URL``, ``REDIS_URL``,
           ``CLUSTER_INTERNAL:5006...``                ``CLUSTER_ACTIONS_URL`` (the balancer's 5050),
                                                       ``ACTION_TOKEN``, ``CLUSTER_PUBLIC_URL``
actions    ``CLUSTER_ACTIONS`` action servers on       ``CLUSTER_INTERNAL``, ``ACTION_TOKEN``
           ``CLUSTER_INTERNAL:5056...``
=========  ==========================================  =====================================================

Every Rasa server reads ``deploy/endpoints.yml`` (PostgreSQL tracker store with
its cache off, Redis lock store) and the same model; HAProxy's configuration is
``deploy/haproxy.cfg`` with the ports filled in. Children are restarted when
they stop, as ``make run`` does (:class:`bot.servers.Supervisor`).
"""

from __future__ import annotations

import os
import secrets
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
    #: this host's internal address: its Rasa / action servers and HAProxy's action frontend listen there
    internal: str = "127.0.0.1"
    #: on the balancer of several hosts: every Rasa / action server as ``host:port``; empty: this host's
    rasa_servers: Tuple[str, ...] = ()
    action_servers: Tuple[str, ...] = ()
    #: where a Rasa server calls the actions (HAProxy's action frontend); empty: on this host
    action_endpoint: str = ""
    #: the address users open (HAProxy's); empty: made from ``bind`` and ``port``
    public_url: str = ""
    #: seconds a Rasa server waits for PostgreSQL at start-up before it stops with an error
    startup_wait: float = 60.0
    #: the Rasa servers' shared token for the action servers (``ACTION_TOKEN``; else a new one per start)
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ClusterSettings:
        env = os.environ if env is None else env
        values: Dict[str, object] = dict(
            port=int(env.get("CLUSTER_PORT", cls.port)), bind=env.get("CLUSTER_BIND", cls.bind),
            rasa=int(env.get("CLUSTER_RASA", cls.rasa)), actions=int(env.get("CLUSTER_ACTIONS", cls.actions)),
            rasa_base=int(env.get("CLUSTER_RASA_PORT", cls.rasa_base)),
            action_base=int(env.get("CLUSTER_ACTION_PORT", cls.action_base)),
            actions_port=int(env.get("CLUSTER_ACTIONS_PORT", cls.actions_port)),
            web_port=int(env.get("CLUSTER_WEB_PORT", cls.web_port)),
            database_url=env.get("DATABASE_URL", cls.database_url), redis_url=env.get("REDIS_URL", cls.redis_url),
            model=env.get("BOT_MODEL", cls.model), internal=env.get("CLUSTER_INTERNAL", cls.internal),
            rasa_servers=_addresses(env.get("CLUSTER_RASA_SERVERS", "")),
            action_servers=_addresses(env.get("CLUSTER_ACTION_SERVERS", "")),
            action_endpoint=env.get("CLUSTER_ACTIONS_URL", ""), public_url=env.get("CLUSTER_PUBLIC_URL", ""),
            startup_wait=float(env.get("DB_STARTUP_WAIT", cls.startup_wait)),
        )
        if env.get("ACTION_TOKEN"):
            values["action_token"] = env["ACTION_TOKEN"]
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{'localhost' if self.bind in ('127.0.0.1', '0.0.0.0') else self.bind}:{self.port}"

    @property
    def action_url(self) -> str:
        return self.action_endpoint or f"http://{self.internal}:{self.actions_port}/webhook"

    @property
    def rasa_addresses(self) -> List[str]:
        """Every Rasa server HAProxy balances, ``host:port``."""
        return list(self.rasa_servers) or [f"{self.internal}:{port}" for port in self.rasa_ports]

    @property
    def action_addresses(self) -> List[str]:
        return list(self.action_servers) or [f"{self.internal}:{port}" for port in self.action_ports]

    @property
    def rasa_ports(self) -> List[int]:
        return list(self.rasa_port_list) or [self.rasa_base + i for i in range(self.rasa)]

    @property
    def action_ports(self) -> List[int]:
        return list(self.action_port_list) or [self.action_base + i for i in range(self.actions)]


def _addresses(text: str) -> Tuple[str, ...]:
    """``"10.0.0.11:5006, 10.0.0.12:5006"`` -> the addresses; each must have a port."""
    found = tuple(part.strip() for part in text.replace(" ", ",").split(",") if part.strip())
    for address in found:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{address!r}: expected host:port")
    return found


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
        "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S), "DB_STARTUP_WAIT": f"{settings.startup_wait:g}",
    }


def haproxy_config(settings: ClusterSettings) -> str:
    template = string.Template((DEPLOY / "haproxy.cfg").read_text(encoding="utf-8"))
    rasa = [f"    server rasa{i + 1} {address} check" for i, address in enumerate(settings.rasa_addresses)]
    sticky = [f"{line} cookie r{i + 1}" for i, line in enumerate(rasa)]
    actions = [f"    server actions{i + 1} {address} check" for i, address in enumerate(settings.action_addresses)]
    return template.substitute(
        BIND=settings.bind, PORT=settings.port, WEB_PORT=settings.web_port, ACTIONS_PORT=settings.actions_port,
        ACTIONS_BIND=settings.internal,
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


#: ``python -m bot cluster --role ...``: what each kind of host runs (``all``: everything, one machine)
ROLES: Dict[str, Tuple[str, ...]] = {
    "all": ("actions", "rasa", "balancer"),
    "balancer": ("balancer",),  # HAProxy and the demo website
    "rasa": ("rasa",),
    "actions": ("actions",),
}


def children(settings: ClusterSettings, workdir: Path, role: str = "all") -> Dict[str, servers.Child]:
    """The processes of ``role`` on this host, started in this order by a :class:`bot.servers.Supervisor`."""
    from bot.channels import credentials

    parts = ROLES[role]
    env = {**store_env(settings), **settings.extra_env, "ACTION_ENDPOINT_URL": settings.action_url}
    origin = settings.url
    origins = " ".join(dict.fromkeys([origin, f"http://127.0.0.1:{settings.port}"]))
    base = servers.Settings(host=settings.internal, action_host=settings.internal, model=settings.model,
                            allowed_origins=origins, socket_url=origin, web_port=settings.web_port,
                            endpoints=str(DEPLOY / "endpoints.yml"), extra_env=env,
                            action_token=settings.action_token)
    out: Dict[str, servers.Child] = {}
    if "actions" in parts:
        for i, port in enumerate(settings.action_ports, 1):
            out[f"action server {i}"] = servers.ActionServer(replace(base, action_port=port),
                                                             log=workdir / f"actions{i}.log")
    if "rasa" in parts:
        creds = credentials.write(workdir / "credentials.cluster.yml", {**servers.child_env(base)})
        for i, port in enumerate(settings.rasa_ports, 1):
            out[f"Rasa server {i}"] = servers.RasaServer(replace(base, rasa_port=port), creds,
                                                         log=workdir / f"rasa{i}.log")
    if "balancer" in parts:  # the demo website on loopback, behind HAProxy on the same host
        out["demo website"] = servers.WebServer(replace(base, host="127.0.0.1", rasa_port=settings.port))
        out["HAProxy"] = HAProxy(settings, workdir / "haproxy.cfg", log=workdir / "haproxy.log")
    return out


def run(settings: ClusterSettings | None = None, role: str = "all") -> int:
    """Start ``role``'s processes, print their addresses, restart what stops, stop everything on Ctrl-C."""
    settings = settings or ClusterSettings.from_env()
    name = f"cluster-{role}" + (f"-{settings.internal}" if role != "all" else "")
    workdir = Path(os.environ.get("CLUSTER_LOGS") or servers.ROOT / ".rasa" / name)
    workdir.mkdir(parents=True, exist_ok=True)
    db = store_env(settings)
    parts = ROLES[role]

    def ready(seconds: float) -> List[str]:
        lines = [f"\nCluster {'ready' if role == 'all' else role + ' host ready'} in {seconds:.1f}s."]
        if "balancer" in parts:
            lines += [f"  demo website, REST, socket.io, Slack:  {settings.url}/  (HAProxy; webhooks under /webhooks/)",
                      f"  balancing Rasa servers:   {', '.join(settings.rasa_addresses)}",
                      f"  balancing action servers: {', '.join(settings.action_addresses)} "
                      f"(for the Rasa servers on {settings.internal}:{settings.actions_port})"]
        if "rasa" in parts:
            lines += [f"  Rasa servers:    {', '.join(f'{settings.internal}:{p}' for p in settings.rasa_ports)}",
                      f"  actions called at {settings.action_url}",
                      f"  conversations:   PostgreSQL {db['DB_HOST']}:{db['DB_PORT']}/{db['DB_NAME']}; "
                      f"locks: Redis {db['REDIS_HOST']}:{db['REDIS_PORT']}/{db['REDIS_DB']}"]
        if "actions" in parts and role != "all":
            lines += [f"  action servers:  {', '.join(f'{settings.internal}:{p}' for p in settings.action_ports)}"]
        return [*lines, f"  logs:            {workdir}"]

    return servers.supervise(children(settings, workdir, role), ready)
