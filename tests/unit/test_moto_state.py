"""The local stack's data.json (chalicelib/local/moto_state.py): built again when another request
changes moto's state mid-answer, through a real moto server; a break that lasts is still a 500."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest
from moto.moto_api._internal import urls
from moto.server import ThreadedMotoServer

from chalicelib.local import moto_state


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get_data_json(handler: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[int, bytes]:
    """Serve data.json through a fresh moto server whose handler is `handler`, as the stack installs it."""
    monkeypatch.setitem(urls.url_paths, moto_state.DATA_JSON, handler)
    moto_state.install()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    finally:
        server.stop()


def test_an_answer_broken_by_a_concurrent_change_is_built_again(monkeypatch):
    calls = []
    answer = {"sns": {"SMS": [{"phone_number": "+447700900001", "message": "Safe Connection: ..."}]}}

    def changed_meanwhile(*args: Any) -> Any:
        calls.append(1)
        if len(calls) <= 2:  # what the race raises: a kept attribute gained an object meanwhile
            raise TypeError("Object of type FakeKey is not JSON serializable")
        return 200, {"Content-Type": "application/javascript"}, json.dumps(answer)

    status, body = _get_data_json(changed_meanwhile, monkeypatch)
    assert status == 200 and len(calls) == 3
    assert json.loads(body) == answer  # the whole answer of the pass that succeeded


def test_a_break_that_lasts_is_still_a_500_after_a_few_tries(monkeypatch):
    calls = []

    def always_broken(*_args: Any) -> Any:
        calls.append(1)
        raise RuntimeError("dictionary changed size during iteration")

    status, _ = _get_data_json(always_broken, monkeypatch)
    assert status == 500 and len(calls) == moto_state.ATTEMPTS


def test_installing_twice_wraps_once(monkeypatch):
    monkeypatch.setitem(urls.url_paths, moto_state.DATA_JSON, urls.url_paths[moto_state.DATA_JSON])
    moto_state.install()
    wrapped = urls.url_paths[moto_state.DATA_JSON]
    moto_state.install()
    assert urls.url_paths[moto_state.DATA_JSON] is wrapped
