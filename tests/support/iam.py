"""Each Lambda function's AWS calls, run under its real role from the synthesised template.

moto grants every call by default, so a green test says nothing about IAM. Here:
- the policies come from the CDK template (`deployed_template()`), never from a copy written by hand;
- each function's role is created in moto IAM with exactly those documents, assumed through STS,
  and the shared boto3 session signs with that role's credentials while the function runs
  (`CallerIdentity.running_as`), and with an unrestricted harness user otherwise (test set-up and
  inspection);
- moto's IAM enforcement is switched on, and taught what real IAM authorises that moto does not
  model (`install_resource_authorisation`): the table, stream, topic, key or secret a call names
  (moto checks DynamoDB, SNS, KMS and Secrets Manager calls against "*"), the per-item actions of a
  DynamoDB transaction, and the KMS key behind an encrypted SNS topic;
- every permitted (role, action, resource) is recorded, so a test can list grants no call used.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.credentials import CredentialProvider, Credentials, ReadOnlyCredentials

ACCOUNT = "123456789012"
# The app's own functions (Chalice's SAM logical ids) and what invokes each.
APP_FUNCTIONS = ("APIHandler", "RunTimers", "CopyAuditEventsToS3", "ReconcileAuditOutbox", "WriteDailyAuditDigests",
                 "EraseExpiredPersonalData")
LAMBDA_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_CDK_HASH = re.compile(r"[0-9A-F]{8}$")
_HARNESS_KEYS = ReadOnlyCredentials("testing", "testing", None)


def construct_id(logical_id: str) -> str:
    """CDK logical ids are the construct id plus an 8-hex hash: `VerificationsTableAF850B0A`."""
    return _CDK_HASH.sub("", logical_id)


# ---- the template: which documents each function's role carries ----------------------------

def function_policy_documents(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Function logical id -> the (unresolved) policy documents of its execution role.

    Inline `Policies` on the role and every `AWS::IAM::Policy` attached to it count; a managed
    policy would be invisible to these tests, so none is allowed.
    """
    resources = template["Resources"]
    documents: dict[str, list[dict[str, Any]]] = {}
    for name, resource in resources.items():
        if resource["Type"] not in LAMBDA_TYPES:
            continue
        role_id = resource["Properties"]["Role"]["Fn::GetAtt"][0]
        role = resources[role_id]["Properties"]
        if role.get("ManagedPolicyArns"):
            raise AssertionError(f"{name}: managed policies on {role_id} are not checked here")
        docs = [p["PolicyDocument"] for p in role.get("Policies", [])]
        docs += [
            r["Properties"]["PolicyDocument"]
            for r in resources.values()
            if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
        ]
        documents[name] = docs
    return documents


