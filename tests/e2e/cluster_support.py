"""What the cluster tests share: the machine's PostgreSQL and Redis, and a network path a test can cut.

Skipped, with the reason, where haproxy, PostgreSQL or Redis is missing; on CI
(``CI`` set) that fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from pathlib import Path
from typing import List, Tuple

import pytest

from .conftest import free_port

PG = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


def needed(what: str, ok: bool) -> None:
    """Skip the test (fail it on CI) when ``what`` is not available."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is needed for the cluster tests on CI")
    pytest.skip(f"{what} is not available here")


def reachable(address: tuple) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def haproxy_installed() -> bool:
    return shutil.which("haproxy") is not None or Path("/usr/sbin/haproxy").exists()


def _connect(database: str):  # noqa: ANN202 - psycopg2 is imported only where a test runs
    import psycopg2

    connection = psycopg2.connect(host=PG[0], port=PG[1], user="postgres", dbname=database)
    connection.autocommit = True
    return connection


def drop_database(name: str) -> None:
    connection = _connect("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def stored_events(database: str, sender: str) -> List[Tuple[str, str]]:
    """(type, user text or action name) of every event stored for ``sender``, in order (straight to PostgreSQL)."""
    connection = _connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            rows = [(kind, json.loads(data)) for kind, data in cursor.fetchall()]
    finally:
        connection.close()
    return [(kind, data.get("text") or data.get("name") or "") for kind, data in rows]


def stored_user_texts(database: str, sender: str) -> List[str]:
    return [text for kind, text in stored_events(database, sender) if kind == "user"]


class TcpProxy:
    """A TCP forwarder the test controls: ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, upstream: tuple, host: str = "127.0.0.1") -> None:
        self.upstream, self.host, self.port = upstream, host, free_port()
        self.connections: List[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            if self.listener is not None:
                try:  # wakes the thread blocked in accept(); close() alone leaves the port listening
                    self.listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.listener.close()
                self.listener = None
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)  # an idle pooled connection must not be dropped by the proxy
            with self.lock:
                if self.listener is not listener:  # cut while this one was being connected
                    client.close()
                    server.close()
                    return
                self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.close()
                except OSError:
                    pass
