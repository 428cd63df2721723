"""The audit-event item keys, read back: the copier trusts what a key claims only through these."""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamodb import keys


@pytest.mark.parametrize(("pk", "chain"), [
    (keys.verification_pk("vid-1"), "vid-1"),
    (keys.attempt_pk("refusals-met-MP4721-2026-12-02"), "refusals-met-MP4721-2026-12-02"),
    ("V#", None), ("REF#SC-7KQ2-9XHM", None), ("", None),
])
def test_chain_of_pk_names_the_chain_of_a_verification_or_attempt_partition(pk: str, chain: str | None) -> None:
    assert keys.chain_of_pk(pk) == chain


@pytest.mark.parametrize(("sk", "seq"), [
    (keys.event_sk(1), 1), (keys.event_sk(123456), 123456),
    ("EVENT#12345", None), ("EVENT#1234567", None), ("EVENT#00000x", None), (keys.META, None), ("", None),
])
def test_seq_of_sk_reads_only_a_six_digit_event_sort_key(sk: str, seq: int | None) -> None:
    assert keys.seq_of_sk(sk) == seq
