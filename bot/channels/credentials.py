"""Builds the credentials file the Rasa server is started with.

``credentials.yml`` lists the channels that need no secrets. Slack
(:mod:`bot.channels.slack`) is added only when ``SLACK_BOT_TOKEN``,
``SLACK_SIGNING_SECRET`` and ``SLACK_CHANNEL`` are all set, so a server without
them runs with Slack off (and says so once). ``SLACK_API_URL`` changes the
address of Slack's Web API (the tests point it at a local fake).
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
#: The key Rasa reads to load :class:`bot.channels.slack.SlackInput` (its URL stays /webhooks/slack/).
SLACK_CHANNEL_CLASS = "bot.channels.slack.SlackInput"


def slack_credentials(env: Mapping[str, str]) -> Dict[str, Any] | None:
    if not all(env.get(name) for name in SLACK_VARS):
        return None
    credentials = {
        "slack_token": env["SLACK_BOT_TOKEN"],
        "slack_signing_secret": env["SLACK_SIGNING_SECRET"],
        "slack_channel": env["SLACK_CHANNEL"],
    }
    if env.get("SLACK_API_URL"):
        credentials["api_url"] = env["SLACK_API_URL"]
    return credentials


def build(env: Mapping[str, str] | None = None, base: Path = ROOT / "credentials.yml") -> Dict[str, Any]:
    env = os.environ if env is None else env
    credentials: Dict[str, Any] = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    slack = slack_credentials(env)
    if slack:
        credentials[SLACK_CHANNEL_CLASS] = slack
        logger.info("Slack channel on (SLACK_* variables set).")
    else:
        logger.info("Slack channel off: set %s to turn it on.", ", ".join(SLACK_VARS))
    return credentials


def write(path: Path, env: Mapping[str, str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(build(env), sort_keys=False), encoding="utf-8")
    path.chmod(0o600)  # may hold the Slack secrets
    return path
