"""Small command line: ``check`` the knowledge base, ``run``/``chat``, ``augment``, ``validate``;
``report``/``export``/``prune`` the stored conversations (:mod:`bot.conversations`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List

from bot import knowledge


def _check(folder: str | None) -> int:
    try:
        kb = knowledge.load(Path(folder) if folder else None)
    except knowledge.KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    from bot.plan import data as plan_data

    plan_file = (Path(folder) if folder else knowledge.default_dir()) / "plan.yml"
    if plan_file.exists():
        try:
            plan_data.load(plan_file, kb)
        except plan_data.PlanDataError as error:
            print(error, file=sys.stderr)
            return 1
    counts = {etype: len(kb.entities[etype]) for etype in knowledge.ENTITY_TYPES}
    print(
        f"knowledge OK: {len(kb.facts)} facts, {len(kb.topics)} topics, "
        f"{len(kb.sources)} sources, entities {counts}"
    )
    return 0


def _run() -> int:
    """Action server, Rasa server (REST, socket.io, Slack if set) and the demo website until Ctrl-C."""
    import logging

    from bot import servers
    from bot.channels import credentials

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = servers.Settings.from_env()
    logs = servers.ROOT / ".rasa"
    logs.mkdir(exist_ok=True)
    creds = credentials.write(logs / "credentials.run.yml")
    slack_on = credentials.slack_credentials(os.environ) is not None

    def ready(seconds: float) -> List[str]:
        api = "on, token required" if settings.api_token else "off (set RASA_API_TOKEN)"
        slack = (f"  Slack events:   {settings.rasa_url}/webhooks/slack/webhook  (behind your public URL)" if slack_on
                 else "  Slack:          off (set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_CHANNEL)")
        return [f"\nReady in {seconds:.1f}s.", f"  demo website:   {settings.web_url}",
                f"  REST webhook:   {settings.rasa_url}/webhooks/rest/webhook",
                f"  socket.io:      {settings.rasa_url}/socket.io/  (allowed origins: {settings.allowed_origins})",
                slack, f"  Rasa HTTP API:  {api}", f"  action server:  {settings.action_url}"]

    return servers.supervise({
        "action server": servers.ActionServer(settings),
        "Rasa server": servers.RasaServer(settings, creds),
        "demo website": servers.WebServer(settings),
    }, ready)


def _chat(verbose: bool = False) -> int:
    """``rasa shell`` (through :mod:`bot.channels.terminal`) with the action server around it."""
    import signal
    import subprocess

    from bot import servers

    def hang_up(*_: object) -> None:
        raise KeyboardInterrupt  # a closed terminal stops the action server too

    signal.signal(signal.SIGHUP, hang_up)
    signal.signal(signal.SIGTERM, hang_up)
    settings = servers.Settings.from_env()
    action = servers.ActionServer(settings, log=servers.ROOT / ".rasa" / "actions.chat.log")
    (servers.ROOT / ".rasa").mkdir(exist_ok=True)
    try:
        action.start()
        cmd = [sys.executable, "-m", "bot.channels.terminal", *(["--verbose"] if verbose else []),
               "shell", "--model", settings.model, "--endpoints", str(servers.ROOT / "endpoints.yml"),
               "--interface", "127.0.0.1", "--port", str(settings.rasa_port)]
        env = servers.child_env(settings)
        if not verbose:
            env["PYTHONWARNINGS"] = "ignore"
        return subprocess.call(cmd, cwd=servers.ROOT, env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        action.stop()


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the knowledge base")
    check.add_argument("folder", nargs="?", help="knowledge folder (default: knowledge/)")
    sub.add_parser("run", help="start the action server, the Rasa server and the demo website")
    cluster_cmd = sub.add_parser("cluster", help="HAProxy, CLUSTER_RASA Rasa and CLUSTER_ACTIONS action servers "
                                 "on PostgreSQL/Redis")
    cluster_cmd.add_argument("--role", choices=("all", "balancer", "rasa", "actions"), default="all",
                             help="what this host runs (default all: everything on one machine; README)")
    chat = sub.add_parser("chat", help="rasa shell, with the action server around it")
    chat.add_argument("--verbose", action="store_true", help="show Rasa's warnings and INFO logs")
    sub.add_parser("augment", help="write data/nlu/generated/ (follow-ups in context, questions after a story)")
    sub.add_parser("validate", help="rasa data validate --fail-on-warnings, knowing what forms and actions say")
    from bot.conversations import commands as conversation_commands

    conversation_commands.add_arguments(sub)
    args = parser.parse_args(argv)
    if args.command in ("report", "export", "prune"):
        return conversation_commands.run(args)
    if args.command == "check":
        return _check(args.folder)
    if args.command == "run":
        return _run()
    if args.command == "cluster":
        import logging

        from bot import cluster

        logging.basicConfig(level=logging.INFO, format="%(message)s")
        try:
            settings = cluster.ClusterSettings.from_env()
        except ValueError as error:
            print(f"python -m bot cluster: {error}", file=sys.stderr)
            return 2
        return cluster.run(settings, args.role)
    if args.command == "chat":
        return _chat(args.verbose)
    if args.command == "validate":
        from bot import servers, validation

        return validation.validate(servers.ROOT)
    if args.command == "augment":
        from bot import knowledge
        from bot.nlu import augment

        for path in augment.write(knowledge.load()):
            print(f"wrote {path.relative_to(augment.ROOT)}")
        return 0
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
