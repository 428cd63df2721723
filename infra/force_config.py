"""Per-force, per-stage deployment settings, read from infra/config/<force>.json.

A stage's entries (e.g. "staging") override the force's top-level values; "timings", "api" and
"reserved_concurrency" are merged key by key ("federation" is replaced whole, and a stage may set it
to null). Everything is validated here so a typo fails synth, not a deployment; the SMS spend limit
is computed here (cost_model) unless the file sets one.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from . import cost_model

CONFIG_DIR = Path(__file__).resolve().parent / "config"

_FORCE_ID = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
# SNS alphanumeric sender ids: 1-11 characters, letters and digits, at least one letter.
_SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$")
_MERGED_SECTIONS = ("timings", "api", "reserved_concurrency")
# A host name as API Gateway and DNS take it: lowercase labels of letters, digits and inner '-'.
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
# Names that can never be a force's site (RFC 2606 / 6761 and mDNS): "example" anywhere is a
# placeholder such as the former safe-connection.met.example.police.uk.
_PLACEHOLDER_LABELS = frozenset({"example", "localhost"})
_PLACEHOLDER_TLDS = frozenset({"example", "invalid", "test", "localhost", "local"})
# A certificate in ACM (API Gateway's regional domains take only those), in the aws partition.
_CERTIFICATE_ARN = re.compile(
    r"^arn:aws:acm:(?P<region>[a-z]{2}(-[a-z]+)+-\d):(?P<account>\d{12}):"
    r"certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
# Account ids AWS's own documentation uses in examples: never a force's.
_EXAMPLE_ACCOUNTS = frozenset({"123456789012", "000000000000"})
_HOSTED_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
# An identity provider's name in the pool: Cognito takes 1-32 characters with no space and no '_'
# first or from the third on (its pattern makes 3 the practical minimum). Stricter here, ASCII
# letters, digits, '.' and '-': the name travels in sign-in URLs (identity_provider=...) and in the
# usernames Cognito gives federated profiles (<name>_<id>).
_PROVIDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{1,30}[A-Za-z0-9]$")
# Names Cognito already uses for its own and the social providers (SupportedIdentityProviders).
_RESERVED_PROVIDER_NAMES = frozenset({"cognito", "facebook", "google", "loginwithamazon", "signinwithapple"})
# A Cognito prefix domain (<prefix>.auth.<region>.amazoncognito.com), as CreateUserPoolDomain takes it.
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_RESERVED_IN_PREFIX = ("aws", "amazon", "cognito")
# A Secrets Manager secret's full ARN (with the 6 characters Secrets Manager appends to the name).
_SECRET_ARN = re.compile(
    r"^arn:aws:secretsmanager:(?P<region>[a-z]{2}(-[a-z]+)+-\d):(?P<account>\d{12}):"
    r"secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$"
)


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
class SamlFederation:
    """The force's own SAML 2.0 identity provider (e.g. a Microsoft Entra ID enterprise application).

    Only the warrant number (officer_id_claim, to link the sign-in to the registry's user) and the
    email address come from the provider; the role and the force never do."""

    kind: ClassVar[str] = "saml"
    name: str
    metadata_url: str
    # The assertion attribute carrying the warrant number, as the provider names it (often a URI).
    officer_id_claim: str
    email_claim: str | None = None
    # The Cognito prefix domain; default safe-connection-<force>-<stage>.
    domain_prefix: str | None = None


@dataclass(frozen=True)
class OidcFederation:
    """The force's own OpenID Connect provider. The client secret stays in Secrets Manager: the file
    names the secret (client_secret_arn), CloudFormation resolves it at deploy time."""

    kind: ClassVar[str] = "oidc"
    name: str
    issuer_url: str
    client_id: str
    client_secret_arn: str
    # The ID-token (or userInfo) claim carrying the warrant number.
    officer_id_claim: str
    email_claim: str | None = None
    domain_prefix: str | None = None


Federation = SamlFederation | OidcFederation
_FEDERATION_TYPES: dict[str, type[SamlFederation] | type[OidcFederation]] = {
    "saml": SamlFederation, "oidc": OidcFederation,
}


@dataclass(frozen=True)
class ForceConfig:
    """One force's deployment (one stack): names, SMS, media region, retention, timings."""

    force: str
    stage: str
    display_name: str
    region: str
    # The force's own host name for the service: SMS links and the citizen URL point here.
    domain_name: str
    # The ACM certificate for domain_name, in the stack's region (API Gateway regional domain).
    certificate_arn: str
    default_language: str
    sms_sender_id: str
    # The SMS line of the README's cost model: the spend limit follows from these (infra/cost_model.py).
    expected_checks_per_day: int
    # The account's SMS spend quota, as granted by AWS (new accounts: $1); the limit may not exceed it.
    sms_account_spend_quota_usd: int
    # Computed from expected_checks_per_day unless the file sets it (then it must cover that spend).
    sms_monthly_spend_limit_usd: int
    chime_media_region: str
    audit_retention_days: int
    personal_data_retention_days: int
    log_retention_days: int
    timings: Timings
    api: ApiLimits
    reserved_concurrency: ReservedConcurrency = ReservedConcurrency()
    # The Route 53 zone holding domain_name, if the force's DNS is there: the stack adds the record.
    hosted_zone_id: str | None = None
    account: str | None = None
    # The force's own identity provider, if its staff sign in with it (infra/README.md, "Signing in
    # with the force's own identity provider"); None: pool users sign in with password and TOTP only.
    federation: Federation | None = None

    @property
    def stack_name(self) -> str:
        return f"SafeConnection-{self.force}-{self.stage}"

    @property
    def sign_in_domain_prefix(self) -> str | None:
        """The user pool's Cognito domain prefix, with federation only (the provider answers there)."""
        if self.federation is None:
            return None
        return self.federation.domain_prefix or f"safe-connection-{self.force}-{self.stage}"

    @property
    def public_base_url(self) -> str:
        """Where SMS links and the citizen URL point: always the force's own domain."""
        return f"https://{self.domain_name}"


def available_forces() -> list[str]:
    return sorted(path.stem for path in CONFIG_DIR.glob("*.json"))


# Keys a force's file may leave out (the dataclass defaults, or computed).
_OPTIONAL_KEYS = frozenset({
    "sms_monthly_spend_limit_usd", "reserved_concurrency", "hosted_zone_id", "account", "federation",
})


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
    where = f"infra/config/{force}.json ({stage})"
    _check_keys(merged, where)
    explicit_cap = merged.pop("sms_monthly_spend_limit_usd", None)
    federation = _federation(merged.pop("federation", None), where)
    timings = Timings(**merged["timings"])
    config = ForceConfig(
        stage=stage,
        **{k: v for k, v in merged.items() if k not in _MERGED_SECTIONS},
        sms_monthly_spend_limit_usd=explicit_cap if explicit_cap is not None else cost_model.sms_spend_cap_usd(
            merged["expected_checks_per_day"], timings.wave_size),
        timings=timings,
        api=ApiLimits(**merged["api"]),
        reserved_concurrency=ReservedConcurrency(**merged.get("reserved_concurrency", {})),
        federation=federation,
    )
    problems = (_problems(config, expected_force=force) + _spend_problems(config, explicit=explicit_cap is not None)
                + _federation_problems(config))
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return config


def _check_keys(merged: dict[str, Any], where: str) -> None:
    """Name a missing or misspelt key, instead of failing later on a TypeError."""
    known = {f.name for f in fields(ForceConfig)} - {"stage"}
    missing = sorted(known - _OPTIONAL_KEYS - set(merged))
    unknown = sorted(set(merged) - known)
    problems = [f"{key} is missing" for key in missing] + [
        "public_base_url is derived from domain_name (https://<domain_name>): remove it" if key == "public_base_url"
        else f"unknown field {key}" for key in unknown
    ]
    for section, kind in (("timings", Timings), ("api", ApiLimits), ("reserved_concurrency", ReservedConcurrency)):
        names = {f.name for f in fields(kind)}
        given = merged.get(section, {})
        problems += [f"unknown field {section}.{key}" for key in sorted(set(given) - names)]
        if section != "reserved_concurrency" and section in merged:
            problems += [f"{section}.{key} is missing" for key in sorted(names - set(given))]
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))


