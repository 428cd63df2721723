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


# ---- SMS spend cap (infra/cost_model.py, infra/README.md "Costs") ----------------------------


def test_the_cost_model_reproduces_the_readme_estimate():
    from infra import cost_model

    readme = (CONFIG_DIR.parent / "README.md").read_text()
    spend = cost_model.expected_monthly_sms_spend_usd(checks_per_day=1000, wave_size=3)
    assert spend == pytest.approx(3600)
    assert f"| SNS SMS to UK (~${cost_model.PRICE_PER_SMS_USD:.2f} each) | ~{spend:,.0f} |" in readme


def test_the_met_cap_covers_a_month_of_its_expected_checks():
    """$300 a month stopped the texts around day 3 (1,000 checks a day cost ~$120 a day)."""
    from infra import cost_model

    met = load_force_config("met")
    expected = cost_model.expected_monthly_sms_spend_usd(met.expected_checks_per_day, met.timings.wave_size)
    assert met.sms_monthly_spend_limit_usd >= expected
    assert met.sms_monthly_spend_limit_usd <= met.sms_account_spend_quota_usd


def test_without_an_explicit_cap_it_is_the_expected_spend_with_headroom(tmp_path):
    raw = shipped()
    raw.pop("sms_monthly_spend_limit_usd", None)
    raw.update(expected_checks_per_day=1000, sms_account_spend_quota_usd=10_000)
    raw["timings"]["wave_size"] = 3
    assert load(tmp_path, raw).sms_monthly_spend_limit_usd == 5400  # 3,600 x 1.5


def test_an_explicit_cap_below_the_expected_spend_is_refused(tmp_path):
    raw = shipped()
    raw.update(expected_checks_per_day=1000, sms_monthly_spend_limit_usd=300, sms_account_spend_quota_usd=10_000)
    raw["timings"]["wave_size"] = 3
    message = refused(tmp_path, raw)
    assert "sms_monthly_spend_limit_usd ($300) is below the expected SMS spend of $3,600 a month" in message
    assert "around day 3" in message


def test_an_explicit_cap_at_least_the_expected_spend_is_kept(tmp_path):
    raw = shipped()
    raw.update(expected_checks_per_day=1000, sms_monthly_spend_limit_usd=4000, sms_account_spend_quota_usd=10_000)
    raw["timings"]["wave_size"] = 3
    assert load(tmp_path, raw).sms_monthly_spend_limit_usd == 4000


@pytest.mark.parametrize("explicit", [None, 6000])
def test_a_cap_above_the_account_quota_is_refused(tmp_path, explicit):
    """SNS refuses a MonthlySpendLimit above the account's quota: the deploy would fail."""
    raw = shipped()
    raw.pop("sms_monthly_spend_limit_usd", None)
    if explicit:
        raw["sms_monthly_spend_limit_usd"] = explicit
    raw.update(expected_checks_per_day=1000, sms_account_spend_quota_usd=1000)
    raw["timings"]["wave_size"] = 3
    message = refused(tmp_path, raw)
    assert "above the account's SMS spend quota (sms_account_spend_quota_usd, $1,000)" in message
    assert "raise the quota first" in message


@pytest.mark.parametrize("field", ["expected_checks_per_day", "sms_account_spend_quota_usd"])
def test_a_missing_field_is_named(tmp_path, field):
    raw = shipped()
    raw.pop(field, None)
    assert f"{field} is missing" in refused(tmp_path, raw)


def test_an_unknown_field_is_named(tmp_path):
    raw = shipped()
    raw["sms_monthly_spend_limit"] = 100
    assert "unknown field sms_monthly_spend_limit" in refused(tmp_path, raw)


# ---- the force's domain: SMS links, citizen URL, API Gateway custom domain -------------------

CERT = "arn:aws:acm:eu-west-2:111111111111:certificate/0f6b3a52-9d1e-4c7a-8b2f-5e4d3c2b1a09"


@pytest.mark.parametrize("force,stage", [("met", "prod"), ("met", "staging"), ("wiltshire", "prod")])
def test_the_shipped_configs_point_sms_links_at_the_forces_own_domain(force, stage):
    config = load_force_config(force, stage)
    assert config.public_base_url == f"https://{config.domain_name}"
    assert config.domain_name.endswith(f".{force}.police.uk")
    assert "example" not in config.public_base_url
    assert config.certificate_arn.startswith(f"arn:aws:acm:{config.region}:")