class TemplateResolver:
    """Turns the template's intrinsic functions into the ARNs of the resources the test made.

    `physical` maps construct ids to attributes (`Arn`, `StreamArn`, `Ref`); log groups and roles
    the tests never touch get ARNs of the right shape, and anything else unknown fails loudly.
    """

    def __init__(self, template: dict[str, Any], physical: dict[str, dict[str, str]],
                 region: str = "eu-west-2", account: str = ACCOUNT) -> None:
        self._resources = template["Resources"]
        self._physical = physical
        self._pseudo = {
            "AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account,
            "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "SafeConnection-test",
        }
        self._region, self._account = region, account

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, value), = node.items()
            if key == "Ref":
                return self._pseudo[value] if value in self._pseudo else self._attribute(value, "Ref")
            if key == "Fn::GetAtt":
                return self._attribute(value[0], value[1])
            if key == "Fn::Join":
                return value[0].join(str(self.resolve(part)) for part in value[1])
            if key == "Fn::Select":
                return self.resolve(value[1])[int(value[0])]
            if key == "Fn::Split":
                return str(self.resolve(value[1])).split(value[0])
            if key == "Fn::Sub":
                return self._sub(value)
            if key.startswith("Fn::"):
                raise AssertionError(f"intrinsic {key} is not resolved by the IAM tests")
        return {key: self.resolve(value) for key, value in node.items()}

    def _sub(self, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if name in self._pseudo:
                return self._pseudo[name]
            logical, _, attribute = name.partition(".")
            return self._attribute(logical, attribute or "Ref")

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _attribute(self, logical_id: str, attribute: str) -> str:
        cid = construct_id(logical_id)
        for known in (self._physical, self._shaped):
            if attribute in known.get(cid, {}):
                return known[cid][attribute]
        kind = self._resources.get(logical_id, {}).get("Type")
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            return f"arn:aws:logs:{self._region}:{self._account}:log-group:{cid}:*"
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:aws:iam::{self._account}:role/{cid}"
        raise AssertionError(f"the IAM tests have no physical resource for {logical_id}.{attribute}")

    @functools.cached_property
    def _shaped(self) -> dict[str, dict[str, str]]:
        """Resources the test did not make (nothing calls them) still get ARNs of the right shape."""
        return shaped_physical_resources({"Resources": self._resources}, self._region, self._account)


def shaped_physical_resources(template: dict[str, Any], region: str = "eu-west-2",
                              account: str = ACCOUNT) -> dict[str, dict[str, str]]:
    """ARNs of the right shape for every resource of the template (for offline policy checks)."""
    physical: dict[str, dict[str, str]] = {}
    for logical_id, resource in template["Resources"].items():
        cid, kind = construct_id(logical_id), resource["Type"]
        if kind == "AWS::DynamoDB::Table":
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{cid}"
            physical[cid] = {"Ref": cid, "Arn": arn, "StreamArn": f"{arn}/stream/2026-01-01T00:00:00.000"}
        elif kind == "AWS::S3::Bucket":
            physical[cid] = {"Ref": cid.lower(), "Arn": f"arn:aws:s3:::{cid.lower()}"}
        elif kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region}:{account}:{cid}"
            physical[cid] = {"Ref": arn, "TopicArn": arn}
        elif kind == "AWS::KMS::Key":
            physical[cid] = {"Ref": cid, "Arn": f"arn:aws:kms:{region}:{account}:key/{cid}"}
        elif kind == "AWS::SQS::Queue":
            physical[cid] = {"Ref": f"https://sqs.{region}.amazonaws.com/{account}/{cid}", "QueueName": cid,
                             "Arn": f"arn:aws:sqs:{region}:{account}:{cid}"}
        elif kind == "AWS::Cognito::UserPool":
            physical[cid] = {
                "Ref": f"{region}_{cid}",
                "Arn": f"arn:aws:cognito-idp:{region}:{account}:userpool/{region}_{cid}",
            }
        elif kind in LAMBDA_TYPES:
            physical[cid] = {"Ref": cid, "Arn": f"arn:aws:lambda:{region}:{account}:function:{cid}"}
        elif kind in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            physical[cid] = {"Ref": cid, "RootResourceId": "root"}
        elif kind == "AWS::SecretsManager::Secret":
            # A secret's Ref is its ARN, which ends in six random characters Secrets Manager adds.
            physical[cid] = {"Ref": f"arn:aws:secretsmanager:{region}:{account}:secret:{cid}-AbCdEf"}
        elif kind == "AWS::SMSVOICE::ProtectConfiguration":
            arn = f"arn:aws:sms-voice:{region}:{account}:protect-configuration/{cid}"
            physical[cid] = {"Ref": cid, "Arn": arn, "ProtectConfigurationId": cid}
    return physical


def resource_may_match(granted: str, arn_format: str) -> bool:
    """Could a resource the policy grants (`*` = anything) be one IAM checks in this ARN format?

    In the format, each `${Variable}` stands for one ARN part (no `:`), except the last, which may
    hold anything (stream labels and object keys do); both patterns are matched at once.
    """
    any_, part = object(), object()
    left = [any_ if ch == "*" else ch for ch in granted]
    right: list[Any] = []
    for piece in re.split(r"(\$\{[^}]*\})", arn_format):
        right += [part] if piece.startswith("${") else list(piece)
    if right and right[-1] is part:
        right[-1] = any_

    @functools.cache
    def match(i: int, j: int) -> bool:
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        if a is None and b is None:
            return True
        if a is any_:
            return match(i + 1, j) or (b is not None and match(i, j + 1))
        if b is any_:
            return match(i, j + 1) or (a is not None and match(i + 1, j))
        if a is part:
            return match(i + 1, j) or (b is not None and b != ":" and match(i, j + 1))
        if b is part:
            return match(i, j + 1) or (a is not None and a != ":" and match(i + 1, j))
        return a is not None and a == b and match(i + 1, j + 1)

    return match(0, 0)


