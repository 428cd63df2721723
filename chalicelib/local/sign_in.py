"""How a Python client signs in to the local pool: password, then a code from the TOTP secret.

The pool requires MFA (software tokens only), like the deployed one, so `USER_PASSWORD_AUTH`
answers with the `SOFTWARE_TOKEN_MFA` challenge and the client answers with an RFC 6238 code from
the user's `totp_secret` (`.local/stack.json`). `make run` enrols its demo users with `enrol_totp`.
Both take a boto3 `cognito-idp` client pointed at the pool's endpoint.
"""

from __future__ import annotations

from typing import Any

from .totp import fresh_code

DEVICE_NAME = "Safe Connection local stack"


def enrol_totp(cognito: Any, client_id: str, username: str, password: str) -> str:
    """Sign in once and enrol the user in TOTP MFA (a real code verifies it); returns the base32 secret."""
    started = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    if started.get("ChallengeName") == "MFA_SETUP":
        # What Cognito asks of a user not yet enrolled in a pool that requires MFA.
        association = cognito.associate_software_token(Session=started["Session"])
        secret: str = association["SecretCode"]
        verified = cognito.verify_software_token(
            Session=association["Session"], UserCode=fresh_code(secret), FriendlyDeviceName=DEVICE_NAME
        )
        tokens = cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
            ChallengeResponses={"USERNAME": username},
        )["AuthenticationResult"]
    elif "AuthenticationResult" in started:
        # moto signs a confirmed user in without asking for MFA set-up: enrol with the access token.
        tokens = started["AuthenticationResult"]
        secret = cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
        status = cognito.verify_software_token(
            AccessToken=tokens["AccessToken"], UserCode=fresh_code(secret), FriendlyDeviceName=DEVICE_NAME
        )["Status"]
        if status != "SUCCESS":
            raise RuntimeError(f"{username}: VerifySoftwareToken answered {status}")
    else:
        raise RuntimeError(f"{username}: cannot enrol from the {started.get('ChallengeName')} step")
    cognito.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def sign_in(cognito: Any, client_id: str, username: str, password: str, totp_secret: str | None) -> dict[str, Any]:
    """`USER_PASSWORD_AUTH`, answering `SOFTWARE_TOKEN_MFA` with a code; Cognito's AuthenticationResult."""
    started = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    if "AuthenticationResult" in started:
        result: dict[str, Any] = started["AuthenticationResult"]
        return result
    challenge = started.get("ChallengeName")
    if challenge != "SOFTWARE_TOKEN_MFA" or not totp_secret:
        raise RuntimeError(f"{username}: sign-in stopped at {challenge} (enrolled in TOTP: {bool(totp_secret)})")
    answered = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=started["Session"],
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": fresh_code(totp_secret)},
    )
    answered_result: dict[str, Any] = answered["AuthenticationResult"]
    return answered_result
