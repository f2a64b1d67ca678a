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


def test_every_variable_the_endpoints_read_is_set() -> None:
    text = (cluster.DEPLOY / "endpoints.yml").read_text(encoding="utf-8")
    import re

    needed = set(re.findall(r"\$\{(\w+)\}", text)) - {"ACTION_ENDPOINT_URL"}  # set per server by bot.cluster
    assert needed <= set(cluster.store_env(cluster.ClusterSettings()))
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