def physical_resources(client: Callable[[str], Any], settings: Any, queues: dict[str, str],
                       account: str = ACCOUNT) -> dict[str, dict[str, str]]:
    """The template's constructs (by construct id) -> the moto resources standing in for them.

    `settings` names the tables, buckets, topic, keys, user pool and rate-limit key secret; `queues`
    maps queue constructs to queue names (created if missing). Like the deployed topic, the alerts
    topic gets a KMS key of its own.
    """
    region = settings.region
    dynamodb, sqs, sns = client("dynamodb"), client("sqs"), client("sns")

    def table(name: str) -> dict[str, str]:
        described = dynamodb.describe_table(TableName=name)["Table"]
        found = {"Ref": name, "Arn": described["TableArn"]}
        if described.get("LatestStreamArn"):
            found["StreamArn"] = described["LatestStreamArn"]
        return found

    def bucket(name: str) -> dict[str, str]:
        return {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}

    def queue(name: str) -> dict[str, str]:
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        return {"Ref": url, "QueueName": name, "Arn": f"arn:aws:sqs:{region}:{account}:{name}"}

    def key(arn: str) -> dict[str, str]:
        return {"Ref": arn.rsplit("/", 1)[-1], "Arn": arn}

    def user_pool(pool_id: str) -> dict[str, str]:
        pool = client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]
        return {"Ref": pool_id, "Arn": pool["Arn"]}

    alerts_key = client("kms").create_key(Description="alerts topic")["KeyMetadata"]["Arn"]
    sns.set_topic_attributes(TopicArn=settings.alerts_topic_arn, AttributeName="KmsMasterKeyId",
                             AttributeValue=alerts_key)
    return {
        "VerificationsTable": table(settings.verifications_table),
        "RegistryTable": table(settings.registry_table),
        "IdempotencyTable": table(settings.idempotency_table),
        "AuditBucket": bucket(settings.audit_bucket),
        "PhotosBucket": bucket(settings.photos_bucket),
        "AlertsTopic": {"Ref": settings.alerts_topic_arn, "TopicArn": settings.alerts_topic_arn},
        "AlertsKey": key(alerts_key),
        "AuditDataKey": key(settings.audit_data_key_id),
        "AuditSigningKey": key(settings.audit_signing_key_id),
        **({"UserPool": user_pool(settings.user_pool_id)} if getattr(settings, "user_pool_id", "") else {}),
        **({"RateLimitKey": {"Ref": settings.rate_limit_key_secret_arn}}
           if getattr(settings, "rate_limit_key_secret_arn", "") else {}),
        **({"PushKey": {"Ref": settings.push_key_secret_arn}}
           if getattr(settings, "push_key_secret_arn", "") else {}),
        **{construct: queue(name) for construct, name in queues.items()},
    }


# ---- moto IAM: roles, the harness user, and whose credentials sign ---------------------------

_LAMBDA_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


def create_harness_user(iam: Any) -> ReadOnlyCredentials:
    """The identity of the test itself (set-up and inspection): allowed everything."""
    iam.create_user(UserName="test-harness")
    iam.put_user_policy(
        UserName="test-harness", PolicyName="everything",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    key = iam.create_access_key(UserName="test-harness")["AccessKey"]
    return ReadOnlyCredentials(key["AccessKeyId"], key["SecretAccessKey"], None)


def create_function_roles(
    iam: Any, sts: Any, documents: dict[str, list[dict[str, Any]]]
) -> dict[str, ReadOnlyCredentials]:
    """One moto role per function carrying exactly its (resolved) documents; returns session keys."""
    credentials = {}
    for function, docs in documents.items():
        role_arn = iam.create_role(RoleName=function, AssumeRolePolicyDocument=_LAMBDA_TRUST)["Role"]["Arn"]
        for index, doc in enumerate(docs):
            iam.put_role_policy(RoleName=function, PolicyName=f"policy-{index}", PolicyDocument=json.dumps(doc))
        issued = sts.assume_role(RoleArn=role_arn, RoleSessionName=function)["Credentials"]
        credentials[function] = ReadOnlyCredentials(
            issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]
        )
    return credentials


def roles_from_template(template: dict[str, Any], physical: dict[str, dict[str, str]], iam_client: Any,
                        sts_client: Any, region: str = "eu-west-2") -> dict[str, ReadOnlyCredentials]:
    """Every function's role of `template`, made in moto with its documents resolved to `physical`."""
    resolver = TemplateResolver(template, physical, region)
    documents = {fn: resolver.resolve(docs) for fn, docs in function_policy_documents(template).items()}
    return create_function_roles(iam_client, sts_client, documents)


