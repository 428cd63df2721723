"""One check per property issue 6 asks of the stack, each taking a synthesised template (dict).

Written as functions so the tests can run each on the real template *and* on a copy with the
property removed, proving the check can fail. aws_cdk.assertions raises with a readable message.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from chalicelib.settings import Settings

Json = dict[str, Any]
FUNCTIONS = ("APIHandler", "RunTimers", "CopyAuditEventsToS3", "ReconcileAuditOutbox", "WriteDailyAuditDigests",
             "EraseExpiredPersonalData")


def resources(template: Json, kind: str) -> dict[str, Json]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _assert(template: Json) -> Template:
    return Template.from_json(template, skip_cyclical_dependencies_check=True)


def check_tables(template: Json) -> None:
    """Three tables, each on demand, point-in-time recovery, encrypted; keys as the local stack."""
    tables = resources(template, "AWS::DynamoDB::Table")
    assert len(tables) == 3, f"expected 3 tables, found {len(tables)}"
    for name, table in tables.items():
        props = table["Properties"]
        assert props.get("BillingMode") == "PAY_PER_REQUEST", f"{name}: not on-demand"
        pitr = props.get("PointInTimeRecoverySpecification", {})
        assert pitr.get("PointInTimeRecoveryEnabled") is True, f"{name}: point-in-time recovery is off"
        assert props.get("SSESpecification", {}).get("SSEEnabled") is True, f"{name}: not KMS-encrypted"
        assert table.get("DeletionPolicy") == "Retain", f"{name}: would be deleted with the stack"
    t = _assert(template)
    t.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
        "GlobalSecondaryIndexes": [
            Match.object_like({"IndexName": "by_force_status"}),
            # The audit events not yet in S3: the reconciler's backlog (keys + S3 key only).
            Match.object_like({"IndexName": "audit_awaiting_copy", "KeySchema": [
                {"AttributeName": "awaiting_copy", "KeyType": "HASH"},
                {"AttributeName": "recorded_at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["audit_key"]}}),
        ],
    })
    t.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "force", "KeyType": "HASH"},
                      {"AttributeName": "officer_id", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [Match.object_like({"IndexName": "available_sergeants"})],
    })
    t.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
    })


def _bucket_with_object_lock(template: Json) -> tuple[str, Json]:
    locked = {k: v for k, v in resources(template, "AWS::S3::Bucket").items()
              if v["Properties"].get("ObjectLockEnabled")}
    assert len(locked) == 1, "expected exactly one Object Lock bucket (the audit bucket)"
    return next(iter(locked.items()))


def check_audit_bucket(template: Json, retention_days: int) -> None:
    """Object Lock COMPLIANCE default retention, versioning, Block Public Access, access logs, TLS only."""
    name, bucket = _bucket_with_object_lock(template)
    props = bucket["Properties"]
    rule = props.get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention", {})
    assert rule == {"Mode": "COMPLIANCE", "Days": retention_days}, f"audit retention is {rule}"
    assert props.get("VersioningConfiguration", {}).get("Status") == "Enabled", "audit bucket not versioned"
    assert props.get("PublicAccessBlockConfiguration") == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
    }, "audit bucket does not block public access"
    logging = props.get("LoggingConfiguration", {})
    assert logging.get("DestinationBucketName"), "audit bucket has no access logging"
    check_tls_only(template, "AWS::S3::BucketPolicy", "Bucket", name)


def check_photos_bucket(template: Json, retention_days: int) -> None:
    """Issue 13, finding 3: the registry photos bucket is versioned, and a replaced photo (a noncurrent
    version) is kept as long as the audit bucket's Object Lock retention, the same setting."""
    name = template["Outputs"]["PhotosBucketName"]["Value"]["Ref"]
    props = template["Resources"][name]["Properties"]
    assert props.get("VersioningConfiguration", {}).get("Status") == "Enabled", "photos bucket not versioned"
    rules = props.get("LifecycleConfiguration", {}).get("Rules", [])
    kept = [r["NoncurrentVersionExpiration"]["NoncurrentDays"] for r in rules
            if r.get("Status") == "Enabled" and "NoncurrentVersionExpiration" in r]
    assert kept and min(kept) >= retention_days, f"replaced photos kept {kept} days, audit log {retention_days}"
    _, audit = _bucket_with_object_lock(template)
    locked = audit["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Days"]
    assert min(kept) >= locked, f"replaced photos kept {kept} days, audit objects locked {locked}"
    for rule in rules:  # nothing else may remove a photo version earlier
        assert "ExpirationInDays" not in rule and "ExpirationDate" not in rule, f"photos expire: {rule}"


