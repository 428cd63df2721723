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


def test_a_push_that_arrives_costs_no_text_and_one_that_does_not_is_texted_after_the_grace() -> None:
    push = tts.Policy(2, 15, push=True)
    arrives = tts.Sergeant(0, 3.0, push=True, push_arrives=True)
    lost = tts.Sergeant(0, 3.0, push=True, push_arrives=False)
    texts_only = tts.Sergeant(0, None)
    # The push arrives: she answers 3 s after it, nobody is texted but the other sergeant.
    assert tts.simulate_check(push, [arrives, texts_only], 90) == tts.Outcome(3.0, True, 1)
    # The push is lost: the text goes after the 5 s grace, and her 3 s run from the text.
    assert tts.simulate_check(push, [lost, texts_only], 90) == tts.Outcome(8.0, True, 2)
    # Someone answered within the grace: the lost push is never followed by a text.
    quick = tts.Sergeant(0, 2.0)
    assert tts.simulate_check(push, [lost, quick], 90) == tts.Outcome(2.0, True, 1)
    # Without push in the policy, the same sergeants are all texted at once.
    assert tts.simulate_check(tts.Policy(2, 15), [lost, texts_only], 90) == tts.Outcome(3.0, True, 2)


def test_simulation_is_deterministic_with_a_seed() -> None:
    policies = [tts.Policy(3, 20), tts.Policy(tts.ALL_AT_ONCE, 0)]
    first = tts.run(policies, 300, 11, 8, tts.Model(), 90.0)
    assert first == tts.run(policies, 300, 11, 8, tts.Model(), 90.0)
    assert first != tts.run(policies, 300, 12, 8, tts.Model(), 90.0)
    assert first[0]["mean_sms"] < first[1]["mean_sms"]


def test_the_simulation_texts_in_the_apps_order() -> None:
    """Ranked: by the tier the app's own `answer_tier` gives the drawn signs (stable within a tier,
    the drawn order standing for the rotation); unranked: the rotation alone."""
    import random

    sergeants = [tts.Sergeant(2, 1.0), tts.Sergeant(0, 2.0), tts.Sergeant(1, None), tts.Sergeant(0, 4.0)]
    ranked = tts.texting_order(tts.Policy(2, 15, ranked=True), sergeants)
    assert [s.response for s in ranked] == [2.0, 4.0, None, 1.0]
    rotation = tts.texting_order(tts.Policy(2, 15, ranked=False), sergeants)
    assert [s.response for s in rotation] == [1.0, 2.0, None, 4.0]
    rng = random.Random(3)
    drawn = [tts.draw_sergeant(rng, tts.Model()) for _ in range(2000)]
    shares = [sum(s.tier == tier for s in drawn) / len(drawn) for tier in (0, 1, 2)]
    assert 0.2 < shares[0] < 0.3 and 0.18 < shares[1] < 0.27  # 25%, then 30% of the other 75%
    answered = {tier: sum(s.response is not None for s in drawn if s.tier == tier) for tier in (0, 1, 2)}
    assert answered[0] / sum(s.tier == 0 for s in drawn) > answered[2] / sum(s.tier == 2 for s in drawn)


def test_the_apps_policy_is_the_mets_configured_timings_and_texts_less_than_before() -> None:
    import json

    from bench.common import PROJECT

    timings = json.loads((PROJECT / "infra" / "config" / "met.json").read_text())["timings"]
    assert (timings["wave_size"], timings["wave_interval_seconds"]) == (tts.APP_POLICY.wave_size,
                                                                         tts.APP_POLICY.wave_interval)
    results = tts.run([tts.PREVIOUS_POLICY, tts.APP_POLICY], 2000, 7, 8, tts.Model(), 90.0)
    before, app = results
    assert app["app"] and before["previous"] and app["ranked"] and not before["ranked"]
    assert app["mean_sms"] < before["mean_sms"] and app["median_sms"] <= before["median_sms"]


def _bench_result(cold: float, latency: float, median_sms: float, p95: float, mean_sms: float) -> dict:
    scenario = {"title": "x", "calls": 1, "candidate_median_ms": 1.0, "floor_median_ms": 1.0, "ratio": cold}
    app = {"policy": "app", "app": True, "previous": False, "p50_s": 8.0, "p95_s": p95,
           "median_sms": median_sms, "mean_sms": mean_sms}
    before = {**app, "policy": "before", "app": False, "previous": True}
    return {
        "coldstart": {"ratio": cold, "scenarios": {"start": scenario}},
        "latency": {"worst_ratio": latency, "worst_route": "PUT /me/duty"},
        "time_to_sergeant": {"results": [{**before, "policy": "everyone"}, before, app]},
        "calls": {"total": 2, "unjustified": [], "rows": [["start", "dynamodb", "GetItem", 1],
                                                          ["audit", "s3", "PutObject", 1]]},
        "load": {"completed": 1, "verifications": 1, "errors": 0, "chain_problems": 0, "throughput_per_second": 1.0},
        "erasure": {"checks_per_second": 1, "runs": 1, "longest_run_seconds": 1.0},
    }


