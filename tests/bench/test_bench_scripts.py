"""The benchmarks' pure pieces, and a smoke run of the quick ones, so bench/ cannot silently rot.

No timing is asserted: the machine is shared and noisy."""

from __future__ import annotations

from bench import time_to_sergeant as tts
from bench.common import interleave, percentile, table


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0


def test_interleave_runs_each_side_every_round_alternating() -> None:
    order: list[str] = []
    timings = interleave({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, rounds=3, warmup=0)
    assert order == ["a", "b", "b", "a", "a", "b"]
    assert {name: len(values) for name, values in timings.items()} == {"a": 3, "b": 3}


def test_table_aligns_numbers_right_and_text_left() -> None:
    assert table(["name", "n"], [["a", 1], ["bb", 10]]).splitlines() == ["name   n", "----  --", "a      1", "bb    10"]


def test_simulated_check_waves_stop_once_someone_accepts() -> None:
    # Two waves of one: the first never answers, the second answers 5 s after its text (at 25 s).
    outcome = tts.simulate_check(tts.Policy(1, 20), [None, 5.0, 1.0], answer_timeout=90)
    assert (outcome.seconds, outcome.answered, outcome.sms) == (25.0, True, 2)
    everyone = tts.simulate_check(tts.Policy(tts.ALL_AT_ONCE, 0), [None, 5.0, 1.0], answer_timeout=90)
    assert (everyone.seconds, everyone.sms) == (1.0, 3)
    nobody = tts.simulate_check(tts.Policy(3, 20), [None, None], answer_timeout=90)
    assert (nobody.seconds, nobody.answered, nobody.sms) == (90, False, 2)


def test_simulation_is_deterministic_with_a_seed() -> None:
    policies = [tts.Policy(3, 20), tts.Policy(tts.ALL_AT_ONCE, 0)]
    first = tts.run(policies, 300, 11, 8, 25.0, 0.8, 0.35, 90.0)
    assert first == tts.run(policies, 300, 11, 8, 25.0, 0.8, 0.35, 90.0)
    assert first != tts.run(policies, 300, 12, 8, 25.0, 0.8, 0.35, 90.0)
    assert first[0]["mean_sms"] < first[1]["mean_sms"]


def test_calls_counts_one_lifecycle_and_justifies_every_call(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("bench.common.RESULTS_DIR", tmp_path)
    from bench import calls

    result = calls.main([])
    assert result["unjustified"] == []
    audit = {op: count for phase, _, op, count in result["rows"] if phase == "audit"}
    # Per event one PutObject and one UpdateItem (out of the backlog); the day's index once per batch.
    assert result["per_phase"]["start"] > 0 and audit["PutObject"] == audit["UpdateItem"] == result["per_service"]["s3"]
    assert audit["BatchWriteItem"] == 1 and sum(audit.values()) == result["per_phase"]["audit"]
    assert result["total"] == sum(result["per_phase"].values())


def test_latency_floor_replays_every_call_the_route_made_and_cleans_up() -> None:
    """The floor is only a floor if it makes the same calls: the recorder must see every client
    (the timers' SQS client is made with the stack, before the recorder exists), and each replayed
    write must be accepted by moto (a refused one would be cheaper than the real thing)."""
    import json

    from moto import mock_aws

    from bench import latency
    from bench.inprocess import build

    with mock_aws():
        bench = build()
        try:
            recorder = latency.Recorder(bench.counter)
            status, started = bench.call("POST", "/verifications", latency.OFFICER, latency.START_BODY)
            assert status == 201
            path = f"/verifications/{started['verification_id']}/accept"
            response, calls = recorder.capture(
                lambda: bench.stack.client.http.post(path, headers=bench.stack.headers(latency.SERGEANT), body="{}"))
            assert response.status_code == 200, response.body
            operations = [(service, operation) for service, operation, _ in calls]
            assert ("sqs", "SendMessage") in operations and ("dynamodb", "TransactWriteItems") in operations

            dynamodb = bench.plain_session.client("dynamodb")
            table = bench.deps.settings.verifications_table

            def items() -> list[dict]:
                return sorted(
                    json.dumps(i, sort_keys=True, default=repr) for i in dynamodb.scan(TableName=table)["Items"]
                )

            before = items()
            run, clean_up = latency.floor_for(bench, calls, bench.token(latency.SERGEANT))
            run()
            assert run.refused == []
            written = items()
            assert len(written) > len(before) and any("FLOOR" in item for item in written)
            clean_up()
            assert items() == before
        finally:
            bench.close()


def test_import_rows_generates_a_file_the_import_accepts(tmp_path) -> None:
    """bench/import_rows.py's generated registry: every row valid, every 10th with a real PNG."""
    from bench import import_rows
    from chalicelib.domain.registry_import import validate
    from chalicelib.services.registry_import import photo_folder

    csv_file, photos, with_photo = import_rows.write_file(tmp_path, 250, 10)
    rows, problems = validate(csv_file.read_bytes(), photo_folder(photos))
    assert problems == [] and len(rows) == 250 and with_photo == 25
    assert sum(row.photo is not None for row in rows) == 25
    assert len({row.photo.sha256 for row in rows if row.photo}) == 25  # each photo its own
    assert {row.role.value for row in rows} == {"officer", "sergeant"}
    assert {row.status.value for row in rows} == {"serving", "suspended", "left"}


def test_erasure_sweeps_every_due_check_in_runs_bounded_by_their_budget(tmp_path, monkeypatch) -> None:
    """bench/erasure.py on a small day: every check erased once, in runs of at most the budget."""
    monkeypatch.setattr("bench.common.RESULTS_DIR", tmp_path)
    from bench import erasure

    result = erasure.main(["--checks", "30", "--events", "3", "--max-per-run", "10"])
    assert (result["erased"], result["runs"]) == (30, 3)


def test_latency_measures_every_route_and_replays_each_floor() -> None:
    """One round of the real measurement: every route answers as expected and its floor replays
    every call it made, whichever AWS service that was (a route newly reading Cognito or Secrets
    Manager once crashed the whole benchmark because the floor had no client for it)."""
    from bench import latency

    result = latency.measure(1)
    assert set(result["routes"]) >= {"POST /verifications (start)", "GET /public/verifications/{ref}", "PUT /me/duty"}
    for name, route in result["routes"].items():
        assert route["calls"] > 0, name
        assert route["candidate_p50_ms"] > 0 and route["floor_p50_ms"] > 0, name
