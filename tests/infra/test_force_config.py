"""infra/force_config.py: what a force's file may say, and the clear refusal of what it may not.

No synthesis here: each test writes a variant of the shipped met.json into a temporary folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.force_config import CONFIG_DIR, load_force_config


def shipped(force: str = "met") -> dict:
    return json.loads((CONFIG_DIR / f"{force}.json").read_text())


def load(tmp_path: Path, raw: dict, stage: str = "prod"):
    (tmp_path / f"{raw['force']}.json").write_text(json.dumps(raw))
    return load_force_config(raw["force"], stage, config_dir=tmp_path)


def refused(tmp_path: Path, raw: dict, stage: str = "prod") -> str:
    with pytest.raises(ValueError) as raised:
        load(tmp_path, raw, stage)
    return str(raised.value)


def test_reserved_concurrency_defaults_and_stage_overrides(tmp_path):
    raw = shipped()
    raw.pop("reserved_concurrency", None)
    raw["stages"]["staging"]["reserved_concurrency"] = {"timers": 3}
    prod, staging = load(tmp_path, raw), load(tmp_path, raw, "staging")
    assert (prod.reserved_concurrency.timers, prod.reserved_concurrency.audit_copier) == (5, 2)
    assert (staging.reserved_concurrency.timers, staging.reserved_concurrency.audit_copier) == (3, 2)


@pytest.mark.parametrize("section,message", [
    ({"timers": 1}, "reserved_concurrency.timers must be 2..100"),
    ({"audit_copier": 0}, "reserved_concurrency.audit_copier must be 1..100"),
])
def test_reserved_concurrency_out_of_range_is_refused(tmp_path, section, message):
    raw = shipped()
    raw["reserved_concurrency"] = section
    assert message in refused(tmp_path, raw)
