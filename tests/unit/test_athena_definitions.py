"""The Athena table and saved queries match the audit key layout and event shape they read."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from chalicelib.domain.audit import SYSTEM, PendingEvent, audit_key, chain

ATHENA = Path(__file__).resolve().parents[2] / "infra" / "athena"


def _ddl() -> str:
    return (ATHENA / "audit_events_table.sql").read_text()


def test_partition_template_matches_the_spec_key_layout():
    template = re.search(r"'storage.location.template' = '(.*?)'", _ddl()).group(1)
    created = datetime(2026, 11, 28, 2, 47, tzinfo=UTC)
    key = audit_key("met", created, "v123", 4)
    prefix = template.replace("s3://${AUDIT_BUCKET}/", "").replace("${force}", "met").replace("${date}", "2026-11-28")
    assert key.startswith(prefix) and key[len(prefix):] == "v123/000004.json"


def test_projection_covers_force_and_date():
    ddl = _ddl()
    for prop in ("projection.enabled", "projection.force.type", "projection.date.type", "projection.date.format"):
        assert f"'{prop}'" in ddl
    assert "PARTITIONED BY (force string, `date` string)" in ddl


def test_table_columns_are_the_event_fields():
    [event] = chain([PendingEvent("verification.requested", SYSTEM, {})], verification_id="v", force="met",
                    after_seq=0, after_hash="0" * 64, at=datetime(2026, 11, 28, tzinfo=UTC),
                    new_event_id=lambda: "e")
    columns = set(re.findall(r"^  (\w+)\s", _ddl(), re.M))
    # `force` is the partition column; every other field of an event is a column.
    assert set(event) - {"force"} == columns


def test_saved_queries_use_the_table_and_name_a_force():
    queries = sorted((ATHENA / "queries").glob("*.sql"))
    assert [q.name for q in queries] == [
        "checks_by_officer.sql", "decisions_by_method.sql", "time_to_accept.sql", "unanswered_per_day.sql"]
    for query in queries:
        text = query.read_text()
        assert "safe_connection_audit.events" in text and "force = 'met'" in text


def test_decision_events_carry_the_method_the_table_and_queries_read():
    """SPEC §7.3: `data.method` of confirmed/not_confirmed events is a column and the queries report it."""
    data = re.search(r"data\s+struct<(.*?)>,\n  prev_hash", _ddl(), re.S).group(1)
    assert re.search(r"^\s*method:string,", data, re.M)
    for name in ("checks_by_officer.sql", "decisions_by_method.sql"):
        text = (ATHENA / "queries" / name).read_text()
        assert "data.method" in text and "actor.role" in text