def check_tls_only(template: Json, policy_type: str, target_key: str, logical_id: str) -> None:
    """A resource policy on `logical_id` denies every request made without TLS."""
    for policy in resources(template, policy_type).values():
        props = policy["Properties"]
        targets = props[target_key] if isinstance(props[target_key], list) else [props[target_key]]
        if {"Ref": logical_id} not in targets:
            continue
        for statement in props["PolicyDocument"]["Statement"]:
            if (statement["Effect"] == "Deny"
                    and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"):
                return
    raise AssertionError(f"{logical_id}: no policy denies requests without TLS")


def check_topic_and_sms(template: Json, spend_limit: int, sender_id: str) -> None:
    """Alerts topic is KMS-encrypted and TLS-only; SMS settings: Transactional, limit, delivery logs."""
    topics = resources(template, "AWS::SNS::Topic")
    assert len(topics) == 1, "expected one SNS topic (control-room alerts)"
    topic_id, topic = next(iter(topics.items()))
    assert topic["Properties"].get("KmsMasterKeyId"), "alerts topic not encrypted"
    check_tls_only(template, "AWS::SNS::TopicPolicy", "Topics", topic_id)
    calls = [
        r for r in resources(template, "Custom::AWS").values() if sdk_call(r, "Create")["action"] == "setSMSAttributes"
    ]
    assert len(calls) == 1, "no SMS settings call"
    create = "".join(str(part) for part in _flatten(calls[0]["Properties"]["Create"]))
    for expected in ('"DefaultSMSType":"Transactional"', f'"MonthlySpendLimit":"{spend_limit}"',
                     f'"DefaultSenderID":"{sender_id}"', '"DeliveryStatusIAMRole":',
                     '"DeliveryStatusSuccessSamplingRate":"100"'):
        assert expected in create, f"SMS settings lack {expected}"


def _flatten(value: Any) -> list[Any]:
    """Fn::Join parts of a CDK-rendered JSON string, in order."""
    if isinstance(value, dict) and "Fn::Join" in value:
        return [p for part in value["Fn::Join"][1] for p in _flatten(part)]
    return [value]


def _token_text(part: Any) -> str:
    """A CloudFormation token inside a rendered SDK call, as ${Ref} / ${Resource.Attribute} text."""
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and "Ref" in part:
        return "${" + part["Ref"] + "}"
    if isinstance(part, dict) and "Fn::GetAtt" in part:
        return "${" + ".".join(part["Fn::GetAtt"]) + "}"
    return "${" + json.dumps(part).replace('"', "'") + "}"


def sdk_call(resource: Json, event: str) -> Json:
    """An AwsCustomResource's call for `event` ("Create", "Update", "Delete"), tokens as ${...} text."""
    rendered = resource["Properties"].get(event)
    if rendered is None:
        return {"action": None}
    return json.loads("".join(_token_text(part) for part in _flatten(rendered)))


def sdk_calls(template: Json, action: str, event: str = "Create") -> list[Json]:
    """Every deploy-time SDK call named `action` made on `event`."""
    calls = [sdk_call(r, event) for r in resources(template, "Custom::AWS").values()]
    return [call for call in calls if call["action"] == action]


def check_log_group_names(template: Json) -> None:
    """A named log group carries the stack's own id: one left behind (retained) by a failed first
    deploy cannot make the next deploy fail with "already exists". WAF's must start aws-waf-logs-."""
    named = {k: v["Properties"]["LogGroupName"] for k, v in resources(template, "AWS::Logs::LogGroup").items()
             if "LogGroupName" in v["Properties"]}
    assert named, "expected the WAF log group to be named"
    for name, value in named.items():
        assert "AWS::StackId" in json.dumps(value), f"{name}: fixed name {value}, not unique to this stack"
        assert "DirectPublishToPhoneNumber" not in json.dumps(value), f"{name}: SNS's own name as a plain log group"
    waf = [value for value in named.values() if "aws-waf-logs-" in json.dumps(value)]
    assert waf and all(_flatten(value)[0].startswith("aws-waf-logs-") for value in waf), \
        "the WAF log group's name must start with aws-waf-logs-"


SMS_LOG_GROUPS = ("DirectPublishToPhoneNumber", "DirectPublishToPhoneNumber/Failure")


def check_sms_log_groups(template: Json, days: int) -> None:
    """SNS names its SMS delivery-status groups itself (sns/<region>/<account>/...): they are created
    at deploy time by a call that tolerates an existing group, then given their retention."""
    for suffix in SMS_LOG_GROUPS:
        def named(call: Json, suffix: str = suffix) -> bool:
            name = call["parameters"]["logGroupName"]
            return name.startswith("sns/") and name.endswith("/" + suffix) and "${AWS::AccountId}" in name
        created = [c for c in sdk_calls(template, "createLogGroup") if named(c)]
        assert len(created) == 1, f"no deploy-time createLogGroup for sns/.../{suffix}"
        assert "ResourceAlreadyExistsException" in created[0].get("ignoreErrorCodesMatching", ""), \
            f"sns/.../{suffix}: an existing group (left by a failed deploy) would fail the deploy"
        for event in ("Create", "Update"):
            retention = [c for c in sdk_calls(template, "putRetentionPolicy", event) if named(c)]
            assert [c["parameters"].get("retentionInDays") for c in retention] == [days], \
                f"sns/.../{suffix}: retention is not set to {days} days on {event}"


def check_queues(template: Json) -> None:
    """Every queue is encrypted and TLS-only; the timers queue has a dead-letter queue."""
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == 3, f"expected timers, its DLQ and the stream failure queue, found {len(queues)}"
    for name, queue in queues.items():
        assert queue["Properties"].get("SqsManagedSseEnabled") is True, f"{name}: not encrypted"
        check_tls_only(template, "AWS::SQS::QueuePolicy", "Queues", name)
    with_dlq = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert len(with_dlq) == 1 and with_dlq[0]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5, \
        "timers queue has no dead-letter queue"


def check_keys(template: Json) -> None:
    """An RSA signing key for digests; symmetric keys (data keys, alerts) rotate yearly."""
    keys = resources(template, "AWS::KMS::Key")
    signing = [k for k in keys.values() if k["Properties"].get("KeyUsage") == "SIGN_VERIFY"]
    assert len(signing) == 1 and signing[0]["Properties"]["KeySpec"] == "RSA_2048", "no RSA signing key"
    symmetric = [k for k in keys.values() if "KeySpec" not in k["Properties"]]
    assert len(symmetric) == 2, "expected the audit data key and the alerts key"
    assert all(k["Properties"].get("EnableKeyRotation") is True for k in symmetric), "a data key does not rotate"
    assert all(k.get("DeletionPolicy") == "Retain" for k in keys.values()), "a key would be deleted with the stack"


def check_user_pool(template: Json) -> None:
    """Groups officer/sergeant/admin/auditor, custom:force and custom:officer_id (immutable), MFA
    required (software tokens only), reset codes by verified email, and the password policy the
    local pool and the staff pages use (chalicelib/domain/passwords.py)."""
    from chalicelib.domain.passwords import PASSWORD_POLICY

    t = _assert(template)
    t.has_resource_properties("AWS::Cognito::UserPool", {
        "MfaConfiguration": "ON",
        "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "Schema": Match.array_with([
            Match.object_like({"Name": "force", "Mutable": False}),
            Match.object_like({"Name": "officer_id", "Mutable": False}),
        ]),
    })
    for name, pool in resources(template, "AWS::Cognito::UserPool").items():
        policy = pool["Properties"].get("Policies", {}).get("PasswordPolicy")
        assert policy == PASSWORD_POLICY, f"{name}: password policy {policy} is not the local pool's {PASSWORD_POLICY}"
    groups = sorted(g["Properties"]["GroupName"] for g in resources(template, "AWS::Cognito::UserPoolGroup").values())
    assert groups == ["admin", "auditor", "control_room", "officer", "sergeant"], f"groups are {groups}"


