"""Small command line: ``python -m bot check`` validates the knowledge base."""

from __future__ import annotations

import argparse
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
    counts = {etype: len(kb.entities[etype]) for etype in knowledge.ENTITY_TYPES}
    print(
        f"knowledge OK: {len(kb.facts)} facts, {len(kb.topics)} topics, "
        f"{len(kb.sources)} sources, entities {counts}"
    )
    return 0


def _run() -> int:
    """Action server + Rasa server until Ctrl-C."""
    import logging
    import signal
    import time

    from bot import servers
    from bot.channels import credentials

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = servers.Settings.from_env()
    logs = servers.ROOT / ".rasa"
    logs.mkdir(exist_ok=True)
    creds = credentials.write(logs / "credentials.run.yml")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    action = servers.ActionServer(settings)
    rasa = servers.RasaServer(settings, creds)
    try:
        started = time.monotonic()
        action.start()
        rasa.start()
        print(f"\nReady in {time.monotonic() - started:.1f}s.")
        print(f"  REST webhook:   {settings.rasa_url}/webhooks/rest/webhook")
        print(f"  action server:  {settings.action_url}")
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping and rasa.proc.poll() is None and action.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        rasa.stop()
        action.stop()
    return 0


def _chat() -> int:
    """``rasa shell`` with the action server started and stopped around it."""
    import subprocess

    from bot import servers

    settings = servers.Settings.from_env()
    action = servers.ActionServer(settings, log=servers.ROOT / ".rasa" / "actions.chat.log")
    (servers.ROOT / ".rasa").mkdir(exist_ok=True)
    action.start()
    try:
        cmd = [str(servers.BIN / "rasa"), "shell", "--model", settings.model,
               "--endpoints", str(servers.ROOT / "endpoints.yml"), "--port", str(settings.rasa_port)]
        return subprocess.call(cmd, cwd=servers.ROOT, env=servers.child_env(settings))
    except KeyboardInterrupt:
        return 0
    finally:
        action.stop()


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the knowledge base")
    check.add_argument("folder", nargs="?", help="knowledge folder (default: knowledge/)")
    sub.add_parser("run", help="start the action server and the Rasa server")
    sub.add_parser("chat", help="rasa shell, with the action server around it")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.folder)
    if args.command == "run":
        return _run()
    if args.command == "chat":
        return _chat()
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
