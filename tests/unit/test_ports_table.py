"""The ports module's table of where each port is implemented stays true (a newcomer follows it)."""

from __future__ import annotations

import importlib
import re

from chalicelib import bootstrap, ports

ROW = re.compile(r"^  (\w+)\s+adapters/([\w/]+)\.py\s+(\w+)", re.MULTILINE)


def test_every_port_is_listed_once_with_the_adapter_that_implements_it() -> None:
    rows = ROW.findall(ports.__doc__ or "")
    protocols = {name for name in ports.__all__ if getattr(getattr(ports, name), "_is_protocol", False)}
    assert sorted(port for port, _, _ in rows) == sorted(protocols)
    for port, path, adapter in rows:
        module = importlib.import_module("chalicelib.adapters." + path.replace("/", "."))
        assert isinstance(getattr(module, adapter, None), type), (port, path, adapter)


def test_dependencies_hand_out_each_port_by_its_protocol_type() -> None:
    returned = {  # the annotations as written (bootstrap imports its adapters lazily)
        str(prop.func.__annotations__.get("return"))
        for prop in vars(bootstrap.Dependencies).values() if hasattr(prop, "func")
    }
    named = {f"ports.{port}" for port, _, _ in ROW.findall(ports.__doc__ or "")}
    assert named <= returned, named - returned
