"""Property-based (issue 7): random sequences of actions by random people, with time passing, on
the real routes and handlers. Whatever happens, a verification only moves along SPEC §3's legal
transitions, nobody acts beyond their role, and its audit chain reaches S3 whole: every event,
numbered from 1 with no gap, hashes chained."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from chalicelib.domain.audit import verify_chain
from chalicelib.domain.verification import LEGAL_TRANSITIONS, TERMINAL_STATES

OWNER = "MP4721"
AVAILABLE_SERGEANTS = {"MP2001", "MP2002"}
# The owner, another officer, two available sergeants, an off-duty one, another force's sergeant,
# an admin and an auditor.
PEOPLE = [OWNER, "MP5102", "MP2001", "MP2002", "MP2004", "WP3001", "MP0001", "MP0002"]
# The control room of each force (SPEC §7.3), added to the registry by the fixture.
CONTROL_ROOM = {"MP7001": "met", "WP7001": "wiltshire"}
TERMINAL = {s.value for s in TERMINAL_STATES}
LEGAL = {s.value: {t.value for t in targets} for s, targets in LEGAL_TRANSITIONS.items()}
START = {"location": {"lat": 51.539, "lon": -0.1426}, "area": "Camden High St"}


@pytest.fixture
def settings_for_properties(settings):
    # Many checks by one officer in a short (fake) time: lift the hourly start limit only.
    return settings.model_copy(update={"max_starts_per_hour": 1000})


@pytest.fixture
def stack(aws, settings_for_properties, clock, tokens, boto_session):
    from chalicelib.domain.registry import OfficerStatus, RegistryRecord, Role
    from tests.conftest import IDENTITY
    from tests.support.stack import build_stack

    built = build_stack(settings_for_properties, clock, tokens, boto_session, identity=IDENTITY)
    for officer_id, force in CONTROL_ROOM.items():
        built.deps.registry.put(RegistryRecord(force=force, officer_id=officer_id, given_name="Tariq",
                                               family_name="Osei", rank="PC", status=OfficerStatus.SERVING,
                                               role=Role.CONTROL_ROOM))
    yield built
    built.close()


def machine_for(stack):
    class OneVerification(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            status, body = stack.call("POST", "/verifications", OWNER, START)
            assert status == 201, body
            self.vid = body["verification_id"]
            self.day = body["created_at"][:10]
            self.status = "awaiting_sergeant"
            self.sergeant: str | None = None

        def _observe(self) -> str:
            status, body = stack.call("GET", f"/verifications/{self.vid}", "MP0001")
            assert status == 200
            self.sergeant = (body["sergeant"] or {}).get("officer_id")
            return body["status"]

        def _moved(self, before: str, code: int) -> str:
            after = self._observe()
            assert after == before or after in LEGAL[before], (before, after)
            if code >= 400:
                assert after == before, "a refused action changed the verification"
            self.status = after
            return after

        @rule(actor=st.sampled_from(PEOPLE))
        def accept(self, actor: str) -> None:
            before, winner = self.status, self.sergeant
            code, body = stack.call("POST", f"/verifications/{self.vid}/accept", actor, {})
            may = actor in AVAILABLE_SERGEANTS and (
                before == "awaiting_sergeant" or (before == "connected" and winner == actor)
            )
            assert (code == 200) == may, (actor, before, code, body)
            after = self._moved(before, code)
            if code == 200:
                assert after == "connected" and self.sergeant == actor

        @rule(actor=st.sampled_from(PEOPLE), outcome=st.sampled_from(["confirmed", "not_confirmed"]))
        def decide(self, actor: str, outcome: str) -> None:
            before, winner = self.status, self.sergeant
            code, body = stack.call("POST", f"/verifications/{self.vid}/outcome", actor, {"outcome": outcome})
            assert (code == 200) == (before == "connected" and actor == winner), (actor, before, code, body)
            after = self._moved(before, code)
            if code == 200:
                assert after == outcome

        @rule(actor=st.sampled_from([*CONTROL_ROOM, "MP2001", OWNER]),
              outcome=st.sampled_from(["confirmed", "not_confirmed"]))
        def radio(self, actor: str, outcome: str) -> None:
            before = self.status
            path, body = f"/verifications/{self.vid}/radio-confirmation", {"outcome": outcome}
            if actor in CONTROL_ROOM:
                header = stack.tokens.header("control_room", CONTROL_ROOM[actor], actor)
                code, answer = stack.call("POST", path, body=body, headers=header)
            else:
                code, answer = stack.call("POST", path, actor, body)
            may = CONTROL_ROOM.get(actor) == "met" and before in ("awaiting_sergeant", "connected")
            assert (code == 200) == may, (actor, before, code, answer)
            after = self._moved(before, code)
            if code == 200:
                assert after == outcome and answer["method"] == "radio"

        @rule(actor=st.sampled_from(PEOPLE))
        def cancel(self, actor: str) -> None:
            before = self.status
            code, body = stack.call("POST", f"/verifications/{self.vid}/cancel", actor, {})
            assert (code == 200) == (actor == OWNER and before not in TERMINAL), (actor, before, code, body)
            after = self._moved(before, code)
            if code == 200:
                assert after == "cancelled"

        @rule(seconds=st.sampled_from([5, 25, 95, 650]))
        def time_passes(self, seconds: int) -> None:
            before = self.status
            stack.advance(seconds)
            self._moved(before, 200)

        def _audit_in_s3(self) -> list[dict]:
            # No GET here: reading a verification is itself audited (verification.viewed).
            s3 = stack.session.client("s3")
            prefix = f"audit/force=met/date={self.day}/{self.vid}/"
            listed = s3.list_objects_v2(Bucket=stack.settings.audit_bucket, Prefix=prefix).get("Contents", [])
            return [json.loads(s3.get_object(Bucket=stack.settings.audit_bucket, Key=o["Key"])["Body"].read())
                    for o in listed]

        def _audit_in_dynamodb(self) -> int:
            return stack.session.client("dynamodb").query(
                TableName=stack.settings.verifications_table, Select="COUNT",
                KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
                ExpressionAttributeValues={":pk": {"S": f"V#{self.vid}"}, ":events": {"S": "EVENT#"}},
            )["Count"]

        @invariant()
        def a_known_state(self) -> None:
            assert self.status in LEGAL

        def teardown(self) -> None:
            if self.status not in TERMINAL:  # free the officer for the next example
                assert stack.call("POST", f"/verifications/{self.vid}/cancel", OWNER, {})[0] == 200
            stack.pump_audit()
            in_s3, stored = self._audit_in_s3(), self._audit_in_dynamodb()
            assert len(in_s3) == stored > 0, "an audit event did not reach S3"
            assert verify_chain(in_s3) == []
            final = self._observe()
            types = [e["type"] for e in sorted(in_s3, key=lambda e: e["seq"])]
            assert types[0] == "verification.requested"
            assert f"verification.{final}" in types or final == "awaiting_sergeant", (final, types)

    return OneVerification


def test_random_actions_keep_every_verification_legal_and_its_audit_whole(stack):
    run_state_machine_as_test(machine_for(stack), settings=settings(
        max_examples=10, stateful_step_count=6, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck),
    ))
