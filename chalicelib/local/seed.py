"""Demo forces, officers and sign-ins for the local stack (SPEC §6).

Two forces, each with serving officers, three available sergeants, one off-duty sergeant, one
suspended officer, an admin, an auditor and a control-room operator (SPEC §7.3). Everyone has a
phone, in Ofcom's drama range (07700 900000-900999, never a real phone).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..adapters.dynamodb.registry import DynamoRegistry
from ..adapters.s3_audit import S3PhotoStore
from ..domain.passwords import PASSWORD_POLICY
from ..domain.registry import Duty, OfficerStatus, RegistryRecord, Role
from .photos import silhouette_png
from .sign_in import enrol_totp

DEMO_PASSWORD = "Demo-Passw0rd!"  # noqa: S105 - the published password of the local demo's fake accounts
POOL_NAME = "safe-connection-local"


@dataclass(frozen=True)
class DemoPerson:
    force: str
    officer_id: str
    rank: str
    given_name: str
    family_name: str
    role: Role
    status: OfficerStatus = OfficerStatus.SERVING
    duty: Duty | None = None
    phone: str | None = None

    @property
    def username(self) -> str:
        return self.officer_id.lower()

    @property
    def email(self) -> str:
        # Where the pool would send a password-reset code (.example is reserved: never delivered).
        return f"{self.username}@{self.force}.police.example"


# number, rank, given name, family name, role, status, duty
PersonRow = tuple[str, str, str, str, Role, OfficerStatus, Duty | None]


def _force(force: str, prefix: str, phone_block: int, people: list[PersonRow]) -> list[DemoPerson]:
    result = []
    for index, (number, rank, given, family, role, status, duty) in enumerate(people, start=1):
        result.append(
            DemoPerson(
                force=force,
                officer_id=f"{prefix}{number}",
                rank=rank,
                given_name=given,
                family_name=family,
                role=role,
                status=status,
                duty=duty,
                phone=f"+447700900{phone_block * 100 + index:03d}",
            )
        )
    return result


S, SU = OfficerStatus.SERVING, OfficerStatus.SUSPENDED
AV, OFF = Duty.AVAILABLE, Duty.OFF_DUTY

DEMO_PEOPLE: list[DemoPerson] = [
    *_force(
        "met",
        "MP",
        0,
        [
            ("4721", "PC", "Sam", "Jones", Role.OFFICER, S, None),
            ("5102", "DC", "Priya", "Shah", Role.OFFICER, S, None),
            ("3390", "PC", "Tom", "Reid", Role.OFFICER, SU, None),
            ("2001", "PS", "Aisha", "Patel", Role.SERGEANT, S, AV),
            ("2002", "PS", "Daniel", "Okafor", Role.SERGEANT, S, AV),
            ("2003", "PS", "Claire", "Hughes", Role.SERGEANT, S, AV),
            ("2004", "PS", "Mark", "Evans", Role.SERGEANT, S, OFF),
            ("0001", "Insp", "Helen", "Brooks", Role.ADMIN, S, None),
            ("0002", "Insp", "Graham", "Lowe", Role.AUDITOR, S, None),
            ("0003", "PC", "Tariq", "Osei", Role.CONTROL_ROOM, S, None),
        ],
    ),
    *_force(
        "wiltshire",
        "WP",
        1,
        [
            ("1187", "PC", "Rhys", "Morgan", Role.OFFICER, S, None),
            ("1450", "DC", "Emma", "Clarke", Role.OFFICER, S, None),
            ("1999", "PC", "Lee", "Barnes", Role.OFFICER, SU, None),
            ("3001", "PS", "Nia", "Williams", Role.SERGEANT, S, AV),
            ("3002", "PS", "Owen", "Price", Role.SERGEANT, S, AV),
            ("3003", "PS", "Grace", "Turner", Role.SERGEANT, S, AV),
            ("3004", "PS", "Ben", "Collins", Role.SERGEANT, S, OFF),
            ("0101", "Insp", "Ruth", "Ellis", Role.ADMIN, S, None),
            ("0102", "Insp", "Paul", "Harris", Role.AUDITOR, S, None),
            ("0103", "PC", "Megan", "Hale", Role.CONTROL_ROOM, S, None),
        ],
    ),
]


def seed_registry(registry: DynamoRegistry, s3: Any, photos_bucket: str, upload_photos: bool = True) -> None:
    """Registry records for every demo person, each with a generated photo in S3."""
    store = S3PhotoStore(s3, photos_bucket)
    records = []
    for person in DEMO_PEOPLE:
        photo_key = f"photos/{person.force}/{person.officer_id}.png"
        version = sha256 = None
        if upload_photos:
            # Pinned as the import pins them: the record names the version and hash a sergeant is shown.
            body = silhouette_png(person.officer_id)
            sha256 = hashlib.sha256(body).hexdigest()
            version = store.put(photo_key, body, "image/png", sha256)
        records.append(
            RegistryRecord(
                force=person.force,
                officer_id=person.officer_id,
                given_name=person.given_name,
                family_name=person.family_name,
                rank=person.rank,
                status=person.status,
                role=person.role,
                phone=person.phone,
                photo=photo_key,
                duty=person.duty,
                photo_version_id=version,
                photo_sha256=sha256,
            )
        )
    registry.put_many(records)


def create_user_pool(cognito: Any) -> tuple[str, str]:
    """A Cognito pool like each force's deployed one (infra/stacks/safe_connection.py `_user_pool`):
    MFA required with software tokens only, the same password policy, immutable `custom:force` and
    `custom:officer_id`, no self sign-up, reset codes by verified email; groups per role and a
    public app client."""
    pool_id = cognito.create_user_pool(
        PoolName=POOL_NAME,
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        Schema=[
            {"Name": "force", "AttributeDataType": "String", "Mutable": False,
             "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "32"}},
            {"Name": "officer_id", "AttributeDataType": "String", "Mutable": False,
             "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "32"}},
        ],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="safe-connection-web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    for role in Role:
        cognito.create_group(UserPoolId=pool_id, GroupName=role.value)
    return pool_id, client_id


def seed_users(cognito: Any, pool_id: str, client_id: str) -> list[dict[str, Any]]:
    """Every demo person as a Cognito user with the demo password, already enrolled in TOTP MFA
    (so the walk-through stays short): each entry carries its base32 `totp_secret` (SPEC §6)."""
    users = []
    for person in DEMO_PEOPLE:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=person.username,
            UserAttributes=[
                {"Name": "custom:force", "Value": person.force},
                {"Name": "custom:officer_id", "Value": person.officer_id},
                {"Name": "email", "Value": person.email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=person.username, Password=DEMO_PASSWORD, Permanent=True
        )
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=person.username, GroupName=person.role.value)
        secret = enrol_totp(cognito, client_id, person.username, DEMO_PASSWORD)
        users.append(
            {
                "username": person.username,
                "password": DEMO_PASSWORD,
                "totp_secret": secret,
                "role": person.role.value,
                "force": person.force,
                "officer_id": person.officer_id,
                "rank": person.rank,
                "name": f"{person.given_name} {person.family_name}",
                "status": person.status.value,
                "duty": person.duty.value if person.duty else None,
                "phone": person.phone,
                "email": person.email,
            }
        )
    return users
