"""Notification waves (issue 3 §1): distinct sergeants per wave, fair rotation, duplicates harmless,
SMS bounded by the force's sergeants. Clock controlled; timers delivered through app.run_timers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from chalicelib import services
from chalicelib.domain.clock import iso_z
from chalicelib.domain.registry import Duty
from chalicelib.domain.verification import Status
from tests.integration.escalation_helpers import (
    EXTRA_MET_SERGEANTS,
    SEEDED_MET_SERGEANTS,
    START,
    add_extra_sergeants,
    deliver,
    events,
    make_dynamodb_atomic,
    pending,
    phones_texted,
    tune,
    types,
    waves,
)
from tests.integration.helpers import officer, start_request


def _start(stack, officer_id="MP4721"):
    status, body = stack.call("POST", "/verifications", officer_id, START)
    assert status == 201, body
    return body


def _sergeant_call(stack, method, path, sergeant_id, body=None):
    return stack.call(method, path, body=body, headers=stack.tokens.header("sergeant", "met", sergeant_id))


def test_waves_go_to_distinct_sergeants_every_interval_until_the_force_is_exhausted(stack, clock):
    phones = add_extra_sergeants(stack)  # 8 available Met sergeants with phones
    t0 = clock()
    started = _start(stack)
    vid = started["verification_id"]
    link = f"https://verify.police.example/s/{vid}"

    wave1 = phones_texted(stack)
    assert sorted(wave1) == sorted(phones[s] for s in SEEDED_MET_SERGEANTS)
    assert waves(stack, vid) == [{"wave": 1, "recipients": SEEDED_MET_SERGEANTS}]

    clock.advance(seconds=19)
    assert stack.fire_due_timers() == [] and len(stack.sms()) == 3  # not a second early

    clock.advance(seconds=1)
    assert stack.fire_due_timers() == ["wave"]
    wave2 = phones_texted(stack)[3:]
    assert sorted(wave2) == sorted(phones[s] for s in EXTRA_MET_SERGEANTS[:3])

    clock.advance(seconds=20)
    assert stack.fire_due_timers() == ["wave"]
    wave3 = phones_texted(stack)[6:]
    assert sorted(wave3) == sorted(phones[s] for s in EXTRA_MET_SERGEANTS[3:])

    clock.advance(seconds=20)  # +60: a fourth wave timer fires but nobody is left to text
    assert stack.fire_due_timers() == ["wave"]
    assert len(stack.sms()) == 8
    # An empty wave still arms one more (a sergeant may come on duty), but none at or after the
    # answer timeout: wave 5 at +80 s is the last, and it too finds nobody left.
    assert [t.wave for t in pending(stack, "wave")] == [5]
    clock.advance(seconds=20)
    assert stack.fire_due_timers() == ["wave"] and len(stack.sms()) == 8
    assert pending(stack, "wave") == []

    # SMS spend is bounded: every available sergeant exactly once, nobody else, all the same text.
    texted = phones_texted(stack)
    assert sorted(texted) == sorted(phones.values()) and len(set(texted)) == len(texted)
    assert "+447700900590" not in texted and "+447700900591" not in texted  # off duty, suspended
    assert {text for _, text in stack.sms()} == {
        f"Safe Connection: PC Jones (MP4721) asks for ID verification near Camden High St. Open {link}"
    }

    recorded = events(stack, vid)
    assert waves(stack, vid) == [
        {"wave": 1, "recipients": SEEDED_MET_SERGEANTS},
        {"wave": 2, "recipients": EXTRA_MET_SERGEANTS[:3]},
        {"wave": 3, "recipients": EXTRA_MET_SERGEANTS[3:]},
    ]
    notified_at = [e["at"] for e in recorded if e["type"] == "sergeants.notified"]
    assert notified_at == [iso_z(t0), "2026-11-28T02:47:20.000Z", "2026-11-28T02:47:40.000Z"]
    assert all(
        e["actor"] == {"role": "system", "officer_id": None} for e in recorded if e["type"] == "sergeants.notified"
    )
    sent = [e["data"] for e in recorded if e["type"] == "sms.sent"]
    assert [(d["wave"], d["recipients"]) for d in sent] == [
        (1, SEEDED_MET_SERGEANTS), (2, EXTRA_MET_SERGEANTS[:3]), (3, EXTRA_MET_SERGEANTS[3:]),
    ]
    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.AWAITING_SERGEANT and stored.waves_sent == 3
    assert sorted(stored.notified) == sorted(phones)
    # Each texted sergeant's rotation time is the time of their wave.
    assert stack.deps.registry.get("met", "MP2104").last_notified_at == "2026-11-28T02:47:40.000Z"
    assert stack.deps.registry.get("met", "MP2001").last_notified_at == iso_z(t0)

    clock.advance(seconds=30)  # +90: nobody answered
    assert stack.fire_due_timers() == ["answer_timeout"]
    assert stack.deps.verifications.get(vid).status is Status.UNANSWERED
    assert len(stack.sms()) == 8


def test_a_duplicate_wave_timer_sends_nothing(stack, clock):
    add_extra_sergeants(stack)
    vid = _start(stack)["verification_id"]
    clock.advance(seconds=20)
    (wave_timer,) = [t for t in stack.deps.timers.take_due(clock()) if t.kind.value == "wave"]
    assert wave_timer.wave == 2

    deliver(wave_timer)  # SQS delivers at least once...
    after_first = (len(stack.sms()), types(stack, vid), list(stack.deps.timers.scheduled))
    deliver(wave_timer)  # ...and sometimes twice
    assert services.handle_timer(stack.deps, wave_timer) == "no_wave"  # and a third time

    assert len(stack.sms()) == 6
    assert (len(stack.sms()), types(stack, vid), list(stack.deps.timers.scheduled)) == after_first
    assert [w["wave"] for w in waves(stack, vid)] == [1, 2]
    assert [t.wave for t in pending(stack, "wave")] == [3]  # the next wave is armed once


def test_the_same_wave_delivered_to_two_handlers_at_once_is_sent_once(stack, clock, monkeypatch):
    make_dynamodb_atomic(stack, monkeypatch)
    add_extra_sergeants(stack)
    vid = _start(stack)["verification_id"]
    clock.advance(seconds=20)
    (wave_timer,) = [t for t in stack.deps.timers.take_due(clock()) if t.kind.value == "wave"]
    barrier = threading.Barrier(2)

    def handler():
        barrier.wait(timeout=10)
        return services.handle_timer(stack.deps, wave_timer)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(f.result(timeout=30) for f in [pool.submit(handler), pool.submit(handler)])

    assert results == ["no_wave", "wave_sent"]
    assert len(stack.sms()) == 6 and len(set(phones_texted(stack))) == 6
    assert waves(stack, vid)[1] == {"wave": 2, "recipients": EXTRA_MET_SERGEANTS[:3]}
    assert len(waves(stack, vid)) == 2
    assert stack.deps.verifications.get(vid).waves_sent == 2


def test_the_next_check_texts_the_sergeants_the_last_one_did_not(stack, clock):
    add_extra_sergeants(stack)
    first = _start(stack, "MP4721")["verification_id"]
    assert stack.call("POST", f"/verifications/{first}/cancel", "MP4721", {})[0] == 200

    clock.advance(minutes=1)
    second = _start(stack, "MP5102")["verification_id"]
    assert waves(stack, second) == [{"wave": 1, "recipients": EXTRA_MET_SERGEANTS[:3]}]

    clock.advance(minutes=1)
    third = services.start_verification(stack.deps, officer("MP4721"), start_request()).verification.verification_id
    # Never-texted MP2104/MP2105 first, then the one texted longest ago (MP2001..3 tie: by id).
    assert waves(stack, third) == [{"wave": 1, "recipients": ["MP2104", "MP2105", "MP2001"]}]

    texted_per_check = [len(w["recipients"]) for v in (first, second, third) for w in waves(stack, v)]
    assert texted_per_check == [3, 3, 3] and len(stack.sms()) == 9
    assert stack.deps.registry.get("met", "MP2001").last_notified_at == "2026-11-28T02:49:00.000Z"
    assert stack.deps.registry.get("met", "MP2002").last_notified_at == "2026-11-28T02:47:00.000Z"


def test_a_sergeant_from_wave_two_accepts_and_wins_and_no_more_waves_go(stack, clock):
    add_extra_sergeants(stack)
    started = _start(stack)
    vid = started["verification_id"]
    stack.advance(20)
    assert [w["wave"] for w in waves(stack, vid)] == [1, 2] and len(stack.sms()) == 6

    clock.advance(seconds=5)
    status, accepted = _sergeant_call(stack, "POST", f"/verifications/{vid}/accept", "MP2102", {})
    assert status == 200, accepted
    assert accepted["status"] == "connected" and accepted["sergeant"]["officer_id"] == "MP2102"
    assert accepted["meeting"]["Attendee"]["ExternalUserId"] == "sergeant-MP2102"
    assert accepted["officer_record"]["officer_id"] == "MP4721"

    # A wave-1 sergeant who opens the link late loses normally.
    status, late = stack.call("POST", f"/verifications/{vid}/accept", "MP2001", {})
    assert (status, late["error"]["code"]) == (409, "already_accepted")

    texts_before = len(stack.sms())
    for _ in range(4):  # +45, +65, +85, +105: the wave-3 timer and the answer timeout change nothing
        stack.advance(20)
    assert len(stack.sms()) == texts_before == 6
    assert stack.alerts() == []
    stored = stack.deps.verifications.get(vid)
    assert stored.status is Status.CONNECTED and stored.sergeant.officer_id == "MP2102" and stored.waves_sent == 2

    status, decided = _sergeant_call(stack, "POST", f"/verifications/{vid}/outcome", "MP2102", {"outcome": "confirmed"})
    assert status == 200 and decided["status"] == "confirmed"
    status, public = stack.call("GET", f"/public/verifications/{started['reference']}")
    assert status == 200 and public["confirmed_by"]["officer_id"] == "MP2102"
    recorded = types(stack, vid)
    assert recorded.count("sergeants.notified") == 2
    assert "verification.unanswered" not in recorded and "alert.sent" not in recorded
    assert recorded[-1] == "verification.confirmed"


def test_a_sergeant_who_comes_on_duty_after_an_empty_first_wave_is_texted(stack, clock):
    for sergeant_id in SEEDED_MET_SERGEANTS:
        assert stack.deps.registry.set_duty("met", sergeant_id, Duty.OFF_DUTY)
    vid = _start(stack)["verification_id"]
    assert stack.sms() == [] and waves(stack, vid) == []

    clock.advance(seconds=10)
    assert stack.deps.registry.set_duty("met", "MP2001", Duty.AVAILABLE)
    stack.advance(10)  # +20: the next wave is due

    assert phones_texted(stack) == [stack.person("MP2001").phone]


def test_no_wave_is_texted_at_or_after_the_answer_timeout(stack, monkeypatch):
    tune(stack, monkeypatch, wave_interval_seconds=90, answer_timeout_seconds=90)
    add_extra_sergeants(stack)
    vid = _start(stack)["verification_id"]
    assert len(stack.sms()) == 3

    stack.advance(90)

    assert stack.deps.verifications.get(vid).status is Status.UNANSWERED
    assert len(stack.sms()) == 3, "sergeants were texted for a check that had run out of time"
