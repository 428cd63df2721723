"""Per-force, per-stage deployment settings, read from infra/config/<force>.json.

A stage's entries (e.g. "staging") override the force's top-level values; "timings" and "api" are
merged key by key. Everything is validated here so a typo fails synth, not a deployment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).resolve().parent / "config"

_FORCE_ID = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
# SNS alphanumeric sender ids: 1-11 characters, letters and digits, at least one letter.
_SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$")
_MERGED_SECTIONS = ("timings", "api", "reserved_concurrency")


@dataclass(frozen=True)
class Timings:
    wave_size: int
    wave_interval_seconds: int
    answer_timeout_seconds: int
    decision_timeout_seconds: int
    max_starts_per_hour: int
    public_views_per_minute: int


@dataclass(frozen=True)
class ApiLimits:
    rate_limit_per_second: int
    burst_limit: int
    public_requests_per_5_minutes_per_ip: int


@dataclass(frozen=True)
class ReservedConcurrency:
    """Lambda concurrency kept for the background functions, so a flood on the public routes (the
    API handler scales up to the account's limit) cannot starve them.

    `timers` also caps the timers queue's pollers (SQS MaximumConcurrency, at least 2): above its
    reservation the poller is throttled, and each throttled receive counts towards the DLQ.
    `audit_copier`: a stream consumer runs one invocation per shard at a time anyway, so this only
    needs to cover the verifications table's shards (a few for an on-demand table at our load);
    more shards than this wait their turn, which the iterator-age alarm would show."""

    timers: int = 5
    audit_copier: int = 2


@dataclass(frozen=True)
class ForceConfig:
    """One force's deployment (one stack): names, SMS, media region, retention, timings."""

    force: str
    stage: str
    display_name: str
    region: str
    public_base_url: str
    default_language: str
    sms_sender_id: str
    sms_monthly_spend_limit_usd: int
    chime_media_region: str
    audit_retention_days: int
    personal_data_retention_days: int
    log_retention_days: int
    timings: Timings
    api: ApiLimits
    reserved_concurrency: ReservedConcurrency = ReservedConcurrency()
    account: str | None = None

    @property
    def stack_name(self) -> str:
        return f"SafeConnection-{self.force}-{self.stage}"


def available_forces() -> list[str]:
    return sorted(path.stem for path in CONFIG_DIR.glob("*.json"))


def load_force_config(force: str, stage: str = "prod", config_dir: Path = CONFIG_DIR) -> ForceConfig:
    path = config_dir / f"{force}.json"
    if not path.is_file():
        known = ", ".join(available_forces()) or "none"
        raise ValueError(f"no configuration for force {force!r} ({path}); known forces: {known}")
    raw: dict[str, Any] = json.loads(path.read_text())
    stages: dict[str, Any] = raw.pop("stages", {"prod": {}})
    if stage not in stages:
        raise ValueError(f"force {force!r} has no stage {stage!r}; stages: {', '.join(sorted(stages))}")
    merged = dict(raw)
    for key, value in stages[stage].items():
        merged[key] = {**merged.get(key, {}), **value} if key in _MERGED_SECTIONS else value
    config = ForceConfig(
        stage=stage,
        **{k: v for k, v in merged.items() if k not in _MERGED_SECTIONS},
        timings=Timings(**merged["timings"]),
        api=ApiLimits(**merged["api"]),
        reserved_concurrency=ReservedConcurrency(**merged.get("reserved_concurrency", {})),
    )
    _validate(config, expected_force=force)
    return config


def _validate(config: ForceConfig, expected_force: str) -> None:
    problems = []
    if config.force != expected_force or not _FORCE_ID.match(config.force):
        problems.append(f"force must be {expected_force!r} (lowercase letters, digits, '-')")
    if not _SENDER_ID.match(config.sms_sender_id):
        problems.append("sms_sender_id must be 1-11 letters/digits with at least one letter")
    if not config.public_base_url.startswith("https://"):
        problems.append("public_base_url must be https://")
    if config.default_language not in ("en", "cy"):
        problems.append("default_language must be 'en' or 'cy'")
    if config.sms_monthly_spend_limit_usd < 1:
        problems.append("sms_monthly_spend_limit_usd must be at least 1")
    if not 1 <= config.audit_retention_days <= 36500:
        problems.append("audit_retention_days must be 1..36500")
    if not 1 <= config.personal_data_retention_days <= 3650:
        problems.append("personal_data_retention_days must be 1..3650")
    if not 2 <= config.reserved_concurrency.timers <= 100:
        problems.append("reserved_concurrency.timers must be 2..100 (SQS needs at least 2 pollers)")
    if not 1 <= config.reserved_concurrency.audit_copier <= 100:
        problems.append("reserved_concurrency.audit_copier must be 1..100")
    if problems:
        raise ValueError(f"infra/config/{expected_force}.json ({config.stage}): " + "; ".join(problems))