# Keys that would put a secret in the file (committed, and printed by synth): refused by name.
_INLINE_SECRETS = ("client_secret", "client_secret_value", "secret")


def _federation(raw: Any, where: str) -> Federation | None:
    """The `federation` object, its keys checked like the file's own (values in _federation_problems)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: federation must be an object (or be left out)")
    kind = _FEDERATION_TYPES.get(raw.get("type"))  # type: ignore[arg-type]
    if kind is None:
        raise ValueError(f"{where}: federation.type must be 'saml' or 'oidc', not {raw.get('type')!r}")
    names = {f.name for f in fields(kind)}
    required = {f.name for f in fields(kind) if f.default is not None}
    given = set(raw) - {"type"}
    problems = [f"federation.{key} is missing" for key in sorted(required - given)]
    for key in sorted(given - names):
        if key in _INLINE_SECRETS:
            # Never echo the value: it is the secret.
            problems.append(f"federation.{key}: never put the client secret in the file (it is committed and "
                            "printed); store it in AWS Secrets Manager in the stack's region and give its ARN as "
                            "federation.client_secret_arn")
        elif key == "client_secret_ssm_parameter":
            problems.append("federation.client_secret_ssm_parameter: CloudFormation cannot resolve an SSM "
                            "SecureString in an identity provider; store the secret in AWS Secrets Manager and give "
                            "federation.client_secret_arn")
        else:
            problems.append(f"unknown field federation.{key} (a {raw['type']} federation takes "
                            f"{', '.join(sorted(names))})")
    problems += [f"federation.{key} must be a string" for key in sorted(given & names)
                 if not isinstance(raw[key], str) and not (key not in required and raw[key] is None)]
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return kind(**{key: raw[key] for key in given})


def _federation_problems(config: ForceConfig) -> list[str]:
    """What Cognito would refuse at deploy time, or accept and then fail every sign-in with."""
    f = config.federation
    if f is None:
        return []
    problems = []
    if not _PROVIDER_NAME.match(f.name):
        problems.append(f"federation.name {f.name!r} must be 3-32 letters, digits, '.' or '-', starting and ending "
                        "with a letter or digit (Cognito's provider-name rule, ASCII only: the name appears in "
                        "sign-in URLs and in the usernames of federated profiles, <name>_<id>)")
    elif f.name.lower() in _RESERVED_PROVIDER_NAMES:
        problems.append(f"federation.name {f.name!r} is the name of one of Cognito's own providers: choose "
                        "another (e.g. MetEntra)")
    problems += _claim_problems("officer_id_claim", f.officer_id_claim)
    if f.email_claim is not None:
        problems += _claim_problems("email_claim", f.email_claim)
        if f.email_claim == f.officer_id_claim:
            problems.append("federation.email_claim and federation.officer_id_claim name the same claim: the "
                            "warrant number must have a claim of its own")
    if isinstance(f, SamlFederation):
        problems += _https_url_problems("metadata_url", f.metadata_url, query_allowed=True)
    else:
        problems += _https_url_problems("issuer_url", f.issuer_url, query_allowed=False)
        if not f.client_id or f.client_id != f.client_id.strip() or any(c.isspace() for c in f.client_id):
            problems.append("federation.client_id must be the client (application) id the provider issued, "
                            "without spaces")
        problems += _secret_arn_problems(config, f.client_secret_arn)
    prefix = config.sign_in_domain_prefix or ""
    if f.domain_prefix:
        source, remedy = "federation.domain_prefix", ""
    else:
        source, remedy = f"the default domain prefix {prefix!r} (safe-connection-<force>-<stage>)", \
            ": set federation.domain_prefix"
    if not _DOMAIN_PREFIX.match(prefix):
        problems.append(f"{source} must be 1-63 lowercase letters, digits or inner '-' (a Cognito prefix domain, "
                        f"<prefix>.auth.<region>.amazoncognito.com){remedy}")
    elif any(word in prefix for word in _RESERVED_IN_PREFIX):
        problems.append(f"{source} may not contain 'aws', 'amazon' or 'cognito' (Cognito refuses them){remedy}")
    return problems


def _claim_problems(field: str, claim: str) -> list[str]:
    """A claim (SAML attribute or OIDC claim) name, as the provider sends it."""
    if "<" in claim or ">" in claim:
        return [f"federation.{field} {claim!r} is a placeholder: put the claim the provider really sends"]
    if not claim or any(c.isspace() for c in claim) or len(claim) > 2048:
        return [f"federation.{field} must be the name of the claim as the provider sends it (no spaces), e.g. "
                "http://schemas.microsoft.com/identity/claims/employeeid"]
    return []


def _https_url_problems(field: str, url: str, *, query_allowed: bool) -> list[str]:
    """A provider's address: https, a real host, no credentials, no placeholder."""
    if not url or any(c in url for c in "<>{} "):
        return [f"federation.{field} {url!r} is a placeholder or not a URL: put the provider's own address"]
    parts = urlsplit(url)
    if parts.scheme != "https":
        return [f"federation.{field} must be an https:// URL (Cognito fetches it; anything else could be "
                f"altered on the way), not {url!r}"]
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return [f"federation.{field} {url!r} has a malformed port"]
    host = parts.hostname or ""
    labels = host.split(".")
    if _PLACEHOLDER_LABELS & set(labels) or labels[-1] in _PLACEHOLDER_TLDS:
        return [f"federation.{field} {url!r} is a placeholder: put the provider's own address"]
    if not _HOST_NAME.match(host) or labels[-1].isdigit():
        return [f"federation.{field} {url!r} has no valid host name"]
    if parts.username or parts.password:
        return [f"federation.{field} must not carry a user name or password"]
    if parts.fragment or (parts.query and not query_allowed):
        what = "a fragment" if query_allowed else "a query or fragment (an OIDC issuer is a plain https URL)"
        return [f"federation.{field} {url!r} must not have {what}"]
    return []


