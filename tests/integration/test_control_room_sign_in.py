"""The seeded control-room users (SPEC §7.3): one per force, each with a phone, each signing in to
Cognito as the pages do, with an ID token that names the role, and admitted by the registry gate."""

from __future__ import annotations

import jwt

from chalicelib.adapters.dynamodb.registry import DynamoRegistry
from chalicelib.adapters.identity import principal_from_claims
from chalicelib.domain.registry import Role
from chalicelib.local import resources, seed
from chalicelib.local.sign_in import sign_in
from chalicelib.services.registry_gate import RegistryCache, admit


def test_every_seeded_person_has_a_phone_and_each_force_one_control_room():
    for force in ("met", "wiltshire"):
        people = [p for p in seed.DEMO_PEOPLE if p.force == force]
        assert [p.officer_id for p in people if p.role is Role.CONTROL_ROOM] == (
            ["MP0003"] if force == "met" else ["WP0103"])
    assert all(p.phone and p.phone.startswith("+447700900") for p in seed.DEMO_PEOPLE)
    assert len({p.phone for p in seed.DEMO_PEOPLE}) == len(seed.DEMO_PEOPLE)


def test_a_seeded_control_room_user_signs_in_and_passes_the_registry_gate(aws, boto_session, settings, clock):
    cognito, dynamodb, s3 = (boto_session.client(s) for s in ("cognito-idp", "dynamodb", "s3"))
    resources.create_tables(dynamodb, settings)
    resources.create_buckets(s3, settings)
    pool_id, client_id = seed.create_user_pool(cognito)
    users = {u["username"]: u for u in seed.seed_users(cognito, pool_id, client_id)}
    registry = DynamoRegistry(dynamodb, settings.registry_table)
    seed.seed_registry(registry, s3, settings.photos_bucket, upload_photos=False)

    for username, force in (("mp0003", "met"), ("wp0103", "wiltshire")):
        user = users[username]
        assert (user["role"], user["force"], user["status"]) == ("control_room", force, "serving")
        assert user["phone"]
        tokens = sign_in(cognito, client_id, username, user["password"], user["totp_secret"])
        claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
        principal = principal_from_claims(claims)
        assert (principal.role, principal.force) == (Role.CONTROL_ROOM, force)

        class Deps:  # only what the gate reads
            registry_cache = RegistryCache(registry, clock, 60)

        record = admit(Deps(), principal, "GET /control/board")  # type: ignore[arg-type]
        assert record.role is Role.CONTROL_ROOM and record.is_serving
