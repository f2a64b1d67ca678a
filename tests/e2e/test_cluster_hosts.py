"""The cluster on several hosts, with network namespaces as the machines (README, "Several machines").

======================  ===================  ================================================
host                    address              runs (``python -m bot cluster --role ...``)
======================  ===================  ================================================
balancer (this one)     127.0.0.1, NET.1     ``balancer``: HAProxy, the demo website
rasa1, rasa2            NET.11, NET.12       ``rasa``: one Rasa server each, on port 5006
actions1, actions2      NET.21, NET.22       ``actions``: one action server each, on port 5056
PostgreSQL, Redis       NET.1                the machine's, through TCP proxies on NET.1
======================  ===================  ================================================

NET is a free ``10.231.x`` /24 on a bridge in this namespace; each other host
is a namespace with one veth on it. Each host gets only the environment the
README lists for its role. Needs root and ``ip netns``; skipped with the
reason elsewhere, failing instead on CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from bot import servers

from .cluster_support import PG, REDIS, TcpProxy, drop_database, haproxy_installed, needed, stored_user_texts
from .conftest import MODEL, free_port, listeners

RASA_PORT, ACTION_PORT = 5006, 5056


def _ip(*args: str, ns: str | None = None) -> None:
    cmd = ["ip", "netns", "exec", ns, "ip", *args] if ns else ["ip", *args]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def _namespaces_work() -> bool:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    name = f"cbprobe{os.getpid()}"
    try:
        _ip("netns", "add", name)
    except (subprocess.CalledProcessError, OSError):
        return False
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return True


def _free_subnet() -> str:
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
    for third in range(100, 250):
        if f"10.231.{third}." not in routes:
            return f"10.231.{third}"
    raise RuntimeError("no free 10.231.x.0/24 here")


@dataclass
class Network:
    """A bridge in this namespace and one namespace ("host") per name, each with one address on it."""

    net: str = field(default_factory=_free_subnet)
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:4])
    hosts: Dict[str, str] = field(default_factory=dict)  # name -> address

    @property
    def bridge(self) -> str:
        return f"cb{self.tag}br"

    @property
    def gateway(self) -> str:
        return f"{self.net}.1"

    def ns(self, name: str) -> str:
        return f"cb{self.tag}-{name}"

    def create(self, names: Dict[str, int]) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for i, (name, last) in enumerate(names.items()):
            ns, veth = self.ns(name), f"cb{self.tag}v{i}"
            _ip("netns", "add", ns)
            _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _ip("link", "set", veth, "master", self.bridge, "up")
            _ip("addr", "add", f"{self.net}.{last}/24", "dev", "eth0", ns=ns)
            _ip("link", "set", "eth0", "up", ns=ns)
            _ip("link", "set", "lo", "up", ns=ns)
            self.hosts[name] = f"{self.net}.{last}"

    def link(self, name: str, up: bool) -> None:
        """Plug or unplug a host's network cable."""
        _ip("link", "set", "eth0", "up" if up else "down", ns=self.ns(name))

    def listening(self, name: str, port: int) -> List[str]:
        """The addresses with a TCP listener on ``port`` inside host ``name``."""
        table = subprocess.run(["ip", "netns", "exec", self.ns(name), "cat", "/proc/net/tcp"],
                               capture_output=True, text=True, check=True).stdout
        return listeners(table, port)

    def destroy(self) -> None:
        for name in self.hosts:
            subprocess.run(["ip", "netns", "del", self.ns(name)], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


@dataclass
class Hosts:
    network: Network
    port: int  # HAProxy, where users come in
    database: str
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    db_proxy: TcpProxy | None = None
    redis_proxy: TcpProxy | None = None

    def url(self, host: str | None = None) -> str:
        address = f"127.0.0.1:{self.port}" if host is None else f"{self.network.hosts[host]}:{RASA_PORT}"
        return f"http://{address}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, host: str | None = None) -> str:
        response = requests.post(self.url(host), json={"sender": sender, "message": text}, timeout=60)
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text") or "" for m in response.json())

    def stored_user_texts(self, sender: str) -> List[str]:
        return stored_user_texts(self.database, sender)


def _start(name: str, role: str, env: Dict[str, str], log: Path, ns: str | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "bot", "cluster", "--role", role]
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns, *cmd]
    full = {**os.environ, **env, "PYTHONPATH": str(servers.ROOT), "CLUSTER_LOGS": str(log.parent / name)}
    return servers.spawn(cmd, full, log)


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    """:func:`bot.servers.wait_http`, failing the test with the end of the host's log."""
    try:
        servers.wait_http(url, timeout, proc)
    except (RuntimeError, TimeoutError) as error:
        pytest.fail(f"{error}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    needed("root and network namespaces (ip netns)", _namespaces_work())
    needed("haproxy (make cluster installs it)", haproxy_installed())
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    network = Network()
    logs = tmp_path_factory.mktemp("hosts")
    database = f"careerbot_hosts_{uuid.uuid4().hex[:8]}"
    setup = Hosts(network, free_port(), database)
    try:
        network.create({"rasa1": 11, "rasa2": 12, "actions1": 21, "actions2": 22})
        # the database and Redis hosts, as this machine's servers behind proxies on the internal network
        setup.db_proxy, setup.redis_proxy = TcpProxy(PG, network.gateway), TcpProxy(REDIS, network.gateway)
        token, public = uuid.uuid4().hex, f"http://localhost:{setup.port}"
        actions_port = free_port()
        shared = {"ACTION_TOKEN": token, "CLUSTER_PUBLIC_URL": public}
        for name in ("actions1", "actions2"):
            env = {**shared, "CLUSTER_INTERNAL": network.hosts[name], "CLUSTER_ACTIONS": "1"}
            setup.processes[name] = _start(name, "actions", env, logs / f"{name}.log", network.ns(name))
        for name in ("rasa1", "rasa2"):
            env = {**shared, "CLUSTER_INTERNAL": network.hosts[name], "CLUSTER_RASA": "1", "BOT_MODEL": str(MODEL),
                   "DATABASE_URL": f"postgresql://postgres@{network.gateway}:{setup.db_proxy.port}/{database}",
                   "REDIS_URL": f"redis://{network.gateway}:{setup.redis_proxy.port}/0",
                   "CLUSTER_ACTIONS_URL": f"http://{network.gateway}:{actions_port}/webhook"}
            setup.processes[name] = _start(name, "rasa", env, logs / f"{name}.log", network.ns(name))
        balancer = {**shared, "CLUSTER_INTERNAL": network.gateway, "CLUSTER_PORT": str(setup.port),
                    "CLUSTER_ACTIONS_PORT": str(actions_port), "CLUSTER_WEB_PORT": str(free_port()),
                    "CLUSTER_RASA_SERVERS": ",".join(f"{network.hosts[n]}:{RASA_PORT}" for n in ("rasa1", "rasa2")),
                    "CLUSTER_ACTION_SERVERS": ",".join(f"{network.hosts[n]}:{ACTION_PORT}"
                                                       for n in ("actions1", "actions2"))}
        for name in ("actions1", "actions2"):
            _wait(f"http://{network.hosts[name]}:{ACTION_PORT}/health", setup.processes[name], logs / f"{name}.log")
        for name in ("rasa1", "rasa2"):
            _wait(f"http://{network.hosts[name]}:{RASA_PORT}/webhooks/rest/", setup.processes[name],
                  logs / f"{name}.log")
        setup.processes["balancer"] = _start("balancer", "balancer", balancer, logs / "balancer.log", None)
        _wait(f"http://127.0.0.1:{setup.port}/webhooks/rest/", setup.processes["balancer"], logs / "balancer.log")
        yield setup
    finally:
        for proc in setup.processes.values():  # SIGTERM: each host stops its servers, as on Ctrl-C
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in setup.processes.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for proxy in (setup.db_proxy, setup.redis_proxy):
            if proxy is not None:
                proxy.cut()
        network.destroy()
        drop_database(database)


def test_each_server_listens_on_its_hosts_internal_address_only(hosts: Hosts) -> None:
    for name, port in (("rasa1", RASA_PORT), ("rasa2", RASA_PORT), ("actions1", ACTION_PORT),
                       ("actions2", ACTION_PORT)):
        assert hosts.network.listening(name, port) == [hosts.network.hosts[name]], name
    # the action servers want the token the Rasa hosts were given
    address = hosts.network.hosts["actions1"]
    assert requests.get(f"http://{address}:{ACTION_PORT}/actions", timeout=10).status_code == 401


def test_turns_on_different_hosts_keep_the_context(hosts: Hosts) -> None:
    sender = f"hosts-{uuid.uuid4().hex[:8]}"
    assert "$58,895" in hosts.say(sender, "how much does the CPC pay?", "rasa1")
    assert "$55,763" in hosts.say(sender, "and the CCS?", "rasa2")
    assert "The CCS exam costs $299" in hosts.say(sender, "what does its exam cost?", "rasa1")
    assert "Source" in hosts.say(sender, "can coders work from home?")  # through HAProxy
    assert hosts.stored_user_texts(sender) == ["how much does the CPC pay?", "and the CCS?",
                                               "what does its exam cost?", "can coders work from home?"]


def test_a_rasa_host_and_an_action_host_cut_off_the_network(hosts: Hosts) -> None:
    """Unplugged hosts: HAProxy's health checks route around them; conversations go on with their context."""
    sender = f"hosts-{uuid.uuid4().hex[:8]}"
    assert "$55,763" in hosts.say(sender, "what do CCS holders make?")
    hosts.network.link("rasa1", up=False)
    hosts.network.link("actions1", up=False)
    try:
        answers = [hosts.say(sender, text) for text in ("what does the exam cost?", "how long is it?",
                                                        "can I work from home?")]
        assert "The CCS exam costs $299" in answers[0] and all("Sorry" not in a for a in answers), answers
    finally:
        hosts.network.link("rasa1", up=True)
        hosts.network.link("actions1", up=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # back in HAProxy's rotation after two passed checks
        try:
            if requests.get(f"http://{hosts.network.hosts['rasa1']}:{RASA_PORT}/webhooks/rest/", timeout=2).ok:
                break
        except requests.RequestException:
            time.sleep(0.5)
    assert "$55,763" in hosts.say(sender, "and how much do they make?", "rasa1")  # read from PostgreSQL
    assert hosts.stored_user_texts(sender) == ["what do CCS holders make?", "what does the exam cost?",
                                               "how long is it?", "can I work from home?",
                                               "and how much do they make?"]
