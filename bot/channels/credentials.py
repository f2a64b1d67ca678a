"""Builds the credentials file the Rasa server is started with.

``credentials.yml`` lists the channels that need no secrets. Slack is added only
when ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET`` and ``SLACK_CHANNEL`` are all
set, so a server without them runs with Slack off (and says so once).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, Mapping

import yaml

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CHANNEL")


def slack_credentials(env: Mapping[str, str]) -> Dict[str, Any] | None:
    if not all(env.get(name) for name in SLACK_VARS):
        return None
    return {
        "slack_token": env["SLACK_BOT_TOKEN"],
        "slack_signing_secret": env["SLACK_SIGNING_SECRET"],
        "slack_channel": env["SLACK_CHANNEL"],
    }


def build(env: Mapping[str, str] | None = None, base: Path = ROOT / "credentials.yml") -> Dict[str, Any]:
    env = os.environ if env is None else env
    credentials: Dict[str, Any] = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    slack = slack_credentials(env)
    if slack:
        credentials["slack"] = slack
        logger.info("Slack channel on (SLACK_* variables set).")
    else:
        logger.info("Slack channel off: set %s to turn it on.", ", ".join(SLACK_VARS))
    return credentials


def write(path: Path, env: Mapping[str, str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(build(env), sort_keys=False), encoding="utf-8")
    path.chmod(0o600)  # may hold the Slack secrets
    return path