def _secret_arn_problems(config: ForceConfig, arn: str) -> list[str]:
    match = _SECRET_ARN.match(arn)
    if not match:
        return ["federation.client_secret_arn must be the full ARN of a Secrets Manager secret, "
                f"arn:aws:secretsmanager:{config.region}:<account>:secret:<name>-<6 characters> (the secret itself "
                "never goes in the file)"]
    if match["region"] != config.region:
        return [f"federation.client_secret_arn must be in the stack's region {config.region} (CloudFormation "
                f"resolves it there), not {match['region']}"]
    if match["account"] in _EXAMPLE_ACCOUNTS:
        return [f"federation.client_secret_arn uses AWS's documentation example account {match['account']}"]
    if config.account and match["account"] != config.account:
        return [f"federation.client_secret_arn is in account {match['account']}, not the stack's account "
                f"{config.account}"]
    return []


def _problems(config: ForceConfig, expected_force: str) -> list[str]:
    problems = []
    if config.force != expected_force or not _FORCE_ID.match(config.force):
        problems.append(f"force must be {expected_force!r} (lowercase letters, digits, '-')")
    if not _SENDER_ID.match(config.sms_sender_id):
        problems.append("sms_sender_id must be 1-11 letters/digits with at least one letter")
    problems += _domain_problems(config)
    if config.default_language not in ("en", "cy"):
        problems.append("default_language must be 'en' or 'cy'")
    if not 1 <= config.audit_retention_days <= 36500:
        problems.append("audit_retention_days must be 1..36500")
    if not 1 <= config.personal_data_retention_days <= 3650:
        problems.append("personal_data_retention_days must be 1..3650")
    if not 2 <= config.reserved_concurrency.timers <= 100:
        problems.append("reserved_concurrency.timers must be 2..100 (SQS needs at least 2 pollers)")
    if not 1 <= config.reserved_concurrency.audit_copier <= 100:
        problems.append("reserved_concurrency.audit_copier must be 1..100")
    return problems


