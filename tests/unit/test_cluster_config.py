"""``make cluster``'s settings: the HAProxy configuration and the endpoints' environment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot import cluster


def test_the_environment_comes_from_database_url_and_redis_url() -> None:
    settings = cluster.ClusterSettings.from_env({"DATABASE_URL": "postgresql://bot:s3cret@db.internal:6543/chat",
                                                 "REDIS_URL": "redis://cache.internal:6380/2", "CLUSTER_RASA": "3"})
    env = cluster.store_env(settings)
    assert {k: env[k] for k in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD")} == {
        "DB_HOST": "db.internal", "DB_PORT": "6543", "DB_NAME": "chat", "DB_USER": "bot", "DB_PASSWORD": "s3cret"}
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("cache.internal", "6380", "2")
    assert settings.rasa_ports == [5006, 5007, 5008] and settings.action_ports == [5056, 5057]
    # N servers' pools fit PostgreSQL's default 100 connections, with room to spare
    assert settings.rasa * (int(env["SQL_POOL_SIZE"]) + int(env["SQL_MAX_OVERFLOW"])) < 100


def test_every_variable_the_endpoints_read_is_set(tmp_path: Path) -> None:
    text = (cluster.DEPLOY / "endpoints.yml").read_text(encoding="utf-8")
    import re

    from bot import servers

    settings = cluster.ClusterSettings(action_token="shared")
    parts = cluster.children(settings, tmp_path)
    rasa, actions = parts["Rasa server 1"], parts["action server 2"]
    env = servers.child_env(rasa.settings)  # type: ignore[attr-defined]
    assert set(re.findall(r"\$\{(\w+)\}", text)) <= set(env)
    assert env["ACTION_TOKEN"] == servers.child_env(actions.settings)["ACTION_TOKEN"] == "shared"  # type: ignore
    assert env["ACTION_ENDPOINT_URL"] == f"http://127.0.0.1:{settings.actions_port}/webhook"
    assert cluster.ClusterSettings().action_token != cluster.ClusterSettings().action_token  # one per start
    assert "shared" not in repr(settings)
    config = yaml.safe_load(text)
    assert config["tracker_store"]["cache"] is False and config["lock_store"]["key_prefix"].isalnum()


def test_haproxy_accepts_the_configuration(tmp_path: Path) -> None:
    settings = cluster.ClusterSettings(rasa=3, actions=2)
    text = cluster.haproxy_config(settings)
    assert text.count("server rasa") == 6 and "cookie r3" in text and text.count("server actions") == 2
    assert "bind 127.0.0.1:8080" in text and "bind 127.0.0.1:5050" in text
    binary = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if binary is None:
        pytest.skip("haproxy is not installed (make cluster installs it)")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    check = subprocess.run([binary, "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_each_role_runs_its_part_and_the_balancer_knows_every_host(tmp_path: Path) -> None:
    env = {"CLUSTER_INTERNAL": "10.0.0.11", "CLUSTER_RASA": "1", "CLUSTER_ACTIONS": "1",
           "CLUSTER_RASA_SERVERS": "10.0.0.11:5006, 10.0.0.12:5006",
           "CLUSTER_ACTION_SERVERS": "10.0.0.21:5056,10.0.0.22:5056",
           "CLUSTER_ACTIONS_URL": "http://10.0.0.1:5050/webhook", "CLUSTER_PUBLIC_URL": "https://chat.example.org/"}
    settings = cluster.ClusterSettings.from_env(env)
    names = {role: list(cluster.children(settings, tmp_path, role)) for role in cluster.ROLES}
    assert names["rasa"] == ["Rasa server 1"] and names["actions"] == ["action server 1"]
    assert names["balancer"] == ["demo website", "HAProxy"]
    assert names["all"] == ["action server 1", "Rasa server 1", "demo website", "HAProxy"]
    rasa = cluster.children(settings, tmp_path, "rasa")["Rasa server 1"].settings  # type: ignore[attr-defined]
    assert rasa.host == "10.0.0.11" and rasa.rasa_port == 5006
    assert rasa.extra_env["ACTION_ENDPOINT_URL"] == "http://10.0.0.1:5050/webhook"
    assert rasa.allowed_origins.split()[0] == "https://chat.example.org" == rasa.socket_url
    text = cluster.haproxy_config(settings)
    assert "server rasa2 10.0.0.12:5006 check cookie r2" in text and "server actions2 10.0.0.22:5056 check" in text
    assert "bind 10.0.0.11:5050" in text  # the action frontend on the internal address, never the public one


@pytest.mark.parametrize("value", ["10.0.0.11", "10.0.0.11:http", ":5006"])
def test_a_server_address_without_a_port_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="host:port"):
        cluster.ClusterSettings.from_env({"CLUSTER_RASA_SERVERS": value})


def test_make_runs_action_url_does_not_leak_into_the_cluster() -> None:
    """The Makefile exports ACTION_ENDPOINT_URL (make run's action server on 5055) to every command."""
    settings = cluster.ClusterSettings.from_env({"ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook"})
    assert settings.action_url == "http://127.0.0.1:5050/webhook"  # HAProxy's action frontend
