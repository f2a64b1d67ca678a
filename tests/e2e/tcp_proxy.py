"""A TCP forwarder a test controls, standing for a network path it can cut (PostgreSQL, Redis)."""

from __future__ import annotations

import socket
import threading
from typing import List

from .conftest import free_port


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
