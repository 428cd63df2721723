"""Issue 6: the CDK stack, synthesised offline and checked (template assertions, cfn-lint, cdk-nag).

Everything lives in one module so `pytest -n 2 --dist loadfile` synthesises on one worker only.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from . import template_checks as checks

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("force", ["met", "wiltshire"])
def test_every_property_issue_6_lists(synthesised, force):
    config, template = synthesised[force]
    checks.check_tables(template)
    checks.check_audit_bucket(template, config.audit_retention_days)
    checks.check_photos_bucket(template, config.audit_retention_days)
    checks.check_topic_and_sms(template, config.sms_monthly_spend_limit_usd, config.sms_sender_id)
    checks.check_queues(template)
    checks.check_keys(template)
    checks.check_user_pool(template)
    checks.check_api(template, config.api.rate_limit_per_second, config.api.burst_limit)
    checks.check_log_retention(template, config.log_retention_days)
    checks.check_log_group_names(template)
    checks.check_sms_log_groups(template, config.log_retention_days)
    checks.check_alarms(template)
    checks.check_outputs(template)
    checks.check_stream_consumer(template)
    checks.check_least_privilege(template)
    checks.check_environment(template)
    checks.check_rate_limit_key(template)
    checks.check_push_key(template)
    checks.check_sms_sender_id(template, config.sms_sender_id)
    checks.check_runtime(template)
    checks.check_custom_domain(template, config.domain_name, config.certificate_arn, config.hosted_zone_id)
    checks.check_sms_protect(template)
    checks.check_reserved_concurrency(template, config.reserved_concurrency.timers,
                                      config.reserved_concurrency.audit_copier)
    checks.check_no_federation(template)


def _without(template, kind, path):
    """A copy of the template with `path` (a key list) removed from every resource of `kind`."""
    broken = copy.deepcopy(template)
    for resource in checks.resources(broken, kind).values():
        node = resource["Properties"]
        for key in path[:-1]:
            node = node.get(key, {})
        node.pop(path[-1], None)
    return broken


def _remove_stream_bisect(t):
    next(iter(t["Resources"]["CopyAuditEventsToS3"]["Properties"]["Events"].values()))["Properties"].pop(
        "BisectBatchOnFunctionError")
    return t


def _remove_api_throttling(t):
    t["Resources"]["RestAPI"]["Properties"]["MethodSettings"][0].pop("ThrottlingRateLimit")
    return t


def _share_one_role(t):
    for name in checks.FUNCTIONS:
        t["Resources"][name]["Properties"]["Role"] = t["Resources"]["APIHandler"]["Properties"]["Role"]
    return t


def _remove_runtime(t):
    t["Resources"]["RunTimers"]["Properties"].pop("Runtime")
    return t


def _remove_timers_concurrency(t):
    t["Resources"]["RunTimers"]["Properties"].pop("ReservedConcurrentExecutions")
    return t


def _remove_timers_scaling(t):
    next(iter(t["Resources"]["RunTimers"]["Properties"]["Events"].values()))["Properties"].pop("ScalingConfig")
    return t


def _remove_copier_concurrency(t):
    t["Resources"]["CopyAuditEventsToS3"]["Properties"].pop("ReservedConcurrentExecutions")
    return t


def _fixed_waf_log_group_name(t):
    for group in checks.resources(t, "AWS::Logs::LogGroup").values():
        if "LogGroupName" in group["Properties"]:
            group["Properties"]["LogGroupName"] = "aws-waf-logs-safe-connection-met-prod"
    return t


def _rewrite_sdk_calls(t, old, new):
    """Replace text inside every rendered deploy-time SDK call."""
    for resource in checks.resources(t, "Custom::AWS").values():
        for event in ("Create", "Update", "Delete"):
            rendered = resource["Properties"].get(event)
            if isinstance(rendered, dict):
                parts = rendered["Fn::Join"][1]
                rendered["Fn::Join"][1] = [p.replace(old, new) if isinstance(p, str) else p for p in parts]
            elif isinstance(rendered, str):
                resource["Properties"][event] = rendered.replace(old, new)
    return t


def _default_sender_id(t):
    t["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["SMS_SENDER_ID"] = "SafeConnect"
    return t


def _map_under_a_base_path(t):
    for mapping in checks.resources(t, "AWS::ApiGateway::BasePathMapping").values():
        mapping["Properties"]["BasePath"] = "api"
    return t


def _placeholder_links(t):
    t["Resources"]["RunTimers"]["Properties"]["Environment"]["Variables"]["PUBLIC_BASE_URL"] = \
        "https://safe-connection.met.example.police.uk"
    return t


def _remove_resources(t, kind):
    t["Resources"] = {k: v for k, v in t["Resources"].items() if v["Type"] != kind}
    return t


def _sms_rules(t, change):
    for config in checks.resources(t, "AWS::SMSVOICE::ProtectConfiguration").values():
        rules = config["Properties"]["CountryRuleSet"]["SMS"]
        config["Properties"]["CountryRuleSet"]["SMS"] = change(rules)
    return t


def _shorter_photo_versions(t):
    """The photos bucket keeps replaced photos one day less than the audit log is locked."""
    name = t["Outputs"]["PhotosBucketName"]["Value"]["Ref"]
    for rule in t["Resources"][name]["Properties"]["LifecycleConfiguration"]["Rules"]:
        rule["NoncurrentVersionExpiration"]["NoncurrentDays"] -= 1
    return t


def _remove_setting(t):
    t["Resources"]["RunTimers"]["Properties"]["Environment"]["Variables"].pop("AUDIT_DATA_KEY_ID")
    return t


def _rate_limit_key_in_the_environment(t):
    t["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["RATE_LIMIT_KEY"] = "x" * 64
    return t


def _push_key_for_the_audit_copier(t):
    copier_role = t["Resources"]["CopyAuditEventsToS3"]["Properties"]["Role"]["Fn::GetAtt"][0]
    grant = next(p for p in checks.resources(t, "AWS::IAM::Policy").values()
                 if any("PushKey" in str(s["Resource"]) for s in p["Properties"]["PolicyDocument"]["Statement"]))
    grant["Properties"]["Roles"].append({"Ref": copier_role})
    return t


def _rate_limit_key_for_every_function(t):
    timers_role = t["Resources"]["RunTimers"]["Properties"]["Role"]["Fn::GetAtt"][0]
    grant = next(p for p in checks.resources(t, "AWS::IAM::Policy").values()
                 if any("secretsmanager:GetSecretValue" in str(s["Action"]) and "RateLimitKey" in str(s["Resource"])
                        for s in p["Properties"]["PolicyDocument"]["Statement"]))
    grant["Properties"]["Roles"].append({"Ref": timers_role})
    return t


# (what is removed, how, the check that must then fail)
MUTATIONS = [
    ("PITR", lambda t: _without(t, "AWS::DynamoDB::Table", ["PointInTimeRecoverySpecification"]), "check_tables"),
    ("table TTL", lambda t: _without(t, "AWS::DynamoDB::Table", ["TimeToLiveSpecification"]), "check_tables"),
    ("object lock", lambda t: _without(t, "AWS::S3::Bucket", ["ObjectLockConfiguration"]), "check_audit_bucket"),
    ("access logs", lambda t: _without(t, "AWS::S3::Bucket", ["LoggingConfiguration"]), "check_audit_bucket"),
    ("bucket TLS policy", lambda t: _without(t, "AWS::S3::BucketPolicy", ["PolicyDocument", "Statement"]),
     "check_audit_bucket"),
    ("photo versions", lambda t: _without(t, "AWS::S3::Bucket", ["VersioningConfiguration"]), "check_photos_bucket"),
    ("replaced photos kept", lambda t: _without(t, "AWS::S3::Bucket", ["LifecycleConfiguration"]),
     "check_photos_bucket"),
    ("replaced photos kept as long as the audit log", _shorter_photo_versions, "check_photos_bucket"),
    ("topic encryption", lambda t: _without(t, "AWS::SNS::Topic", ["KmsMasterKeyId"]), "check_topic_and_sms"),
    ("DLQ", lambda t: _without(t, "AWS::SQS::Queue", ["RedrivePolicy"]), "check_queues"),
    ("key rotation", lambda t: _without(t, "AWS::KMS::Key", ["EnableKeyRotation"]), "check_keys"),
    ("MFA", lambda t: _without(t, "AWS::Cognito::UserPool", ["MfaConfiguration"]), "check_user_pool"),
    ("password symbols",
     lambda t: _without(t, "AWS::Cognito::UserPool", ["Policies", "PasswordPolicy", "RequireSymbols"]),
     "check_user_pool"),
    ("password reset by email", lambda t: _without(t, "AWS::Cognito::UserPool", ["AccountRecoverySetting"]),
     "check_user_pool"),
    ("API throttling", _remove_api_throttling, "check_api"),
    ("log retention", lambda t: _without(t, "AWS::Logs::LogGroup", ["RetentionInDays"]), "check_log_retention"),
    ("alarm actions", lambda t: _without(t, "AWS::CloudWatch::Alarm", ["AlarmActions"]), "check_alarms"),
    ("stream bisect", _remove_stream_bisect, "check_stream_consumer"),
    ("role per function", _share_one_role, "check_least_privilege"),
    ("a setting", _remove_setting, "check_environment"),
    ("the rate-limit key's value kept out of the environment", _rate_limit_key_in_the_environment,
     "check_environment"),
    ("a generated rate-limit key", lambda t: _without(t, "AWS::SecretsManager::Secret", ["GenerateSecretString"]),
     "check_rate_limit_key"),
    ("the rate-limit key read by the API alone", _rate_limit_key_for_every_function, "check_rate_limit_key"),
    ("the push key read by the API and the timers alone", _push_key_for_the_audit_copier, "check_push_key"),
    ("runtime", _remove_runtime, "check_runtime"),
    ("SMS to one other country blocked",
     lambda t: _sms_rules(t, lambda rules: [r for r in rules if r["CountryCode"] != "FR"]), "check_sms_protect"),
    ("SMS to the UK allowed",
     lambda t: _sms_rules(t, lambda rules: [{**r, "ProtectStatus": "BLOCK"} for r in rules]), "check_sms_protect"),
    ("protect configuration as the account default",
     lambda t: _rewrite_sdk_calls(t, "setAccountDefaultProtectConfiguration", "describeProtectConfigurations"),
     "check_sms_protect"),
    ("TLS 1.2 on the domain", lambda t: _without(t, "AWS::ApiGateway::DomainName", ["SecurityPolicy"]),
     "check_custom_domain"),
    ("regional domain", lambda t: _without(t, "AWS::ApiGateway::DomainName", ["EndpointConfiguration"]),
     "check_custom_domain"),
    ("base-path mapping", lambda t: _remove_resources(t, "AWS::ApiGateway::BasePathMapping"), "check_custom_domain"),
    ("mapping at the root", _map_under_a_base_path, "check_custom_domain"),
    ("alias record", lambda t: _remove_resources(t, "AWS::Route53::RecordSet"), "check_custom_domain"),
    ("links on the domain", _placeholder_links, "check_custom_domain"),
    ("force's sender id", _default_sender_id, "check_sms_sender_id"),
    ("unique WAF log group name", _fixed_waf_log_group_name, "check_log_group_names"),
    ("SMS log groups tolerate an existing group",
     lambda t: _rewrite_sdk_calls(t, "ResourceAlreadyExistsException", "NoSuchError"), "check_sms_log_groups"),
    ("SMS log group retention", lambda t: _rewrite_sdk_calls(t, "putRetentionPolicy", "listTagsLogGroup"),
     "check_sms_log_groups"),
    ("timers reserved concurrency", _remove_timers_concurrency, "check_reserved_concurrency"),
    ("timers queue scaling", _remove_timers_scaling, "check_reserved_concurrency"),
    ("audit copier reserved concurrency", _remove_copier_concurrency, "check_reserved_concurrency"),
]
ARGS = {
    "check_audit_bucket": lambda c: (c.audit_retention_days,),
    "check_photos_bucket": lambda c: (c.audit_retention_days,),
    "check_topic_and_sms": lambda c: (c.sms_monthly_spend_limit_usd, c.sms_sender_id),
    "check_api": lambda c: (c.api.rate_limit_per_second, c.api.burst_limit),
    "check_log_retention": lambda c: (c.log_retention_days,),
    "check_sms_log_groups": lambda c: (c.log_retention_days,),
    "check_sms_sender_id": lambda c: (c.sms_sender_id,),
    "check_custom_domain": lambda c: (c.domain_name, c.certificate_arn, c.hosted_zone_id),
    "check_reserved_concurrency": lambda c: (c.reserved_concurrency.timers, c.reserved_concurrency.audit_copier),
}


@pytest.mark.parametrize("what,mutate,check", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_check_fails_when_its_property_is_removed(met, what, mutate, check):
    config, template = met
    run = getattr(checks, check)
    args = ARGS.get(check, lambda c: ())(config)
    run(template, *args)  # passes on the real template...
    with pytest.raises(Exception) as failure:  # ...and fails (AssertionError or CDK's) without it
        run(mutate(copy.deepcopy(template)), *args)
    assert str(failure.value)


def test_cfn_lint_is_clean(met):
    from infra.checks import cfn_lint

    _, template = met
    assert [str(f) for f in cfn_lint(template)] == []


def test_cdk_nag_on_the_sam_expanded_template_has_no_unacknowledged_error(met):
    from infra.checks import expand_sam, nag_expanded

    _, template = met
    expanded = expand_sam(template)
    kinds = {r["Type"] for r in expanded["Resources"].values()}
    # The expansion really produced what Chalice's SAM resources stand for.
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage",
            "AWS::Lambda::EventSourceMapping"} <= kinds
    assert [str(f) for f in nag_expanded(expanded, expanded=True)] == []

    # cdk-nag itself catches a removed property and a missing acknowledgement.
    broken = _without(expanded, "AWS::DynamoDB::Table", ["PointInTimeRecoverySpecification"])
    for resource in checks.resources(broken, "AWS::Lambda::Function").values():
        resource.pop("Metadata", None)
    rules = {f.rule for f in nag_expanded(broken, expanded=True, acknowledgements={}, levels=("error", "warning"))}
    assert "AwsSolutions-DDB3" in rules  # a warning in the AWS Solutions pack
    assert "AwsSolutions-L1" in rules  # an error, no longer acknowledged


def test_two_forces_are_two_independent_stacks(synthesised):
    (met_config, met), (wilts_config, wilts) = synthesised["met"], synthesised["wiltshire"]
    assert met_config.stack_name != wilts_config.stack_name
    for template in (met, wilts):
        text = str(template)
        assert "Fn::ImportValue" not in text, "a stack depends on another stack's exports"
    # Names that must not collide if two forces share an account and region. (SNS SMS delivery
    # logs are named by AWS per account, like the SMS settings: one force per account for those.)
    def physical_names(t):
        return {str(r["Properties"].get(key)) for r in t["Resources"].values()
                for key in ("QueueName", "UserPoolName", "LogGroupName") if r["Properties"].get(key)
                and "DirectPublishToPhoneNumber" not in str(r["Properties"].get(key))}
    assert physical_names(met) and not physical_names(met) & physical_names(wilts)
    assert "DefaultSenderID\":\"MetPolice" in str(met) and "WiltsPol" in str(wilts)
    env = lambda t: t["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]  # noqa: E731
    assert env(met)["ANSWER_TIMEOUT_SECONDS"] == "90" and env(wilts)["ANSWER_TIMEOUT_SECONDS"] == "120"


def test_the_runtime_does_not_follow_the_interpreter_that_builds_it(monkeypatch, tmp_path):
    """Chalice picks the runtime from the Python running it; the template must say 3.11 anyway."""
    import chalice.config

    from infra.synth import synthesise

    monkeypatch.setattr(chalice.config.Config, "lambda_python_version", property(lambda self: "python3.12"))
    path = synthesise("wiltshire", "prod", tmp_path, bundle_dependencies=False)
    checks.check_runtime(json.loads(path.read_text()))


@pytest.mark.parametrize("version", [(3, 12, 1), (3, 10, 14), (4, 0, 0)])
def test_synth_refuses_a_python_other_than_the_lambda_runtime(version):
    from infra.synth import require_lambda_python

    with pytest.raises(RuntimeError, match=r"Python 3\.11.*python3\.11"):
        require_lambda_python(version)
    require_lambda_python((3, 11, 7))


def test_the_error_the_sms_log_group_call_tolerates_is_what_cloudwatch_logs_answers(aws, boto_session):
    """The deploy-time createLogGroup ignores exactly the code CloudWatch Logs gives an existing group."""
    from botocore.exceptions import ClientError

    logs = boto_session.client("logs")
    logs.create_log_group(logGroupName="sns/eu-west-2/123456789012/DirectPublishToPhoneNumber")
    with pytest.raises(ClientError) as again:
        logs.create_log_group(logGroupName="sns/eu-west-2/123456789012/DirectPublishToPhoneNumber")
    from infra.stacks.safe_connection import EXISTING_LOG_GROUP

    assert re.fullmatch(EXISTING_LOG_GROUP, again.value.response["Error"]["Code"])


# ---- federation: a force that signs its staff in with its own identity provider ---------------


@pytest.mark.parametrize("kind", ["saml", "oidc"])
def test_a_force_with_its_own_identity_provider(federated, kind):
    config, template = federated[kind]
    checks.check_federation(template, config.federation, config.domain_name, config.sign_in_domain_prefix)
    checks.check_federation_outputs(template, config.federation)
    # Pool users (break-glass admins, forces' staff before the switch) still need TOTP.
    checks.check_user_pool(template)


@pytest.mark.parametrize("kind", ["saml", "oidc"])
def test_federation_adds_the_provider_and_the_domain_and_changes_nothing_else(synthesised, federated, kind):
    """Everything but the pool, its client, the provider, the domain and their outputs is as in the
    shipped wiltshire stack (the test forces are wiltshire plus a federation object)."""
    _, shipped = synthesised["wiltshire"]
    _, template = federated[kind]
    cognito = {"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient"}
    added = {k: v["Type"] for k, v in template["Resources"].items() if k not in shipped["Resources"]}
    assert sorted(added.values()) == ["AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolIdentityProvider"]
    changed = sorted(k for k, v in shipped["Resources"].items() if template["Resources"].get(k) != v)
    assert {shipped["Resources"][k]["Type"] for k in changed} <= cognito, f"federation changed {changed}"
    assert set(shipped["Outputs"]) < set(template["Outputs"])


@pytest.mark.parametrize("kind", ["saml", "oidc"])
def test_the_federated_template_passes_cfn_lint_and_cdk_nag_expanded(federated, kind):
    from infra.checks import cfn_lint, expand_sam, nag_expanded

    _, template = federated[kind]
    assert [str(f) for f in cfn_lint(template)] == []
    assert [str(f) for f in nag_expanded(expand_sam(template), expanded=True)] == []


def _provider(t):
    return next(iter(checks.resources(t, "AWS::Cognito::UserPoolIdentityProvider").values()))["Properties"]


def _client(t):
    return next(iter(checks.resources(t, "AWS::Cognito::UserPoolClient").values()))


def _map(t, **mapping):
    _provider(t)["AttributeMapping"].update(mapping)
    return t


def _rename_mapping(t, old, new):
    mapping = _provider(t)["AttributeMapping"]
    mapping[new] = mapping.pop(old)
    return t


def _set_client(t, key, value):
    _client(t)["Properties"][key] = value
    return t


def _link_attribute_immutable(t):
    for pool in checks.resources(t, "AWS::Cognito::UserPool").values():
        for attribute in pool["Properties"]["Schema"]:
            if attribute["Name"] == "idp_officer_id":
                attribute["Mutable"] = False
    return t


def _no_client_dependency(t):
    _client(t).pop("DependsOn")
    return t


def _provider_details(t, **details):
    _provider(t)["ProviderDetails"].update(details)
    return t


def _remove_output(t, name):
    t["Outputs"].pop(name)
    return t


# (what is removed, which federated template, how, the check that must then fail)
FEDERATION_MUTATIONS = [
    ("the provider", "saml", lambda t: _remove_resources(t, "AWS::Cognito::UserPoolIdentityProvider"),
     "check_federation"),
    ("no mapping to custom:force", "saml", lambda t: _map(t, **{"custom:force": "http://schemas/force"}),
     "check_federation"),
    ("no mapping to groups", "saml",
     lambda t: _map(t, **{"cognito:groups": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"}),
     "check_federation"),
    ("no mapping to the immutable custom:officer_id", "saml",
     lambda t: _rename_mapping(t, "custom:idp_officer_id", "custom:officer_id"), "check_federation"),
    ("the warrant-number mapping", "oidc", lambda t: _rename_mapping(t, "custom:idp_officer_id", "nickname"),
     "check_federation"),
    ("a mutable link attribute", "saml", _link_attribute_immutable, "check_federation"),
    ("the link attribute writable by Cognito", "saml", lambda t: _set_client(t, "WriteAttributes", ["email"]),
     "check_federation"),
    ("the force's provider only", "saml",
     lambda t: _set_client(t, "SupportedIdentityProviders", ["COGNITO", "WiltsEntra"]), "check_federation"),
    ("authorization code only", "oidc", lambda t: _set_client(t, "AllowedOAuthFlows", ["implicit", "code"]),
     "check_federation"),
    ("openid scope only", "saml",
     lambda t: _set_client(t, "AllowedOAuthScopes", ["openid", "aws.cognito.signin.user.admin"]), "check_federation"),
    ("callbacks on the force's domain", "saml", lambda t: _set_client(t, "CallbackURLs", ["https://example.com"]),
     "check_federation"),
    ("sign-out URLs on the force's domain", "oidc", lambda t: _set_client(t, "LogoutURLs", []), "check_federation"),
    ("the client created after its provider", "saml", _no_client_dependency, "check_federation"),
    ("the pool's Cognito domain", "oidc", lambda t: _remove_resources(t, "AWS::Cognito::UserPoolDomain"),
     "check_federation"),
    ("SP-initiated sign-in only", "saml", lambda t: _provider_details(t, IDPInit=True), "check_federation"),
    ("the client secret by reference", "oidc", lambda t: _provider_details(t, client_secret="s3cr3t"),
     "check_federation"),
    ("the SAML reply URL output", "saml", lambda t: _remove_output(t, "SamlReplyUrl"), "check_federation_outputs"),
    ("the OIDC redirect URI output", "oidc", lambda t: _remove_output(t, "OidcRedirectUri"),
     "check_federation_outputs"),
]
FEDERATION_ARGS = {
    "check_federation": lambda c: (c.federation, c.domain_name, c.sign_in_domain_prefix),
    "check_federation_outputs": lambda c: (c.federation,),
}


@pytest.mark.parametrize("what,kind,mutate,check", FEDERATION_MUTATIONS, ids=[m[0] for m in FEDERATION_MUTATIONS])
def test_each_federation_check_fails_when_its_property_is_removed(federated, what, kind, mutate, check):
    config, template = federated[kind]
    run = getattr(checks, check)
    args = FEDERATION_ARGS[check](config)
    run(template, *args)
    with pytest.raises(AssertionError) as failure:
        run(mutate(copy.deepcopy(template)), *args)
    assert str(failure.value)


def test_the_no_federation_check_fails_on_a_template_with_a_provider(met, federated):
    _, template = met
    _, with_provider = federated["saml"]
    checks.check_no_federation(template)
    broken = copy.deepcopy(template)
    broken["Resources"].update({k: v for k, v in with_provider["Resources"].items()
                                if v["Type"] == "AWS::Cognito::UserPoolIdentityProvider"})
    with pytest.raises(AssertionError, match="UserPoolIdentityProvider without a federation"):
        checks.check_no_federation(broken)