def check_api(template: Json, rate: int, burst: int) -> None:
    """API Gateway stage throttled, with JSON access logs and error logging; WAF attached."""
    api = template["Resources"]["RestAPI"]["Properties"]
    settings = api.get("MethodSettings", [{}])[0]
    assert (settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")) == (rate, burst), \
        "API throttling not set"
    assert settings.get("DataTraceEnabled") is False, "API would log request bodies"
    assert api.get("AccessLogSetting", {}).get("DestinationArn"), "API has no access logs"
    t = _assert(template)
    t.has_resource_properties("AWS::WAFv2::WebACL", {
        "Scope": "REGIONAL",
        "Rules": Match.array_with([Match.object_like({
            "Name": "PublicRoutesRateLimit",
            "Action": {"Block": {}},
            "Statement": {"RateBasedStatement": Match.object_like({
                "AggregateKeyType": "IP",
                "ScopeDownStatement": {"OrStatement": {"Statements": Match.array_with([
                    Match.object_like({"ByteMatchStatement": Match.object_like({"SearchString": "/public/"})}),
                ])}},
            })},
        })]),
    })
    t.has_resource_properties("AWS::WAFv2::WebACLAssociation", {
        "ResourceArn": {"Fn::Sub": Match.string_like_regexp(r"restapis/\$\{RestAPI\}/stages/\$\{RestAPI\.Stage\}")},
    })


def check_log_retention(template: Json, days: int) -> None:
    """Every log group has a retention period; every function logs to its own such group."""
    groups = resources(template, "AWS::Logs::LogGroup")
    assert groups, "no log groups"
    for name, group in groups.items():
        assert group["Properties"].get("RetentionInDays") == days, f"{name}: retention is not {days} days"
    for function in FUNCTIONS:
        target = template["Resources"][function]["Properties"].get("LoggingConfig", {}).get("LogGroup", {})
        assert target.get("Ref") in groups, f"{function}: logs to a group without retention"


def check_alarms(template: Json) -> None:
    """Alarms for API 5xx, stream consumer errors and iterator age, DLQ depth, SMS failures -> topic."""
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    topic = next(iter(resources(template, "AWS::SNS::Topic")))
    metrics = set()
    for alarm in alarms:
        props = alarm["Properties"]
        assert props.get("AlarmActions") == [{"Ref": topic}], f"alarm {props['MetricName']} notifies nobody"
        dims = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
        subject = dims.get("FunctionName") or dims.get("PhoneNumber") or dims.get("QueueName") or ""
        metrics.add((props["Namespace"], props["MetricName"], str(subject)))
    expected = {
        ("AWS/ApiGateway", "5XXError", ""),
        ("AWS/Lambda", "Errors", "{'Ref': 'CopyAuditEventsToS3'}"),
        ("AWS/Lambda", "IteratorAge", "{'Ref': 'CopyAuditEventsToS3'}"),
        ("AWS/SNS", "NumberOfNotificationsFailed", "PhoneNumberDirect"),
    }
    missing = expected - metrics
    assert not missing, f"missing alarms: {sorted(missing)}"
    dlq_alarms = [m for m in metrics if m[1] == "ApproximateNumberOfMessagesVisible"]
    assert len(dlq_alarms) == 2, "expected depth alarms on both dead-letter queues"


def check_outputs(template: Json) -> None:
    outputs = template.get("Outputs", {})
    for name in ("ApiUrl", "UserPoolId", "UserPoolClientId", "AuditBucketName",
                 "PhotosBucketName", "RegistryTableName", "VerificationsTableName"):
        assert name in outputs, f"output {name} missing"


def check_stream_consumer(template: Json) -> None:
    """Bisect on error, bounded retries and record age, on-failure destination, the real stream."""
    events = template["Resources"]["CopyAuditEventsToS3"]["Properties"]["Events"]
    props = next(iter(events.values()))["Properties"]
    assert props.get("BisectBatchOnFunctionError") is True, "no bisect on error"
    assert 0 <= props.get("MaximumRetryAttempts", -1) <= 10_000, "retries unbounded"
    assert 60 <= props.get("MaximumRecordAgeInSeconds", -1) <= 86_400, "record age unbounded"
    destination = props.get("DestinationConfig", {}).get("OnFailure", {})
    assert destination.get("Type") == "SQS" and destination.get("Destination"), "no on-failure destination"
    assert "Fn::GetAtt" in props["Stream"] and props["Stream"]["Fn::GetAtt"][1] == "StreamArn", \
        "consumer is not on the verifications table's stream"


def check_least_privilege(template: Json) -> None:
    """No AWS managed policies; one role per function; wildcard statements only where acknowledged."""
    for name, role in resources(template, "AWS::IAM::Role").items():
        assert not role["Properties"].get("ManagedPolicyArns"), f"{name} uses AWS managed policies"
    roles = {str(template["Resources"][f]["Properties"]["Role"]) for f in FUNCTIONS}
    assert len(roles) == len(FUNCTIONS), "functions share a role"
    for name, policy in resources(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), f"{name}: wildcard action {actions}"


# Settings a deployed function must never carry: RATE_LIMIT_KEY is the HMAC key's value itself
# (local runs and tests); in AWS the API reads the secret RATE_LIMIT_KEY_SECRET_ARN names.
NEVER_IN_THE_ENVIRONMENT = {"RATE_LIMIT_KEY", "PUSH_KEY"}


def check_environment(template: Json) -> None:
    """Every variable chalicelib/settings.py reads is set on every function (no secret's value)."""
    wanted = {name.upper() for name in Settings.model_fields} - NEVER_IN_THE_ENVIRONMENT
    for function in FUNCTIONS:
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        missing = wanted - set(variables)
        assert not missing, f"{function}: environment lacks {sorted(missing)}"
        assert variables["CHIME_BACKEND"] == "aws"
        leaked = NEVER_IN_THE_ENVIRONMENT & set(variables)
        assert not leaked, f"{function}: a secret's value in the environment: {sorted(leaked)}"


def check_rate_limit_key(template: Json) -> None:
    """The public rate limits' HMAC key: a generated secret, named (not given) to the functions,
    and readable by the API function alone, on that secret alone (issue 13)."""
    _check_generated_secret(template, "RateLimitKey", "RATE_LIMIT_KEY_SECRET_ARN", ("APIHandler",))


def check_push_key(template: Json) -> None:
    """The Web Push key (issue 17): generated, named to the functions, readable by the two that
    send pushes or give the public key (the API and the timers), on that secret alone."""
    _check_generated_secret(template, "PushKey", "PUSH_KEY_SECRET_ARN", ("APIHandler", "RunTimers"))


def _check_generated_secret(template: Json, prefix: str, variable: str, readers: tuple[str, ...]) -> None:
    secrets = resources(template, "AWS::SecretsManager::Secret")
    keys = {k: v for k, v in secrets.items() if k.startswith(prefix)}
    assert len(keys) == 1, f"expected one {prefix} secret, found {sorted(keys)}"
    (name, secret), = keys.items()
    generated = secret["Properties"].get("GenerateSecretString", {})
    assert generated.get("PasswordLength", 0) >= 32, f"{name}: not a generated key of at least 32 characters"
    assert "SecretString" not in secret["Properties"], f"{name}: the key's value is in the template"
    for function in FUNCTIONS:
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables.get(variable) == {"Ref": name}, f"{function}: {variable}"
    allowed = sorted(({"Ref": template["Resources"][f]["Properties"]["Role"]["Fn::GetAtt"][0]} for f in readers),
                     key=str)
    granted: list[Any] = []
    for policy_name, policy in resources(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if not any(a.startswith("secretsmanager:") for a in actions):
                continue
            assert actions == ["secretsmanager:GetSecretValue"], (policy_name, actions)
            assert statement["Resource"] in [{"Ref": k} for k in secrets], (policy_name, statement["Resource"])
            if statement["Resource"] == {"Ref": name}:
                granted.extend(policy["Properties"]["Roles"])
    assert granted, f"no function may read {name}"
    assert sorted(granted, key=str) == allowed, f"{name}: Secrets Manager granted to {granted}, not {readers}"


def check_runtime(template: Json) -> None:
    """Every function runs Python 3.11 whatever interpreter built the template (Chalice follows it)."""
    functions = resources(template, "AWS::Serverless::Function")
    assert set(FUNCTIONS) <= set(functions), f"functions are {sorted(functions)}"
    for name, function in functions.items():
        runtime = function["Properties"].get("Runtime")
        assert runtime == "python3.11", f"{name}: runtime is {runtime!r}, not python3.11"


def check_reserved_concurrency(template: Json, timers: int, audit_copier: int) -> None:
    """The timers and the audit copier keep their own concurrency, whatever floods the public routes."""
    functions = template["Resources"]
    timers_props = functions["RunTimers"]["Properties"]
    assert timers_props.get("ReservedConcurrentExecutions") == timers, "RunTimers has no reserved concurrency"
    scaling = next(iter(timers_props["Events"].values()))["Properties"].get("ScalingConfig", {})
    # Above its reservation the SQS poller would be throttled, and throttled receives count towards the DLQ.
    assert 2 <= scaling.get("MaximumConcurrency", 0) <= timers, "RunTimers' queue can invoke more than reserved"
    copier = functions["CopyAuditEventsToS3"]["Properties"].get("ReservedConcurrentExecutions")
    assert copier == audit_copier, "CopyAuditEventsToS3 has no reserved concurrency"


def check_sms_sender_id(template: Json, sender_id: str) -> None:
    """The force's sender id is the account default and what every function puts on each SMS."""
    for function in FUNCTIONS:
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables.get("SMS_SENDER_ID") == sender_id, \
            f"{function}: SMS_SENDER_ID is {variables.get('SMS_SENDER_ID')!r}, not {sender_id!r}"
    (settings,) = sdk_calls(template, "setSMSAttributes")
    assert settings["parameters"]["attributes"]["DefaultSenderID"] == sender_id, "account default sender id differs"


def check_custom_domain(template: Json, domain_name: str, certificate_arn: str, hosted_zone_id: str | None) -> None:
    """The force's domain serves the API's `api` stage at its root (SMS links https://<domain>/s/<id>):
    regional, TLS 1.2, the force's ACM certificate, and an alias A record when the zone is given."""
    domains = resources(template, "AWS::ApiGateway::DomainName")
    assert len(domains) == 1, f"expected one custom domain, found {len(domains)}"
    domain_id, domain = next(iter(domains.items()))
    props = domain["Properties"]
    assert props.get("DomainName") == domain_name, f"custom domain is {props.get('DomainName')!r}"
    assert props.get("RegionalCertificateArn") == certificate_arn, "custom domain lacks the force's certificate"
    assert props.get("EndpointConfiguration", {}).get("Types") == ["REGIONAL"], "custom domain is not regional"
    assert props.get("SecurityPolicy") == "TLS_1_2", "custom domain accepts TLS older than 1.2"
    mappings = list(resources(template, "AWS::ApiGateway::BasePathMapping").values())
    assert len(mappings) == 1, "the custom domain is mapped to nothing"
    mapping = mappings[0]["Properties"]
    assert mapping.get("DomainName") == {"Ref": domain_id} and mapping.get("RestApiId") == {"Ref": "RestAPI"}, \
        "the custom domain is not mapped to the Chalice API"
    assert mapping.get("Stage") == {"Fn::Sub": "${RestAPI.Stage}"}, "the mapping does not name the API's stage"
    assert mapping.get("BasePath", "") in ("", "(none)"), "the API is not at the domain's root: SMS links would 404"
    records = list(resources(template, "AWS::Route53::RecordSet").values())
    if hosted_zone_id is None:
        assert not records, "a DNS record without a hosted zone"
    else:
        assert [r["Properties"] for r in records] == [{
            "HostedZoneId": hosted_zone_id, "Name": domain_name, "Type": "A",
            "AliasTarget": {"DNSName": {"Fn::GetAtt": [domain_id, "RegionalDomainName"]},
                            "HostedZoneId": {"Fn::GetAtt": [domain_id, "RegionalHostedZoneId"]}},
        }], "no alias A record for the custom domain"
    for function in FUNCTIONS:
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables["PUBLIC_BASE_URL"] == f"https://{domain_name}", f"{function}: links do not use the domain"


def check_sms_protect(template: Json) -> None:
    """SMS may go to UK numbers only: the account's default protect configuration (the one SNS
    applies) allows GB and blocks every other ISO 3166 country (countries not listed are allowed)."""
    from infra.iso3166 import ALPHA_2

    configs = resources(template, "AWS::SMSVOICE::ProtectConfiguration")
    assert len(configs) == 1, f"expected one SMS protect configuration, found {len(configs)}"
    config_id, config = next(iter(configs.items()))
    rules = {
        r["CountryCode"]: r["ProtectStatus"] for r in config["Properties"].get("CountryRuleSet", {}).get("SMS", [])
    }
    assert rules.get("GB") == "ALLOW", "SMS to UK numbers are not allowed"
    unblocked = sorted(code for code in ALPHA_2 if code != "GB" and rules.get(code) != "BLOCK")
    assert not unblocked, f"SMS to {', '.join(unblocked[:10])}{'...' if len(unblocked) > 10 else ''} are not blocked"
    default = [c for c in sdk_calls(template, "setAccountDefaultProtectConfiguration")
               if c["parameters"].get("ProtectConfigurationId") == "${" + config_id + ".ProtectConfigurationId}"]
    assert len(default) == 1, "the protect configuration is not the account default (SNS would ignore it)"
    assert sdk_calls(template, "setAccountDefaultProtectConfiguration", "Update"), "an update would not reapply it"
    assert sdk_calls(template, "deleteAccountDefaultProtectConfiguration", "Delete"), \
        "deleting the stack would leave a dangling account default"


# ---- federation: the force's own identity provider --------------------------------------------

# The custom attribute the provider's warrant number is mapped to (never custom:officer_id).
FEDERATED_OFFICER_ID = "custom:idp_officer_id"
STAFF_PAGES = ("/o", "/s", "/c")


def _user_pool_and_client(template: Json) -> tuple[str, Json, Json]:
    pools = resources(template, "AWS::Cognito::UserPool")
    clients = list(resources(template, "AWS::Cognito::UserPoolClient").values())
    assert len(pools) == 1 and len(clients) == 1, "expected one user pool and one app client"
    pool_id, pool = next(iter(pools.items()))
    return pool_id, pool, clients[0]


def check_federation(template: Json, federation: Any, domain_name: str, domain_prefix: str) -> None:
    """The force's provider federates the pool; it maps the warrant number (to a mutable attribute,
    to link the sign-in to the registry's user) and the email address, never a group, custom:force
    or custom:officer_id; the app client offers that provider only, by authorization code, back to
    the staff pages on the force's own domain; the pool has its Cognito domain."""
    pool_id, pool, client = _user_pool_and_client(template)
    providers = resources(template, "AWS::Cognito::UserPoolIdentityProvider")
    assert len(providers) == 1, f"expected the force's identity provider, found {len(providers)}"
    provider_id, provider = next(iter(providers.items()))
    props = provider["Properties"]
    assert props.get("ProviderName") == federation.name, f"provider is named {props.get('ProviderName')!r}"
    assert props.get("UserPoolId") == {"Ref": pool_id}, "the provider is not the pool's"
    details = props.get("ProviderDetails", {})
    if federation.kind == "saml":
        assert props.get("ProviderType") == "SAML", "not a SAML provider"
        assert details.get("MetadataURL") == federation.metadata_url, "the provider's metadata URL is not the force's"
        assert details.get("IDPInit") in (False, "false"), "sign-ins started at the provider are accepted"
    else:
        assert props.get("ProviderType") == "OIDC", "not an OIDC provider"
        assert details.get("oidc_issuer") == federation.issuer_url, "the issuer is not the force's"
        assert details.get("client_id") == federation.client_id, "the client id is not the force's"
        assert details.get("client_secret") == (
            f"{{{{resolve:secretsmanager:{federation.client_secret_arn}:SecretString:::}}}}"
        ), "the client secret is not a deploy-time reference to the force's secret"

    mapping = props.get("AttributeMapping", {})
    expected = {FEDERATED_OFFICER_ID: federation.officer_id_claim}
    if federation.email_claim:
        expected["email"] = federation.email_claim
    forbidden = sorted(key for key in mapping if key in ("custom:force", "custom:officer_id") or "group" in key.lower())
    assert not forbidden, f"the provider would write {forbidden}: the force and the role come from the registry only"
    assert mapping == expected, f"the provider maps {mapping}, not only the warrant number and email {expected}"
    schema = {a["Name"]: a for a in pool["Properties"].get("Schema", [])}
    linked = schema.get(FEDERATED_OFFICER_ID.removeprefix("custom:"), {})
    # Cognito rewrites every mapped attribute at every sign-in, and refuses an immutable one.
    assert linked.get("Mutable") is True, f"{FEDERATED_OFFICER_ID} must exist and be mutable (it is mapped)"
    assert schema["officer_id"].get("Mutable") is False and schema["force"].get("Mutable") is False, \
        "custom:force and custom:officer_id must stay immutable"

    c = client["Properties"]
    assert c.get("SupportedIdentityProviders") == [federation.name], \
        f"the client offers {c.get('SupportedIdentityProviders')}, not the force's provider only"
    assert provider_id in client.get("DependsOn", []), "the client could be created before its provider"
    assert c.get("AllowedOAuthFlowsUserPoolClient") is True and c.get("AllowedOAuthFlows") == ["code"], \
        f"OAuth flows are {c.get('AllowedOAuthFlows')}, not the authorization code only"
    assert c.get("AllowedOAuthScopes") == ["openid"], f"OAuth scopes are {c.get('AllowedOAuthScopes')}"
    pages = [f"https://{domain_name}{path}" for path in STAFF_PAGES]
    for key in ("CallbackURLs", "LogoutURLs"):
        assert c.get(key) == pages, f"{key} are {c.get(key)}, not the staff pages on https://{domain_name}"
    written = set(c.get("WriteAttributes", []))
    assert set(mapping) <= written, f"Cognito could not write what it maps: {sorted(set(mapping) - written)}"
    assert not written & {"custom:force", "custom:officer_id"}, "the client may write the force or the number"
    assert c.get("GenerateSecret") is False, "a browser client cannot keep a secret (PKCE instead)"

    domains = list(resources(template, "AWS::Cognito::UserPoolDomain").values())
    assert [d["Properties"] for d in domains] == [{
        "Domain": domain_prefix, "ManagedLoginVersion": 1, "UserPoolId": {"Ref": pool_id},
    }], f"expected the pool's Cognito domain {domain_prefix!r}, found {[d['Properties'] for d in domains]}"


def check_no_federation(template: Json) -> None:
    """Without a federation object the pool is as before: no provider, no domain, no mapped attribute."""
    _, pool, client = _user_pool_and_client(template)
    for kind in ("AWS::Cognito::UserPoolIdentityProvider", "AWS::Cognito::UserPoolDomain"):
        assert not resources(template, kind), f"{kind} without a federation in the force's config"
    names = {a["Name"] for a in pool["Properties"].get("Schema", [])}
    assert FEDERATED_OFFICER_ID.removeprefix("custom:") not in names, "a federation attribute without federation"
    assert client["Properties"].get("SupportedIdentityProviders") == ["COGNITO"], "the client names a provider"


def check_federation_outputs(template: Json, federation: Any) -> None:
    """What the force's provider administrators enter (infra/README.md), and the registry import's link."""
    outputs = template.get("Outputs", {})
    wanted = ["SignInDomain", "IdentityProviderName", "FederatedLinkAttribute"] + (
        ["SamlEntityId", "SamlReplyUrl"] if federation.kind == "saml" else ["OidcRedirectUri"])
    missing = [name for name in wanted if name not in outputs]
    assert not missing, f"outputs {missing} missing"
    assert outputs["FederatedLinkAttribute"]["Value"] == FEDERATED_OFFICER_ID
    text = {name: json.dumps(outputs[name]["Value"]) for name in wanted}
    assert ".amazoncognito.com" in text["SignInDomain"], "the sign-in domain is not the pool's Cognito domain"
    if federation.kind == "saml":
        assert "urn:amazon:cognito:sp:" in text["SamlEntityId"], "the entity id is not Cognito's"
        assert text["SamlReplyUrl"].endswith('/saml2/idpresponse"]]}'), "the reply URL is not Cognito's SAML endpoint"
    else:
        assert text["OidcRedirectUri"].endswith('/oauth2/idpresponse"]]}'), "the redirect URI is not Cognito's"