class CallerIdentity:
    """Who the shared session signs as: the function now running (per thread), else the harness."""

    def __init__(self) -> None:
        self._running: contextvars.ContextVar[str | None] = contextvars.ContextVar("running_function", default=None)
        self._harness = _HARNESS_KEYS
        self._roles: dict[str, ReadOnlyCredentials] = {}

    def use(self, harness: ReadOnlyCredentials, roles: dict[str, ReadOnlyCredentials]) -> None:
        self._harness, self._roles = harness, dict(roles)

    def reset(self) -> None:
        self._harness, self._roles = _HARNESS_KEYS, {}

    @property
    def enforced(self) -> bool:
        return bool(self._roles)

    @property
    def running(self) -> str | None:
        """The function whose role signs this thread's calls now, if any."""
        return self._running.get()

    @contextlib.contextmanager
    def running_as(self, function: str) -> Iterator[None]:
        if self._roles and function not in self._roles:
            raise AssertionError(f"no role for function {function!r}")
        token = self._running.set(function)
        try:
            yield
        finally:
            self._running.reset(token)

    def frozen(self) -> ReadOnlyCredentials:
        function = self._running.get()
        if function is not None and function in self._roles:
            return self._roles[function]
        return self._harness


class _SwitchingCredentials(Credentials):
    """botocore asks for frozen credentials on every signature: answer for whoever is running."""

    def __init__(self, identity: CallerIdentity) -> None:
        self._identity = identity
        super().__init__("testing", "testing")

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        return self._identity.frozen()

    @property  # type: ignore[override]
    def access_key(self) -> str:
        return self._identity.frozen().access_key

    @access_key.setter
    def access_key(self, value: str) -> None:
        pass  # the base class assigns it in __init__

    @property  # type: ignore[override]
    def secret_key(self) -> str:
        return self._identity.frozen().secret_key

    @secret_key.setter
    def secret_key(self, value: str) -> None:
        pass

    @property  # type: ignore[override]
    def token(self) -> str | None:
        return self._identity.frozen().token

    @token.setter
    def token(self, value: str | None) -> None:
        pass


class _IdentityProvider(CredentialProvider):
    METHOD = "safe-connection-test-identity"

    def __init__(self, identity: CallerIdentity) -> None:
        super().__init__()
        self._credentials = _SwitchingCredentials(identity)

    def load(self) -> Credentials:
        return self._credentials


def session_with_identity(identity: CallerIdentity, region: str) -> Any:
    """A boto3 Session whose every client signs as `identity` says."""
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    core.get_component("credential_provider").insert_before("env", _IdentityProvider(identity))
    return boto3.session.Session(botocore_session=core, region_name=region)


# ---- teaching moto what real IAM authorises -----------------------------------------------

@dataclass
class UsageRecorder:
    """Every (role, action, resource) that moto permitted while enforcement was on."""

    calls: set[tuple[str, str, str]] = field(default_factory=set)
    # What the test was doing when each (role, action) was used, for the grants report.
    steps: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    step: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, role: str, action: str, resource: str) -> None:
        with self._lock:
            self.calls.add((role, action, resource))
            self.steps.setdefault((role, action), set()).add(self.step)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self.steps.clear()

    def for_role(self, role: str) -> set[tuple[str, str]]:
        with self._lock:
            return {(action, resource) for r, action, resource in self.calls if r == role}


USAGE = UsageRecorder()
_installed = False


