"""infra/force_config.py: what a force's file may say, and the clear refusal of what it may not.

No synthesis here: each test writes a variant of the shipped met.json into a temporary folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.force_config import CONFIG_DIR, load_force_config

from .federation_samples import EMAIL, EMPLOYEE_ID, ENTRA_METADATA, SECRET_ARN, oidc, saml


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


# ---- federation: the force's own identity provider (infra/README.md) --------------------------

def with_federation(federation) -> dict:
    raw = shipped()
    raw["federation"] = federation
    return raw


def test_without_federation_nothing_changes():
    """The shipped forces sign in with pool passwords and TOTP: no provider, no Cognito domain."""
    for force in ("met", "wiltshire"):
        config = load_force_config(force)
        assert config.federation is None and config.sign_in_domain_prefix is None


def test_a_saml_provider_is_read(tmp_path):
    from infra.force_config import SamlFederation

    config = load(tmp_path, with_federation(saml()))
    assert config.federation == SamlFederation(name="MetEntra", metadata_url=ENTRA_METADATA,
                                               officer_id_claim=EMPLOYEE_ID, email_claim=EMAIL)
    assert config.sign_in_domain_prefix == "safe-connection-met-prod"


def test_an_oidc_provider_is_read_with_its_secret_named_not_given(tmp_path):
    from infra.force_config import OidcFederation

    config = load(tmp_path, with_federation(oidc(domain_prefix="met-safe-connection")))
    assert isinstance(config.federation, OidcFederation)
    assert config.federation.client_secret_arn == SECRET_ARN and config.federation.email_claim is None
    assert config.sign_in_domain_prefix == "met-safe-connection"


def test_a_stage_replaces_or_removes_the_provider(tmp_path):
    raw = with_federation(saml())
    raw["stages"]["staging"]["federation"] = None
    raw["stages"]["prod"]["federation"] = saml(name="MetEntraProd")
    assert load(tmp_path, raw).federation.name == "MetEntraProd"
    assert load(tmp_path, raw, "staging").federation is None


@pytest.mark.parametrize("federation,message", [
    (saml(metadata_url="http://login.microsoftonline.com/t/federationmetadata.xml"),
     "federation.metadata_url must be an https:// URL"),
    (saml(metadata_url="https://login.microsoftonline.com/<tenant>/federationmetadata/2007-06/federationmetadata.xml"),
     "federation.metadata_url 'https://login.microsoftonline.com/<tenant>/"),
    (saml(metadata_url="federationmetadata.xml"), "federation.metadata_url must be an https:// URL"),
    (saml(metadata_url="https://idp.example.com/metadata"), "is a placeholder"),
    (saml(metadata_url="https://admin:pw@login.microsoftonline.com/t/m.xml"), "must not carry a user name"),
    (saml(metadata_url="https://login.microsoftonline.com:x/t/m.xml"), "has a malformed port"),
    (oidc(issuer_url="http://login.microsoftonline.com/t/v2.0"), "federation.issuer_url must be an https:// URL"),
    (oidc(issuer_url="https://login.microsoftonline.com/t/v2.0?p=1"), "must not have a query or fragment"),
])
def test_a_provider_address_that_is_not_a_real_https_url_is_refused(tmp_path, federation, message):
    assert message in refused(tmp_path, with_federation(federation))


@pytest.mark.parametrize("kind", [saml, oidc])
def test_the_warrant_number_claim_is_required(tmp_path, kind):
    federation = kind()
    del federation["officer_id_claim"]
    assert "federation.officer_id_claim is missing" in refused(tmp_path, with_federation(federation))


@pytest.mark.parametrize("federation,message", [
    (saml(officer_id_claim=""), "federation.officer_id_claim must be the name of the claim"),
    (saml(officer_id_claim="employee id"), "federation.officer_id_claim must be the name of the claim"),
    (saml(officer_id_claim="<claim URI carrying the warrant number>"), "is a placeholder"),
    (saml(email_claim=EMPLOYEE_ID), "name the same claim"),
    (saml(officer_id_claim=42), "federation.officer_id_claim must be a string"),
])
def test_a_claim_that_cannot_be_the_providers_is_refused(tmp_path, federation, message):
    assert message in refused(tmp_path, with_federation(federation))


@pytest.mark.parametrize("key", ["client_secret", "client_secret_value", "secret"])
def test_a_client_secret_in_the_file_is_refused_without_being_repeated(tmp_path, key):
    federation = oidc(**{key: "s3cr3t-Value~from-Entra"})
    message = refused(tmp_path, with_federation(federation))
    assert f"federation.{key}: never put the client secret in the file" in message
    assert "federation.client_secret_arn" in message
    assert "s3cr3t-Value~from-Entra" not in message


def test_an_ssm_parameter_for_the_secret_is_refused_with_the_reason(tmp_path):
    federation = oidc(client_secret_ssm_parameter="/safe-connection/met/entra")
    del federation["client_secret_arn"]
    message = refused(tmp_path, with_federation(federation))
    assert "CloudFormation cannot resolve an SSM SecureString" in message
    assert "federation.client_secret_arn is missing" in message


@pytest.mark.parametrize("arn,message", [
    ("safe-connection/met-entra", "must be the full ARN of a Secrets Manager secret"),
    ("arn:aws:secretsmanager:eu-west-2:111111111111:secret:safe-connection/met-entra",
     "must be the full ARN of a Secrets Manager secret"),
    ("arn:aws:ssm:eu-west-2:111111111111:parameter/entra", "must be the full ARN of a Secrets Manager secret"),
    ("arn:aws:secretsmanager:eu-west-1:111111111111:secret:met-entra-AbC123", "must be in the stack's region"),
    ("arn:aws:secretsmanager:eu-west-2:123456789012:secret:met-entra-AbC123", "documentation example account"),
])
def test_a_secret_cloudformation_cannot_resolve_is_refused(tmp_path, arn, message):
    assert message in refused(tmp_path, with_federation(oidc(client_secret_arn=arn)))


def test_the_secret_must_be_in_the_configured_account(tmp_path):
    raw = with_federation(oidc())
    raw["account"] = "222222222222"
    raw["certificate_arn"] = CERT.replace("111111111111", "222222222222")
    assert "federation.client_secret_arn is in account 111111111111" in refused(tmp_path, raw)


@pytest.mark.parametrize("name,message", [
    ("Met Entra", "must be 3-32 letters, digits"),
    ("_MetEntra", "must be 3-32 letters, digits"),
    ("Met_Entra", "must be 3-32 letters, digits"),
    ("ME", "must be 3-32 letters, digits"),
    ("M" * 33, "must be 3-32 letters, digits"),
    ("COGNITO", "one of Cognito's own providers"),
    ("Google", "one of Cognito's own providers"),
])
def test_a_provider_name_cognito_would_refuse_is_refused(tmp_path, name, message):
    assert message in refused(tmp_path, with_federation(saml(name=name)))


@pytest.mark.parametrize("prefix,message", [
    ("Met-Sign-In", "federation.domain_prefix must be 1-63 lowercase letters"),
    ("met-", "federation.domain_prefix must be 1-63 lowercase letters"),
    ("met-cognito", "may not contain 'aws', 'amazon' or 'cognito'"),
])
def test_a_cognito_domain_prefix_cognito_would_refuse_is_refused(tmp_path, prefix, message):
    assert message in refused(tmp_path, with_federation(saml(domain_prefix=prefix)))


def test_a_default_domain_prefix_that_cannot_be_one_asks_for_an_explicit_one(tmp_path):
    raw = with_federation(saml())
    raw["stages"]["Staging_2"] = {}
    message = refused(tmp_path, raw, "Staging_2")
    assert "the default domain prefix 'safe-connection-met-Staging_2'" in message
    assert "set federation.domain_prefix" in message


@pytest.mark.parametrize("federation,message", [
    ({"type": "ldap", "name": "MetLdap"}, "federation.type must be 'saml' or 'oidc', not 'ldap'"),
    ("MetEntra", "federation must be an object"),
    (saml(client_id="abc"), "unknown field federation.client_id"),
    (saml(groups_claim="http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"),
     "unknown field federation.groups_claim"),
    ({k: v for k, v in saml().items() if k != "metadata_url"}, "federation.metadata_url is missing"),
    ({k: v for k, v in oidc().items() if k != "client_id"}, "federation.client_id is missing"),
])
def test_a_malformed_federation_object_is_named(tmp_path, federation, message):
    assert message in refused(tmp_path, with_federation(federation))