def _domain_problems(config: ForceConfig) -> list[str]:
    """The domain the SMS links use, and the certificate API Gateway serves it with."""
    problems = []
    domain = config.domain_name
    labels = domain.split(".")
    if _PLACEHOLDER_LABELS & set(labels) or labels[-1] in _PLACEHOLDER_TLDS:
        problems.append(f"domain_name {domain!r} is a placeholder: put the force's own host name "
                        "(SMS links would point nowhere)")
    elif not _HOST_NAME.match(domain) or labels[-1].isdigit():
        problems.append(f"domain_name {domain!r} must be a lowercase host name such as sc.met.police.uk "
                        "(no scheme, no trailing dot)")
    elif len(domain) > sms_link_budget():
        problems.append(
            f"domain_name {domain!r} is too long for the sergeant's SMS ({len(domain)} characters; with at most "
            f"{sms_link_budget()} characters the text for an inspector's check without video still fits in 160, "
            "since the link is never shortened): use a shorter host name"
        )
    match = _CERTIFICATE_ARN.match(config.certificate_arn)
    if not match:
        problems.append(f"certificate_arn {config.certificate_arn!r} must look like "
                        f"arn:aws:acm:{config.region}:<account>:certificate/<uuid> (an ACM certificate)")
    elif match["region"] != config.region:
        problems.append(f"certificate_arn must be in the stack's region {config.region} (a regional API "
                        f"domain uses a certificate of its own region), not {match['region']}")
    elif match["account"] in _EXAMPLE_ACCOUNTS:
        problems.append(f"certificate_arn uses AWS's documentation example account {match['account']}: "
                        "put the force's own certificate")
    elif config.account and match["account"] != config.account:
        problems.append(f"certificate_arn is in account {match['account']}, not the stack's account {config.account}")
    if config.hosted_zone_id is not None and not _HOSTED_ZONE_ID.match(config.hosted_zone_id):
        problems.append(f"hosted_zone_id {config.hosted_zone_id!r} must be a Route 53 zone id such as "
                        "Z0123456789ABCDEFGHIJ (or be left out)")
    return problems