@functools.lru_cache(maxsize=1)
def unsigned_operations() -> frozenset[str]:
    """X-Amz-Target of every Cognito user-pool operation AWS takes unsigned (botocore's model says
    `authtype: none`): a browser or phone answers sign-in challenges with no AWS credentials.
    moto's own list stops at InitiateAuth and ForgotPassword, so under enforcement it failed
    RespondToAuthChallenge (the MFA code), VerifySoftwareToken and ConfirmForgotPassword."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("cognito-idp")
    prefix = model.metadata["targetPrefix"]
    return frozenset(f"{prefix}.{name}" for name in model.operation_names
                     if model.operation_model(name).auth_type == "none")


def install_resource_authorisation() -> None:
    """Replace moto's per-request IAM check with one that names real resources (once per process).

    Same judge (moto's IAMRequest and policy evaluation); only the questions asked are IAM's own.
    """
    global _installed
    if _installed:
        return
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    def authorise(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
            ActionAuthenticatorMixin.request_count += 1
            return
        target = self.headers.get("X-Amz-Target")
        if target in ActionAuthenticatorMixin.PUBLIC_OPERATIONS or target in unsigned_operations():
            return
        from urllib.parse import urlparse

        path = self.raw_path + (f"?{urlparse(self.uri).query}" if urlparse(self.uri).query else "")
        request = iam_request_cls(
            account_id=self.current_account, method=self.method, path=path, data=self.data,
            body=self.raw_body, headers=self.headers, action=self._get_action(),
        )
        request.check_signature()
        role = getattr(request._access_key, "_owner_role_name", None) or "harness"
        for action, named in authorisation_questions(self, request._action, resource):
            request._action = action
            request.check_action_permitted(named)
            USAGE.record(role, action, named)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorise  # type: ignore[method-assign]
    _installed = True


def authorisation_questions(handler: Any, action: str, resource: str) -> list[tuple[str, str]]:
    """The (action, resource) pairs real IAM checks for one request."""
    service = action.split(":", 1)[0]
    region = handler.region
    account = handler.current_account
    if service == "dynamodb":
        return _dynamodb_questions(action, _json_body(handler), region, account)
    if service == "kms":
        return [(action, _kms_key_arn(_json_body(handler), region, account))]
    if service == "sns":
        return _sns_questions(handler, action, region, account)
    if service == "cognito-idp":
        # moto asks about "*"; IAM asks about the user pool the call names.
        pool = _json_body(handler).get("UserPoolId")
        return [(action, f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}" if pool else resource)]
    if service == "secretsmanager":
        # moto asks about "*"; IAM asks about the secret the call names (by name or ARN).
        return [(action, _secret_arn(_json_body(handler).get("SecretId"), region, account) or resource)]
    if service == "logs":
        group = _json_body(handler).get("logGroupName")
        return [(action, f"arn:aws:logs:{region}:{account}:log-group:{group}" if group else resource)]
    if service == "sqs" and resource == "*":
        # moto names only existing queues; IAM names the queue the URL points at, gone or not.
        url = handler._get_param("QueueUrl")
        if url:
            owner, name = url.rstrip("/").split("/")[-2:]
            return [(action, f"arn:aws:sqs:{region}:{owner}:{name}")]
    return [(action, resource)]


def _json_body(handler: Any) -> dict[str, Any]:
    body = handler.body
    if isinstance(body, dict):  # moto has parsed it already for some services
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body or "{}")


_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _dynamodb_questions(action: str, body: dict[str, Any], region: str, account: str) -> list[tuple[str, str]]:
    def table(name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"

    operation = action.split(":", 1)[1]
    # There is no IAM action for a transaction: each item is authorised as its own write or read.
    if operation == "TransactWriteItems":
        return [
            (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", table(spec["TableName"]))
            for item in body["TransactItems"] for kind, spec in item.items()
        ]
    if operation == "TransactGetItems":
        return [("dynamodb:GetItem", table(item["Get"]["TableName"])) for item in body["TransactItems"]]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [(action, table(name)) for name in body["RequestItems"]]
    if "StreamArn" in body:
        return [(action, body["StreamArn"])]
    if "ShardIterator" in body:  # moto's iterators start with their stream's ARN
        return [(action, body["ShardIterator"].split("|", 1)[0])]
    if "TableName" in body:
        arn = table(body["TableName"])
        return [(action, f"{arn}/index/{body['IndexName']}" if body.get("IndexName") else arn)]
    return [(action, "*")]


def _kms_key_arn(body: dict[str, Any], region: str, account: str) -> str:
    from moto.kms.models import kms_backends
    from moto.kms.utils import _deserialize_ciphertext_blob

    backend = kms_backends[account][region]
    key_id = body.get("KeyId")
    if key_id is None and "CiphertextBlob" in body:  # Decrypt finds its key in the blob
        key_id = _deserialize_ciphertext_blob(base64.b64decode(body["CiphertextBlob"])).key_id
    if key_id is None:
        return "*"
    return backend.describe_key(key_id).arn


def _secret_arn(secret_id: str | None, region: str, account: str) -> str | None:
    """The full ARN (with its random suffix) of the secret a name or an ARN names, if it exists."""
    from moto.secretsmanager.models import secretsmanager_backends

    if not secret_id:
        return None
    secret = secretsmanager_backends[account][region].secrets.get(secret_id)
    return secret.arn if secret is not None else None


def _sns_questions(handler: Any, action: str, region: str, account: str) -> list[tuple[str, str]]:
    topic = handler._get_param("TopicArn") or handler._get_param("TargetArn")
    if topic is None:
        return [(action, "*")]  # an SMS to a phone number has no resource
    questions = [(action, topic)]
    if action == "sns:Publish":
        # Publishing to an encrypted topic needs the publisher's own rights on the topic's key.
        from moto.sns.models import sns_backends

        topics = sns_backends[account][region].topics
        key_id = topics[topic].kms_master_key_id if topic in topics else None  # a missing topic fails anyway
        if key_id:
            arn = _kms_key_arn({"KeyId": key_id}, region, account)
            questions += [("kms:GenerateDataKey", arn), ("kms:Decrypt", arn)]
    return questions


@contextlib.contextmanager
def iam_enforced() -> Iterator[None]:
    """moto checks every call against the caller's policies while this is open."""
    from moto.core.authorization import enable_iam_authentication

    install_resource_authorisation()
    with enable_iam_authentication():
        yield
