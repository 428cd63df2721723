"""The local stack runs one app invocation at a time, HTTP requests included.

Chalice's handler binds `do_GET = do_POST = ... = _generic_handle` in its class body, so an
override of `_generic_handle` alone was silently bypassed: requests overlapped the workers, and
moto's TransactWriteItems (which deep-copies the table) lost an accepted verification.
"""

from __future__ import annotations

import threading

import pytest
from chalice.local import ChaliceRequestHandler

from chalicelib.local.stack import serialised_handler
from chalicelib.local.stream_worker import StreamWorker


@pytest.mark.parametrize("verb", ["GET", "PUT", "POST", "HEAD", "DELETE", "PATCH", "OPTIONS"])
def test_every_verb_runs_inside_the_app_lock(monkeypatch, verb):
    lock = threading.Lock()
    seen = []
    monkeypatch.setattr(ChaliceRequestHandler, "_generic_handle", lambda self: seen.append(lock.locked()))
    handler_class = serialised_handler(lock)
    handler = handler_class.__new__(handler_class)  # no socket: only the dispatch is under test
    getattr(handler, f"do_{verb}")()
    assert seen == [True] and not lock.locked()


def test_a_stream_poll_holds_the_lock_for_its_reads_too():
    lock = threading.Lock()
    held = []

    class Streams:
        def describe_stream(self, **_):
            held.append(lock.locked())
            return {"StreamDescription": {"Shards": []}}

    class Dynamo:
        def describe_table(self, **_):
            held.append(lock.locked())
            return {"Table": {"LatestStreamArn": "arn:stream"}}

    worker = StreamWorker(Dynamo(), Streams(), "table", lambda event, context: None, lock=lock)
    assert worker.poll_once() == 0
    assert held == [True, True] and not lock.locked()


def test_the_api_queues_many_connections_while_it_is_busy():
    """20 phones connecting at once while the app is busy must all get through the handshake
    (http.server's default backlog of 5 reset the rest under `bench/load.py`)."""
    import socket

    from chalice import Chalice
    from chalice.config import Config

    from chalicelib.local.stack import LISTEN_BACKLOG, api_server

    server = api_server(Chalice("backlog"), Config(chalice_stage="local"), "127.0.0.1", 0, threading.Lock())
    port = server.server.server_address[1]
    connections = []
    try:  # nothing accepts: only the kernel's queue holds them (a backlog of 5 leaves the rest hanging)
        for _ in range(20):
            connections.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        assert len(connections) == 20 < LISTEN_BACKLOG
    finally:
        for connection in connections:
            connection.close()
        server.server.server_close()
