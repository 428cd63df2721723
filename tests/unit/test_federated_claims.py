"""Federated sign-ins (infra/README.md, "Signing in with the force's own identity provider").

Cognito issues the token of the user the registry import linked the sign-in to: its group, its
custom:force and custom:officer_id. The provider writes only custom:idp_officer_id (the link key)
and email, which give nothing: a sign-in that is not linked to a registry user has no role at all.
"""

from __future__ import annotations

from chalicelib.adapters.identity import principal_from_claims
from chalicelib.domain.access import Principal
from chalicelib.domain.registry import Role

IDENTITIES = [{"userId": "mp472100@met.police.uk", "providerName": "MetEntra", "providerType": "SAML",
               "issuer": "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/", "primary": "false",
               "dateCreated": "1764547200000"}]


def test_a_linked_sign_in_is_the_registry_users_own():
    claims = {
        "sub": "5f0e-native-sub", "cognito:username": "MP472100", "identities": IDENTITIES,
        "cognito:groups": ["sergeant"], "custom:force": "met", "custom:officer_id": "MP472100",
        # What the provider asserted: never the officer id the app uses, even when it differs.
        "custom:idp_officer_id": "MP999999", "email": "mp472100@met.police.uk",
    }
    assert principal_from_claims(claims) == Principal(
        subject="5f0e-native-sub", role=Role.SERGEANT, force="met", officer_id="MP472100")


def test_a_federated_profile_not_linked_to_a_registry_user_has_no_role():
    """The profile Cognito creates for a provider user nobody linked: mapped attributes only."""
    claims = {
        "sub": "9a1b-federated-sub", "cognito:username": "MetEntra_mp472100@met.police.uk",
        "identities": IDENTITIES, "custom:idp_officer_id": "MP472100", "email": "mp472100@met.police.uk",
    }
    principal = principal_from_claims(claims)
    assert principal.role is None
    assert (principal.force, principal.officer_id) == ("", "")
