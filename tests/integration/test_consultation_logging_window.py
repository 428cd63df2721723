"""Red team, issue 13 finding 5 (SPEC §7.5): consultation logging without floods.

The officer's page polls every 3 s and the sergeant's every 4 s, and each read used to append a
`verification.viewed` event (and an S3 object): 300 reads by one auditor wrote 303 objects. A
reader's consultation of one verification is now logged at most once per 5 minutes, as a normal
event of the verification's chain; the reads inside the window return current data and write
nothing. The reader's mark is claimed in the event's own transaction, so racing reads log once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from chalicelib import services
from chalicelib.domain.audit import verify_chain
from chalicelib.domain.registry import Role
from tests.integration.escalation_helpers import make_dynamodb_atomic
from tests.integration.helpers import principal

START = {"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 12}, "area": "Camden High St"}
AUDITOR, OFFICER, SERGEANT = "MP0002", "MP4721", "MP2002"


def _start(stack, officer_id: str = OFFICER) -> str:
    status, body = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, body
    return body["verification_id"]


def _audit_chain(stack, verification_id: str) -> list[dict]:
    """The verification's events as the audit bucket holds them (the stream copied to S3)."""
    stack.pump_audit()
    chain = sorted((e for key, e in stack.audit_objects().items()
                    if key.startswith("audit/") and e["verification_id"] == verification_id), key=lambda e: e["seq"])
    assert verify_chain(chain) == [] and [e["seq"] for e in chain] == list(range(1, len(chain) + 1))
    return chain


def _viewed(chain: list[dict]) -> list[tuple[str, str, dict]]:
    return [(e["actor"]["officer_id"], e["at"], e["data"]) for e in chain if e["type"] == "verification.viewed"]


def test_an_auditor_polling_every_3_seconds_is_logged_once_per_5_minutes(stack, clock):
    vid = _start(stack)
    before = len(_audit_chain(stack, vid))
    statuses = []
    for read in range(121):  # every 3 s for 6 minutes: 02:47:00 ... 02:53:00
        if read == 20:  # a minute in, the check is accepted: the next read inside the window shows it
            assert stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})[0] == 200
        status, body = stack.call("GET", f"/verifications/{vid}", AUDITOR)
        assert status == 200, body
        statuses.append(body["status"])
        clock.advance(seconds=3)

    assert statuses[19] == "awaiting_sergeant" and statuses[20] == "connected"
    chain = _audit_chain(stack, vid)
    # Three start events, the accept (accepted + disclosed), and two consultations: at 0 and 5 min.
    assert _viewed(chain) == [(AUDITOR, "2026-11-28T02:47:00.000Z", {"reason": "audit"}),
                              (AUDITOR, "2026-11-28T02:52:00.000Z", {"reason": "audit"})]
    assert len(chain) == before + 2 + 2
    viewed = [e for e in chain if e["type"] == "verification.viewed"]
    for event in viewed:  # a normal event of the chain, linked to the one before it
        assert event["prev_hash"] == chain[event["seq"] - 2]["hash"]
        assert event["actor"] == {"role": "auditor", "officer_id": AUDITOR}


def test_the_officer_and_the_sergeant_polling_together_each_have_their_own_window(stack, clock):
    vid = _start(stack)
    assert stack.call("POST", f"/verifications/{vid}/accept", SERGEANT, {})[0] == 200
    for second in range(0, 241):  # four minutes: the officer's page every 3 s, the sergeant's every 4 s
        if second % 3 == 0:
            assert stack.call("GET", f"/verifications/{vid}", OFFICER)[0] == 200
        if second % 4 == 0:
            assert stack.call("GET", f"/verifications/{vid}", SERGEANT)[0] == 200
        clock.advance(seconds=1)

    assert _viewed(_audit_chain(stack, vid)) == [
        (OFFICER, "2026-11-28T02:47:00.000Z", {"reason": "own_record"}),
        (SERGEANT, "2026-11-28T02:47:00.000Z", {"reason": "operational_supervision"}),
    ]


def test_a_sergeant_polling_the_list_logs_each_listed_check_once_per_5_minutes(stack, clock):
    first, second = _start(stack, "MP4721"), _start(stack, "MP5102")
    for _ in range(30):  # every 4 s for two minutes
        status, listed = stack.call("GET", "/verifications?status=awaiting_sergeant", SERGEANT)
        assert status == 200 and {i["verification_id"] for i in listed["items"]} == {first, second}
        clock.advance(seconds=4)
    # Opening one of them inside the window is covered by the consultation the list logged.
    assert stack.call("GET", f"/verifications/{first}", SERGEANT)[0] == 200
    # Another sergeant's reads are theirs to log.
    assert stack.call("GET", "/verifications?status=awaiting_sergeant", "MP2003")[0] == 200

    for vid in (first, second):
        assert _viewed(_audit_chain(stack, vid)) == [
            (SERGEANT, "2026-11-28T02:47:00.000Z", {"reason": "operational_supervision", "via": "list"}),
            ("MP2003", "2026-11-28T02:49:00.000Z", {"reason": "operational_supervision", "via": "list"}),
        ]


def test_reads_racing_each_other_log_one_consultation(stack, monkeypatch):
    make_dynamodb_atomic(stack, monkeypatch)
    vid = _start(stack)
    auditor = principal(AUDITOR, Role.AUDITOR)
    readers = 6
    barrier = threading.Barrier(readers)

    def read() -> str:
        barrier.wait(timeout=10)
        with stack.running_as("APIHandler"):
            return services.get_verification(stack.deps, auditor, vid).status.value

    with ThreadPoolExecutor(max_workers=readers) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(read) for _ in range(readers)]]

    assert results == ["awaiting_sergeant"] * readers
    assert len(_viewed(_audit_chain(stack, vid))) == 1
