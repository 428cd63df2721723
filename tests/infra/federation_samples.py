"""Federation objects as a force would write them in infra/config/<force>.json (Entra ID's names),
shared by the config tests and the synthesised stacks with federation (conftest)."""

from __future__ import annotations

TENANT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
APP_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
ENTRA_METADATA = (f"https://login.microsoftonline.com/{TENANT}/federationmetadata/2007-06/"
                  f"federationmetadata.xml?appid={APP_ID}")
EMPLOYEE_ID = "http://schemas.microsoft.com/identity/claims/employeeid"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
SECRET_ARN = "arn:aws:secretsmanager:eu-west-2:111111111111:secret:safe-connection/entra-AbC123"


def saml(**changes) -> dict:
    return {"type": "saml", "name": "MetEntra", "metadata_url": ENTRA_METADATA,
            "officer_id_claim": EMPLOYEE_ID, "email_claim": EMAIL, **changes}


def oidc(**changes) -> dict:
    return {"type": "oidc", "name": "MetEntraOidc", "issuer_url": f"https://login.microsoftonline.com/{TENANT}/v2.0",
            "client_id": APP_ID, "client_secret_arn": SECRET_ARN, "officer_id_claim": "employeeid", **changes}
