"""Polls the verifications table's DynamoDB stream and feeds batches to the same Lambda handler.

This is the local stand-in for Lambda's stream event source mapping: a failed batch is retried with
backoff and the shard position only advances once the handler succeeded (so no event is lost).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

log = logging.getLogger("safe_connection.local.stream")


def to_lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """Shape a GetRecords record as Lambda delivers it (ARN added, timestamp as epoch seconds)."""
    converted = dict(record)
    converted["eventSourceARN"] = stream_arn
    dynamodb = dict(converted.get("dynamodb", {}))
    stamp = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(stamp, datetime):
        dynamodb["ApproximateCreationDateTime"] = stamp.timestamp()
    converted["dynamodb"] = dynamodb
    return converted


class StreamWorker(threading.Thread):
    def __init__(
        self,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        handler: Callable[[dict[str, Any], Any], Any],
        stop: threading.Event | None = None,
        poll_seconds: float = 0.2,
        max_backoff_seconds: float = 5.0,
        lock: contextlib.AbstractContextManager[Any] | None = None,
        stream_arn: str | None = None,
    ) -> None:
        super().__init__(name="audit-stream-worker", daemon=True)
        self._dynamodb = dynamodb
        self._streams = streams
        self._table = table_name
        self._handler = handler
        self._stop_event = stop or threading.Event()
        self._poll = poll_seconds
        self._max_backoff = max_backoff_seconds
        self.batches_delivered = 0
        self.failures = 0
        # Known up front when the caller already has it (as Lambda's event source mapping does).
        self._stream_arn: str | None = stream_arn
        self._checkpoints: dict[str, str | None] = {}
        # Held around a whole poll, reads included: moto's stream reads register shard iterators
        # while a transaction deep-copies the table, and that race loses writes (see poll_once).
        self._lock = lock or contextlib.nullcontext()

    def run(self) -> None:
        backoff = self._poll
        while not self._stop_event.is_set():
            try:
                delivered = self.poll_once()
                backoff = self._poll
                if not delivered:
                    self._stop_event.wait(self._poll)
            except Exception:
                self.failures += 1
                log.warning("audit batch failed; retrying in %.1fs", backoff, exc_info=True)
                self._stop_event.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    def poll_once(self) -> int:
        """Deliver at most one batch per shard; returns how many batches were delivered.

        The checkpoint is the last delivered sequence number per shard, and a fresh iterator is
        taken on every poll instead of following NextShardIterator: moto rebuilds a table from a
        copy when a transaction is cancelled (e.g. the losing concurrent accept), orphaning old
        iterators. If the handler raises, the checkpoint stays and the same batch comes again.

        The local stack passes its app lock: moto's GetShardIterator/GetRecords mutate state that a
        concurrent TransactWriteItems deep-copies ("dictionary changed size during iteration", and
        once a lost accept), so reads must not overlap the app's writes either.
        """
        with self._lock:
            return self._poll_once()

    def _poll_once(self) -> int:
        if self._stream_arn is None:
            self._stream_arn = self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"]
        delivered = 0
        for shard_id in self._shard_ids(self._stream_arn, self._checkpoints):
            records = self._read(self._stream_arn, shard_id, self._checkpoints[shard_id])
            if records:
                event = {"Records": [to_lambda_record(r, self._stream_arn) for r in records]}
                self._handler(event, None)
                self._checkpoints[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                self.batches_delivered += 1
                delivered += 1
        return delivered

    def _shard_ids(self, stream_arn: str, checkpoints: dict[str, str | None]) -> list[str]:
        shards = self._streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            checkpoints.setdefault(shard["ShardId"], None)
        return list(checkpoints)

    def _read(self, stream_arn: str, shard_id: str, after: str | None) -> list[dict[str, Any]]:
        position: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        if after is not None:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        iterator = self._streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id, **position)[
            "ShardIterator"
        ]
        records: list[dict[str, Any]] = self._streams.get_records(ShardIterator=iterator, Limit=100).get("Records", [])
        return records