@functools.cache
def sms_link_budget() -> int:
    """The longest host name with which the sergeant's SMS still fits one segment, rendered by the
    app's own code for an inspector with an 8-character number in a check without video (the
    longest message: the link is never shortened, the name and the area are)."""
    from chalicelib.bootstrap import new_verification_id
    from chalicelib.domain.sms import sergeant_request_sms
    from chalicelib.domain.verification import OfficerSummary, Status, Verification

    probe = Verification(
        verification_id=new_verification_id(), reference="SC-AAAA-BBBB", status=Status.AWAITING_SERGEANT,
        force="probe", officer=OfficerSummary("MP472100", "Insp", "Jo", "Jones"), location=None,
        area="Camden High St", created_at=datetime.now(UTC), voice_fallback=True,
    )
    longest = 0
    for length in range(1, 254):
        try:
            sergeant_request_sms(probe, f"https://{'a' * length}/s/{probe.verification_id}")
        except ValueError:
            break
        longest = length
    return longest


def _spend_problems(config: ForceConfig, *, explicit: bool) -> list[str]:
    """The SMS spend limit must last the month at the expected rate, and stay within the account's
    quota (SNS refuses a MonthlySpendLimit above it, failing the deploy)."""
    if config.expected_checks_per_day < 1:
        return ["expected_checks_per_day must be at least 1"]
    if config.sms_account_spend_quota_usd < 1:
        return ["sms_account_spend_quota_usd must be at least 1 (new accounts have $1)"]
    problems = []
    cap, quota = config.sms_monthly_spend_limit_usd, config.sms_account_spend_quota_usd
    checks, wave = config.expected_checks_per_day, config.timings.wave_size
    expected = cost_model.expected_monthly_sms_spend_usd(checks, wave)
    if explicit and cap < expected:
        problems.append(
            f"sms_monthly_spend_limit_usd (${cap:,}) is below the expected SMS spend of ${expected:,.0f} a month "
            f"({checks} checks a day x {cost_model.sms_per_check(wave)} SMS x ${cost_model.PRICE_PER_SMS_USD} "
            f"x {cost_model.DAYS_PER_MONTH} days, infra/cost_model.py): texting sergeants would stop around day "
            f"{cost_model.day_the_texts_stop(cap, checks, wave)} of each month; leave it out to use the computed "
            f"${cost_model.sms_spend_cap_usd(checks, wave):,}, or raise it"
        )
    if cap > quota:
        source = "sms_monthly_spend_limit_usd" if explicit else "the computed SMS spend limit"
        problems.append(
            f"{source} (${cap:,}) is above the account's SMS spend quota (sms_account_spend_quota_usd, "
            f"${quota:,}): SNS would refuse it and the deploy would fail; raise the quota first (a service-quota "
            f"request, infra/README.md runbook), then record the granted quota here"
        )
    return problems
