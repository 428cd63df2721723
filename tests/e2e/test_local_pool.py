"""`make run`'s Cognito pool behaves like each force's deployed one (infra/stacks/safe_connection.py):
MFA required with software tokens only, the deployed password policy, immutable claims; its demo
users are enrolled in TOTP and carry their secret in `.local/stack.json` (SPEC §6)."""

from __future__ import annotations

import secrets

import pytest
from botocore.exceptions import ClientError

from chalicelib.domain.passwords import PASSWORD_POLICY
from chalicelib.local import totp
from chalicelib.local.sign_in import sign_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Fresh-Start-2026!"


def _error(call, *args, **kwargs) -> str:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def cognito(live_stack):
    return live_stack.client("cognito-idp")


def _ids(live_stack) -> tuple[str, str]:
    return live_stack.details["cognito"]["user_pool_id"], live_stack.details["cognito"]["client_id"]


def test_the_pool_requires_software_token_mfa_and_the_deployed_password_policy(live_stack, cognito):
    pool_id, _ = _ids(live_stack)
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "ON"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True} and "SmsMfaConfiguration" not in mfa
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"] == PASSWORD_POLICY  # tests/infra holds the deployed pool to it
    schema = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert schema["custom:force"]["Mutable"] is False and schema["custom:officer_id"]["Mutable"] is False
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]


def test_seeded_users_are_enrolled_and_a_wrong_code_is_refused(live_stack, cognito):
    user = live_stack.user("MP4721")
    assert user["totp_secret"] and user["password"]
    _, client_id = _ids(live_stack)
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]})
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in started
    right = totp.fresh_code(user["totp_secret"])
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    answer = {"ClientId": client_id, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": started["Session"]}
    assert _error(cognito.respond_to_auth_challenge, **answer,
                  ChallengeResponses={"USERNAME": user["username"], "SOFTWARE_TOKEN_MFA_CODE": wrong}) \
        == "CodeMismatchException"
    # The same session takes the right code after a wrong one, as Cognito's does.
    tokens = cognito.respond_to_auth_challenge(
        **answer,
        ChallengeResponses={"USERNAME": user["username"],
                            "SOFTWARE_TOKEN_MFA_CODE": totp.fresh_code(user["totp_secret"])},
    )["AuthenticationResult"]
    assert tokens["IdToken"]
    # Every seeded user signs in the same way (the helper the e2e tests and bench/load.py use).
    for other in live_stack.details["users"]:
        assert sign_in(cognito, client_id, other["username"], other["password"], other["totp_secret"])["IdToken"]


def _new_user(live_stack, cognito, force="met") -> tuple[str, str]:
    """A user as an administrator creates one: a temporary password, the group, the claims."""
    pool_id, _ = _ids(live_stack)
    username = f"pool-test-{secrets.token_hex(3)}"
    temporary = f"Temp-{secrets.token_hex(4)}-Aa1!"
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=temporary,
                              MessageAction="SUPPRESS", UserAttributes=[
                                  {"Name": "custom:force", "Value": force},
                                  {"Name": "custom:officer_id", "Value": username.upper()},
                              ])
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="officer")
    return username, temporary


def test_first_sign_in_asks_for_a_password_the_policy_allows_then_mfa_setup(live_stack, cognito):
    _, client_id = _ids(live_stack)
    username, temporary = _new_user(live_stack, cognito)
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": username, "PASSWORD": temporary})
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = {"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": started["Session"]}
    for weak in ("Short-1!", "no-capitals-2026!", "NO-SMALL-2026!", "No-Digits-Here!", "NoSymbols2026ab"):
        assert _error(cognito.respond_to_auth_challenge, **answer,
                      ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": weak}) \
            == "InvalidPasswordException", weak
    setup = cognito.respond_to_auth_challenge(
        **answer, ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": NEW_PASSWORD}
    )
    assert setup["ChallengeName"] == "MFA_SETUP"
    association = cognito.associate_software_token(Session=setup["Session"])
    secret = association["SecretCode"]
    code = totp.fresh_code(secret)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    assert _error(cognito.verify_software_token, Session=association["Session"], UserCode=wrong) \
        == "CodeMismatchException"
    verified = cognito.verify_software_token(Session=association["Session"], UserCode=totp.fresh_code(secret))
    assert verified["Status"] == "SUCCESS"
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": username},
    )["AuthenticationResult"]
    assert tokens["IdToken"]
    # From now on: password, then a code.
    assert sign_in(cognito, client_id, username, NEW_PASSWORD, secret)["IdToken"]


def test_a_user_cannot_rewrite_her_own_force_or_number(live_stack, cognito):
    """Today's bug: with mutable claims (and moto not enforcing immutability) an officer could give
    herself another force with her own access token, and her next ID token carried it."""
    user = live_stack.user("MP5102")
    pool_id, client_id = _ids(live_stack)
    access = sign_in(cognito, client_id, user["username"], user["password"], user["totp_secret"])["AccessToken"]
    for name, value in (("custom:force", "wiltshire"), ("custom:officer_id", "WP0101")):
        assert _error(cognito.update_user_attributes, AccessToken=access,
                      UserAttributes=[{"Name": name, "Value": value}]) == "InvalidParameterException", name
    # Refused as a whole: a mutable attribute in the same request is not written either.
    assert _error(cognito.update_user_attributes, AccessToken=access, UserAttributes=[
        {"Name": "locale", "Value": "cy"}, {"Name": "custom:force", "Value": "wiltshire"},
    ]) == "InvalidParameterException"
    # An administrator cannot move her either (immutable attributes are set once, at creation).
    assert _error(cognito.admin_update_user_attributes, UserPoolId=pool_id, Username=user["username"],
                  UserAttributes=[{"Name": "custom:force", "Value": "wiltshire"}]) == "InvalidParameterException"
    stored = {a["Name"]: a["Value"]
              for a in cognito.admin_get_user(UserPoolId=pool_id, Username=user["username"])["UserAttributes"]}
    assert stored["custom:force"] == "met" and stored["custom:officer_id"] == "MP5102" and "locale" not in stored
    # Mutable attributes are still hers to change.
    cognito.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "locale", "Value": "en-GB"}])
    # And the tokens she gets keep the registry's claims.
    import jwt

    claims = jwt.decode(sign_in(cognito, client_id, user["username"], user["password"], user["totp_secret"])["IdToken"],
                        options={"verify_signature": False})
    assert claims["custom:force"] == "met" and claims["custom:officer_id"] == "MP5102"