def test_staging_has_its_own_domain():
    assert load_force_config("met", "staging").domain_name != load_force_config("met").domain_name


@pytest.mark.parametrize("domain", [
    "safe-connection.met.example.police.uk", "example.com", "sc.example.org", "sc.example",
    "sc.met.invalid", "sc.test", "localhost", "sc.localhost", "sc.local",
])
def test_placeholder_domains_are_refused(tmp_path, domain):
    raw = shipped()
    raw["domain_name"] = domain
    assert f"domain_name {domain!r} is a placeholder" in refused(tmp_path, raw)


@pytest.mark.parametrize("domain", [
    "https://sc.met.police.uk", "SC.met.police.uk", "sc..police.uk", "sc.met.police.uk.", "sc_met.police.uk",
    "police", "-sc.met.police.uk", "10.0.0.1",
])
def test_malformed_domains_are_refused(tmp_path, domain):
    raw = shipped()
    raw["domain_name"] = domain
    assert f"domain_name {domain!r} must be a lowercase host name" in refused(tmp_path, raw)


def test_a_domain_too_long_for_the_sergeants_sms_is_refused(tmp_path):
    """The link is never shortened: with the no-video note, a long host leaves no room in 160 characters."""
    raw = shipped()
    raw["domain_name"] = "safe-connection.met.police.uk"
    message = refused(tmp_path, raw)
    assert "domain_name 'safe-connection.met.police.uk' is too long for the sergeant's SMS" in message
    assert "at most 25 characters" in message


def test_public_base_url_cannot_be_set_by_hand(tmp_path):
    raw = shipped()
    raw["public_base_url"] = "https://safe-connection.met.example.police.uk"
    assert "public_base_url is derived from domain_name" in refused(tmp_path, raw)


@pytest.mark.parametrize("arn,problem", [
    ("arn:aws:acm:us-east-1:111111111111:certificate/0f6b3a52-9d1e-4c7a-8b2f-5e4d3c2b1a09",
     "must be in the stack's region eu-west-2"),
    ("arn:aws:acm:eu-west-2:123456789012:certificate/0f6b3a52-9d1e-4c7a-8b2f-5e4d3c2b1a09",
     "AWS's documentation example account"),
    ("arn:aws:acm:eu-west-2:1111:certificate/0f6b3a52-9d1e-4c7a-8b2f-5e4d3c2b1a09", "must look like"),
    ("arn:aws:iam::111111111111:server-certificate/sc", "must look like"),
    ("0f6b3a52-9d1e-4c7a-8b2f-5e4d3c2b1a09", "must look like"),
])
def test_a_certificate_that_api_gateway_cannot_use_is_refused(tmp_path, arn, problem):
    raw = shipped()
    raw["certificate_arn"] = arn
    message = refused(tmp_path, raw)
    assert "certificate_arn" in message and problem in message


def test_the_certificate_must_be_in_the_configured_account(tmp_path):
    raw = shipped()
    raw.update(certificate_arn=CERT, account="222222222222")
    assert "certificate_arn is in account 111111111111, not the stack's account 222222222222" in refused(tmp_path, raw)


def test_the_hosted_zone_is_optional_and_checked(tmp_path):
    raw = shipped()
    raw.pop("hosted_zone_id", None)
    assert load(tmp_path, raw).hosted_zone_id is None
    raw["hosted_zone_id"] = "met.police.uk"
    assert "hosted_zone_id 'met.police.uk' must be a Route 53 zone id" in refused(tmp_path, raw)


# ---- the country list behind the SMS protect configuration ----------------------------------


def test_the_country_list_is_iso_3166_as_the_system_tz_database_lists_it():
    """An independent copy of ISO 3166-1 alpha-2 (tzdata's iso3166.tab), where the system has one."""
    from infra.iso3166 import ALPHA_2

    table = Path("/usr/share/zoneinfo/iso3166.tab")
    if not table.is_file():
        pytest.skip("no tz database on this system")
    codes = {line.split("\t")[0] for line in table.read_text().splitlines() if line and not line.startswith("#")}
    assert set(ALPHA_2) == codes
    assert len(ALPHA_2) == len(set(ALPHA_2)) == 249 and list(ALPHA_2) == sorted(ALPHA_2)