def test_the_summary_ends_with_exactly_the_five_lines_outside_tools_read() -> None:
    import re

    from bench import run_all
    from infra import cost_model

    result = _bench_result(1.126, 1.1449, 2.0, 29.44, 2.57)
    lines = run_all.summary_lines(result)
    expected_cost = cost_model.cost_per_check_usd([("dynamodb", "GetItem", 1), ("s3", "PutObject", 1)], 2.57)
    assert lines == [
        "cold start ratio: 1.13x",
        "worst route latency ratio: 1.14x",
        "sms per check (median): 2.0",
        "time to accept p95: 29.4 s",
        f"cost per check: ${expected_cost:.3f}",
    ]
    assert re.fullmatch(r"cost per check: \$\d+\.\d{3}", lines[-1])
    table_rows = run_all.rows(result)
    assert all(len(row) == 3 for row in table_rows)


def test_cost_per_check_follows_the_texts_and_the_calls() -> None:
    from infra import cost_model

    calls = [("dynamodb", "GetItem", 10), ("dynamodb", "TransactWriteItems", 5), ("sns", "Publish", 3)]
    two, three = cost_model.cost_per_check_usd(calls, 2.0), cost_model.cost_per_check_usd(calls, 3.0)
    assert three - two == cost_model.PRICE_PER_SMS_USD or abs(three - two - cost_model.PRICE_PER_SMS_USD) < 1e-12
    more_writes = cost_model.cost_per_check_usd([*calls, ("dynamodb", "UpdateItem", 100)], 2.0)
    more_reads = cost_model.cost_per_check_usd([*calls, ("dynamodb", "Query", 100)], 2.0)
    assert more_writes > more_reads > two
    # The texts are priced from the simulation: the lifecycle's Publish calls add nothing again.
    assert cost_model.cost_per_check_usd(calls[:2], 2.0) == two


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


def floor_report(directory: str) -> dict[str, dict[str, list[list[str]]]]:
    """Each cold-start scenario's recorded first request and its floor's replay, as (service, operation)
    lists, plus what moto refused; run in a process of its own by the test below."""
    from pathlib import Path

    import boto3

    from bench import coldfloor, coldstart
    from bench.inprocess import CallCounter
    from bench.latency import Recorder

    report: dict[str, dict[str, list[list[str]]]] = {}
    with coldstart.cold_bench(Path(directory)) as bench:
        for scenario in coldstart.SCENARIOS:
            recorded = bench.record(scenario)
            plan = bench.floor_plan(scenario)
            session = boto3.session.Session()
            recorder = Recorder(CallCounter().install(session))
            refused, replayed = recorder.capture(lambda plan=plan, session=session: coldfloor.replay(plan, session))
            bench.clean_floor(plan)
            report[scenario] = {
                "recorded": [[s, op] for s, op, _ in recorded],
                "replayed": [[s, op] for s, op, _ in replayed],
                "refused": [[str(r)] for r in refused],
            }
    return report


def test_each_cold_start_floor_makes_the_calls_its_first_request_made(tmp_path) -> None:
    """The cold-start floors are floors only if they make the same AWS calls: each scenario's first
    request is recorded in a container of its own (so per-container reads are in it), then its
    floor's replay is recorded the same way; the operations must match one for one, and moto must
    accept every replayed call (a refused one would be cheaper than the real thing).

    In a process of its own: the embedded AWS patches moto and points boto3 at its server, which
    must not leak into the other tests of this worker (they run on moto as published)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    project = Path(__file__).resolve().parents[2]
    probe = ("import json, sys; from tests.bench.test_bench_scripts import floor_report; "
             "print(json.dumps(floor_report(sys.argv[1])))")
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], cwd=project, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    from bench import coldstart

    assert set(report) == set(coldstart.SCENARIOS)
    for scenario, calls in report.items():
        assert calls["recorded"], scenario
        assert calls["refused"] == [], scenario
        assert calls["replayed"] == calls["recorded"], scenario
    operations = {scenario: {op for _, op in calls["recorded"]} for scenario, calls in report.items()}
    # The three are the requests that matter: the start texts and arms timers, the look-up reads
    # the rate-limit key once per container, the timer texts the next wave.
    assert {"CreateMeeting", "Publish", "SendMessage"} <= operations["start"]
    assert "GetSecretValue" in operations["public"]
    assert {"Query", "Publish"} <= operations["timer"]
